"""The pure admission rules: the order of the checks and the opening hours."""

from datetime import datetime

from expo.checkin import rules

GATE = rules.GateRules(zone="vip", zone_name="VIP lounge",
                       hours=({"day": "2025-09-17", "opens": "09:00", "closes": "18:00"},))
VIP = rules.Attendee(status="confirmed", zones=("main-hall", "vip"), pass_name="VIP")
MORNING = datetime(2025, 9, 17, 10, 0)


def test_confirmed_vip_in_opening_hours_is_welcome():
    assert rules.decide(GATE, None, "", VIP, MORNING).result == "ok"


def test_forged_badge_is_invalid_before_anything_else():
    assert rules.decide(GATE, "invalid", "Forged.", None, MORNING).result == "invalid"


def test_cancelled_beats_pass_and_hours():
    cancelled = rules.Attendee(status="cancelled", zones=(), pass_name="VIP")
    assert rules.decide(GATE, None, "", cancelled, datetime(2025, 9, 18, 3)).result == \
        "cancelled"


def test_hours_close_at_the_closing_minute_and_on_other_days():
    assert rules.decide(GATE, None, "", VIP, datetime(2025, 9, 17, 18, 0)).result == \
        "outside_hours"
    assert rules.decide(GATE, None, "", VIP, datetime(2025, 9, 18, 10, 0)).result == \
        "outside_hours"


def test_a_gate_kind_from_another_feature_can_refuse(monkeypatch):
    monkeypatch.setitem(rules.KIND_RULES, "talk", lambda gate, who: None
                        if who.extra.get("signed_up") else rules.Decision("not_allowed",
                                                                          "Not signed up."))
    talk = rules.GateRules(zone="vip", zone_name="VIP lounge", kind="talk")
    signed = rules.Attendee(status="confirmed", zones=("vip",), extra={"signed_up": True})
    assert rules.decide(talk, None, "", signed, MORNING).result == "ok"
    assert rules.decide(talk, None, "", VIP, MORNING).message == "Not signed up."


def test_unknown_gate_kind_refuses_rather_than_admits():
    odd = rules.GateRules(zone="vip", zone_name="VIP lounge", kind="mystery")
    assert rules.decide(odd, None, "", VIP, MORNING).result == "not_allowed"
