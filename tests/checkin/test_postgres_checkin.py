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


def _device_client(app):
    """The venue of conftest on PostgreSQL, and a POST as a gate device."""
    from .conftest import Venue

    event = core.create_event(None, "scekl25", "Smart City Expo Kuala Lumpur 2025",
                              date(2025, 9, 17), date(2025, 9, 19),
                              status=EventStatus.PUBLISHED)
    venue = Venue(event)
    organiser = core.create_user("org@example.org", "correct horse battery", "Organiser")
    core.grant_role(None, event, organiser.email, Role.ORGANISER)
    _device, plain = services.create_device(organiser, event, "Turnstile 1", None)
    client = app.test_client()

    def post(code, gate="main-hall", **fields):
        return client.post("/api/v1/events/scekl25/checkin", headers={
            "Authorization": f"Bearer {plain}"}, json={
            "code": code, "gate": gate, "scanned_at": DAY1_10AM.isoformat(), **fields}).json

    return venue, post


def test_first_scan_by_device_token_on_postgres_is_at_most_two_statements(pg_app):
    venue, post = _device_client(pg_app)
    post(venue.badge(venue.person()))  # the token's last_used_at, the gate memo
    code = venue.badge(venue.person())
    db.session.remove()  # as in production: nothing of the request already in the session
    seen: list[str] = []

    def listen(_conn, _cursor, statement, *_args):
        seen.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", listen)
    try:
        assert post(code)["result"] == "ok"
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", listen)
    statements = [s.split()[0] for s in seen]
    # One SELECT: the token, its user and the badge's registration with its pass type;
    # one statement: the presence and the scan log.
    assert len(statements) <= 2 and statements == ["SELECT", "WITH"], seen
    assert "api_tokens" in seen[0] and "registrations" in seen[0]


def test_every_entry_answer_on_postgres_through_the_api(pg_app):
    venue, post = _device_client(pg_app)
    code = venue.badge(venue.person(name="Siti Nurhaliza"))
    first = post(code)
    assert first["result"] == "ok" and first["attendee"]["name"] == "Siti Nurhaliza"
    again = post(code)
    assert again["result"] == "already_checked_in"
    assert again["first_checked_in_at"] == "2025-09-17T02:00:00+00:00"
    assert again["attendee"]["name"] == "Siti Nurhaliza"
    assert [post(code, gate="plenary")["result"], post(code, gate="plenary")["result"],
            post(code, gate="plenary", direction="out")["result"],
            post(code, gate="plenary")["result"]] == ["ok", "already_checked_in", "ok", "ok"]
    i = len(code) - 20  # a character inside the signature, always a real change
    tampered = code[:i] + ("B" if code[i] == "A" else "A") + code[i + 1:]
    assert post(tampered)["result"] == "invalid"
    other = venue.badge(venue.person())
    once, twice = post(other, nonce="turnstile-0001"), post(other, nonce="turnstile-0001")
    assert once["result"] == twice["result"] == "ok" and twice["replayed"] is True
    retry_of_repeat = post(code, nonce="turnstile-0002")
    assert post(code, nonce="turnstile-0002")["scan_id"] == retry_of_repeat["scan_id"]
    presence = db.session.scalar(sa.select(Presence).where(Presence.gate_id == venue.plenary.id))
    assert presence.entries == 2 and presence.inside
    results = list(db.session.scalars(sa.select(Scan.result).order_by(Scan.id)))
    assert results == ["ok", "already_checked_in", "ok", "already_checked_in", "ok", "ok",
                       "invalid", "ok", "already_checked_in"]


def _api_in_parallel(app, n: int, body: dict, token: str) -> list:
    """n scanners POST at the same instant, each with its own connection (no BEGIN/COMMIT
    on this path: every write is one statement)."""
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def run(i: int) -> None:
        client = app.test_client()
        barrier.wait()
        results[i] = client.post("/api/v1/events/scekl25/checkin", json=body,
                                 headers={"Authorization": f"Bearer {token}"}).json

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def _device_token(app):
    event_id, _staff_id, code = _setup(app)
    from expo.core.models import Event, User

    event = db.session.get(Event, event_id)
    organiser = db.session.scalar(sa.select(User).where(User.email == "gate@example.org"))
    _device, plain = services.create_device(organiser, event, "Turnstile", None)
    db.session.remove()
    return plain, code


def test_twenty_parallel_api_scans_of_one_badge_admit_exactly_once(pg_app):
    token, code = _device_token(pg_app)
    body = {"code": code, "gate": "main-hall", "scanned_at": DAY1_10AM.isoformat()}
    results = [r["result"] for r in _api_in_parallel(pg_app, 20, body, token)]
    assert results.count("ok") == 1 and results.count("already_checked_in") == 19
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Presence)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Scan)) == 20


def test_twenty_parallel_api_retries_of_one_nonce_record_one_scan(pg_app):
    token, code = _device_token(pg_app)
    body = {"code": code, "gate": "main-hall", "scanned_at": DAY1_10AM.isoformat(),
            "nonce": "turnstile-7-000001"}
    answers = _api_in_parallel(pg_app, 20, body, token)
    assert {a["result"] for a in answers} == {"ok"}
    assert len({a["scan_id"] for a in answers}) == 1
    assert sum(1 for a in answers if not a["replayed"]) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Scan)) == 1
    assert db.session.scalar(sa.select(Presence.entries)) == 1
