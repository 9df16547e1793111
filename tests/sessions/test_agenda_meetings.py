"""My agenda with one-to-one meetings: page, overlap warnings, one calendar feed."""

from __future__ import annotations

from datetime import time

import icalendar
import pytest
from freezegun import freeze_time

from expo.core.models import Role
from expo.matchmaking import services as matchmaking
from expo.matchmaking.models import ProjectStatus
from expo.sessions import services

from ..matchmaking.conftest import project_fields, thesis_fields
from .conftest import kl

pytestmark = pytest.mark.usefixtures("frozen")


@pytest.fixture
def frozen():
    with freeze_time("2025-09-01"):
        yield


@pytest.fixture
def investor(people, event):
    user = people.make(Role.INVESTOR, event, name="Siti Mariam Ismail",
                       organisation="Khazanah Nasional")
    matchmaking.save_thesis(user, event, **thesis_fields(event, organisation="Khazanah"))
    return user


@pytest.fixture
def owner(people, event):
    return people.make(Role.DELEGATE, event, name="Hafiz Rahman")


@pytest.fixture
def lounge(organiser, event):
    return matchmaking.create_slot_series(organiser, event, days=[kl(17, 10).date()],
                                          start=time(10, 0), end=time(12, 0), minutes=20,
                                          tables=5, location="Business-matching lounge")


@pytest.fixture
def meeting(event, investor, owner, organiser, lounge):
    project = matchmaking.create_project(owner, event, **project_fields(event))
    matchmaking.moderate_project(organiser, event, project.id, ProjectStatus.APPROVED)
    made = matchmaking.request_meeting(investor, event, project_id=project.id, message="Hi")
    matchmaking.respond(owner, event, made.id, accept=True)
    # 10:40-11:00, while the keynote the investor starred runs (10:30-11:15).
    return matchmaking.pick_slot(owner, event, made.id, lounge[2].id)


@pytest.fixture
def keynote(event, hall, publish):
    talk, _ = services.save_talk(None, event, title="AI Cities: Shaping Our Digital Future",
                                 kind="keynote", room_id=hall.id, starts_at=kl(17, 10, 30),
                                 ends_at=kl(17, 11, 15))
    publish()
    return talk


def test_my_agenda_shows_the_meeting_with_time_table_lounge_and_the_other_person(
        client, people, event, investor, meeting, keynote):
    services.star(investor, event, keynote.id)
    people.login(investor)
    page = client.get(f"/events/{event.slug}/my-agenda").get_data(as_text=True)
    assert "1 session · 1 meeting" in page
    assert f'data-meeting-id="{meeting.id}"' in page
    assert "Meeting with Hafiz Rahman" in page
    assert "10:40–11:00" in page and "Business-matching lounge" in page
    assert "table 1" in page and "Johor Bahru BRT fare system" in page


def test_a_meeting_during_a_starred_talk_is_warned_about(client, people, event, investor,
                                                          meeting, keynote):
    services.star(investor, event, keynote.id)
    people.login(investor)
    page = client.get(f"/events/{event.slug}/my-agenda").get_data(as_text=True)
    assert "1 overlap in your agenda" in page
    assert ("“AI Cities: Shaping Our Digital Future” (Wed 10:30–11:15) and "
            "“Meeting with Hafiz Rahman” (10:40–11:00)") in page
    assert "move the meeting" in page


def test_the_other_side_sees_the_same_meeting_and_no_warning(client, people, event, owner,
                                                             meeting, keynote):
    people.login(owner)
    page = client.get(f"/events/{event.slug}/my-agenda").get_data(as_text=True)
    assert "Meeting with Siti Mariam Ismail" in page and "Khazanah" in page
    assert "overlap" not in page


def test_someone_elses_meeting_is_not_in_my_agenda(client, people, event, meeting):
    people.login(people.make(Role.DELEGATE, event))
    page = client.get(f"/events/{event.slug}/my-agenda").get_data(as_text=True)
    assert "Meeting with" not in page and "Your agenda is empty" in page


def test_an_accepted_meeting_without_a_time_is_pointed_out(client, people, event, investor,
                                                            owner, organiser, lounge):
    project = matchmaking.create_project(owner, event, **project_fields(event))
    matchmaking.moderate_project(organiser, event, project.id, ProjectStatus.APPROVED)
    made = matchmaking.request_meeting(investor, event, project_id=project.id, message="Hi")
    matchmaking.respond(owner, event, made.id, accept=True)
    people.login(investor)
    page = client.get(f"/events/{event.slug}/my-agenda").get_data(as_text=True)
    assert "1 accepted meeting still without a time" in page


def test_a_speaker_finds_the_talks_they_speak_at_without_starring_them(
        client, people, event, hall, publish):
    user = people.make(Role.SPEAKER, event, name="Maria Santos")
    speaker = services.save_speaker(None, event, full_name="Maria Santos", email=user.email)
    services.save_talk(None, event, title="Flood Resilience and Climate Adaptation",
                       kind="panel", room_id=hall.id, starts_at=kl(18, 11), ends_at=kl(18, 12),
                       people=[(speaker.id, "panellist")])
    publish()
    people.login(user)
    page = client.get(f"/events/{event.slug}/my-agenda").get_data(as_text=True)
    assert "Flood Resilience and Climate Adaptation" in page and "You speak" in page


def test_the_download_and_the_private_feed_hold_talks_and_meetings_at_their_times(
        app, client, people, event, investor, meeting, keynote):
    services.star(investor, event, keynote.id)
    people.login(investor)
    download = client.get(f"/events/{event.slug}/my-agenda.ics")
    feed = app.test_client().get(
        f"/events/{event.slug}/agenda/feed/{services.feed_token(investor, event)}.ics")
    for body in (download.data, feed.data):
        entries = {str(e["SUMMARY"]): e for e in icalendar.Calendar.from_ical(body)
                   .walk("VEVENT")}
        assert set(entries) == {"AI Cities: Shaping Our Digital Future",
                                "Meeting with Hafiz Rahman (Johor Bahru BRT fare system)"}
        mine = entries["Meeting with Hafiz Rahman (Johor Bahru BRT fare system)"]
        assert mine.decoded("DTSTART") == kl(17, 10, 40)
        assert mine.decoded("DTEND") == kl(17, 11)
        assert str(mine.decoded("DTSTART").tzinfo) == "Asia/Kuala_Lumpur"
        assert "table 1" in str(mine["LOCATION"])
        assert str(mine["UID"]) == f"meeting-{meeting.id}@{event.slug}.expo"
        assert entries["AI Cities: Shaping Our Digital Future"].decoded("DTSTART") == \
            kl(17, 10, 30)


def test_a_cancelled_meeting_leaves_the_feed(client, people, event, investor, owner, meeting):
    people.login(investor)
    matchmaking.cancel_request(owner, event, meeting.id)
    body = client.get(f"/events/{event.slug}/my-agenda.ics").data
    assert not icalendar.Calendar.from_ical(body).walk("VEVENT")
