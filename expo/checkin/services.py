"""Check-in rules in action: gates, staff and devices, scans, offline bundle and sync.

Each public function is one transaction. At-most-once entry is the database's
job: the first entry is the INSERT of a Presence row (unique per gate and
registration); a repeated nonce is refused by a unique index and answered from
the scan it first recorded.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from ..core import services as core
from ..core.models import ApiToken, Event, Role, TokenKind, User
from ..errors import Conflict, Forbidden, Invalid, NotFound
from ..extensions import db
from ..registration import badges
from ..registration.models import PassType, Registration
from ..timeutil import to_local, utcnow
from . import rules
from .models import Device, Direction, Gate, GateStaff, Presence, Scan, Zone

CODE_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,31}$")
HHMM_RE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$")
# A scanner's clock may run a little fast; more than this is a wrong clock.
FUTURE_SLACK = timedelta(minutes=5)
MAX_SYNC_BATCH = 500

# Gate kinds other features add: kind -> loader(gate, registration) -> extra facts for
# rules.Attendee.extra, and -> bundle(gate) -> extra data the offline scanner needs.
KIND_FACTS: dict[str, Callable[[Gate, Registration], dict]] = {}
KIND_BUNDLE: dict[str, Callable[[Gate], dict]] = {}
# -> describe(gate) -> {"label": "Site visit: …", "url": "…"} | None: what the gate is tied to,
# shown on the gate pages.
KIND_DESCRIBE: dict[str, Callable[[Gate], dict | None]] = {}


def describe_gate(gate: Gate) -> dict | None:
    describe = KIND_DESCRIBE.get(gate.kind) if gate.kind else None
    return describe(gate) if describe else None


# ---------------------------------------------------------------- zones and gates


def zones(event: Event) -> list[Zone]:
    return list(db.session.scalars(sa.select(Zone).where(Zone.event_id == event.id)
                                   .order_by(Zone.name)))


def zone_by_code(event: Event, code: str) -> Zone | None:
    return db.session.scalar(sa.select(Zone).where(Zone.event_id == event.id, Zone.code == code))


def _check_code(code: str, what: str) -> str:
    code = (code or "").strip().lower()
    if not CODE_RE.match(code):
        raise Invalid(f"A {what} code is 1–32 lower-case letters, digits or dashes "
                      f"(e.g. main-hall).", code=f"{what}_code_invalid")
    return code


def ensure_zone(actor: User | None, event: Event, code: str, name: str, *,
                capacity: int | None = None, commit: bool = True) -> Zone:
    """The event's zone with this code, created or renamed."""
    code = _check_code(code, "zone")
    if not (name or "").strip():
        raise Invalid("A zone needs a name (e.g. Main hall).", code="zone_name_required")
    zone = zone_by_code(event, code)
    if zone is None:
        zone = Zone(event_id=event.id, code=code, name=name.strip(), capacity=capacity)
        db.session.add(zone)
        core.audit(actor, event, "zone.create", target=code)
    else:
        zone.name = name.strip()
        zone.capacity = capacity
    if commit:
        db.session.commit()
    return zone


def gates(event: Event, *, active_only: bool = False) -> list[Gate]:
    query = sa.select(Gate).where(Gate.event_id == event.id).order_by(Gate.name)
    if active_only:
        query = query.where(Gate.active.is_(True))
    return list(db.session.scalars(query))


def gate_by_id(event: Event, gate_id: int) -> Gate:
    gate = db.session.get(Gate, gate_id)
    if gate is None or gate.event_id != event.id:
        raise NotFound("No such gate in this event.", code="gate_not_found")
    return gate


def gate_by_code(event: Event, code: str) -> Gate:
    gate = db.session.scalar(sa.select(Gate).where(Gate.event_id == event.id,
                                                   Gate.code == (code or "").strip().lower()))
    if gate is None:
        raise NotFound(f"No gate {code!r} in this event.", code="gate_not_found")
    return gate


