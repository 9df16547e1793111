"""Places accepted meeting requests at (slot, table) in the business-matching lounge (pure module).

The rules a schedule keeps:
- nobody has two meetings in one slot;
- nobody meets during a slot they are busy in (a talk they give, a workshop or site visit
  they signed up for; the caller works those slot ids out);
- no slot holds more meetings than it has tables, and no table holds two meetings;
- locked meetings keep their slot and table.

Within those rules the scheduler places as much request weight as it can (weight = the
match score or a priority, so better matches win a scarce slot). The choice of slots is an
integer programme: one boolean per (meeting, slot both people can make), at most one slot
per meeting, at most one meeting per person and slot, at most the free tables per slot.
A greedy schedule comes first; an LP relaxation solved by HiGHS bounds what any schedule
can place; when greedy is not provably close enough, OR-Tools CP-SAT solves the programme
from the greedy schedule. Table numbers are handed out afterwards: any distinct numbers
within a slot do, so they need not be part of the search.

``validate`` checks a schedule against the rules without any of this module's model code,
so that a solver or modelling slip cannot hide itself.
"""

from __future__ import annotations

import math
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import scipy.sparse as sp
from ortools.sat.python import cp_model
from scipy.optimize import linprog

# CP-SAT works in integers: weights are scaled by this and rounded up, so the solver's
# bound divided back is still a true upper bound on the real weighted objective.
WEIGHT_SCALE = 100
DEFAULT_TIME_LIMIT = 30.0
# Stop once the best schedule is within this share of the proven bound.
DEFAULT_GAP_LIMIT = 0.005
# Gaps below this are LP tolerance, not room for a better schedule.
OPTIMAL_GAP = 1e-6


@dataclass(frozen=True)
class Slot:
    """A meeting slot of the lounge and how many tables are open in it."""

    id: int
    tables: int
    start: datetime | None = None
    end: datetime | None = None

    def __post_init__(self) -> None:
        # Times are for people and calendars; the scheduler itself only needs the ids.
        for moment in (self.start, self.end):
            if moment is not None and moment.utcoffset() is None:
                raise ValueError(f"slot {self.id}: times must be timezone-aware")
        if self.start is not None and self.end is not None and not self.start < self.end:
            raise ValueError(f"slot {self.id}: start must come before end")


@dataclass(frozen=True)
class Meeting:
    """An accepted meeting request between two people."""

    id: int
    person_a: int
    person_b: int
    weight: float = 1.0


@dataclass(frozen=True)
class Placement:
    """Where a meeting happens."""

    meeting_id: int
    slot_id: int
    table_no: int


@dataclass(frozen=True)
class SchedulingInput:
    """Everything the scheduler needs, as plain values.

    ``busy`` maps a person to the slot ids they cannot meet in; ``locked`` are placements
    an organiser fixed (or people already confirmed), which stay as they are.
    """

    slots: Sequence[Slot]
    meetings: Sequence[Meeting]
    busy: Mapping[int, Collection[int]] = field(default_factory=dict)
    locked: Sequence[Placement] = ()


@dataclass(frozen=True)
class Unplaced:
    """A meeting left out, and why, in words for the two people and the organiser.

    ``code`` is one of: no_common_free_slot, slots_full, person_booked, blocked.
    ``person`` names who is booked when code is person_booked.
    """

    meeting_id: int
    code: str
    reason: str
    person: int | None = None


@dataclass(frozen=True)
class Schedule:
    """The placements (locked ones included), what was left out, and how good it is.

    ``upper_bound`` is a proven bound on the placed weight no schedule can beat (an LP
    relaxation, or CP-SAT's best objective bound), so ``gap`` = (bound - placed) / bound
    says how far from the optimum this schedule can at most be.
    """

    placements: tuple[Placement, ...]
    unplaced: tuple[Unplaced, ...]
    placed_weight: float
    upper_bound: float
    gap: float
    status: str  # optimal | within_gap | time_limit
    method: str  # greedy (proven by the LP bound) | cp-sat
    seconds: float

    def slot_of(self, meeting_id: int) -> int | None:
        for placement in self.placements:
            if placement.meeting_id == meeting_id:
                return placement.slot_id
        return None


