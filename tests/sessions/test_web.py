"""Pages: the public agenda, talk and speaker pages, my agenda, and the organiser area."""

from __future__ import annotations

import icalendar
import pytest
import sqlalchemy as sa
from freezegun import freeze_time

from expo.core.models import Role
from expo.extensions import db
from expo.sessions import services
from expo.sessions.models import SignUp, Star, Talk

from .conftest import kl


@pytest.fixture
def programme(event, make_talk, small_room, speaker, publish):
    keynote = make_talk("AI Cities: Shaping Our Digital Future", kind="keynote",
                        starts_at=kl(17, 9, 30), ends_at=kl(17, 10, 15),
                        people=[(speaker.id, "speaker")])
    workshop = make_talk("Hands-on: Open Data Dashboards", kind="workshop",
                         room_id=small_room.id, starts_at=kl(17, 10), ends_at=kl(17, 11, 30),
                         capacity=10)
    later = make_talk("Smart Mobility for Growing Metros", kind="panel",
                      starts_at=kl(18, 10), ends_at=kl(18, 11))
    publish()
    return {"keynote": keynote, "workshop": workshop, "later": later}


def test_the_agenda_shows_one_day_at_a_time_by_default(client, event, programme):
    page = client.get("/events/scekl25/agenda").get_data(as_text=True)
    assert "AI Cities: Shaping Our Digital Future" in page
    assert "Smart Mobility for Growing Metros" not in page
    assert "2 sessions on Wednesday 17 September" in page
    every = client.get("/events/scekl25/agenda?day=all").get_data(as_text=True)
    assert "Smart Mobility for Growing Metros" in every


def test_the_agenda_filters_by_kind_speaker_and_search(client, event, programme, speaker):
    by_kind = client.get("/events/scekl25/agenda?day=all&kind=workshop").get_data(as_text=True)
    assert "Open Data Dashboards" in by_kind and "Shaping Our Digital Future" not in by_kind
    by_speaker = client.get(f"/events/scekl25/agenda?day=all&speaker={speaker.id}")
    assert "Shaping Our Digital Future" in by_speaker.get_data(as_text=True)
    assert "Open Data Dashboards" not in by_speaker.get_data(as_text=True)
    found = client.get("/events/scekl25/agenda?day=all&q=cebu").get_data(as_text=True)
    assert "Shaping Our Digital Future" in found and "1 session" in found


def test_draft_changes_stay_off_the_public_agenda_until_published(client, event, programme,
                                                                  make_talk):
    make_talk("Secret session", starts_at=kl(17, 15), ends_at=kl(17, 16))
    assert "Secret session" not in client.get("/events/scekl25/agenda").get_data(as_text=True)
    services.publish(None, event)
    assert "Secret session" in client.get("/events/scekl25/agenda").get_data(as_text=True)


def test_talk_page_shows_time_in_kuala_lumpur_room_and_speakers(client, event, programme):
    page = client.get(f"/events/scekl25/talks/{programme['keynote'].id}").get_data(as_text=True)
    assert "Wednesday 17 September 2025, 09:30–10:15" in page
    assert "Plenary Hall" in page and "Maria Santos" in page and "Cebu City Government" in page


def test_speaker_page_lists_their_sessions(client, event, programme, speaker):
    page = client.get(f"/events/scekl25/speakers/{speaker.id}").get_data(as_text=True)
    assert "Maria Santos" in page and "AI Cities: Shaping Our Digital Future" in page
    listing = client.get("/events/scekl25/speakers").get_data(as_text=True)
    assert "1 people on the programme" in listing or "1 speaker" in listing


def test_a_talk_not_published_answers_404(client, event, programme, make_talk):
    draft = make_talk("Draft only", starts_at=kl(19, 9), ends_at=kl(19, 10))
    assert client.get(f"/events/scekl25/talks/{draft.id}").status_code == 404


