"""The talk gate rule and the door-scan-to-talk assignment, as plain values."""

from datetime import UTC, datetime, timedelta

import pytest

from expo.checkin import rules
from expo.sessions import gaterules

BUS = rules.GateRules(zone="visit1-bus1", zone_name="Site visit bus 1", kind="talk")
AT = datetime(2025, 9, 18, 8, 10)


def person(zones=(), **extra):
    return rules.Attendee(status="confirmed", zones=zones, pass_name="Delegate",
                          extra={"what": "visit", **extra})


@pytest.mark.parametrize(("extra", "result", "message"), [
    ({"signup": "confirmed"}, "ok", "Welcome to Site visit bus 1."),
    ({"signup": None}, "not_allowed", "Not signed up for this visit."),
    ({"signup": "waiting", "position": 3}, "not_allowed",
     "On the waiting list for this visit (number 3): no seat yet."),
    ({"signup": "offered"}, "not_allowed",
     "A seat on this visit is offered but not accepted yet: accept it on the talk page first."),
    ({"signup": "confirmed", "boarded": {"gate": "Bus 2", "at": "08:02"}},
     "already_checked_in", "Already boarded Bus 2 at 08:02."),
])
def test_talk_gate_answers(app, extra, result, message):
    decision = rules.decide(BUS, None, "", person(**extra), AT)
    assert (decision.result, decision.message) == (result, message)


def test_a_seat_boards_even_when_the_pass_opens_no_bus_zone(app):
    assert "talk" in rules.KIND_OWNS_ADMISSION
    assert rules.decide(BUS, None, "", person(signup="confirmed", zones=()), AT).admitted


def test_a_room_door_still_asks_the_pass(app):
    door = rules.GateRules(zone="plenary", zone_name="Plenary Hall", kind="room")
    refused = rules.decide(door, None, "", person(zones=("main-hall",)), AT)
    assert refused.result == "not_allowed" and "does not open Plenary Hall" in refused.message
    assert rules.decide(door, None, "", person(zones=("plenary",)), AT).admitted


def _t(hour, minute=0):
    return datetime(2025, 9, 17, hour, minute, tzinfo=UTC)


def test_door_scans_go_to_the_running_talk_or_the_next_one_soon():
    talks = [(1, 7, _t(10), _t(11)), (2, 7, _t(11), _t(12)), (3, 8, _t(10), _t(11))]
    scans = [(100, 70, _t(9, 50)), (101, 70, _t(10, 59)), (102, 70, _t(11)),
             (103, 70, _t(9, 30)), (104, 80, _t(10, 30)), (105, 99, _t(10, 30)),
             (106, 71, _t(9))]
    attended = gaterules.assign_scans(scans, talks, room_gates={70: 7, 80: 8},
                                      talk_gates={71: 2})
    assert attended == {1: {100, 101}, 2: {102, 106}, 3: {104}}


def test_a_scan_in_the_break_counts_for_the_next_talk_only_within_fifteen_minutes():
    talks = [(1, 7, _t(10), _t(11)), (2, 7, _t(12), _t(13))]
    early = _t(12) - gaterules.EARLY
    scans = [(1, 70, early - timedelta(minutes=1)), (2, 70, early)]
    assert gaterules.assign_scans(scans, talks, {70: 7}, {}) == {2: {2}}
