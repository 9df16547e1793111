"""Exhibitor tables: halls, booth packages, booths, exhibitors, booth orders, staff, leads.

Lengths are integer centimetres (a booth edge of 2.5 m is 250): exact, and the
SVG floor plan draws them in the same unit.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.models import Event, User, _in
from ..extensions import UTCDateTime, db
from ..registration.models import Order, Registration
from ..timeutil import utcnow


class BoothKind(StrEnum):
    SHELL = "shell_scheme"
    RAW = "raw_space"
    PAVILION = "pavilion"


KIND_LABELS = {BoothKind.SHELL: "Shell scheme", BoothKind.RAW: "Raw space",
               BoothKind.PAVILION: "Pavilion"}


class BoothStatus(StrEnum):
    AVAILABLE = "available"
    HELD = "held"  # an exhibitor is paying; held_until says until when
    SOLD = "sold"
    BLOCKED = "blocked"  # not for sale (pillar, catering, organiser's own use)


class ExhibitorStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class OrderStatus(StrEnum):
    PENDING = "pending"  # booth held, waiting for the money
    PAID = "paid"
    EXPIRED = "expired"  # the hold ran out unpaid; the booth went back on sale
    CANCELLED = "cancelled"


class PaymentMethod(StrEnum):
    INVOICE = "invoice"
    STRIPE = "stripe"


class StaffRole(StrEnum):
    MANAGER = "manager"  # applied for the exhibitor; manages booth, team and leads
    STAFF = "staff"  # invited; holds an exhibitor badge counted against the quota


class FollowUp(StrEnum):
    NEW = "new"
    TO_CONTACT = "to_contact"
    CONTACTED = "contacted"
    QUALIFIED = "qualified"
    CLOSED = "closed"


FOLLOW_UP_LABELS = {FollowUp.NEW: "New", FollowUp.TO_CONTACT: "To contact",
                    FollowUp.CONTACTED: "Contacted", FollowUp.QUALIFIED: "Qualified",
                    FollowUp.CLOSED: "Closed"}


class Hall(db.Model):
    __tablename__ = "halls"
    __table_args__ = (
        sa.UniqueConstraint("event_id", "name"),
        sa.CheckConstraint("width_cm > 0 AND depth_cm > 0", name="size_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"),
                                          index=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    width_cm: Mapped[int]
    depth_cm: Mapped[int]
    background_path: Mapped[str | None] = mapped_column(sa.String(300))
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    event: Mapped[Event] = relationship()
    booths: Mapped[list[Booth]] = relationship(back_populates="hall", order_by="Booth.code")

    @property
    def area_m2(self) -> float:
        return self.width_cm * self.depth_cm / 10_000


class BoothPackage(db.Model):
    """What a booth includes: how many staff badges, furniture, power."""

    __tablename__ = "booth_packages"
    __table_args__ = (
        sa.UniqueConstraint("event_id", "name"),
        sa.CheckConstraint("staff_badges >= 0", name="badges_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"),
                                          index=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    staff_badges: Mapped[int] = mapped_column(default=2)
    description: Mapped[str | None] = mapped_column(sa.Text)


class Exhibitor(db.Model):
    __tablename__ = "exhibitors"
    __table_args__ = (
        sa.UniqueConstraint("event_id", "name"),
        sa.CheckConstraint(_in("status", ExhibitorStatus), name="status_known"),
        # The staff quota is guarded by the database: staff_count only grows
        # through UPDATE ... WHERE staff_count < staff_quota.
        sa.CheckConstraint("staff_count >= 0", name="staff_count_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"),
                                          index=True)
    owner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"),
                                                 index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str | None] = mapped_column(sa.Text)
    website: Mapped[str | None] = mapped_column(sa.String(300))
    country: Mapped[str | None] = mapped_column(sa.String(100))
    contact_email: Mapped[str | None] = mapped_column(sa.String(254))
    sectors: Mapped[list] = mapped_column(sa.JSON, default=list)
    pillars: Mapped[list] = mapped_column(sa.JSON, default=list)
    logo_path: Mapped[str | None] = mapped_column(sa.String(300))
    status: Mapped[str] = mapped_column(sa.String(16), default=ExhibitorStatus.PENDING,
                                        index=True)
    review_note: Mapped[str | None] = mapped_column(sa.Text)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    staff_quota: Mapped[int] = mapped_column(default=0)
    staff_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship()
    owner: Mapped[User | None] = relationship()
    booths: Mapped[list[Booth]] = relationship(back_populates="exhibitor",
                                               order_by="Booth.code")

    @property
    def is_approved(self) -> bool:
        return self.status == ExhibitorStatus.APPROVED


class Booth(db.Model):
    __tablename__ = "booths"
    __table_args__ = (
        sa.UniqueConstraint("event_id", "code"),
        sa.CheckConstraint(_in("status", BoothStatus), name="status_known"),
        sa.CheckConstraint(_in("kind", BoothKind), name="kind_known"),
        sa.CheckConstraint("width_cm > 0 AND depth_cm > 0", name="size_positive"),
        sa.CheckConstraint("x_cm >= 0 AND y_cm >= 0", name="position_not_negative"),
        sa.CheckConstraint("price_minor >= 0", name="price_not_negative"),
        # Held and sold booths name their exhibitor; free ones name none.
        sa.CheckConstraint("(status IN ('held', 'sold')) = (exhibitor_id IS NOT NULL)",
                           name="exhibitor_iff_taken"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"),
                                          index=True)
    hall_id: Mapped[int] = mapped_column(sa.ForeignKey("halls.id", ondelete="CASCADE"),
                                         index=True)
    package_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("booth_packages.id", ondelete="SET NULL"))
    code: Mapped[str] = mapped_column(sa.String(16))
    x_cm: Mapped[int]
    y_cm: Mapped[int]
    width_cm: Mapped[int]
    depth_cm: Mapped[int]
    kind: Mapped[str] = mapped_column(sa.String(16), default=BoothKind.SHELL)
    price_minor: Mapped[int] = mapped_column(default=0)
    currency: Mapped[str] = mapped_column(sa.String(3), default="MYR")
    status: Mapped[str] = mapped_column(sa.String(16), default=BoothStatus.AVAILABLE, index=True)
    exhibitor_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("exhibitors.id", ondelete="SET NULL"), index=True)
    held_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    note: Mapped[str | None] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    hall: Mapped[Hall] = relationship(back_populates="booths")
    package: Mapped[BoothPackage | None] = relationship()
    exhibitor: Mapped[Exhibitor | None] = relationship(back_populates="booths")

    @property
    def area_m2(self) -> float:
        return self.width_cm * self.depth_cm / 10_000

    @property
    def staff_badges(self) -> int:
        return self.package.staff_badges if self.package is not None else 0


class BoothOrder(db.Model):
    """An exhibitor's purchase of one booth: the hold, the invoice and the payment."""

    __tablename__ = "booth_orders"
    __table_args__ = (
        sa.CheckConstraint(_in("status", OrderStatus), name="status_known"),
        sa.CheckConstraint(_in("method", PaymentMethod), name="method_known"),
        sa.CheckConstraint("amount_minor >= 0", name="amount_not_negative"),
        # At most one open order per booth.
        sa.Index("uq_booth_orders_open_booth", "booth_id", unique=True,
                 sqlite_where=sa.text("status = 'pending'"),
                 postgresql_where=sa.text("status = 'pending'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"),
                                          index=True)
    exhibitor_id: Mapped[int] = mapped_column(
        sa.ForeignKey("exhibitors.id", ondelete="CASCADE"), index=True)
    booth_id: Mapped[int] = mapped_column(sa.ForeignKey("booths.id", ondelete="CASCADE"),
                                          index=True)
    reference: Mapped[str] = mapped_column(sa.String(20), unique=True)
    amount_minor: Mapped[int]
    currency: Mapped[str] = mapped_column(sa.String(3))
    method: Mapped[str] = mapped_column(sa.String(16), default=PaymentMethod.INVOICE)
    status: Mapped[str] = mapped_column(sa.String(16), default=OrderStatus.PENDING, index=True)
    hold_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    payment_note: Mapped[str | None] = mapped_column(sa.String(200))
    # The registration feature's payment order (Stripe Checkout, receipts, refunds).
    payment_order_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("reg_orders.id", ondelete="SET NULL"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    exhibitor: Mapped[Exhibitor] = relationship()
    booth: Mapped[Booth] = relationship()
    payment_order: Mapped[Order | None] = relationship()


class ExhibitorStaff(db.Model):
    """A member of an exhibitor's team; invited staff hold an exhibitor badge."""

    __tablename__ = "exhibitor_staff"
    __table_args__ = (
        # One team per person per event: a lead scanned by them belongs to one exhibitor.
        sa.UniqueConstraint("event_id", "email"),
        sa.CheckConstraint(_in("role", StaffRole), name="role_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"),
                                          index=True)
    exhibitor_id: Mapped[int] = mapped_column(
        sa.ForeignKey("exhibitors.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"),
                                                index=True)
    registration_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("registrations.id", ondelete="SET NULL"))
    email: Mapped[str] = mapped_column(sa.String(254))
    full_name: Mapped[str] = mapped_column(sa.String(200))
    role: Mapped[str] = mapped_column(sa.String(16), default=StaffRole.STAFF)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    exhibitor: Mapped[Exhibitor] = relationship()
    user: Mapped[User | None] = relationship()
    registration: Mapped[Registration | None] = relationship()


class Lead(db.Model):
    """A visitor whose badge an exhibitor's staff scanned; one per exhibitor and visitor.

    Contact fields (email, phone, job title) are filled only while the visitor
    consents to share them with exhibitors (PDPA 2010).
    """

    __tablename__ = "leads"
    __table_args__ = (
        sa.UniqueConstraint("exhibitor_id", "registration_id"),
        sa.CheckConstraint("rating IS NULL OR (rating >= 0 AND rating <= 5)",
                           name="rating_range"),
        sa.CheckConstraint(_in("follow_up", FollowUp), name="follow_up_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"),
                                          index=True)
    exhibitor_id: Mapped[int] = mapped_column(
        sa.ForeignKey("exhibitors.id", ondelete="CASCADE"), index=True)
    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registrations.id", ondelete="CASCADE"), index=True)
    scanned_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"))
    full_name: Mapped[str] = mapped_column(sa.String(200))
    organisation: Mapped[str | None] = mapped_column(sa.String(200))
    country: Mapped[str | None] = mapped_column(sa.String(100))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    phone: Mapped[str | None] = mapped_column(sa.String(40))
    job_title: Mapped[str | None] = mapped_column(sa.String(200))
    notes: Mapped[str | None] = mapped_column(sa.Text)
    rating: Mapped[int | None]
    tags: Mapped[list] = mapped_column(sa.JSON, default=list)
    follow_up: Mapped[str] = mapped_column(sa.String(16), default=FollowUp.NEW)
    scan_count: Mapped[int] = mapped_column(default=1)
    first_scanned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_scanned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    exhibitor: Mapped[Exhibitor] = relationship()
    registration: Mapped[Registration] = relationship()
    scanned_by: Mapped[User | None] = relationship()

    @property
    def has_contact(self) -> bool:
        return bool(self.email or self.phone or self.job_title)
