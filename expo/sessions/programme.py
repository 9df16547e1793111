"""The published programme as plain values: parsed from a version's snapshot, filtered, diffed.

Pure: no Flask, no database. A snapshot is the JSON a ProgrammeVersion stores.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

KIND_LABELS = {"keynote": "Keynote", "panel": "Panel", "expert_talk": "Expert talk",
               "workshop": "Workshop", "networking": "Networking", "site_visit": "Site visit"}
ROLE_ORDER = {"moderator": 0, "speaker": 1, "panellist": 2}
# Talk fields whose change is published but not worth an e-mail on its own.
DETAILS = ("abstract", "kind", "language", "track_id", "capacity", "site_visit")
NOTIFY = {"time", "room", "title", "speakers"}


@dataclass
class PRoom:
    id: int
    name: str
    capacity: int | None = None
    floor: str | None = None
    accessibility: str | None = None
    position: int = 0


@dataclass
class PTrack:
    id: int
    name: str
    colour: str
    pillar: str | None = None


@dataclass
class PSpeaker:
    id: int
    full_name: str
    organisation: str | None = None
    job_title: str | None = None
    country: str | None = None
    bio: str | None = None
    photo_url: str | None = None
    user_id: int | None = None
    talks: list[PTalk] = field(default_factory=list)

    @property
    def initials(self) -> str:
        parts = [p for p in self.full_name.replace(".", " ").split() if p[:1].isupper()]
        return "".join(p[0] for p in parts[-2:]) or self.full_name[:1]


@dataclass
class PPerson:
    speaker: PSpeaker
    role: str


@dataclass
class PTalk:
    id: int
    guid: str
    title: str
    abstract: str | None
    kind: str
    language: str
    start: datetime
    end: datetime
    room: PRoom | None
    track: PTrack | None
    capacity: int | None
    people: list[PPerson]
    site_visit: dict | None = None

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    @property
    def duration_minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)

    @property
    def key(self) -> str:
        return f"talk-{self.id}"

    def overlaps(self, other: PTalk) -> bool:
        return self.start < other.end and other.start < self.end


@dataclass
class PMeeting:
    """A placed one-to-one meeting (matchmaking) as an item of a person's agenda."""

    id: int
    start: datetime
    end: datetime
    location: str
    table_no: int | None
    other_name: str
    other_organisation: str | None
    project_id: int
    project_title: str
    kind: str = "meeting"
    kind_label: str = "Meeting"

    @property
    def key(self) -> str:
        return f"meeting-{self.id}"

    @property
    def title(self) -> str:
        return f"Meeting with {self.other_name}"

    @property
    def place(self) -> str:
        return self.location + (f", table {self.table_no}" if self.table_no else "")

    @property
    def duration_minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)


AgendaItem = PTalk | PMeeting


@dataclass
class Agenda:
    """One person's agenda: talks they star, sign up for or speak at, and their meetings."""

    talks: list[PTalk]
    meetings: list[PMeeting] = field(default_factory=list)
    speaking: set[int] = field(default_factory=set)  # talk ids the person speaks at
    unplaced_meetings: int = 0  # accepted meetings still without a time

    @property
    def items(self) -> list[AgendaItem]:
        return sorted([*self.talks, *self.meetings], key=lambda i: (i.start, i.end, i.key))

    @property
    def overlaps(self) -> list[tuple[AgendaItem, AgendaItem]]:
        return overlapping_pairs(self.items)


