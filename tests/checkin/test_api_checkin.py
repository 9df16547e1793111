"""POST /checkin: every answer a scanner can get, and what the scan log keeps."""

from datetime import timedelta

import sqlalchemy as sa

from expo.checkin.models import Presence, Scan
from expo.core.models import Role
from expo.extensions import db
from expo.registration.badges import badge_token

from .conftest import DAY1_10AM


def _scans():
    return list(db.session.scalars(sa.select(Scan).order_by(Scan.id)))


def test_genuine_badge_is_admitted_with_the_persons_details(venue, scan):
    person = venue.person(name="Nguyen Thi Lan", organisation="Da Nang People's Committee",
                          country="Viet Nam")
    response = scan(venue.badge(person))
    assert response.status_code == 200
    body = response.json
    assert body["result"] == "ok" and body["colour"] == "green"
    assert body["attendee"]["name"] == "Nguyen Thi Lan"
    assert body["attendee"]["organisation"] == "Da Nang People's Committee"
    assert body["attendee"]["pass_type"] == "Delegate"
    [logged] = _scans()
    assert logged.result == "ok" and logged.registration_id == person.id
    assert logged.user_id is not None and logged.gate.code == "main-hall"


def test_second_scan_at_same_gate_says_already_checked_in(venue, scan):
    code = venue.badge(venue.person())
    scan(code)
    response = scan(code, scanned_at=(DAY1_10AM + timedelta(minutes=5)).isoformat())
    assert response.json["result"] == "already_checked_in"
    assert response.json["colour"] == "amber"
    assert response.json["first_checked_in_at"] == "2025-09-17T02:00:00+00:00"
    assert "10:00" in response.json["message"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Presence)) == 1
    assert [s.result for s in _scans()] == ["ok", "already_checked_in"]


def test_same_badge_enters_another_gate_once_each(venue, scan):
    code = venue.badge(venue.person(venue.vip))
    assert scan(code, gate="main-hall").json["result"] == "ok"
    assert scan(code, gate="vip").json["result"] == "ok"


def test_flipped_character_is_invalid(venue, scan):
    code = venue.badge(venue.person())
    tampered = code[:20] + ("A" if code[20] != "A" else "B") + code[21:]
    response = scan(tampered)
    assert response.json["result"] == "invalid"
    assert "attendee" not in response.json
    assert _scans()[0].result == "invalid"


def test_garbage_is_invalid_and_logged(venue, scan):
    response = scan("https://example.org/not-a-badge")
    assert response.json["result"] == "invalid"
    assert response.json["message"] == "This is not an expo badge code."
    assert len(_scans()) == 1


def test_badge_of_another_event_is_invalid(venue, scan, other_event):
    from .conftest import make_pass_type, make_registration

    elsewhere = make_registration(other_event, make_pass_type(other_event, "d", "D",
                                                              ["main-hall"]))
    response = scan(badge_token(elsewhere))
    assert response.json["result"] == "invalid"
    assert "another event" in response.json["message"]


def test_reissued_badge_revokes_the_old_one(venue, scan):
    person = venue.person()
    old = venue.badge(person)
    person.badge_serial = 2
    db.session.commit()
    response = scan(old)
    assert response.json["result"] == "revoked" and response.json["colour"] == "red"
    assert response.json["attendee"]["name"] == person.full_name
    assert scan(venue.badge(person)).json["result"] == "ok"


def test_pass_that_does_not_open_the_zone_is_not_allowed(venue, scan):
    response = scan(venue.badge(venue.person(venue.visitor)), gate="vip")
    assert response.json["result"] == "not_allowed"
    assert response.json["message"] == "Trade visitor does not open VIP lounge."


def test_registration_awaiting_approval_is_not_allowed_with_a_clear_message(venue, scan):
    response = scan(venue.badge(venue.person(status="awaiting_approval")))
    assert response.json["result"] == "not_allowed"
    assert "awaiting" in response.json["message"]


def test_unpaid_registration_is_sent_to_the_desk(venue, scan):
    response = scan(venue.badge(venue.person(status="awaiting_payment")))
    assert response.json["result"] == "unpaid"
    assert "registration desk" in response.json["message"]


def test_cancelled_rejected_and_expired_registrations_say_cancelled(venue, scan):
    for status in ("cancelled", "rejected", "expired"):
        response = scan(venue.badge(venue.person(status=status)))
        assert response.json["result"] == "cancelled", status


def test_scan_outside_the_gates_hours_is_refused(venue, scan, event):
    from expo.checkin import services

    services.save_gate(None, event, gate=venue.vip_gate, code="vip", name="VIP lounge",
                       zone_code="vip",
                       hours=services.parse_hours("2025-09-17 11:00-17:00", event))
    code = venue.badge(venue.person(venue.vip))
    response = scan(code, gate="vip")
    assert response.json["result"] == "outside_hours"
    assert "11:00–17:00" in response.json["message"]
    later = (DAY1_10AM + timedelta(hours=2)).isoformat()
    assert scan(code, gate="vip", scanned_at=later).json["result"] == "ok"