def parse_hours(text: str, event: Event) -> list[dict]:
    """Opening hours from lines like "2025-09-17 08:30-18:00" (event's local time).

    A line "all 09:00-17:00" repeats the window on every day of the event.
    """
    hours: list[dict] = []
    days = [event.starts_on + timedelta(days=i)
            for i in range((event.ends_on - event.starts_on).days + 1)]
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        match = re.fullmatch(r"(\S+)\s+(\d{2}:\d{2})\s*[-–]\s*(\d{2}:\d{2})", line)
        if not match:
            raise Invalid(f"Line {number}: write “2025-09-17 08:30-18:00” or "
                          f"“all 09:00-17:00”.", code="hours_invalid")
        day, opens, closes = match.groups()
        if not (HHMM_RE.match(opens) and HHMM_RE.match(closes)) or opens >= closes:
            raise Invalid(f"Line {number}: {opens}–{closes} is not a window within one day.",
                          code="hours_invalid")
        if day.lower() == "all":
            targets = days
        else:
            try:
                targets = [datetime.strptime(day, "%Y-%m-%d").date()]
            except ValueError:
                raise Invalid(f"Line {number}: {day!r} is not a date (YYYY-MM-DD).",
                              code="hours_invalid") from None
            if not event.starts_on <= targets[0] <= event.ends_on:
                raise Invalid(f"Line {number}: {day} is outside the event's dates.",
                              code="hours_invalid")
        hours += [{"day": d.isoformat(), "opens": opens, "closes": closes} for d in targets]
    return sorted(hours, key=lambda h: (h["day"], h["opens"]))


def hours_as_text(gate: Gate) -> str:
    return "\n".join(f"{h['day']} {h['opens']}-{h['closes']}" for h in gate.hours or [])


def pass_types(event: Event) -> list[PassType]:
    return list(db.session.scalars(sa.select(PassType).where(PassType.event_id == event.id)
                                   .order_by(PassType.position, PassType.name)))


def admitted_pass_types(event: Event, zone_code: str) -> list[PassType]:
    return [p for p in pass_types(event) if zone_code in (p.zones or [])]


def _set_admitted(event: Event, zone_code: str, pass_type_ids: Iterable[int]) -> None:
    """Make exactly these pass types open the zone (PassType.zones is the one truth)."""
    wanted = {int(i) for i in pass_type_ids}
    known = {p.id for p in pass_types(event)}
    if wanted - known:
        raise NotFound("A chosen pass type does not belong to this event.",
                       code="pass_type_not_found")
    for pass_type in pass_types(event):
        current = list(pass_type.zones or [])
        if pass_type.id in wanted and zone_code not in current:
            pass_type.zones = [*current, zone_code]
        elif pass_type.id not in wanted and zone_code in current:
            pass_type.zones = [z for z in current if z != zone_code]


def save_gate(actor: User | None, event: Event, *, gate: Gate | None = None, code: str,
              name: str, zone_code: str, zone_name: str | None = None, hours: list | None = None,
              allow_reentry: bool = False, scan_exits: bool = False, active: bool = True,
              admitted: Iterable[int] | None = None, kind: str | None = None,
              kind_ref: str | None = None) -> Gate:
    """Create or update a gate; `admitted` (pass type ids) rewrites which passes open its zone."""
    code = _check_code(code, "gate")
    if not (name or "").strip():
        raise Invalid("A gate needs a name (e.g. Hall A north entrance).",
                      code="gate_name_required")
    clash = db.session.scalar(sa.select(Gate.id).where(Gate.event_id == event.id,
                                                       Gate.code == code))
    if clash is not None and (gate is None or clash != gate.id):
        raise Conflict(f"This event already has a gate {code!r}.", code="gate_code_taken")
    zone = zone_by_code(event, _check_code(zone_code, "zone"))
    if zone is None or (zone_name and zone_name.strip() != zone.name):
        zone = ensure_zone(actor, event, zone_code, zone_name or (zone.name if zone else ""),
                           capacity=zone.capacity if zone else None, commit=False)
        db.session.flush()
    creating = gate is None
    if creating:
        gate = Gate(event_id=event.id)
        db.session.add(gate)
    gate.code, gate.name, gate.zone = code, name.strip(), zone
    gate.hours = list(hours or [])
    gate.allow_reentry, gate.scan_exits, gate.active = allow_reentry, scan_exits, active
    gate.kind, gate.kind_ref = kind, kind_ref
    if admitted is not None:
        _set_admitted(event, zone.code, admitted)
    core.audit(actor, event, "gate.create" if creating else "gate.update", target=code,
               details={"zone": zone.code, "reentry": allow_reentry, "exits": scan_exits})
    db.session.commit()
    return gate


