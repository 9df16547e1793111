"""Who may pass a gate: plain facts in, a result code and a message out (no Flask, no DB).

The online API, the offline sync and the browser's offline scanner (static/checkin/
rules.js mirrors this file; keep them in step) all decide with these rules. The
"already checked in" answer is not decided here: the database decides it, so that
two scanners at once can never both admit the same badge.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

OK = "ok"
ALREADY_CHECKED_IN = "already_checked_in"
INVALID = "invalid"
REVOKED = "revoked"
NOT_ALLOWED = "not_allowed"
OUTSIDE_HOURS = "outside_hours"
UNPAID = "unpaid"
CANCELLED = "cancelled"
RESULTS = (OK, ALREADY_CHECKED_IN, INVALID, REVOKED, NOT_ALLOWED, OUTSIDE_HOURS, UNPAID,
           CANCELLED)
# How a scanner shows each answer at the door.
COLOURS = {OK: "green", ALREADY_CHECKED_IN: "amber", OUTSIDE_HOURS: "amber"}


@dataclass(frozen=True)
class Decision:
    result: str
    message: str

    @property
    def admitted(self) -> bool:
        return self.result == OK

    @property
    def colour(self) -> str:
        return COLOURS.get(self.result, "red")


@dataclass(frozen=True)
class GateRules:
    """What a gate admits; the offline bundle carries the same fields."""

    zone: str  # zone code
    zone_name: str
    hours: tuple = ()  # ({"day": "YYYY-MM-DD", "opens": "HH:MM", "closes": "HH:MM"}, ...)
    kind: str | None = None
    scan_exits: bool = False
    allow_reentry: bool = False


@dataclass(frozen=True)
class Attendee:
    """The facts about the badge holder that admission needs."""

    status: str  # Registration.status
    zones: tuple = ()  # zone codes the pass type opens
    pass_name: str = ""
    extra: Mapping = field(default_factory=dict)  # facts a gate kind's rule reads


# Gate kinds other features add (e.g. sessions: "talk" -> only people signed up).
# A kind's rule returns a Decision to refuse, or None to let the zone rules decide.
KindRule = Callable[[GateRules, Attendee], Decision | None]
KIND_RULES: dict[str, KindRule] = {}
# Kinds whose rule replaces the pass types' zone check: a site-visit bus admits whoever
# holds a seat on the visit (eligibility was checked at sign-up), whatever zones the pass
# opens.
KIND_OWNS_ADMISSION: set[str] = set()


def register_kind(kind: str, rule: KindRule, *, owns_admission: bool = False) -> None:
    KIND_RULES[kind] = rule
    if owns_admission:
        KIND_OWNS_ADMISSION.add(kind)
    else:
        KIND_OWNS_ADMISSION.discard(kind)


def status_decision(status: str) -> Decision | None:
    """A registration that is not confirmed never passes, whatever the gate."""
    if status == "confirmed":
        return None
    if status == "awaiting_payment":
        return Decision(UNPAID, "Payment is still open: send to the registration desk.")
    if status == "awaiting_approval":
        return Decision(NOT_ALLOWED, "Registration is awaiting the organisers' approval.")
    if status in ("cancelled", "rejected", "expired"):
        return Decision(CANCELLED, f"Registration {status}: no entry.")
    return Decision(NOT_ALLOWED, f"Registration status {status!r} does not admit.")


def within_hours(hours, local: datetime) -> bool:
    """True when `local` (the event's wall clock) falls in one of the day's windows.

    No hours at all: always open. Hours on other days only: closed today.
    """
    if not hours:
        return True
    day, clock = local.date().isoformat(), local.strftime("%H:%M")
    return any(h["day"] == day and h["opens"] <= clock < h["closes"] for h in hours)


def hours_text(hours, day: str) -> str:
    today = [f"{h['opens']}–{h['closes']}" for h in hours if h["day"] == day]
    return ", ".join(today) if today else "closed today"


def decide(gate: GateRules, badge_problem: str | None, badge_reason: str,
           attendee: Attendee | None, local_time: datetime, direction: str = "in") -> Decision:
    """The answer for one scan, before the database's at-most-once check.

    Order matters and is the same offline: a forged badge says nothing about a
    person, a cancelled registration is refused at every gate, then the pass
    (unless the gate's kind owns admission), then the clock, then the gate kind's
    own rule.
    """
    if badge_problem == INVALID or (badge_problem is None and attendee is None):
        return Decision(INVALID, badge_reason or "Not a valid badge for this event.")
    if badge_problem == REVOKED:
        return Decision(REVOKED, badge_reason or "This badge was replaced by a newer one.")
    assert attendee is not None
    if direction == "out":
        return Decision(OK, f"Exit from {gate.zone_name} recorded.")
    refused = status_decision(attendee.status)
    if refused:
        return refused
    if gate.kind not in KIND_OWNS_ADMISSION and gate.zone not in attendee.zones:
        return Decision(NOT_ALLOWED,
                        f"{attendee.pass_name or 'This pass'} does not open {gate.zone_name}.")
    if not within_hours(gate.hours, local_time):
        return Decision(OUTSIDE_HOURS, f"{gate.zone_name} is closed now (open "
                        f"{hours_text(gate.hours, local_time.date().isoformat())}).")
    if gate.kind is not None:
        rule = KIND_RULES.get(gate.kind)
        if rule is None:
            return Decision(NOT_ALLOWED, f"This gate's kind {gate.kind!r} is not available.")
        refused = rule(gate, attendee)
        if refused:
            return refused
    return Decision(OK, f"Welcome to {gate.zone_name}.")


def already_message(first_at_local: datetime) -> str:
    return f"Already checked in here at {first_at_local:%H:%M} on {first_at_local:%d %b}."
