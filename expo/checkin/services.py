"""Check-in rules in action: gates, staff and devices, scans, offline bundle and sync.

Each public function is one transaction. At-most-once entry is the database's
job: the first entry is the INSERT of a Presence row (unique per gate and
registration); a repeated nonce is refused by a unique index and answered from
the scan it first recorded.
"""

from __future__ import annotations

import base64
import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from ..core import services as core
from ..core.models import ApiToken, Event, EventStatus, Role, TokenKind, User
from ..errors import Conflict, Forbidden, Invalid, NotFound
from ..extensions import db
from ..registration import badges, tokens
from ..registration.models import PassType, Registration
from ..timeutil import to_local, utcnow
from . import rules
from .cache import cache
from .models import Device, Direction, Gate, GateStaff, Presence, Scan, Zone

CODE_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,31}$")
HHMM_RE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$")
# A scanner's clock may run a little fast; more than this is a wrong clock.
FUTURE_SLACK = timedelta(minutes=5)
MAX_SYNC_BATCH = 500

# Gate kinds other features add: kind -> loader(gate, registration) -> extra facts for
# rules.Attendee.extra, and -> bundle(gate) -> extra data the offline scanner needs.
KIND_FACTS: dict[str, Callable[[GateInfo, RegistrationInfo], dict]] = {}
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


def hours_summary(gate: Gate, event: Event) -> str:
    """Opening hours in a few words for tables: "always open", "daily 08:30–18:00",
    or the first days' windows."""
    hours = gate.hours or []
    if not hours:
        return "always open"
    days = (event.ends_on - event.starts_on).days + 1
    windows = {(h["opens"], h["closes"]) for h in hours}
    if len(windows) == 1 and len(hours) == days == len({h["day"] for h in hours}):
        opens, closes = next(iter(windows))
        return f"daily {opens}–{closes}"
    shown = [f"{datetime.strptime(h['day'], '%Y-%m-%d'):%d %b} {h['opens']}–{h['closes']}"
             for h in hours[:2]]
    return " · ".join(shown) + (f" (+{len(hours) - 2})" if len(hours) > 2 else "")


def admitted_per_gate(event: Event) -> dict[int, int]:
    """Gate id -> entries admitted so far (for the gates table)."""
    return dict(db.session.execute(
        sa.select(Scan.gate_id, sa.func.count()).where(
            Scan.event_id == event.id, Scan.result == rules.OK, Scan.direction == Direction.IN)
        .group_by(Scan.gate_id)).all())


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


def _allowed_gate_ids(event, user: User | None, token: ApiToken | None) -> frozenset | None:
    """None: every gate. Remembered a few seconds per worker (see cache.py): a device's
    gate never changes, staff assignments rarely do."""
    if token is not None and token.kind == TokenKind.DEVICE:
        token_id = token.id
        [gate_id] = cache().get(("device-gate", token_id), lambda: (db.session.scalar(
            sa.select(Device.gate_id).where(Device.token_id == token_id)),))
        return None if gate_id is None else frozenset({gate_id})
    if user is None or user.is_admin:
        return None
    user_id, event_id = user.id, event.id

    def load() -> tuple:
        if core.has_role(user, event, Role.ORGANISER):
            return (None,)
        assigned = frozenset(db.session.scalars(sa.select(GateStaff.gate_id).where(
            GateStaff.event_id == event_id, GateStaff.user_id == user_id)))
        return (assigned or None,)

    [allowed] = cache().get(("staff-gates", event_id, user_id), load)
    return allowed


def _check_gate_access(event, gate: Gate | GateInfo, user, token) -> None:
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


def device_by_id(event: Event, device_id: int) -> Device:
    device = db.session.get(Device, device_id)
    if device is None or device.event_id != event.id:
        raise NotFound("No such device in this event.", code="device_not_found")
    return device


def revoke_device(actor: User, event: Event, device_id: int) -> Device:
    device = device_by_id(event, device_id)
    core.revoke_token(actor, device.token_id)
    return device