def assign_staff(actor: User, event: Event, gate: Gate, email: str) -> GateStaff:
    """Put a staff member on a gate (granting the staff role when needed)."""
    if gate.event_id != event.id:
        raise NotFound("No such gate in this event.", code="gate_not_found")
    granted, _created = core.grant_role(actor, event, email, Role.STAFF, commit=False)
    user = granted.user
    db.session.flush()
    existing = db.session.scalar(sa.select(GateStaff).where(GateStaff.gate_id == gate.id,
                                                            GateStaff.user_id == user.id))
    if existing is None:
        existing = GateStaff(event_id=event.id, gate=gate, user=user)
        db.session.add(existing)
        core.audit(actor, event, "gate.staff_assign", target=user.email,
                   details={"gate": gate.code})
    db.session.commit()
    return existing


def unassign_staff(actor: User, event: Event, assignment_id: int) -> None:
    assignment = db.session.get(GateStaff, assignment_id)
    if assignment is None or assignment.event_id != event.id:
        raise NotFound("No such assignment in this event.")
    core.audit(actor, event, "gate.staff_unassign", target=assignment.user.email,
               details={"gate": assignment.gate.code})
    db.session.delete(assignment)
    db.session.commit()


def gates_for(event: Event, user: User | None, token: ApiToken | None) -> list[Gate]:
    """The gates this scanner may use: a device's gate, a staff member's assigned gates,
    or every active gate for organisers and unassigned staff."""
    active = gates(event, active_only=True)
    allowed = _allowed_gate_ids(event, user, token)
    return active if allowed is None else [g for g in active if g.id in allowed]


def _allowed_gate_ids(event: Event, user: User | None, token: ApiToken | None) -> set | None:
    if token is not None and token.kind == TokenKind.DEVICE:
        gate_id = db.session.scalar(sa.select(Device.gate_id).where(Device.token_id == token.id))
        return None if gate_id is None else {gate_id}
    if user is None or user.is_admin or core.has_role(user, event, Role.ORGANISER):
        return None
    assigned = set(db.session.scalars(sa.select(GateStaff.gate_id).where(
        GateStaff.event_id == event.id, GateStaff.user_id == user.id)))
    return assigned or None


def _check_gate_access(event: Event, gate: Gate, user, token) -> None:
    allowed = _allowed_gate_ids(event, user, token)
    if allowed is not None and gate.id not in allowed:
        raise Forbidden(f"This scanner is not assigned to {gate.name}.",
                        code="gate_not_assigned")
    if not gate.active:
        raise Conflict(f"{gate.name} is closed by the organisers.", code="gate_inactive")


# ---------------------------------------------------------------- devices


def devices(event: Event) -> list[Device]:
    return list(db.session.scalars(sa.select(Device).where(Device.event_id == event.id)
                                   .order_by(Device.created_at.desc())))


def create_device(actor: User, event: Event, name: str, gate: Gate | None) -> tuple[Device, str]:
    """A device token for a dedicated scanner; the plain token is returned once."""
    name = (name or "").strip()
    if not name:
        raise Invalid("Name the device (e.g. Hall A turnstile 1).", code="device_name_required")
    if gate is not None and gate.event_id != event.id:
        raise NotFound("No such gate in this event.", code="gate_not_found")
    token, plain = core.create_token(actor, f"scanner: {name}", event=event,
                                     kind=TokenKind.DEVICE, actor=actor)
    device = Device(event_id=event.id, token=token, gate=gate, name=name)
    db.session.add(device)
    db.session.commit()
    return device, plain


