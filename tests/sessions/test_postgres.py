"""Seats are never oversold: parallel sign-ups for the last seats on PostgreSQL."""

from __future__ import annotations

import threading
import uuid
from datetime import date, time, timedelta

import pytest
import sqlalchemy as sa

from expo.core import services as core
from expo.core.models import EventStatus, User
from expo.extensions import db
from expo.registration.models import PassType, Registration
from expo.sessions import services
from expo.sessions.models import SignUp, SignUpStatus, Talk
from expo.timeutil import local_to_utc

pytestmark = pytest.mark.postgres

SEATS = 50
PEOPLE = 200


def _setup(kind: str) -> tuple[int, list[int]]:
    # Real time (threads and frozen clocks do not mix): an event a month from now.
    first = date.today() + timedelta(days=30)
    event = core.create_event(None, "scekl25", "Smart City Expo Kuala Lumpur",
                              first, first + timedelta(days=2), status=EventStatus.PUBLISHED)
    pass_type = PassType(event_id=event.id, code="DELEGATE", name="Delegate")
    db.session.add(pass_type)
    db.session.flush()
    users = []
    for i in range(PEOPLE):
        user = User(email=f"d{i}-{uuid.uuid4().hex[:6]}@example.org", full_name=f"Delegate {i}")
        db.session.add(user)
        db.session.flush()
        db.session.add(Registration(event_id=event.id, pass_type_id=pass_type.id,
                                    user_id=user.id, email=user.email, full_name=user.full_name,
                                    reference=uuid.uuid4().hex[:12].upper()))
        users.append(user.id)
    db.session.commit()
    talk, _ = services.save_talk(None, event, title="Hands-on: Open Data Dashboards", kind=kind,
                                 starts_at=local_to_utc(first, time(10), event.time_zone),
                                 ends_at=local_to_utc(first, time(12), event.time_zone),
                                 capacity=SEATS)
    services.publish(None, event)
    return talk.id, users


def _race(app, talk_id: int, users: list[int]) -> list[str]:
    barrier = threading.Barrier(len(users))
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt(user_id: int) -> None:
        barrier.wait()  # before any query: 200 threads share a pool of 35 connections
        with app.app_context():
            try:
                event = core.event_by_slug("scekl25")
                user = db.session.get(User, user_id)
                result = services.signup(user, event, talk_id).status
            except Exception as error:  # noqa: BLE001 - the outcome is what we count
                result = getattr(error, "code", repr(error))
            finally:
                db.session.remove()
            with lock:
                outcomes.append(result)

    threads = [threading.Thread(target=attempt, args=(u,)) for u in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


def test_200_parallel_sign_ups_for_50_panel_seats_seat_exactly_50(pg_app):
    talk_id, users = _setup("panel")
    outcomes = _race(pg_app, talk_id, users)
    assert outcomes.count("confirmed") == SEATS
    assert outcomes.count("talk_full") == PEOPLE - SEATS, set(outcomes)
    db.session.expire_all()
    assert db.session.get(Talk, talk_id).taken == SEATS
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SignUp)
                             .where(SignUp.status == SignUpStatus.CONFIRMED)) == SEATS


def test_200_parallel_sign_ups_for_a_workshop_seat_50_and_queue_150(pg_app):
    talk_id, users = _setup("workshop")
    outcomes = _race(pg_app, talk_id, users)
    assert (outcomes.count("confirmed"), outcomes.count("waiting")) == (SEATS, PEOPLE - SEATS)
    db.session.expire_all()
    assert db.session.get(Talk, talk_id).taken == SEATS
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SignUp)
                             .where(SignUp.status == SignUpStatus.CONFIRMED)) == SEATS
