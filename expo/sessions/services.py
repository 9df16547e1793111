"""Sessions rules: rooms, tracks, speakers, talks, conflicts, sign-ups, stars and publishing.

Each public function is one transaction: it commits on success and raises a
DomainError (changing nothing) when a rule says no.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from flask import current_app, url_for
from sqlalchemy.orm import selectinload

from ..core import mail
from ..core.models import Event, User
from ..core.services import audit
from ..errors import Conflict, Forbidden, Invalid, NotFound
from ..extensions import db
from ..registration.models import PassType, Registration, RegistrationStatus
from ..timeutil import local_to_utc, to_local, utcnow
from . import conflicts as rules
from . import exports
from .models import (
    ACTIVE_SIGNUP,
    WAITLIST_KINDS,
    AgendaFeed,
    ProgrammeVersion,
    Room,
    SignUp,
    SignUpStatus,
    SiteVisitDetails,
    Speaker,
    SpeakerAvailability,
    SpeakerRole,
    Star,
    Talk,
    TalkKind,
    TalkSpeaker,
    Track,
    Venue,
)
from .programme import Agenda, Programme, diff

# Colours for the default tracks made from the event's pillars.
TRACK_COLOURS = ["#0B5D7A", "#2E8B57", "#C0392B", "#8E44AD", "#D68910", "#1F618D", "#7D6608",
                 "#117A65"]
OFFER_HOURS = 24
# Conflicts that make a talk impossible, not merely a planning problem: always refused.
HARD = (rules.ENDS_BEFORE_START, rules.OUTSIDE_EVENT_DAYS)


def _text(value) -> str | None:
    value = (value or "").strip() if isinstance(value, str) else value
    return value or None


# ---------------------------------------------------------------- lookups


def pass_types(event: Event) -> list[PassType]:
    return list(db.session.scalars(sa.select(PassType).where(PassType.event_id == event.id)
                                   .order_by(PassType.position, PassType.name)))


def rooms(event: Event) -> list[Room]:
    return list(db.session.scalars(sa.select(Room).where(Room.event_id == event.id)
                                   .order_by(Room.position, Room.name)))


def tracks(event: Event) -> list[Track]:
    return list(db.session.scalars(sa.select(Track).where(Track.event_id == event.id)
                                   .order_by(Track.position, Track.name)))


def venues(event: Event) -> list[Venue]:
    return list(db.session.scalars(sa.select(Venue).where(Venue.event_id == event.id)
                                   .order_by(Venue.name)))


def speakers(event: Event) -> list[Speaker]:
    return list(db.session.scalars(
        sa.select(Speaker).where(Speaker.event_id == event.id)
        .options(selectinload(Speaker.availability)).order_by(Speaker.full_name)))


def talks(event: Event) -> list[Talk]:
    return list(db.session.scalars(
        sa.select(Talk).where(Talk.event_id == event.id)
        .options(selectinload(Talk.people).selectinload(TalkSpeaker.speaker),
                 selectinload(Talk.room), selectinload(Talk.track),
                 selectinload(Talk.site_visit))
        .order_by(Talk.starts_at, Talk.id)))


def _get(model, event: Event, object_id, what: str):
    try:
        object_id = int(object_id)
    except (TypeError, ValueError):
        raise NotFound(f"No {what} {object_id!r} in {event.name}.",
                       code=f"{what.replace(' ', '_')}_not_found") from None
    obj = db.session.get(model, object_id)
    if obj is None or obj.event_id != event.id:
        raise NotFound(f"No {what} {object_id} in {event.name}.",
                       code=f"{what.replace(' ', '_')}_not_found")
    return obj


def room(event: Event, room_id) -> Room:
    return _get(Room, event, room_id, "room")


def track(event: Event, track_id) -> Track:
    return _get(Track, event, track_id, "track")


def speaker(event: Event, speaker_id) -> Speaker:
    return _get(Speaker, event, speaker_id, "speaker")


def talk(event: Event, talk_id) -> Talk:
    return _get(Talk, event, talk_id, "talk")


# ---------------------------------------------------------------- venues, rooms, tracks


def save_venue(actor: User, event: Event, name: str, address: str | None = None) -> Venue:
    name = (name or "").strip()
    if not name:
        raise Invalid("Give the venue a name.", code="name_required")
    venue = db.session.scalar(sa.select(Venue).where(Venue.event_id == event.id,
                                                     Venue.name == name))
    if venue is None:
        venue = Venue(event_id=event.id, name=name)
        db.session.add(venue)
    venue.address = _text(address)
    db.session.flush()
    audit(actor, event, "venue.saved", target=name)
    db.session.commit()
    return venue


def save_room(actor: User | None, event: Event, room_id: int | None = None, *, name: str,
              capacity: int | None = None, floor: str | None = None,
              accessibility: str | None = None, opens_at: time | None = None,
              closes_at: time | None = None, venue_id: int | None = None,
              position: int | None = None, commit: bool = True) -> Room:
    name = (name or "").strip()
    if not name:
        raise Invalid("Give the room a name.", code="name_required")
    if capacity is not None and capacity < 0:
        raise Invalid("A room's capacity cannot be negative.", code="capacity_invalid")
    if (opens_at is None) != (closes_at is None):
        raise Invalid("Give both opening and closing times, or neither.", code="hours_invalid")
    if opens_at is not None and closes_at <= opens_at:
        raise Invalid("The room must close after it opens.", code="hours_invalid")
    if venue_id is not None:
        _get(Venue, event, venue_id, "venue")
    clash = db.session.scalar(sa.select(Room.id).where(Room.event_id == event.id,
                                                       Room.name == name))
    if clash is not None and clash != room_id:
        raise Conflict(f"There is already a room called {name!r}.", code="room_exists")
    if room_id is None and position is None:
        position = (db.session.scalar(sa.select(sa.func.max(Room.position))
                                      .where(Room.event_id == event.id)) or 0) + 1
    obj = room(event, room_id) if room_id else Room(event_id=event.id)
    if room_id is None:
        db.session.add(obj)
    obj.name, obj.capacity, obj.floor = name, capacity, _text(floor)
    obj.accessibility, obj.opens_at, obj.closes_at = _text(accessibility), opens_at, closes_at
    obj.venue_id = venue_id
    if position is not None:
        obj.position = position
    db.session.flush()
    audit(actor, event, "room.saved", target=f"room {obj.id}",
          details={"name": name, "capacity": capacity})
    if commit:
        db.session.commit()
    return obj


def delete_room(actor: User, event: Event, room_id: int) -> None:
    obj = room(event, room_id)
    used = db.session.scalar(sa.select(sa.func.count()).select_from(Talk)
                             .where(Talk.room_id == obj.id))
    if used:
        raise Conflict(f"{obj.name} still holds {used} talk(s); move them first.",
                       code="room_in_use")
    audit(actor, event, "room.deleted", target=f"room {obj.id}", details={"name": obj.name})
    db.session.delete(obj)
    db.session.commit()


def ensure_default_tracks(event: Event) -> list[Track]:
    """Tracks default to the event's pillars, each with its own colour (idempotent)."""
    existing = tracks(event)
    if existing or not event.themes:
        return existing
    for i, pillar in enumerate(event.themes):
        db.session.add(Track(event_id=event.id, name=pillar, pillar=pillar, position=i,
                             colour=TRACK_COLOURS[i % len(TRACK_COLOURS)]))
    db.session.commit()
    return tracks(event)


