"""Demo data for exhibitors: the KLCC halls, booths in rows, real-looking exhibitors, leads."""

from __future__ import annotations

import math
import random
import secrets
from datetime import timedelta

import sqlalchemy as sa

from ..core.demo import DEMO_DOMAIN, FIRST, LAST, reference
from ..core.models import Event, EventRole, Role, User
from ..extensions import db
from ..registration import services as reg_services
from ..registration.models import HOLDING, PassType, Registration
from ..timeutil import utcnow
from . import layout
from .models import (
    Booth,
    BoothKind,
    BoothOrder,
    BoothPackage,
    BoothStatus,
    Exhibitor,
    ExhibitorStaff,
    ExhibitorStatus,
    Hall,
    Lead,
    OrderStatus,
    StaffRole,
)
from .services import _contact, _refresh_quota

# Kuala Lumpur Convention Centre, exhibition level: (name, width m, depth m).
HALLS = [("Hall 1", 54, 40), ("Hall 2", 54, 40), ("Hall 3", 54, 36), ("Hall 4", 48, 36),
         ("Hall 5", 48, 36)]
ROWS_PER_HALL = 7
PACKAGES = [("Shell scheme", 3, "Walls, fascia name board, carpet, 2 chairs, 1 table, power"),
            ("Raw space", 6, "Floor space only: bring your own stand"),
            ("Pavilion", 12, "A country or state pavilion with shared lounge")]
PRICE_PER_M2 = {BoothKind.SHELL: 1_450_00, BoothKind.RAW: 1_150_00, BoothKind.PAVILION: 980_00}

