"""Business-matching lounge scheduler: rules kept, best meetings placed, every gap explained."""

from __future__ import annotations

import itertools
import random
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from expo.matchmaking.scheduler import (
    Meeting,
    Placement,
    Schedule,
    SchedulingInput,
    Slot,
    Unplaced,
    common_free_slots,
    greedy_slots,
    schedule,
    validate,
)

# People, named so the stories read; ids are what the scheduler sees.
AISHAH, BENJAMIN, CHONG, DEVI, ELENA, FARID = 1, 2, 3, 4, 5, 6


def solve(problem: SchedulingInput, **options: float) -> Schedule:
    """Schedules, and fails the test if the independent validator objects."""
    result = schedule(problem, **options)
    assert validate(result, problem) == []
    return result


def unplaced(result: Schedule) -> dict[int, Unplaced]:
    return {u.meeting_id: u for u in result.unplaced}


# --- hand-checkable lounges -----------------------------------------------------------


def test_two_single_table_slots_hold_the_two_heaviest_meetings_and_say_why_not_the_third():
    """Three people all want to meet each other; two slots of one table fit two meetings.
    Aishah-Benjamin (3) and Aishah-Chong (2) beat Benjamin-Chong (1): optimum 5."""
    problem = SchedulingInput(
        slots=[Slot(1, tables=1), Slot(2, tables=1)],
        meetings=[
            Meeting(10, AISHAH, BENJAMIN, 3),
            Meeting(11, AISHAH, CHONG, 2),
            Meeting(12, BENJAMIN, CHONG, 1),
        ],
    )

    result = solve(problem)

    assert {p.meeting_id for p in result.placements} == {10, 11}
    assert result.placed_weight == 5
    assert result.upper_bound == pytest.approx(5, abs=1e-3)
    assert result.status == "optimal"
    assert unplaced(result)[12].reason == "all common free slots are full"


def test_solver_moves_a_flexible_meeting_to_make_room_for_a_tied_one():
    """Aishah-Benjamin could meet in either slot; Aishah-Chong only in slot 1 (Chong gives
    a talk in slot 2). Greedy puts the heavier meeting first into slot 1 and strands the
    other; the solver swaps them and places both."""
    problem = SchedulingInput(
        slots=[Slot(1, tables=2), Slot(2, tables=2)],
        meetings=[Meeting(10, AISHAH, BENJAMIN, 3), Meeting(11, AISHAH, CHONG, 2)],
        busy={CHONG: {2}},
    )
    assert greedy_slots(problem) == {10: 1}

    result = solve(problem)

    assert (result.slot_of(10), result.slot_of(11)) == (2, 1)
    assert result.placed_weight == 5
    assert result.method == "cp-sat"
    assert result.status == "optimal"


def test_heavier_request_wins_the_last_table():
    problem = SchedulingInput(
        slots=[Slot(1, tables=1)],
        meetings=[Meeting(10, AISHAH, BENJAMIN, 55.5), Meeting(11, CHONG, DEVI, 91.2)],
    )

    result = solve(problem)

    assert [p.meeting_id for p in result.placements] == [11]


def test_pair_busy_at_opposite_times_has_no_common_free_slot():
    problem = SchedulingInput(
        slots=[Slot(1, tables=5), Slot(2, tables=5)],
        meetings=[Meeting(10, AISHAH, BENJAMIN)],
        busy={AISHAH: {1}, BENJAMIN: {2}},
    )

    result = solve(problem)

    assert result.placements == ()
    assert unplaced(result)[10].code == "no_common_free_slot"
    assert unplaced(result)[10].reason == "no common free slot"