# ---------------------------------------------------------------------------
# Helpers for people choosing a slot themselves
# ---------------------------------------------------------------------------


def common_free_slots(
    person_a: int,
    person_b: int,
    slots: Sequence[Slot],
    busy: Mapping[int, Collection[int]],
    booked: Iterable[tuple[int, int, int]] = (),
) -> list[int]:
    """Slot ids, in the order given, where both people are free and a table is left.

    ``booked`` lists meetings already placed as (slot_id, person, person). This is what a
    delegate sees when picking a time for a meeting the scheduler could not place.
    """
    taken: Counter[int] = Counter()
    engaged: set[tuple[int, int]] = set()
    for slot_id, one, other in booked:
        taken[slot_id] += 1
        engaged.update(((one, slot_id), (other, slot_id)))
    unavailable = set(busy.get(person_a, ())) | set(busy.get(person_b, ()))
    return [
        slot.id
        for slot in slots
        if slot.id not in unavailable
        and taken[slot.id] < slot.tables
        and (person_a, slot.id) not in engaged
        and (person_b, slot.id) not in engaged
    ]


# ---------------------------------------------------------------------------
# The problem after locked meetings are taken out
# ---------------------------------------------------------------------------


@dataclass
class _Open:
    """What is left to decide: free tables per slot, who is already engaged when, and for
    each unlocked meeting the slots both people could make."""

    free_tables: dict[int, int]
    engaged: set[tuple[int, int]]
    meetings: list[Meeting]
    candidates: dict[int, list[int]]
    locked_weight: float


def _check(problem: SchedulingInput) -> None:
    """Refuses inputs no schedule can honour: unknown ids, and locks that break the rules."""
    slot_ids = [s.id for s in problem.slots]
    meeting_ids = [m.id for m in problem.meetings]
    if len(set(slot_ids)) != len(slot_ids):
        raise ValueError("slot ids must be unique")
    if len(set(meeting_ids)) != len(meeting_ids):
        raise ValueError("meeting ids must be unique")
    for slot in problem.slots:
        if slot.tables < 0:
            raise ValueError(f"slot {slot.id} has a negative number of tables")
    for meeting in problem.meetings:
        if meeting.person_a == meeting.person_b:
            raise ValueError(f"meeting {meeting.id} is between a person and themselves")
        if not meeting.weight >= 0 or math.isinf(meeting.weight):
            raise ValueError(f"meeting {meeting.id} needs a finite weight >= 0")
    if len({p.meeting_id for p in problem.locked}) != len(problem.locked):
        raise ValueError("a meeting is locked twice")
    problems = _rule_violations(problem.locked, problem)
    if problems:
        raise ValueError("locked meetings break the rules: " + "; ".join(problems))


def _busy_either(busy: Mapping[int, Collection[int]], meeting: Meeting) -> set[int]:
    return {*busy.get(meeting.person_a, ()), *busy.get(meeting.person_b, ())}


def _open_problem(problem: SchedulingInput) -> _Open:
    meetings = {m.id: m for m in problem.meetings}
    free_tables = {s.id: s.tables for s in problem.slots}
    engaged: set[tuple[int, int]] = set()
    locked_weight = 0.0
    for placement in problem.locked:
        meeting = meetings[placement.meeting_id]
        free_tables[placement.slot_id] -= 1
        engaged.update(
            ((meeting.person_a, placement.slot_id), (meeting.person_b, placement.slot_id))
        )
        locked_weight += meeting.weight
    locked_ids = {p.meeting_id for p in problem.locked}
    open_meetings = [m for m in problem.meetings if m.id not in locked_ids]
    open_slots = [s.id for s in problem.slots if free_tables[s.id] > 0]
    candidates = {}
    for meeting in open_meetings:
        unavailable = _busy_either(problem.busy, meeting)
        candidates[meeting.id] = [
            s
            for s in open_slots
            if s not in unavailable
            and (meeting.person_a, s) not in engaged
            and (meeting.person_b, s) not in engaged
        ]
    return _Open(free_tables, engaged, open_meetings, candidates, locked_weight)


