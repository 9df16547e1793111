"""Who boards a site-visit bus or enters a talk's door, and which talk a door scan was for.

Pure: plain values in, plain values out (no Flask, no DB). The check-in feature calls
`talk_rule` through its gate-kind hook; static/checkin/rules.js mirrors it for offline
scanners (KIND_RULES.talk) — keep the two in step.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from ..checkin.rules import ALREADY_CHECKED_IN, NOT_ALLOWED, Attendee, Decision, GateRules

TALK = "talk"  # a gate tied to one talk or site visit: only confirmed sign-ups pass
ROOM = "room"  # a room's door: the pass decides; its scans count as attendance
# A door scan this long before a talk starts counts for that talk (people arrive early).
EARLY = timedelta(minutes=15)


def talk_rule(gate: GateRules, attendee: Attendee) -> Decision | None:
    """Refuse anyone without a confirmed seat; None lets the gate admit.

    attendee.extra: {"what": "visit" | "session", "signup": "confirmed" | "offered" |
    "waiting" | None, "position": n on the waiting list, "boarded": {"gate", "at"} when
    already through another gate of the same talk (another bus)}.
    """
    extra = attendee.extra or {}
    what = extra.get("what") or "session"
    status = extra.get("signup")
    if status == "confirmed":
        boarded = extra.get("boarded")
        if boarded:
            return Decision(ALREADY_CHECKED_IN,
                            f"Already boarded {boarded['gate']} at {boarded['at']}.")
        return None
    if status == "waiting":
        position = extra.get("position")
        where = f" (number {position})" if position else ""
        return Decision(NOT_ALLOWED, f"On the waiting list for this {what}{where}: no seat yet.")
    if status == "offered":
        return Decision(NOT_ALLOWED, f"A seat on this {what} is offered but not accepted yet: "
                                     f"accept it on the talk page first.")
    return Decision(NOT_ALLOWED, f"Not signed up for this {what}.")


def room_rule(gate: GateRules, attendee: Attendee) -> Decision | None:
    """A room's door admits whoever's pass opens its zone; it exists to count attendance."""
    return None


def assign_scans(scans: Iterable[tuple[int, int, datetime]],
                 talks: Iterable[tuple[int, int | None, datetime, datetime]],
                 room_gates: dict[int, int], talk_gates: dict[int, int],
                 early: timedelta = EARLY) -> dict[int, set[int]]:
    """Who attended which talk: {talk_id: {registration_id, ...}}.

    scans: (registration_id, gate_id, scanned_at) of admitted entries; talks: (talk_id,
    room_id, starts_at, ends_at); room_gates / talk_gates: gate_id -> room_id / talk_id.
    A scan at a talk's own gate counts for that talk. A scan at a room's door counts
    for the talk running in that room at that moment, else for the next talk there
    starting within `early`; scans between talks count for none.
    """
    by_room: dict[int, list[tuple[datetime, datetime, int]]] = {}
    for talk_id, room_id, starts, ends in talks:
        if room_id is not None:
            by_room.setdefault(room_id, []).append((starts, ends, talk_id))
    for slots in by_room.values():
        slots.sort()
    attended: dict[int, set[int]] = {}
    for registration_id, gate_id, at in scans:
        talk_id = talk_gates.get(gate_id)
        if talk_id is None and gate_id in room_gates:
            slots = by_room.get(room_gates[gate_id], [])
            talk_id = next((t for s, e, t in slots if s <= at < e), None)
            if talk_id is None:
                talk_id = next((t for s, e, t in slots if s - early <= at < s), None)
        if talk_id is not None:
            attended.setdefault(talk_id, set()).add(registration_id)
    return attended
