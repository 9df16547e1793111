"""Demo data: seeded taxonomy, realistic city projects, investor theses, requests and slots."""

from __future__ import annotations

import random
from datetime import time, timedelta

import sqlalchemy as sa

from ..core.demo import DEMO_DOMAIN, DEMO_PASSWORD
from ..core.models import Event, Role, User
from ..core.services import create_user, grant_role, user_by_email
from ..extensions import db
from . import scheduler, services
from .models import InvestorThesis, MeetingRequest, Project, ProjectStatus, RequestStatus

M = 100_000_000  # RM 1m in sen

# (owner e-mail or None for the demo delegate, name, organisation, title, summary, city, state,
#  country, policies as (framework, part), sectors, stage, min RM m, max RM m, instruments)
PROJECTS = [
    ("penang", "Dato' Lim Chee Keong", "Penang Island City Council (MBPP)",
     "Penang flood early-warning sensors",
     "A network of 400 IoT river-level and rain sensors across Sungai Pinang and Sungai Juru "
     "basins, feeding an open flood early-warning platform with SMS and app alerts for "
     "residents and the state disaster committee.", "George Town", "Pulau Pinang", "Malaysia",
     [("SCEKL25", "Sustainable & Resilient Cities"), ("ASCN", "Safety & Security"),
      ("MSCF", "Smart Environment")], ["iot", "water", "resilience"], "pilot", 8, 15,
     ["grant", "PPP"]),
    ("putrajaya", "Puan Norhayati Abdullah", "Perbadanan Putrajaya",
     "Putrajaya smart street lighting",
     "Replace 30,000 sodium street lights with connected LED luminaires and a central "
     "management system; energy savings of about 60% repay the investment under an energy "
     "performance contract.", "Putrajaya", "W.P. Putrajaya", "Malaysia",
     [("MSCF", "Smart Environment"), ("MSCF", "Smart Digital Infrastructure"),
      ("ASCN", "Built Infrastructure")], ["energy", "lighting", "iot"], "scale-up", 40, 70,
     ["PPP", "debt", "procurement"]),
    ("johor", "Encik Hafiz Rahman", "Iskandar Regional Development Authority",
     "Johor Bahru bus rapid transit (BRT) signalling and fare system",
     "Account-based ticketing and transit signal priority for the Johor Bahru BRT corridor, "
     "linking the RTS Link to Singapore with feeder buses and open payment cards.",
     "Johor Bahru", "Johor", "Malaysia",
     [("MSCF", "Smart Mobility"), ("ASCN", "Built Infrastructure"),
      ("SCEKL25", "AI Cities")], ["mobility", "transport", "payments"], "feasibility", 120, 250,
     ["PPP", "debt"]),
    ("kuching", "Dr. Jonathan Ling", "Kuching North City Hall (DBKU)",
     "Kuching river clean-up with AI waste monitoring",
     "Camera-equipped trash booms and an AI model that counts floating waste on the Sarawak "
     "River, directing collection boats and measuring the effect of upstream campaigns.",
     "Kuching", "Sarawak", "Malaysia",
     [("ASCN", "Quality Environment"), ("SCEKL25", "Sustainable & Resilient Cities"),
      ("SCEKL25", "AI Cities")], ["water", "waste", "ai"], "pilot", 3, 6, ["grant", "equity"]),
    ("iskandar", "Ir. Siti Rohana Yusof", "Iskandar Puteri City Council (MBIP)",
     "Iskandar Puteri urban digital twin",
     "A 3D digital twin of Iskandar Puteri for planning approvals, flood modelling and "
     "utility coordination, built on open standards and shared with state agencies.",
     "Iskandar Puteri", "Johor", "Malaysia",
     [("SCEKL25", "AI Cities"), ("MSCF", "Smart Government"),
      ("MSCF", "Smart Digital Infrastructure")], ["digital twin", "gis", "planning"],
     "feasibility", 12, 20, ["grant", "procurement"]),
    ("danang", "Nguyen Van Minh", "Da Nang Department of Information and Communications",
     "Da Nang intelligent traffic operations centre",
     "Adaptive signal control at 200 junctions with AI video analytics and an operations "
     "centre shared by police, transport and emergency services.", "Da Nang", "", "Viet Nam",
     [("ASCN", "Safety & Security"), ("MSCF", "Smart Mobility"), ("SCEKL25", "AI Cities")],
     ["mobility", "ai", "public safety"], "scale-up", 60, 110, ["debt", "PPP"]),
    ("cebu", "Maria Santos", "Cebu City Government",
     "Cebu City e-health records for barangay clinics",
     "Cloud health records and tele-consultation for 80 barangay health centres, with "
     "offline-first tablets for community health workers.", "Cebu City", "", "Philippines",
     [("ASCN", "Health & Well-being"), ("SCEKL25", "Community Empowerment through Digital "
                                                   "Solutions")],
     ["health", "cloud"], "pilot", 5, 9, ["grant", "equity"]),
    ("startup", "Aisyah Kamal", "KitaCharge Sdn Bhd",
     "KitaCharge: EV charging for apartment car parks",
     "Shared, load-managed EV chargers for strata apartments in the Klang Valley, paid per "
     "kWh through an app; 120 sites signed, raising a Series A to reach 1,000.",
     "Kuala Lumpur", "W.P. Kuala Lumpur", "Malaysia",
     [("SCEKL25", "Digital Entrepreneurship & Economic Development"),
      ("MSCF", "Smart Mobility"), ("MSCF", "Smart Economy")], ["mobility", "energy", "ev"],
     "scale-up", 15, 25, ["equity"]),
    ("bangkok", "Somchai Prasert", "Bangkok Metropolitan Administration",
     "Bangkok canal water-quality sensing",
     "Real-time water-quality sensors in 50 khlongs with open data for residents and a "
     "pollution-source tracing model for enforcement.", "Bangkok", "", "Thailand",
     [("ASCN", "Quality Environment"), ("MSCF", "Smart Environment")],
     ["water", "iot", "open data"], "concept", 2, 4, ["grant"]),
    ("selangor", "Tan Mei Hua", "Selangor State Government (Smart Selangor)",
     "Smart Selangor digital ID and e-payments for local councils",
     "One sign-on and e-payment gateway for the twelve local councils of Selangor: licences, "
     "assessment tax and complaints in one app.", "Shah Alam", "Selangor", "Malaysia",
     [("MSCF", "Smart Government"), ("ASCN", "Civic & Social")], ["govtech", "payments"],
     "operating", 20, 35, ["procurement", "PPP"]),
]