# ---------------------------------------------------------------------------
# Greedy: the hint for the solver, the safety net, and the benchmark's baseline
# ---------------------------------------------------------------------------


def _greedy_fill(opened: _Open, chosen: dict[int, int], order: Sequence[Meeting]) -> dict[int, int]:
    """Adds meetings, in the given order, to the slot with most free tables both people
    can make; returns the completed meeting -> slot choice (``chosen`` is kept)."""
    free = dict(opened.free_tables)
    engaged = set(opened.engaged)
    people = {m.id: (m.person_a, m.person_b) for m in opened.meetings}
    for meeting_id, slot_id in chosen.items():
        free[slot_id] -= 1
        a, b = people[meeting_id]
        engaged.update(((a, slot_id), (b, slot_id)))
    result = dict(chosen)
    for meeting in order:
        if meeting.id in result:
            continue
        a, b = meeting.person_a, meeting.person_b
        best, best_free = None, 0
        for slot_id in opened.candidates[meeting.id]:
            if free[slot_id] <= best_free:
                continue
            if (a, slot_id) not in engaged and (b, slot_id) not in engaged:
                best, best_free = slot_id, free[slot_id]
        if best is not None:
            result[meeting.id] = best
            free[best] -= 1
            engaged.update(((a, best), (b, best)))
    return result


def _by_priority(opened: _Open) -> list[Meeting]:
    """Heaviest first; among equals the one with fewest slots to choose from."""
    return sorted(opened.meetings, key=lambda m: (-m.weight, len(opened.candidates[m.id]), m.id))


def greedy_slots(problem: SchedulingInput) -> dict[int, int]:
    """A quick schedule for the unlocked meetings (meeting id -> slot id): heaviest
    request first, into the emptiest slot both people can make. The baseline the
    solver is measured against."""
    _check(problem)
    opened = _open_problem(problem)
    return _greedy_fill(opened, {}, _by_priority(opened))


# ---------------------------------------------------------------------------
# CP-SAT
# ---------------------------------------------------------------------------


def _scaled_weight(weight: float) -> int:
    # Rounded up (never below 1, so that even a zero-weight request is worth placing):
    # the scaled objective is then >= the real one for every schedule, so bounds on it
    # (divided back) are bounds on the real one.
    return max(1, math.ceil(weight * WEIGHT_SCALE - 1e-9))


@dataclass
class _Programme:
    """The integer programme in index form, shared by the LP relaxation and CP-SAT.

    Column n means "meeting ``owners[n][0]`` takes slot ``owners[n][1]``"; each group
    in ``at_most_one`` may have one column chosen (a meeting's slots; a person's meetings
    in one slot); each ``capacity`` entry is a slot's columns and its free tables.
    """

    owners: list[tuple[int, int]]
    values: list[int]
    at_most_one: list[list[int]]
    capacity: list[tuple[list[int], int]]


def _programme(opened: _Open) -> _Programme:
    owners: list[tuple[int, int]] = []
    values: list[int] = []
    groups: list[list[int]] = []
    by_person_slot: defaultdict[tuple[int, int], list[int]] = defaultdict(list)
    by_slot: defaultdict[int, list[int]] = defaultdict(list)
    for meeting in opened.meetings:
        value = _scaled_weight(meeting.weight)
        columns = []
        for slot_id in opened.candidates[meeting.id]:
            column = len(owners)
            owners.append((meeting.id, slot_id))
            values.append(value)
            columns.append(column)
            by_person_slot[meeting.person_a, slot_id].append(column)
            by_person_slot[meeting.person_b, slot_id].append(column)
            by_slot[slot_id].append(column)
        if len(columns) > 1:
            groups.append(columns)
    groups += [group for group in by_person_slot.values() if len(group) > 1]
    capacity = [
        (columns, opened.free_tables[slot_id])
        for slot_id, columns in by_slot.items()
        if len(columns) > opened.free_tables[slot_id]
    ]
    return _Programme(owners, values, groups, capacity)


