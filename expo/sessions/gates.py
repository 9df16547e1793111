"""Sessions x check-in: boarding gates for site-visit buses, room doors, attendance per talk.

The check-in feature owns gates, scans and the offline scanner; this module plugs the
"talk" and "room" gate kinds into its hooks (`register`) and reads its scan log through
its models. Each public function that changes data is one transaction.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from flask import url_for

from ..checkin import rules as checkin_rules
from ..checkin import services as checkin
from ..checkin.models import Direction, Gate, Presence, Scan
from ..core.models import Event, User
from ..errors import Conflict, Invalid, NotFound
from ..extensions import db
from ..registration.models import Registration, RegistrationStatus
from ..timeutil import to_local
from . import gaterules
from .models import ACTIVE_SIGNUP, Room, SignUp, SignUpStatus, Talk, TalkKind

ADMITTED = (checkin_rules.OK,)
# Which sign-up of a person counts when several exist: the one that says most.
_RANK = {SignUpStatus.CONFIRMED: 0, SignUpStatus.OFFERED: 1, SignUpStatus.WAITING: 2}


def register() -> None:
    """Plug the gate kinds into check-in (rules online and offline, facts, bundle)."""
    checkin_rules.register_kind(gaterules.TALK, gaterules.talk_rule, owns_admission=True)
    checkin_rules.register_kind(gaterules.ROOM, gaterules.room_rule)
    checkin.KIND_FACTS[gaterules.TALK] = talk_facts
    checkin.KIND_BUNDLE[gaterules.TALK] = talk_bundle
    checkin.KIND_DESCRIBE[gaterules.TALK] = _describe_with_url
    checkin.KIND_DESCRIBE[gaterules.ROOM] = _describe_with_url


def _describe_with_url(gate: Gate) -> dict | None:
    found = describe(gate)
    if found is None:
        return None
    slug = db.session.get(Event, gate.event_id).slug
    if found["kind"] == "talk":
        found["url"] = url_for("sessions.talk_signups", slug=slug, talk_id=found["talk_id"])
        found["note"] = "only confirmed sign-ups pass"
    else:
        found["url"] = url_for("sessions.manage_attendance", slug=slug)
        found["note"] = "entries count as attendance of the talk in the room"
    return found


# ---------------------------------------------------------------- facts for the rule


def _talk_of(gate: Gate) -> Talk | None:
    try:
        talk = db.session.get(Talk, int(gate.kind_ref or ""))
    except ValueError:
        return None
    return talk if talk is not None and talk.event_id == gate.event_id else None


def _what(talk: Talk | None) -> str:
    return "visit" if talk is not None and talk.kind == TalkKind.SITE_VISIT else "session"


def _sibling_gates(gate: Gate) -> dict[int, str]:
    """The other gates of the same talk (the visit's other buses): id -> name."""
    return dict(db.session.execute(sa.select(Gate.id, Gate.name).where(
        Gate.event_id == gate.event_id, Gate.kind == gaterules.TALK,
        Gate.kind_ref == gate.kind_ref, Gate.id != gate.id)).all())


def talk_facts(gate: Gate, registration: Registration) -> dict:
    """What talk_rule needs about one badge holder at a talk gate (online scans)."""
    talk = _talk_of(gate)
    facts: dict = {"what": _what(talk), "signup": None}
    if talk is None:
        return facts
    who = SignUp.registration_id == registration.id
    if registration.user_id is not None:
        who = sa.or_(who, SignUp.user_id == registration.user_id)
    rows = db.session.execute(sa.select(SignUp.id, SignUp.status, SignUp.created_at).where(
        SignUp.talk_id == talk.id, who, SignUp.status.in_(ACTIVE_SIGNUP))).all()
    if not rows:
        return facts
    row = min(rows, key=lambda r: _RANK[r.status])
    facts["signup"] = row.status
    if row.status == SignUpStatus.WAITING:
        facts["position"] = 1 + db.session.scalar(sa.select(sa.func.count()).where(
            SignUp.talk_id == talk.id, SignUp.status == SignUpStatus.WAITING,
            sa.or_(SignUp.created_at < row.created_at,
                   sa.and_(SignUp.created_at == row.created_at, SignUp.id < row.id))))
    siblings = _sibling_gates(gate)
    if siblings and row.status == SignUpStatus.CONFIRMED:
        other = db.session.execute(sa.select(Presence.gate_id, Presence.first_in_at).where(
            Presence.gate_id.in_(siblings), Presence.registration_id == registration.id)
            .order_by(Presence.first_in_at).limit(1)).first()
        if other is not None:
            facts["boarded"] = {"gate": siblings[other.gate_id],
                                "at": f"{to_local(other.first_in_at, talk.event.time_zone):%H:%M}"}
    return facts


def talk_bundle(gate: Gate) -> dict:
    """The same facts for every registration, for offline scanners (bundle's kind_data).

    {"facts": shared facts, "attendees": {registration id: that person's facts}}; people
    absent from "attendees" are not signed up.
    """
    talk = _talk_of(gate)
    data: dict = {"facts": {"what": _what(talk), "signup": None,
                            "talk": talk.title if talk else None}, "attendees": {}}
    if talk is None:
        return data
    signups = db.session.execute(
        sa.select(SignUp.user_id, SignUp.registration_id, SignUp.status)
        .where(SignUp.talk_id == talk.id, SignUp.status.in_(ACTIVE_SIGNUP))
        .order_by(SignUp.created_at, SignUp.id)).all()
    by_user = {}
    for user_id, registration_id in db.session.execute(
            sa.select(Registration.user_id, Registration.id).where(
                Registration.event_id == gate.event_id,
                Registration.user_id.in_({s.user_id for s in signups}))).all():
        by_user.setdefault(user_id, []).append(registration_id)
    siblings = _sibling_gates(gate)
    boarded = {}
    if siblings:
        for gate_id, registration_id, first in db.session.execute(
                sa.select(Presence.gate_id, Presence.registration_id, Presence.first_in_at)
                .where(Presence.gate_id.in_(siblings)).order_by(Presence.first_in_at)).all():
            boarded.setdefault(registration_id, {
                "gate": siblings[gate_id],
                "at": f"{to_local(first, talk.event.time_zone):%H:%M}"})
    waiting = 0
    people: dict[str, dict] = {}
    for user_id, registration_id, status in signups:
        facts: dict = {"signup": status}
        if status == SignUpStatus.WAITING:
            waiting += 1
            facts["position"] = waiting
        for rid in {registration_id, *by_user.get(user_id, [])}:
            current = people.get(str(rid))
            if current is None or _RANK[status] < _RANK[current["signup"]]:
                mine = dict(facts)
                if status == SignUpStatus.CONFIRMED and rid in boarded:
                    mine["boarded"] = boarded[rid]
                people[str(rid)] = mine
    data["attendees"] = people
    return data


# ---------------------------------------------------------------- creating gates


def talk_gates(event: Event, talk: Talk) -> list[Gate]:
    return list(db.session.scalars(sa.select(Gate).where(
        Gate.event_id == event.id, Gate.kind == gaterules.TALK,
        Gate.kind_ref == str(talk.id)).order_by(Gate.code)))


def bus_gate_code(talk: Talk, bus: int | None) -> str:
    return f"visit{talk.id}-bus{bus}" if bus else f"talk{talk.id}-door"


def create_talk_gate(actor: User, event: Event, talk_id: int, bus: int | None = None) -> Gate:
    """One click: a boarding gate for bus N of a site visit, or the sign-up check at a
    seat-limited session's door. Only people with a confirmed seat pass it."""
    talk = db.session.get(Talk, talk_id) if isinstance(talk_id, int) else None
    if talk is None or talk.event_id != event.id:
        raise NotFound(f"No talk {talk_id!r} in {event.name}.", code="talk_not_found")
    visit = talk.site_visit
    if visit is not None:
        if bus is None or not 1 <= bus <= visit.buses:
            raise Invalid(f"“{talk.title}” has buses 1 to {visit.buses}; choose one of them.",
                          code="bus_invalid")
        place = visit.destination or talk.title
        name, zone_name = f"Bus {bus} · {place}", f"Site visit bus {bus} · {place}"
        capacity = visit.seats_per_bus
    else:
        if bus is not None:
            raise Invalid("Only site visits have buses.", code="bus_invalid")
        if talk.capacity is None:
            raise Invalid(f"“{talk.title}” is open to all: there is no sign-up list to check "
                          f"at the door. Add a door gate to its room to count attendance.",
                          code="talk_open_to_all")
        name = zone_name = f"{talk.title[:100]} · door"
        capacity = talk.capacity
    code = bus_gate_code(talk, bus)
    if db.session.scalar(sa.select(Gate.id).where(Gate.event_id == event.id,
                                                  Gate.code == code)):
        raise Conflict(f"{name} already has a gate.", code="talk_gate_exists")
    checkin.ensure_zone(actor, event, code, zone_name[:120], capacity=capacity, commit=False)
    # save_gate commits the zone and the gate together.
    return checkin.save_gate(actor, event, code=code, name=name[:120], zone_code=code,
                             zone_name=zone_name[:120], allow_reentry=False, scan_exits=False,
                             kind=gaterules.TALK, kind_ref=str(talk.id))


def room_gates(event: Event, room: Room | None = None) -> list[Gate]:
    query = sa.select(Gate).where(Gate.event_id == event.id, Gate.kind == gaterules.ROOM)
    if room is not None:
        query = query.where(Gate.kind_ref == str(room.id))
    return list(db.session.scalars(query.order_by(Gate.name)))


def create_room_gate(actor: User, event: Event, room_id: int, zone_code: str) -> Gate:
    """A scanner at a room's door: the zone's passes enter (re-entry allowed all day), and
    each entry counts for the talk in the room at that time."""
    room = db.session.get(Room, room_id) if isinstance(room_id, int) else None
    if room is None or room.event_id != event.id:
        raise NotFound(f"No room {room_id!r} in {event.name}.", code="room_not_found")
    zone = checkin.zone_by_code(event, (zone_code or "").strip().lower())
    if zone is None:
        raise NotFound("Choose a zone of this event: its pass types decide who enters.",
                       code="zone_not_found")
    taken = set(db.session.scalars(sa.select(Gate.code).where(Gate.event_id == event.id)))
    code = next(c for n in range(1, 100)
                if (c := f"room{room.id}-door" + (f"-{n}" if n > 1 else "")) not in taken)
    number = sum(1 for g in room_gates(event, room)) + 1
    name = f"{room.name} door" + (f" {number}" if number > 1 else "")
    return checkin.save_gate(actor, event, code=code, name=name[:120], zone_code=zone.code,
                             zone_name=zone.name, allow_reentry=True, scan_exits=False,
                             kind=gaterules.ROOM, kind_ref=str(room.id))


def describe(gate: Gate) -> dict | None:
    """What a tied gate points at: {"kind", "label", "talk_id" | "room_id"} or None."""
    if gate.kind == gaterules.TALK:
        talk = _talk_of(gate)
        if talk is not None:
            return {"kind": "talk", "label": f"{talk.kind_label}: {talk.title}",
                    "talk_id": talk.id}
    if gate.kind == gaterules.ROOM and (gate.kind_ref or "").isdigit():
        room = db.session.get(Room, int(gate.kind_ref))
        if room is not None and room.event_id == gate.event_id:
            return {"kind": "room", "label": f"Room door: {room.name}", "room_id": room.id}
    return None


# ---------------------------------------------------------------- boarding


@dataclass
class Bus:
    number: int
    seats: int
    gate: Gate | None = None
    boarded: int = 0


@dataclass
class Passenger:
    signup: SignUp
    registration: Registration | None
    boarded_at: datetime | None = None
    bus: str | None = None


@dataclass
class Boarding:
    talk: Talk
    buses: list[Bus]
    passengers: list[Passenger]  # confirmed seats, boarded first by time, then missing
    waiting: int = 0
    offered: int = 0
    other_gates: list[Gate] = field(default_factory=list)

    @property
    def boarded(self) -> int:
        return sum(1 for p in self.passengers if p.boarded_at is not None)

    @property
    def missing(self) -> list[Passenger]:
        return [p for p in self.passengers if p.boarded_at is None]


def boarding(event: Event, talk_id: int) -> Boarding:
    """Boarded vs signed up for a talk or site visit, per bus, with who is missing."""
    talk = db.session.get(Talk, talk_id) if isinstance(talk_id, int) else None
    if talk is None or talk.event_id != event.id:
        raise NotFound(f"No talk {talk_id!r} in {event.name}.", code="talk_not_found")
    gates = talk_gates(event, talk)
    visit = talk.site_visit
    by_code = {g.code: g for g in gates}
    buses = [Bus(n, visit.seats_per_bus, by_code.pop(bus_gate_code(talk, n), None))
             for n in range(1, visit.buses + 1)] if visit is not None else []
    names = {g.id: g.name for g in gates}
    first: dict[int, tuple[datetime, int]] = {}
    if gates:
        for registration_id, gate_id, at in db.session.execute(
                sa.select(Presence.registration_id, Presence.gate_id, Presence.first_in_at)
                .where(Presence.gate_id.in_(names))).all():
            if registration_id not in first or at < first[registration_id][0]:
                first[registration_id] = (at, gate_id)
    per_gate: dict[int, int] = {}
    for _at, gate_id in first.values():
        per_gate[gate_id] = per_gate.get(gate_id, 0) + 1
    for bus in buses:
        bus.boarded = per_gate.get(bus.gate.id, 0) if bus.gate else 0
    rows = db.session.execute(
        sa.select(SignUp, Registration).join(Registration,
                                             Registration.id == SignUp.registration_id)
        .where(SignUp.talk_id == talk.id, SignUp.status.in_(ACTIVE_SIGNUP))
        .order_by(SignUp.created_at, SignUp.id)).all()
    counts = {s: 0 for s in SignUpStatus}
    passengers = []
    regs_by_user = _registrations_by_user(event, [s.user_id for s, _r in rows])
    for signup, registration in rows:
        counts[signup.status] += 1
        if signup.status != SignUpStatus.CONFIRMED:
            continue
        ids = {registration.id, *regs_by_user.get(signup.user_id, [])}
        seen = sorted((first[i] for i in ids if i in first), key=lambda x: x[0])
        at, gate_id = seen[0] if seen else (None, None)
        # "Bus 2 · Putrajaya Command Centre" -> "Bus 2": the visit is known on its page.
        bus_name = names[gate_id].split(" · ")[0] if gate_id else None
        passengers.append(Passenger(signup, registration, at, bus_name))
    far = datetime.max.replace(tzinfo=talk.starts_at.tzinfo)
    passengers.sort(key=lambda p: (p.boarded_at is None, p.boarded_at or far,
                                   (p.registration.full_name if p.registration else "")))
    return Boarding(talk, buses, passengers, counts[SignUpStatus.WAITING],
                    counts[SignUpStatus.OFFERED], list(by_code.values()))


def _registrations_by_user(event: Event, user_ids) -> dict[int, list[int]]:
    found: dict[int, list[int]] = {}
    if not user_ids:
        return found
    for user_id, registration_id in db.session.execute(
            sa.select(Registration.user_id, Registration.id).where(
                Registration.event_id == event.id, Registration.user_id.in_(set(user_ids)),
                Registration.status == RegistrationStatus.CONFIRMED)).all():
        found.setdefault(user_id, []).append(registration_id)
    return found


# ---------------------------------------------------------------- attendance


@dataclass
class TalkAttendance:
    talk: Talk
    attended: int
    signed_up: int | None  # None: open to all
    signed_up_attended: int
    room_capacity: int | None

    @property
    def fill(self) -> int | None:
        """Attendance as a share of the room's capacity, in per cent."""
        if not self.room_capacity:
            return None
        return round(100 * self.attended / self.room_capacity)

    @property
    def no_shows(self) -> int | None:
        return None if self.signed_up is None else self.signed_up - self.signed_up_attended


def attendance(event: Event) -> list[TalkAttendance]:
    """Attendance per talk from admitted scans at its room's door or its own gate."""
    tied = db.session.execute(sa.select(Gate.id, Gate.kind, Gate.kind_ref).where(
        Gate.event_id == event.id, Gate.kind.in_((gaterules.TALK, gaterules.ROOM)))).all()
    door = {g.id: int(g.kind_ref) for g in tied
            if g.kind == gaterules.ROOM and (g.kind_ref or "").isdigit()}
    own = {g.id: int(g.kind_ref) for g in tied
           if g.kind == gaterules.TALK and (g.kind_ref or "").isdigit()}
    talks = list(db.session.scalars(sa.select(Talk).where(Talk.event_id == event.id)
                                    .options(sa.orm.selectinload(Talk.room))
                                    .order_by(Talk.starts_at, Talk.id)))
    scans = []
    if tied:
        scans = db.session.execute(sa.select(Scan.registration_id, Scan.gate_id,
                                             Scan.scanned_at).where(
            Scan.event_id == event.id, Scan.gate_id.in_([g.id for g in tied]),
            Scan.direction == Direction.IN, Scan.result.in_(ADMITTED),
            Scan.registration_id.is_not(None))).all()
    attended = gaterules.assign_scans(
        [tuple(s) for s in scans],
        [(t.id, t.room_id, t.starts_at, t.ends_at) for t in talks], door, own)
    signed: dict[int, set[int]] = {}
    for talk_id, registration_id in db.session.execute(
            sa.select(SignUp.talk_id, SignUp.registration_id).where(
                SignUp.event_id == event.id, SignUp.status == SignUpStatus.CONFIRMED)).all():
        signed.setdefault(talk_id, set()).add(registration_id)
    return [TalkAttendance(t, len(attended.get(t.id, ())),
                           len(signed.get(t.id, ())) if t.capacity is not None else None,
                           len(attended.get(t.id, set()) & signed.get(t.id, set())),
                           t.room.capacity if t.room else None) for t in talks]


def attendance_of(event: Event, talk: Talk) -> TalkAttendance:
    return next(a for a in attendance(event) if a.talk.id == talk.id)


def attendance_by_day(event: Event, rows: list[TalkAttendance]) -> dict[date, list]:
    days: dict[date, list] = {}
    for row in rows:
        days.setdefault(to_local(row.talk.starts_at, event.time_zone).date(), []).append(row)
    return days


def attendance_csv(event: Event) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["day", "start", "end", "room", "title", "kind", "room capacity",
                     "seats", "signed up", "attended", "attended of signed up", "no-shows",
                     "fill %"])
    for row in attendance(event):
        start = to_local(row.talk.starts_at, event.time_zone)
        end = to_local(row.talk.ends_at, event.time_zone)
        blank = lambda v: "" if v is None else v  # noqa: E731
        writer.writerow([start.date().isoformat(), f"{start:%H:%M}", f"{end:%H:%M}",
                         row.talk.room.name if row.talk.room else "", row.talk.title,
                         row.talk.kind_label, blank(row.room_capacity),
                         blank(row.talk.capacity), blank(row.signed_up), row.attended,
                         row.signed_up_attended if row.signed_up is not None else "",
                         blank(row.no_shows), blank(row.fill)])
    return out.getvalue()