def test_person_with_a_meeting_at_every_common_free_slot_is_named():
    """Aishah is on a site visit all but slot 1, where she meets Benjamin (the better
    match); Chong's request to Aishah cannot fit."""
    problem = SchedulingInput(
        slots=[Slot(1, tables=4), Slot(2, tables=4), Slot(3, tables=4)],
        meetings=[Meeting(10, AISHAH, BENJAMIN, 2), Meeting(11, CHONG, AISHAH, 1)],
        busy={AISHAH: {2, 3}},
    )

    result = solve(problem)

    assert result.slot_of(10) == 1
    why = unplaced(result)[11]
    assert (why.code, why.person) == ("person_booked", AISHAH)
    assert why.reason == f"person {AISHAH} already has a meeting at every common free slot"


def test_slots_may_open_different_numbers_of_tables():
    problem = SchedulingInput(
        slots=[Slot(1, tables=3), Slot(2, tables=0)],
        meetings=[
            Meeting(10, AISHAH, BENJAMIN),
            Meeting(11, CHONG, DEVI),
            Meeting(12, ELENA, FARID),
        ],
    )

    result = solve(problem)

    assert {(p.slot_id, p.table_no) for p in result.placements} == {(1, 1), (1, 2), (1, 3)}


# --- locked meetings ----------------------------------------------------------------


def test_locked_meeting_keeps_its_slot_and_table_even_if_moving_it_would_place_more():
    """Organisers fixed Aishah-Benjamin at slot 1, table 2. Aishah-Chong could only be in
    slot 1, so it stays out: the lock wins over the count."""
    problem = SchedulingInput(
        slots=[Slot(1, tables=3), Slot(2, tables=3)],
        meetings=[
            Meeting(10, AISHAH, BENJAMIN, 1),
            Meeting(11, AISHAH, CHONG, 5),
            Meeting(12, DEVI, ELENA, 1),
        ],
        busy={CHONG: {2}, DEVI: {2}},
        locked=[Placement(10, 1, 2)],
    )

    result = solve(problem)

    assert Placement(10, 1, 2) in result.placements
    assert unplaced(result)[11].person == AISHAH
    assert {p.table_no for p in result.placements if p.slot_id == 1} == {1, 2}


def test_locked_meetings_use_up_tables():
    problem = SchedulingInput(
        slots=[Slot(1, tables=1)],
        meetings=[Meeting(10, AISHAH, BENJAMIN, 1), Meeting(11, CHONG, DEVI, 99)],
        locked=[Placement(10, 1, 1)],
    )

    result = solve(problem)

    assert result.placements == (Placement(10, 1, 1),)
    assert unplaced(result)[11].code == "slots_full"


def test_locks_that_double_book_a_person_are_refused():
    problem = SchedulingInput(
        slots=[Slot(1, tables=5)],
        meetings=[Meeting(10, AISHAH, BENJAMIN), Meeting(11, AISHAH, CHONG)],
        locked=[Placement(10, 1, 1), Placement(11, 1, 2)],
    )

    with pytest.raises(ValueError, match=f"person {AISHAH} is double-booked in slot 1"):
        schedule(problem)


def test_slot_times_must_say_their_time_zone():
    with pytest.raises(ValueError, match="timezone-aware"):
        Slot(1, tables=10, start=datetime(2025, 9, 17, 9), end=datetime(2025, 9, 17, 9, 30))
    kuala_lumpur = timezone(timedelta(hours=8))
    morning = Slot(
        1,
        10,
        datetime(2025, 9, 17, 9, tzinfo=kuala_lumpur),
        datetime(2025, 9, 17, 9, 30, tzinfo=kuala_lumpur),
    )
    assert morning.end - morning.start == timedelta(minutes=30)


def test_a_meeting_of_a_person_with_themselves_is_refused():
    problem = SchedulingInput(slots=[Slot(1, tables=1)], meetings=[Meeting(10, DEVI, DEVI)])
    with pytest.raises(ValueError, match="themselves"):
        schedule(problem)


# --- the independent validator --------------------------------------------------------

LOUNGE = SchedulingInput(
    slots=[Slot(1, tables=2), Slot(2, tables=1)],
    meetings=[
        Meeting(10, AISHAH, BENJAMIN),
        Meeting(11, AISHAH, CHONG),
        Meeting(12, DEVI, ELENA),
    ],
    busy={ELENA: {2}},
    locked=[Placement(12, 1, 2)],
)