def _solve_lp(
    costs: np.ndarray, rows: list[list[int]], limits: list[float], time_limit: float
) -> float | None:
    """max costs.x subject to sum of x over each row <= its limit, 0 <= x <= 1 (HiGHS).

    Returns the optimum, padded by a hair because HiGHS works to a tolerance and a bound
    must stay a bound; None when HiGHS has no proven optimum in time.
    """
    if not rows:
        return float(costs.sum())
    row_index = np.repeat(np.arange(len(rows)), [len(r) for r in rows])
    matrix = sp.csr_matrix(
        (np.ones(len(row_index)), (row_index, np.concatenate(rows))),
        shape=(len(rows), len(costs)),
    )
    result = linprog(
        -costs,
        A_ub=matrix,
        b_ub=limits,
        bounds=(0, 1),
        method="highs",
        options={"time_limit": max(time_limit, 0.1)},
    )
    if result.status != 0:
        return None
    return float(-result.fun) * (1 + 1e-9) + 1e-6


def _person_bound(opened: _Open) -> float:
    """An upper bound, found in a blink, on the (scaled) weight any schedule can place.

    The LP relaxation of a coarser problem: pick meetings (each 0..1) so that nobody gets
    more meetings than the slots they could meet in, and no more meetings than there are
    free tables in all. Every real schedule passes those tests, so none can beat this
    optimum. With one column per meeting it solves in a few hundredths of a second, and
    when tables are what runs out it is about as tight as the full relaxation.
    """
    meetings = [m for m in opened.meetings if opened.candidates[m.id]]
    if not meetings:
        return 0.0
    reachable: defaultdict[int, set[int]] = defaultdict(set)
    of_person: defaultdict[int, list[int]] = defaultdict(list)
    for n, m in enumerate(meetings):
        for person in (m.person_a, m.person_b):
            reachable[person].update(opened.candidates[m.id])
            of_person[person].append(n)
    people = sorted(of_person)
    rows = [of_person[p] for p in people] + [list(range(len(meetings)))]
    limits = [len(reachable[p]) for p in people]
    limits.append(sum(free for free in opened.free_tables.values() if free > 0))
    costs = np.array([_scaled_weight(m.weight) for m in meetings], dtype=float)
    bound = _solve_lp(costs, rows, limits, time_limit=30.0)
    return (bound if bound is not None else float(costs.sum())) / WEIGHT_SCALE


def _full_bound(programme: _Programme, time_limit: float) -> float | None:
    """The LP relaxation of the whole programme (HiGHS): tighter than ``_person_bound``
    when slot clashes, not tables, keep meetings out; seconds for a hundred thousand
    columns, so only used when the quick bound leaves too wide a gap."""
    rows = programme.at_most_one + [columns for columns, _ in programme.capacity]
    limits = [1.0] * len(programme.at_most_one) + [free for _, free in programme.capacity]
    bound = _solve_lp(np.array(programme.values, dtype=float), rows, limits, time_limit)
    return None if bound is None else bound / WEIGHT_SCALE


def _cp_sat(
    programme: _Programme,
    hint: Mapping[int, int],
    *,
    deadline: float,
    gap_limit: float,
    workers: int,
    seed: int,
    bound: float,
) -> tuple[dict[int, int], float] | None:
    """CP-SAT from the hint: the chosen slots and CP-SAT's proven bound (real units), or
    None when it found nothing in time (the hint then stands)."""
    model = cp_model.CpModel()
    literals = [model.new_bool_var("") for _ in programme.owners]
    for literal, (meeting_id, slot_id) in zip(literals, programme.owners, strict=True):
        model.add_hint(literal, hint.get(meeting_id) == slot_id)
    for group in programme.at_most_one:
        model.add_at_most_one([literals[n] for n in group])
    for columns, free in programme.capacity:
        model.add(cp_model.LinearExpr.sum([literals[n] for n in columns]) <= free)
    objective = cp_model.LinearExpr.weighted_sum(literals, programme.values)
    # The LP bound as a constraint: CP-SAT's own bound starts there instead of far above,
    # so the gap limit can stop it as soon as a good enough schedule is found.
    model.add(objective <= math.floor(bound * WEIGHT_SCALE + 1e-6))
    model.maximize(objective)

    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(deadline - time.perf_counter(), 0.1)
    solver.parameters.num_workers = workers
    solver.parameters.relative_gap_limit = gap_limit
    solver.parameters.random_seed = seed
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    # The literals are the model's only variables, made in order: index n is literal n.
    values = list(solver.response_proto.solution)[: len(literals)]
    chosen = {m: s for (m, s), value in zip(programme.owners, values, strict=True) if value}
    return chosen, solver.best_objective_bound / WEIGHT_SCALE