def replace_device_token(actor: User, event: Event, device_id: int) -> tuple[Device, str]:
    """A new token for a device whose token was lost, leaked or revoked: the old one stops
    working and the new one is returned once, in one step. The device keeps its name,
    gate and scan history (old scans still name the old token)."""
    device = device_by_id(event, device_id)
    old = device.token
    token, plain = core.create_token(actor, f"scanner: {device.name}", event=event,
                                     kind=TokenKind.DEVICE, actor=actor, commit=False)
    if old.revoked_at is None:
        old.revoked_at = utcnow()
    device.token = token
    core.audit(actor, event, "device.replace_token", target=device.name,
               details={"old": old.prefix, "new": token.prefix})
    db.session.commit()
    return device, plain


# ---------------------------------------------------------------- scanning
#
# The scan path is the hot one (a turnstile at 10:00 on opening day). It reads the
# token (core), the registration with its pass type (one joined SELECT) and writes
# the presence and the scan log; event, gate and zone come from a per-worker memo
# (cache.py) as plain snapshots, and the answer is built from values in hand, so
# nothing is re-loaded after the commit. docs/performance.md counts the statements.


@dataclass(frozen=True)
class EventRef:
    """What the scan path needs of an event: a plain snapshot, safe to keep between requests.

    It has the attributes core.access reads (id, slug, name, status) so the same
    authorization checks run on it as on an Event.
    """

    id: int
    slug: str
    name: str
    time_zone: str
    status: str

    @property
    def is_published(self) -> bool:
        return self.status == EventStatus.PUBLISHED


@dataclass(frozen=True)
class GateInfo:
    """A gate and its zone as plain values (what scanning reads; see Gate for meanings)."""

    id: int
    event_id: int
    zone_id: int
    code: str
    name: str
    zone_code: str
    zone_name: str
    hours: tuple = ()
    allow_reentry: bool = False
    scan_exits: bool = False
    active: bool = True
    kind: str | None = None
    kind_ref: str | None = None

    @classmethod
    def of(cls, gate: Gate) -> GateInfo:
        return cls(gate.id, gate.event_id, gate.zone_id, gate.code, gate.name, gate.zone.code,
                   gate.zone.name, tuple(gate.hours or ()), gate.allow_reentry,
                   gate.scan_exits, gate.active, gate.kind, gate.kind_ref)


_GATE_COLUMNS = (Gate.id, Gate.event_id, Gate.zone_id, Gate.code, Gate.name, Zone.code,
                 Zone.name, Gate.hours, Gate.allow_reentry, Gate.scan_exits, Gate.active,
                 Gate.kind, Gate.kind_ref)


def _gate_info(row) -> GateInfo:
    values = list(row)
    values[7] = tuple(values[7] or ())
    return GateInfo(*values)


def scan_point(slug: str, gate_code: str) -> tuple[EventRef, GateInfo | None]:
    """The event and one of its gates in one joined SELECT, remembered a few seconds.

    Raises event_not_found; a missing gate answers None, so that the caller checks
    the scanner's rights before telling which gate codes exist.
    """
    code = (gate_code or "").strip().lower()

    def load():
        row = db.session.execute(
            sa.select(Event.id, Event.slug, Event.name, Event.time_zone, Event.status,
                      *_GATE_COLUMNS)
            .select_from(Event)
            .outerjoin(Gate, sa.and_(Gate.event_id == Event.id, Gate.code == code))
            .outerjoin(Zone, Zone.id == Gate.zone_id)
            .where(Event.slug == slug)).first()
        if row is None:
            return None
        event = EventRef(*row[:5])
        gate = _gate_info(row[5:]) if row[5] is not None else None
        if gate is not None:
            cache().put(("gate", event.id, code), gate)
        return event, gate

    point = cache().get(("point", slug, code), load)
    if point is None:
        raise NotFound(f"No event called {slug!r}.", code="event_not_found")
    return point