def claimed(*placements: Placement, left_out: tuple[int, ...] = ()) -> Schedule:
    """A schedule as some buggy solver might return it."""
    return Schedule(
        placements=placements,
        unplaced=tuple(Unplaced(m, "blocked", "") for m in left_out),
        placed_weight=len(placements),
        upper_bound=3,
        gap=0,
        status="optimal",
        method="greedy",
        seconds=0,
    )


def test_validator_accepts_a_schedule_that_keeps_the_rules():
    good = claimed(Placement(10, 1, 1), Placement(11, 2, 1), Placement(12, 1, 2))
    assert validate(good, LOUNGE) == []


@pytest.mark.parametrize(
    ("bad", "complaint"),
    [
        (
            claimed(Placement(10, 1, 1), Placement(11, 1, 3), Placement(12, 1, 2)),
            "meeting 11 is at table 3, but slot 1 has tables 1..2",
        ),
        (
            claimed(Placement(10, 1, 1), Placement(11, 1, 1), Placement(12, 1, 2)),
            "table 1 in slot 1 is double-booked: meetings [10, 11]",
        ),
        (
            claimed(Placement(10, 2, 1), Placement(11, 2, 1), Placement(12, 1, 2)),
            f"person {AISHAH} is double-booked in slot 2: meetings [10, 11]",
        ),
        (
            claimed(Placement(10, 2, 1), Placement(11, 1, 1), Placement(12, 2, 1)),
            f"meeting 12 puts person {ELENA} in slot 2, when they are busy",
        ),
        (
            claimed(Placement(10, 2, 1), Placement(11, 1, 1), Placement(12, 1, 1)),
            "locked meeting 12 moved from slot 1 table 2 to slot 1 table 1",
        ),
        (
            claimed(Placement(10, 1, 1), left_out=(11,)),
            "locked meeting 12 was dropped",
        ),
        (
            claimed(Placement(10, 1, 1), Placement(12, 1, 2)),
            "meeting 11 is neither placed nor reported unplaced",
        ),
        (
            claimed(Placement(10, 1, 1), Placement(12, 1, 2), left_out=(10, 11)),
            "meeting 10 is both placed and reported unplaced",
        ),
        (
            claimed(Placement(10, 7, 1), Placement(12, 1, 2), left_out=(11,)),
            "meeting 10 is placed in unknown slot 7",
        ),
    ],
)
def test_validator_names_each_broken_rule(bad, complaint):
    assert complaint in validate(bad, LOUNGE)


def test_validator_counts_meetings_over_a_slots_tables():
    crowded = SchedulingInput(
        slots=[Slot(1, tables=1)],
        meetings=[Meeting(10, AISHAH, BENJAMIN), Meeting(11, CHONG, DEVI)],
    )
    # Table 1 twice: also a double-booked table, but the count must be named too.
    bad = claimed(Placement(10, 1, 1), Placement(11, 1, 1))
    assert "slot 1 holds 2 meetings for 1 tables" in validate(bad, crowded)


# --- properties on random lounges ---------------------------------------------------------


def random_lounge(
    rng: random.Random,
    people: int,
    meetings: int,
    slots: int,
    tables: int,
    busy_share: float,
    locks: int,
) -> SchedulingInput:
    slot_list = [
        Slot(n, tables=rng.randint(max(tables - 2, 0), tables)) for n in range(1, slots + 1)
    ]
    busy = {p: {s.id for s in slot_list if rng.random() < busy_share} for p in range(1, people + 1)}
    pairs = set()
    while len(pairs) < meetings:
        pairs.add(tuple(sorted(rng.sample(range(1, people + 1), 2))))
    meeting_list = [
        Meeting(n, a, b, round(rng.uniform(1, 100), 1))
        for n, (a, b) in enumerate(sorted(pairs), start=1)
    ]
    problem = SchedulingInput(slot_list, meeting_list, busy)
    # Lock a few meetings where greedy put them: valid by construction.
    locked = []
    for meeting_id, slot_id in list(greedy_slots(problem).items())[:locks]:
        taken = {p.table_no for p in locked if p.slot_id == slot_id}
        table = next(t for t in itertools.count(1) if t not in taken)
        locked.append(Placement(meeting_id, slot_id, table))
    return replace(problem, locked=locked)


