"""Demo data for check-in: the doors of SCEKL25 and ASCN8, and a few scans."""

from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from ..core.demo import DEMO_DOMAIN, FIRST, LAST, reference
from ..core.models import Event, User
from ..extensions import db
from ..registration.badges import badge_token
from ..registration.models import PassType, Registration
from . import services
from .models import Gate, Scan

# event slug -> (gate code, gate name, zone code, zone name, hours, re-entry, exits, capacity)
GATES = {
    "scekl25": [
        ("hall-a", "Hall A main entrance", "main-hall", "Main hall (Halls 1–5)", "", True, False,
         6000),
        ("hall-c", "Hall C side entrance", "main-hall", "Main hall (Halls 1–5)", "", True, False,
         6000),
        ("plenary", "Plenary Hall doors", "plenary", "Plenary Hall", "all 08:30-18:30", True,
         True, 3000),
        ("vip", "VIP lounge", "vip", "VIP lounge", "all 09:00-18:00", True, True, 120),
    ],
    "ascn8": [
        ("plenary", "Plenary doors", "plenary", "ASCN plenary", "", True, True, 400),
        # Site-visit buses get boarding gates from their visits (sessions demo).
    ],
}
# Which demo pass types open which zone, when no pass type opens it yet.
OPENS = {"main-hall": None, "plenary": ("delegate", "vip", "speaker", "ascn"),
         "vip": ("vip", "speaker")}
SAMPLE_PASSES = {
    "scekl25": [("visitor", "Trade visitor", "#2E7D32", ["main-hall"]),
                ("delegate", "Delegate", "#0B5D7A", ["main-hall", "plenary"]),
                ("vip", "VIP", "#8E24AA", ["main-hall", "plenary", "vip"])],
    "ascn8": [("ascn-delegate", "ASCN delegate", "#0B5D7A", ["plenary"])],
}


def _sample_attendees(event: Event, count: int) -> int:
    """A few attendees when the registration demo has not made any (standalone demo)."""
    if db.session.scalar(sa.select(PassType.id).where(PassType.event_id == event.id)):
        return 0
    types = [PassType(event_id=event.id, code=c, name=n, badge_colour=col, zones=z, position=i)
             for i, (c, n, col, z) in enumerate(SAMPLE_PASSES[event.slug])]
    db.session.add_all(types)
    db.session.flush()
    rng = random.Random(event.id)
    cities = reference()["ascn_pilot_cities_2018"]
    for i in range(count):
        country = rng.choice(list(cities))
        db.session.add(Registration(
            event_id=event.id, pass_type_id=rng.choice(types).id,
            email=f"attendee{i + 1}@{event.slug}.demo.expo.my",
            full_name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
            organisation=f"{rng.choice(cities[country])} City Council", country=country,
            reference=f"D{event.id}{i + 1:05d}"))
    db.session.commit()
    return count


def load(scale: int = 0) -> str:
    gates = attendees = 0
    for slug, specs in GATES.items():
        event = db.session.scalar(sa.select(Event).where(Event.slug == slug))
        if event is None:
            continue
        attendees += _sample_attendees(event, 40 + scale)
        for code, name, zone, zone_name, hours, reentry, exits, capacity in specs:
            if db.session.scalar(sa.select(Gate.id).where(Gate.event_id == event.id,
                                                          Gate.code == code)):
                continue
            services.ensure_zone(None, event, zone, zone_name, capacity=capacity)
            opens = [p.id for p in services.pass_types(event) if zone in (p.zones or [])]
            if not opens:
                wanted = OPENS.get(zone)
                opens = [p.id for p in services.pass_types(event)
                         if wanted is None or any(w in p.code for w in wanted)]
            services.save_gate(None, event, code=code, name=name, zone_code=zone,
                               hours=services.parse_hours(hours, event), allow_reentry=reentry,
                               scan_exits=exits, admitted=opens)
            gates += 1
    scans = sum(_sample_scans(event) for event in db.session.scalars(
        sa.select(Event).where(Event.slug.in_(list(GATES)))))
    return f"{gates} gates, {attendees} sample attendees, {scans} scans added"


def _sample_scans(event: Event) -> int:
    """Opening morning at the first gate: most people once, some twice, a few refused, so
    the live dashboard and the gate pages show something real. Only while no scans exist."""
    if db.session.scalar(sa.select(Scan.id).where(Scan.event_id == event.id).limit(1)):
        return 0
    gate = services.gates(event)[0] if services.gates(event) else None
    staff = db.session.scalar(sa.select(User).where(User.email == f"staff@{DEMO_DOMAIN}"))
    if gate is None:
        return 0
    # Mostly people this door admits (confirmed, with a pass opening its zone), so the
    # dashboard shows a normal morning; the refusals come from the bad codes below.
    people = [r for r in db.session.scalars(
        sa.select(Registration).join(PassType).where(
            Registration.event_id == event.id, Registration.status == "confirmed")
        .order_by(Registration.id).limit(2000))
        if gate.zone.code in (r.pass_type.zones or [])][:400]
    if not people:
        return 0
    rng = random.Random(event.id * 7)
    opens = datetime.combine(event.starts_on, time(8, 30), ZoneInfo(event.time_zone))
    count = 0
    for person in people:
        if rng.random() > 0.7:
            continue
        at = (opens + timedelta(minutes=rng.triangular(0, 420, 60))).astimezone(UTC)
        if at > datetime.now(UTC):
            continue
        codes = [badge_token(person)] * (2 if rng.random() < 0.1 else 1)
        for code in codes:
            services.scan(event, gate_code=gate.code, code=code, scanned_at=at, user=staff)
            at += timedelta(minutes=rng.randint(5, 90))
            count += 1
    for text in ("https://example.org/not-a-badge", "EXPO-BADGE-FORGED"):
        services.scan(event, gate_code=gate.code, code=text, user=staff,
                      scanned_at=opens.astimezone(UTC) + timedelta(minutes=45))
        count += 1
    return count