def revoke_device(actor: User, event: Event, device_id: int) -> Device:
    device = db.session.get(Device, device_id)
    if device is None or device.event_id != event.id:
        raise NotFound("No such device in this event.", code="device_not_found")
    core.revoke_token(actor, device.token_id)
    return device


# ---------------------------------------------------------------- scanning


@dataclass
class Outcome:
    """The answer to one scan, as the API and the scanner page show it."""

    result: str
    message: str
    gate: Gate
    direction: str
    scanned_at: datetime
    registration: Registration | None = None
    first_checked_in_at: datetime | None = None
    scan_id: int | None = None
    replayed: bool = False
    conflict: str | None = None

    @property
    def colour(self) -> str:
        return rules.Decision(self.result, self.message).colour


def gate_rules(gate: Gate) -> rules.GateRules:
    return rules.GateRules(zone=gate.zone.code, zone_name=gate.zone.name,
                           hours=tuple(gate.hours or ()), kind=gate.kind,
                           scan_exits=gate.scan_exits, allow_reentry=gate.allow_reentry)


def _attendee(gate: Gate, registration: Registration) -> rules.Attendee:
    pass_type = registration.pass_type
    loader = KIND_FACTS.get(gate.kind) if gate.kind else None
    return rules.Attendee(status=registration.status, zones=tuple(pass_type.zones or ()),
                          pass_name=pass_type.name,
                          extra=loader(gate, registration) if loader else {})


def _insert_ignore(table, values: dict):
    dialect = db.session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    return (module.insert(table).values(**values).on_conflict_do_nothing()
            .returning(table.c.id))


def _admit(event: Event, gate: Gate, registration: Registration, at: datetime,
           offline: bool) -> tuple[str, datetime | None]:
    """Record an entry; the database decides whether it is the first one."""
    inserted = db.session.execute(_insert_ignore(Presence.__table__, dict(
        event_id=event.id, gate_id=gate.id, zone_id=gate.zone_id,
        registration_id=registration.id, first_in_at=at, last_in_at=at, inside=True,
        entries=1))).scalar()
    # RETURNING answers the new row's id, or nothing when the row already existed.
    if inserted is not None:
        return rules.OK, None
    where = (Presence.gate_id == gate.id, Presence.registration_id == registration.id)
    if gate.allow_reentry:
        condition = (Presence.inside.is_(False),) if gate.scan_exits else ()
        again = db.session.execute(sa.update(Presence).where(*where, *condition).values(
            inside=True, last_in_at=at, entries=Presence.entries + 1)).rowcount
        if again:
            return rules.OK, None
    first = db.session.scalar(sa.select(Presence.first_in_at).where(*where))
    if offline and first is not None and at < first:
        # An offline scan admitted earlier than the entry on record: keep the true first.
        db.session.execute(sa.update(Presence).where(*where).values(first_in_at=at))
    return rules.ALREADY_CHECKED_IN, first


def _exit(gate: Gate, registration: Registration, at: datetime) -> str:
    left = db.session.execute(sa.update(Presence).where(
        Presence.gate_id == gate.id, Presence.registration_id == registration.id,
        Presence.inside.is_(True)).values(inside=False, last_out_at=at)).rowcount
    return "" if left else " (no entry on record at this gate)"