@freeze_time("2025-09-01")
def test_a_delegate_stars_talks_and_my_agenda_warns_of_the_overlap(client, event, programme,
                                                                   people, delegate):
    people.login(delegate)
    for talk in (programme["keynote"], programme["workshop"]):
        response = client.post(f"/events/scekl25/talks/{talk.id}/star")
        assert response.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Star)) == 2
    page = client.get("/events/scekl25/my-agenda").get_data(as_text=True)
    assert "1 overlap in your agenda" in page
    assert "AI Cities: Shaping Our Digital Future" in page
    ics = client.get("/events/scekl25/my-agenda.ics")
    assert ics.mimetype == "text/calendar" and "attachment" in ics.headers["Content-Disposition"]
    events = icalendar.Calendar.from_ical(ics.data).walk("VEVENT")
    assert sorted(e.decoded("DTSTART") for e in events) == [kl(17, 9, 30), kl(17, 10)]


@freeze_time("2025-09-01")
def test_the_private_feed_needs_no_login_and_a_new_link_revokes_the_old(app, event, programme,
                                                                        people, delegate):
    client = app.test_client()
    people.login(delegate, client)
    client.post(f"/events/scekl25/talks/{programme['later'].id}/star")
    token = services.feed_token(delegate, event)
    anonymous = app.test_client()
    feed = anonymous.get(f"/events/scekl25/agenda/feed/{token}.ics")
    assert feed.status_code == 200 and b"Smart Mobility for Growing Metros" in feed.data
    client.post("/events/scekl25/my-agenda/feed")
    assert anonymous.get(f"/events/scekl25/agenda/feed/{token}.ics").status_code == 404


@freeze_time("2025-09-01")
def test_signing_up_from_the_talk_page_shows_the_seat(client, event, programme, people,
                                                      delegate):
    people.login(delegate)
    talk = programme["workshop"]
    page = client.post(f"/events/scekl25/talks/{talk.id}/signup",
                       follow_redirects=True).get_data(as_text=True)
    assert "You have a seat." in page and "9 of 10 seats left" not in page
    assert "1 / 10" in page
    assert db.session.scalar(sa.select(SignUp.status)) == "confirmed"


@freeze_time("2025-09-01")
def test_signing_up_without_a_registration_explains_why(client, event, programme, people):
    people.login_as(Role.DELEGATE, event)
    talk = programme["workshop"]
    page = client.post(f"/events/scekl25/talks/{talk.id}/signup",
                       follow_redirects=True).get_data(as_text=True)
    assert "Signing up needs a confirmed registration" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SignUp)) == 0


# ---------------------------------------------------------------- organisers


def test_organiser_pages_are_closed_to_delegates_and_other_events_organisers(
        client, event, other_event, people):
    people.login_as(Role.DELEGATE, event)
    assert client.get("/events/scekl25/manage/programme").status_code == 403
    other = people.make(Role.ORGANISER, other_event)
    people.login(other)
    assert client.get("/events/scekl25/manage/schedule").status_code == 403


def test_organiser_adds_a_room_and_sees_a_clear_error_for_bad_hours(client, event, organiser,
                                                                    people):
    people.login(organiser)
    ok = client.post("/events/scekl25/manage/rooms", data={
        "name": "Conference Hall 3", "capacity": "300", "floor": "Level 3",
        "accessibility": "Step-free", "opens_at": "08:00", "closes_at": "20:00"})
    assert ok.status_code == 302
    bad = client.post("/events/scekl25/manage/rooms", data={
        "name": "Backwards Room", "opens_at": "18:00", "closes_at": "08:00"})
    assert bad.status_code == 400 and "must close after it opens" in bad.get_data(as_text=True)
    assert [r.name for r in services.rooms(event)] == ["Conference Hall 3"]


def test_organiser_creates_a_panel_with_people_rows(client, event, organiser, people, hall,
                                                    speaker):
    people.login(organiser)
    form = client.get("/events/scekl25/manage/talks/new").get_data(as_text=True)
    assert "Maria Santos · Cebu City Government" in form
    response = client.post("/events/scekl25/manage/talks/new", data={
        "title": "Governing AI in Public Services", "kind": "panel", "day": "2025-09-17",
        "start": "10:30", "end": "11:30", "room_id": str(hall.id), "track_id": "",
        "people-0-speaker_id": str(speaker.id), "people-0-role": "moderator",
        "people-1-speaker_id": "", "people-1-role": "speaker"})
    assert response.status_code == 302
    talk = db.session.scalar(sa.select(Talk))
    assert talk.starts_at == kl(17, 10, 30)
    assert [(p.speaker.full_name, p.role) for p in talk.people] == [("Maria Santos",
                                                                     "moderator")]


