"""Demo programme: SCEKL25 at KLCC (keynotes, panels, workshops) and ASCN8 with site visits."""

from __future__ import annotations

import random
from datetime import date, time, timedelta

import sqlalchemy as sa

from ..checkin import services as checkin
from ..core import services as core
from ..core.models import Event, User
from ..extensions import db
from ..registration.badges import badge_token
from ..registration.models import Registration, RegistrationStatus
from ..timeutil import local_to_utc
from . import gates, services
from .models import Room, SignUp, SignUpStatus, Speaker, Talk

SPEAKERS = [
    # (name, title, organisation, country, bio)
    ("Dr. Ahmad Faizal Hassan", "Director of Urban Planning", "PLANMalaysia", "Malaysia",
     "Leads the national smart-city planning framework and its state pilots."),
    ("Datuk Seri Farah Ismail", "Chief Digital Officer", "Ministry of Digital", "Malaysia",
     "Drives the national AI and digital-government agenda."),
    ("Tan Sri Rahim Abdullah", "Chairman", "Malaysia Digital Economy Corporation (MDEC)",
     "Malaysia", "Oversees Malaysia's digital economy programmes."),
    ("Ir. Lim Mei Ling", "Head of 5G Enterprise", "Digital Nasional Berhad (DNB)", "Malaysia",
     "Builds 5G use cases for cities, ports and industrial parks."),
    ("Nguyen Van Minh", "Vice Chairman", "Da Nang People's Committee", "Viet Nam",
     "Runs Da Nang's intelligent operations centre."),
    ("Maria Santos", "City Administrator", "Cebu City Government", "Philippines",
     "Leads Cebu's flood-resilience and mobility programmes."),
    ("Somchai Srisuk", "Director, Smart City Office", "Bangkok Metropolitan Administration",
     "Thailand", "Coordinates Bangkok's open-data and air-quality platforms."),
    ("Budi Wijaya", "Head of Digital Services", "DKI Jakarta Provincial Government",
     "Indonesia", "Runs Jakarta Smart City's citizen reporting platform."),
    ("Kavitha Subramaniam", "Chief Executive", "Penang Smart City Lab", "Malaysia",
     "Connects startups with local councils to test urban solutions."),
    ("Wong Wei Jie", "Partner", "Khazanah Nasional", "Malaysia",
     "Invests in infrastructure and digital platforms across ASEAN."),
    ("Dr. Siti Nur Yusof", "Director", "Iskandar Regional Development Authority", "Malaysia",
     "Leads low-carbon and smart-mobility plans in Johor."),
    ("Phan Thi Anh", "Deputy Director", "Ho Chi Minh City Department of Information and "
     "Communications", "Viet Nam", "Works on the city's data platform and e-government."),
]

SCEKL_PROGRAMME = [
    # (day, start, minutes, kind, title, room, pillar index, people [(speaker, role)], seats)
    (0, "09:30", 45, "keynote", "AI Cities: Shaping Our Digital Future", "Plenary Hall", 0,
     [(1, "speaker")], None),
    (0, "10:30", 60, "panel", "Governing AI in Public Services", "Plenary Hall", 0,
     [(0, "moderator"), (2, "panellist"), (4, "panellist"), (6, "panellist")], None),
    (0, "10:30", 90, "workshop", "Hands-on: Open Data Dashboards for Local Councils",
     "Conference Hall 2", 2, [(8, "speaker")], 40),
    (0, "14:00", 45, "expert_talk", "5G Networks as Urban Infrastructure", "Conference Hall 1",
     0, [(3, "speaker")], None),
    (0, "14:00", 60, "panel", "Financing Resilient Cities", "Conference Hall 3", 1,
     [(9, "moderator"), (5, "panellist"), (10, "panellist")], None),
    (1, "09:30", 45, "keynote", "From Pilot to Scale: ASEAN Smart Cities", "Plenary Hall", 3,
     [(4, "speaker")], None),
    (1, "11:00", 60, "panel", "Flood Resilience and Climate Adaptation", "Conference Hall 1", 1,
     [(0, "moderator"), (5, "panellist"), (10, "panellist")], None),
    (1, "11:00", 90, "workshop", "Designing Citizen Reporting Apps", "Conference Hall 2", 3,
     [(7, "speaker"), (11, "speaker")], 30),
    (1, "15:00", 45, "expert_talk", "Digital Entrepreneurship in Secondary Cities",
     "Conference Hall 3", 2, [(8, "speaker")], None),
    (1, "18:30", 120, "networking", "Investors' Evening", "Banquet Hall", 2, [(9, "speaker")],
     None),
    (2, "10:00", 60, "panel", "Smart Mobility for Growing Metros", "Plenary Hall", 1,
     [(10, "moderator"), (6, "panellist"), (11, "panellist"), (0, "panellist")], None),
    (2, "14:00", 45, "expert_talk", "Community Empowerment through Digital Solutions",
     "Conference Hall 1", 3, [(2, "speaker")], None),
]