# (name, country, sectors, pillar indexes, description, status)
EXHIBITORS = [
    ("Penang Smart City Lab", "Malaysia", ["GovTech & e-government", "AI & data platforms"],
     [0, 3], "A digital twin of George Town: permits, heritage and flood sensors on one map.",
     "sold"),
    ("Majlis Bandaraya Pulau Pinang", "Malaysia",
     ["GovTech & e-government", "Mobility & transport"], [0, 1],
     "Penang Island City Council: smart parking, e-permits and the Penang2030 vision.", "sold"),
    ("Johor Bahru City Council", "Malaysia", ["Urban planning & PropTech", "Public safety"],
     [1, 3], "Majlis Bandaraya Johor Bahru shows its integrated operations centre and CCTV "
     "analytics.", "sold"),
    ("Dewan Bandaraya Kuala Lumpur", "Malaysia", ["GovTech & e-government", "Water & waste"],
     [0, 1], "Kuala Lumpur City Hall: the KL Smart City Blueprint 2021–2025 in practice.",
     "sold"),
    ("Kuching North City Commission", "Malaysia", ["Water & waste", "Tourism & culture"], [1],
     "DBKU: riverfront sensors and a cashless city.", "sold"),
    ("Kota Kinabalu City Hall", "Malaysia", ["Tourism & culture", "Mobility & transport"], [1, 3],
     "DBKK: smart tourism and coastal resilience in Sabah's capital.", "sold"),
    ("Perbadanan Putrajaya", "Malaysia", ["Urban planning & PropTech", "Energy & utilities"],
     [1], "The Putrajaya Command Centre and a low-carbon federal administrative city.", "sold"),
    ("Majlis Bandaraya Shah Alam", "Malaysia", ["GovTech & e-government"], [0, 3],
     "Shah Alam's MBSA Smart City platform for residents.", "held"),
    ("Iskandar Regional Development Authority", "Malaysia",
     ["Urban planning & PropTech", "Energy & utilities"], [1, 2],
     "IRDA: the Iskandar Malaysia Smart City Blueprint and low-carbon society plan.", "sold"),
    ("Selangor Information Technology & Digital Economy Corporation", "Malaysia",
     ["AI & data platforms", "Fintech & payments"], [2], "SIDEC: Selangor's digital economy "
     "agency and the Selangor Smart City Digital Economy Convention.", "sold"),
    ("Sarawak Digital Economy Corporation", "Malaysia", ["Telecommunications & 5G"], [2, 3],
     "SDEC: connectivity for rural Sarawak and the Sarawak Digital Economy Strategy.", "sold"),
    ("Melaka Green Technology Corporation", "Malaysia", ["Energy & utilities", "Water & waste"],
     [1], "Green Technology City State Melaka 2020–2030.", "sold"),
    ("Huawei Technologies (Malaysia)", "China", ["Telecommunications & 5G", "AI & data platforms"],
     [0], "5G private networks and city intelligent operations centres.", "sold"),
    ("Microsoft Malaysia", "United States", ["AI & data platforms", "Cybersecurity"], [0, 2],
     "Cloud and AI for city services.", "sold"),
    ("Cisco Systems Malaysia", "United States", ["Cybersecurity", "IoT & sensors"], [0],
     "Secure networks for connected cities.", "sold"),
    ("Siemens Malaysia", "Germany", ["Energy & utilities", "Mobility & transport"], [1],
     "Smart grids, building automation and rail.", "sold"),
    ("Ericsson Malaysia", "Sweden", ["Telecommunications & 5G"], [0, 2],
     "5G for public safety and smart ports.", "sold"),
    ("NEC Asia Pacific", "Japan", ["Public safety", "AI & data platforms"], [0],
     "Biometrics and public-safety platforms.", "held"),
    ("Schneider Electric Malaysia", "France", ["Energy & utilities"], [1],
     "Microgrids and energy management for campuses and cities.", "sold"),
    ("Da Nang Innovation Hub", "Viet Nam", ["AI & data platforms", "Tourism & culture"], [2, 3],
     "Start-ups from Da Nang, an ASEAN Smart Cities Network pilot city.", "sold"),
    ("ParkIT Labs Sdn Bhd", "Malaysia", ["Mobility & transport", "IoT & sensors"], [0, 2],
     "Camera-based parking guidance for city councils.", "sold"),
    ("FloodWatch AI", "Malaysia", ["Water & waste", "AI & data platforms"], [0, 1],
     "Flash-flood forecasting from rain gauges and drain sensors.", "sold"),
    ("KitaRecycle", "Malaysia", ["Water & waste"], [1, 3],
     "Reverse-vending machines and recycling rewards for residents.", "pending"),
    ("AirSense Analytics", "Singapore", ["IoT & sensors", "Health"], [1],
     "Street-level air-quality sensing.", "pending"),
    ("GoCarbon Malaysia", "Malaysia", ["Energy & utilities", "Fintech & payments"], [1, 2],
     "Carbon accounting for local governments.", "rejected"),
]


def _event(slug: str) -> Event | None:
    return db.session.scalar(sa.select(Event).where(Event.slug == slug))


def _booth_grid(hall: Hall, row_letters: list[str], kinds_by_row: dict[str, tuple]
                ) -> list[dict]:
    """Booths in double rows (back to back) with 3 m aisles, starting 3 m from the walls."""
    specs = []
    y = 300
    for index, letter in enumerate(row_letters):
        kind, width, depth = kinds_by_row.get(letter, (BoothKind.SHELL, 300, 300))
        x, n = 300, 1
        while x + width <= hall.width_cm - 300:
            specs.append(dict(code=f"{letter}-{n:02d}", x_cm=x, y_cm=y, width_cm=width,
                              depth_cm=depth, kind=kind))
            x += width
            n += 1
        # Back-to-back pairs: an aisle after every second row.
        y += depth + (300 if index % 2 == 1 else 0)
        if y + 300 > hall.depth_cm - 300:
            break
    return specs