# ---------------------------------------------------------------------------
# Tables and reasons
# ---------------------------------------------------------------------------


def _tables(problem: SchedulingInput, chosen: Mapping[int, int]) -> list[Placement]:
    """Locked meetings keep their tables; the rest get the lowest free numbers."""
    used: defaultdict[int, set[int]] = defaultdict(set)
    for placement in problem.locked:
        used[placement.slot_id].add(placement.table_no)
    placements = list(problem.locked)
    next_table: defaultdict[int, int] = defaultdict(lambda: 1)
    for meeting_id in sorted(chosen):
        slot_id = chosen[meeting_id]
        table = next_table[slot_id]
        while table in used[slot_id]:
            table += 1
        used[slot_id].add(table)
        next_table[slot_id] = table + 1
        placements.append(Placement(meeting_id, slot_id, table))
    return sorted(placements, key=lambda p: p.meeting_id)


def _why_unplaced(problem: SchedulingInput, placements: Sequence[Placement]) -> list[Unplaced]:
    """For each meeting left out, the rule that kept it out, in the people's words."""
    meetings = {m.id: m for m in problem.meetings}
    tables = {s.id: s.tables for s in problem.slots}
    used: Counter[int] = Counter()
    engaged: set[tuple[int, int]] = set()
    for placement in placements:
        meeting = meetings[placement.meeting_id]
        used[placement.slot_id] += 1
        engaged.update(
            ((meeting.person_a, placement.slot_id), (meeting.person_b, placement.slot_id))
        )
    placed = {p.meeting_id for p in placements}
    unplaced = []
    for meeting in problem.meetings:
        if meeting.id in placed:
            continue
        unavailable = _busy_either(problem.busy, meeting)
        common = [s.id for s in problem.slots if s.id not in unavailable]
        unplaced.append(_reason(meeting, common, used, tables, engaged))
    return unplaced


def _reason(
    meeting: Meeting,
    common: list[int],
    used: Counter[int],
    tables: Mapping[int, int],
    engaged: set[tuple[int, int]],
) -> Unplaced:
    a, b = meeting.person_a, meeting.person_b
    if not common:
        return Unplaced(meeting.id, "no_common_free_slot", "no common free slot")
    if all(used[s] >= tables[s] for s in common):
        return Unplaced(meeting.id, "slots_full", "all common free slots are full")
    for person in (a, b):
        if all((person, s) in engaged for s in common):
            return Unplaced(
                meeting.id,
                "person_booked",
                f"person {person} already has a meeting at every common free slot",
                person,
            )
    return Unplaced(
        meeting.id,
        "blocked",
        "every common free slot is full or one of the two already has a meeting there",
    )


# ---------------------------------------------------------------------------
# Public entry point
# ---------------------------------------------------------------------------


