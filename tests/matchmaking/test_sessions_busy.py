"""Meetings around people's sessions: busy slots read from real talks, sign-ups and site
visits; the scheduler and the people picking a slot keep out of them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time

import pytest
import sqlalchemy as sa
from freezegun import freeze_time

from expo.core.models import Role
from expo.errors import Conflict
from expo.extensions import db
from expo.matchmaking import scheduler, services
from expo.matchmaking.models import MeetingRequest, ProjectStatus, RequestStatus
from expo.registration.models import PassType, Registration
from expo.sessions import services as sessions
from expo.sessions.models import SignUpStatus, Talk

from .conftest import project_fields, thesis_fields

pytestmark = pytest.mark.usefixtures("frozen")


def kl(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment on 2025-09-<day> in Kuala Lumpur (UTC+8), as aware UTC."""
    return datetime(2025, 9, day, hour - 8, minute, tzinfo=UTC)


@pytest.fixture
def frozen():
    # Two weeks before SCEKL25 (17-19 Sep 2025): sign-ups are open and no slot is past.
    with freeze_time("2025-09-01"):
        yield


@pytest.fixture
def lounge(organiser, event):
    """20-minute slots, 10:00-13:00 on 17 and 18 Sep, two tables each."""
    return services.create_slot_series(organiser, event, days=[kl(17, 10).date(),
                                                               kl(18, 10).date()],
                                       start=time(10, 0), end=time(13, 0), minutes=20,
                                       tables=2)


@pytest.fixture
def register(event):
    pass_type = PassType(event_id=event.id, code="DELEGATE", name="Conference delegate")
    db.session.add(pass_type)
    db.session.commit()

    def make(user):
        db.session.add(Registration(event_id=event.id, pass_type_id=pass_type.id,
                                    user_id=user.id, email=user.email,
                                    full_name=user.full_name,
                                    reference=uuid.uuid4().hex[:10].upper()))
        db.session.commit()

    return make


@pytest.fixture
def programme(event, people, register):
    """Siti (investor) speaks on a panel; Hafiz (project owner) holds a workshop seat and a
    seat on the Putrajaya site visit; both star a keynote they are free to skip."""
    siti = people.make(Role.INVESTOR, event, name="Siti Mariam Ismail")
    hafiz = people.make(Role.DELEGATE, event, name="Hafiz Rahman")
    for user in (siti, hafiz):
        register(user)
    hall = sessions.save_room(None, event, name="Plenary Hall", capacity=3000)
    lab = sessions.save_room(None, event, name="Conference Hall 2", capacity=60)
    speaker = sessions.save_speaker(None, event, full_name=siti.full_name, email=siti.email,
                                    organisation="Khazanah Nasional")
    panel, _ = sessions.save_talk(None, event, title="Financing Resilient Cities", kind="panel",
                                  room_id=hall.id, starts_at=kl(17, 10), ends_at=kl(17, 11),
                                  people=[(speaker.id, "panellist")])
    workshop, _ = sessions.save_talk(None, event, title="Open Data Dashboards",
                                     kind="workshop", room_id=lab.id, capacity=40,
                                     starts_at=kl(17, 11, 20), ends_at=kl(17, 12, 20))
    keynote, _ = sessions.save_talk(None, event, title="AI Cities: Shaping Our Digital Future",
                                    kind="keynote", room_id=hall.id, starts_at=kl(18, 12),
                                    ends_at=kl(18, 13))
    # The agenda shows the visit at 09:00-10:00 at the lobby; the bus is back at 12:00.
    visit, _ = sessions.save_talk(None, event, title="Site visit: Putrajaya Command Centre",
                                  kind="site_visit", starts_at=kl(18, 9), ends_at=kl(18, 10),
                                  site_visit={"meeting_point": "KLCC Main Lobby",
                                              "departs_at": kl(18, 9), "returns_at": kl(18, 12),
                                              "buses": 1, "seats_per_bus": 40})
    sessions.publish(None, event)
    sessions.signup(hafiz, event, workshop.id)
    sessions.signup(hafiz, event, visit.id)
    for user in (siti, hafiz):
        sessions.star(user, event, keynote.id)
    return dict(siti=siti, hafiz=hafiz, panel=panel, workshop=workshop, keynote=keynote,
                visit=visit)


def slot_at(lounge, day: int, hour: int, minute: int = 0):
    return next(s for s in lounge if s.starts_at == kl(day, hour, minute))


def ids_between(lounge, start: datetime, end: datetime) -> set[int]:
    return {s.id for s in lounge if s.starts_at < end and start < s.ends_at}


def meet(event, investor, owner, organiser, title="Johor Bahru BRT fare system"):
    if services.thesis_of(investor, event) is None:
        services.save_thesis(investor, event, **thesis_fields(event))
    project = services.create_project(owner, event, **project_fields(event, title=title))
    services.moderate_project(organiser, event, project.id, ProjectStatus.APPROVED)
    made = services.request_meeting(investor, event, project_id=project.id, message="Hello")
    return services.respond(owner, event, made.id, accept=True)