def save_track(actor: User | None, event: Event, track_id: int | None = None, *, name: str,
               colour: str = "#0B5D7A", pillar: str | None = None,
               commit: bool = True) -> Track:
    name = (name or "").strip()
    if not name:
        raise Invalid("Give the track a name.", code="name_required")
    colour = (colour or "").strip()
    if len(colour) != 7 or not colour.startswith("#") or \
            any(c not in "0123456789abcdefABCDEF" for c in colour[1:]):
        raise Invalid("Give the colour as #RRGGBB.", code="colour_invalid")
    pillar = _text(pillar)
    if pillar and pillar not in (event.themes or []):
        raise Invalid(f"{pillar!r} is not one of the event's pillars.", code="pillar_unknown")
    clash = db.session.scalar(sa.select(Track.id).where(Track.event_id == event.id,
                                                        Track.name == name))
    if clash is not None and clash != track_id:
        raise Conflict(f"There is already a track called {name!r}.", code="track_exists")
    obj = track(event, track_id) if track_id else Track(event_id=event.id)
    if track_id is None:
        db.session.add(obj)
    obj.name, obj.colour, obj.pillar = name, colour.upper(), pillar
    db.session.flush()
    audit(actor, event, "track.saved", target=f"track {obj.id}", details={"name": name})
    if commit:
        db.session.commit()
    return obj


# ---------------------------------------------------------------- speakers


def save_speaker(actor: User | None, event: Event, speaker_id: int | None = None, *,
                 full_name: str, email: str | None = None, organisation: str | None = None,
                 job_title: str | None = None, country: str | None = None,
                 bio: str | None = None, photo_url: str | None = None,
                 link_account: bool = True, commit: bool = True) -> Speaker:
    full_name = (full_name or "").strip()
    if not full_name:
        raise Invalid("Give the speaker's full name.", code="name_required")
    photo_url = _text(photo_url)
    if photo_url and not photo_url.startswith(("https://", "http://", "/")):
        raise Invalid("The photo must be a web address.", code="photo_invalid")
    email = _text(email)
    user = None
    if email:
        from ..core.services import normalise_email, user_by_email

        email = normalise_email(email)
        user = user_by_email(email) if link_account else None
    obj = speaker(event, speaker_id) if speaker_id else Speaker(event_id=event.id)
    if user is not None:
        other = db.session.scalar(sa.select(Speaker.id).where(Speaker.event_id == event.id,
                                                              Speaker.user_id == user.id))
        if other is not None and other != speaker_id:
            raise Conflict(f"{user.email} is already speaker {other} in this event.",
                           code="speaker_exists")
    if speaker_id is None:
        db.session.add(obj)
    obj.full_name, obj.email, obj.organisation = full_name, email, _text(organisation)
    obj.job_title, obj.country, obj.bio = _text(job_title), _text(country), _text(bio)
    obj.photo_url = photo_url
    obj.user_id = user.id if user is not None else None
    db.session.flush()
    audit(actor, event, "speaker.saved", target=f"speaker {obj.id}",
          details={"name": full_name})
    if commit:
        db.session.commit()
    return obj


