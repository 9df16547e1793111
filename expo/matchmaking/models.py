"""Matchmaking tables: policy taxonomy, projects, investor theses, meeting requests and slots."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.models import Event, User, _in
from ..extensions import UTCDateTime, db
from ..timeutil import utcnow


class ProjectStatus(StrEnum):
    PENDING = "pending"  # waiting for an organiser
    APPROVED = "approved"  # public
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class RequestStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"  # a meeting
    DECLINED = "declined"
    CANCELLED = "cancelled"


class Attendance(StrEnum):
    HELD = "held"
    NO_SHOW = "no_show"


class FollowUp(StrEnum):
    INTERESTED = "interested"
    DUE_DILIGENCE = "due_diligence"
    TERM_SHEET = "term_sheet"
    CLOSED = "closed"
    PASSED = "passed"


FOLLOW_UP_LABELS = {
    FollowUp.INTERESTED: "Interested",
    FollowUp.DUE_DILIGENCE: "Due diligence",
    FollowUp.TERM_SHEET: "Term sheet",
    FollowUp.CLOSED: "Closed",
    FollowUp.PASSED: "Passed",
}


class RunStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Framework(db.Model):
    __tablename__ = "mm_frameworks"
    __table_args__ = (sa.UniqueConstraint("event_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"),
                                          index=True)
    code: Mapped[str] = mapped_column(sa.String(32))
    name: Mapped[str] = mapped_column(sa.String(200))
    source: Mapped[str | None] = mapped_column(sa.String(300))
    position: Mapped[int] = mapped_column(default=0)

    policies: Mapped[list[Policy]] = relationship(back_populates="framework",
                                                  order_by="Policy.position",
                                                  cascade="all, delete-orphan")


class Policy(db.Model):
    """One part of a framework: a pillar, focus area or component."""

    __tablename__ = "mm_policies"
    __table_args__ = (sa.UniqueConstraint("framework_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"),
                                          index=True)
    framework_id: Mapped[int] = mapped_column(sa.ForeignKey("mm_frameworks.id",
                                                            ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    position: Mapped[int] = mapped_column(default=0)

    framework: Mapped[Framework] = relationship(back_populates="policies")

    @property
    def label(self) -> str:
        return f"{self.name} ({self.framework.code})"


class PolicyLink(db.Model):
    """A cross-walk link: the same concern seen through two frameworks (stored low id first)."""

    __tablename__ = "mm_policy_links"
    __table_args__ = (
        sa.UniqueConstraint("policy_a_id", "policy_b_id"),
        sa.CheckConstraint("policy_a_id < policy_b_id", name="ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"),
                                          index=True)
    policy_a_id: Mapped[int] = mapped_column(sa.ForeignKey("mm_policies.id", ondelete="CASCADE"))
    policy_b_id: Mapped[int] = mapped_column(sa.ForeignKey("mm_policies.id", ondelete="CASCADE"))

    policy_a: Mapped[Policy] = relationship(foreign_keys=[policy_a_id])
    policy_b: Mapped[Policy] = relationship(foreign_keys=[policy_b_id])


project_policies = sa.Table(
    "mm_project_policies", db.metadata,
    sa.Column("project_id", sa.ForeignKey("mm_projects.id", ondelete="CASCADE"),
              primary_key=True),
    sa.Column("policy_id", sa.ForeignKey("mm_policies.id", ondelete="CASCADE"), primary_key=True),
)

thesis_policies = sa.Table(
    "mm_thesis_policies", db.metadata,
    sa.Column("thesis_id", sa.ForeignKey("mm_theses.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("policy_id", sa.ForeignKey("mm_policies.id", ondelete="CASCADE"), primary_key=True),
)


class Project(db.Model):
    """A city, state agency or startup project looking for funding."""

    __tablename__ = "mm_projects"
    __table_args__ = (
        sa.CheckConstraint(_in("status", ProjectStatus), name="status_known"),
        sa.CheckConstraint("funding_min >= 0 AND funding_min <= funding_max",
                           name="funding_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"),
                                          index=True)
    owner_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"),
                                          index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    summary: Mapped[str] = mapped_column(sa.Text)
    organisation: Mapped[str | None] = mapped_column(sa.String(200))
    city: Mapped[str] = mapped_column(sa.String(100))
    state: Mapped[str | None] = mapped_column(sa.String(100))
    country: Mapped[str] = mapped_column(sa.String(100))
    sectors: Mapped[list] = mapped_column(sa.JSON, default=list)
    stage: Mapped[str] = mapped_column(sa.String(16))
    funding_min: Mapped[int] = mapped_column(sa.BigInteger)  # minor units
    funding_max: Mapped[int] = mapped_column(sa.BigInteger)
    currency: Mapped[str] = mapped_column(sa.String(3), default="MYR")
    instruments: Mapped[list] = mapped_column(sa.JSON, default=list)
    links: Mapped[list] = mapped_column(sa.JSON, default=list)
    status: Mapped[str] = mapped_column(sa.String(16), default=ProjectStatus.PENDING)
    moderation_note: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    owner: Mapped[User] = relationship()
    event: Mapped[Event] = relationship()
    policies: Mapped[list[Policy]] = relationship(secondary=project_policies,
                                                  order_by="Policy.id")

    @property
    def is_public(self) -> bool:
        return self.status == ProjectStatus.APPROVED


class InvestorThesis(db.Model):
    """What an investor backs: policies, sectors, stages, ticket size, instruments, places."""

    __tablename__ = "mm_theses"
    __table_args__ = (
        sa.UniqueConstraint("event_id", "user_id"),
        sa.CheckConstraint("ticket_min >= 0 AND ticket_min <= ticket_max", name="ticket_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"),
                                          index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"),
                                         index=True)
    organisation: Mapped[str] = mapped_column(sa.String(200))
    investor_type: Mapped[str] = mapped_column(sa.String(40), default="fund")
    sectors: Mapped[list] = mapped_column(sa.JSON, default=list)
    stages: Mapped[list] = mapped_column(sa.JSON, default=list)
    ticket_min: Mapped[int] = mapped_column(sa.BigInteger)
    ticket_max: Mapped[int] = mapped_column(sa.BigInteger)
    currency: Mapped[str] = mapped_column(sa.String(3), default="MYR")
    instruments: Mapped[list] = mapped_column(sa.JSON, default=list)
    geographies: Mapped[list] = mapped_column(sa.JSON, default=list)
    thesis: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    user: Mapped[User] = relationship()
    policies: Mapped[list[Policy]] = relationship(secondary=thesis_policies,
                                                  order_by="Policy.id")


class NotInterested(db.Model):
    """A pair one side hid for good: never recommended again, either way."""

    __tablename__ = "mm_not_interested"
    __table_args__ = (sa.UniqueConstraint("thesis_id", "project_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"),
                                          index=True)
    thesis_id: Mapped[int] = mapped_column(sa.ForeignKey("mm_theses.id", ondelete="CASCADE"))
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("mm_projects.id", ondelete="CASCADE"))
    by_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id",
                                                                 ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class MatchmakingSettings(db.Model):
    __tablename__ = "mm_settings"

    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"),
                                          primary_key=True)
    pending_cap: Mapped[int] = mapped_column(default=10)
    link_strength: Mapped[float] = mapped_column(default=0.6)
    scheduler_seconds: Mapped[int] = mapped_column(default=30)


class MeetingSlot(db.Model):
    """A time in the business-matching lounge and how many tables it has."""

    __tablename__ = "mm_slots"
    __table_args__ = (
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        sa.CheckConstraint("tables >= 0", name="tables_not_negative"),
        sa.UniqueConstraint("event_id", "starts_at", "location"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"),
                                          index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    tables: Mapped[int]
    location: Mapped[str] = mapped_column(sa.String(120), default="Business-matching lounge")


class MeetingRequest(db.Model):
    """A request from one side to the other; once accepted it is a meeting.

    The investor side is the thesis' user, the project side the project's owner. A
    placed meeting holds (slot_id, table_no): unique, so one table holds one meeting.
    """

    __tablename__ = "mm_requests"
    __table_args__ = (
        sa.UniqueConstraint("thesis_id", "project_id"),
        sa.UniqueConstraint("slot_id", "table_no"),
        sa.CheckConstraint(_in("status", RequestStatus), name="status_known"),
        sa.CheckConstraint("requester_id <> recipient_id", name="not_to_oneself"),
        sa.CheckConstraint("(slot_id IS NULL) = (table_no IS NULL)", name="slot_and_table"),
        sa.CheckConstraint("attendance IS NULL OR " + _in("attendance", Attendance),
                           name="attendance_known"),
        sa.CheckConstraint("follow_up IS NULL OR " + _in("follow_up", FollowUp),
                           name="follow_up_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"),
                                          index=True)
    thesis_id: Mapped[int] = mapped_column(sa.ForeignKey("mm_theses.id", ondelete="CASCADE"),
                                           index=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("mm_projects.id", ondelete="CASCADE"),
                                            index=True)
    requester_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"),
                                              index=True)
    recipient_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"),
                                              index=True)
    message: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[str] = mapped_column(sa.String(16), default=RequestStatus.PENDING)
    score: Mapped[float] = mapped_column(default=0.0)
    priority: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    slot_id: Mapped[int | None] = mapped_column(sa.ForeignKey("mm_slots.id",
                                                              ondelete="SET NULL"), index=True)
    table_no: Mapped[int | None]
    locked: Mapped[bool] = mapped_column(default=False)
    placed_by: Mapped[str | None] = mapped_column(sa.String(16))  # scheduler | people | organiser
    attendance: Mapped[str | None] = mapped_column(sa.String(16))
    held_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    follow_up: Mapped[str | None] = mapped_column(sa.String(16))
    follow_up_note: Mapped[str | None] = mapped_column(sa.Text)

    thesis: Mapped[InvestorThesis] = relationship()
    project: Mapped[Project] = relationship()
    requester: Mapped[User] = relationship(foreign_keys=[requester_id])
    recipient: Mapped[User] = relationship(foreign_keys=[recipient_id])
    slot: Mapped[MeetingSlot | None] = relationship()

    @property
    def investor(self) -> User:
        return self.thesis.user

    @property
    def owner(self) -> User:
        return self.project.owner

    def other(self, user) -> User:
        return self.owner if user.id == self.thesis.user_id else self.investor


class MeetingSeat(db.Model):
    """A person's place in a slot: at most one meeting per person per slot (database-guarded)."""

    __tablename__ = "mm_seats"
    __table_args__ = (sa.UniqueConstraint("slot_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"),
                                          index=True)
    slot_id: Mapped[int] = mapped_column(sa.ForeignKey("mm_slots.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    request_id: Mapped[int] = mapped_column(sa.ForeignKey("mm_requests.id", ondelete="CASCADE"),
                                            index=True)


class SchedulerRun(db.Model):
    __tablename__ = "mm_runs"
    __table_args__ = (sa.CheckConstraint(_in("status", RunStatus), name="status_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"),
                                          index=True)
    started_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id",
                                                                    ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(sa.String(16), default=RunStatus.QUEUED)
    phase: Mapped[str] = mapped_column(sa.String(200), default="Waiting for a worker")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    time_limit: Mapped[int] = mapped_column(default=30)
    meetings: Mapped[int] = mapped_column(default=0)
    placed: Mapped[int] = mapped_column(default=0)
    locked: Mapped[int] = mapped_column(default=0)
    placed_weight: Mapped[float] = mapped_column(default=0.0)
    upper_bound: Mapped[float] = mapped_column(default=0.0)
    gap: Mapped[float] = mapped_column(default=0.0)
    method: Mapped[str | None] = mapped_column(sa.String(16))
    solver_status: Mapped[str | None] = mapped_column(sa.String(16))
    seconds: Mapped[float] = mapped_column(default=0.0)
    unplaced: Mapped[list] = mapped_column(sa.JSON, default=list)  # [{request_id, code, reason}]
    error: Mapped[str | None] = mapped_column(sa.Text)


class ReminderSent(db.Model):
    """One reminder per person per meeting: the unique row is written before the mail goes."""

    __tablename__ = "mm_reminders"
    __table_args__ = (sa.UniqueConstraint("request_id", "user_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"),
                                          index=True)
    request_id: Mapped[int] = mapped_column(sa.ForeignKey("mm_requests.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(16), default="day_before")
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