# (key, name, organisation, kind, policies, sectors, stages, min m, max m, instruments,
#  geographies, thesis)
INVESTORS = [
    ("investor", "", "Khazanah Nasional (Dana Impak)", "sovereign fund",
     [("SCEKL25", "AI Cities"), ("SCEKL25", "Digital Entrepreneurship & Economic Development"),
      ("MSCF", "Smart Mobility")], ["mobility", "ai", "energy", "ev"], ["pilot", "scale-up"],
     10, 60, ["equity", "debt"], ["Malaysia"],
     "Catalytic capital for Malaysian companies and city projects that scale digital "
     "infrastructure, clean mobility and AI for public services."),
    ("adb", "Hiroshi Tanaka", "Asian Development Bank", "development bank",
     [("ASCN", "Built Infrastructure"), ("ASCN", "Quality Environment"),
      ("SCEKL25", "Sustainable & Resilient Cities")], ["water", "transport", "resilience",
                                                       "mobility"],
     ["feasibility", "scale-up", "operating"], 80, 800, ["debt", "PPP", "grant"], ["ASEAN"],
     "Sovereign and non-sovereign loans for climate-resilient urban infrastructure: flood "
     "protection, water, public transport across ASEAN cities."),
    ("worldbank", "Elena Petrova", "World Bank Group (IFC)", "development bank",
     [("MSCF", "Smart Mobility"), ("ASCN", "Built Infrastructure"),
      ("MSCF", "Smart Environment")], ["mobility", "energy", "lighting"],
     ["scale-up", "operating"], 40, 400, ["debt", "PPP"], ["ASEAN"],
     "PPP structuring and long-tenor debt for urban transport and energy efficiency."),
    ("kwap", "Rizal Ibrahim", "Bank Pembangunan Malaysia", "development bank",
     [("MSCF", "Smart Digital Infrastructure"), ("MSCF", "Smart Environment")],
     ["energy", "lighting", "iot"], ["scale-up", "operating"], 20, 100, ["debt"], ["Malaysia"],
     "Green financing for energy-efficient public infrastructure under performance contracts."),
    ("vc", "Grace Lee", "Gobi Partners Southeast Asia", "venture capital",
     [("SCEKL25", "Digital Entrepreneurship & Economic Development"), ("ASCN",
                                                                       "Industry & Innovation")],
     ["ev", "payments", "health", "ai"], ["pilot", "scale-up"], 5, 30, ["equity"],
     ["ASEAN"], "Series A and B rounds of ASEAN startups in mobility, fintech and health tech."),
    ("mdv", "Farid Osman", "Malaysia Debt Ventures", "government fund",
     [("SCEKL25", "AI Cities"), ("MSCF", "Smart Government")],
     ["govtech", "digital twin", "ai", "gis"], ["feasibility", "pilot"], 5, 25,
     ["debt", "grant"], ["Malaysia"],
     "Financing for Malaysian technology companies delivering government digital projects."),
    ("corp", "Ong Boon Hock", "Tenaga Nasional Berhad (corporate ventures)", "corporate",
     [("MSCF", "Smart Environment"), ("MSCF", "Smart Mobility")], ["energy", "ev", "lighting"],
     ["pilot", "scale-up"], 5, 50, ["equity", "procurement"], ["Malaysia"],
     "Strategic investments in EV charging, smart grids and street lighting."),
    ("unicef", "Priya Nair", "Temasek Foundation", "impact fund",
     [("ASCN", "Health & Well-being"), ("ASCN", "Civic & Social"),
      ("ASCN", "Quality Environment")], ["health", "water", "open data"],
     ["concept", "pilot"], 1, 8, ["grant"], ["ASEAN"],
     "Grants for city pilots that improve health, water and community resilience."),
]