def add_availability(actor: User | None, event: Event, speaker_id: int, starts_at: datetime,
                     ends_at: datetime, commit: bool = True) -> SpeakerAvailability:
    obj = speaker(event, speaker_id)
    if ends_at <= starts_at:
        raise Invalid("The window must end after it starts.", code="ends_before_start")
    window = SpeakerAvailability(event_id=event.id, speaker_id=obj.id, starts_at=starts_at,
                                 ends_at=ends_at)
    db.session.add(window)
    audit(actor, event, "speaker.availability_added", target=f"speaker {obj.id}",
          details={"from": starts_at.isoformat(), "to": ends_at.isoformat()})
    if commit:
        db.session.commit()
    return window


def remove_availability(actor: User, event: Event, window_id: int) -> None:
    window = _get(SpeakerAvailability, event, window_id, "availability window")
    audit(actor, event, "speaker.availability_removed", target=f"speaker {window.speaker_id}")
    db.session.delete(window)
    db.session.commit()


# ---------------------------------------------------------------- conflicts


def schedule_for(event: Event) -> rules.Schedule:
    """The draft programme as plain values for the conflicts module (4 queries)."""
    room_rows = db.session.execute(sa.select(Room.id, Room.name, Room.capacity, Room.opens_at,
                                             Room.closes_at).where(Room.event_id == event.id))
    people: dict[int, list[int]] = {}
    for talk_id, speaker_id in db.session.execute(
            sa.select(TalkSpeaker.talk_id, TalkSpeaker.speaker_id)
            .where(TalkSpeaker.event_id == event.id)):
        people.setdefault(talk_id, []).append(speaker_id)
    names = dict(db.session.execute(sa.select(Speaker.id, Speaker.full_name)
                                    .where(Speaker.event_id == event.id)).all())
    availability: dict[int, list] = {}
    for speaker_id, start, end in db.session.execute(
            sa.select(SpeakerAvailability.speaker_id, SpeakerAvailability.starts_at,
                      SpeakerAvailability.ends_at)
            .where(SpeakerAvailability.event_id == event.id)):
        availability.setdefault(speaker_id, []).append((start, end))
    talk_rows = db.session.execute(sa.select(Talk.id, Talk.title, Talk.starts_at, Talk.ends_at,
                                             Talk.room_id, Talk.capacity)
                                   .where(Talk.event_id == event.id))
    slots = [rules.TalkSlot(id=r.id, title=r.title, start=r.starts_at, end=r.ends_at,
                            room_id=r.room_id, speaker_ids=tuple(people.get(r.id, ())),
                            capacity=r.capacity) for r in talk_rows]
    return rules.Schedule(slots, [rules.RoomSlot(*r) for r in room_rows],
                          first_day=event.starts_on, last_day=event.ends_on,
                          zone=event.time_zone, availability=availability,
                          speaker_names=names)


def programme_conflicts(event: Event) -> list[rules.Conflict]:
    return schedule_for(event).all_conflicts()


def _refuse(found: list[rules.Conflict], allow_conflicts: bool) -> None:
    hard = [c for c in found if c.kind in HARD]
    if hard:
        raise Invalid(hard[0].message, code=hard[0].kind,
                      details={"conflicts": [c.as_dict() for c in hard]})
    if found and not allow_conflicts:
        raise Conflict(f"{len(found)} conflict(s): " + found[0].message,
                       code="schedule_conflict",
                       details={"conflicts": [c.as_dict() for c in found]})


# ---------------------------------------------------------------- talks


def _validate_kind(kind: str) -> str:
    if kind not in set(TalkKind):
        raise Invalid(f"{kind!r} is not a kind of talk ({', '.join(TalkKind)}).",
                      code="kind_unknown")
    return kind


def _people(event: Event, people) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    seen = set()
    for item in people or []:
        speaker_id, role = (item["speaker_id"], item.get("role", "speaker")) \
            if isinstance(item, dict) else item
        obj = speaker(event, speaker_id)
        if role not in set(SpeakerRole):
            raise Invalid(f"{role!r} is not a role (moderator, panellist, speaker).",
                          code="role_unknown")
        if obj.id in seen:
            raise Invalid(f"{obj.full_name} is listed twice.", code="speaker_twice")
        seen.add(obj.id)
        out.append((obj.id, role))
    return out


