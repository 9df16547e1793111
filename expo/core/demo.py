"""Demo data for the core: the two reference events and a user for every role."""

from __future__ import annotations

import json
import random
from datetime import date
from importlib import resources

import sqlalchemy as sa

from ..extensions import db
from .models import Event, EventRole, EventStatus, Role, User
from .services import create_event, grant_role, hash_password

DEMO_PASSWORD = "expo-demo-2025"
DEMO_DOMAIN = "demo.expo.my"

# (e-mail, name, roles in both demo events)
DEMO_USERS: list[tuple[str, str, list[str]]] = [
    (f"admin@{DEMO_DOMAIN}", "Site Administrator", ["admin"]),
    (f"organiser@{DEMO_DOMAIN}", "Nurul Aisyah Rahman", ["organiser"]),
    (f"staff@{DEMO_DOMAIN}", "Muthu Krishnan", ["staff"]),
    (f"exhibitor@{DEMO_DOMAIN}", "Tan Wei Ling", ["exhibitor"]),
    (f"speaker@{DEMO_DOMAIN}", "Dr. Ahmad Faizal Hassan", ["speaker"]),
    (f"investor@{DEMO_DOMAIN}", "Siti Mariam Ismail", ["investor"]),
    (f"delegate@{DEMO_DOMAIN}", "Nguyen Thi Lan", ["delegate"]),
]

ORGANISATIONS = {
    "organiser": "Malaysia Digital Economy Corporation (MDEC)",
    "staff": "Kuala Lumpur Convention Centre",
    "exhibitor": "Penang Smart City Lab",
    "speaker": "PLANMalaysia",
    "investor": "Khazanah Nasional",
    "delegate": "Da Nang People's Committee",
    "admin": "expo",
}


def reference() -> dict:
    text = resources.files("expo.data").joinpath("smart-city-reference.json").read_text("utf-8")
    return json.loads(text)


def _events_spec(ref: dict) -> list[dict]:
    pillars = next(f["parts"] for f in ref["frameworks"] if f["code"] == "SCEKL25")
    ascn = next(f["parts"] for f in ref["frameworks"] if f["code"] == "ASCN")
    scekl, ascn8 = ref["events"]["scekl25"], ref["events"]["ascn8"]
    return [
        dict(slug="scekl25", name=scekl["name"], tagline="AI Cities: Shaping Our Digital Future",
             venue=scekl["venue"], city="Kuala Lumpur", country="Malaysia",
             time_zone=scekl["time_zone"], starts_on=date.fromisoformat(scekl["dates"][0]),
             ends_on=date.fromisoformat(scekl["dates"][1]), currency="MYR",
             status=EventStatus.PUBLISHED, themes=pillars,
             description=(
                 "Organised by " + ", ".join(scekl["organisers"][:2]) + " "
                 + scekl["organisers"][2] + ". " + scekl["scale"][0].upper()
                 + scekl["scale"][1:] + ".\n\nThree days of exhibition, policy dialogue and "
                 "business matching between city governments, state agencies, startups and "
                 "investors.")),
        # The name people use for it (the reference calls it "8th Annual Meeting of ...").
        dict(slug="ascn8", name="8th ASEAN Smart Cities Network Annual Meeting",
             tagline="ASEAN cities working together on smart, sustainable urban development",
             venue="Kuala Lumpur", city=ascn8["city"], country="Malaysia",
             time_zone=ascn8["time_zone"], starts_on=date.fromisoformat(ascn8["dates"][0]),
             ends_on=date.fromisoformat(ascn8["dates"][1]), currency="MYR",
             status=EventStatus.PUBLISHED, themes=ascn,
             description=(
                 "Hosted by the " + ascn8["host"] + ".\n\nCountry delegations of the ASEAN "
                 "Smart Cities Network meet for the " + ", ".join(ascn8["programme"][:2])
                 + ", and site visits to the Putrajaya Command Centre and Putrajaya "
                 "Wetlands.")),
    ]


def demo_events() -> list[Event]:
    return list(db.session.scalars(sa.select(Event).where(Event.slug.in_(["scekl25", "ascn8"]))
                                   .order_by(Event.starts_on.desc())))


FIRST = ["Aisyah", "Hafiz", "Mei Ling", "Rajesh", "Siti", "Wei Jie", "Farah", "Arjun", "Nur",
         "Daniel", "Linh", "Budi", "Maria", "Somchai", "Thida", "Jose", "Anh", "Kavitha",
         "Ikhwan", "Chen"]
LAST = ["Abdullah", "Tan", "Lim", "Subramaniam", "Wong", "Ismail", "Nguyen", "Santos",
        "Wijaya", "Srisuk", "Lee", "Ong", "Hassan", "Reyes", "Phan", "Chong", "Yusof"]


def load(scale: int = 0) -> str:
    ref = reference()
    created_events = 0
    for spec in _events_spec(ref):
        if db.session.scalar(sa.select(Event.id).where(Event.slug == spec["slug"])) is None:
            create_event(None, spec["slug"], spec["name"],
                         spec["starts_on"], spec["ends_on"],
                         **{k: v for k, v in spec.items()
                            if k not in ("slug", "name", "starts_on", "ends_on")})
            created_events += 1
    events = demo_events()
    password_hash = hash_password(DEMO_PASSWORD)
    created_users = 0
    for email, name, roles in DEMO_USERS:
        user = db.session.scalar(sa.select(User).where(User.email == email))
        if user is None:
            key = roles[0]
            user = User(email=email, full_name=name, password_hash=password_hash,
                        organisation=ORGANISATIONS[key], is_admin="admin" in roles,
                        country="Viet Nam" if key == "delegate" else "Malaysia")
            db.session.add(user)
            db.session.flush()
            created_users += 1
        for event in events:
            for role in roles:
                if role != "admin":
                    grant_role(None, event, email, role, commit=False)
    db.session.commit()
    added = _synthetic_delegates(events[0], scale) if scale else 0
    return (f"{created_events} events, {created_users} demo users"
            + (f", {added} synthetic delegates" if scale else "") + " added")


def _synthetic_delegates(event: Event, scale: int) -> int:
    """Delegates demo1..demoN@<domain> (no password: they cannot log in)."""
    existing = set(db.session.scalars(sa.select(User.email).where(
        User.email.like(f"delegate%@synthetic.{DEMO_DOMAIN}"))))
    rng = random.Random(42)
    countries = list(reference()["ascn_pilot_cities_2018"])
    added = 0
    batch = []
    for i in range(1, scale + 1):
        email = f"delegate{i}@synthetic.{DEMO_DOMAIN}"
        if email in existing:
            continue
        batch.append(User(email=email, full_name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                          organisation=f"City Office {rng.randint(1, 400)}",
                          country=rng.choice(countries)))
        added += 1
    db.session.add_all(batch)
    db.session.flush()
    db.session.add_all(EventRole(event_id=event.id, user_id=u.id, role=Role.DELEGATE)
                       for u in batch)
    db.session.commit()
    return added