SYNTHETIC_CITIES = [("Kota Kinabalu", "Sabah", "Malaysia"), ("Ipoh", "Perak", "Malaysia"),
                    ("Melaka", "Melaka", "Malaysia"), ("Phnom Penh", "", "Cambodia"),
                    ("Makassar", "", "Indonesia"), ("Luang Prabang", "", "Lao PDR"),
                    ("Yangon", "", "Myanmar"), ("Davao City", "", "Philippines"),
                    ("Phuket", "", "Thailand"), ("Ha Noi", "", "Viet Nam"),
                    ("Chiang Mai", "", "Thailand"), ("Sumedang", "", "Indonesia")]
SECTORS = ["mobility", "water", "energy", "health", "govtech", "iot", "ai", "waste", "payments",
           "education", "tourism", "public safety"]


def _user(email: str, name: str, organisation: str, country: str | None = None) -> User:
    user = user_by_email(email)
    if user is None:
        user = create_user(email, DEMO_PASSWORD, name, organisation=organisation,
                           country=country, commit=False)
    return user


def _policy_ids(event: Event, keys) -> list[int]:
    by_key = {(p.framework.code, p.name): p.id for p in services.policies(event)}
    return [by_key[k] for k in keys if k in by_key]


def _projects(event: Event) -> list[Project]:
    made = []
    delegate = user_by_email(f"delegate@{DEMO_DOMAIN}")
    for key, name, org, title, summary, city, state, country, pols, sectors, stage, low, high, \
            instruments in PROJECTS:
        if db.session.scalar(sa.select(Project.id).where(Project.event_id == event.id,
                                                         Project.title == title)):
            continue
        # The demo delegate (of Da Nang) owns the Da Nang project.
        owner = delegate if key == "danang" and delegate is not None else _user(
            f"{key}.projects@{DEMO_DOMAIN}", name, org, country)
        grant_role(None, event, owner.email, Role.DELEGATE, commit=False)
        project = Project(event_id=event.id, owner_id=owner.id, title=title, summary=summary,
                          organisation=org, city=city, state=state or None, country=country,
                          sectors=sectors, stage=stage, funding_min=low * M,
                          funding_max=high * M, currency="MYR", instruments=instruments,
                          links=[], status=ProjectStatus.APPROVED)
        project.policies = services.policies_by_ids(event, _policy_ids(event, pols))
        db.session.add(project)
        made.append(project)
    db.session.flush()
    return made


