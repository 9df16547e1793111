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
    # Added by the registration feature: the order that paid for it, its delegation.
    order_id: Mapped[int | None] = mapped_column(sa.ForeignKey("reg_orders.id"), index=True)
    delegation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("delegations.id"),
                                                      index=True)
    delegation_role: Mapped[str | None] = mapped_column(sa.String(100))
    approval_note: Mapped[str | None] = mapped_column(sa.Text)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    event: Mapped[Event] = relationship()
    pass_type: Mapped[PassType] = relationship()
    user: Mapped[User | None] = relationship()
    order: Mapped[Order | None] = relationship(back_populates="registrations",
                                               foreign_keys=[order_id])
    delegation: Mapped[Delegation | None] = relationship(foreign_keys=[delegation_id])

    @property
    def is_active(self) -> bool:
        return self.status in HOLDING


# ---------------------------------------------------------------- added by the registration feature


class OrderStatus(StrEnum):
    OPEN = "open"  # awaiting payment (Stripe checkout or invoice)
    PAID = "paid"
    FREE = "free"  # nothing to pay
    REFUNDED = "refunded"
    CANCELLED = "cancelled"  # never paid: expired hold, cancelled before paying


class OrderKind(StrEnum):
    """What an order pays for: the payment service serves other features' sales too."""

    REGISTRATION = "registration"  # passes (its registrations point at it)
    BOOTH = "booth"  # an exhibitor's booth (exhibitors.BoothOrder.payment_order_id)


class PaymentMethod(StrEnum):
    NONE = "none"
    STRIPE = "stripe"
    INVOICE = "invoice"  # bank transfer, marked paid by an organiser


class RegistrationSettings(db.Model):
    """Per-event registration settings: tax, holds, edit cut-off, bank details."""

    __tablename__ = "registration_settings"
    __table_args__ = (
        sa.CheckConstraint("tax_rate_bp >= 0 AND tax_rate_bp <= 10000", name="tax_rate_range"),
        sa.CheckConstraint("hold_minutes >= 1", name="hold_positive"),
        sa.CheckConstraint("offer_hours >= 1", name="offer_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"),
                                          unique=True)
    tax_rate_bp: Mapped[int] = mapped_column(default=0)  # basis points: 800 = 8 %
    tax_label: Mapped[str] = mapped_column(sa.String(40), default="SST")
    tax_included: Mapped[bool] = mapped_column(default=True)  # prices include tax
    hold_minutes: Mapped[int] = mapped_column(default=30)
    invoice_days: Mapped[int] = mapped_column(default=14)  # bank transfer due within
    offer_hours: Mapped[int] = mapped_column(default=48)
    edit_cutoff: Mapped[datetime | None] = mapped_column(UTCDateTime)
    bank_details: Mapped[str | None] = mapped_column(sa.Text)
    seller_name: Mapped[str | None] = mapped_column(sa.String(200))
    seller_tax_id: Mapped[str | None] = mapped_column(sa.String(60))
    receipt_counter: Mapped[int] = mapped_column(default=0)


class Order(db.Model):
    """What one buyer pays for one or more registrations (a delegation is one order)."""

    __tablename__ = "reg_orders"
    __table_args__ = (
        sa.UniqueConstraint("event_id", "receipt_number"),
        sa.CheckConstraint(_in("status", OrderStatus), name="status_known"),
        sa.CheckConstraint(_in("method", PaymentMethod), name="method_known"),
        sa.CheckConstraint(_in("kind", OrderKind), name="kind_known"),
        sa.CheckConstraint("total_minor >= 0", name="total_not_negative"),
        sa.CheckConstraint("refunded_minor >= 0", name="refunded_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"),
                                          index=True)
    reference: Mapped[str] = mapped_column(sa.String(16), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(16), default=OrderKind.REGISTRATION,
                                      server_default=OrderKind.REGISTRATION.value)
    buyer_email: Mapped[str] = mapped_column(sa.String(254))
    buyer_name: Mapped[str] = mapped_column(sa.String(200))
    status: Mapped[str] = mapped_column(sa.String(16), default=OrderStatus.OPEN, index=True)
    method: Mapped[str] = mapped_column(sa.String(16), default=PaymentMethod.NONE)
    currency: Mapped[str] = mapped_column(sa.String(3), default="MYR")
    subtotal_minor: Mapped[int] = mapped_column(default=0)
    discount_minor: Mapped[int] = mapped_column(default=0)
    total_minor: Mapped[int] = mapped_column(default=0)
    tax_minor: Mapped[int] = mapped_column(default=0)  # part of total (or added to it)
    tax_rate_bp: Mapped[int] = mapped_column(default=0)
    refunded_minor: Mapped[int] = mapped_column(default=0)
    voucher_id: Mapped[int | None] = mapped_column(sa.ForeignKey("vouchers.id"))
    stripe_session_id: Mapped[str | None] = mapped_column(sa.String(255), unique=True)
    stripe_payment_intent: Mapped[str | None] = mapped_column(sa.String(255), index=True)
    checkout_url: Mapped[str | None] = mapped_column(sa.Text)
    receipt_number: Mapped[int | None]
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attention: Mapped[str | None] = mapped_column(sa.Text)  # shown to organisers
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship()
    registrations: Mapped[list[Registration]] = relationship(
        back_populates="order", primaryjoin="Order.id == Registration.order_id",
        order_by="Registration.id")