@pytest.mark.parametrize("seed", range(8))
def test_random_lounges_keep_every_rule_and_leave_out_only_meetings_that_cannot_fit(seed):
    rng = random.Random(seed)
    problem = random_lounge(
        rng, people=40, meetings=120, slots=10, tables=5, busy_share=0.3, locks=6
    )
    meetings = {m.id: m for m in problem.meetings}

    result = solve(problem, time_limit=10)

    booked = [
        (p.slot_id, meetings[p.meeting_id].person_a, meetings[p.meeting_id].person_b)
        for p in result.placements
    ]
    for left_out in result.unplaced:
        m = meetings[left_out.meeting_id]
        assert common_free_slots(m.person_a, m.person_b, problem.slots, problem.busy, booked) == []
    assert result.placed_weight <= result.upper_bound + 1e-6
    assert result.gap == pytest.approx(
        (result.upper_bound - result.placed_weight) / result.upper_bound
    )


@pytest.mark.parametrize("seed", range(6))
def test_small_lounges_reach_the_optimum_a_full_enumeration_finds(seed):
    rng = random.Random(100 + seed)
    problem = random_lounge(rng, people=5, meetings=7, slots=3, tables=2, busy_share=0.25, locks=0)

    result = solve(problem)

    assert result.placed_weight == pytest.approx(best_by_enumeration(problem))
    assert result.status == "optimal"


def best_by_enumeration(problem: SchedulingInput) -> float:
    """Every way to give each meeting a slot or none: the test's own, slow, obvious check."""
    choices = [None] + [s.id for s in problem.slots]
    tables = {s.id: s.tables for s in problem.slots}
    best = 0.0
    for assignment in itertools.product(choices, repeat=len(problem.meetings)):
        used: dict[int, int] = {}
        engaged: set[tuple[int, int]] = set()
        weight, ok = 0.0, True
        for meeting, slot_id in zip(problem.meetings, assignment, strict=True):
            if slot_id is None:
                continue
            people = (meeting.person_a, meeting.person_b)
            if any(slot_id in problem.busy.get(p, ()) or (p, slot_id) in engaged for p in people):
                ok = False
                break
            used[slot_id] = used.get(slot_id, 0) + 1
            if used[slot_id] > tables[slot_id]:
                ok = False
                break
            engaged.update((p, slot_id) for p in people)
            weight += meeting.weight
        if ok:
            best = max(best, weight)
    return best


def test_a_short_time_limit_still_gives_a_valid_schedule_and_a_true_bound():
    rng = random.Random(42)
    problem = random_lounge(
        rng, people=150, meetings=900, slots=24, tables=12, busy_share=0.6, locks=20
    )

    result = solve(problem, time_limit=3, gap_limit=0.0)

    assert result.seconds < 15
    assert result.placed_weight <= result.upper_bound + 1e-6
    weights = {m.id: m.weight for m in problem.meetings}
    assert result.placed_weight >= sum(weights[m] for m in greedy_slots(problem)) + sum(
        weights[p.meeting_id] for p in problem.locked
    )


# --- choosing a slot yourself ---------------------------------------------------------------


def test_delegates_see_the_slots_where_both_are_free_and_a_table_is_left():
    slots = [Slot(n, tables=1) for n in range(1, 6)]
    busy = {AISHAH: {1}, BENJAMIN: {2}}
    booked = [(3, CHONG, DEVI), (4, AISHAH, ELENA)]  # slot 3 is full; Aishah meets in 4

    assert common_free_slots(AISHAH, BENJAMIN, slots, busy, booked) == [5]