def _investors(event: Event) -> int:
    added = 0
    for key, name, org, kind, pols, sectors, stages, low, high, instruments, geos, text in \
            INVESTORS:
        email = f"{key}@{DEMO_DOMAIN}" if key == "investor" else f"{key}.invest@{DEMO_DOMAIN}"
        user = _user(email, name or email, org)
        grant_role(None, event, user.email, Role.INVESTOR, commit=False)
        if db.session.scalar(sa.select(InvestorThesis.id).where(
                InvestorThesis.event_id == event.id, InvestorThesis.user_id == user.id)):
            continue
        thesis = InvestorThesis(event_id=event.id, user_id=user.id, organisation=org,
                                investor_type=kind, sectors=sectors, stages=stages,
                                ticket_min=low * M, ticket_max=high * M, currency="MYR",
                                instruments=instruments, geographies=geos, thesis=text)
        thesis.policies = services.policies_by_ids(event, _policy_ids(event, pols))
        db.session.add(thesis)
        added += 1
    db.session.flush()
    return added


def _synthetic(event: Event, scale: int) -> tuple[int, int]:
    """`scale` delegates -> scale/4 projects and scale/10 investors, seeded and repeatable."""
    rng = random.Random(event.id * 7919 + scale)
    policy_ids = [p.id for p in services.policies(event)]
    target_projects, target_investors = scale // 4, scale // 10
    have = db.session.scalar(sa.select(sa.func.count()).select_from(Project).where(
        Project.event_id == event.id, Project.title.like("Synthetic %"))) or 0
    owners = []
    for n in range(have, target_projects):
        city, state, country = rng.choice(SYNTHETIC_CITIES)
        sectors = rng.sample(SECTORS, 2)
        owner = _user(f"owner{n}@projects.{DEMO_DOMAIN}", f"Project Owner {n}",
                      f"{city} City Council", country)
        owners.append(owner)
        low = rng.choice([1, 2, 5, 10, 20, 50])
        project = Project(event_id=event.id, owner_id=owner.id,
                          title=f"Synthetic {sectors[0]} project {n} in {city}",
                          summary=f"A {sectors[0]} and {sectors[1]} programme for {city}: "
                                  "sensors, data platform and services for residents.",
                          city=city, state=state or None, country=country, sectors=sectors,
                          stage=rng.choice(services.STAGES), funding_min=low * M,
                          funding_max=low * rng.choice([2, 3, 4]) * M, currency="MYR",
                          instruments=rng.sample(list(services.INSTRUMENTS), 2), links=[],
                          status=ProjectStatus.APPROVED)
        project.policies = services.policies_by_ids(event, rng.sample(policy_ids, 2))
        db.session.add(project)
    have_i = db.session.scalar(sa.select(sa.func.count()).select_from(InvestorThesis).join(User)
                               .where(InvestorThesis.event_id == event.id,
                                      User.email.like(f"%@funds.{DEMO_DOMAIN}"))) or 0
    for n in range(have_i, target_investors):
        user = _user(f"fund{n}@funds.{DEMO_DOMAIN}", f"Fund Manager {n}", f"ASEAN Fund {n}")
        low = rng.choice([1, 5, 10, 20])
        thesis = InvestorThesis(event_id=event.id, user_id=user.id,
                                organisation=f"ASEAN Fund {n}", investor_type="venture capital",
                                sectors=rng.sample(SECTORS, 3),
                                stages=rng.sample(list(services.STAGES), 2),
                                ticket_min=low * M, ticket_max=low * 5 * M, currency="MYR",
                                instruments=rng.sample(list(services.INSTRUMENTS), 2),
                                geographies=["ASEAN"], thesis="Smart-city infrastructure.")
        thesis.policies = services.policies_by_ids(event, rng.sample(policy_ids, 3))
        db.session.add(thesis)
    db.session.flush()
    return max(target_projects - have, 0), max(target_investors - have_i, 0)