def test_a_speaker_is_busy_during_their_talk_and_a_seat_holder_during_the_workshop(
        event, lounge, programme):
    busy = services.busy_slots(event)
    assert busy[programme["siti"].id] == ids_between(lounge, kl(17, 10), kl(17, 11))
    assert ids_between(lounge, kl(17, 11, 20), kl(17, 12, 20)) <= busy[programme["hafiz"].id]


def test_a_site_visit_blocks_from_the_bus_departure_to_its_return(event, lounge, programme):
    hafiz = services.busy_slots(event)[programme["hafiz"].id]
    # 10:00-12:00 on the 18th: the talk itself ends at 10:00, the bus returns at 12:00.
    assert ids_between(lounge, kl(18, 10), kl(18, 12)) <= hafiz
    assert slot_at(lounge, 18, 12).id not in hafiz


def test_a_starred_keynote_does_not_block_a_meeting(event, lounge, programme):
    busy = services.busy_slots(event)
    keynote_slots = ids_between(lounge, kl(18, 12), kl(18, 13))
    assert not keynote_slots & busy[programme["siti"].id]
    assert not keynote_slots & busy[programme["hafiz"].id]


def test_a_place_on_the_waiting_list_does_not_block_but_an_offered_seat_does(
        event, lounge, people, register):
    lab = sessions.save_room(None, event, name="Conference Hall 3", capacity=10)
    tiny, _ = sessions.save_talk(None, event, title="Designing Citizen Reporting Apps",
                                 kind="workshop", room_id=lab.id, capacity=1,
                                 starts_at=kl(17, 10), ends_at=kl(17, 11))
    sessions.publish(None, event)
    first, second = people.make(Role.DELEGATE, event), people.make(Role.DELEGATE, event)
    register(first)
    register(second)
    sessions.signup(first, event, tiny.id)
    assert sessions.signup(second, event, tiny.id).status == SignUpStatus.WAITING
    assert second.id not in services.busy_slots(event)
    sessions.cancel_signup(first, event, tiny.id)  # the seat is offered to `second`
    busy = services.busy_slots(event)
    assert first.id not in busy
    assert busy[second.id] == ids_between(lounge, kl(17, 10), kl(17, 11))


def test_a_talk_moved_in_the_draft_moves_the_busy_slots_with_it(event, lounge, programme):
    sessions.move_talk(None, event, programme["panel"].id, day=kl(17, 10).date(),
                       start=time(12, 0), room_id=programme["panel"].room_id)
    assert services.busy_slots(event)[programme["siti"].id] == ids_between(
        lounge, kl(17, 12), kl(17, 13))


def test_only_the_people_asked_for_are_read(event, lounge, programme):
    assert set(services.busy_slots(event, [programme["siti"].id])) == {programme["siti"].id}
    assert services.busy_slots(event, []) == {}


def test_common_free_slots_leave_out_both_peoples_sessions(event, lounge, programme,
                                                           organiser):
    meeting = meet(event, programme["siti"], programme["hafiz"], organiser)
    offered = {s.id for s in services.free_slots_for(programme["hafiz"], event, meeting.id)}
    blocked = (ids_between(lounge, kl(17, 10), kl(17, 11))          # Siti's panel
               | ids_between(lounge, kl(17, 11, 20), kl(17, 12, 20))  # Hafiz's workshop
               | ids_between(lounge, kl(18, 9), kl(18, 12)))          # Hafiz's site visit
    assert offered == {s.id for s in lounge} - blocked
    assert slot_at(lounge, 18, 12).id in offered  # the starred keynote is no obstacle


def test_picking_a_slot_during_a_workshop_seat_is_refused_and_changes_nothing(
        event, lounge, programme, organiser):
    meeting = meet(event, programme["siti"], programme["hafiz"], organiser)
    with pytest.raises(Conflict) as error:
        services.pick_slot(programme["siti"], event, meeting.id, slot_at(lounge, 17, 11, 40).id)
    assert error.value.code == "person_busy"
    db.session.refresh(meeting)
    assert meeting.slot_id is None and meeting.table_no is None


def test_the_meetings_page_offers_only_times_outside_both_agendas(client, people, event,
                                                                   lounge, programme,
                                                                   organiser):
    meet(event, programme["siti"], programme["hafiz"], organiser)
    people.login(programme["hafiz"])
    page = client.get(f"/events/{event.slug}/matchmaking/meetings").get_data(as_text=True)
    assert "Wed 17 Sep 12:40" in page and "Thu 18 Sep 12:00" in page
    for taken in ("Wed 17 Sep 10:00", "Wed 17 Sep 11:40", "Thu 18 Sep 10:00",
                  "Thu 18 Sep 11:40"):
        assert taken not in page