def gate_info(event, gate_code: str) -> GateInfo:
    """The event's gate with this code as a snapshot (remembered a few seconds)."""
    code = (gate_code or "").strip().lower()
    event_id = event.id

    def load():
        row = db.session.execute(sa.select(*_GATE_COLUMNS).join(Zone, Zone.id == Gate.zone_id)
                                 .where(Gate.event_id == event_id, Gate.code == code)).first()
        return _gate_info(row) if row is not None else None

    gate = cache().get(("gate", event_id, code), load)
    if gate is None:
        raise NotFound(f"No gate {gate_code!r} in this event.", code="gate_not_found")
    return gate


@dataclass
class Outcome:
    """The answer to one scan, as the API and the scanner page show it."""

    result: str
    message: str
    gate: GateInfo
    direction: str
    scanned_at: datetime
    attendee: dict | None = None  # attendee_json(), when the code is genuine
    first_checked_in_at: datetime | None = None
    scan_id: int | None = None
    replayed: bool = False
    conflict: str | None = None

    @property
    def colour(self) -> str:
        return rules.Decision(self.result, self.message).colour


def gate_rules(gate: Gate | GateInfo) -> rules.GateRules:
    if isinstance(gate, Gate):
        gate = GateInfo.of(gate)
    return rules.GateRules(zone=gate.zone_code, zone_name=gate.zone_name, hours=gate.hours,
                           kind=gate.kind, scan_exits=gate.scan_exits,
                           allow_reentry=gate.allow_reentry)


def _attendee(gate: GateInfo, registration: Registration | RegistrationInfo) -> rules.Attendee:
    pass_type = registration.pass_type
    loader = KIND_FACTS.get(gate.kind) if gate.kind else None
    return rules.Attendee(status=registration.status, zones=tuple(pass_type.zones or ()),
                          pass_name=pass_type.name,
                          extra=loader(gate, registration) if loader else {})


# The columns one scan log row carries (the values scan() collects).
_LOG_COLUMNS = ("event_id", "gate_id", "registration_id", "badge_serial", "direction", "method",
                "nonce", "scanned_at", "recorded_at", "user_id", "token_id", "offline",
                "offline_result", "result", "message", "conflict", "first_checked_in_at")


@functools.cache
def _change_and_log(kind: str):
    """PostgreSQL: one statement that changes the presence row and, only if it changed,
    writes the scan log row (a data-modifying CTE). One round trip, and atomic by itself,
    so a nonce refused by the log's unique index undoes the presence change too.

    kind: "enter" (insert the presence row: the first entry), "reenter" / "reenter_after_exit"
    (count another entry; after an exit only, where exits are scanned), "exit".
    Built once per kind: per request only the values change.
    """
    presence, scans = Presence.__table__, Scan.__table__
    p = presence.c

    def bind(name: str, column):
        # "v_": a parameter named like a column would also be SET by SQLAlchemy.
        return sa.bindparam(f"v_{name}", type_=column.type)

    here = (p.gate_id == bind("gate_id", p.gate_id),
            p.registration_id == bind("registration_id", p.registration_id))
    at = bind("scanned_at", p.last_in_at)
    if kind == "enter":
        change = (postgresql.insert(presence).values(
            event_id=bind("event_id", p.event_id), gate_id=bind("gate_id", p.gate_id),
            zone_id=bind("zone_id", p.zone_id),
            registration_id=bind("registration_id", p.registration_id),
            first_in_at=at, last_in_at=at, inside=True, entries=1)
            .on_conflict_do_nothing())
    elif kind in ("reenter", "reenter_after_exit"):
        outside = (p.inside.is_(False),) if kind == "reenter_after_exit" else ()
        change = sa.update(presence).where(*here, *outside).values(
            inside=True, last_in_at=at, entries=p.entries + 1)
    elif kind == "exit":
        change = sa.update(presence).where(*here, p.inside.is_(True)).values(
            inside=False, last_out_at=at)
    else:
        raise ValueError(kind)
    changed = change.returning(p.id).cte(f"presence_{kind}")
    logged = sa.select(*(bind(c, scans.c[c]) for c in _LOG_COLUMNS)).where(
        sa.exists(sa.select(changed.c.id)))
    return (postgresql.insert(scans).from_select(list(_LOG_COLUMNS), logged)
            .returning(scans.c.id).add_cte(changed))


