"""Sessions tables: venues, rooms, tracks, talks, speakers, sign-ups, stars and versions."""

from __future__ import annotations

import uuid
from datetime import datetime, time
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.models import Event, User, _in
from ..extensions import UTCDateTime, db
from ..timeutil import utcnow


class TalkKind(StrEnum):
    KEYNOTE = "keynote"
    PANEL = "panel"
    EXPERT_TALK = "expert_talk"
    WORKSHOP = "workshop"
    NETWORKING = "networking"
    SITE_VISIT = "site_visit"


KIND_LABELS = {
    TalkKind.KEYNOTE: "Keynote",
    TalkKind.PANEL: "Panel",
    TalkKind.EXPERT_TALK: "Expert talk",
    TalkKind.WORKSHOP: "Workshop",
    TalkKind.NETWORKING: "Networking",
    TalkKind.SITE_VISIT: "Site visit",
}

# Kinds whose full seats put later sign-ups on a waiting list instead of refusing them.
WAITLIST_KINDS = (TalkKind.WORKSHOP, TalkKind.SITE_VISIT)


class SpeakerRole(StrEnum):
    MODERATOR = "moderator"
    PANELLIST = "panellist"
    SPEAKER = "speaker"


class SignUpStatus(StrEnum):
    CONFIRMED = "confirmed"  # holds a seat
    OFFERED = "offered"  # a freed seat is held for this person until offer_expires_at
    WAITING = "waiting"
    CANCELLED = "cancelled"
    DECLINED = "declined"  # an offer refused or expired


ACTIVE_SIGNUP = (SignUpStatus.CONFIRMED, SignUpStatus.OFFERED, SignUpStatus.WAITING)
_ACTIVE_SQL = "status IN ('confirmed', 'offered', 'waiting')"


