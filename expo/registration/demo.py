"""Demo data: pass types, questions, a voucher and registrations for SCEKL25 and ASCN8."""

from __future__ import annotations

import random

import sqlalchemy as sa

from ..core.demo import DEMO_DOMAIN, FIRST, LAST, reference
from ..core.models import Event, User
from ..extensions import db
from . import services
from .models import Delegation, PassType, Question, Registration, Voucher

SCEKL_PASSES = [
    dict(code="VISITOR", name="Exhibition visitor", price_minor=0, capacity=10000,
         description="Three days of exhibition halls, the main stage and startup pitches.",
         badge_colour="#0B5D7A", zones=["main-hall"], position=1),
    dict(code="DELEGATE", name="Conference delegate", price_minor=35000, capacity=2000,
         description="Plenary, policy dialogues on the four pillars, business matching and "
                     "lunch on all three days.",
         badge_colour="#6A3D9A", zones=["main-hall", "plenary"], position=2),
    dict(code="GOV", name="Government official", price_minor=0, capacity=300,
         requires_approval=True, badge_colour="#B8860B",
         description="For officers of federal ministries, state governments and city "
                     "councils; confirmed by the organisers.",
         zones=["main-hall", "plenary", "vip"], position=3),
    dict(code="MEDIA", name="Media", price_minor=0, capacity=120, requires_approval=True,
         badge_colour="#C0392B", description="Accredited press. Bring your press card.",
         zones=["main-hall", "plenary"], position=4),
    dict(code="EXHIBITOR", name="Exhibitor staff", price_minor=0, visibility="hidden",
         badge_colour="#1F7A3A", zones=["main-hall"], position=5),
]
ASCN_PASSES = [
    dict(code="ASCN", name="ASCN country delegate", price_minor=0, capacity=250,
         visibility="invite", badge_colour="#003F87",
         description="Country delegations of the ten ASEAN member states.",
         zones=["plenary"], position=1),
    dict(code="PARTNER", name="Partner and observer", price_minor=60000, capacity=80,
         requires_approval=True, badge_colour="#7A5C00",
         description="ASEAN external partners, development banks and observers.",
         zones=["plenary"], position=2),
]


def _passes(event: Event, specs: list[dict]) -> int:
    added = 0
    for spec in specs:
        if db.session.scalar(sa.select(PassType.id).where(PassType.event_id == event.id,
                                                          PassType.code == spec["code"])):
            continue
        services.create_pass_type(None, event, **spec)
        added += 1
    return added


def _question(event: Event, label: str, kind: str, **kwargs) -> None:
    if db.session.scalar(sa.select(Question.id).where(Question.event_id == event.id,
                                                      Question.label == label)):
        return
    db.session.add(Question(event_id=event.id, label=label, kind=kind,
                            choices=kwargs.get("choices", []),
                            required=kwargs.get("required", False),
                            pass_type_ids=kwargs.get("pass_type_ids", []),
                            position=kwargs.get("position", 0)))
    db.session.commit()


def _register(event: Event, code: str, email: str, name: str, organisation: str,
              country: str, **kwargs) -> bool:
    if services.active_registration(event, email) is not None:
        return False
    pt = services.pass_type_by_code(event, code)
    user = db.session.scalar(sa.select(User).where(User.email == email))
    answers = {str(q.id): (q.choices[len(email) % len(q.choices)] if q.choices else "no")
               for q in services.questions_for(event, pt.id) if q.required}
    services.register_group(event, pt, [services.Person(email, name, organisation,
                                                        country=country)],
                            answers=[answers], user=user,
                            voucher_code=kwargs.get("voucher_code"),
                            by_organiser=kwargs.get("by_organiser", False), send_mail=False)
    return True