class StripeEvent(db.Model):
    """A Stripe webhook event, stored once: its id makes every delivery at-most-once."""

    __tablename__ = "stripe_events"

    id: Mapped[str] = mapped_column(sa.String(255), primary_key=True)
    type: Mapped[str] = mapped_column(sa.String(100))
    order_id: Mapped[int | None] = mapped_column(sa.ForeignKey("reg_orders.id",
                                                               ondelete="SET NULL"))
    outcome: Mapped[str | None] = mapped_column(sa.String(200))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class VoucherKind(StrEnum):
    PERCENT = "percent"
    FIXED = "fixed"
    FREE = "free"


class Voucher(db.Model):
    __tablename__ = "vouchers"
    __table_args__ = (
        sa.UniqueConstraint("event_id", "code"),
        sa.CheckConstraint(_in("kind", VoucherKind), name="kind_known"),
        sa.CheckConstraint("value >= 0", name="value_not_negative"),
        sa.CheckConstraint("used >= 0", name="used_not_negative"),
        sa.CheckConstraint("max_uses IS NULL OR used <= max_uses", name="used_within_max"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"),
                                          index=True)
    code: Mapped[str] = mapped_column(sa.String(40))
    kind: Mapped[str] = mapped_column(sa.String(16), default=VoucherKind.PERCENT)
    value: Mapped[int] = mapped_column(default=0)  # percent, or minor units for fixed
    max_uses: Mapped[int | None]
    used: Mapped[int] = mapped_column(default=0)
    valid_from: Mapped[datetime | None] = mapped_column(UTCDateTime)
    valid_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    pass_type_ids: Mapped[list] = mapped_column(sa.JSON, default=list)  # empty: all
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class QuestionKind(StrEnum):
    TEXT = "text"
    SINGLE = "single"
    MULTIPLE = "multiple"
    COUNTRY = "country"
    YESNO = "yesno"


class Question(db.Model):
    __tablename__ = "reg_questions"
    __table_args__ = (sa.CheckConstraint(_in("kind", QuestionKind), name="kind_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"),
                                          index=True)
    label: Mapped[str] = mapped_column(sa.String(300))
    kind: Mapped[str] = mapped_column(sa.String(16), default=QuestionKind.TEXT)
    choices: Mapped[list] = mapped_column(sa.JSON, default=list)
    required: Mapped[bool] = mapped_column(default=False)
    pass_type_ids: Mapped[list] = mapped_column(sa.JSON, default=list)  # empty: all passes
    position: Mapped[int] = mapped_column(default=0)


class Delegation(db.Model):
    """A group registered in one order (e.g. a country's delegation to ASCN8)."""

    __tablename__ = "delegations"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"),
                                          index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    country: Mapped[str | None] = mapped_column(sa.String(100))
    head_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id",
                                                                   ondelete="SET NULL"))
    head_email: Mapped[str] = mapped_column(sa.String(254))
    order_id: Mapped[int | None] = mapped_column(sa.ForeignKey("reg_orders.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    members: Mapped[list[Registration]] = relationship(
        primaryjoin="Delegation.id == Registration.delegation_id", order_by="Registration.id",
        viewonly=True)


class WaitStatus(StrEnum):
    WAITING = "waiting"
    OFFERED = "offered"
    ACCEPTED = "accepted"
    EXPIRED = "expired"
    LEFT = "left"


class WaitingListEntry(db.Model):
    __tablename__ = "waiting_list"
    __table_args__ = (
        sa.Index("uq_waiting_list_active_email", "pass_type_id", "email", unique=True,
                 sqlite_where=sa.text("status IN ('waiting', 'offered')"),
                 postgresql_where=sa.text("status IN ('waiting', 'offered')")),
        sa.CheckConstraint(_in("status", WaitStatus), name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"),
                                          index=True)
    pass_type_id: Mapped[int] = mapped_column(sa.ForeignKey("pass_types.id"), index=True)
    email: Mapped[str] = mapped_column(sa.String(254))
    full_name: Mapped[str] = mapped_column(sa.String(200))
    organisation: Mapped[str | None] = mapped_column(sa.String(200))
    country: Mapped[str | None] = mapped_column(sa.String(100))
    status: Mapped[str] = mapped_column(sa.String(16), default=WaitStatus.WAITING)
    offer_token: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    offer_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    pass_type: Mapped[PassType] = relationship()


class BadgeJob(db.Model):
    """A batch of badges being printed; its progress is polled by the organiser's page."""

    __tablename__ = "badge_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"),
                                          index=True)
    status: Mapped[str] = mapped_column(sa.String(16), default="queued")
    sort: Mapped[str] = mapped_column(sa.String(16), default="name")
    total: Mapped[int] = mapped_column(default=0)
    done: Mapped[int] = mapped_column(default=0)
    path: Mapped[str | None] = mapped_column(sa.Text)
    error: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
