"""Sessions rules without HTTP: talks and bad input, sign-ups, waiting list, publishing."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from freezegun import freeze_time

from expo.core.models import AuditEntry, Role
from expo.errors import Conflict, Forbidden, Invalid, NotFound
from expo.extensions import db
from expo.registration.models import PassType
from expo.sessions import services
from expo.sessions.models import SignUp, SignUpStatus, Talk

from .conftest import kl, outbox

# ---------------------------------------------------------------- talks and bad input


def test_a_talk_that_ends_before_it_starts_is_refused_and_nothing_is_saved(event, hall):
    with pytest.raises(Invalid) as error:
        services.save_talk(None, event, title="Backwards", room_id=hall.id,
                           starts_at=kl(17, 11), ends_at=kl(17, 10))
    assert error.value.code == "ends_before_start"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Talk)) == 0


def test_a_talk_outside_the_event_days_is_refused_even_with_override(event, hall):
    with pytest.raises(Invalid) as error:
        services.save_talk(None, event, title="Too early", room_id=hall.id,
                           starts_at=kl(16, 10), ends_at=kl(16, 11), allow_conflicts=True)
    assert error.value.code == "outside_event_days"
    assert "outside the event days" in error.value.message
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Talk)) == 0


def test_an_unknown_room_or_speaker_is_a_clear_not_found(event, other_event):
    foreign = services.save_room(None, other_event, name="Elsewhere")
    with pytest.raises(NotFound) as error:
        services.save_talk(None, event, title="T", room_id=foreign.id,
                           starts_at=kl(17, 10), ends_at=kl(17, 11))
    assert error.value.code == "room_not_found"
    with pytest.raises(NotFound) as error:
        services.save_talk(None, event, title="T", people=[(999, "speaker")],
                           starts_at=kl(17, 10), ends_at=kl(17, 11))
    assert error.value.code == "speaker_not_found"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Talk)) == 0


def test_a_double_booked_room_answers_409_with_the_conflict_unless_allowed(event, make_talk,
                                                                          hall):
    first = make_talk()
    with pytest.raises(Conflict) as error:
        make_talk("Flood Resilience", starts_at=kl(17, 10, 30), ends_at=kl(17, 11, 30))
    assert error.value.code == "schedule_conflict"
    [conflict] = error.value.details["conflicts"]
    assert conflict["kind"] == "room_double_booked" and first.id in conflict["talk_ids"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Talk)) == 1
    second = make_talk("Flood Resilience", starts_at=kl(17, 10, 30), ends_at=kl(17, 11, 30),
                       allow_conflicts=True)
    assert {c.kind for c in services.programme_conflicts(event)} == {"room_double_booked"}
    assert second.id in {i for c in services.programme_conflicts(event) for i in c.talk_ids}


def test_a_speaker_in_two_rooms_at_once_is_a_conflict(event, make_talk, small_room, speaker):
    make_talk(people=[(speaker.id, "moderator")])
    with pytest.raises(Conflict) as error:
        make_talk("Workshop", room_id=small_room.id, people=[(speaker.id, "speaker")])
    assert "Maria Santos is in two talks at once" in error.value.message


def test_sign_up_seats_above_the_room_capacity_is_a_conflict(event, make_talk, small_room):
    with pytest.raises(Conflict) as error:
        make_talk("Big workshop", room_id=small_room.id, capacity=50, kind="workshop")
    assert error.value.details["conflicts"][0]["kind"] == "capacity_above_room"


def test_a_speaker_outside_their_availability_is_a_conflict(event, make_talk, speaker):
    services.add_availability(None, event, speaker.id, kl(18, 9), kl(18, 12))
    with pytest.raises(Conflict) as error:
        make_talk(people=[(speaker.id, "speaker")])
    assert error.value.details["conflicts"][0]["kind"] == "speaker_unavailable"


def test_moving_a_talk_keeps_its_length_and_reports_the_new_clash(event, make_talk, hall,
                                                                 small_room):
    organiser_talk = make_talk()
    other = make_talk("Other", room_id=small_room.id, starts_at=kl(17, 14),
                      ends_at=kl(17, 15, 30))
    from datetime import date, time

    moved, found = services.move_talk(None, event, other.id, day=date(2025, 9, 17),
                                      start=time(10, 30), room_id=hall.id)
    assert (moved.starts_at, moved.ends_at) == (kl(17, 10, 30), kl(17, 12))
    assert [c.kind for c in found] == ["room_double_booked"]
    assert set(found[0].talk_ids) == {organiser_talk.id, other.id}


def test_site_visit_seats_are_buses_times_seats_and_eligible_passes_must_exist(event):
    talk, _ = services.save_talk(None, event, title="Site visit: Putrajaya Wetlands",
                                 kind="site_visit", starts_at=kl(18, 8), ends_at=kl(18, 12),
                                 site_visit={"meeting_point": "KLCC Main Lobby",
                                             "departs_at": kl(18, 8), "returns_at": kl(18, 12),
                                             "buses": 2, "seats_per_bus": 40})
    assert talk.capacity == 80 and talk.site_visit.meeting_point == "KLCC Main Lobby"
    with pytest.raises(NotFound) as error:
        services.save_talk(None, event, talk.id, site_visit={
            "meeting_point": "KLCC", "departs_at": kl(18, 8), "returns_at": kl(18, 12),
            "buses": 1, "seats_per_bus": 10, "eligible_pass_type_ids": [424242]})
    assert error.value.code == "pass_type_not_found"
    db.session.refresh(talk)
    assert talk.capacity == 80 and talk.site_visit.eligible_pass_type_ids == []


# ---------------------------------------------------------------- sign-ups


@pytest.fixture
def workshop(make_talk, small_room, publish):
    talk = make_talk("Hands-on: Open Data Dashboards", kind="workshop", room_id=small_room.id,
                     capacity=2)
    publish()
    return talk


@freeze_time("2025-09-01")
def test_signing_up_takes_a_seat_and_a_second_time_changes_nothing(event, workshop, delegate):
    row = services.signup(delegate, event, workshop.id)
    again = services.signup(delegate, event, workshop.id)
    assert row.status == SignUpStatus.CONFIRMED and again.id == row.id
    db.session.refresh(workshop)
    assert workshop.taken == 1


@freeze_time("2025-09-01")
def test_a_full_workshop_puts_the_next_person_on_the_waiting_list(event, workshop, people,
                                                                  register):
    users = [people.make(Role.DELEGATE, event) for _ in range(3)]
    for user in users:
        register(user)
    statuses = [services.signup(u, event, workshop.id).status for u in users]
    assert statuses == ["confirmed", "confirmed", "waiting"]
    db.session.refresh(workshop)
    assert workshop.taken == 2


@freeze_time("2025-09-01")
def test_a_full_panel_refuses_with_a_clear_message(event, make_talk, small_room, publish,
                                                   people, register):
    panel = make_talk("Closed-door panel", kind="panel", room_id=small_room.id, capacity=1)
    publish()
    first, second = people.make(Role.DELEGATE, event), people.make(Role.DELEGATE, event)
    register(first)
    register(second)
    services.signup(first, event, panel.id)
    with pytest.raises(Conflict) as error:
        services.signup(second, event, panel.id)
    assert error.value.code == "talk_full" and "is full" in error.value.message
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SignUp)
                             .where(SignUp.user_id == second.id)) == 0


@freeze_time("2025-09-01")
def test_a_cancelled_seat_is_offered_to_the_first_person_waiting_by_email(
        app, event, workshop, people, register):
    users = [people.make(Role.DELEGATE, event, name=f"Delegate {i}") for i in range(3)]
    for user in users:
        register(user)
        services.signup(user, event, workshop.id)
    services.cancel_signup(users[0], event, workshop.id)
    offered = services.signups_of(users[2], event)[workshop.id]
    assert offered.status == SignUpStatus.OFFERED
    assert offered.offer_expires_at == kl(1, 8) + timedelta(hours=24)
    [message] = [m for m in outbox(app) if m["To"] == users[2].email]
    assert "A seat is free" in message["Subject"]
    services.accept_offer(users[2], event, workshop.id)
    assert services.signups_of(users[2], event)[workshop.id].status == "confirmed"
    db.session.refresh(workshop)
    assert workshop.taken == 2


def test_an_unanswered_offer_passes_to_the_next_person_after_24_hours(event, workshop, people,
                                                                      register):
    users = [people.make(Role.DELEGATE, event) for _ in range(4)]
    with freeze_time("2025-09-01 00:00"):
        for user in users:
            register(user)
            services.signup(user, event, workshop.id)
        services.cancel_signup(users[0], event, workshop.id)
    with freeze_time("2025-09-02 01:00"):
        assert services.expire_offers(event) == 1
    assert services.signups_of(users[2], event) == {}
    assert services.signups_of(users[3], event)[workshop.id].status == "offered"
    db.session.refresh(workshop)
    assert workshop.taken == 2


@freeze_time("2025-09-01")
def test_signing_up_needs_a_confirmed_registration(event, workshop, people):
    stranger = people.make(Role.DELEGATE, event)
    with pytest.raises(Forbidden) as error:
        services.signup(stranger, event, workshop.id)
    assert error.value.code == "registration_required"


@freeze_time("2025-09-01")
def test_a_site_visit_refuses_passes_that_are_not_eligible(event, publish, people, register,
                                                           pass_type):
    vip = PassType(event_id=event.id, code="VIP", name="Head of delegation")
    db.session.add(vip)
    db.session.commit()
    visit, _ = services.save_talk(None, event, title="Site visit: Putrajaya Command Centre",
                                  kind="site_visit", starts_at=kl(18, 8), ends_at=kl(18, 13),
                                  site_visit={"meeting_point": "KLCC Main Lobby",
                                              "departs_at": kl(18, 8), "returns_at": kl(18, 13),
                                              "buses": 1, "seats_per_bus": 40,
                                              "eligible_pass_type_ids": [vip.id]})
    publish()
    ordinary, head = people.make(Role.DELEGATE, event), people.make(Role.DELEGATE, event)
    register(ordinary)
    register(head, pass_type_id=vip.id)
    with pytest.raises(Forbidden) as error:
        services.signup(ordinary, event, visit.id)
    assert error.value.code == "pass_not_eligible"
    assert services.signup(head, event, visit.id).status == "confirmed"
    db.session.refresh(visit)
    assert visit.taken == 1


@freeze_time("2025-09-01")
def test_a_talk_only_in_the_draft_cannot_be_starred_or_signed_up_for(event, make_talk,
                                                                     delegate, small_room):
    draft = make_talk("Not yet announced", kind="workshop", room_id=small_room.id, capacity=5)
    for action in (services.star, services.signup):
        with pytest.raises(NotFound) as error:
            action(delegate, event, draft.id)
        assert error.value.code == "talk_not_found"
    db.session.refresh(draft)
    assert draft.taken == 0


# ---------------------------------------------------------------- publishing


def test_publishing_with_conflicts_needs_an_override_which_the_audit_log_records(
        event, make_talk, organiser):
    make_talk()
    make_talk("Clash", starts_at=kl(17, 10, 30), ends_at=kl(17, 11, 30), allow_conflicts=True)
    with pytest.raises(Conflict) as error:
        services.publish(organiser, event)
    assert error.value.code == "schedule_conflict"
    assert services.latest_version(event) is None
    version = services.publish(organiser, event, override=True, note="Known clash")
    assert version.number == 1 and len(version.overridden_conflicts) == 1
    entry = db.session.scalar(sa.select(AuditEntry).where(
        AuditEntry.action == "programme.published"))
    assert entry.actor_id == organiser.id and entry.details["override"] is True
    assert "double-booked" in entry.details["conflicts"][0]


@freeze_time("2025-09-01")
def test_a_new_version_emails_speakers_and_signed_up_delegates_what_changed_with_an_ics(
        app, event, make_talk, small_room, speaker, delegate, publish):
    import icalendar

    speaker.email = "maria.santos@cebucity.gov.ph"
    db.session.commit()
    talk = make_talk("Hands-on: Open Data Dashboards", kind="workshop", room_id=small_room.id,
                     capacity=10, people=[(speaker.id, "speaker")])
    make_talk("Untouched keynote", starts_at=kl(18, 9), ends_at=kl(18, 10))
    publish()
    services.signup(delegate, event, talk.id)
    services.save_talk(None, event, talk.id, starts_at=kl(17, 14), ends_at=kl(17, 15))
    version = publish(note="Workshop moved to the afternoon")
    assert version.number == 2 and [c["talk_id"] for c in version.changes] == [talk.id]
    mails = {m["To"]: m for m in outbox(app) if "programme changes" in m["Subject"]}
    assert set(mails) == {"maria.santos@cebucity.gov.ph", delegate.email}
    body = mails[delegate.email].get_body(("plain",)).get_content()
    assert "now Wed 17 Sep 14:00–15:00 (was Wed 17 Sep 10:00)" in body
    [ics] = [p for p in mails[delegate.email].iter_attachments()
             if p.get_filename() == "changes.ics"]
    cal = icalendar.Calendar.from_ical(ics.get_content())
    [ev] = cal.walk("VEVENT")
    assert ev.decoded("DTSTART") == kl(17, 14)
    assert str(ev["SUMMARY"]) == "Hands-on: Open Data Dashboards"


def test_publishing_twice_without_changes_says_there_is_nothing_to_publish(event, make_talk,
                                                                           publish):
    make_talk()
    publish()
    with pytest.raises(Invalid) as error:
        publish()
    assert error.value.code == "no_changes"


def test_tracks_default_to_the_event_pillars_with_colours(event):
    tracks = services.ensure_default_tracks(event)
    assert [t.name for t in tracks] == ["AI Cities", "Sustainable & Resilient Cities"]
    assert [t.pillar for t in tracks] == [t.name for t in tracks]
    assert len({t.colour for t in tracks}) == 2


def test_limiting_a_site_visit_to_a_pass_type_can_be_published_without_mailing_anyone(
        app, event, publish, pass_type):
    visit, _ = services.save_talk(None, event, title="Site visit: Putrajaya Wetlands",
                                  kind="site_visit", starts_at=kl(18, 8), ends_at=kl(18, 12),
                                  site_visit={"meeting_point": "KLCC Main Lobby",
                                              "departs_at": kl(18, 8), "returns_at": kl(18, 12),
                                              "buses": 1, "seats_per_bus": 44})
    publish()
    details = {"meeting_point": "KLCC Main Lobby", "departs_at": kl(18, 8),
               "returns_at": kl(18, 12), "buses": 1, "seats_per_bus": 44,
               "eligible_pass_type_ids": [pass_type.id]}
    services.save_talk(None, event, visit.id, site_visit=details)
    version = publish()
    assert version.changes[0]["fields"] == ["details"]
    published = services.published_programme(event).talk(visit.id)
    assert published.site_visit["eligible_pass_type_ids"] == [pass_type.id]
    assert [m for m in outbox(app) if "programme changes" in m["Subject"]] == []