def schedule(
    problem: SchedulingInput,
    *,
    time_limit: float = DEFAULT_TIME_LIMIT,
    gap_limit: float = DEFAULT_GAP_LIMIT,
    workers: int = 2,
    seed: int = 0,
) -> Schedule:
    """Places as much meeting weight as the rules allow, within about ``time_limit`` s.

    1. A greedy schedule (heaviest request first, into the emptiest slot both can make).
    2. Bounds on what any schedule can place, from LP relaxations solved by HiGHS: a
       coarse one first, the full one when the coarse one leaves too wide a gap. If
       greedy is within ``gap_limit`` of the bound, it is proven good enough.
    3. Otherwise CP-SAT searches from the greedy schedule as a hint, until the deadline or
       until within ``gap_limit`` of the bound; greedy then fills any slot CP-SAT left
       usable. The bound reported is the lowest of the LP and CP-SAT bounds.

    Raises ValueError for inputs that break the rules by themselves (e.g. two locked
    meetings of one person in one slot).
    """
    started = time.perf_counter()
    # What follows the search (tables, reasons) takes a moment: keep it inside the limit.
    deadline = started + time_limit - min(1.0, 0.02 * time_limit)
    _check(problem)
    opened = _open_problem(problem)
    order = _by_priority(opened)
    chosen = _greedy_fill(opened, {}, order)
    weight_of = {m.id: m.weight for m in problem.meetings}

    def placed(choice: Mapping[int, int]) -> float:
        return sum(weight_of[m] for m in choice)

    bound = _person_bound(opened)
    method = "greedy"
    if _gap(placed(chosen), bound) > gap_limit:
        chosen, bound, method = _search(
            opened, chosen, bound, order, placed, deadline, gap_limit, workers, seed
        )
    placements = _tables(problem, chosen)
    placed_weight = opened.locked_weight + placed(chosen)
    upper_bound = max(opened.locked_weight + bound, placed_weight)
    gap = _gap(placed_weight, upper_bound)
    return Schedule(
        placements=tuple(placements),
        unplaced=tuple(_why_unplaced(problem, placements)),
        placed_weight=placed_weight,
        upper_bound=upper_bound,
        gap=gap,
        status=_status(gap, gap_limit),
        method=method,
        seconds=time.perf_counter() - started,
    )


def _search(
    opened: _Open,
    chosen: dict[int, int],
    bound: float,
    order: Sequence[Meeting],
    placed: Callable[[Mapping[int, int]], float],
    deadline: float,
    gap_limit: float,
    workers: int,
    seed: int,
) -> tuple[dict[int, int], float, str]:
    """Steps 2b and 3 of ``schedule``: the full LP bound, then CP-SAT if still needed."""
    programme = _programme(opened)
    full = _full_bound(programme, time_limit=(deadline - time.perf_counter()) / 3)
    if full is not None:
        bound = min(bound, full)
    if _gap(placed(chosen), bound) <= gap_limit:
        return chosen, bound, "greedy"
    solved = _cp_sat(
        programme,
        chosen,
        deadline=deadline,
        gap_limit=gap_limit,
        workers=workers,
        seed=seed,
        bound=bound,
    )
    if solved is None:
        return chosen, bound, "greedy"
    found, cp_sat_bound = solved
    found = _greedy_fill(opened, found, order)
    bound = min(bound, cp_sat_bound)
    # CP-SAT starts from the hint, so this only matters if rounded weights tied otherwise.
    if placed(found) < placed(chosen):
        return chosen, bound, "greedy"
    return found, bound, "cp-sat"


def _status(gap: float, gap_limit: float) -> str:
    # Bounds carry a hair of slack (see ``_solve_lp``), so "optimal" allows for it.
    if gap < OPTIMAL_GAP:
        return "optimal"
    return "within_gap" if gap <= gap_limit else "time_limit"


def _gap(placed: float, bound: float) -> float:
    return (bound - placed) / bound if bound > 0 else 0.0


# ---------------------------------------------------------------------------
# Independent check
# ---------------------------------------------------------------------------


def validate(result: Schedule, problem: SchedulingInput) -> list[str]:
    """Every way ``result`` breaks the lounge's rules, in words; empty when it keeps them.

    Written from the rules alone, sharing nothing with the solver's model, so that a
    solver or modelling mistake shows up here instead of in the lounge.
    """
    meetings = {m.id: m for m in problem.meetings}
    return _rule_violations(result.placements, problem) + _unaccounted(result, meetings)


