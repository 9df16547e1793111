"""Programme conflicts, from plain values: double bookings, availability, hours, capacity.

The editor, the API and publishing all ask this module; nothing here touches
Flask or the database. `Schedule` indexes talks by room and by speaker, sorted
by start, so checking one moved talk looks only at its neighbours in time
(O(log n + k)), not at every pair.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

ROOM_DOUBLE_BOOKED = "room_double_booked"
SPEAKER_DOUBLE_BOOKED = "speaker_double_booked"
SPEAKER_UNAVAILABLE = "speaker_unavailable"
OUTSIDE_EVENT_DAYS = "outside_event_days"
OUTSIDE_ROOM_HOURS = "outside_room_hours"
CAPACITY_ABOVE_ROOM = "capacity_above_room"
ENDS_BEFORE_START = "ends_before_start"

KINDS = (ROOM_DOUBLE_BOOKED, SPEAKER_DOUBLE_BOOKED, SPEAKER_UNAVAILABLE, OUTSIDE_EVENT_DAYS,
         OUTSIDE_ROOM_HOURS, CAPACITY_ABOVE_ROOM, ENDS_BEFORE_START)


@dataclass(frozen=True)
class TalkSlot:
    id: int
    title: str
    start: datetime  # aware
    end: datetime
    room_id: int | None = None
    speaker_ids: tuple[int, ...] = ()
    capacity: int | None = None  # sign-up seats


@dataclass(frozen=True)
class RoomSlot:
    id: int
    name: str
    capacity: int | None = None
    opens: time | None = None  # local time of day
    closes: time | None = None


@dataclass(frozen=True)
class Conflict:
    kind: str
    talk_ids: tuple[int, ...]
    message: str
    speaker_id: int | None = None
    room_id: int | None = None

    def key(self) -> tuple:
        return (self.kind, tuple(sorted(self.talk_ids)), self.speaker_id)

    def as_dict(self) -> dict:
        return {"kind": self.kind, "talk_ids": list(self.talk_ids), "message": self.message,
                "speaker_id": self.speaker_id, "room_id": self.room_id}


@dataclass
class _Lane:
    """Talks of one room or one speaker, sorted by start."""

    starts: list[tuple[datetime, int]] = field(default_factory=list)
    longest: timedelta = timedelta(0)

    def add(self, talk: TalkSlot) -> None:
        insort(self.starts, (talk.start, talk.id))
        self.longest = max(self.longest, talk.end - talk.start)

    def remove(self, talk: TalkSlot) -> None:
        i = bisect_left(self.starts, (talk.start, talk.id))
        if i < len(self.starts) and self.starts[i] == (talk.start, talk.id):
            del self.starts[i]

    def candidates(self, start: datetime, end: datetime):
        """Ids of talks that may overlap [start, end): started before `end`, and not
        earlier than the longest talk could reach back."""
        lo = bisect_left(self.starts, (start - self.longest, -1))
        hi = bisect_left(self.starts, (end, -1))
        for i in range(lo, hi):
            yield self.starts[i][1]


class Schedule:
    """The whole programme of one event, indexed for fast conflict checks."""

    def __init__(self, talks, rooms, *, first_day: date, last_day: date, zone: str,
                 availability: dict[int, list[tuple[datetime, datetime]]] | None = None,
                 speaker_names: dict[int, str] | None = None):
        self.zone = ZoneInfo(zone)
        self.first_day, self.last_day = first_day, last_day
        self.rooms: dict[int, RoomSlot] = {r.id: r for r in rooms}
        self.availability = availability or {}
        self.speaker_names = speaker_names or {}
        self.talks: dict[int, TalkSlot] = {}
        self._by_room: dict[int, _Lane] = defaultdict(_Lane)
        self._by_speaker: dict[int, _Lane] = defaultdict(_Lane)
        for talk in talks:
            self.add(talk)

    # -------------------------------------------------------------- index

    def add(self, talk: TalkSlot) -> None:
        self.talks[talk.id] = talk
        if talk.room_id is not None:
            self._by_room[talk.room_id].add(talk)
        for speaker_id in set(talk.speaker_ids):
            self._by_speaker[speaker_id].add(talk)

    def remove(self, talk_id: int) -> None:
        talk = self.talks.pop(talk_id, None)
        if talk is None:
            return
        if talk.room_id is not None:
            self._by_room[talk.room_id].remove(talk)
        for speaker_id in set(talk.speaker_ids):
            self._by_speaker[speaker_id].remove(talk)

    def move(self, talk_id: int, *, start: datetime, end: datetime,
             room_id: int | None) -> list[Conflict]:
        """Conflicts the talk would have at its new place (the index is left unchanged)."""
        talk = replace(self.talks[talk_id], start=start, end=end, room_id=room_id)
        return self.conflicts_of(talk)

    # -------------------------------------------------------------- checks

    def _local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.zone)

    def _when(self, talk: TalkSlot) -> str:
        start, end = self._local(talk.start), self._local(talk.end)
        return f"{start:%a %d %b %H:%M}–{end:%H:%M}"

    def _overlapping(self, lane: _Lane | None, talk: TalkSlot):
        if lane is None:
            return
        for other_id in lane.candidates(talk.start, talk.end):
            if other_id == talk.id:
                continue
            other = self.talks[other_id]
            if other.start < talk.end and talk.start < other.end:
                yield other

    def conflicts_of(self, talk: TalkSlot) -> list[Conflict]:
        """Every conflict the talk has with the rest of the schedule and its own rules."""
        out: list[Conflict] = []
        if talk.end <= talk.start:
            return [Conflict(ENDS_BEFORE_START, (talk.id,),
                             f"“{talk.title}” ends before it starts.")]
        start_local, end_local = self._local(talk.start), self._local(talk.end)
        if start_local.date() < self.first_day or end_local.date() > self.last_day \
                or (end_local.date() == self.last_day + timedelta(days=1)
                    and end_local.time() == time(0)):
            out.append(Conflict(OUTSIDE_EVENT_DAYS, (talk.id,),
                                f"“{talk.title}” ({self._when(talk)}) is outside the event "
                                f"days {self.first_day:%d %b} – {self.last_day:%d %b %Y}."))
        room = self.rooms.get(talk.room_id) if talk.room_id is not None else None
        if room is not None:
            if room.opens is not None and room.closes is not None and (
                    start_local.date() != end_local.date()
                    or start_local.time() < room.opens or end_local.time() > room.closes):
                out.append(Conflict(OUTSIDE_ROOM_HOURS, (talk.id,),
                                    f"“{talk.title}” ({self._when(talk)}) is outside "
                                    f"{room.name}'s hours {room.opens:%H:%M}–"
                                    f"{room.closes:%H:%M}.", room_id=room.id))
            if talk.capacity is not None and room.capacity is not None \
                    and talk.capacity > room.capacity:
                out.append(Conflict(CAPACITY_ABOVE_ROOM, (talk.id,),
                                    f"“{talk.title}” offers {talk.capacity} seats but "
                                    f"{room.name} holds {room.capacity}.", room_id=room.id))
            for other in self._overlapping(self._by_room.get(room.id), talk):
                out.append(Conflict(ROOM_DOUBLE_BOOKED, (talk.id, other.id),
                                    f"{room.name} is double-booked: “{talk.title}” and "
                                    f"“{other.title}” ({self._when(other)}).", room_id=room.id))
        for speaker_id in dict.fromkeys(talk.speaker_ids):
            name = self.speaker_names.get(speaker_id, f"Speaker {speaker_id}")
            for other in self._overlapping(self._by_speaker.get(speaker_id), talk):
                out.append(Conflict(SPEAKER_DOUBLE_BOOKED, (talk.id, other.id),
                                    f"{name} is in two talks at once: “{talk.title}” and "
                                    f"“{other.title}” ({self._when(other)}).",
                                    speaker_id=speaker_id))
            windows = self.availability.get(speaker_id)
            if windows and not any(s <= talk.start and talk.end <= e for s, e in windows):
                out.append(Conflict(SPEAKER_UNAVAILABLE, (talk.id,),
                                    f"{name} is not available for “{talk.title}” "
                                    f"({self._when(talk)}).", speaker_id=speaker_id))
        return out

    def all_conflicts(self) -> list[Conflict]:
        """Every conflict in the programme, each pair reported once."""
        seen: set[tuple] = set()
        out: list[Conflict] = []
        for talk in sorted(self.talks.values(), key=lambda t: (t.start, t.id)):
            for conflict in self.conflicts_of(talk):
                if conflict.key() not in seen:
                    seen.add(conflict.key())
                    out.append(conflict)
        return out


def talk_ids_in_conflict(conflicts: list[Conflict]) -> set[int]:
    return {talk_id for c in conflicts for talk_id in c.talk_ids}