def commitments_from_rows(event) -> dict[int, list[tuple[datetime, datetime]]]:
    """Who must be where, read straight from the sessions tables (not via busy_slots)."""
    from expo.sessions.models import SignUp, SiteVisitDetails, Speaker, TalkSpeaker

    out: dict[int, list] = {}
    for user_id, talk_id in db.session.execute(
            sa.select(Speaker.user_id, TalkSpeaker.talk_id).join(TalkSpeaker)
            .where(Speaker.event_id == event.id, Speaker.user_id.is_not(None))).all() + \
            db.session.execute(sa.select(SignUp.user_id, SignUp.talk_id).where(
                SignUp.event_id == event.id,
                SignUp.status.in_(["confirmed", "offered"]))).all():
        talk = db.session.get(Talk, talk_id)
        visit = db.session.get(SiteVisitDetails, talk_id)
        window = (visit.departs_at, visit.returns_at) if visit else (talk.starts_at,
                                                                    talk.ends_at)
        out.setdefault(user_id, []).append(window)
    return out


def test_the_scheduler_keeps_everyone_out_of_meetings_during_their_sessions(
        event, lounge, programme, people, organiser):
    siti, hafiz = programme["siti"], programme["hafiz"]
    # Siti meets four owners, Hafiz meets four investors: more meetings than free slots
    # would fit if their sessions were ignored at the start of each morning.
    owners = [people.make(Role.DELEGATE, event, name=f"Owner {n}") for n in range(4)]
    investors = [people.make(Role.INVESTOR, event, name=f"Investor {n}") for n in range(4)]
    for n, owner in enumerate(owners):
        meet(event, siti, owner, organiser, title=f"Smart bus depot {n}")
    for n, investor in enumerate(investors):
        meet(event, investor, hafiz, organiser, title=f"Hafiz's corridor phase {n}")
    run = services.start_scheduler_run(organiser, event)  # in-process without Redis
    db.session.refresh(run)
    assert run.status == "done" and run.placed == 8, run.error

    placed = list(db.session.scalars(sa.select(MeetingRequest).where(
        MeetingRequest.event_id == event.id, MeetingRequest.slot_id.is_not(None))))
    windows = commitments_from_rows(event)
    for request in placed:
        for person in (request.thesis.user_id, request.project.owner_id):
            for start, end in windows.get(person, []):
                assert not (request.slot.starts_at < end and start < request.slot.ends_at), (
                    f"meeting {request.id} at {request.slot.starts_at} overlaps a session of "
                    f"user {person}")

    # The independent validator, fed with busy slots computed here from the raw rows.
    busy = {person: {s.id for s in lounge for start, end in spans
                     if s.starts_at < end and start < s.ends_at}
            for person, spans in windows.items()}
    accepted = list(db.session.scalars(sa.select(MeetingRequest).where(
        MeetingRequest.status == RequestStatus.ACCEPTED)))
    problem = scheduler.SchedulingInput(
        [scheduler.Slot(s.id, s.tables) for s in lounge],
        [scheduler.Meeting(r.id, r.thesis.user_id, r.project.owner_id) for r in accepted],
        busy)
    result = scheduler.Schedule(
        tuple(scheduler.Placement(r.id, r.slot_id, r.table_no) for r in placed), (),
        placed_weight=len(placed), upper_bound=len(placed), gap=0.0, status="optimal",
        method="db", seconds=0.0)
    assert scheduler.validate(result, problem) == []
    assert len(placed) == len(accepted) == 8


def test_the_validator_would_catch_a_meeting_during_a_talk(event, lounge, programme,
                                                           organiser):
    """The check above can fail: a meeting put in Siti's panel slot is reported."""
    meeting = meet(event, programme["siti"], programme["hafiz"], organiser)
    busy = services.busy_slots(event)
    during_panel = slot_at(lounge, 17, 10).id
    problem = scheduler.SchedulingInput([scheduler.Slot(s.id, s.tables) for s in lounge],
                                        [scheduler.Meeting(meeting.id, programme["siti"].id,
                                                           programme["hafiz"].id)], busy)
    wrong = scheduler.Schedule((scheduler.Placement(meeting.id, during_panel, 1),), (), 1.0,
                               1.0, 0.0, "optimal", "hand", 0.0)
    assert any("when they are busy" in v for v in scheduler.validate(wrong, problem))


def test_a_locked_meeting_stays_when_a_person_later_takes_a_seat_at_that_time(
        event, lounge, programme, organiser, people, register):
    meeting = meet(event, programme["siti"], programme["hafiz"], organiser)
    later = slot_at(lounge, 18, 12, 20)
    services.pick_slot(programme["hafiz"], event, meeting.id, later.id)
    lab = sessions.room(event, programme["workshop"].room_id)
    evening, _ = sessions.save_talk(None, event, title="Designing Citizen Reporting Apps",
                                    kind="workshop", room_id=lab.id, capacity=10,
                                    starts_at=kl(18, 12, 15), ends_at=kl(18, 13))
    sessions.publish(None, event)
    sessions.signup(programme["siti"], event, evening.id)
    assert later.id in services.busy_slots(event)[programme["siti"].id]
    run = services.start_scheduler_run(organiser, event)
    db.session.refresh(run)
    db.session.refresh(meeting)
    assert run.status == "done" and meeting.slot_id == later.id
