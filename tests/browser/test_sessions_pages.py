"""Sessions in a real browser: the schedule editor's drag and drop into a clash, and a
delegate who stars talks, downloads their agenda and signs up for a site visit."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from pathlib import Path

import icalendar
import pytest
import sqlalchemy as sa

from expo.core.models import Event, User
from expo.extensions import db
from expo.registration.models import PassType, Registration
from expo.sessions import services
from expo.sessions.models import SiteVisitDetails, SpeakerAvailability, Talk
from tests.browser.conftest import login, screenshot


@pytest.fixture(scope="module")
def ascn8_ahead(live_app):
    """ASCN8's demo programme moved a month ahead of today (sign-ups close once a session
    starts), with a confirmed delegate registration for the demo delegate."""
    with live_app.app_context():
        event = db.session.scalar(sa.select(Event).where(Event.slug == "ascn8"))
        shift = (date.today() + timedelta(days=30)) - event.starts_on
        event.starts_on, event.ends_on = event.starts_on + shift, event.ends_on + shift
        for model, columns in ((Talk, ("starts_at", "ends_at")),
                               (SiteVisitDetails, ("departs_at", "returns_at")),
                               (SpeakerAvailability, ("starts_at", "ends_at"))):
            for row in db.session.scalars(sa.select(model).where(model.event_id == event.id)):
                for column in columns:
                    setattr(row, column, getattr(row, column) + shift)
        pass_type = PassType(event_id=event.id, code="DELEGATE", name="Country delegate")
        db.session.add(pass_type)
        db.session.flush()
        user = db.session.scalar(sa.select(User).where(User.email == "delegate@demo.expo.my"))
        if services.active_registration(user, event) is None:
            db.session.add(Registration(event_id=event.id, pass_type_id=pass_type.id,
                                        user_id=user.id, email=user.email,
                                        full_name=user.full_name,
                                        reference=uuid.uuid4().hex[:10].upper()))
        db.session.commit()
        services.publish(None, event, note="Dates moved for the test")
        db.session.remove()
    return event


def test_organiser_drags_a_talk_into_a_clash_and_sees_the_conflict(page, live_server):
    login(page, live_server, "organiser@demo.expo.my")
    page.goto(live_server.url + "/events/scekl25/manage/schedule?day=2025-09-17")
    assert page.locator("#conflicts").count() == 0
    talk = page.locator(".sg-talk", has_text="5G Networks as Urban Infrastructure")
    plenary_1030 = page.locator('.sg-cell[data-room]').filter(
        has=page.locator("xpath=self::*[@data-time='10:30']")).first
    room_id = page.locator(".sg-head", has_text="Plenary Hall").get_attribute("data-room")
    target = page.locator(f'.sg-cell[data-room="{room_id}"][data-time="10:30"]')
    assert plenary_1030.count() == 1
    talk.drag_to(target, force=True)
    conflicts = page.locator("#conflicts")
    conflicts.wait_for()
    assert "Plenary Hall is double-booked" in conflicts.inner_text()
    assert "Governing AI in Public Services" in conflicts.inner_text()
    assert "sg-conflict" in talk.get_attribute("class")
    screenshot(page, "sessions-editor-conflict")
    # The move is saved: after a reload the server shows the same clash.
    page.reload()
    assert "Plenary Hall is double-booked" in page.locator("#conflicts").inner_text()
    assert "sg-conflict" in talk.get_attribute("class")
    screenshot(page, "sessions-editor-conflict-reloaded")
    # Publishing is blocked until an organiser overrides.
    page.goto(live_server.url + "/events/scekl25/manage/publish")
    page.get_by_role("button", name="Publish a new version").click()
    assert page.get_by_text("solve them or publish with an override").is_visible()
    screenshot(page, "sessions-publish-blocked")
    # The keyboard-friendly form moves it back.
    page.goto(live_server.url + "/events/scekl25/manage/schedule?day=2025-09-17")
    form = page.get_by_role("form", name="Move 5G Networks as Urban Infrastructure")
    form.get_by_label("Room").select_option(label="Conference Hall 1")
    form.get_by_label("Start time").fill("14:00")
    form.get_by_role("button", name="Move").click()
    assert page.get_by_text("Moved.", exact=True).is_visible()
    assert page.locator("#conflicts").count() == 0


def test_organiser_pages(page, live_server, ascn8_ahead):
    login(page, live_server, "organiser@demo.expo.my")
    page.goto(live_server.url + "/events/scekl25/manage/programme")
    assert page.get_by_role("heading", name="Programme (draft)").is_visible()
    screenshot(page, "sessions-manage-programme")
    page.goto(live_server.url + "/events/scekl25/manage/rooms")
    screenshot(page, "sessions-manage-rooms")
    page.goto(live_server.url + "/events/scekl25/manage/speakers")
    screenshot(page, "sessions-manage-speakers")
    page.get_by_role("link", name="Maria Santos").click()
    screenshot(page, "sessions-speaker-form")
    page.goto(live_server.url + "/events/ascn8/manage/programme")
    page.get_by_role("link", name="Site visit: Putrajaya Command Centre").first.click()
    page.get_by_label("Eligible pass types").select_option(label="Country delegate")
    page.get_by_role("button", name="Save").click()
    assert page.get_by_text("Saved “Site visit: Putrajaya Command Centre”.").is_visible()
    page.get_by_role("link", name="Site visit: Putrajaya Command Centre").first.click()
    screenshot(page, "sessions-talk-form-site-visit")
    page.goto(live_server.url + "/events/ascn8/manage/publish")
    screenshot(page, "sessions-publish")


def test_delegate_stars_talks_and_downloads_their_agenda(page, live_server, live_app):
    # The demo delegate already stars the opening keynote and holds a seat in the open-data
    # workshop (10:30-12:00); starring the 10:30 panel makes an overlap.
    login(page, live_server, "delegate@demo.expo.my")
    page.goto(live_server.url + "/events/scekl25/agenda")
    assert page.get_by_role("link", name="Wed 17 Sep").get_attribute("aria-current") == "page"
    assert page.get_by_text("Smart Mobility for Growing Metros").count() == 0
    screenshot(page, "sessions-agenda")
    for title in ("Governing AI in Public Services", "Financing Resilient Cities"):
        page.get_by_role("button", name=f"Add to my agenda: {title}").click()
        assert page.get_by_role("button", name=f"Remove from my agenda: {title}").is_visible()
    page.get_by_role("link", name="My agenda").first.click()
    assert page.get_by_text("1 overlap in your agenda").is_visible()
    screenshot(page, "sessions-my-agenda")
    with page.expect_download() as download_info:
        page.locator("#download-ics").click()
    calendar = icalendar.Calendar.from_ical(Path(download_info.value.path()).read_bytes())
    got = {str(e["SUMMARY"]): e.decoded("DTSTART") for e in calendar.walk("VEVENT")}
    with live_app.app_context():
        expected = dict(db.session.execute(sa.select(Talk.title, Talk.starts_at).where(
            Talk.title.in_(list(got)))).all())
    talks = {k: v for k, v in got.items() if not k.startswith("Meeting with")}
    assert {"Governing AI in Public Services", "Financing Resilient Cities",
            "Hands-on: Open Data Dashboards for Local Councils"} <= set(talks)
    assert talks == expected and len(got) == len(talks) + 1  # and the delegate's meeting
    assert got["AI Cities: Shaping Our Digital Future"].isoformat() == \
        "2025-09-17T09:30:00+08:00"
    page.get_by_role("link", name="AI Cities: Shaping Our Digital Future").click()
    screenshot(page, "sessions-talk")
    page.get_by_role("link", name="Datuk Seri Farah Ismail").first.click()
    assert page.get_by_role("heading", name="Datuk Seri Farah Ismail").is_visible()
    screenshot(page, "sessions-speaker")
    page.goto(live_server.url + "/events/scekl25/speakers")
    screenshot(page, "sessions-speakers")


def test_delegate_signs_up_for_a_site_visit(page, live_server, ascn8_ahead):
    login(page, live_server, "delegate@demo.expo.my")
    page.goto(live_server.url + "/events/ascn8/agenda?day=all&kind=site_visit")
    page.get_by_role("link", name="Site visit: Putrajaya Wetlands").click()
    with live_server.app.app_context():
        # The demo already seats some delegates (and boards them); one more seat is taken.
        taken = db.session.scalar(sa.select(Talk.taken).where(
            Talk.title == "Site visit: Putrajaya Wetlands"))
        db.session.remove()
    page.get_by_role("button", name="Sign up").click()
    assert page.get_by_text("You have a seat.").first.is_visible()
    assert page.get_by_text(f"{taken + 1} / 44").is_visible()
    screenshot(page, "sessions-site-visit-signed-up")