class Venue(db.Model):
    __tablename__ = "venues"
    __table_args__ = (sa.UniqueConstraint("event_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"),
                                          index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    address: Mapped[str | None] = mapped_column(sa.String(300))


class Room(db.Model):
    __tablename__ = "rooms"
    __table_args__ = (
        sa.UniqueConstraint("event_id", "name"),
        sa.CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"),
                                          index=True)
    venue_id: Mapped[int | None] = mapped_column(sa.ForeignKey("venues.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(sa.String(120))
    capacity: Mapped[int | None]
    floor: Mapped[str | None] = mapped_column(sa.String(40))
    accessibility: Mapped[str | None] = mapped_column(sa.String(300))
    opens_at: Mapped[time | None]  # local time of day in the event's zone
    closes_at: Mapped[time | None]
    position: Mapped[int] = mapped_column(default=0)

    venue: Mapped[Venue | None] = relationship()


class Track(db.Model):
    __tablename__ = "tracks"
    __table_args__ = (sa.UniqueConstraint("event_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"),
                                          index=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    colour: Mapped[str] = mapped_column(sa.String(7), default="#0B5D7A")
    pillar: Mapped[str | None] = mapped_column(sa.String(120))  # one of the event's themes
    position: Mapped[int] = mapped_column(default=0)


class Speaker(db.Model):
    __tablename__ = "speakers"
    __table_args__ = (sa.UniqueConstraint("event_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"),
                                          index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    full_name: Mapped[str] = mapped_column(sa.String(200))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    photo_url: Mapped[str | None] = mapped_column(sa.String(500))
    organisation: Mapped[str | None] = mapped_column(sa.String(200))
    job_title: Mapped[str | None] = mapped_column(sa.String(200))
    country: Mapped[str | None] = mapped_column(sa.String(100))
    bio: Mapped[str | None] = mapped_column(sa.Text)

    user: Mapped[User | None] = relationship()
    availability: Mapped[list[SpeakerAvailability]] = relationship(
        back_populates="speaker", cascade="all, delete-orphan",
        order_by="SpeakerAvailability.starts_at")

    @property
    def initials(self) -> str:
        parts = [p for p in self.full_name.replace(".", " ").split() if p[0].isupper()]
        return "".join(p[0] for p in parts[-2:]) or self.full_name[:1]


class SpeakerAvailability(db.Model):
    """A window when a speaker can be scheduled; a speaker without windows is always free."""

    __tablename__ = "speaker_availability"
    __table_args__ = (sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"),
                                          index=True)
    speaker_id: Mapped[int] = mapped_column(sa.ForeignKey("speakers.id", ondelete="CASCADE"),
                                            index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)

    speaker: Mapped[Speaker] = relationship(back_populates="availability")


class Talk(db.Model):
    """A keynote, panel, expert talk, workshop, networking slot or site visit."""

    __tablename__ = "talks"
    __table_args__ = (
        sa.CheckConstraint(_in("kind", TalkKind), name="kind_known"),
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        sa.CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity_not_negative"),
        # The database itself refuses to seat more people than there are seats.
        sa.CheckConstraint("capacity IS NULL OR taken <= capacity", name="taken_within_capacity"),
        sa.CheckConstraint("taken >= 0", name="taken_not_negative"),
        sa.Index("ix_talks_event_start", "event_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"),
                                          index=True)
    guid: Mapped[str] = mapped_column(sa.String(36), unique=True,
                                      default=lambda: str(uuid.uuid4()))
    title: Mapped[str] = mapped_column(sa.String(300))
    abstract: Mapped[str | None] = mapped_column(sa.Text)
    kind: Mapped[str] = mapped_column(sa.String(16), default=TalkKind.EXPERT_TALK)
    language: Mapped[str] = mapped_column(sa.String(8), default="en")
    track_id: Mapped[int | None] = mapped_column(sa.ForeignKey("tracks.id", ondelete="SET NULL"),
                                                 index=True)
    room_id: Mapped[int | None] = mapped_column(sa.ForeignKey("rooms.id", ondelete="SET NULL"),
                                                index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Seats for sign-up; None: open to all, no sign-up needed.
    capacity: Mapped[int | None]
    taken: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship()
    track: Mapped[Track | None] = relationship()
    room: Mapped[Room | None] = relationship()
    people: Mapped[list[TalkSpeaker]] = relationship(
        back_populates="talk", cascade="all, delete-orphan", order_by="TalkSpeaker.position")
    site_visit: Mapped[SiteVisitDetails | None] = relationship(
        back_populates="talk", cascade="all, delete-orphan", uselist=False)

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    @property
    def needs_signup(self) -> bool:
        return self.capacity is not None

    @property
    def seats_left(self) -> int | None:
        return None if self.capacity is None else max(self.capacity - self.taken, 0)

    @property
    def duration_minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


class TalkSpeaker(db.Model):
    __tablename__ = "talk_speakers"
    __table_args__ = (
        sa.UniqueConstraint("talk_id", "speaker_id"),
        sa.CheckConstraint(_in("role", SpeakerRole), name="role_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"),
                                          index=True)
    talk_id: Mapped[int] = mapped_column(sa.ForeignKey("talks.id", ondelete="CASCADE"),
                                         index=True)
    speaker_id: Mapped[int] = mapped_column(sa.ForeignKey("speakers.id", ondelete="CASCADE"),
                                            index=True)
    role: Mapped[str] = mapped_column(sa.String(16), default=SpeakerRole.SPEAKER)
    position: Mapped[int] = mapped_column(default=0)

    talk: Mapped[Talk] = relationship(back_populates="people")
    speaker: Mapped[Speaker] = relationship()


class SiteVisitDetails(db.Model):
    """Logistics of a site visit; the talk's capacity is buses x seats per bus.

    A check-in gate (issue: check-in) will point at the talk to board people.
    """

    __tablename__ = "site_visit_details"
    __table_args__ = (
        sa.CheckConstraint("buses >= 0 AND seats_per_bus >= 0", name="transport_not_negative"),
    )

    talk_id: Mapped[int] = mapped_column(sa.ForeignKey("talks.id", ondelete="CASCADE"),
                                         primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"),
                                          index=True)
    destination: Mapped[str | None] = mapped_column(sa.String(200))
    meeting_point: Mapped[str] = mapped_column(sa.String(200))
    departs_at: Mapped[datetime] = mapped_column(UTCDateTime)
    returns_at: Mapped[datetime] = mapped_column(UTCDateTime)
    buses: Mapped[int] = mapped_column(default=1)
    seats_per_bus: Mapped[int] = mapped_column(default=40)
    eligible_pass_type_ids: Mapped[list] = mapped_column(sa.JSON, default=list)  # [] = all
    notes: Mapped[str | None] = mapped_column(sa.Text)

    talk: Mapped[Talk] = relationship(back_populates="site_visit")


class SignUp(db.Model):
    """A delegate's seat (or place on the waiting list) in a seat-limited talk."""

    __tablename__ = "signups"
    __table_args__ = (
        # At most one live sign-up per person per talk.
        sa.Index("uq_signups_active_user", "talk_id", "user_id", unique=True,
                 sqlite_where=sa.text(_ACTIVE_SQL), postgresql_where=sa.text(_ACTIVE_SQL)),
        sa.CheckConstraint(_in("status", SignUpStatus), name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"),
                                          index=True)
    talk_id: Mapped[int] = mapped_column(sa.ForeignKey("talks.id", ondelete="CASCADE"),
                                         index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"),
                                         index=True)
    registration_id: Mapped[int] = mapped_column(sa.ForeignKey("registrations.id",
                                                               ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(sa.String(16), default=SignUpStatus.CONFIRMED)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    offer_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    talk: Mapped[Talk] = relationship()
    user: Mapped[User] = relationship()


class Star(db.Model):
    """A talk a person put in their agenda."""

    __tablename__ = "stars"
    __table_args__ = (sa.UniqueConstraint("talk_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"),
                                          index=True)
    talk_id: Mapped[int] = mapped_column(sa.ForeignKey("talks.id", ondelete="CASCADE"),
                                         index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"),
                                         index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AgendaFeed(db.Model):
    """The unguessable token of a person's private iCal feed; rotating it revokes the old URL."""

    __tablename__ = "agenda_feeds"
    __table_args__ = (sa.UniqueConstraint("event_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"),
                                          index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    token: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()


class ProgrammeVersion(db.Model):
    """A published snapshot of the programme; the public agenda shows the live tables."""

    __tablename__ = "programme_versions"
    __table_args__ = (sa.UniqueConstraint("event_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"),
                                          index=True)
    number: Mapped[int]
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id",
                                                                      ondelete="SET NULL"))
    note: Mapped[str | None] = mapped_column(sa.String(300))
    snapshot: Mapped[dict] = mapped_column(sa.JSON, default=dict)  # talk id -> plain values
    changes: Mapped[list] = mapped_column(sa.JSON, default=list)
    overridden_conflicts: Mapped[list] = mapped_column(sa.JSON, default=list)

    published_by: Mapped[User | None] = relationship()