def _halls(event: Event, packages: dict[str, BoothPackage]) -> int:
    created = 0
    single = list("ABCDEFGHJKLMNPQRSTUVWXYZ")
    letters = iter(single + ["A" + c for c in single])
    for position, (name, width, depth) in enumerate(HALLS, start=1):
        hall = db.session.scalar(sa.select(Hall).where(Hall.event_id == event.id,
                                                       Hall.name == name))
        rows = [next(letters) for _ in range(ROWS_PER_HALL)]
        if hall is not None:
            continue
        hall = Hall(event_id=event.id, name=name, width_cm=width * 100, depth_cm=depth * 100,
                    position=position)
        db.session.add(hall)
        db.session.flush()
        if position == 1:
            kinds = {rows[0]: (BoothKind.PAVILION, 1200, 900), rows[1]: (BoothKind.RAW, 600, 600)}
        elif position == 2:
            kinds = {rows[0]: (BoothKind.RAW, 600, 600), rows[1]: (BoothKind.RAW, 600, 600)}
        else:
            kinds = {}
        specs = _booth_grid(hall, rows, kinds)
        assert not layout.plan_problems(hall.width_cm, hall.depth_cm, [
            layout.Rect(s["code"], s["x_cm"], s["y_cm"], s["width_cm"], s["depth_cm"])
            for s in specs])
        for spec in specs:
            package = {BoothKind.SHELL: "Shell scheme", BoothKind.RAW: "Raw space",
                       BoothKind.PAVILION: "Pavilion"}[spec["kind"]]
            area = spec["width_cm"] * spec["depth_cm"] / 10_000
            db.session.add(Booth(event_id=event.id, hall_id=hall.id, currency=event.currency,
                                 package_id=packages[package].id,
                                 price_minor=int(area * PRICE_PER_M2[spec["kind"]]),
                                 status=BoothStatus.AVAILABLE, **spec))
            created += 1
    # A few booths the organisers keep: the catering and the first-aid corner.
    db.session.flush()
    for code, note in (("D-01", "Catering point"), ("K-16", "First aid")):
        booth = db.session.scalar(sa.select(Booth).where(Booth.event_id == event.id,
                                                         Booth.code == code))
        if booth is not None and booth.status == BoothStatus.AVAILABLE:
            booth.status, booth.note = BoothStatus.BLOCKED, note
    return created


def _packages(event: Event) -> dict[str, BoothPackage]:
    found = {p.name: p for p in db.session.scalars(sa.select(BoothPackage).where(
        BoothPackage.event_id == event.id))}
    for name, badges, description in PACKAGES:
        if name not in found:
            found[name] = BoothPackage(event_id=event.id, name=name, staff_badges=badges,
                                       description=description)
            db.session.add(found[name])
    db.session.flush()
    return found


def _free_booth(event: Event, kind: str | None = None, near_hall: int = 1,
                rng: random.Random | None = None) -> Booth | None:
    """A free booth, preferring the given hall (by position), picked at random in it."""
    query = sa.select(Booth).join(Hall).where(Booth.event_id == event.id,
                                              Booth.status == BoothStatus.AVAILABLE)
    if kind:
        query = query.where(Booth.kind == kind)
    candidates = list(db.session.scalars(
        query.order_by(sa.func.abs(Hall.position - near_hall), Booth.code).limit(12)))
    if not candidates:
        return None
    return (rng or random.Random(0)).choice(candidates)


def _manager(email: str, name: str, organisation: str, country: str) -> User:
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if user is None:
        user = User(email=email, full_name=name, organisation=organisation, country=country)
        db.session.add(user)
        db.session.flush()
    return user