def test_organiser_limits_a_site_visit_to_pass_types_in_the_form(client, event, organiser,
                                                                 people, pass_type):
    people.login(organiser)
    response = client.post("/events/scekl25/manage/talks/new", data={
        "title": "Site visit: Putrajaya Command Centre", "kind": "site_visit",
        "day": "2025-09-18", "start": "08:30", "end": "13:00", "room_id": "", "track_id": "",
        "meeting_point": "KLCC Main Lobby", "destination": "Putrajaya Command Centre",
        "buses": "2", "seats_per_bus": "40", "eligible_pass_types": [str(pass_type.id)]})
    assert response.status_code == 302, response.get_data(as_text=True)
    talk = db.session.scalar(sa.select(Talk))
    assert talk.capacity == 80 and talk.site_visit.eligible_pass_type_ids == [pass_type.id]
    page = client.get(f"/events/scekl25/manage/talks/{talk.id}").get_data(as_text=True)
    assert f'<option selected value="{pass_type.id}">Delegate</option>' in page


def test_a_talk_form_clash_shows_the_conflict_and_saves_nothing(client, event, organiser,
                                                                people, make_talk, hall):
    make_talk()
    people.login(organiser)
    response = client.post("/events/scekl25/manage/talks/new", data={
        "title": "Clash", "kind": "expert_talk", "day": "2025-09-17", "start": "10:30",
        "end": "11:00", "room_id": str(hall.id), "track_id": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "Plenary Hall is double-booked" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Talk)) == 1


def test_a_talk_form_with_end_before_start_says_so(client, event, organiser, people):
    people.login(organiser)
    response = client.post("/events/scekl25/manage/talks/new", data={
        "title": "Backwards", "kind": "expert_talk", "day": "2025-09-17", "start": "11:00",
        "end": "10:00", "room_id": "", "track_id": ""})
    assert response.status_code == 400
    assert "must end after it starts" in response.get_data(as_text=True)


def test_the_move_form_moves_a_talk_and_flashes_the_conflict(client, event, organiser, people,
                                                             make_talk, hall, small_room):
    make_talk()
    other = make_talk("Other", room_id=small_room.id)
    people.login(organiser)
    response = client.post(f"/events/scekl25/manage/schedule/move/{other.id}", data={
        "day": "2025-09-17", "room_id": str(hall.id), "start": "10:00"},
        follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Moved, with 1 conflict(s)" in page and "sg-conflict" in page
    db.session.refresh(other)
    assert other.room_id == hall.id


def test_the_publish_page_lists_changes_and_needs_an_override_for_conflicts(
        client, event, organiser, people, make_talk):
    make_talk()
    make_talk("Clash", starts_at=kl(17, 10, 30), ends_at=kl(17, 11, 30), allow_conflicts=True)
    people.login(organiser)
    refused = client.post("/events/scekl25/manage/publish", data={"note": "v1"})
    assert refused.status_code == 400 and "1 conflict(s)" in refused.get_data(as_text=True)
    assert services.latest_version(event) is None
    done = client.post("/events/scekl25/manage/publish", data={"note": "v1", "override": "y"},
                       follow_redirects=True)
    assert "Version 1 is published." in done.get_data(as_text=True)


def test_a_speaker_photo_replaces_the_initials(client, event, programme, speaker):
    services.save_speaker(None, event, speaker.id, full_name="Maria Santos",
                          photo_url="https://cebucity.gov.ph/photos/santos.jpg")
    services.publish(None, event)
    page = client.get(f"/events/scekl25/speakers/{speaker.id}").get_data(as_text=True)
    assert 'src="https://cebucity.gov.ph/photos/santos.jpg"' in page
    assert '<div class="avatar avatar-lg"' not in page