def scan(event: Event, *, gate_code: str, code: str | None = None,
         registration_id: int | None = None, direction: str = Direction.IN,
         nonce: str | None = None, scanned_at: datetime | None = None,
         user: User | None = None, token: ApiToken | None = None, offline: bool = False,
         offline_result: str | None = None) -> Outcome:
    """Decide and record one scan; the same nonce again answers the recorded scan."""
    now = utcnow()
    at = scanned_at or now
    if at.tzinfo is None:
        raise Invalid("scanned_at needs a UTC offset, e.g. 2025-09-17T09:30:00+08:00.",
                      code="scanned_at_naive")
    if at > now + FUTURE_SLACK:
        raise Invalid("scanned_at is in the future: check the scanner's clock.",
                      code="scanned_at_in_future")
    if direction not in (Direction.IN, Direction.OUT):
        raise Invalid("direction is 'in' or 'out'.", code="direction_invalid")
    if bool(code) == bool(registration_id):
        raise Invalid("Send either the badge's code or a registration_id (manual check-in).",
                      code="code_required")
    gate = gate_by_code(event, gate_code)
    _check_gate_access(event, gate, user, token)
    if direction == Direction.OUT and not gate.scan_exits:
        raise Invalid(f"{gate.name} does not scan exits.", code="exits_not_scanned")
    if registration_id is not None:
        registration = db.session.get(Registration, registration_id)
        if registration is None or registration.event_id != event.id:
            raise NotFound("No such registration in this event.",
                           code="registration_not_found")
        read = badges.BadgeRead(None, "Found by name.", registration=registration)
    else:
        read = badges.read_badge(event, code)
    registration = read.registration
    attendee = _attendee(gate, registration) if registration is not None else None
    decision = rules.decide(gate_rules(gate), read.problem, read.reason, attendee,
                            to_local(at, event.time_zone), direction)
    result, message, first = decision.result, decision.message, None
    if decision.admitted and direction == Direction.IN:
        result, first = _admit(event, gate, registration, at, offline)
        if result == rules.ALREADY_CHECKED_IN:
            message = rules.already_message(to_local(first, event.time_zone))
    elif decision.admitted:
        message += _exit(gate, registration, at)
    conflict = None
    if offline and offline_result == rules.OK and result != rules.OK:
        conflict = f"Admitted offline, but the server says {result.replace('_', ' ')}: {message}"
    record = Scan(event_id=event.id, gate_id=gate.id,
                  registration_id=registration.id if registration is not None else None,
                  badge_serial=read.claims.serial if read.claims else None,
                  direction=direction, result=result, message=message[:300],
                  method="manual" if registration_id is not None else "qr",
                  nonce=nonce or None, scanned_at=at, recorded_at=now,
                  user_id=user.id if user is not None else None,
                  token_id=token.id if token is not None else None, offline=offline,
                  offline_result=offline_result, conflict=conflict[:300] if conflict else None,
                  first_checked_in_at=first)
    db.session.add(record)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        if not nonce:
            raise
        return replay(event, nonce)
    return Outcome(result, message, gate, direction, at, registration, first, record.id,
                   conflict=conflict)


def replay(event: Event, nonce: str) -> Outcome:
    """The answer first given to this nonce (the scan is not recorded again)."""
    record = db.session.scalar(sa.select(Scan).where(Scan.event_id == event.id,
                                                     Scan.nonce == nonce))
    if record is None:
        raise Conflict("The scan could not be recorded; send it again.", code="retry")
    return Outcome(record.result, record.message, record.gate, record.direction,
                   record.scanned_at, record.registration, record.first_checked_in_at,
                   record.id, replayed=True, conflict=record.conflict)


def sync(event: Event, items: list[dict], *, user: User | None,
         token: ApiToken | None) -> list[Outcome | dict]:
    """Record a batch of offline scans, each once and with its original time.

    Each item is its own transaction: one bad item never loses the others. A
    problem with an item is answered in its place as {"nonce", "error", "message"}.
    """
    from ..errors import DomainError

    if len(items) > MAX_SYNC_BATCH:
        raise Invalid(f"Send at most {MAX_SYNC_BATCH} scans per batch.", code="batch_too_large")
    answers: list[Outcome | dict] = []
    for item in items:
        try:
            answers.append(scan(event, gate_code=item["gate"], code=item.get("code"),
                                registration_id=item.get("registration_id"),
                                direction=item.get("direction") or Direction.IN,
                                nonce=item["nonce"], scanned_at=item["scanned_at"], user=user,
                                token=token, offline=True,
                                offline_result=item.get("offline_result")))
        except DomainError as error:
            db.session.rollback()
            answers.append({"nonce": item.get("nonce"), "error": error.code,
                            "message": error.message})
    return answers


