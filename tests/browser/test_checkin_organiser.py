"""Organisers in Chromium: gates, one gate, scanner devices (token replaced) and the live
dashboard with real scans, each screenshotted."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from playwright.sync_api import expect

from expo.checkin import services
from expo.core.models import Event
from expo.extensions import db
from expo.registration.badges import badge_token
from expo.registration.models import PassType, Registration
from tests.browser.conftest import login, screenshot

ORGANISER = "organiser@demo.expo.my"


def _offline_conflict(app) -> str:
    """A scanner admitted a cancelled registration while offline; the sync says no."""
    with app.app_context():
        event = db.session.scalar(sa.select(Event).where(Event.slug == "scekl25"))
        pass_type = db.session.scalar(sa.select(PassType).where(PassType.event_id == event.id))
        person = Registration(event_id=event.id, pass_type_id=pass_type.id,
                              email="hafiz.cancelled@example.org", full_name="Hafiz Ismail",
                              organisation="Iskandar Puteri City Council", country="Malaysia",
                              reference="BCONFLICT1", status="cancelled")
        db.session.add(person)
        db.session.commit()
        when = datetime.combine(event.starts_on, datetime.min.time(), UTC) + timedelta(hours=3)
        [outcome] = services.sync(event, [{
            "gate": "hall-a", "code": badge_token(person), "nonce": "tablet-7-000042",
            "scanned_at": when, "offline_result": "ok"}], user=None, token=None)
        db.session.remove()
        return outcome.conflict


def test_organiser_reviews_gates_and_a_gate(page, live_server):
    login(page, live_server, ORGANISER)
    page.goto(live_server.url + "/events/scekl25/manage/gates")
    expect(page.get_by_role("heading", name="Gates & zones")).to_be_visible()
    table = page.locator("table[data-table]")
    expect(table.get_by_role("link", name="Hall A main entrance")).to_be_visible()
    expect(table.get_by_role("link", name="VIP lounge")).to_be_visible()
    screenshot(page, "checkin-gates")
    page.get_by_placeholder("Filter…").fill("lounge")
    expect(table.get_by_role("link", name="Hall A main entrance")).to_be_hidden()
    expect(table.get_by_role("link", name="VIP lounge")).to_be_visible()
    page.get_by_placeholder("Filter…").fill("")
    table.get_by_role("link", name="Hall A main entrance").click()
    expect(page.get_by_role("heading", name=re.compile("Hall A main entrance"))).to_be_visible()
    expect(page.get_by_text("admitted today")).to_be_visible()
    expect(page.get_by_role("button", name="Save gate")).to_be_visible()
    screenshot(page, "checkin-gate")


def test_organiser_creates_a_device_and_replaces_its_token(page, live_server):
    login(page, live_server, ORGANISER)
    page.goto(live_server.url + "/events/scekl25/manage/devices")
    expect(page.get_by_role("heading", name="Scanner devices")).to_be_visible()
    page.get_by_label("Device name").fill("Hall A turnstile 1")
    page.get_by_label("Locked to gate").select_option(
        label="Hall A main entrance (Main hall (Halls 1–5))")
    page.get_by_role("button", name="Create device token").click()
    expect(page.get_by_text("“Hall A turnstile 1” is ready")).to_be_visible()
    first = page.locator("#device-token").input_value()
    screenshot(page, "checkin-devices-created")
    page.on("dialog", lambda dialog: dialog.accept())
    row = page.locator("tr", has_text="Hall A turnstile 1")
    row.get_by_role("button", name="Replace token").click()
    expect(page.get_by_text("New token for “Hall A turnstile 1”")).to_be_visible()
    second = page.locator("#device-token").input_value()
    assert second != first and second.startswith(first[:4])
    old = page.request.get(live_server.url + "/api/v1/events/scekl25/checkin/gates",
                           headers={"Authorization": f"Bearer {first}"})
    new = page.request.get(live_server.url + "/api/v1/events/scekl25/checkin/gates",
                           headers={"Authorization": f"Bearer {second}"})
    assert old.status == 401
    assert [g["code"] for g in new.json()] == ["hall-a"]
    screenshot(page, "checkin-devices-replaced")


def test_organiser_watches_the_live_dashboard(page, live_server):
    conflict = _offline_conflict(live_server.app)
    assert conflict.startswith("Admitted offline, but the server says cancelled")
    login(page, live_server, ORGANISER)
    page.goto(live_server.url + "/events/scekl25/manage/checkin")
    expect(page.get_by_role("heading", name="Check-in live")).to_be_visible()
    expect(page.get_by_role("img", name="Check-ins per hour")).to_be_visible()
    rejections = page.locator("[data-rejections]")
    expect(rejections).to_contain_text("This is not an expo badge code.")
    expect(page.locator("[data-conflicts]")).to_contain_text("Hafiz Ismail")
    expect(page.locator("[data-total='conflicts']")).to_have_text("1")
    expect(page.locator("#live-updated")).to_contain_text("updated")
    admitted = int(page.locator("[data-total='admitted']").inner_text())
    with live_server.app.app_context():
        from expo.checkin.models import Scan
        from expo.core.services import event_by_slug
        from expo.extensions import db

        in_db = db.session.scalar(db.select(db.func.count()).select_from(Scan).where(
            Scan.event_id == event_by_slug("scekl25").id, Scan.result == "ok",
            Scan.direction == "in"))
        db.session.remove()
    assert admitted == in_db > 0
    gates = page.locator("[data-gates] tr")
    names = page.locator("[data-gates] tr td:nth-child(1)").all_inner_texts()
    assert names == sorted(names, key=str.casefold)  # by name first
    page.get_by_role("button", name="Zone").click()
    page.get_by_role("button", name="Zone").click()  # descending: VIP lounge first
    expect(gates.first).to_contain_text("VIP lounge")
    page.get_by_role("button", name="Admitted").click()  # most admitted first
    expect(gates.first.locator("td").nth(2)).not_to_have_text("0")
    counts = [int(n) for n in page.locator("[data-gates] tr td:nth-child(3)").all_inner_texts()]
    assert counts == sorted(counts, reverse=True) and counts[0] > 0
    screenshot(page, "checkin-dashboard")
    page.get_by_label("Filter rejections").fill("hafiz")
    expect(rejections.locator("tr")).to_have_count(1)
    expect(rejections).to_contain_text("Registration cancelled")
    page.get_by_label("Filter rejections").fill("nobody-matches-this")
    expect(rejections).to_contain_text("No rejection matches the filter.")
