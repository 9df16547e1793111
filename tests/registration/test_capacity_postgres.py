"""Capacity holds under real parallel connections on PostgreSQL."""

from __future__ import annotations

import threading
from datetime import date

import pytest
import sqlalchemy as sa

from expo.core import services as core
from expo.errors import DomainError
from expo.extensions import db
from expo.registration import services
from expo.registration.models import PassType, Registration

pytestmark = pytest.mark.postgres


def _hammer(app, target, count: int, workers: int = 12):
    """Run target(i) for i in range(count) from `workers` threads, each with its own session."""
    outcomes: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(workers)
    indexes = iter(range(count))

    def worker():
        with app.app_context():
            start.wait()
            while True:
                with lock:
                    i = next(indexes, None)
                if i is None:
                    break
                try:
                    target(i)
                    outcome = "ok"
                except DomainError as error:
                    outcome = error.code
                except Exception as error:  # noqa: BLE001 - any crash fails the test below
                    outcome = f"crash: {error!r}"
                finally:
                    db.session.remove()
                with lock:
                    outcomes.append(outcome)

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


@pytest.fixture
def pg_event(pg_app):
    event = core.create_event(None, "scekl25", "Smart City Expo Kuala Lumpur 2025",
                              date(2025, 9, 17), date(2025, 9, 19), status="published")
    pt = services.create_pass_type(None, event, code="DELEGATE", name="Delegate", capacity=50)
    return event.id, pt.id


def _register_on(event_id: int, pass_id: int, i: int, **kwargs):
    event = db.session.get(core.Event, event_id)
    pt = db.session.get(PassType, pass_id)
    services.register(event, pt, services.Person(f"d{i}@example.org", f"Delegate {i}"),
                      **kwargs)


def test_200_parallel_registrations_for_50_places_sell_exactly_50(pg_app, pg_event):
    event_id, pass_id = pg_event
    outcomes = _hammer(pg_app, lambda i: _register_on(event_id, pass_id, i), 200)
    assert outcomes.count("ok") == 50
    assert outcomes.count("sold_out") == 150, sorted(set(outcomes))
    db.session.expire_all()
    assert db.session.get(PassType, pass_id).taken == 50
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)
                             .where(Registration.status == "confirmed")) == 50


def test_the_same_email_registering_in_parallel_gets_one_place(pg_app, pg_event):
    event_id, pass_id = pg_event
    event = db.session.get(core.Event, event_id)

    def same_person(_i):
        ev = db.session.get(core.Event, event_id)
        services.register(ev, db.session.get(PassType, pass_id),
                          services.Person("same@example.org", "Same Person"))

    outcomes = _hammer(pg_app, same_person, 40, workers=12)
    assert outcomes.count("ok") == 1
    assert set(outcomes) == {"ok", "already_registered"}
    db.session.expire_all()
    assert db.session.get(PassType, pass_id).taken == 1
    assert services.active_registration(event, "same@example.org") is not None


def test_parallel_cancellations_release_each_place_once(pg_app, pg_event):
    event_id, pass_id = pg_event
    for i in range(10):
        _register_on(event_id, pass_id, i)
    reg_ids = list(db.session.scalars(sa.select(Registration.id)))

    def cancel(i):
        reg = db.session.get(Registration, reg_ids[i % len(reg_ids)])
        services.cancel(None, reg)

    outcomes = _hammer(pg_app, cancel, 40, workers=12)
    assert outcomes.count("ok") == 10
    db.session.expire_all()
    assert db.session.get(PassType, pass_id).taken == 0