def save_talk(actor: User | None, event: Event, talk_id: int | None = None, *,
              allow_conflicts: bool = False, commit: bool = True,
              **fields) -> tuple[Talk, list[rules.Conflict]]:
    """Create or change a talk; answers the talk and its conflicts.

    Soft conflicts (double bookings, availability, room hours, capacity) refuse
    the change with 409 unless `allow_conflicts`; a talk that ends before it
    starts or lies outside the event days is always refused.
    """
    obj = talk(event, talk_id) if talk_id else None
    current = {} if obj is None else {
        "title": obj.title, "abstract": obj.abstract, "kind": obj.kind,
        "language": obj.language, "track_id": obj.track_id, "room_id": obj.room_id,
        "starts_at": obj.starts_at, "ends_at": obj.ends_at, "capacity": obj.capacity,
        "people": [(p.speaker_id, p.role) for p in obj.people]}
    unknown = set(fields) - {"title", "abstract", "kind", "language", "track_id", "room_id",
                             "starts_at", "ends_at", "capacity", "people", "site_visit"}
    if unknown:
        raise Invalid(f"Unknown field(s): {', '.join(sorted(unknown))}.", code="field_unknown")
    values = {**current, **fields}
    title = (values.get("title") or "").strip()
    if not title:
        raise Invalid("Give the talk a title.", code="title_required")
    kind = _validate_kind(values.get("kind") or TalkKind.EXPERT_TALK)
    starts_at, ends_at = values.get("starts_at"), values.get("ends_at")
    if starts_at is None or ends_at is None:
        raise Invalid("Give the talk a start and an end.", code="time_required")
    if ends_at <= starts_at:
        raise Invalid("The talk must end after it starts.", code="ends_before_start")
    room_id = values.get("room_id")
    room_obj = room(event, room_id) if room_id is not None else None
    track_id = values.get("track_id")
    if track_id is not None:
        track(event, track_id)
    capacity = values.get("capacity")
    if capacity is not None and capacity < 0:
        raise Invalid("Seats cannot be negative.", code="capacity_invalid")
    people = _people(event, values.get("people"))
    site_visit = fields.get("site_visit")
    if kind == TalkKind.SITE_VISIT and site_visit is not None:
        site_visit = _check_site_visit(event, site_visit)
        capacity = site_visit["buses"] * site_visit["seats_per_bus"]
    if obj is not None and capacity is not None and capacity < obj.taken:
        raise Conflict(f"{obj.taken} people already hold seats; keep at least {obj.taken}.",
                       code="capacity_below_taken")
    if obj is not None and capacity is None and obj.taken:
        raise Conflict("People hold seats: cancel their sign-ups before removing seats.",
                       code="capacity_below_taken")

    schedule = schedule_for(event)
    slot = rules.TalkSlot(id=obj.id if obj else 0, title=title, start=starts_at, end=ends_at,
                          room_id=room_obj.id if room_obj else None,
                          speaker_ids=tuple(s for s, _ in people), capacity=capacity)
    found = schedule.conflicts_of(slot)
    _refuse(found, allow_conflicts)

    if obj is None:
        obj = Talk(event_id=event.id)
        db.session.add(obj)
    obj.title, obj.abstract, obj.kind = title, _text(values.get("abstract")), kind
    obj.language = values.get("language") or "en"
    obj.track_id, obj.room_id = track_id, room_obj.id if room_obj else None
    obj.starts_at, obj.ends_at, obj.capacity = starts_at, ends_at, capacity
    db.session.flush()
    if "people" in fields:
        for link in list(obj.people):
            obj.people.remove(link)
        db.session.flush()
        for position, (speaker_id, role) in enumerate(people):
            obj.people.append(TalkSpeaker(event_id=event.id, speaker_id=speaker_id, role=role,
                                          position=position))
    if kind == TalkKind.SITE_VISIT and site_visit is not None:
        details = obj.site_visit or SiteVisitDetails(event_id=event.id)
        for key, value in site_visit.items():
            setattr(details, key, value)
        obj.site_visit = details
    db.session.flush()
    audit(actor, event, "talk.saved", target=f"talk {obj.id}",
          details={"title": title, "start": starts_at.isoformat(), "end": ends_at.isoformat(),
                   "room": room_obj.name if room_obj else None,
                   "conflicts": [c.message for c in found]})
    if commit:
        db.session.commit()
    found = [rules.Conflict(c.kind, tuple(obj.id if i == 0 else i for i in c.talk_ids),
                            c.message, c.speaker_id, c.room_id) for c in found]
    return obj, found


def _check_site_visit(event: Event, details: dict) -> dict:
    meeting_point = (details.get("meeting_point") or "").strip()
    if not meeting_point:
        raise Invalid("Give the site visit a meeting point.", code="meeting_point_required")
    departs, returns = details.get("departs_at"), details.get("returns_at")
    if departs is None or returns is None:
        raise Invalid("Give the departure and return times.", code="time_required")
    if returns <= departs:
        raise Invalid("The bus must return after it departs.", code="ends_before_start")
    buses, seats = int(details.get("buses") or 0), int(details.get("seats_per_bus") or 0)
    if buses < 1 or seats < 1:
        raise Invalid("Give at least one bus with at least one seat.", code="transport_invalid")
    eligible = [int(i) for i in details.get("eligible_pass_type_ids") or []]
    if eligible:
        found = set(db.session.scalars(sa.select(PassType.id).where(
            PassType.event_id == event.id, PassType.id.in_(eligible))))
        missing = set(eligible) - found
        if missing:
            raise NotFound(f"No pass type {sorted(missing)[0]} in {event.name}.",
                           code="pass_type_not_found")
    return {"meeting_point": meeting_point, "destination": _text(details.get("destination")),
            "departs_at": departs, "returns_at": returns, "buses": buses,
            "seats_per_bus": seats, "eligible_pass_type_ids": eligible,
            "notes": _text(details.get("notes"))}


def move_talk(actor: User, event: Event, talk_id: int, *, day: date, start: time,
              room_id: int | None, allow_conflicts: bool = True
              ) -> tuple[Talk, list[rules.Conflict]]:
    """Move a talk to a day, a start time (event's zone) and a room, keeping its length."""
    obj = talk(event, talk_id)
    length = obj.ends_at - obj.starts_at
    starts_at = local_to_utc(day, start, event.time_zone)
    room_obj = room(event, room_id) if room_id is not None else None
    obj_after, _found = save_talk(actor, event, obj.id, allow_conflicts=allow_conflicts,
                                  starts_at=starts_at, ends_at=starts_at + length,
                                  room_id=room_obj.id if room_obj else None)
    return obj_after, programme_conflicts(event)


def delete_talk(actor: User, event: Event, talk_id: int) -> None:
    obj = talk(event, talk_id)
    audit(actor, event, "talk.deleted", target=f"talk {obj.id}", details={"title": obj.title})
    db.session.delete(obj)
    db.session.commit()