def _values(log: dict) -> dict:
    return {f"v_{key}": value for key, value in log.items()}


def _on_postgresql() -> bool:
    return db.engine.dialect.name == "postgresql"


def _record_admission(event: EventRef | Event, gate: GateInfo, registration_id: int,
                      at: datetime, offline: bool,
                      log: dict) -> tuple[str, datetime | None, int | None]:
    """Record an admitted entry; the database decides whether it is the first.

    Answers (result, first entry's time when already checked in, scan id when the log
    row is written here already). `log` is the scan row as if admitted.
    """
    if _on_postgresql():
        values = _values({**log, "zone_id": gate.zone_id})
        scan_id = db.session.execute(_change_and_log("enter"), values).scalar()
        if scan_id is None and gate.allow_reentry:
            kind = "reenter_after_exit" if gate.scan_exits else "reenter"
            scan_id = db.session.execute(_change_and_log(kind), values).scalar()
        if scan_id is not None:
            return rules.OK, None, scan_id
    else:
        presence = Presence.__table__
        new = db.session.execute(
            sqlite.insert(presence).values(
                event_id=event.id, gate_id=gate.id, zone_id=gate.zone_id,
                registration_id=registration_id, first_in_at=at, last_in_at=at, inside=True,
                entries=1)
            .on_conflict_do_nothing().returning(presence.c.id)).scalar()
        # RETURNING answers the new row's id, or nothing when the row already existed.
        if new is not None:
            return rules.OK, None, None
        where = (Presence.gate_id == gate.id, Presence.registration_id == registration_id)
        if gate.allow_reentry:
            outside = (Presence.inside.is_(False),) if gate.scan_exits else ()
            if db.session.execute(sa.update(Presence).where(*where, *outside).values(
                    inside=True, last_in_at=at, entries=Presence.entries + 1)).rowcount:
                return rules.OK, None, None
    where = (Presence.gate_id == gate.id, Presence.registration_id == registration_id)
    first = db.session.scalar(sa.select(Presence.first_in_at).where(*where))
    if offline and first is not None and at < first:
        # An offline scan admitted earlier than the entry on record: keep the true first.
        # (Offline scans arrive through sync, always inside a transaction.)
        db.session.execute(sa.update(Presence).where(*where).values(first_in_at=at))
    return rules.ALREADY_CHECKED_IN, first, None


def _record_exit(gate: GateInfo, registration_id: int, at: datetime,
                 log: dict) -> tuple[str, int | None]:
    """Mark the person outside; answers (message suffix, scan id if logged here)."""
    if _on_postgresql():
        scan_id = db.session.execute(_change_and_log("exit"), _values(log)).scalar()
        return ("", scan_id) if scan_id is not None else \
            (" (no entry on record at this gate)", None)
    left = db.session.execute(sa.update(Presence).where(
        Presence.gate_id == gate.id, Presence.registration_id == registration_id,
        Presence.inside.is_(True)).values(inside=False, last_out_at=at)).rowcount
    return ("" if left else " (no entry on record at this gate)"), None


def single_statement_writes() -> None:
    """On PostgreSQL, let this request's statements run without BEGIN/COMMIT.

    Every write of an online scan is one statement (see _change_and_log), atomic by
    itself, so the transaction's two extra round trips buy nothing; the reads (token,
    registration) need no snapshot together. Call before the request's first query;
    elsewhere, or once the session is in a transaction, it changes nothing.
    """
    if _on_postgresql() and not db.session().in_transaction():
        db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