@dataclass
class Programme:
    zone: str
    talks: list[PTalk]
    rooms: list[PRoom]
    tracks: list[PTrack]
    speakers: list[PSpeaker]
    version: int = 0
    published_at: datetime | None = None

    @classmethod
    def from_snapshot(cls, snapshot: dict, zone: str, version: int = 0,
                      published_at: datetime | None = None) -> Programme:
        rooms = {int(k): PRoom(id=int(k), **v) for k, v in snapshot.get("rooms", {}).items()}
        tracks = {int(k): PTrack(id=int(k), **v) for k, v in snapshot.get("tracks", {}).items()}
        speakers = {int(k): PSpeaker(id=int(k), **v)
                    for k, v in snapshot.get("speakers", {}).items()}
        talks = []
        for key, t in snapshot.get("talks", {}).items():
            people = [PPerson(speakers[p["speaker_id"]], p["role"]) for p in t["people"]
                      if p["speaker_id"] in speakers]
            talk = PTalk(id=int(key), guid=t["guid"], title=t["title"], abstract=t.get("abstract"),
                         kind=t["kind"], language=t.get("language") or "en",
                         start=datetime.fromisoformat(t["start"]),
                         end=datetime.fromisoformat(t["end"]),
                         room=rooms.get(t.get("room_id")), track=tracks.get(t.get("track_id")),
                         capacity=t.get("capacity"), people=people,
                         site_visit=t.get("site_visit"))
            talks.append(talk)
            for person in people:
                person.speaker.talks.append(talk)
        talks.sort(key=lambda t: (t.start, t.room.position if t.room else 999, t.id))
        for speaker in speakers.values():
            speaker.talks.sort(key=lambda t: t.start)
        return cls(zone=zone, talks=talks,
                   rooms=sorted(rooms.values(), key=lambda r: (r.position, r.name)),
                   tracks=sorted(tracks.values(), key=lambda t: t.name),
                   speakers=sorted(speakers.values(), key=lambda s: s.full_name.lower()),
                   version=version, published_at=published_at)

    def local_day(self, talk: PTalk) -> date:
        return talk.start.astimezone(ZoneInfo(self.zone)).date()

    def days(self) -> list[date]:
        return sorted({self.local_day(t) for t in self.talks})

    def talk(self, talk_id: int) -> PTalk | None:
        return next((t for t in self.talks if t.id == talk_id), None)

    def speaker(self, speaker_id: int) -> PSpeaker | None:
        return next((s for s in self.speakers if s.id == speaker_id), None)

    def filter(self, *, day: date | None = None, track_id: int | None = None,
               pillar: str | None = None, kind: str | None = None,
               speaker_id: int | None = None, q: str | None = None) -> list[PTalk]:
        needle = (q or "").strip().lower()
        out = []
        for t in self.talks:
            if day and self.local_day(t) != day:
                continue
            if track_id and (t.track is None or t.track.id != track_id):
                continue
            if pillar and (t.track is None or t.track.pillar != pillar):
                continue
            if kind and t.kind != kind:
                continue
            if speaker_id and all(p.speaker.id != speaker_id for p in t.people):
                continue
            if needle:
                haystack = " ".join([t.title, t.abstract or "", t.room.name if t.room else "",
                                     t.track.name if t.track else ""]
                                    + [p.speaker.full_name + " " + (p.speaker.organisation or "")
                                       for p in t.people]).lower()
                if needle not in haystack:
                    continue
            out.append(t)
        return out


def overlapping_pairs(talks: list[AgendaItem]) -> list[tuple[AgendaItem, AgendaItem]]:
    """Pairs of a person's agenda items (talks, meetings) that run at the same time."""
    ordered = sorted(talks, key=lambda t: (t.start, t.key))
    pairs = []
    active: list[PTalk] = []
    for talk in ordered:
        active = [a for a in active if a.end > talk.start]
        pairs.extend((a, talk) for a in active)
        active.append(talk)
    return pairs


def diff(old: dict, new: dict) -> list[dict]:
    """What changed for each talk between two snapshots: added, cancelled, moved, renamed."""
    old_talks, new_talks = old.get("talks", {}), new.get("talks", {})
    rooms_old, rooms_new = old.get("rooms", {}), new.get("rooms", {})
    changes = []
    for key, talk in new_talks.items():
        before = old_talks.get(key)
        if before is None:
            changes.append({"talk_id": int(key), "title": talk["title"], "change": "added"})
            continue
        what = []
        if (before["start"], before["end"]) != (talk["start"], talk["end"]):
            what.append("time")
        if before.get("room_id") != talk.get("room_id"):
            what.append("room")
        if before["title"] != talk["title"]:
            what.append("title")
        if {(p["speaker_id"], p["role"]) for p in before["people"]} != \
                {(p["speaker_id"], p["role"]) for p in talk["people"]}:
            what.append("speakers")
        if any(before.get(k) != talk.get(k) for k in DETAILS):
            what.append("details")
        if what:
            room_before = rooms_old.get(str(before.get("room_id")), {}).get("name")
            room_after = rooms_new.get(str(talk.get("room_id")), {}).get("name")
            changes.append({"talk_id": int(key), "title": talk["title"], "change": "changed",
                            "fields": what, "old_start": before["start"],
                            "old_end": before["end"], "new_start": talk["start"],
                            "new_end": talk["end"], "old_room": room_before,
                            "new_room": room_after, "old_title": before["title"]})
    for key, talk in old_talks.items():
        if key not in new_talks:
            changes.append({"talk_id": int(key), "title": talk["title"], "change": "cancelled",
                            "old_start": talk["start"], "old_end": talk["end"]})
    return changes