# ---------------------------------------------------------------- publishing


def snapshot(event: Event) -> dict:
    """The draft programme as the JSON a version stores (and the public pages read)."""
    all_talks = talks(event)
    room_map = {str(r.id): {"name": r.name, "capacity": r.capacity, "floor": r.floor,
                            "accessibility": r.accessibility, "position": r.position}
                for r in rooms(event)}
    track_map = {str(t.id): {"name": t.name, "colour": t.colour, "pillar": t.pillar}
                 for t in tracks(event)}
    speaker_map = {str(s.id): {"full_name": s.full_name, "organisation": s.organisation,
                               "job_title": s.job_title, "country": s.country, "bio": s.bio,
                               "photo_url": s.photo_url, "user_id": s.user_id}
                   for s in db.session.scalars(sa.select(Speaker)
                                               .where(Speaker.event_id == event.id))}
    talk_map = {}
    for t in all_talks:
        visit = None
        if t.site_visit is not None:
            v = t.site_visit
            visit = {"meeting_point": v.meeting_point, "destination": v.destination,
                     "departs_at": v.departs_at.isoformat(),
                     "returns_at": v.returns_at.isoformat(), "buses": v.buses,
                     "seats_per_bus": v.seats_per_bus,
                     "eligible_pass_type_ids": list(v.eligible_pass_type_ids or []),
                     "notes": v.notes}
        talk_map[str(t.id)] = {
            "guid": t.guid, "title": t.title, "abstract": t.abstract, "kind": t.kind,
            "language": t.language, "start": t.starts_at.isoformat(),
            "end": t.ends_at.isoformat(), "room_id": t.room_id, "track_id": t.track_id,
            "capacity": t.capacity, "site_visit": visit,
            "people": [{"speaker_id": p.speaker_id, "role": p.role} for p in t.people]}
    return {"talks": talk_map, "rooms": room_map, "tracks": track_map, "speakers": speaker_map}


def latest_version(event: Event) -> ProgrammeVersion | None:
    return db.session.scalar(sa.select(ProgrammeVersion)
                             .where(ProgrammeVersion.event_id == event.id)
                             .order_by(ProgrammeVersion.number.desc()).limit(1))


def versions(event: Event) -> list[ProgrammeVersion]:
    return list(db.session.scalars(sa.select(ProgrammeVersion)
                                   .where(ProgrammeVersion.event_id == event.id)
                                   .order_by(ProgrammeVersion.number.desc())))


def published_programme(event: Event) -> Programme:
    """What the public sees: the latest published version (one query)."""
    version = latest_version(event)
    if version is None:
        return Programme(zone=event.time_zone, talks=[], rooms=[], tracks=[], speakers=[])
    return Programme.from_snapshot(version.snapshot, event.time_zone, version.number,
                                   version.published_at)


def draft_programme(event: Event) -> Programme:
    return Programme.from_snapshot(snapshot(event), event.time_zone)


def draft_changes(event: Event) -> list[dict]:
    version = latest_version(event)
    return diff(version.snapshot if version else {}, snapshot(event))


def publish(actor: User, event: Event, *, note: str | None = None,
            override: bool = False) -> ProgrammeVersion:
    """Publish the draft as a new version; conflicts block it unless an organiser overrides.

    Speakers and signed-up or starring delegates of changed talks get an e-mail
    with what changed and an .ics of their changed items.
    """
    found = programme_conflicts(event)
    if found and not override:
        raise Conflict(f"The programme has {len(found)} conflict(s); solve them or publish "
                       "with an override.", code="schedule_conflict",
                       details={"conflicts": [c.as_dict() for c in found]})
    previous = latest_version(event)
    snap = snapshot(event)
    changes = diff(previous.snapshot if previous else {}, snap)
    if previous is not None and not changes and previous.snapshot == snap:
        raise Invalid("Nothing changed since version "
                      f"{previous.number}: there is nothing to publish.", code="no_changes")
    version = ProgrammeVersion(event_id=event.id, number=(previous.number + 1) if previous else 1,
                               published_by_id=actor.id if actor else None,
                               note=_text(note), snapshot=snap, changes=changes,
                               overridden_conflicts=[c.as_dict() for c in found])
    db.session.add(version)
    db.session.flush()
    audit(actor, event, "programme.published", target=f"version {version.number}",
          details={"changes": len(changes), "override": bool(found),
                   "conflicts": [c.message for c in found]})
    db.session.commit()
    if previous is not None:
        from .programme import NOTIFY

        _mail_changes(event, version, [c for c in changes if c["change"] != "changed"
                                       or NOTIFY & set(c["fields"])])
    return version