def search(event: Event, query: str, limit: int = 20) -> list[Registration]:
    """Registrations whose name, e-mail, organisation or reference matches (damaged badges)."""
    text = (query or "").strip()
    if len(text) < 2:
        return []
    like = f"%{text.lower()}%"
    return list(db.session.scalars(
        sa.select(Registration).where(
            Registration.event_id == event.id,
            sa.or_(sa.func.lower(Registration.full_name).like(like),
                   sa.func.lower(Registration.email).like(like),
                   sa.func.lower(Registration.organisation).like(like),
                   sa.func.lower(Registration.reference) == text.lower()))
        .order_by(Registration.full_name).limit(limit)))


def attendee_json(registration: Registration) -> dict:
    pass_type = registration.pass_type
    return {"id": registration.id, "name": registration.full_name,
            "organisation": registration.organisation, "country": registration.country,
            "pass_type": pass_type.name, "pass_code": pass_type.code,
            "pass_colour": pass_type.badge_colour, "reference": registration.reference,
            "status": registration.status}


# ---------------------------------------------------------------- offline bundle


def bundle(event: Event, gate: Gate, user: User | None, token: ApiToken | None) -> dict:
    """What a scanner needs to decide alone: keys, the gate's rules, revocations, attendees.

    The attendee index is compact: one row per registration, [id, current serial,
    status code, pass type index, name, organisation, country]; revoked serials are
    every serial below the current one, so the index itself carries revocation.
    """
    _check_gate_access(event, gate, user, token)
    types = pass_types(event)
    type_index = {p.id: i for i, p in enumerate(types)}
    rows = db.session.execute(
        sa.select(Registration.id, Registration.badge_serial, Registration.status,
                  Registration.pass_type_id, Registration.full_name, Registration.organisation,
                  Registration.country)
        .where(Registration.event_id == event.id).order_by(Registration.id)).all()
    extra = KIND_BUNDLE[gate.kind](gate) if gate.kind in KIND_BUNDLE else {}
    return {
        "event": {"id": event.id, "slug": event.slug, "name": event.name,
                  "time_zone": event.time_zone},
        "generated_at": utcnow().isoformat(),
        "keys": {str(kid): base64.b64encode(raw).decode()
                 for kid, raw in badges.public_keys_raw(event.id).items()},
        "gate": gate_json(gate),
        "pass_types": [{"code": p.code, "name": p.name, "colour": p.badge_colour,
                        "zones": list(p.zones or [])} for p in types],
        "attendee_fields": ["id", "serial", "status", "pass", "name", "organisation",
                            "country"],
        "attendees": [[r.id, r.badge_serial, r.status, type_index.get(r.pass_type_id),
                       r.full_name, r.organisation or "", r.country or ""] for r in rows],
        "revoked": [[r.id, r.badge_serial] for r in rows if r.badge_serial > 1],
        "admitted": sorted(db.session.scalars(sa.select(Presence.registration_id).where(
            Presence.gate_id == gate.id))),
        "kind_data": extra,
    }


def gate_json(gate: Gate) -> dict:
    return {"code": gate.code, "name": gate.name, "zone": gate.zone.code,
            "zone_name": gate.zone.name, "hours": list(gate.hours or []), "kind": gate.kind,
            "allow_reentry": gate.allow_reentry, "scan_exits": gate.scan_exits,
            "active": gate.active}


# ---------------------------------------------------------------- counters and dashboard


def today_counts(event: Event, gate: Gate) -> dict:
    """Today's admitted and refused scans at a gate (the event's day, not UTC's)."""
    local_now = to_local(utcnow(), event.time_zone)
    start = local_now.replace(hour=0, minute=0, second=0, microsecond=0)
    rows = db.session.execute(
        sa.select(Scan.result, sa.func.count()).where(
            Scan.event_id == event.id, Scan.gate_id == gate.id, Scan.direction == Direction.IN,
            Scan.scanned_at >= start).group_by(Scan.result)).all()
    counts = dict(rows)
    return {"admitted": counts.get(rules.OK, 0),
            "already": counts.get(rules.ALREADY_CHECKED_IN, 0),
            "refused": sum(v for k, v in counts.items()
                           if k not in (rules.OK, rules.ALREADY_CHECKED_IN)),
            "inside": db.session.scalar(sa.select(sa.func.count()).select_from(Presence).where(
                Presence.gate_id == gate.id, Presence.inside.is_(True)))}
