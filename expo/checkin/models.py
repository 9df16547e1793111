"""Check-in tables: zones, gates, staff and devices at gates, presence, and the scan log."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.models import ApiToken, Event, User, _in
from ..extensions import UTCDateTime, db
from ..registration.models import Registration
from ..timeutil import utcnow
from .rules import RESULTS


class Direction(StrEnum):
    IN = "in"
    OUT = "out"


# The answers a scan can give are decided (and named) in the pure rules module.
ScanResult = StrEnum("ScanResult", [(result.upper(), result) for result in RESULTS])


class Zone(db.Model):
    """An area a pass opens (Main hall, VIP lounge, Plenary hall, Site visit bus 1).

    Pass types name the zones they open in PassType.zones (zone codes); that list
    is the single truth of who may enter where.
    """

    __tablename__ = "checkin_zones"
    __table_args__ = (sa.UniqueConstraint("event_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"),
                                          index=True)
    code: Mapped[str] = mapped_column(sa.String(32))
    name: Mapped[str] = mapped_column(sa.String(120))
    capacity: Mapped[int | None]  # shown on the dashboard next to "inside now"
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    event: Mapped[Event] = relationship()


class Gate(db.Model):
    """A check-in list: the door of one zone, with opening hours and re-entry rules."""

    __tablename__ = "checkin_gates"
    __table_args__ = (sa.UniqueConstraint("event_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"),
                                          index=True)
    zone_id: Mapped[int] = mapped_column(sa.ForeignKey("checkin_zones.id"), index=True)
    code: Mapped[str] = mapped_column(sa.String(32))
    name: Mapped[str] = mapped_column(sa.String(120))
    # None: a zone gate (pass types decide). Other features plug in kinds of their own,
    # e.g. "talk" (sessions: only people signed up), with kind_ref naming the talk.
    kind: Mapped[str | None] = mapped_column(sa.String(32))
    kind_ref: Mapped[str | None] = mapped_column(sa.String(64))
    # [{"day": "2025-09-17", "opens": "08:30", "closes": "18:00"}, ...] in the event's
    # zone; empty means always open.
    hours: Mapped[list] = mapped_column(sa.JSON, default=list)
    allow_reentry: Mapped[bool] = mapped_column(default=False)
    scan_exits: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    event: Mapped[Event] = relationship()
    zone: Mapped[Zone] = relationship()
    staff: Mapped[list[GateStaff]] = relationship(back_populates="gate",
                                                  cascade="all, delete-orphan")


class GateStaff(db.Model):
    """A staff user assigned to a gate; assigned staff scan only at their gates."""

    __tablename__ = "checkin_gate_staff"
    __table_args__ = (sa.UniqueConstraint("gate_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"),
                                          index=True)
    gate_id: Mapped[int] = mapped_column(sa.ForeignKey("checkin_gates.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"),
                                         index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    gate: Mapped[Gate] = relationship(back_populates="staff")
    user: Mapped[User] = relationship()


class Device(db.Model):
    """A dedicated scanner: a device API token, optionally locked to one gate."""

    __tablename__ = "checkin_devices"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"),
                                          index=True)
    token_id: Mapped[int] = mapped_column(sa.ForeignKey("api_tokens.id", ondelete="CASCADE"),
                                          unique=True)
    gate_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("checkin_gates.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(sa.String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    token: Mapped[ApiToken] = relationship()
    gate: Mapped[Gate | None] = relationship()


class Presence(db.Model):
    """One registration at one gate: the row whose insertion IS the first entry.

    The unique (gate_id, registration_id) makes "at most one entry per gate" a
    database fact; re-entry and exits are conditional UPDATEs of this row.
    """

    __tablename__ = "checkin_presence"
    __table_args__ = (sa.UniqueConstraint("gate_id", "registration_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"),
                                          index=True)
    gate_id: Mapped[int] = mapped_column(sa.ForeignKey("checkin_gates.id", ondelete="CASCADE"))
    zone_id: Mapped[int] = mapped_column(sa.ForeignKey("checkin_zones.id"), index=True)
    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registrations.id", ondelete="CASCADE"), index=True)
    first_in_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_in_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    inside: Mapped[bool] = mapped_column(default=True)
    entries: Mapped[int] = mapped_column(default=1)


class Scan(db.Model):
    """Every scan, accepted or rejected: who scanned what, where, when, and the answer."""

    __tablename__ = "checkin_scans"
    __table_args__ = (
        # A client's nonce is recorded once: a retried or re-synced scan adds nothing.
        sa.UniqueConstraint("event_id", "nonce"),
        sa.CheckConstraint(_in("result", ScanResult), name="result_known"),
        sa.CheckConstraint(_in("direction", Direction), name="direction_known"),
        sa.Index("ix_checkin_scans_event_scanned", "event_id", "scanned_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"))
    gate_id: Mapped[int] = mapped_column(sa.ForeignKey("checkin_gates.id", ondelete="CASCADE"),
                                         index=True)
    registration_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("registrations.id", ondelete="SET NULL"), index=True)
    badge_serial: Mapped[int | None]
    direction: Mapped[str] = mapped_column(sa.String(3), default=Direction.IN)
    result: Mapped[str] = mapped_column(sa.String(24))
    message: Mapped[str] = mapped_column(sa.String(300))
    method: Mapped[str] = mapped_column(sa.String(8), default="qr")  # qr | manual
    nonce: Mapped[str | None] = mapped_column(sa.String(64))
    scanned_at: Mapped[datetime] = mapped_column(UTCDateTime)  # when the badge was shown
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    token_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("api_tokens.id", ondelete="SET NULL"))
    offline: Mapped[bool] = mapped_column(default=False)
    # What an offline scanner showed at the door, and why the server disagrees.
    offline_result: Mapped[str | None] = mapped_column(sa.String(24))
    conflict: Mapped[str | None] = mapped_column(sa.String(300))
    first_checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    gate: Mapped[Gate] = relationship()
    registration: Mapped[Registration | None] = relationship()
    user: Mapped[User | None] = relationship()
    token: Mapped[ApiToken | None] = relationship()