def _requests(event: Event) -> int:
    """Some accepted requests (the demo investor and delegate take part) and a pending one."""
    investor = user_by_email(f"investor@{DEMO_DOMAIN}")
    theses = {t.user_id: t for t in services.theses(event)}
    added = 0
    plan = [(investor, "KitaCharge", RequestStatus.ACCEPTED),
            (investor, "Johor Bahru bus", RequestStatus.ACCEPTED),
            (investor, "Iskandar Puteri", RequestStatus.PENDING),
            (investor, "Da Nang", RequestStatus.PENDING),
            (user_by_email(f"adb.invest@{DEMO_DOMAIN}"), "Penang flood", RequestStatus.ACCEPTED),
            (user_by_email(f"worldbank.invest@{DEMO_DOMAIN}"), "Putrajaya smart",
             RequestStatus.ACCEPTED),
            (user_by_email(f"adb.invest@{DEMO_DOMAIN}"), "Da Nang", RequestStatus.ACCEPTED),
            (user_by_email(f"mdv.invest@{DEMO_DOMAIN}"), "Iskandar Puteri",
             RequestStatus.PENDING)]
    for user, title, status in plan:
        if user is None or user.id not in theses:
            continue
        project = db.session.scalar(sa.select(Project).where(Project.event_id == event.id,
                                                             Project.title.like(f"{title}%")))
        thesis = theses[user.id]
        if project is None or db.session.scalar(sa.select(MeetingRequest.id).where(
                MeetingRequest.thesis_id == thesis.id, MeetingRequest.project_id == project.id)):
            continue
        requester, recipient = user, project.owner
        db.session.add(MeetingRequest(
            event_id=event.id, thesis_id=thesis.id, project_id=project.id,
            requester_id=requester.id, recipient_id=recipient.id, status=status,
            message="Keen to understand your pipeline and co-financing plans.",
            score=round(services.explain_pair(event, thesis, project)[0], 2)))
        added += 1
    db.session.flush()
    return added


def _place(event: Event) -> None:
    """Seat the accepted demo meetings around each person's sessions (by the organisers).

    The scheduler leaves past slots alone, and the demo events' dates are past on today's
    clock: placing directly keeps the demo's agendas filled either way. Each meeting goes to
    a common free slot of the two people (`busy_slots`: not while they speak, sit in a
    workshop or ride a site-visit bus), spread over the days; slots clear of the talks they
    starred too are preferred, as an organiser placing by hand would.
    """
    from ..sessions import services as sessions

    slot_rows = services.slots(event)
    plain = [scheduler.Slot(s.id, s.tables) for s in slot_rows]
    by_id = {s.id: s for s in slot_rows}
    accepted = services._accepted(event)
    people = {p for r in accepted for p in services._people(r)}
    busy = services.busy_slots(event, people)
    starred: dict[int, set[int]] = {}
    for person in people:
        talks = sessions.my_agenda(db.session.get(User, person), event).talks
        starred[person] = {s.id for s in slot_rows for t in talks
                           if s.starts_at < t.end and t.start < s.ends_at}
    for n, request in enumerate(accepted):
        if request.slot_id is not None:
            continue
        a, b = services._people(request)
        free = scheduler.common_free_slots(a, b, plain, busy, services._booked(event))
        if not free:
            continue
        free = [f for f in free if f not in starred[a] | starred[b]] or free
        slot = by_id[free[(7 * n) % len(free)]]
        used = {r.table_no for r in accepted if r.slot_id == slot.id}
        services._seat(request, slot, min(set(range(1, slot.tables + 1)) - used), "organiser")
        if n % 3 == 0:
            request.attendance = "held"
            request.follow_up = "due_diligence"
    db.session.commit()


def load(scale: int = 0) -> str:
    event = db.session.scalar(sa.select(Event).where(Event.slug == "scekl25"))
    other = db.session.scalar(sa.select(Event).where(Event.slug == "ascn8"))
    if event is None:
        return ""
    for ev in (event, other):
        if ev is not None:
            services.seed_taxonomy(ev, commit=False)
    projects = len(_projects(event))
    investors = _investors(event)
    synthetic = _synthetic(event, scale) if scale else (0, 0)
    db.session.commit()
    requests = _requests(event)
    db.session.commit()
    slots_added = 0
    if not services.slots(event):
        organiser = user_by_email(f"organiser@{DEMO_DOMAIN}")
        days = [event.starts_on + timedelta(days=n)
                for n in range((event.ends_on - event.starts_on).days + 1)]
        for start, end in ((time(10, 0), time(12, 40)), (time(14, 0), time(17, 0))):
            slots_added += len(services.create_slot_series(
                organiser, event, days=days, start=start, end=end, minutes=20, tables=20))
        _place(event)
    return (f"{projects} projects, {investors} investor theses, {requests} meeting requests, "
            f"{slots_added} slots"
            + (f"; synthetic {synthetic[0]} projects, {synthetic[1]} investors" if scale else ""))