def _exhibitor(event: Event, name: str, country: str, sectors: list[str], pillars: list[str],
               description: str, status: str, owner: User) -> Exhibitor | None:
    if db.session.scalar(sa.select(Exhibitor.id).where(Exhibitor.event_id == event.id,
                                                       Exhibitor.name == name)):
        return None
    if db.session.scalar(sa.select(ExhibitorStaff.id).where(
            ExhibitorStaff.event_id == event.id, ExhibitorStaff.email == owner.email)):
        return None
    slug = "".join(c for c in name.lower() if c.isalnum())[:20]
    exhibitor = Exhibitor(
        event_id=event.id, owner_id=owner.id, name=name, country=country, sectors=sectors,
        pillars=pillars, description=description, website=f"https://www.{slug}.example",
        contact_email=f"expo@{slug}.example",
        status=ExhibitorStatus.APPROVED if status in ("sold", "held") else status,
        reviewed_at=utcnow() if status != "pending" else None)
    db.session.add(exhibitor)
    db.session.flush()
    db.session.add(ExhibitorStaff(event_id=event.id, exhibitor_id=exhibitor.id, user_id=owner.id,
                                  email=owner.email, full_name=owner.full_name,
                                  role=StaffRole.MANAGER))
    if not db.session.scalar(sa.select(EventRole.id).where(
            EventRole.event_id == event.id, EventRole.user_id == owner.id,
            EventRole.role == Role.EXHIBITOR)):
        db.session.add(EventRole(event_id=event.id, user_id=owner.id, role=Role.EXHIBITOR))
    kind = BoothKind.PAVILION if "Corporation" in name or "Authority" in name else (
        BoothKind.RAW if country != "Malaysia" else BoothKind.SHELL)
    if status in ("sold", "held"):
        rng = random.Random(name)
        near = 1 + (len(name) % 3)
        booth = _free_booth(event, kind, near, rng) or _free_booth(event, None, near, rng)
        if booth is not None:
            now = utcnow()
            booth.exhibitor_id = exhibitor.id
            booth.status = BoothStatus.SOLD if status == "sold" else BoothStatus.HELD
            booth.held_until = now + timedelta(days=3) if status == "held" else None
            db.session.add(BoothOrder(
                event_id=event.id, exhibitor_id=exhibitor.id, booth_id=booth.id,
                reference="B-" + secrets.token_hex(4).upper(), amount_minor=booth.price_minor,
                currency=booth.currency,
                status=OrderStatus.PAID if status == "sold" else OrderStatus.PENDING,
                paid_at=now if status == "sold" else None,
                hold_expires_at=booth.held_until, payment_note="Demo bank transfer"
                if status == "sold" else None))
            db.session.flush()
            _refresh_quota(exhibitor.id)
    return exhibitor


def _visitor_pass(event: Event) -> PassType:
    found = db.session.scalar(sa.select(PassType).where(PassType.event_id == event.id,
                                                        PassType.code == "VISITOR"))
    if found is None:
        found = PassType(event_id=event.id, code="VISITOR", name="Expo visitor",
                         description="Free entry to the exhibition halls.", price_minor=0,
                         currency=event.currency, badge_colour="#2F9E5B", position=10)
        db.session.add(found)
        db.session.flush()
    return found


def _visitor(event: Event, email: str, name: str, organisation: str, country: str,
             consent: bool, user: User | None = None) -> Registration:
    existing = db.session.scalar(sa.select(Registration).where(
        Registration.event_id == event.id, Registration.email == email,
        Registration.status.in_(HOLDING)))
    if existing is not None:
        return existing
    registration = Registration(
        event_id=event.id, pass_type_id=_visitor_pass(event).id,
        user_id=user.id if user else None, email=email, full_name=name,
        organisation=organisation, country=country, job_title="Smart City Officer",
        phone="+60 12-345 6789" if consent else None,
        share_contact_with_exhibitors=consent, reference="V" + secrets.token_hex(5).upper())
    db.session.add(registration)
    db.session.flush()
    return registration


