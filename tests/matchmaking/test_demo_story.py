"""`flask expo demo` tells one story: the demo delegate, speaker and investor are registered,
have their sessions, and meet in the lounge only when they are free."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from expo.core.models import Event, User
from expo.extensions import db
from expo.matchmaking import services
from expo.registration.models import Registration
from expo.sessions import services as sessions
from expo.sessions.models import SignUp


@pytest.fixture
def demo(runner):
    result = runner.invoke(args=["expo", "demo"])
    assert result.exit_code == 0, result.output
    return {e.slug: e for e in db.session.scalars(sa.select(Event))}


def person(who: str) -> User:
    return db.session.scalar(sa.select(User).where(User.email == f"{who}@demo.expo.my"))


def test_the_demo_delegate_is_registered_for_both_events_with_a_site_visit_seat(demo):
    delegate = person("delegate")
    for event in demo.values():
        assert sessions.active_registration(delegate, event) is not None
    seats = {s.talk.title for s in db.session.scalars(sa.select(SignUp).where(
        SignUp.user_id == delegate.id, SignUp.event_id == demo["ascn8"].id))}
    assert seats == {"Site visit: Putrajaya Command Centre"}


def test_the_demo_investor_and_speaker_hold_complimentary_conference_passes(demo):
    for who in ("investor", "speaker"):
        row = db.session.scalar(sa.select(Registration).where(
            Registration.user_id == person(who).id, Registration.event_id == demo["scekl25"].id))
        assert row.status == "confirmed" and row.price_minor == 0


def test_the_demo_agendas_hold_talks_and_meetings_without_clashes(demo):
    event = demo["scekl25"]
    investor = sessions.my_agenda(person("investor"), event)
    delegate = sessions.my_agenda(person("delegate"), event)
    speaker = sessions.my_agenda(person("speaker"), event)
    assert len(investor.talks) >= 3 and len(investor.meetings) == 2
    assert len(delegate.talks) >= 3 and len(delegate.meetings) == 1
    assert speaker.speaking and {t.id for t in speaker.talks} == speaker.speaking
    assert investor.overlaps == [] and delegate.overlaps == []


def test_no_demo_meeting_sits_in_a_session_one_of_its_people_must_be_at(demo):
    event = demo["scekl25"]
    placed = [r for r in services._accepted(event) if r.slot_id is not None]
    assert len(placed) >= 4
    busy = services.busy_slots(event)
    assert any(busy.values())  # the workshop seat and the talks do block slots
    for request in placed:
        for who in services._people(request):
            assert request.slot_id not in busy.get(who, set())


def test_running_the_demo_again_adds_no_seat_or_star_twice(demo, runner):
    count = db.session.scalar(sa.select(sa.func.count()).select_from(SignUp))
    result = runner.invoke(args=["expo", "demo"])
    assert "0 demo seats" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SignUp)) == count