def _mail_changes(event: Event, version: ProgrammeVersion, changes: list[dict]) -> None:
    """One e-mail per affected person listing what changed, with an .ics of their items."""
    changed_ids = [c["talk_id"] for c in changes]
    by_talk = {c["talk_id"]: c for c in changes}
    recipients: dict[str, dict] = {}

    def add(email: str | None, name: str, talk_id: int, why: str) -> None:
        if not email:
            return
        entry = recipients.setdefault(email, {"name": name, "items": {}})
        entry["items"].setdefault(talk_id, why)

    for talk_id, email, user_email, name in db.session.execute(
            sa.select(TalkSpeaker.talk_id, Speaker.email, User.email, Speaker.full_name)
            .join(Speaker, Speaker.id == TalkSpeaker.speaker_id)
            .outerjoin(User, User.id == Speaker.user_id)
            .where(TalkSpeaker.event_id == event.id, TalkSpeaker.talk_id.in_(changed_ids))):
        add(user_email or email, name, talk_id, "you speak")
    for talk_id, email, name in db.session.execute(
            sa.select(SignUp.talk_id, User.email, User.full_name)
            .join(User, User.id == SignUp.user_id)
            .where(SignUp.event_id == event.id, SignUp.talk_id.in_(changed_ids),
                   SignUp.status.in_(ACTIVE_SIGNUP))):
        add(email, name, talk_id, "you signed up")
    for talk_id, email, name in db.session.execute(
            sa.select(Star.talk_id, User.email, User.full_name)
            .join(User, User.id == Star.user_id)
            .where(Star.event_id == event.id, Star.talk_id.in_(changed_ids))):
        add(email, name, talk_id, "in your agenda")
    if not recipients:
        return
    programme = Programme.from_snapshot(version.snapshot, event.time_zone, version.number)
    for email, entry in recipients.items():
        items = [dict(by_talk[tid], why=why) for tid, why in entry["items"].items()]
        still = [programme.talk(tid) for tid in entry["items"]]
        ics = calendar_for(event, [t for t in still if t is not None],
                           name=f"{event.name}: your changed sessions", method="PUBLISH")
        mail.send_template(email, f"{event.name}: programme changes (version {version.number})",
                           "sessions_programme_changed", event=event, version=version,
                           name=entry["name"], items=items, zone=event.time_zone,
                           agenda_url=_url("sessions.my_agenda", slug=event.slug),
                           attachments=[mail.Attachment("changes.ics", ics, "text/calendar")])


def _url(endpoint: str, **values) -> str:
    try:
        return url_for(endpoint, _external=True, **values)
    except RuntimeError:
        with current_app.test_request_context():
            return url_for(endpoint, _external=True, **values)


def calendar_for(event: Event, items, *, name: str, method: str | None = None,
                 meetings=()) -> bytes:
    return exports.calendar(items, zone=event.time_zone, name=name,
                            talk_url=lambda t: _url("sessions.talk_page", slug=event.slug,
                                                    talk_id=t.id),
                            uid_domain=f"{event.slug}.expo", location_prefix=event.venue or "",
                            method=method, meetings=meetings,
                            meeting_url=lambda m: _url("matchmaking.meetings", slug=event.slug))


def agenda_calendar(user: User, event: Event) -> bytes:
    """The person's agenda as one iCal file: talks and one-to-one meetings."""
    agenda = my_agenda(user, event)
    return calendar_for(event, agenda.talks, name=f"{event.name} — my agenda",
                        meetings=agenda.meetings)


# ---------------------------------------------------------------- stars and my agenda


def _published_talk(event: Event, talk_id) -> Talk:
    """A talk people may star or sign up for: it is in the published programme."""
    obj = talk(event, talk_id)
    version = latest_version(event)
    if version is None or str(obj.id) not in (version.snapshot or {}).get("talks", {}):
        raise NotFound("This session is not in the published programme.",
                       code="talk_not_found")
    return obj


def star(user: User, event: Event, talk_id: int) -> Star:
    obj = _published_talk(event, talk_id)
    existing = db.session.scalar(sa.select(Star).where(Star.talk_id == obj.id,
                                                       Star.user_id == user.id))
    if existing is not None:
        return existing
    row = Star(event_id=event.id, talk_id=obj.id, user_id=user.id)
    db.session.add(row)
    try:
        db.session.commit()
    except sa.exc.IntegrityError:  # starred twice at once: the first one stands
        db.session.rollback()
        row = db.session.scalar(sa.select(Star).where(Star.talk_id == obj.id,
                                                      Star.user_id == user.id))
    return row


def unstar(user: User, event: Event, talk_id: int) -> None:
    obj = talk(event, talk_id)
    db.session.execute(sa.delete(Star).where(Star.talk_id == obj.id, Star.user_id == user.id))
    db.session.commit()


def starred_ids(user, event: Event) -> set[int]:
    if user is None or not getattr(user, "is_authenticated", False):
        return set()
    return set(db.session.scalars(sa.select(Star.talk_id).where(Star.event_id == event.id,
                                                                Star.user_id == user.id)))


def signups_of(user, event: Event) -> dict[int, SignUp]:
    if user is None or not getattr(user, "is_authenticated", False):
        return {}
    rows = db.session.scalars(sa.select(SignUp).where(SignUp.event_id == event.id,
                                                      SignUp.user_id == user.id,
                                                      SignUp.status.in_(ACTIVE_SIGNUP)))
    return {s.talk_id: s for s in rows}


def seats(event: Event) -> dict[int, tuple[int | None, int]]:
    """Live (capacity, taken) of every seat-limited talk (one query)."""
    return {r.id: (r.capacity, r.taken) for r in db.session.execute(
        sa.select(Talk.id, Talk.capacity, Talk.taken)
        .where(Talk.event_id == event.id, Talk.capacity.is_not(None)))}