@dataclass(frozen=True)
class PassInfo:
    """The pass type facts a scan shows and decides with (PassType's attribute names)."""

    id: int
    name: str
    code: str
    badge_colour: str
    zones: tuple


@dataclass(frozen=True)
class RegistrationInfo:
    """A registration as a scan reads it: plain values with Registration's attribute
    names (read_badge, rules, attendee_json and KIND_FACTS loaders accept either)."""

    id: int
    event_id: int
    badge_serial: int
    status: str
    full_name: str
    organisation: str | None
    country: str | None
    reference: str
    user_id: int | None  # gate kinds (e.g. sessions' sign-ups) look people up by account
    pass_type: PassInfo


@functools.cache
def _registration_query() -> sa.Select:
    return (sa.select(Registration.id, Registration.event_id, Registration.badge_serial,
                      Registration.status, Registration.full_name, Registration.organisation,
                      Registration.country, Registration.reference, Registration.user_id,
                      PassType.id, PassType.name, PassType.code, PassType.badge_colour,
                      PassType.zones)
            .join(PassType, PassType.id == Registration.pass_type_id)
            .where(Registration.id == sa.bindparam("registration_id")))


_REGISTRATION_COLUMNS = (
    Registration.id, Registration.event_id, Registration.badge_serial, Registration.status,
    Registration.full_name, Registration.organisation, Registration.country,
    Registration.reference, Registration.user_id,
    PassType.id, PassType.name, PassType.code, PassType.badge_colour, PassType.zones)


def _registration_info(row) -> RegistrationInfo | None:
    if row[0] is None:
        return None
    return RegistrationInfo(*row[:9], PassInfo(*row[9:13], tuple(row[13] or ())))


def _registration(registration_id: int) -> RegistrationInfo | None:
    """A registration with its pass type: one SELECT of the columns a scan uses."""
    row = db.session.execute(_registration_query(),
                             {"registration_id": registration_id}).first()
    return None if row is None else _registration_info(row)


_MAX_ROW_ID = 2**31 - 1  # INTEGER primary keys


@functools.cache
def _token_registration_query() -> sa.Select:
    """The bearer token with its user, and one registration with its pass type (or NULLs)."""
    return (sa.select(ApiToken, *_REGISTRATION_COLUMNS).select_from(ApiToken)
            .options(joinedload(ApiToken.user))
            .outerjoin(Registration, Registration.id == sa.bindparam("registration_id",
                                                                      type_=sa.Integer))
            .outerjoin(PassType, PassType.id == Registration.pass_type_id)
            .where(ApiToken.token_hash == sa.bindparam("token_hash")))


def token_and_registration(plain: str, code: str | None, registration_id: int | None
                           ) -> tuple[ApiToken | None, Callable[[int], RegistrationInfo | None]]:
    """The scan API's read in one round trip: the bearer token (checked by core's
    active_token: None when unknown, revoked or its user is deactivated) and the
    registration the badge names, as a loader for scan(). Nothing is decided here: the
    caller still checks the token's scope and role, and scan() verifies the badge's
    signature, serial, event, status and the gate's rules as for any scan.
    """
    wanted = registration_id
    if code:
        try:
            wanted = tokens.parse(code.strip())[0].registration_id
        except (tokens.TokenError, ValueError):
            wanted = None  # read_badge answers why, after the token is checked
    if wanted is not None and not 0 < wanted <= _MAX_ROW_ID:
        wanted = None  # an unsigned id: never sent to the database as a bad integer
    hashed = core.token_hash(plain)
    row = None if hashed is None else db.session.execute(
        _token_registration_query(), {"token_hash": hashed, "registration_id": wanted}).first()
    if row is None:
        return None, _registration
    fetched = _registration_info(row[1:])

    def load(rid: int) -> RegistrationInfo | None:
        if rid == wanted:
            return fetched
        return _registration(rid) if 0 < rid <= _MAX_ROW_ID else None

    return core.active_token(row[0]), load


