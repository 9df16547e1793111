"""Fixtures: an event with its seeded taxonomy, an investor with a thesis, an owner's project."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from expo.core.models import Role
from expo.matchmaking import services
from expo.matchmaking.models import ProjectStatus

M = 100_000_000


def policy_id(event, code: str, name: str) -> int:
    return next(p.id for p in services.policies(event)
                if p.framework.code == code and p.name == name)


def project_fields(event, **overrides) -> dict:
    fields = dict(title="Johor Bahru BRT fare system",
                  summary="Account-based ticketing and signal priority for the BRT corridor.",
                  city="Johor Bahru", state="Johor", country="Malaysia",
                  policy_ids=[policy_id(event, "MSCF", "Smart Mobility")],
                  sectors=["mobility", "payments"], stage="feasibility",
                  funding_min=10 * M, funding_max=14 * M, currency="MYR",
                  instruments=["PPP", "debt"])
    fields.update(overrides)
    return fields


def thesis_fields(event, **overrides) -> dict:
    fields = dict(organisation="Asian Development Bank", investor_type="development bank",
                  policy_ids=[policy_id(event, "ASCN", "Built Infrastructure")],
                  sectors=["mobility"], stages=["feasibility", "pilot"],
                  ticket_min=5 * M, ticket_max=20 * M, currency="MYR",
                  instruments=["debt"], geographies=["Malaysia"],
                  thesis="Loans for public transport and ticketing in ASEAN cities.")
    fields.update(overrides)
    return fields


@pytest.fixture
def investor(people, event):
    user = people.make(Role.INVESTOR, event, name="Siti Mariam Ismail")
    services.save_thesis(user, event, **thesis_fields(event))
    return user


@pytest.fixture
def owner(people, event):
    return people.make(Role.DELEGATE, event, name="Hafiz Rahman")


@pytest.fixture
def project(owner, event, organiser):
    made = services.create_project(owner, event, **project_fields(event))
    services.moderate_project(organiser, event, made.id, ProjectStatus.APPROVED)
    return made


@pytest.fixture
def accepted(investor, owner, project, event):
    request = services.request_meeting(investor, event, project_id=project.id, message="Hello")
    return services.respond(owner, event, request.id, accept=True)


def future_slots(organiser, event, *, tables: int = 2, count: int = 3):
    """Slots far in the future (the event's own dates are in the past on this clock)."""
    from expo.extensions import db

    event.starts_on = (datetime.now(UTC) + timedelta(days=30)).date()
    event.ends_on = event.starts_on + timedelta(days=2)
    db.session.commit()
    end = (datetime.combine(event.starts_on, time(10, 0)) + timedelta(minutes=20 * count)).time()
    return services.create_slot_series(organiser, event, days=[event.starts_on],
                                       start=time(10, 0), end=end, minutes=20, tables=tables)
