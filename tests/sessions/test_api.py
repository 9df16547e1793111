"""The sessions API: talk list and detail, speakers, sign-ups, organiser edits with 409."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from freezegun import freeze_time

from expo.core.models import EventStatus, Role
from expo.extensions import db
from expo.sessions.models import SignUp, Talk

from .conftest import kl


@pytest.fixture
def published(event, make_talk, small_room, speaker, publish):
    keynote = make_talk("AI Cities: Shaping Our Digital Future", kind="keynote",
                        people=[(speaker.id, "speaker")])
    workshop = make_talk("Open Data Dashboards", kind="workshop", room_id=small_room.id,
                         capacity=1, starts_at=kl(18, 10), ends_at=kl(18, 11))
    publish()
    return keynote, workshop


def test_talk_list_is_public_and_filters_like_the_agenda(client, published):
    keynote, workshop = published
    everything = client.get("/api/v1/events/scekl25/talks").get_json()
    assert [t["title"] for t in everything] == [keynote.title, workshop.title]
    assert everything[0]["start"] == "2025-09-17T02:00:00+00:00"
    assert everything[0]["people"][0] == {"speaker_id": keynote.people[0].speaker_id,
                                          "name": "Maria Santos",
                                          "organisation": "Cebu City Government",
                                          "role": "speaker"}
    day = client.get("/api/v1/events/scekl25/talks?day=2025-09-18").get_json()
    assert [t["id"] for t in day] == [workshop.id]
    assert day[0]["seats_left"] == 1
    bad = client.get("/api/v1/events/scekl25/talks?kind=party")
    assert bad.status_code == 422 and bad.get_json()["code"] == "invalid"


def test_talk_detail_and_speakers(client, published, speaker):
    keynote, _ = published
    detail = client.get(f"/api/v1/events/scekl25/talks/{keynote.id}").get_json()
    assert detail["room"] == "Plenary Hall" and detail["kind"] == "keynote"
    assert client.get("/api/v1/events/scekl25/talks/999").status_code == 404
    speakers = client.get("/api/v1/events/scekl25/speakers").get_json()
    assert speakers == [{"id": speaker.id, "full_name": "Maria Santos",
                         "organisation": "Cebu City Government", "job_title": None,
                         "country": None, "bio": None, "talk_ids": [keynote.id]}]


@freeze_time("2025-09-01")
def test_a_delegate_signs_up_and_cancels_with_a_token(client, published, people, delegate):
    _, workshop = published
    headers = people.token(delegate)
    taken = client.post(f"/api/v1/events/scekl25/talks/{workshop.id}/signup", headers=headers)
    assert taken.status_code == 201 and taken.get_json()["status"] == "confirmed"
    db.session.refresh(workshop)
    assert workshop.taken == 1
    gone = client.delete(f"/api/v1/events/scekl25/talks/{workshop.id}/signup", headers=headers)
    assert gone.status_code == 204
    db.session.refresh(workshop)
    assert workshop.taken == 0


@freeze_time("2025-09-01")
def test_signing_up_without_a_token_or_registration_is_refused(client, published, people,
                                                               event):
    _, workshop = published
    assert client.post(f"/api/v1/events/scekl25/talks/{workshop.id}/signup").status_code == 401
    stranger = people.make(Role.DELEGATE, event)
    refused = client.post(f"/api/v1/events/scekl25/talks/{workshop.id}/signup",
                          headers=people.token(stranger))
    assert refused.status_code == 403
    assert refused.get_json()["code"] == "registration_required"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SignUp)) == 0


@freeze_time("2025-09-01")
def test_organiser_creates_a_talk_and_a_clash_answers_409_with_the_conflicts(
        client, event, published, people, organiser, hall):
    keynote, _ = published
    headers = people.token(organiser)
    body = {"title": "Financing Resilient Cities", "kind": "panel", "room_id": hall.id,
            "starts_at": "2025-09-17T10:30:00+08:00", "ends_at": "2025-09-17T11:30:00+08:00"}
    clash = client.post("/api/v1/events/scekl25/talks", json=body, headers=headers)
    assert clash.status_code == 409
    problem = clash.get_json()
    assert problem["code"] == "schedule_conflict"
    assert problem["errors"]["conflicts"][0]["kind"] == "room_double_booked"
    assert keynote.id in problem["errors"]["conflicts"][0]["talk_ids"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Talk)) == 2
    moved = client.post("/api/v1/events/scekl25/talks", headers=headers,
                        json={**body, "starts_at": "2025-09-17T14:00:00+08:00",
                              "ends_at": "2025-09-17T15:00:00+08:00"})
    assert moved.status_code == 201
    created = moved.get_json()["talk"]
    assert created["local_start"] == "14:00" and moved.get_json()["conflicts"] == []


def test_organiser_patch_with_end_before_start_is_422_and_changes_nothing(
        client, published, people, organiser):
    keynote, _ = published
    response = client.patch(f"/api/v1/events/scekl25/talks/{keynote.id}",
                            headers=people.token(organiser),
                            json={"ends_at": "2025-09-17T09:00:00+08:00"})
    assert response.status_code == 422 and response.get_json()["code"] == "ends_before_start"
    db.session.refresh(keynote)
    assert keynote.ends_at == kl(17, 11)


def test_a_delegate_token_cannot_edit_talks_and_another_events_talks_are_404(
        client, event, other_event, published, people, delegate):
    keynote, _ = published
    refused = client.patch(f"/api/v1/events/scekl25/talks/{keynote.id}",
                           headers=people.token(delegate), json={"title": "Hijacked"})
    assert refused.status_code == 403
    other_organiser = people.make(Role.ORGANISER, other_event)
    missing = client.patch(f"/api/v1/events/ascn8/talks/{keynote.id}",
                           headers=people.token(other_organiser), json={"title": "Hijacked"})
    assert missing.status_code == 404 and missing.get_json()["code"] == "talk_not_found"
    db.session.refresh(keynote)
    assert keynote.title == "AI Cities: Shaping Our Digital Future"


def test_a_draft_events_talks_are_visible_to_its_organisers_token_only(client, event, people,
                                                                       published, organiser):
    event.status = EventStatus.DRAFT
    db.session.commit()
    assert client.get("/api/v1/events/scekl25/talks").status_code == 404
    stranger = people.make()
    assert client.get("/api/v1/events/scekl25/talks",
                      headers=people.token(stranger)).status_code == 404
    mine = client.get("/api/v1/events/scekl25/talks", headers=people.token(organiser))
    assert mine.status_code == 200 and len(mine.get_json()) == 2


def test_organiser_moves_a_talk_through_the_api_and_gets_every_conflict(
        client, published, people, organiser, hall):
    _keynote, workshop = published
    response = client.post(f"/api/v1/events/scekl25/talks/{workshop.id}/move",
                           headers=people.token(organiser),
                           json={"day": "2025-09-17", "start": "10:30", "room_id": hall.id})
    assert response.status_code == 200
    kinds = [c["kind"] for c in response.get_json()["conflicts"]]
    assert kinds == ["room_double_booked"]
    db.session.refresh(workshop)
    assert workshop.starts_at == kl(17, 10, 30) and workshop.room_id == hall.id
