"""Matchmaking stories at the service layer: bad input changes nothing; meetings are placed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from expo.core.models import Role
from expo.errors import Conflict, Forbidden, Invalid, NotFound
from expo.matchmaking import scheduler, services
from expo.matchmaking.models import (
    MeetingRequest,
    MeetingSeat,
    Project,
    ProjectStatus,
    ReminderSent,
    RequestStatus,
)

from .conftest import M, future_slots, policy_id, project_fields, thesis_fields


def count(db, model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_taxonomy_is_seeded_with_the_three_frameworks_and_crosswalk(event):
    codes = [f.code for f in services.frameworks(event)]
    assert codes == ["SCEKL25", "ASCN", "MSCF"]
    assert len(services.policies(event)) == 4 + 6 + 7
    assert len(services.links(event)) == 19
    assert services.seed_taxonomy(event) == 0  # idempotent


def test_ticket_range_with_min_above_max_is_refused_and_saves_nothing(people, event, db):
    user = people.make(Role.INVESTOR, event)
    with pytest.raises(Invalid) as error:
        services.save_thesis(user, event, **thesis_fields(event, ticket_min=30 * M,
                                                          ticket_max=5 * M))
    assert error.value.code == "ticket_min_above_max"
    assert services.thesis_of(user, event) is None


def test_unknown_policy_is_refused(owner, event, other_event, db):
    foreign = services.policies(other_event)[0].id  # another event's policy is unknown here
    for bad in (999_999, foreign):
        with pytest.raises(Invalid) as error:
            services.create_project(owner, event, **project_fields(event, policy_ids=[bad]))
        assert error.value.code == "policy_unknown"
    assert count(db, Project) == 0


def test_project_is_hidden_until_an_organiser_approves_it(owner, event, organiser, people):
    made = services.create_project(owner, event, **project_fields(event))
    stranger = people.make(Role.DELEGATE, event)
    with pytest.raises(NotFound):
        services.visible_project(stranger, event, made.id)
    assert services.visible_project(owner, event, made.id) is made
    with pytest.raises(Invalid):  # a rejection needs a reason for the owner
        services.moderate_project(organiser, event, made.id, ProjectStatus.REJECTED)
    services.moderate_project(organiser, event, made.id, ProjectStatus.APPROVED)
    assert services.visible_project(stranger, event, made.id) is made


def test_investor_sees_the_project_with_reasons_both_ways(investor, project, event):
    thesis = services.thesis_of(investor, event)
    recs = services.recommendations_for_thesis(event, thesis)
    assert [r.project.id for r in recs] == [project.id]
    reasons = " | ".join(recs[0].reasons)
    assert "Smart Mobility links to Built Infrastructure (ASCN)" in reasons
    assert "ticket RM 5–20m fits a RM 10–14m ask" in reasons
    back = services.recommendations_for_project(event, project)
    assert back[0].thesis.id == thesis.id and back[0].score == pytest.approx(recs[0].score)
    assert services.explain_pair(event, thesis, project)[0] == pytest.approx(recs[0].score)


def test_not_interested_hides_the_pair_for_good(investor, project, event):
    thesis = services.thesis_of(investor, event)
    services.mark_not_interested(investor, event, thesis.id, project.id)
    assert services.recommendations_for_thesis(event, thesis) == []
    assert services.recommendations_for_project(event, project) == []


def test_request_to_oneself_is_refused(people, event, organiser):
    both = people.make(Role.INVESTOR, event)
    services.save_thesis(both, event, **thesis_fields(event))
    made = services.create_project(both, event, **project_fields(event))
    services.moderate_project(organiser, event, made.id, ProjectStatus.APPROVED)
    with pytest.raises(Invalid) as error:
        services.request_meeting(both, event, project_id=made.id)
    assert error.value.code == "request_to_self"


def test_second_request_for_the_same_pair_is_refused_either_way(investor, owner, project,
                                                                 event, db):
    services.request_meeting(investor, event, project_id=project.id)
    thesis = services.thesis_of(investor, event)
    with pytest.raises(Conflict) as error:
        services.request_meeting(owner, event, project_id=project.id, thesis_id=thesis.id)
    assert error.value.code == "duplicate_request"
    assert count(db, MeetingRequest) == 1


def test_accepting_someone_elses_request_is_refused(investor, owner, project, event, people):
    made = services.request_meeting(investor, event, project_id=project.id)
    with pytest.raises(Forbidden) as error:  # the requester cannot accept their own request
        services.respond(investor, event, made.id, accept=True)
    assert error.value.code == "not_your_request"
    stranger = people.make(Role.DELEGATE, event)
    with pytest.raises(NotFound):
        services.respond(stranger, event, made.id, accept=True)
    assert made.status == RequestStatus.PENDING
    services.respond(owner, event, made.id, accept=True)
    with pytest.raises(Conflict):
        services.respond(owner, event, made.id, accept=False)


def test_pending_requests_are_capped(investor, event, organiser, people):
    services.update_settings(organiser, event, pending_cap=1, scheduler_seconds=10)
    first, second = (people.make(Role.DELEGATE, event) for _ in range(2))
    ids = []
    for n, who in enumerate((first, second)):
        made = services.create_project(who, event, **project_fields(event, title=f"Project {n}"))
        services.moderate_project(organiser, event, made.id, ProjectStatus.APPROVED)
        ids.append(made.id)
    services.request_meeting(investor, event, project_id=ids[0])
    with pytest.raises(Conflict) as error:
        services.request_meeting(investor, event, project_id=ids[1])
    assert error.value.code == "pending_cap_reached"


def test_people_pick_a_common_free_slot_and_the_last_table_goes_once(
        accepted, investor, owner, event, organiser, people, db):
    slot = future_slots(organiser, event, tables=1, count=1)[0]
    assert [s.id for s in services.free_slots_for(owner, event, accepted.id)] == [slot.id]
    services.pick_slot(owner, event, accepted.id, slot.id)
    assert (accepted.slot_id, accepted.table_no, accepted.placed_by) == (slot.id, 1, "people")
    assert count(db, MeetingSeat) == 2
    # Another pair wants the same (only) table.
    other_investor = people.make(Role.INVESTOR, event)
    services.save_thesis(other_investor, event, **thesis_fields(event))
    project = db.session.get(Project, accepted.project_id)
    second = services.request_meeting(other_investor, event, project_id=project.id)
    services.respond(owner, event, second.id, accept=True)
    with pytest.raises(Conflict):
        services.pick_slot(other_investor, event, second.id, slot.id)
    assert second.slot_id is None


def test_scheduler_run_places_meetings_validated_and_lists_unplaced_with_names(
        event, organiser, people, db):
    slots = future_slots(organiser, event, tables=1, count=2)
    owner = people.make(Role.DELEGATE, event, name="Busy Owner")
    made = services.create_project(owner, event, **project_fields(event))
    services.moderate_project(organiser, event, made.id, ProjectStatus.APPROVED)
    for _n in range(3):  # three investors, one owner, two slots of one table
        investor = people.make(Role.INVESTOR, event)
        services.save_thesis(investor, event, **thesis_fields(event))
        request = services.request_meeting(investor, event, project_id=made.id)
        services.respond(owner, event, request.id, accept=True)
    run = services.start_scheduler_run(organiser, event)
    assert run.status == "done", run.error
    assert (run.placed, run.meetings) == (2, 3)
    assert len(run.unplaced) == 1
    assert "Busy Owner already has a meeting at every common free slot" in \
        run.unplaced[0]["reason"] or "full" in run.unplaced[0]["reason"]
    placed = db.session.scalars(sa.select(MeetingRequest).where(
        MeetingRequest.slot_id.is_not(None))).all()
    assert sorted(r.slot_id for r in placed) == sorted(s.id for s in slots)
    # Lock one, re-run: the locked one stays where it is.
    services.set_lock(organiser, event, placed[0].id, True)
    where = (placed[0].slot_id, placed[0].table_no)
    services.start_scheduler_run(organiser, event)
    db.session.refresh(placed[0])
    assert (placed[0].slot_id, placed[0].table_no) == where


def test_scheduler_output_passes_the_independent_validator(event, organiser, people, db):
    future_slots(organiser, event, tables=2, count=3)
    owners = [people.make(Role.DELEGATE, event) for _ in range(3)]
    investors = [people.make(Role.INVESTOR, event) for _ in range(3)]
    for n, o in enumerate(owners):
        made = services.create_project(o, event, **project_fields(event, title=f"Project {n}"))
        services.moderate_project(organiser, event, made.id, ProjectStatus.APPROVED)
    for i in investors:
        services.save_thesis(i, event, **thesis_fields(event))
        for p in services.projects(event):
            request = services.request_meeting(i, event, project_id=p.id)
            services.respond(p.owner, event, request.id, accept=True)
    problem, _ = services._problem(event)
    services.start_scheduler_run(organiser, event)
    placements = [scheduler.Placement(r.id, r.slot_id, r.table_no)
                  for r in services._accepted(event) if r.slot_id]
    result = scheduler.Schedule(tuple(placements), (), 0, 0, 0, "optimal", "cp-sat", 0)
    problems = [p for p in scheduler.validate(result, problem) if "neither placed" not in p]
    assert problems == []
    assert len(placements) == 6  # 9 meetings, 3 slots x 2 tables


def test_scanning_both_badges_marks_the_meeting_held(accepted, investor, owner, event,
                                                     organiser, db):
    from expo.registration import badges
    from expo.registration.models import PassType, Registration

    pass_type = PassType(event_id=event.id, code="delegate", name="Delegate")
    db.session.add(pass_type)
    regs = []
    for n, user in enumerate((investor, owner)):
        reg = Registration(event_id=event.id, pass_type=pass_type, user_id=user.id,
                           email=user.email, full_name=user.full_name, reference=f"REF{n}")
        db.session.add(reg)
        regs.append(reg)
    db.session.commit()
    codes = [badges.badge_token(r) for r in regs]
    first = services.scan_meeting(organiser, event, codes[0])
    assert first.status == "waiting"
    held = services.scan_meeting(organiser, event, codes[0], codes[1])
    assert held.status == "held" and accepted.attendance == "held"
    same = services.scan_meeting(organiser, event, codes[0], codes[0])
    assert same.status == "invalid"


def test_follow_up_is_recorded_by_the_two_people_only(accepted, owner, people, event):
    services.record_follow_up(owner, event, accepted.id, "due_diligence", "Data room next week")
    assert accepted.follow_up == "due_diligence" and accepted.attendance == "held"
    with pytest.raises(NotFound):
        services.record_follow_up(people.make(Role.DELEGATE, event), event, accepted.id,
                                  "closed")


def test_reminders_are_sent_once_per_person(accepted, owner, event, organiser, db, app):
    slot = future_slots(organiser, event, tables=1, count=1)[0]
    services.pick_slot(owner, event, accepted.id, slot.id)
    now = slot.starts_at - timedelta(hours=3)
    assert services.send_reminders(event, now=now) == 2
    assert services.send_reminders(event, now=now) == 0
    assert count(db, ReminderSent) == 2


def test_policy_report_counts_projects_investors_meetings_and_money(accepted, event):
    rows = {(r.policy.framework.code, r.policy.name): r for r in services.policy_report(event)}
    mobility = rows[("MSCF", "Smart Mobility")]
    assert (mobility.projects, mobility.requested, mobility.accepted) == (1, 1, 1)
    assert mobility.sought == {"MYR": 14 * M}
    assert mobility.interest == {"MYR": 14 * M}  # min(ticket max 20m, ask 14m)
    assert rows[("ASCN", "Built Infrastructure")].investors == 1
    policies, columns, cells = services.heatmap(event, "sector")
    assert set(columns) == {"mobility", "payments"}
    assert cells[(mobility.policy.id, "mobility")] == 1
    assert "MSCF,Smart Mobility,1,0,1,1,0,140000.00" not in services.report_csv(event)
    assert "MSCF,Smart Mobility,1,0,1,1,0,14000000.00,14000000.00,MYR" in \
        services.report_csv(event)


def test_taxonomy_edits_by_organisers(organiser, event):
    mobility = policy_id(event, "MSCF", "Smart Mobility")
    services.rename_policy(organiser, event, mobility, "Smart Mobility & Transport")
    with pytest.raises(Invalid):
        services.add_link(organiser, event, mobility, policy_id(event, "MSCF", "Smart Living"))
    link = services.add_link(organiser, event, mobility,
                             policy_id(event, "ASCN", "Safety & Security"))
    with pytest.raises(Conflict):
        services.add_link(organiser, event, mobility,
                          policy_id(event, "ASCN", "Safety & Security"))
    services.remove_link(organiser, event, link.id)
    services.add_policy(organiser, event, services.frameworks(event)[0].id, "Smart Tourism")
    assert len(services.policies(event)) == 18


def test_parse_money_reads_what_people_type():
    assert services.parse_money("12m") == 12 * M
    assert services.parse_money("RM 500k") == 50_000_000
    assert services.parse_money("2,500,000") == 250_000_000
    with pytest.raises(Invalid):
        services.parse_money("a lot")


def test_slot_series_outside_the_event_is_refused(organiser, event):
    with pytest.raises(Invalid) as error:
        services.create_slot_series(organiser, event, days=[datetime(2030, 1, 1).date()],
                                    start=datetime(2030, 1, 1, 10).time(),
                                    end=datetime(2030, 1, 1, 12).time(), minutes=20, tables=5)
    assert error.value.code == "day_outside_event"
    assert datetime.now(UTC)  # clock sanity for the fixtures above