def _rule_violations(placements: Sequence[Placement], problem: SchedulingInput) -> list[str]:
    meetings = {m.id: m for m in problem.meetings}
    slots = {s.id: s for s in problem.slots}
    violations: list[str] = []
    seen: Counter[int] = Counter(p.meeting_id for p in placements)
    violations += [f"meeting {m} is placed {n} times" for m, n in sorted(seen.items()) if n > 1]
    known = []
    for p in placements:
        if p.meeting_id not in meetings:
            violations.append(f"placement names unknown meeting {p.meeting_id}")
        elif p.slot_id not in slots:
            violations.append(f"meeting {p.meeting_id} is placed in unknown slot {p.slot_id}")
        elif not 1 <= p.table_no <= slots[p.slot_id].tables:
            violations.append(
                f"meeting {p.meeting_id} is at table {p.table_no}, but slot {p.slot_id} "
                f"has tables 1..{slots[p.slot_id].tables}"
            )
        else:
            known.append(p)
    violations += _double_bookings(known, meetings)
    violations += _busy_meetings(known, meetings, problem.busy)
    violations += _over_capacity(known, slots)
    violations += _moved_locks(placements, problem.locked)
    return violations


def _double_bookings(placements: list[Placement], meetings: Mapping[int, Meeting]) -> list[str]:
    at_table: defaultdict[tuple[int, int], list[int]] = defaultdict(list)
    of_person: defaultdict[tuple[int, int], list[int]] = defaultdict(list)
    for p in placements:
        at_table[p.slot_id, p.table_no].append(p.meeting_id)
        meeting = meetings[p.meeting_id]
        for person in {meeting.person_a, meeting.person_b}:
            of_person[person, p.slot_id].append(p.meeting_id)
    found = [
        f"table {table} in slot {slot} is double-booked: meetings {sorted(ids)}"
        for (slot, table), ids in sorted(at_table.items())
        if len(ids) > 1
    ]
    found += [
        f"person {person} is double-booked in slot {slot}: meetings {sorted(ids)}"
        for (person, slot), ids in sorted(of_person.items())
        if len(ids) > 1
    ]
    return found


def _busy_meetings(
    placements: list[Placement],
    meetings: Mapping[int, Meeting],
    busy: Mapping[int, Collection[int]],
) -> list[str]:
    found = []
    for p in placements:
        meeting = meetings[p.meeting_id]
        for person in (meeting.person_a, meeting.person_b):
            if p.slot_id in busy.get(person, ()):
                found.append(
                    f"meeting {p.meeting_id} puts person {person} in slot {p.slot_id}, "
                    "when they are busy"
                )
    return found


def _over_capacity(placements: list[Placement], slots: Mapping[int, Slot]) -> list[str]:
    count = Counter(p.slot_id for p in placements)
    return [
        f"slot {slot_id} holds {n} meetings for {slots[slot_id].tables} tables"
        for slot_id, n in sorted(count.items())
        if n > slots[slot_id].tables
    ]


def _moved_locks(placements: Sequence[Placement], locked: Sequence[Placement]) -> list[str]:
    where = {p.meeting_id: (p.slot_id, p.table_no) for p in placements}
    found = []
    for lock in locked:
        now = where.get(lock.meeting_id)
        if now is None:
            found.append(f"locked meeting {lock.meeting_id} was dropped")
        elif now != (lock.slot_id, lock.table_no):
            found.append(
                f"locked meeting {lock.meeting_id} moved from slot {lock.slot_id} table "
                f"{lock.table_no} to slot {now[0]} table {now[1]}"
            )
    return found


def _unaccounted(result: Schedule, meetings: Mapping[int, Meeting]) -> list[str]:
    placed = {p.meeting_id for p in result.placements}
    reported = Counter(u.meeting_id for u in result.unplaced)
    found = [
        f"meeting {m} is both placed and reported unplaced" for m in sorted(placed & set(reported))
    ]
    found += [
        f"meeting {m} is reported unplaced {n} times" for m, n in sorted(reported.items()) if n > 1
    ]
    found += [
        f"meeting {m} is neither placed nor reported unplaced"
        for m in sorted(set(meetings) - placed - set(reported))
    ]
    return found