def _leads(event: Event, exhibitor: Exhibitor, scanner: User) -> int:
    """A morning's scans at the demo exhibitor's booth, including the demo delegate."""
    rng = random.Random(7)
    delegate = db.session.scalar(sa.select(User).where(User.email == f"delegate@{DEMO_DOMAIN}"))
    visitors = []
    if delegate is not None:
        visitors.append(_visitor(event, delegate.email, delegate.full_name,
                                 delegate.organisation or "", delegate.country or "", True,
                                 delegate))
    cities = reference()["ascn_pilot_cities_2018"]
    for i in range(11):
        country = rng.choice(list(cities))
        visitors.append(_visitor(
            event, f"visitor{i + 1}@visitors.{DEMO_DOMAIN}",
            f"{rng.choice(FIRST)} {rng.choice(LAST)}",
            f"{rng.choice(cities[country])} City Office", country, consent=i % 3 == 0))
    added = 0
    start = utcnow() - timedelta(hours=3)
    for i, registration in enumerate(visitors):
        if db.session.scalar(sa.select(Lead.id).where(Lead.exhibitor_id == exhibitor.id,
                                                      Lead.registration_id == registration.id)):
            continue
        when = start + timedelta(minutes=13 * i)
        db.session.add(Lead(event_id=event.id, exhibitor_id=exhibitor.id,
                            registration_id=registration.id, scanned_by_id=scanner.id,
                            first_scanned_at=when, last_scanned_at=when,
                            rating=rng.choice([None, 2, 3, 4, 5]),
                            tags=rng.sample(["digital twin", "flood", "pilot", "hot",
                                             "procurement", "MoU"], k=rng.randint(0, 2)),
                            follow_up=rng.choice(["new", "new", "to_contact", "contacted",
                                                  "qualified"]),
                            notes=rng.choice([None, "Interested in a pilot for their council.",
                                              "Asked for the API documentation.",
                                              "Wants a site visit in Penang."]),
                            **_contact(registration)))
        added += 1
    return added


def _demo_badge(event: Event, exhibitor: Exhibitor, user: User, email: str, name: str):
    """An exhibitor badge through registration's rules (demo data sends no mail)."""
    registration = reg_services.active_registration(event, email)
    if registration is None:
        [registration] = reg_services.register_group(
            event, reg_services.exhibitor_pass_type(event),
            [reg_services.Person(email, name, exhibitor.name, country="Malaysia")],
            user=user, by_organiser=True, send_mail=False, commit=False, ask_questions=False)
    return registration


def _demo_team(event: Event, exhibitor: Exhibitor) -> None:
    """The manager and two colleagues of the demo exhibitor, each with an exhibitor badge
    (three badges: the shell scheme package)."""
    manager = db.session.scalar(sa.select(ExhibitorStaff).where(
        ExhibitorStaff.exhibitor_id == exhibitor.id, ExhibitorStaff.role == StaffRole.MANAGER))
    if manager is not None and manager.registration_id is None and manager.user is not None:
        manager.registration_id = _demo_badge(event, exhibitor, manager.user, manager.email,
                                              manager.full_name).id
        exhibitor.staff_count += 1
    for email, name in ((f"ahmad.zulkifli@penanglab.{DEMO_DOMAIN}", "Ahmad Zulkifli"),
                        (f"lim.meiling@penanglab.{DEMO_DOMAIN}", "Lim Mei Ling")):
        if db.session.scalar(sa.select(ExhibitorStaff.id).where(
                ExhibitorStaff.event_id == event.id, ExhibitorStaff.email == email)):
            continue
        user = _manager(email, name, exhibitor.name, "Malaysia")
        if not db.session.scalar(sa.select(EventRole.id).where(
                EventRole.event_id == event.id, EventRole.user_id == user.id,
                EventRole.role == Role.EXHIBITOR)):
            db.session.add(EventRole(event_id=event.id, user_id=user.id, role=Role.EXHIBITOR))
        registration = _demo_badge(event, exhibitor, user, email, name)
        db.session.flush()
        db.session.add(ExhibitorStaff(event_id=event.id, exhibitor_id=exhibitor.id,
                                      user_id=user.id, email=email, full_name=name,
                                      registration_id=registration.id, role=StaffRole.STAFF))
        exhibitor.staff_count += 1
    db.session.flush()