ASCN_PROGRAMME = [
    (0, "09:00", 60, "keynote", "Opening of the 8th ASCN Annual Meeting", "Plenary Hall", 0,
     [(1, "speaker")], None),
    (0, "10:30", 90, "expert_talk", "Smart City Expert Talk: Integrated Command Centres",
     "Conference Hall 1", 2, [(0, "moderator"), (4, "speaker"), (6, "speaker")], None),
    (1, "10:00", 60, "panel", "City-to-City Partnerships across ASEAN", "Plenary Hall", 0,
     [(5, "moderator"), (7, "panellist"), (11, "panellist")], None),
]

ASCN_VISITS = [
    (2, "08:30", "13:00", "Site visit: Putrajaya Command Centre",
     "Putrajaya Command Centre, Perbadanan Putrajaya", "KLCC Main Lobby, Jalan Pinang entrance",
     2, 40, "See how Putrajaya runs traffic, utilities and public safety from one centre."),
    (3, "08:00", "12:30", "Site visit: Putrajaya Wetlands",
     "Taman Wetland Putrajaya", "KLCC Main Lobby, Jalan Pinang entrance", 1, 44,
     "Nature-based flood control and water treatment in the federal administrative centre."),
]

ROOMS = [("Plenary Hall", 3000, "Level 3"), ("Conference Hall 1", 500, "Level 3"),
         ("Conference Hall 2", 60, "Level 3"), ("Conference Hall 3", 300, "Level 3"),
         ("Banquet Hall", 1500, "Level 1")]


def _load_event(event: Event, programme, visits=()) -> int:
    if db.session.scalar(sa.select(sa.func.count()).select_from(Talk)
                         .where(Talk.event_id == event.id)):
        return 0
    tracks = services.ensure_default_tracks(event)
    rooms = {}
    for i, (name, capacity, floor) in enumerate(ROOMS):
        rooms[name] = services.save_room(
            None, event, name=name, capacity=capacity, floor=floor, position=i,
            accessibility="Step-free access; induction loop" if i < 2 else "Step-free access",
            opens_at=time(8, 0), closes_at=time(22, 0), commit=False)
    speakers = []
    speaker_user = db.session.scalar(sa.select(User).where(
        User.email == "speaker@demo.expo.my"))
    for i, (name, title, org, country, bio) in enumerate(SPEAKERS):
        s = Speaker(event_id=event.id, full_name=name, job_title=title, organisation=org,
                    country=country, bio=bio)
        if i == 0 and speaker_user is not None:
            s.user_id, s.email = speaker_user.id, speaker_user.email
        db.session.add(s)
        speakers.append(s)
    db.session.flush()
    added = 0
    for day, start, minutes, kind, title, room, pillar, people, seats in programme:
        when = event.starts_on + timedelta(days=day)
        starts = local_to_utc(when, time.fromisoformat(start), event.time_zone)
        services.save_talk(None, event, title=title, kind=kind,
                           abstract=f"{title}: a {kind.replace('_', ' ')} at {event.name}.",
                           room_id=rooms[room].id, track_id=tracks[pillar % len(tracks)].id,
                           starts_at=starts, ends_at=starts + timedelta(minutes=minutes),
                           capacity=seats, people=[(speakers[s].id, r) for s, r in people],
                           commit=False)
        added += 1
    for day, start, end, title, dest, meeting, buses, seats, abstract in visits:
        when = event.starts_on + timedelta(days=day)
        starts = local_to_utc(when, time.fromisoformat(start), event.time_zone)
        ends = local_to_utc(when, time.fromisoformat(end), event.time_zone)
        services.save_talk(None, event, title=title, kind="site_visit", abstract=abstract,
                           starts_at=starts, ends_at=ends, track_id=tracks[4 % len(tracks)].id,
                           people=[], site_visit={
                               "meeting_point": meeting, "destination": dest,
                               "departs_at": starts, "returns_at": ends, "buses": buses,
                               "seats_per_bus": seats}, commit=False)
        added += 1
    db.session.commit()
    services.publish(None, event, note="Demo programme")
    return added


