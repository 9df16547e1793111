"""Site-visit boarding and room-door attendance in Chromium: the offline talk rule, the pages."""

from __future__ import annotations

import sqlalchemy as sa

from expo.checkin import rules
from expo.checkin.models import Gate, Scan
from expo.core.models import Event, User
from expo.extensions import db
from expo.registration.badges import badge_token
from expo.registration.models import PassType, Registration
from expo.sessions.models import SignUp, Talk
from tests.browser.conftest import login, screenshot

VISIT = "Site visit: Putrajaya Command Centre"
STAFF, ORGANISER = "staff@demo.expo.my", "organiser@demo.expo.my"

CASES = [
    # (gate zone/kind, attendee zones, status, extra)
    ("talk", [], "confirmed", {"what": "visit", "signup": "confirmed"}),
    ("talk", [], "confirmed", {"what": "visit", "signup": None}),
    ("talk", [], "confirmed", {"what": "visit", "signup": "waiting", "position": 4}),
    ("talk", [], "confirmed", {"what": "session", "signup": "offered"}),
    ("talk", [], "confirmed", {"what": "visit", "signup": "confirmed",
                               "boarded": {"gate": "Bus 2", "at": "08:05"}}),
    ("talk", [], "awaiting_payment", {"what": "visit", "signup": "confirmed"}),
    ("room", ["main-hall"], "confirmed", {}),
    ("room", ["bus"], "confirmed", {}),
]


def test_the_browser_talk_rule_decides_exactly_like_the_server(page, live_server):
    page.goto(live_server.url + "/")
    gates = [{"zone": "bus", "zone_name": "Site visit bus 1", "hours": [], "kind": kind}
             for kind, *_ in CASES]
    people = [{"status": status, "zones": zones, "pass_name": "Delegate", "extra": extra}
              for _kind, zones, status, extra in CASES]
    browser = page.evaluate("""async ([gates, people]) => {
        const m = await import('/static/checkin/rules.js');
        return gates.map((g, i) => m.decide(g, null, "", people[i],
                                            {day: "2025-09-10", clock: "08:10"}));
    }""", [gates, people])
    from datetime import datetime

    server = [rules.decide(rules.GateRules(zone="bus", zone_name="Site visit bus 1", kind=kind),
                           None, "", rules.Attendee(status=status, zones=tuple(zones),
                                                    pass_name="Delegate", extra=extra),
                           datetime(2025, 9, 10, 8, 10))
              for kind, zones, status, extra in CASES]
    assert browser == [[d.result, d.message] for d in server]
    assert browser[1] == ["not_allowed", "Not signed up for this visit."]


def _visit(app):
    """The Command Centre visit of ASCN8, a seated delegate's and a stranger's badges."""
    with app.app_context():
        event = db.session.scalar(sa.select(Event).where(Event.slug == "ascn8"))
        talk = db.session.scalar(sa.select(Talk).where(Talk.event_id == event.id,
                                                       Talk.title == VISIT))
        gate = db.session.scalar(sa.select(Gate).where(Gate.code == f"visit{talk.id}-bus1",
                                                       Gate.event_id == event.id))
        seated = db.session.scalar(sa.select(Registration).join(
            SignUp, SignUp.registration_id == Registration.id).where(
            SignUp.talk_id == talk.id, SignUp.status == "confirmed").order_by(
            Registration.id.desc()).limit(1))
        pass_type = db.session.scalar(sa.select(PassType).where(PassType.event_id == event.id))
        stranger = Registration(event_id=event.id, pass_type_id=pass_type.id,
                                email="ong.stranger@ascn8.example.org", full_name="Ong Wei Ming",
                                organisation="Singapore URA", country="Singapore",
                                reference="BSTRANGER1")
        db.session.add(stranger)
        db.session.commit()
        found = (talk.id, gate.code, seated.id, badge_token(seated), stranger.id,
                 badge_token(stranger))
        db.session.remove()
        return found


def test_bus_boarding_offline_refuses_people_without_a_seat(page, live_server):
    app = live_server.app
    talk_id, gate, seated_id, seated, stranger_id, stranger = _visit(app)
    login(page, live_server, STAFF)
    page.goto(f"{live_server.url}/events/ascn8/scan#gate={gate}")
    page.wait_for_selector("#scanner[data-bundle-ready]", timeout=15000)
    page.wait_for_function("window.expoScanner && window.expoScanner.state.bundle")
    page.context.set_offline(True)
    page.evaluate("window.dispatchEvent(new Event('offline'))")
    page.evaluate("code => window.expoScanner.handle({code})", stranger)
    assert page.locator("[data-answer-title]").inner_text().lower() == "not allowed here"
    assert "Not signed up for this visit." in page.locator("#scan-answer").inner_text()
    screenshot(page, "sessions-bus-refused-offline")
    page.locator("#scan-answer").click()
    page.evaluate("code => window.expoScanner.handle({code})", seated)
    assert page.locator("[data-answer-title]").inner_text().lower() in (
        "admitted", "already checked in")
    page.locator("#scan-answer").click()
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_function("document.querySelector('[data-queued]').textContent === '0'",
                           timeout=15000)
    with app.app_context():
        refused = db.session.scalar(sa.select(Scan).where(Scan.registration_id == stranger_id))
        assert refused.result == "not_allowed" and refused.offline and refused.conflict is None
        db.session.remove()


def test_organiser_creates_a_bus_gate_and_sees_boarding_and_attendance(page, live_server):
    app = live_server.app
    with app.app_context():
        event = db.session.scalar(sa.select(Event).where(Event.slug == "ascn8"))
        talk = db.session.scalar(sa.select(Talk).where(Talk.event_id == event.id,
                                                       Talk.title == VISIT))
        # A third bus was hired: the organiser adds its gate.
        talk.site_visit.buses = 3
        talk.capacity = 3 * talk.site_visit.seats_per_bus
        db.session.commit()
        talk_id = talk.id
        assert db.session.scalar(sa.select(User.id).where(User.email == ORGANISER))
        db.session.remove()
    login(page, live_server, ORGANISER)
    page.goto(f"{live_server.url}/events/ascn8/manage/talks/{talk_id}/signups")
    page.get_by_role("button", name="Create boarding gate for bus 3").click()
    page.wait_for_load_state("networkidle")
    assert "is ready" in page.locator(".alert").first.inner_text()
    assert page.locator('[data-bus="3"]').get_by_text("boarded").is_visible()
    assert page.locator("[data-missing] tbody tr").count() >= 1
    screenshot(page, "sessions-visit-boarding")
    page.goto(f"{live_server.url}/events/ascn8/boarding/{talk_id}")
    assert "boarded" in page.locator("[data-boarded]").inner_text()
    screenshot(page, "sessions-guide-boarding-list")
    page.goto(f"{live_server.url}/events/scekl25/manage/attendance")
    page.wait_for_function("document.querySelector('canvas[data-attendance-chart]')"
                           " && document.querySelector('canvas').width > 0")
    assert page.locator("[data-attendance] tbody tr").count() >= 10
    screenshot(page, "sessions-attendance")