def my_agenda(user: User, event: Event, programme: Programme | None = None) -> Agenda:
    """The person's agenda: talks they star, sign up for (seat held) or speak at, plus
    their placed one-to-one meetings (matchmaking); `.overlaps` lists what clashes."""
    from ..matchmaking import services as matchmaking

    programme = programme or published_programme(event)
    speaking = {t.id for t in programme.talks
                if any(p.speaker.user_id == user.id for p in t.people)}
    wanted = starred_ids(user, event) | speaking | {
        tid for tid, s in signups_of(user, event).items()
        if s.status in (SignUpStatus.CONFIRMED, SignUpStatus.OFFERED)}
    meetings, unplaced = matchmaking.agenda_meetings(user, event)
    return Agenda(talks=[t for t in programme.talks if t.id in wanted], meetings=meetings,
                  speaking=speaking, unplaced_meetings=unplaced)


@dataclass(frozen=True)
class Commitment:
    """A time a person must be somewhere: a session they speak at or hold a seat in."""

    user_id: int
    talk_id: int
    title: str
    start: datetime
    end: datetime
    why: str  # speaks | signed_up


def commitments(event: Event, user_ids=None) -> list[Commitment]:
    """Sessions people cannot leave for a meeting: what they speak at (through the speaker's
    linked account) and workshops or site visits where they hold a seat (a confirmed sign-up
    or a seat offered to them). A site visit counts from the bus's departure to its return.

    Reads the draft programme: a talk an organiser moved is where it will be. Stars are an
    interest, not a commitment: they only raise overlap warnings in the person's agenda.
    """
    wanted = None if user_ids is None else list(set(user_ids))
    if wanted == []:
        return []
    columns = (Talk.id, Talk.title, Talk.starts_at, Talk.ends_at, SiteVisitDetails.departs_at,
               SiteVisitDetails.returns_at)
    spoken = (sa.select(Speaker.user_id, *columns)
              .join(TalkSpeaker, TalkSpeaker.speaker_id == Speaker.id)
              .join(Talk, Talk.id == TalkSpeaker.talk_id)
              .outerjoin(SiteVisitDetails, SiteVisitDetails.talk_id == Talk.id)
              .where(Talk.event_id == event.id, Speaker.user_id.is_not(None)))
    seated = (sa.select(SignUp.user_id, *columns).join(Talk, Talk.id == SignUp.talk_id)
              .outerjoin(SiteVisitDetails, SiteVisitDetails.talk_id == Talk.id)
              .where(SignUp.event_id == event.id,
                     SignUp.status.in_([SignUpStatus.CONFIRMED, SignUpStatus.OFFERED])))
    if wanted is not None:
        spoken = spoken.where(Speaker.user_id.in_(wanted))
        seated = seated.where(SignUp.user_id.in_(wanted))
    out = []
    for why, query in (("speaks", spoken), ("signed_up", seated)):
        for user_id, talk_id, title, starts, ends, departs, returns in db.session.execute(query):
            start, end = (departs, returns) if departs is not None else (starts, ends)
            out.append(Commitment(user_id, talk_id, title, start, end, why))
    return out


def feed_token(user: User, event: Event, *, rotate: bool = False) -> str:
    """The private iCal feed token of this person's agenda (made on first use)."""
    feed = db.session.scalar(sa.select(AgendaFeed).where(AgendaFeed.event_id == event.id,
                                                         AgendaFeed.user_id == user.id))
    if feed is None:
        feed = AgendaFeed(event_id=event.id, user_id=user.id, token=secrets.token_urlsafe(32))
        db.session.add(feed)
        db.session.commit()
    elif rotate:
        feed.token = secrets.token_urlsafe(32)
        db.session.commit()
    return feed.token


def user_for_feed(event: Event, token: str) -> User:
    feed = db.session.scalar(sa.select(AgendaFeed).where(AgendaFeed.event_id == event.id,
                                                         AgendaFeed.token == token))
    if feed is None or not secrets.compare_digest(feed.token, token):
        raise NotFound("This calendar link is unknown or was replaced.", code="feed_not_found")
    return feed.user


# ---------------------------------------------------------------- sign-ups


def active_registration(user: User, event: Event) -> Registration | None:
    return db.session.scalar(sa.select(Registration).where(
        Registration.event_id == event.id, Registration.user_id == user.id,
        Registration.status == RegistrationStatus.CONFIRMED).limit(1))


def signup(user: User, event: Event, talk_id: int) -> SignUp:
    """Take a seat, or a place on the waiting list of a full workshop or site visit.

    The seat counter is one conditional UPDATE (taken < capacity), so parallel
    sign-ups for the last seats never oversell.
    """
    expire_offers(event)
    obj = _published_talk(event, talk_id)
    if obj.capacity is None:
        raise Invalid(f"“{obj.title}” is open to all: no sign-up needed.",
                      code="signup_not_needed")
    registration = active_registration(user, event)
    if registration is None:
        raise Forbidden(f"Signing up needs a confirmed registration for {event.name}.",
                        code="registration_required")
    visit = obj.site_visit
    if visit is not None and visit.eligible_pass_type_ids and \
            registration.pass_type_id not in visit.eligible_pass_type_ids:
        raise Forbidden(f"Your pass does not include “{obj.title}”.", code="pass_not_eligible")
    if obj.starts_at <= utcnow():
        raise Invalid(f"“{obj.title}” has already started.", code="talk_started")
    existing = db.session.scalar(sa.select(SignUp).where(SignUp.talk_id == obj.id,
                                                         SignUp.user_id == user.id,
                                                         SignUp.status.in_(ACTIVE_SIGNUP)))
    if existing is not None:
        return existing
    seated = db.session.execute(
        sa.update(Talk).where(Talk.id == obj.id, Talk.capacity.is_not(None),
                              Talk.taken < Talk.capacity)
        .values(taken=Talk.taken + 1).execution_options(synchronize_session=False)).rowcount
    if not seated and obj.kind not in WAITLIST_KINDS:
        db.session.rollback()
        raise Conflict(f"“{obj.title}” is full.", code="talk_full")
    row = SignUp(event_id=event.id, talk_id=obj.id, user_id=user.id,
                 registration_id=registration.id,
                 status=SignUpStatus.CONFIRMED if seated else SignUpStatus.WAITING)
    db.session.add(row)
    try:
        db.session.commit()
    except sa.exc.IntegrityError:
        # The same person signed up twice at once: the other request holds the seat.
        db.session.rollback()
        raise Conflict("You are already signed up.", code="already_signed_up") from None
    db.session.refresh(obj)
    return row