def load(scale: int = 0) -> str:
    ref = reference()
    events = {e.slug: e for e in db.session.scalars(sa.select(Event).where(
        Event.slug.in_(["scekl25", "ascn8"])))}
    if len(events) < 2:
        return ""
    scekl, ascn = events["scekl25"], events["ascn8"]
    added = _passes(scekl, SCEKL_PASSES) + _passes(ascn, ASCN_PASSES)
    pillars = next(f["parts"] for f in ref["frameworks"] if f["code"] == "SCEKL25")
    _question(scekl, "Which pillar interests you most?", "single", choices=pillars,
              required=True, position=1)
    _question(scekl, "Dietary requirements", "single",
              choices=["None", "Halal", "Vegetarian", "Vegan"], position=2)
    _question(ascn, "Site visits you would like to join", "multiple",
              choices=["Putrajaya Command Centre", "Putrajaya Wetlands"], position=1)
    _question(ascn, "Do you need a visa support letter?", "yesno", required=True, position=2)
    if not db.session.scalar(sa.select(Voucher.id).where(Voucher.event_id == scekl.id)):
        db.session.add(Voucher(event_id=scekl.id, code="ASEAN15", kind="percent", value=15,
                               max_uses=200, pass_type_ids=[]))
        db.session.add(Voucher(event_id=scekl.id, code="SPEAKER2025", kind="free", value=0,
                               max_uses=60, pass_type_ids=[]))
        db.session.commit()
    settings = services.ensure_settings(scekl)
    if not settings.bank_details:
        settings.bank_details = ("Maybank Berhad, account 5140 1234 5678\n"
                                 "Malaysia Digital Economy Corporation Sdn Bhd\n"
                                 "SWIFT MBBEMYKL")
        settings.seller_name = "Malaysia Digital Economy Corporation Sdn Bhd"
        settings.tax_rate_bp, settings.tax_label = 800, "SST"
    db.session.commit()

    if not db.session.scalar(sa.select(Voucher.id).where(Voucher.event_id == scekl.id,
                                                         Voucher.code == "INVESTOR2025")):
        db.session.add(Voucher(event_id=scekl.id, code="INVESTOR2025", kind="free", value=0,
                               max_uses=80, pass_type_ids=[]))
        db.session.commit()

    people = 0
    # The demo people of the other features' stories: the delegate (Da Nang) visits SCEKL25
    # and holds an ASCN8 country-delegate pass (site visits); the speaker and the investor
    # hold complimentary conference passes.
    people += _register(scekl, "VISITOR", f"delegate@{DEMO_DOMAIN}", "Nguyen Thi Lan",
                        "Da Nang People's Committee", "Viet Nam")
    people += _register(ascn, "ASCN", f"delegate@{DEMO_DOMAIN}", "Nguyen Thi Lan",
                        "Da Nang People's Committee", "Viet Nam", by_organiser=True)
    people += _register(scekl, "DELEGATE", f"speaker@{DEMO_DOMAIN}", "Dr. Ahmad Faizal Hassan",
                        "PLANMalaysia", "Malaysia", voucher_code="SPEAKER2025")
    people += _register(scekl, "DELEGATE", f"investor@{DEMO_DOMAIN}", "Siti Mariam Ismail",
                        "Khazanah Nasional", "Malaysia", voucher_code="INVESTOR2025")
    rng = random.Random(7)
    cities = ref["ascn_pilot_cities_2018"]
    for country, names in cities.items():
        for city in names[:1]:
            first, last = rng.choice(FIRST), rng.choice(LAST)
            slug = city.replace(" ", "").lower()
            email = f"{first.split()[0].lower()}.{last.lower()}@{slug}.ascn.{DEMO_DOMAIN}"
            people += _register(scekl, rng.choice(["VISITOR", "GOV"]), email, f"{first} {last}",
                                f"{city} City Council", country)
    for state in ref["malaysia_states"][:6]:
        first, last = rng.choice(FIRST), rng.choice(LAST)
        slug = state.split()[-1].lower()
        email = f"{first.split()[0].lower()}.{last.lower()}@{slug}.states.{DEMO_DOMAIN}"
        people += _register(scekl, "GOV", email, f"{first} {last}",
                            f"State Government of {state}", "Malaysia")
    people += _delegations(ascn, cities, rng)
    synthetic = _synthetic(scekl, scale) if scale else 0
    return (f"{added} pass types, {people} registrations"
            + (f", {synthetic} synthetic registrations" if scale else "") + " added")


def _delegations(event: Event, cities: dict, rng: random.Random) -> int:
    """One ASCN8 delegation per member state, registered by the organisers (invite pass)."""
    pt = services.pass_type_by_code(event, "ASCN")
    added = 0
    for country, names in cities.items():
        name = f"{country} delegation"
        if db.session.scalar(sa.select(Delegation.id).where(Delegation.event_id == event.id,
                                                            Delegation.name == name)):
            continue
        people = []
        for index, city in enumerate(names[:3]):
            first, last = rng.choice(FIRST), rng.choice(LAST)
            slug = city.replace(" ", "").lower()
            people.append(services.Person(
                f"{first.split()[0].lower()}.{last.lower()}{index}@{slug}.ascn8.{DEMO_DOMAIN}",
                f"{first} {last}", f"{city} City", country=country,
                role="Head of delegation" if index == 0 else "City representative"))
        answers = [{str(q.id): "no" for q in services.questions_for(event, pt.id)
                    if q.kind == "yesno"} for _ in people]
        services.register_group(event, pt, people, answers=answers, by_organiser=True,
                                delegation={"name": name, "country": country},
                                send_mail=False)
        added += len(people)
    return added


def _synthetic(event: Event, scale: int) -> int:
    """Confirmed visitor registrations for the core's synthetic delegates (bulk, no mail)."""
    pt = services.pass_type_by_code(event, "VISITOR")
    have = set(db.session.scalars(sa.select(Registration.email).where(
        Registration.event_id == event.id, Registration.email.like(f"%@synthetic.{DEMO_DOMAIN}"))))
    users = db.session.scalars(sa.select(User).where(
        User.email.like(f"delegate%@synthetic.{DEMO_DOMAIN}")).order_by(User.id)).all()
    rows = [Registration(event_id=event.id, pass_type_id=pt.id, user_id=u.id, email=u.email,
                         full_name=u.full_name, organisation=u.organisation, country=u.country,
                         status="confirmed", payment_status="none", price_minor=0,
                         currency="MYR", badge_serial=1, reference=services.new_reference(),
                         answers={}) for u in users if u.email not in have]
    needed = len(rows)
    if pt.capacity is not None and pt.taken + needed > pt.capacity:
        db.session.execute(sa.update(PassType).where(PassType.id == pt.id)
                           .values(capacity=pt.taken + needed))
    db.session.add_all(rows)
    db.session.execute(sa.update(PassType).where(PassType.id == pt.id)
                       .values(taken=PassType.taken + needed))
    db.session.commit()
    return needed
