"""PostgreSQL proof: many people grabbing the last tables of a slot at once."""

from __future__ import annotations

import threading
from datetime import date

import pytest
import sqlalchemy as sa

from expo.core import services as core
from expo.core.models import EventStatus, Role
from expo.errors import Conflict
from expo.extensions import db
from expo.matchmaking import services
from expo.matchmaking.models import MeetingRequest, MeetingSeat, ProjectStatus

from .conftest import future_slots, project_fields, thesis_fields

pytestmark = pytest.mark.postgres

PAIRS = 30  # under the pool size (25 + 10): each thread holds a connection at the barrier
TABLES = 10


def test_parallel_pickers_never_overfill_a_slot(pg_app):
    event = core.create_event(None, "scekl25", "SCEKL25", date(2025, 9, 17), date(2025, 9, 19),
                              status=EventStatus.PUBLISHED)
    organiser = core.create_user("org@example.org", "long-password-1", "Org")
    core.grant_role(None, event, organiser.email, Role.ORGANISER)
    slot = future_slots(organiser, event, tables=TABLES, count=1)[0]
    pairs = []
    for n in range(PAIRS):
        investor = core.create_user(f"i{n}@example.org", "long-password-1", f"Investor {n}")
        owner = core.create_user(f"o{n}@example.org", "long-password-1", f"Owner {n}")
        core.grant_role(None, event, investor.email, Role.INVESTOR)
        core.grant_role(None, event, owner.email, Role.DELEGATE)
        services.save_thesis(investor, event, **thesis_fields(event))
        project = services.create_project(owner, event, **project_fields(event))
        services.moderate_project(organiser, event, project.id, ProjectStatus.APPROVED)
        request = services.request_meeting(investor, event, project_id=project.id)
        services.respond(owner, event, request.id, accept=True)
        pairs.append((owner.id, request.id))
    event_id, slot_id = event.id, slot.id
    db.session.remove()
    barrier = threading.Barrier(PAIRS)
    outcomes: list[str] = []

    def pick(owner_id: int, request_id: int) -> None:
        with pg_app.app_context():
            from expo.core.models import Event, User

            event = db.session.get(Event, event_id)
            user = db.session.get(User, owner_id)
            barrier.wait(30)
            try:
                services.pick_slot(user, event, request_id, slot_id)
                outcomes.append("ok")
            except Conflict as error:
                outcomes.append(error.code)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=pick, args=pair) for pair in pairs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert outcomes.count("ok") == TABLES
    assert len(outcomes) == PAIRS
    placed = db.session.scalars(sa.select(MeetingRequest.table_no).where(
        MeetingRequest.slot_id == slot_id)).all()
    assert sorted(placed) == list(range(1, TABLES + 1))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MeetingSeat)) == 2 * TABLES


def test_one_person_cannot_be_seated_twice_in_a_slot(pg_app):
    event = core.create_event(None, "ascn8", "ASCN8", date(2025, 9, 8), date(2025, 9, 12),
                              status=EventStatus.PUBLISHED)
    organiser = core.create_user("org@example.org", "long-password-1", "Org")
    core.grant_role(None, event, organiser.email, Role.ORGANISER)
    slot = future_slots(organiser, event, tables=5, count=1)[0]
    investor = core.create_user("inv@example.org", "long-password-1", "Investor")
    core.grant_role(None, event, investor.email, Role.INVESTOR)
    services.save_thesis(investor, event, **thesis_fields(event))
    requests = []
    for n in range(6):
        owner = core.create_user(f"o{n}@example.org", "long-password-1", f"Owner {n}")
        core.grant_role(None, event, owner.email, Role.DELEGATE)
        project = services.create_project(owner, event, **project_fields(event))
        services.moderate_project(organiser, event, project.id, ProjectStatus.APPROVED)
        request = services.request_meeting(investor, event, project_id=project.id)
        services.respond(owner, event, request.id, accept=True)
        requests.append(request.id)
    investor_id, event_id, slot_id = investor.id, event.id, slot.id
    db.session.remove()
    barrier = threading.Barrier(len(requests))
    outcomes: list[str] = []

    def pick(request_id: int) -> None:
        with pg_app.app_context():
            from expo.core.models import Event, User

            event, user = db.session.get(Event, event_id), db.session.get(User, investor_id)
            barrier.wait(30)
            try:
                services.pick_slot(user, event, request_id, slot_id)
                outcomes.append("ok")
            except Conflict as error:
                outcomes.append(error.code)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=pick, args=(r,)) for r in requests]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert outcomes.count("ok") == 1, outcomes
