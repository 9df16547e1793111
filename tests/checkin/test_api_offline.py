"""The offline bundle and the sync of scans made while the network was down."""

import base64
from datetime import timedelta

import sqlalchemy as sa

from expo.checkin.models import Scan
from expo.extensions import db
from expo.registration.badges import public_keys_raw

from .conftest import DAY1_10AM


def _sync(client, headers, scans):
    return client.post("/api/v1/events/scekl25/checkin/sync", json={"scans": scans},
                       headers=headers)


def _item(code, nonce, minutes=0, gate="main-hall", offline_result="ok"):
    return {"code": code, "nonce": nonce, "gate": gate, "offline_result": offline_result,
            "scanned_at": (DAY1_10AM + timedelta(minutes=minutes)).isoformat()}


def test_bundle_carries_keys_gate_rules_and_a_compact_attendee_index(venue, client,
                                                                     staff_headers, event):
    person = venue.person(name="Wei Jie Tan")
    person.badge_serial = 3
    db.session.commit()
    bundle = client.get("/api/v1/events/scekl25/checkin/bundle?gate=vip",
                        headers=staff_headers).json
    assert base64.b64decode(bundle["keys"]["1"]) == public_keys_raw(event.id)[1]
    assert bundle["gate"]["zone"] == "vip" and bundle["gate"]["zone_name"] == "VIP lounge"
    row = dict(zip(bundle["attendee_fields"], bundle["attendees"][0], strict=True))
    assert row["name"] == "Wei Jie Tan" and row["serial"] == 3 and row["status"] == "confirmed"
    assert bundle["pass_types"][row["pass"]]["zones"] == ["main-hall", "plenary"]
    assert bundle["revoked"] == [[person.id, 3]]


def test_offline_scans_are_recorded_once_with_their_original_time(venue, client,
                                                                  staff_headers):
    a, b = venue.badge(venue.person()), venue.badge(venue.person(name="Budi Wijaya"))
    batch = [_item(a, "offline-0001", 1), _item(b, "offline-0002", 2)]
    first = _sync(client, staff_headers, batch).json
    assert first["recorded"] == 2 and first["conflicts"] == 0
    again = _sync(client, staff_headers, batch).json
    assert again["recorded"] == 0 and again["already_recorded"] == 2
    scans = list(db.session.scalars(sa.select(Scan).order_by(Scan.scanned_at)))
    assert len(scans) == 2 and all(s.offline for s in scans)
    assert scans[0].scanned_at == DAY1_10AM + timedelta(minutes=1)


def test_two_offline_scanners_admitting_one_badge_is_a_recorded_conflict(venue, client,
                                                                        staff_headers):
    code = venue.badge(venue.person())
    _sync(client, staff_headers, [_item(code, "phone-a-0001", 7)])
    answer = _sync(client, staff_headers, [_item(code, "phone-b-0001", 3)]).json
    assert answer["conflicts"] == 1
    assert answer["results"][0]["result"] == "already_checked_in"
    scans = list(db.session.scalars(sa.select(Scan).order_by(Scan.id)))
    assert scans[1].conflict.startswith("Admitted offline")
    # The earlier offline entry is the one on record as the first.
    from expo.checkin.models import Presence

    presence = db.session.scalar(sa.select(Presence))
    assert presence.first_in_at == DAY1_10AM + timedelta(minutes=3)


def test_a_bad_item_in_a_batch_does_not_lose_the_others(venue, client, staff_headers):
    code = venue.badge(venue.person())
    answer = _sync(client, staff_headers, [_item(code, "bad-gate-001", gate="nowhere"),
                                           _item(code, "good-item-01")]).json
    assert answer["errors"] == 1 and answer["recorded"] == 1
    assert answer["results"][0]["error"] == "gate_not_found"