def test_same_nonce_twice_gives_the_same_answer_and_records_once(venue, scan):
    code = venue.badge(venue.person())
    first = scan(code, nonce="phone-1-000001").json
    again = scan(code, nonce="phone-1-000001").json
    assert first["result"] == again["result"] == "ok"
    assert again["replayed"] is True and again["scan_id"] == first["scan_id"]
    assert len(_scans()) == 1


def test_reentry_gate_admits_again_after_an_exit(venue, scan):
    code = venue.badge(venue.person())
    assert scan(code, gate="plenary").json["result"] == "ok"
    assert scan(code, gate="plenary").json["result"] == "already_checked_in"
    out = scan(code, gate="plenary", direction="out")
    assert out.json["result"] == "ok" and "Exit" in out.json["message"]
    assert scan(code, gate="plenary").json["result"] == "ok"
    presence = db.session.scalar(sa.select(Presence))
    assert presence.entries == 2 and presence.inside


def test_exit_at_a_gate_that_does_not_scan_exits_is_a_problem(venue, scan):
    response = scan(venue.badge(venue.person()), direction="out")
    assert response.status_code == 422
    assert response.json["code"] == "exits_not_scanned"
    assert _scans() == []


def test_unknown_gate_is_a_404_problem(venue, scan):
    response = scan(venue.badge(venue.person()), gate="nowhere")
    assert response.status_code == 404 and response.json["code"] == "gate_not_found"


def test_scan_from_the_future_is_refused(venue, scan):
    from expo.timeutil import utcnow

    response = scan(venue.badge(venue.person()),
                    scanned_at=(utcnow() + timedelta(hours=1)).isoformat())
    assert response.status_code == 422 and response.json["code"] == "scanned_at_in_future"


def test_delegate_cannot_scan(venue, scan, people, event):
    headers = people.token(people.make(Role.DELEGATE, event))
    response = scan(venue.badge(venue.person()), headers=headers)
    assert response.status_code == 403


def test_staff_of_another_event_gets_404(venue, scan, people, other_event):
    headers = people.token(people.make(Role.STAFF, other_event), other_event)
    response = scan(venue.badge(venue.person()), headers=headers)
    assert response.status_code == 404


def test_staff_assigned_to_a_gate_cannot_scan_at_another(venue, scan, people, event):
    from expo.checkin import services

    user = people.make(Role.STAFF, event)
    services.assign_staff(None, event, venue.vip_gate, user.email)
    headers = people.token(user, event)
    code = venue.badge(venue.person(venue.vip))
    assert scan(code, gate="main-hall", headers=headers).json["code"] == "gate_not_assigned"
    assert scan(code, gate="vip", headers=headers).json["result"] == "ok"


def test_device_token_scans_and_is_logged_as_the_device(venue, scan, people, event):
    from expo.checkin import services

    organiser = people.make(Role.ORGANISER, event)
    device, plain = services.create_device(organiser, event, "Hall A turnstile 1", venue.main)
    headers = {"Authorization": f"Bearer {plain}"}
    assert scan(venue.badge(venue.person()), headers=headers).json["result"] == "ok"
    assert _scans()[0].token_id == device.token_id
    services.revoke_device(organiser, event, device.id)
    assert scan(venue.badge(venue.person()), headers=headers).status_code == 401


def test_manual_check_in_by_registration_id_after_a_search(venue, scan, client,
                                                          staff_headers):
    person = venue.person(name="Somchai Srisuk", email="somchai@bangkok.go.th")
    found = client.get("/api/v1/events/scekl25/checkin/search?q=somch",
                       headers=staff_headers).json
    assert [f["name"] for f in found] == ["Somchai Srisuk"]
    response = scan(registration_id=found[0]["id"])
    assert response.json["result"] == "ok"
    assert _scans()[0].method == "manual" and _scans()[0].registration_id == person.id


def test_missing_code_is_a_clear_problem(venue, scan):
    response = scan()
    assert response.status_code == 422 and response.json["code"] == "code_required"


def test_a_device_token_is_refused_once_its_account_is_deactivated_or_when_mistyped(
        venue, scan, people, event, other_event):
    from expo.checkin import services
    from expo.extensions import db

    organiser = people.make(Role.ORGANISER, event)
    device, plain = services.create_device(organiser, event, "Hall A turnstile 2", venue.main)
    code = venue.badge(venue.person())
    assert scan(code, headers={"Authorization": f"Bearer {plain}x"}).status_code == 401
    assert scan(code, headers={"Authorization": f"Token {plain}"}).status_code == 401
    assert scan(code, headers={"Authorization": f"Bearer {plain}"},
                slug=other_event.slug).status_code == 404
    assert _scans() == []
    device.token.user.active = False
    db.session.commit()
    assert scan(code, headers={"Authorization": f"Bearer {plain}"}).status_code == 401
    assert _scans() == []
