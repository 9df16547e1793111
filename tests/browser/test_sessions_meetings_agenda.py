"""One agenda for talks and meetings, in a real browser: the demo investor sees their
lounge meetings between their talks, is warned when a starred talk clashes with one, and
gets both in the .ics download and the private feed; the demo delegate's agenda too."""

from __future__ import annotations

from pathlib import Path

import icalendar
import sqlalchemy as sa

from expo.core.models import Event, User
from expo.extensions import db
from expo.matchmaking import services as matchmaking
from expo.sessions.models import Talk
from tests.browser.conftest import login, screenshot


def investor_meetings(live_app) -> dict[str, tuple]:
    """The demo investor's placed meetings, from the database: summary -> (start, end)."""
    with live_app.app_context():
        event = db.session.scalar(sa.select(Event).where(Event.slug == "scekl25"))
        user = db.session.scalar(sa.select(User).where(User.email == "investor@demo.expo.my"))
        found = {f"Meeting with {r.other(user).full_name} ({r.project.title})":
                 (r.slot.starts_at, r.slot.ends_at, r.table_no)
                 for r in matchmaking.meetings_of(user, event) if r.slot is not None}
        db.session.remove()
    return found


def test_investor_sees_meetings_between_talks_and_gets_both_in_the_calendar(
        page, browser, live_server, live_app):
    meetings = investor_meetings(live_app)
    assert len(meetings) == 2
    login(page, live_server, "investor@demo.expo.my")
    page.goto(f"{live_server.url}/events/scekl25/my-agenda")
    assert page.locator("#agenda-summary").inner_text().startswith("4 sessions · 2 meetings")
    cards = page.locator("article.talk-card")
    kinds = [c.get_attribute("data-meeting-id") and "meeting" or "talk"
             for c in cards.all()]
    # Chronological: keynote, a meeting, the finance panel, a meeting, evening, panel.
    assert kinds == ["talk", "meeting", "talk", "meeting", "talk", "talk"]
    first = page.locator("article.meeting-card").first
    assert "Meeting with Aisyah Kamal" in first.inner_text()
    assert "Business-matching lounge, table 1" in first.inner_text()
    assert "10:20–10:40" in first.inner_text()
    assert page.locator("#agenda-overlaps").count() == 0
    screenshot(page, "agenda-investor-talks-and-meetings")

    with page.expect_download() as download_info:
        page.locator("#download-ics").click()
    body = Path(download_info.value.path()).read_bytes()
    entries = {str(e["SUMMARY"]): e for e in icalendar.Calendar.from_ical(body).walk("VEVENT")}
    for summary, (start, end, table) in meetings.items():
        assert entries[summary].decoded("DTSTART") == start
        assert entries[summary].decoded("DTEND") == end
        assert f"table {table}" in str(entries[summary]["LOCATION"])
    with live_app.app_context():
        panel = db.session.scalar(sa.select(Talk).where(
            Talk.title == "Financing Resilient Cities"))
        assert entries["Financing Resilient Cities"].decoded("DTSTART") == panel.starts_at
        assert entries["Financing Resilient Cities"].decoded("DTSTART").isoformat() == \
            "2025-09-17T14:00:00+08:00"
        db.session.remove()
    assert len(entries) == 6

    # The private link works without a login and holds the same items.
    feed_url = page.locator("#feed-url").input_value()
    stranger = browser.new_context()
    feed = stranger.request.get(feed_url)
    assert feed.ok and feed.headers["content-type"].startswith("text/calendar")
    assert {str(e["SUMMARY"]) for e in icalendar.Calendar.from_ical(feed.body())
            .walk("VEVENT")} == set(entries)
    stranger.close()

    # Starring the 10:30 panel clashes with the 10:20 meeting: the agenda says so.
    page.goto(f"{live_server.url}/events/scekl25/agenda?day=2025-09-17")
    page.get_by_role("button", name="Add to my agenda: Governing AI in Public Services").click()
    page.goto(f"{live_server.url}/events/scekl25/my-agenda")
    warning = page.locator("#agenda-overlaps")
    assert "1 overlap in your agenda" in warning.inner_text()
    assert "Meeting with Aisyah Kamal" in warning.inner_text()
    assert page.locator("article.meeting-card.talk-overlap").count() == 1
    screenshot(page, "agenda-investor-overlap-warning")
    warning.get_by_role("link", name="move the meeting").click()
    assert page.get_by_role("heading", name="My meetings").is_visible()
    screenshot(page, "matchmaking-investor-meetings")


def test_delegate_agenda_shows_the_workshop_seat_the_meeting_and_the_site_visit(
        page, live_server):
    login(page, live_server, "delegate@demo.expo.my")
    page.goto(f"{live_server.url}/events/scekl25/my-agenda")
    meeting = page.locator("article.meeting-card")
    assert meeting.count() == 1 and "Hiroshi Tanaka" in meeting.inner_text()
    assert page.get_by_text("Signed up").first.is_visible()  # the open-data workshop
    screenshot(page, "agenda-delegate-scekl25")
    page.goto(f"{live_server.url}/events/ascn8/my-agenda")
    visit = page.locator("article.talk-card", has_text="Site visit: Putrajaya Command Centre")
    assert "Signed up" in visit.inner_text()
    screenshot(page, "agenda-delegate-ascn8")


def test_speaker_agenda_lists_the_talks_they_speak_at(page, live_server):
    login(page, live_server, "speaker@demo.expo.my")
    page.goto(f"{live_server.url}/events/scekl25/my-agenda")
    assert page.get_by_text("You speak").count() == 3
    screenshot(page, "agenda-speaker-scekl25")