def _synthetic(event: Event, scale: int, packages: dict[str, BoothPackage]) -> int:
    """About one exhibitor per 20 delegates, each on a 3 m × 3 m booth in annex halls."""
    wanted = scale // 20
    have = db.session.scalar(sa.select(sa.func.count()).select_from(Exhibitor).where(
        Exhibitor.event_id == event.id, Exhibitor.name.like("Synthetic Exhibitor %")))
    if have >= wanted:
        return 0
    per_row = 30
    rows = math.ceil(wanted / per_row)
    hall = db.session.scalar(sa.select(Hall).where(Hall.event_id == event.id,
                                                   Hall.name == "Annex (benchmark)"))
    depth = 600 + rows * 300 + (rows // 2) * 300 + 300
    if hall is None:
        hall = Hall(event_id=event.id, name="Annex (benchmark)", width_cm=per_row * 300 + 600,
                    depth_cm=depth, position=99)
        db.session.add(hall)
        db.session.flush()
    else:
        hall.depth_cm = max(hall.depth_cm, depth)
    rng = random.Random(scale)
    sectors = ["IoT & sensors", "AI & data platforms", "Mobility & transport",
               "Energy & utilities", "Water & waste"]
    countries = list(reference()["ascn_pilot_cities_2018"])
    owners = []
    for i in range(have + 1, wanted + 1):
        owners.append(User(email=f"exhibitor{i}@synthetic-exhibitors.{DEMO_DOMAIN}",
                           full_name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                           organisation=f"Synthetic Exhibitor {i}",
                           country=rng.choice(countries)))
    db.session.add_all(owners)
    db.session.flush()
    for offset, owner in enumerate(owners):
        i = have + offset
        row, col = divmod(i, per_row)
        exhibitor = Exhibitor(event_id=event.id, owner_id=owner.id, name=owner.organisation,
                              country=owner.country, sectors=rng.sample(sectors, 2),
                              pillars=list((event.themes or [])[:1]),
                              status=ExhibitorStatus.APPROVED, staff_quota=3)
        db.session.add(exhibitor)
        db.session.flush()
        db.session.add(ExhibitorStaff(event_id=event.id, exhibitor_id=exhibitor.id,
                                      user_id=owner.id, email=owner.email,
                                      full_name=owner.full_name, role=StaffRole.MANAGER))
        db.session.add(Booth(event_id=event.id, hall_id=hall.id, code=f"S{row + 1}-{col + 1:02d}",
                             x_cm=300 + col * 300, y_cm=300 + row * 300 + (row // 2) * 300,
                             width_cm=300, depth_cm=300, kind=BoothKind.SHELL,
                             price_minor=9 * PRICE_PER_M2[BoothKind.SHELL],
                             currency=event.currency, package_id=packages["Shell scheme"].id,
                             status=BoothStatus.SOLD, exhibitor_id=exhibitor.id))
    db.session.commit()
    return len(owners)


def load(scale: int = 0) -> str:
    event = _event("scekl25")
    if event is None:
        return ""
    pillars = list(event.themes or [])
    packages = _packages(event)
    booths = _halls(event, packages)
    added = 0
    owner_for_demo = db.session.scalar(sa.select(User).where(
        User.email == f"exhibitor@{DEMO_DOMAIN}"))
    for name, country, sectors, pillar_ix, description, status in EXHIBITORS:
        if name == "Penang Smart City Lab" and owner_for_demo is not None:
            owner = owner_for_demo
        else:
            slug = "".join(c for c in name.lower() if c.isalnum())[:24]
            owner = _manager(f"{slug}@exhibitors.{DEMO_DOMAIN}",
                             f"{FIRST[len(name) % len(FIRST)]} {LAST[len(name) % len(LAST)]}",
                             name, country)
        exhibitor = _exhibitor(event, name, country, sectors,
                               [pillars[i] for i in pillar_ix if i < len(pillars)],
                               description, status, owner)
        added += exhibitor is not None
    db.session.flush()
    leads = 0
    demo = db.session.scalar(sa.select(Exhibitor).where(Exhibitor.event_id == event.id,
                                                        Exhibitor.name == "Penang Smart City Lab"))
    if demo is not None and owner_for_demo is not None:
        _demo_team(event, demo)
        leads = _leads(event, demo, owner_for_demo)
    db.session.commit()
    synthetic = _synthetic(event, scale, packages) if scale else 0
    return (f"{booths} booths, {added} exhibitors, {leads} leads added"
            + (f", {synthetic} synthetic exhibitors" if scale else ""))
