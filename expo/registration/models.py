"""Registration tables: pass types and registrations (one per person per event)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.models import Event, User, _in
from ..extensions import UTCDateTime, db
from ..timeutil import utcnow


class Visibility(StrEnum):
    PUBLIC = "public"
    HIDDEN = "hidden"  # sold only through a direct link or by organisers
    INVITE = "invite"  # needs the pass type's invite code in the link


class RegistrationStatus(StrEnum):
    AWAITING_PAYMENT = "awaiting_payment"  # holds a place until hold_expires_at
    AWAITING_APPROVAL = "awaiting_approval"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"
    REJECTED = "rejected"
    EXPIRED = "expired"  # an unpaid hold ran out


# Statuses that hold a place in the pass type's capacity.
HOLDING = (RegistrationStatus.AWAITING_PAYMENT, RegistrationStatus.AWAITING_APPROVAL,
           RegistrationStatus.CONFIRMED)


class PaymentStatus(StrEnum):
    NONE = "none"  # free pass
    PENDING = "pending"
    PAID = "paid"
    REFUNDED = "refunded"


class PassType(db.Model):
    """What a registration buys: price, capacity, sales window, zones it opens."""

    __tablename__ = "pass_types"
    __table_args__ = (
        sa.UniqueConstraint("event_id", "code"),
        sa.CheckConstraint("price_minor >= 0", name="price_not_negative"),
        sa.CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity_not_negative"),
        # The database itself refuses to sell past capacity.
        sa.CheckConstraint("capacity IS NULL OR taken <= capacity", name="taken_within_capacity"),
        sa.CheckConstraint("taken >= 0", name="taken_not_negative"),
        sa.CheckConstraint(_in("visibility", Visibility), name="visibility_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"),
                                          index=True)
    code: Mapped[str] = mapped_column(sa.String(32))
    name: Mapped[str] = mapped_column(sa.String(120))
    description: Mapped[str | None] = mapped_column(sa.Text)
    price_minor: Mapped[int] = mapped_column(default=0)
    currency: Mapped[str] = mapped_column(sa.String(3), default="MYR")
    capacity: Mapped[int | None]  # None: unlimited
    taken: Mapped[int] = mapped_column(default=0)
    sales_start: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sales_end: Mapped[datetime | None] = mapped_column(UTCDateTime)
    visibility: Mapped[str] = mapped_column(sa.String(16), default=Visibility.PUBLIC)
    invite_code: Mapped[str | None] = mapped_column(sa.String(64))
    requires_approval: Mapped[bool] = mapped_column(default=False)
    badge_colour: Mapped[str] = mapped_column(sa.String(7), default="#0B5D7A")
    zones: Mapped[list] = mapped_column(sa.JSON, default=list)  # zone codes this pass opens
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    event: Mapped[Event] = relationship()

    @property
    def is_free(self) -> bool:
        return self.price_minor == 0

    @property
    def places_left(self) -> int | None:
        return None if self.capacity is None else max(self.capacity - self.taken, 0)


class Registration(db.Model):
    """One person's place at one event; the badge belongs to it."""

    __tablename__ = "registrations"
    __table_args__ = (
        # One active registration per e-mail per event.
        sa.Index("uq_registrations_active_email", "event_id", "email", unique=True,
                 sqlite_where=sa.text("status IN ('awaiting_payment', 'awaiting_approval', "
                                      "'confirmed')"),
                 postgresql_where=sa.text("status IN ('awaiting_payment', "
                                          "'awaiting_approval', 'confirmed')")),
        sa.CheckConstraint(_in("status", RegistrationStatus), name="status_known"),
        sa.CheckConstraint(_in("payment_status", PaymentStatus), name="payment_status_known"),
        sa.CheckConstraint("badge_serial >= 1", name="serial_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"),
                                          index=True)
    pass_type_id: Mapped[int] = mapped_column(sa.ForeignKey("pass_types.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"),
                                                index=True)
    email: Mapped[str] = mapped_column(sa.String(254))
    full_name: Mapped[str] = mapped_column(sa.String(200))
    organisation: Mapped[str | None] = mapped_column(sa.String(200))
    job_title: Mapped[str | None] = mapped_column(sa.String(200))
    country: Mapped[str | None] = mapped_column(sa.String(100))
    phone: Mapped[str | None] = mapped_column(sa.String(40))
    status: Mapped[str] = mapped_column(sa.String(20), default=RegistrationStatus.CONFIRMED,
                                        index=True)
    payment_status: Mapped[str] = mapped_column(sa.String(16), default=PaymentStatus.NONE)
    price_minor: Mapped[int] = mapped_column(default=0)  # what this person pays after vouchers
    currency: Mapped[str] = mapped_column(sa.String(3), default="MYR")
    hold_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    badge_serial: Mapped[int] = mapped_column(default=1)  # bumped on reissue: old QR revoked
    reference: Mapped[str] = mapped_column(sa.String(16), unique=True)  # shown to people
    answers: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    # PDPA 2010: exhibitors who scan this badge get contact details only with consent.
    share_contact_with_exhibitors: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow,
                                                 index=True)

    event: Mapped[Event] = relationship()
    pass_type: Mapped[PassType] = relationship()
    user: Mapped[User | None] = relationship()

    @property
    def is_active(self) -> bool:
        return self.status in HOLDING