def _synthetic(event: Event, scale: int) -> int:
    """A 600-talk, 150-speaker, 20-room programme (no conflicts) for the benchmarks."""
    existing = db.session.scalar(sa.select(sa.func.count()).select_from(Talk)
                                 .where(Talk.event_id == event.id)) or 0
    target = 600
    if existing >= target:
        return 0
    rooms = services.rooms(event)
    for i in range(len(rooms), 20):
        rooms.append(services.save_room(None, event, name=f"Meeting Room {i + 1:02d}",
                                        capacity=120, floor="Level 4", commit=False))
    speakers = list(db.session.scalars(sa.select(Speaker).where(Speaker.event_id == event.id)))
    for i in range(len(speakers), 150):
        s = Speaker(event_id=event.id, full_name=f"Synthetic Speaker {i + 1}",
                    organisation=f"City Office {i + 1}", country="Malaysia")
        db.session.add(s)
        speakers.append(s)
    db.session.flush()
    tracks = services.tracks(event)
    days = (event.ends_on - event.starts_on).days + 1
    added = 0
    slot = 0
    while existing + added < target:
        day, period = divmod(slot, 14)
        if day >= days:
            break
        when: date = event.starts_on + timedelta(days=day)
        starts = local_to_utc(when, time(8, 0), event.time_zone) + timedelta(minutes=50 * period)
        for r_index, room in enumerate(rooms):
            if existing + added >= target:
                break
            busy = db.session.scalar(sa.select(Talk.id).where(
                Talk.room_id == room.id, Talk.starts_at < starts + timedelta(minutes=45),
                Talk.ends_at > starts))
            if busy:
                continue
            speaker = speakers[12 + (slot * 20 + r_index) % 138]
            db.session.add(Talk(event_id=event.id, title=f"Synthetic session {slot}-{r_index}",
                                kind="expert_talk", room_id=room.id,
                                track_id=tracks[r_index % len(tracks)].id, starts_at=starts,
                                ends_at=starts + timedelta(minutes=45)))
            db.session.flush()
            added += 1
            from .models import TalkSpeaker

            db.session.add(TalkSpeaker(event_id=event.id, talk_id=db.session.scalar(
                sa.select(sa.func.max(Talk.id))), speaker_id=speaker.id, role="speaker"))
        slot += 1
    db.session.commit()
    services.publish(None, event, note=f"{added} synthetic sessions", override=True)
    return added


# The demo people's own agendas: (event, e-mail, titles to star, titles holding a seat).
AGENDAS = [
    ("scekl25", "delegate", ["AI Cities: Shaping Our Digital Future",
                             "Flood Resilience and Climate Adaptation",
                             "Smart Mobility for Growing Metros"],
     ["Hands-on: Open Data Dashboards for Local Councils"]),
    ("scekl25", "investor", ["AI Cities: Shaping Our Digital Future",
                             "Financing Resilient Cities", "Investors' Evening",
                             "Smart Mobility for Growing Metros"], []),
    ("ascn8", "delegate", ["Opening of the 8th ASCN Annual Meeting",
                           "City-to-City Partnerships across ASEAN"],
     ["Site visit: Putrajaya Command Centre"]),
]


def _agendas(events: dict[str, Event]) -> int:
    """Stars and seats of the demo delegate and investor (idempotent).

    Stars go through the service. Seats are rows written directly: the demo events are
    past on today's clock and `services.signup` refuses sessions that have started (by
    design), so the demo seeds what a delegate would have signed up for beforehand,
    through the models, with the talk's seat counter moved with it.
    """
    from ..registration.models import Registration, RegistrationStatus
    from .models import SignUp, SignUpStatus

    added = 0
    for slug, who, starred, seated in AGENDAS:
        event = events.get(slug)
        user = db.session.scalar(sa.select(User).where(User.email == f"{who}@demo.expo.my"))
        if event is None or user is None:
            continue
        by_title = {t.title: t for t in services.published_programme(event).talks}
        for title in starred:
            if title in by_title:
                services.star(user, event, by_title[title].id)
        registration = db.session.scalar(sa.select(Registration).where(
            Registration.event_id == event.id, Registration.user_id == user.id,
            Registration.status == RegistrationStatus.CONFIRMED))
        for title in seated:
            talk = by_title.get(title)
            if talk is None or registration is None or db.session.scalar(
                    sa.select(SignUp.id).where(SignUp.talk_id == talk.id,
                                               SignUp.user_id == user.id)):
                continue
            db.session.add(SignUp(event_id=event.id, talk_id=talk.id, user_id=user.id,
                                  registration_id=registration.id,
                                  status=SignUpStatus.CONFIRMED))
            db.session.execute(sa.update(Talk).where(Talk.id == talk.id,
                                                     Talk.taken < Talk.capacity)
                               .values(taken=Talk.taken + 1))
            added += 1
    db.session.commit()
    return added


PHONES = {"Malaysia": "+60 12-", "Indonesia": "+62 812-", "Viet Nam": "+84 90-",
          "Philippines": "+63 917-", "Thailand": "+66 81-", "Singapore": "+65 9",
          "Cambodia": "+855 12-", "Lao PDR": "+856 20-", "Myanmar": "+95 9-",
          "Brunei Darussalam": "+673 8"}