def cancel_signup(user: User, event: Event, talk_id: int) -> None:
    obj = talk(event, talk_id)
    row = db.session.scalar(sa.select(SignUp).where(SignUp.talk_id == obj.id,
                                                    SignUp.user_id == user.id,
                                                    SignUp.status.in_(ACTIVE_SIGNUP)))
    if row is None:
        raise NotFound("You are not signed up for this.", code="signup_not_found")
    held_seat = row.status in (SignUpStatus.CONFIRMED, SignUpStatus.OFFERED)
    changed = db.session.execute(
        sa.update(SignUp).where(SignUp.id == row.id, SignUp.status == row.status)
        .values(status=SignUpStatus.CANCELLED, updated_at=utcnow())
        .execution_options(synchronize_session=False)).rowcount
    if changed and held_seat:
        _free_seat(event, obj)
    db.session.commit()


def _free_seat(event: Event, obj: Talk) -> None:
    """A seat came free: offer it to the next person waiting, or give it back to the pool."""
    query = (sa.select(SignUp.id, SignUp.user_id).where(
        SignUp.talk_id == obj.id, SignUp.status == SignUpStatus.WAITING)
        .order_by(SignUp.created_at, SignUp.id).limit(5))
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    expires = min(utcnow() + timedelta(hours=OFFER_HOURS), obj.starts_at)
    for signup_id, user_id in db.session.execute(query).all():
        offered = db.session.execute(
            sa.update(SignUp).where(SignUp.id == signup_id,
                                    SignUp.status == SignUpStatus.WAITING)
            .values(status=SignUpStatus.OFFERED, offer_expires_at=expires,
                    updated_at=utcnow())
            .execution_options(synchronize_session=False)).rowcount
        if offered:
            person = db.session.get(User, user_id)
            mail.send_template(person.email, f"A seat is free: {obj.title}",
                               "sessions_seat_offered", event=event, talk=obj,
                               name=person.full_name,
                               expires=expires, zone=event.time_zone,
                               url=_url("sessions.talk_page", slug=event.slug, talk_id=obj.id))
            return
    db.session.execute(sa.update(Talk).where(Talk.id == obj.id, Talk.taken > 0)
                       .values(taken=Talk.taken - 1)
                       .execution_options(synchronize_session=False))


def accept_offer(user: User, event: Event, talk_id: int) -> SignUp:
    obj = talk(event, talk_id)
    expire_offers(event)
    row = db.session.scalar(sa.select(SignUp).where(SignUp.talk_id == obj.id,
                                                    SignUp.user_id == user.id,
                                                    SignUp.status == SignUpStatus.OFFERED))
    if row is None:
        raise NotFound("There is no seat offer for you here (it may have expired).",
                       code="offer_not_found")
    row.status, row.offer_expires_at = SignUpStatus.CONFIRMED, None
    db.session.commit()
    return row


def decline_offer(user: User, event: Event, talk_id: int) -> None:
    obj = talk(event, talk_id)
    row = db.session.scalar(sa.select(SignUp).where(SignUp.talk_id == obj.id,
                                                    SignUp.user_id == user.id,
                                                    SignUp.status == SignUpStatus.OFFERED))
    if row is None:
        raise NotFound("There is no seat offer for you here.", code="offer_not_found")
    row.status = SignUpStatus.DECLINED
    db.session.flush()
    _free_seat(event, obj)
    db.session.commit()


def expire_offers(event: Event) -> int:
    """Offers nobody answered in time pass to the next person waiting."""
    expired = list(db.session.scalars(sa.select(SignUp).where(
        SignUp.event_id == event.id, SignUp.status == SignUpStatus.OFFERED,
        SignUp.offer_expires_at < utcnow())))
    for row in expired:
        changed = db.session.execute(
            sa.update(SignUp).where(SignUp.id == row.id, SignUp.status == SignUpStatus.OFFERED)
            .values(status=SignUpStatus.DECLINED)
            .execution_options(synchronize_session=False)).rowcount
        if changed:
            _free_seat(event, row.talk)
    if expired:
        db.session.commit()
    return len(expired)


def signup_list(event: Event, talk_id: int) -> list[SignUp]:
    obj = talk(event, talk_id)
    return list(db.session.scalars(
        sa.select(SignUp).where(SignUp.talk_id == obj.id, SignUp.status.in_(ACTIVE_SIGNUP))
        .options(selectinload(SignUp.user)).order_by(SignUp.created_at, SignUp.id)))


def local(moment: datetime, event: Event) -> datetime:
    return to_local(moment, event.time_zone)
