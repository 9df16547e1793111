"""At-most-once entry and nonce idempotency, proven with real parallel connections."""

import threading
from datetime import date

import pytest
import sqlalchemy as sa

from expo.checkin import services
from expo.checkin.models import Presence, Scan
from expo.core import services as core
from expo.core.models import EventStatus, Role
from expo.extensions import db
from expo.registration.badges import badge_token

from .conftest import DAY1_10AM, make_pass_type, make_registration

pytestmark = pytest.mark.postgres


def _setup(app):
    event = core.create_event(None, "scekl25", "Smart City Expo Kuala Lumpur 2025",
                              date(2025, 9, 17), date(2025, 9, 19),
                              status=EventStatus.PUBLISHED)
    delegate = make_pass_type(event, "delegate", "Delegate", ["main-hall"])
    services.save_gate(None, event, code="main-hall", name="Main hall", zone_code="main-hall",
                       zone_name="Main hall")
    staff = core.create_user("gate@example.org", "correct horse battery", "Gate staff")
    core.grant_role(None, event, staff.email, Role.STAFF)
    person = make_registration(event, delegate)
    return event.id, staff.id, badge_token(person)


def _in_parallel(app, n: int, work) -> list:
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def run(i: int) -> None:
        with app.app_context():
            try:
                barrier.wait()
                results[i] = work(i)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def _scan_once(event_id, staff_id, code, nonce=None):
    from expo.core.models import Event, User

    event, staff = db.session.get(Event, event_id), db.session.get(User, staff_id)
    return services.scan(event, gate_code="main-hall", code=code, user=staff, nonce=nonce,
                         scanned_at=DAY1_10AM).result


def test_twenty_parallel_scans_of_one_badge_admit_exactly_once(pg_app):
    event_id, staff_id, code = _setup(pg_app)
    results = _in_parallel(pg_app, 20, lambda i: _scan_once(event_id, staff_id, code))
    assert sorted(results).count("ok") == 1
    assert results.count("already_checked_in") == 19
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Presence)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Scan)) == 20


def test_twenty_parallel_retries_of_one_nonce_record_one_scan(pg_app):
    event_id, staff_id, code = _setup(pg_app)
    results = _in_parallel(pg_app, 20,
                           lambda i: _scan_once(event_id, staff_id, code, "retry-nonce-1"))
    assert results == ["ok"] * 20
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Scan)) == 1
