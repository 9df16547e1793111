"""The per-worker memo of gates, devices and staff scopes that keeps scanning fast.

A change made through this worker is seen by the very next scan; a change made by
another worker (here: plain SQL behind the session's back) within the cache's few
seconds.
"""

import sqlalchemy as sa

from expo.checkin import cache, services
from expo.checkin.models import Gate
from expo.core.models import Role
from expo.extensions import db


class Clock:
    """Stands in for time.monotonic in cache.py."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_organiser_closing_a_gate_stops_the_next_scan(venue, scan, event):
    code = venue.badge(venue.person())
    assert scan(venue.badge(venue.person()), gate="main-hall").json["result"] == "ok"
    services.save_gate(None, event, gate=venue.main, code="main-hall", name="Main hall",
                       zone_code="main-hall", active=False)
    response = scan(code, gate="main-hall")
    assert response.status_code == 409 and response.json["code"] == "gate_inactive"


def test_new_opening_hours_apply_to_the_next_scan(venue, scan, event):
    assert scan(venue.badge(venue.person()), gate="vip").json["result"] == "not_allowed"
    services.save_gate(None, event, gate=venue.vip_gate, code="vip", name="VIP lounge",
                       zone_code="vip",
                       hours=services.parse_hours("2025-09-17 14:00-17:00", event))
    code = venue.badge(venue.person(venue.vip))
    assert scan(code, gate="vip").json["result"] == "outside_hours"


def test_a_gate_changed_by_another_worker_is_seen_once_the_memo_expires(venue, scan,
                                                                       monkeypatch):
    clock = Clock()
    monkeypatch.setattr(cache.time, "monotonic", clock)
    assert scan(venue.badge(venue.person())).json["result"] == "ok"
    # Another gunicorn worker closes the gate: this worker's session never sees it flush.
    with db.engine.begin() as conn:
        conn.execute(sa.update(Gate).where(Gate.code == "main-hall").values(active=False))
    clock.now += cache.DEFAULT_SECONDS - 1
    assert scan(venue.badge(venue.person())).json["result"] == "ok"
    clock.now += 2
    assert scan(venue.badge(venue.person())).json["code"] == "gate_inactive"


def test_unknown_gate_is_not_remembered_as_unknown(venue, scan, event):
    assert scan(venue.badge(venue.person()), gate="bus-1").json["code"] == "gate_not_found"
    with db.engine.begin() as conn:  # created by another worker a moment later
        zone = services.zone_by_code(event, "main-hall")
        conn.execute(sa.insert(Gate).values(event_id=event.id, zone_id=zone.id, code="bus-1",
                                            name="Site visit bus 1", hours=[],
                                            allow_reentry=False, scan_exits=False,
                                            active=True))
    assert scan(venue.badge(venue.person()), gate="bus-1").json["result"] == "ok"


def test_staff_unassigned_from_a_gate_may_scan_everywhere_at_once(venue, scan, people, event):
    from expo.checkin.models import GateStaff

    user = people.make(Role.STAFF, event)
    assignment = services.assign_staff(None, event, venue.vip_gate, user.email)
    headers = people.token(user, event)
    code = venue.badge(venue.person())
    assert scan(code, headers=headers).json["code"] == "gate_not_assigned"
    services.unassign_staff(None, event, assignment.id)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(GateStaff)) == 0
    assert scan(code, headers=headers).json["result"] == "ok"


def test_revoked_device_is_refused_at_once_even_with_its_gate_remembered(venue, scan, people,
                                                                        event):
    organiser = people.make(Role.ORGANISER, event)
    device, plain = services.create_device(organiser, event, "Hall A turnstile 2", venue.main)
    headers = {"Authorization": f"Bearer {plain}"}
    assert scan(venue.badge(venue.person()), headers=headers).json["result"] == "ok"
    # Revoked by another worker: no flush here, the token row itself says so.
    from expo.core.models import ApiToken
    from expo.timeutil import utcnow

    with db.engine.begin() as conn:
        conn.execute(sa.update(ApiToken).where(ApiToken.id == device.token_id)
                     .values(revoked_at=utcnow()))
    assert scan(venue.badge(venue.person()), headers=headers).status_code == 401