def _registrations(event: Event, zone: str | None = None) -> list[Registration]:
    """Confirmed registrations, those whose pass opens `zone` when given, in a fixed order."""
    rows = db.session.scalars(sa.select(Registration).where(
        Registration.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED)
        .order_by(Registration.id))
    return [r for r in rows if zone is None or zone in (r.pass_type.zones or [])]


def _scan(event: Event, gate, registration: Registration, at, nonce: str) -> None:
    checkin.scan(event, gate_code=gate.code, code=badge_token(registration), scanned_at=at,
                 nonce=nonce)


def _visit_boarding(event: Event) -> int:
    """Seats on ASCN8's site visits, a boarding gate per bus, and the first people aboard."""
    boarded = 0
    people = _registrations(event)[:30]
    for i, reg in enumerate(people):
        # Country delegates sign up for visits with their accounts; the guide calls the
        # missing ones on their mobiles.
        if reg.user_id is None:
            user = core.user_by_email(reg.email) or core.create_user(
                reg.email, None, reg.full_name, organisation=reg.organisation,
                country=reg.country, commit=False)
            db.session.flush()
            reg.user_id = user.id
        if not reg.phone:
            reg.phone = PHONES.get(reg.country or "", "+60 12-") + f"{4100000 + 7919 * i:07d}"
    db.session.commit()
    visits = [t for t in services.talks(event) if t.site_visit is not None]
    for v_index, talk in enumerate(visits):
        visit = talk.site_visit
        if gates.talk_gates(event, talk):
            continue
        taken = {s.registration_id for s in db.session.scalars(
            sa.select(SignUp).where(SignUp.talk_id == talk.id))}
        # The demo runs after the visits' sign-up deadline, so seats are written directly.
        for reg in people[v_index::2][:min(visit.buses * visit.seats_per_bus, 14)]:
            if reg.id in taken or reg.user_id is None:
                continue
            db.session.add(SignUp(event_id=event.id, talk_id=talk.id, user_id=reg.user_id,
                                  registration_id=reg.id, status=SignUpStatus.CONFIRMED))
            talk.taken += 1
        db.session.commit()
        bus_gates = [gates.create_talk_gate(None, event, talk.id, n)
                     for n in range(1, visit.buses + 1)]
        seated = gates.boarding(event, talk.id).passengers
        # Two thirds aboard, spread over the buses, in the 25 minutes before departure.
        for i, passenger in enumerate(seated[: len(seated) * 2 // 3]):
            at = visit.departs_at - timedelta(minutes=25 - i)
            _scan(event, bus_gates[i % len(bus_gates)], passenger.registration, at,
                  f"demo-board-{talk.id}-{passenger.registration.id}")
            boarded += 1
    return boarded


# Doors with a scanner at SCEKL25: (room, zone whose passes enter).
DOORS = [("Plenary Hall", "main-hall"), ("Conference Hall 1", "main-hall"),
         ("Conference Hall 2", "main-hall"), ("Conference Hall 3", "main-hall")]


def _room_attendance(event: Event) -> int:
    """Door gates at SCEKL25's plenary and conference halls, and entries at some talks."""
    if gates.room_gates(event):
        return 0
    rooms = {r.name: r for r in services.rooms(event)}
    doors = {name: gates.create_room_gate(None, event, rooms[name].id, zone)
             for name, zone in DOORS if name in rooms and checkin.zone_by_code(event, zone)}
    rng = random.Random(event.id)
    entries = 0
    for talk in services.talks(event):
        door = doors.get(talk.room.name if talk.room else "")
        people = _registrations(event, door.zone.code) if door else []
        if not people:
            continue
        share = rng.uniform(0.35, 0.9)
        crowd = rng.sample(people, max(1, int(len(people) * share)))
        for reg in crowd:
            at = talk.starts_at - timedelta(minutes=rng.randint(-20, 12))
            _scan(event, door, reg, at, f"demo-door-{talk.id}-{reg.id}")
            entries += 1
    return entries


def load(scale: int = 0) -> str:
    events = {e.slug: e for e in db.session.scalars(
        sa.select(Event).where(Event.slug.in_(["scekl25", "ascn8"])))}
    added = 0
    if "scekl25" in events:
        added += _load_event(events["scekl25"], SCEKL_PROGRAMME)
    if "ascn8" in events:
        added += _load_event(events["ascn8"], ASCN_PROGRAMME, ASCN_VISITS)
    synthetic = _synthetic(events["scekl25"], scale) if scale and "scekl25" in events else 0
    seats = _agendas(events)
    _ = Room
    boarded = _visit_boarding(events["ascn8"]) if "ascn8" in events else 0
    entries = _room_attendance(events["scekl25"]) if "scekl25" in events else 0
    return (f"{added} sessions" + (f", {synthetic} synthetic sessions" if scale else "")
            + f" added; {seats} demo seats; {boarded} delegates boarded site-visit buses, "
            f"{entries} door entries")