def scan(event: Event | EventRef, *, gate_code: str, code: str | None = None,
         registration_id: int | None = None, direction: str = Direction.IN,
         nonce: str | None = None, scanned_at: datetime | None = None,
         user: User | None = None, token: ApiToken | None = None, offline: bool = False,
         offline_result: str | None = None,
         load: Callable[[int], RegistrationInfo | None] | None = None) -> Outcome:
    """Decide and record one scan; the same nonce again answers the recorded scan.

    load: registration id -> RegistrationInfo (token_and_registration's, already read).
    """
    load = load or _registration
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
    gate = gate_info(event, gate_code)
    _check_gate_access(event, gate, user, token)
    if direction == Direction.OUT and not gate.scan_exits:
        raise Invalid(f"{gate.name} does not scan exits.", code="exits_not_scanned")
    if registration_id is not None:
        registration = load(registration_id)
        if registration is None or registration.event_id != event.id:
            raise NotFound("No such registration in this event.",
                           code="registration_not_found")
        read = badges.BadgeRead(None, "Found by name.", registration=registration)
    else:
        read = badges.read_badge(event, code, load=load)
    registration = read.registration
    attendee = _attendee(gate, registration) if registration is not None else None
    decision = rules.decide(gate_rules(gate), read.problem, read.reason, attendee,
                            to_local(at, event.time_zone), direction)
    result, message, first = decision.result, decision.message, None
    # Everything the answer shows is taken now: after the commit nothing is re-read.
    shown = attendee_json(registration) if registration is not None else None
    log = dict(event_id=event.id, gate_id=gate.id,
               registration_id=registration.id if registration is not None else None,
               badge_serial=read.claims.serial if read.claims else None,
               direction=direction, method="manual" if registration_id is not None else "qr",
               nonce=nonce or None, scanned_at=at, recorded_at=now,
               user_id=user.id if user is not None else None,
               token_id=token.id if token is not None else None, offline=offline,
               offline_result=offline_result)
    scan_id = None
    try:
        admitted_log = {**log, "result": rules.OK, "message": message[:300], "conflict": None,
                        "first_checked_in_at": None}
        if decision.admitted and direction == Direction.IN:
            result, first, scan_id = _record_admission(event, gate, registration.id, at,
                                                       offline, admitted_log)
            if result == rules.ALREADY_CHECKED_IN:
                message = rules.already_message(to_local(first, event.time_zone))
        elif decision.admitted:
            suffix, scan_id = _record_exit(gate, registration.id, at, admitted_log)
            message += suffix
        conflict = None
        if offline and offline_result == rules.OK and result != rules.OK:
            conflict = (f"Admitted offline, but the server says {result.replace('_', ' ')}: "
                        f"{message}")
        if scan_id is None:
            scan_id = db.session.execute(sa.insert(Scan).values(
                **log, result=result, message=message[:300],
                conflict=conflict[:300] if conflict else None,
                first_checked_in_at=first).returning(Scan.id)).scalar_one()
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        if not nonce:
            raise
        return replay(event, nonce)
    return Outcome(result, message, gate, direction, at, shown, first, scan_id,
                   conflict=conflict)


def replay(event: Event | EventRef, nonce: str) -> Outcome:
    """The answer first given to this nonce (the scan is not recorded again)."""
    record = db.session.scalar(sa.select(Scan).where(Scan.event_id == event.id,
                                                     Scan.nonce == nonce))
    if record is None:
        raise Conflict("The scan could not be recorded; send it again.", code="retry")
    shown = attendee_json(record.registration) if record.registration is not None else None
    return Outcome(record.result, record.message, GateInfo.of(record.gate), record.direction,
                   record.scanned_at, shown, record.first_checked_in_at, record.id,
                   replayed=True, conflict=record.conflict)


def sync(event: Event | EventRef, items: list[dict], *, user: User | None,
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


def attendee_json(registration: Registration | RegistrationInfo) -> dict:
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
