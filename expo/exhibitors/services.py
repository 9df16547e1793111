"""Exhibitor rules: floor plans, applications, booth sales, staff badges, leads, consent.

Each public function is one transaction: it commits on success and raises a
DomainError (changing nothing) when a rule says no. Invariants that concurrent
requests could break (a booth sold twice, a staff quota exceeded, two leads for
one visitor) are guarded by conditional UPDATEs and unique constraints.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import selectinload

from ..core import services as core
from ..core.models import Event, Role, User
from ..errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from ..extensions import db
from ..registration import notify as registration_notify
from ..registration import payments
from ..registration import services as reg_services
from ..registration.badges import read_badge
from ..registration.models import (
    HOLDING,
    OrderKind,
    PassType,
    Registration,
)
from ..registration.models import Order as PaymentOrder
from ..timeutil import utcnow
from . import files, layout
from .models import (
    Booth,
    BoothKind,
    BoothOrder,
    BoothPackage,
    BoothStatus,
    Exhibitor,
    ExhibitorStaff,
    ExhibitorStatus,
    FollowUp,
    Hall,
    Lead,
    OrderStatus,
    PaymentMethod,
    StaffRole,
)

SECTORS = ["GovTech & e-government", "Mobility & transport", "Energy & utilities",
           "Water & waste", "Health", "Education", "Fintech & payments", "Cybersecurity",
           "IoT & sensors", "Telecommunications & 5G", "Urban planning & PropTech",
           "Public safety", "Tourism & culture", "Agritech & food", "AI & data platforms"]
EXHIBITOR_PASS_CODE = reg_services.EXHIBITOR_PASS_CODE
DEFAULT_HOLD_HOURS = 72
MAX_TAGS = 12


def hold_hours() -> int:
    return int(current_app.config.get("BOOTH_HOLD_HOURS") or DEFAULT_HOLD_HOURS)


# ---------------------------------------------------------------- halls and packages


def halls(event: Event) -> list[Hall]:
    return list(db.session.scalars(sa.select(Hall).where(Hall.event_id == event.id)
                                   .order_by(Hall.position, Hall.name)))


def hall_in(event: Event, hall_id: int) -> Hall:
    hall = db.session.get(Hall, hall_id)
    if hall is None or hall.event_id != event.id:
        raise NotFound("No such hall in this event.", code="hall_not_found")
    return hall


def _check_hall(width_cm: int, depth_cm: int, name: str) -> None:
    if not (name or "").strip():
        raise Invalid("Give the hall a name, e.g. Hall 1.", code="hall_name_required")
    if width_cm <= 0 or depth_cm <= 0:
        raise Invalid("A hall needs a positive width and depth.", code="hall_size_invalid")
    if width_cm > 100_000 or depth_cm > 100_000:
        raise Invalid("A hall is at most 1 000 m on a side.", code="hall_size_invalid")


def save_hall(actor: User, event: Event, *, hall: Hall | None = None, name: str,
              width_cm: int, depth_cm: int, position: int = 0) -> Hall:
    _check_hall(width_cm, depth_cm, name)
    name = name.strip()
    clash = db.session.scalar(sa.select(Hall.id).where(Hall.event_id == event.id,
                                                       Hall.name == name))
    if clash and (hall is None or clash != hall.id):
        raise Conflict(f"There is already a hall called {name}.", code="hall_name_taken")
    if hall is not None:
        outside = [b.code for b in hall.booths
                   if b.x_cm + b.width_cm > width_cm or b.y_cm + b.depth_cm > depth_cm]
        if outside:
            raise Invalid("The hall would leave booths outside: " + ", ".join(outside) + ".",
                          code="booth_outside_hall")
    else:
        hall = Hall(event_id=event.id)
        db.session.add(hall)
    hall.name, hall.width_cm, hall.depth_cm, hall.position = name, width_cm, depth_cm, position
    db.session.flush()
    core.audit(actor, event, "hall.save", target=name,
               details={"width_cm": width_cm, "depth_cm": depth_cm})
    db.session.commit()
    return hall


BACKGROUND_MAX_BYTES = 8 * 1024 * 1024


def set_hall_background(actor: User, event: Event, hall: Hall, data: bytes | None) -> Hall:
    """Put a drawing of the hall (the venue's plan) under the booths, or remove it (None)."""
    if hall.event_id != event.id:
        raise NotFound("No such hall in this event.", code="hall_not_found")
    if data is None:
        hall.background_path = None
    else:
        try:
            info = files.check_logo(data, BACKGROUND_MAX_BYTES, max_side=8000,
                                    what="background image")
        except files.LogoError as error:
            raise Invalid(error.message, code=error.code.replace("logo", "background")) \
                from error
        relative = f"uploads/halls/{event.id}/{uuid.uuid4().hex}.{info.extension}"
        path = Path(current_app.instance_path) / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        hall.background_path = relative
    core.audit(actor, event, "hall.background", target=hall.name,
               details={"set": data is not None})
    db.session.commit()
    return hall


def _instance_file(relative: str | None) -> Path | None:
    """A stored upload under the instance folder, when it is still there."""
    if not relative:
        return None
    path = Path(current_app.instance_path) / relative
    return path if path.is_file() else None


def hall_background_file(hall: Hall) -> Path | None:
    return _instance_file(hall.background_path)


def delete_hall(actor: User, event: Event, hall: Hall) -> None:
    if any(b.status in (BoothStatus.HELD, BoothStatus.SOLD) for b in hall.booths):
        raise Conflict("The hall has held or sold booths; move them first.", code="hall_in_use")
    for booth in hall.booths:
        db.session.delete(booth)
    core.audit(actor, event, "hall.delete", target=hall.name)
    db.session.delete(hall)
    db.session.commit()


def packages(event: Event) -> list[BoothPackage]:
    return list(db.session.scalars(sa.select(BoothPackage).where(
        BoothPackage.event_id == event.id).order_by(BoothPackage.staff_badges,
                                                    BoothPackage.name)))


def package_in(event: Event, package_id: int | None) -> BoothPackage | None:
    if not package_id:
        return None
    package = db.session.get(BoothPackage, package_id)
    if package is None or package.event_id != event.id:
        raise NotFound("No such booth package in this event.", code="package_not_found")
    return package


def save_package(actor: User, event: Event, *, package: BoothPackage | None = None, name: str,
                 staff_badges: int, description: str | None = None) -> BoothPackage:
    name = (name or "").strip()
    if not name:
        raise Invalid("Give the package a name.", code="package_name_required")
    if staff_badges < 0 or staff_badges > 500:
        raise Invalid("Staff badges go from 0 to 500.", code="package_badges_invalid")
    clash = db.session.scalar(sa.select(BoothPackage.id).where(
        BoothPackage.event_id == event.id, BoothPackage.name == name))
    if clash and (package is None or clash != package.id):
        raise Conflict(f"There is already a package called {name}.", code="package_name_taken")
    if package is None:
        package = BoothPackage(event_id=event.id)
        db.session.add(package)
    package.name, package.staff_badges, package.description = name, staff_badges, description
    db.session.flush()
    for exhibitor_id in db.session.scalars(sa.select(Booth.exhibitor_id).where(
            Booth.package_id == package.id, Booth.exhibitor_id.is_not(None))):
        _refresh_quota(exhibitor_id)
    core.audit(actor, event, "package.save", target=name, details={"staff_badges": staff_badges})
    db.session.commit()
    return package


# ---------------------------------------------------------------- booths


def booths(event: Event, *, hall: Hall | None = None, status: str | None = None) -> list[Booth]:
    query = sa.select(Booth).where(Booth.event_id == event.id)
    if hall is not None:
        query = query.where(Booth.hall_id == hall.id)
    if status:
        query = query.where(Booth.status == status)
    return list(db.session.scalars(query.order_by(Booth.code)))


def hall_booths(hall: Hall) -> list[Booth]:
    """The hall's booths with their exhibitor and package, in three queries (not 2N+1)."""
    return list(db.session.scalars(
        sa.select(Booth).where(Booth.hall_id == hall.id)
        .options(selectinload(Booth.exhibitor), selectinload(Booth.package))
        .order_by(Booth.code)))


def booth_in(event: Event, booth_id: int) -> Booth:
    booth = db.session.get(Booth, booth_id)
    if booth is None or booth.event_id != event.id:
        raise NotFound("No such booth in this event.", code="booth_not_found")
    return booth


def booth_by_code(event: Event, code: str) -> Booth | None:
    return db.session.scalar(sa.select(Booth).where(Booth.event_id == event.id,
                                                    Booth.code == code.strip().upper()))


def save_booth(actor: User, event: Event, hall: Hall, *, booth: Booth | None = None, code: str,
               x_cm: int, y_cm: int, width_cm: int, depth_cm: int,
               kind: str = BoothKind.SHELL, price_minor: int = 0,
               package_id: int | None = None, blocked: bool = False,
               note: str | None = None) -> Booth:
    """Add or change a booth; refused with the reason when it leaves the hall or overlaps."""
    code = (code or "").strip().upper()
    if not code or len(code) > 16:
        raise Invalid("Give the booth a code of up to 16 characters, e.g. A-12.",
                      code="booth_code_invalid")
    if kind not in set(BoothKind):
        raise Invalid(f"Unknown booth type {kind!r}.", code="booth_kind_unknown")
    if price_minor < 0:
        raise Invalid("The price cannot be negative.", code="price_invalid")
    if hall.event_id != event.id:
        raise NotFound("No such hall in this event.", code="hall_not_found")
    package_in(event, package_id)
    # Serialise edits of one hall so two organisers cannot place overlapping booths at once.
    db.session.execute(sa.select(Hall.id).where(Hall.id == hall.id).with_for_update())
    clash = booth_by_code(event, code)
    if clash is not None and (booth is None or clash.id != booth.id):
        raise Conflict(f"There is already a booth {code} in this event.",
                       code="booth_code_taken")
    others = [layout.Rect(b.code, b.x_cm, b.y_cm, b.width_cm, b.depth_cm)
              for b in db.session.scalars(sa.select(Booth).where(Booth.hall_id == hall.id))
              if booth is None or b.id != booth.id]
    found = layout.problems(hall.width_cm, hall.depth_cm,
                            layout.Rect(code, x_cm, y_cm, width_cm, depth_cm), others)
    if found:
        first = found[0]
        raise Invalid(" ".join(p.message for p in found), code=f"booth_{first.code}",
                      details=[{"code": p.code, "message": p.message, "other": p.other}
                               for p in found])
    if booth is None:
        booth = Booth(event_id=event.id, currency=event.currency, status=BoothStatus.AVAILABLE)
        db.session.add(booth)
    elif booth.status in (BoothStatus.HELD, BoothStatus.SOLD) and blocked:
        raise Conflict(f"Booth {booth.code} is {booth.status}; release it before blocking it.",
                       code="booth_taken")
    old_package = booth.package_id
    booth.hall_id, booth.code = hall.id, code
    booth.x_cm, booth.y_cm, booth.width_cm, booth.depth_cm = x_cm, y_cm, width_cm, depth_cm
    booth.kind, booth.price_minor, booth.package_id, booth.note = kind, price_minor, \
        package_id or None, note or None
    if booth.status in (BoothStatus.AVAILABLE, BoothStatus.BLOCKED):
        booth.status = BoothStatus.BLOCKED if blocked else BoothStatus.AVAILABLE
    db.session.flush()
    if booth.exhibitor_id and old_package != booth.package_id:
        _refresh_quota(booth.exhibitor_id)
    core.audit(actor, event, "booth.save", target=code,
               details={"hall": hall.name, "x_cm": x_cm, "y_cm": y_cm, "width_cm": width_cm,
                        "depth_cm": depth_cm, "kind": kind, "price_minor": price_minor})
    db.session.commit()
    return booth


def delete_booth(actor: User, event: Event, booth: Booth) -> None:
    if booth.status in (BoothStatus.HELD, BoothStatus.SOLD):
        raise Conflict(f"Booth {booth.code} is {booth.status}; release it first.",
                       code="booth_taken")
    db.session.execute(sa.delete(BoothOrder).where(BoothOrder.booth_id == booth.id))
    core.audit(actor, event, "booth.delete", target=booth.code)
    db.session.delete(booth)
    db.session.commit()


def floor_stats(event: Event) -> dict[str, int]:
    rows = db.session.execute(sa.select(Booth.status, sa.func.count()).where(
        Booth.event_id == event.id).group_by(Booth.status))
    stats = {s.value: 0 for s in BoothStatus}
    stats.update({status: count for status, count in rows})
    return stats


# ---------------------------------------------------------------- exhibitors


def _clean_list(values, allowed: list[str] | None = None) -> list[str]:
    out: list[str] = []
    for value in values or []:
        value = str(value).strip()
        if value and value not in out and (allowed is None or value in allowed):
            out.append(value)
    return out


def exhibitor_in(event: Event, exhibitor_id: int) -> Exhibitor:
    exhibitor = db.session.get(Exhibitor, exhibitor_id)
    if exhibitor is None or exhibitor.event_id != event.id:
        raise NotFound("No such exhibitor in this event.", code="exhibitor_not_found")
    return exhibitor


def membership(event: Event, user) -> ExhibitorStaff | None:
    """The user's place in an exhibitor team of this event, if any."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(sa.select(ExhibitorStaff).where(
        ExhibitorStaff.event_id == event.id, ExhibitorStaff.user_id == user.id))


def my_exhibitor(event: Event, user) -> Exhibitor | None:
    member = membership(event, user)
    return member.exhibitor if member is not None else None


def require_member(event: Event, user, *, manager: bool = False) -> ExhibitorStaff:
    member = membership(event, user)
    if member is None:
        raise Forbidden("You are not on an exhibitor's team in this event.",
                        code="not_exhibitor_staff")
    if manager and member.role != StaffRole.MANAGER:
        raise Forbidden("Only the exhibitor's manager may do that.", code="manager_required")
    return member


def _store_logo(event: Event, data: bytes) -> str:
    try:
        info = files.check_logo(data, current_app.config.get("LOGO_MAX_BYTES",
                                                              files.LOGO_MAX_BYTES))
    except files.LogoError as error:
        raise Invalid(error.message, code=error.code) from error
    relative = f"uploads/exhibitors/{event.id}/{uuid.uuid4().hex}.{info.extension}"
    path = Path(current_app.instance_path) / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return relative


def logo_file(exhibitor: Exhibitor) -> Path | None:
    return _instance_file(exhibitor.logo_path)


PROFILE_FIELDS = ("name", "description", "website", "country", "contact_email", "sectors",
                  "pillars")


def _apply_profile(event: Event, exhibitor: Exhibitor, fields: dict) -> None:
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise Invalid(f"Unknown exhibitor fields: {', '.join(sorted(unknown))}.")
    name = (fields.get("name", exhibitor.name) or "").strip()
    if not name:
        raise Invalid("Give the company or organisation name.", code="exhibitor_name_required")
    clash = db.session.scalar(sa.select(Exhibitor.id).where(Exhibitor.event_id == event.id,
                                                            Exhibitor.name == name))
    if clash and clash != exhibitor.id:
        raise Conflict(f"{name} has already applied to exhibit at {event.name}.",
                       code="exhibitor_name_taken")
    website = (fields.get("website") or "").strip() or None
    if website and not website.startswith(("http://", "https://")):
        raise Invalid("The website starts with https:// or http://.", code="website_invalid")
    if fields.get("contact_email"):
        fields["contact_email"] = core.normalise_email(fields["contact_email"])
    exhibitor.name = name
    exhibitor.description = (fields.get("description") or "").strip() or None
    exhibitor.website = website
    exhibitor.country = (fields.get("country") or "").strip() or None
    exhibitor.contact_email = fields.get("contact_email") or None
    exhibitor.sectors = _clean_list(fields.get("sectors"), SECTORS)
    exhibitor.pillars = _clean_list(fields.get("pillars"), list(event.themes or []))


def apply(actor: User, event: Event, fields: dict, logo: bytes | None = None) -> Exhibitor:
    """A company applies to exhibit; the applicant becomes the team's manager."""
    if membership(event, actor) is not None:
        raise Conflict("You are already on an exhibitor's team in this event.",
                       code="already_exhibitor")
    exhibitor = Exhibitor(event_id=event.id, owner_id=actor.id,
                          status=ExhibitorStatus.PENDING)
    _apply_profile(event, exhibitor, fields)
    if logo:
        exhibitor.logo_path = _store_logo(event, logo)
    db.session.add(exhibitor)
    db.session.flush()
    db.session.add(ExhibitorStaff(event_id=event.id, exhibitor_id=exhibitor.id, user_id=actor.id,
                                  email=actor.email, full_name=actor.full_name,
                                  role=StaffRole.MANAGER))
    core.grant_role(None, event, actor.email, Role.EXHIBITOR, commit=False)
    core.audit(actor, event, "exhibitor.apply", target=exhibitor.name)
    db.session.commit()
    return exhibitor


def update_profile(actor: User, event: Event, exhibitor: Exhibitor, fields: dict,
                   logo: bytes | None = None) -> Exhibitor:
    _apply_profile(event, exhibitor, fields)
    if logo:
        exhibitor.logo_path = _store_logo(event, logo)
    core.audit(actor, event, "exhibitor.update", target=exhibitor.name)
    db.session.commit()
    return exhibitor


def review(actor: User, event: Event, exhibitor: Exhibitor, decision: str,
           note: str | None = None) -> Exhibitor:
    if decision not in (ExhibitorStatus.APPROVED, ExhibitorStatus.REJECTED):
        raise Invalid("Approve or reject.", code="decision_unknown")
    if decision == ExhibitorStatus.REJECTED and any(
            b.status == BoothStatus.SOLD for b in exhibitor.booths):
        raise Conflict("This exhibitor has a sold booth; release it before rejecting.",
                       code="exhibitor_has_booth")
    exhibitor.status = decision
    exhibitor.review_note = (note or "").strip() or None
    exhibitor.reviewed_at = utcnow()
    if decision == ExhibitorStatus.REJECTED:
        for order in _open_orders(exhibitor):
            _release(order.booth_id, exhibitor.id)
            order.status = OrderStatus.CANCELLED
    core.audit(actor, event, f"exhibitor.{decision}", target=exhibitor.name,
               details={"note": exhibitor.review_note})
    db.session.commit()
    return exhibitor


def exhibitors(event: Event, *, status: str | None = None) -> list[Exhibitor]:
    query = sa.select(Exhibitor).where(Exhibitor.event_id == event.id)
    if status:
        query = query.where(Exhibitor.status == status)
    return list(db.session.scalars(query.order_by(Exhibitor.name)))


def directory(event: Event, *, q: str | None = None, pillar: str | None = None,
              sector: str | None = None, country: str | None = None) -> list[Exhibitor]:
    """Approved exhibitors for delegates, filtered; JSON list filters are applied in Python
    because SQLite and PostgreSQL disagree on JSON containment."""
    found = exhibitors(event, status=ExhibitorStatus.APPROVED)
    if q:
        needle = q.strip().lower()
        found = [e for e in found if needle in e.name.lower()
                 or needle in (e.description or "").lower()
                 or any(needle in b.code.lower() for b in e.booths)]
    if pillar:
        found = [e for e in found if pillar in (e.pillars or [])]
    if sector:
        found = [e for e in found if sector in (e.sectors or [])]
    if country:
        found = [e for e in found if (e.country or "") == country]
    return found


def directory_facets(event: Event) -> dict[str, list[str]]:
    approved = exhibitors(event, status=ExhibitorStatus.APPROVED)
    return {"pillars": list(event.themes or []),
            "sectors": sorted({s for e in approved for s in e.sectors or []}),
            "countries": sorted({e.country for e in approved if e.country})}


# ---------------------------------------------------------------- booth sales


def _claim(booth_id: int, exhibitor_id: int, status: str, held_until) -> bool:
    """Atomically give a free booth (or one whose hold ran out) to an exhibitor."""
    now = utcnow()
    result = db.session.execute(
        sa.update(Booth)
        .where(Booth.id == booth_id,
               sa.or_(Booth.status == BoothStatus.AVAILABLE,
                      sa.and_(Booth.status == BoothStatus.HELD, Booth.held_until < now)))
        .values(status=status, exhibitor_id=exhibitor_id, held_until=held_until)
        .execution_options(synchronize_session=False))
    return result.rowcount == 1


def _release(booth_id: int, exhibitor_id: int) -> bool:
    result = db.session.execute(
        sa.update(Booth).where(Booth.id == booth_id, Booth.exhibitor_id == exhibitor_id)
        .values(status=BoothStatus.AVAILABLE, exhibitor_id=None, held_until=None)
        .execution_options(synchronize_session=False))
    return result.rowcount == 1


def _refresh_quota(exhibitor_id: int) -> None:
    """Staff badges = the sum of the packages of the exhibitor's sold booths."""
    badges = (sa.select(sa.func.coalesce(sa.func.sum(BoothPackage.staff_badges), 0))
              .select_from(Booth).join(BoothPackage, Booth.package_id == BoothPackage.id)
              .where(Booth.exhibitor_id == exhibitor_id, Booth.status == BoothStatus.SOLD)
              .scalar_subquery())
    db.session.execute(sa.update(Exhibitor).where(Exhibitor.id == exhibitor_id)
                       .values(staff_quota=badges)
                       .execution_options(synchronize_session=False))


def _open_orders(exhibitor: Exhibitor) -> list[BoothOrder]:
    return list(db.session.scalars(sa.select(BoothOrder).where(
        BoothOrder.exhibitor_id == exhibitor.id, BoothOrder.status == OrderStatus.PENDING)))


def orders(event: Event, *, exhibitor: Exhibitor | None = None,
           status: str | None = None) -> list[BoothOrder]:
    query = sa.select(BoothOrder).where(BoothOrder.event_id == event.id)
    if exhibitor is not None:
        query = query.where(BoothOrder.exhibitor_id == exhibitor.id)
    if status:
        query = query.where(BoothOrder.status == status)
    return list(db.session.scalars(query.order_by(BoothOrder.created_at.desc())))


def order_in(event: Event, order_id: int) -> BoothOrder:
    order = db.session.get(BoothOrder, order_id)
    if order is None or order.event_id != event.id:
        raise NotFound("No such booth order in this event.", code="order_not_found")
    return order


def _expire_stale(event_id: int | None = None) -> int:
    now = utcnow()
    stale = sa.select(BoothOrder.id, BoothOrder.booth_id, BoothOrder.exhibitor_id,
                      BoothOrder.payment_order_id).where(
        BoothOrder.status == OrderStatus.PENDING, BoothOrder.hold_expires_at < now)
    if event_id is not None:
        stale = stale.where(BoothOrder.event_id == event_id)
    rows = db.session.execute(stale).all()
    for order_id, booth_id, exhibitor_id, payment_order_id in rows:
        db.session.execute(
            sa.update(Booth).where(Booth.id == booth_id, Booth.exhibitor_id == exhibitor_id,
                                   Booth.status == BoothStatus.HELD, Booth.held_until < now)
            .values(status=BoothStatus.AVAILABLE, exhibitor_id=None, held_until=None)
            .execution_options(synchronize_session=False))
        db.session.execute(sa.update(BoothOrder).where(
            BoothOrder.id == order_id, BoothOrder.status == OrderStatus.PENDING)
            .values(status=OrderStatus.EXPIRED).execution_options(synchronize_session=False))
        if payment_order_id is not None:
            payments.cancel_open_order(db.session.get(PaymentOrder, payment_order_id))
    return len(rows)


def expire_holds(event: Event | None = None) -> int:
    """Put booths whose unpaid hold ran out back on sale; answers how many."""
    count = _expire_stale(event.id if event is not None else None)
    db.session.commit()
    if count:
        db.session.expire_all()
    return count


def payment_methods() -> list[str]:
    """How a booth can be paid here: by card (Stripe Checkout, with FPX in ringgit) when
    Stripe is configured, and always by bank transfer against an invoice."""
    if reg_services.stripe_configured():
        return [PaymentMethod.STRIPE, PaymentMethod.INVOICE]
    return [PaymentMethod.INVOICE]


def card_hold_minutes(event: Event) -> int:
    """A card checkout holds the booth as long as the organiser holds a pass for one."""
    return reg_services.settings_for(event).hold_minutes


def start_booth_payment(actor: User, event: Event, exhibitor: Exhibitor, booth: Booth,
                        method: str | None = None) -> BoothOrder:
    """Hold the booth for the exhibitor and open an order to pay for it.

    The order is paid through the registration feature's payment service: Stripe
    Checkout (the hold lasts the organiser's card hold time) or a bank-transfer
    invoice (BOOTH_HOLD_HOURS) that an organiser marks paid. `method` defaults to card
    when Stripe is configured.
    """
    if exhibitor.event_id != event.id or booth.event_id != event.id:
        raise NotFound("No such booth in this event.", code="booth_not_found")
    if not exhibitor.is_approved:
        raise Forbidden("Your application must be approved before you book a booth.",
                        code="exhibitor_not_approved")
    methods = payment_methods()
    method = method or methods[0]
    if method not in methods:
        raise Invalid("Card payment is not available for this event; pay by invoice.",
                      code="payment_method_unavailable")
    if booth.price_minor == 0:
        method = PaymentMethod.INVOICE  # nothing to charge: the organisers confirm it
    _expire_stale(event.id)
    if any(o.booth_id != booth.id for o in _open_orders(exhibitor)):
        raise Conflict("You already hold a booth awaiting payment; pay for it or cancel it "
                       "before picking another.", code="hold_exists")
    if method == PaymentMethod.STRIPE:
        minutes = card_hold_minutes(event)
        held_until = utcnow() + timedelta(minutes=minutes)
    else:
        minutes = hold_hours() * 60
        held_until = utcnow() + timedelta(hours=hold_hours())
    if not _claim(booth.id, exhibitor.id, BoothStatus.HELD, held_until):
        db.session.rollback()
        raise Conflict(f"Booth {booth.code} was just taken by someone else; pick another.",
                       code="booth_taken")
    reference = "B-" + secrets.token_hex(4).upper()
    payment_order = None
    if booth.price_minor > 0:
        payment_order = payments.open_order(
            event, kind=OrderKind.BOOTH, reference=reference, method=method,
            buyer_email=exhibitor.contact_email or actor.email, buyer_name=exhibitor.name,
            amount_minor=booth.price_minor, currency=booth.currency)
    order = BoothOrder(event_id=event.id, exhibitor_id=exhibitor.id, booth_id=booth.id,
                       reference=reference, amount_minor=booth.price_minor,
                       currency=booth.currency, method=method, status=OrderStatus.PENDING,
                       hold_expires_at=held_until,
                       payment_order_id=payment_order.id if payment_order else None)
    db.session.add(order)
    core.audit(actor, event, "booth.hold", target=booth.code,
               details={"exhibitor": exhibitor.name, "order": reference, "method": method,
                        "minutes": minutes})
    db.session.commit()
    db.session.refresh(booth)
    return order


def booth_checkout_url(actor: User, event: Event, order: BoothOrder) -> str:
    """The Stripe Checkout page for the exhibitor's pending card order (made once)."""
    member = require_member(event, actor, manager=True)
    if order.event_id != event.id or order.exhibitor_id != member.exhibitor_id:
        raise NotFound("No such booth order in this event.", code="order_not_found")
    _expire_stale(event.id)
    db.session.commit()
    db.session.refresh(order)
    if order.status != OrderStatus.PENDING or order.payment_order is None \
            or order.method != PaymentMethod.STRIPE:
        raise Conflict(f"Order {order.reference} is {order.status} and not waiting for a "
                       "card payment.", code="not_payable")
    return payments.start_checkout(order.payment_order)


def _sell(order: BoothOrder, note: str | None = None) -> bool:
    """Money for a booth order arrived: the booth is sold if it is still held for this
    exhibitor or free again (inside the caller's transaction)."""
    if order.status == OrderStatus.PAID:
        return True
    result = db.session.execute(
        sa.update(Booth).where(
            Booth.id == order.booth_id,
            sa.or_(sa.and_(Booth.status == BoothStatus.HELD,
                           Booth.exhibitor_id == order.exhibitor_id),
                   Booth.status == BoothStatus.AVAILABLE))
        .values(status=BoothStatus.SOLD, exhibitor_id=order.exhibitor_id, held_until=None)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        return False
    order.status = OrderStatus.PAID
    order.paid_at = utcnow()
    if note:
        order.payment_note = note[:200]
    db.session.flush()
    _refresh_quota(order.exhibitor_id)
    _manager_badge_when_booth_sold(order.exhibitor_id)
    return True


class BoothPayable:
    """Booth orders as the payment service sees them (registered by init_app)."""

    @staticmethod
    def _order(payment_order: PaymentOrder) -> BoothOrder:
        return db.session.scalar(sa.select(BoothOrder).where(
            BoothOrder.payment_order_id == payment_order.id))

    def line_item(self, payment_order: PaymentOrder) -> str:
        order = self._order(payment_order)
        booth = order.booth
        return (f"{payment_order.event.name}: booth {booth.code}, {booth.hall.name} "
                f"({booth.area_m2:g} m²)")

    def return_url(self, payment_order: PaymentOrder, *, paid: bool) -> str:
        from ..registration.notify import external_url

        order = self._order(payment_order)
        url = external_url("exhibitors.invoice", slug=payment_order.event.slug,
                           order_id=order.id)
        return url + ("?paid=1" if paid else "?cancelled=1")

    def paid(self, payment_order: PaymentOrder, method: str) -> bool:
        order = self._order(payment_order)
        note = None
        if method == PaymentMethod.STRIPE:
            note = "Paid by card or FPX via Stripe" + (
                f" ({payment_order.stripe_payment_intent})"
                if payment_order.stripe_payment_intent else "") + "."
        sold = _sell(order, note)
        if not sold and method == PaymentMethod.INVOICE:
            # An organiser is at the screen: say so rather than take money for nothing.
            raise Conflict(f"Booth {order.booth.code} was sold to someone else after the hold "
                           "expired; offer the exhibitor another booth.", code="booth_taken")
        if not sold:
            order.payment_note = "Paid by card after the hold expired; booth gone: refunded."
        core.audit(None, order.exhibitor.event, "booth.paid" if sold else "booth.paid_late",
                   target=order.booth.code, details={"order": order.reference,
                                                     "method": method,
                                                     "amount_minor": order.amount_minor})
        if sold:
            registration_notify.after_commit(_booth_paid_mail, order.id)
        return sold

    def released(self, payment_order: PaymentOrder) -> None:
        order = self._order(payment_order)
        if order.status != OrderStatus.PENDING:
            return
        db.session.execute(
            sa.update(Booth).where(Booth.id == order.booth_id,
                                   Booth.exhibitor_id == order.exhibitor_id,
                                   Booth.status == BoothStatus.HELD)
            .values(status=BoothStatus.AVAILABLE, exhibitor_id=None, held_until=None)
            .execution_options(synchronize_session=False))
        order.status = OrderStatus.EXPIRED
        order.payment_note = "Card checkout expired unpaid."

    def refunded(self, payment_order: PaymentOrder) -> None:
        order = self._order(payment_order)
        if order.status == OrderStatus.PAID:
            _release(order.booth_id, order.exhibitor_id)
            _refresh_quota(order.exhibitor_id)
        elif order.status == OrderStatus.PENDING:
            self.released(payment_order)
        order.status = OrderStatus.CANCELLED
        order.payment_note = "Refunded in Stripe."


def _booth_paid_mail(order_id: int) -> None:
    """The manager hears that the booth is theirs, with the numbered receipt."""
    from ..core import mail
    from ..registration.documents import receipt_pdf_for

    order = db.session.get(BoothOrder, order_id)
    exhibitor = order.exhibitor
    event = exhibitor.event
    attachments = []
    if order.payment_order is not None and order.payment_order.receipt_number:
        attachments.append(mail.Attachment(f"receipt-{order.reference}.pdf",
                                           receipt_pdf_for(order.payment_order),
                                           "application/pdf"))
    recipients = sorted({e for e in (exhibitor.owner.email if exhibitor.owner else None,
                                     exhibitor.contact_email) if e})
    registration_notify.send_template(
        recipients, f"Booth {order.booth.code} is yours at {event.name}", "exhibitors_booth_paid",
        attachments=attachments, event=event, exhibitor=exhibitor, order=order,
        team_link=registration_notify.external_url("exhibitors.team", slug=event.slug))


def payments_needing_attention(event: Event) -> list[PaymentOrder]:
    """Booth payments a person must look at (a card payment refunded because the booth had
    gone, a refund made in the Stripe dashboard, an amount mismatch)."""
    return [o for o in payments.orders_needing_attention(event) if o.kind == OrderKind.BOOTH]


def mark_booth_paid(actor: User, event: Event, order: BoothOrder, note: str | None = None
                    ) -> BoothOrder:
    """An organiser confirms the money arrived (a bank transfer): the booth is sold."""
    if order.event_id != event.id:
        raise NotFound("No such booth order in this event.", code="order_not_found")
    if order.status == OrderStatus.PAID:
        raise Conflict(f"Order {order.reference} is already paid.", code="order_paid")
    if order.status == OrderStatus.CANCELLED:
        raise Conflict(f"Order {order.reference} was cancelled.", code="order_cancelled")
    note = (note or "").strip() or None
    if order.payment_order is not None:
        order.payment_note = note
        try:
            payments.mark_paid(actor, order.payment_order)  # delivers through BoothPayable
        except DomainError:
            db.session.rollback()
            raise
    else:
        if not _sell(order, note):
            db.session.rollback()
            raise Conflict(f"Booth {order.booth.code} was sold to someone else after the "
                           "hold expired; offer the exhibitor another booth.",
                           code="booth_taken")
        core.audit(actor, event, "booth.paid", target=order.booth.code,
                   details={"order": order.reference, "amount_minor": order.amount_minor})
        registration_notify.commit()
    db.session.expire_all()
    return order


def cancel_booth_order(actor: User, event: Event, order: BoothOrder) -> BoothOrder:
    if order.event_id != event.id:
        raise NotFound("No such booth order in this event.", code="order_not_found")
    if order.status != OrderStatus.PENDING:
        raise Conflict(f"Order {order.reference} is {order.status}; only a pending order "
                       "can be cancelled.", code="order_not_pending")
    db.session.execute(
        sa.update(Booth).where(Booth.id == order.booth_id,
                               Booth.exhibitor_id == order.exhibitor_id,
                               Booth.status == BoothStatus.HELD)
        .values(status=BoothStatus.AVAILABLE, exhibitor_id=None, held_until=None)
        .execution_options(synchronize_session=False))
    order.status = OrderStatus.CANCELLED
    payments.cancel_open_order(order.payment_order)
    core.audit(actor, event, "booth.cancel", target=order.booth.code,
               details={"order": order.reference})
    db.session.commit()
    db.session.expire_all()
    return order


def assign_booth(actor: User, event: Event, exhibitor: Exhibitor, booth: Booth) -> Booth:
    """An organiser gives a free booth to an exhibitor as sold (complimentary or paid
    outside expo), or moves the exhibitor's sold booth there when `booth` replaces one."""
    if exhibitor.event_id != event.id or booth.event_id != event.id:
        raise NotFound("No such booth in this event.", code="booth_not_found")
    if not exhibitor.is_approved:
        raise Invalid("Approve the exhibitor before giving them a booth.",
                      code="exhibitor_not_approved")
    _expire_stale(event.id)
    if not _claim(booth.id, exhibitor.id, BoothStatus.SOLD, None):
        db.session.rollback()
        raise Conflict(f"Booth {booth.code} is not free.", code="booth_taken")
    _refresh_quota(exhibitor.id)
    _manager_badge_when_booth_sold(exhibitor.id)
    core.audit(actor, event, "booth.assign", target=booth.code,
               details={"exhibitor": exhibitor.name})
    registration_notify.commit()
    db.session.expire_all()
    return booth


def move_booth(actor: User, event: Event, source: Booth, target: Booth) -> Booth:
    """Move an exhibitor from one booth to a free one, keeping its status and order."""
    if source.event_id != event.id or target.event_id != event.id:
        raise NotFound("No such booth in this event.", code="booth_not_found")
    if source.exhibitor_id is None:
        raise Invalid(f"Booth {source.code} has no exhibitor to move.", code="booth_free")
    exhibitor_id, status, held_until = source.exhibitor_id, source.status, source.held_until
    if not _claim(target.id, exhibitor_id, status, held_until):
        db.session.rollback()
        raise Conflict(f"Booth {target.code} is not free.", code="booth_taken")
    _release(source.id, exhibitor_id)
    db.session.execute(sa.update(BoothOrder).where(
        BoothOrder.booth_id == source.id, BoothOrder.exhibitor_id == exhibitor_id,
        BoothOrder.status.in_([OrderStatus.PENDING, OrderStatus.PAID]))
        .values(booth_id=target.id).execution_options(synchronize_session=False))
    _refresh_quota(exhibitor_id)
    core.audit(actor, event, "booth.move", target=source.code, details={"to": target.code})
    db.session.commit()
    db.session.expire_all()
    return target


def release_booth(actor: User, event: Event, booth: Booth) -> None:
    if booth.event_id != event.id:
        raise NotFound("No such booth in this event.", code="booth_not_found")
    if booth.exhibitor_id is None:
        raise Invalid(f"Booth {booth.code} is already free.", code="booth_free")
    exhibitor_id = booth.exhibitor_id
    for order in db.session.scalars(sa.select(BoothOrder).where(
            BoothOrder.booth_id == booth.id, BoothOrder.status == OrderStatus.PENDING)):
        order.status = OrderStatus.CANCELLED
        payments.cancel_open_order(order.payment_order)
    _release(booth.id, exhibitor_id)
    _refresh_quota(exhibitor_id)
    core.audit(actor, event, "booth.release", target=booth.code)
    db.session.commit()
    db.session.expire_all()


# ---------------------------------------------------------------- staff and badges


def exhibitor_pass_type(event: Event) -> PassType:
    """The event's EXHIBITOR pass (owned by the registration feature)."""
    return reg_services.exhibitor_pass_type(event)


def team(exhibitor: Exhibitor) -> list[ExhibitorStaff]:
    return list(db.session.scalars(sa.select(ExhibitorStaff).where(
        ExhibitorStaff.exhibitor_id == exhibitor.id)
        .order_by(ExhibitorStaff.role, ExhibitorStaff.full_name)))


def _use_badge(exhibitor: Exhibitor) -> None:
    """Take one of the package's badges: the database refuses past the quota."""
    grew = db.session.execute(
        sa.update(Exhibitor).where(Exhibitor.id == exhibitor.id,
                                   Exhibitor.staff_count < Exhibitor.staff_quota)
        .values(staff_count=Exhibitor.staff_count + 1)
        .execution_options(synchronize_session=False))
    if grew.rowcount != 1:
        raise Conflict(f"All {exhibitor.staff_quota} staff badges of your booth package are "
                       "used; remove someone or ask the organisers for more.",
                       code="staff_quota_full")


def _badge_for(actor: User | None, event: Event, exhibitor: Exhibitor, user: User,
               full_name: str | None, new_account: bool) -> Registration:
    """The registration feature issues the badge (EXHIBITOR pass, its capacity, one active
    registration per e-mail) and e-mails it once the caller commits."""
    person = reg_services.Person(user.email, full_name or user.full_name, exhibitor.name,
                                 user.job_title, user.country or exhibitor.country)
    return reg_services.issue_exhibitor_badge(actor, event, person, user=user,
                                              exhibitor_name=exhibitor.name,
                                              new_account=new_account)


def invite_staff(actor: User, event: Event, exhibitor: Exhibitor, email: str,
                 full_name: str | None = None) -> tuple[ExhibitorStaff, bool]:
    """Add a staff member with an exhibitor badge, within the package's badge quota.

    Answers the staff row and whether a new account was created (its badge e-mail then
    carries a link to set a password).
    """
    if exhibitor.event_id != event.id:
        raise NotFound("No such exhibitor in this event.", code="exhibitor_not_found")
    if not exhibitor.is_approved:
        raise Forbidden("The exhibitor must be approved before inviting staff.",
                        code="exhibitor_not_approved")
    email = core.normalise_email(email)
    taken = db.session.scalar(sa.select(ExhibitorStaff).where(
        ExhibitorStaff.event_id == event.id, ExhibitorStaff.email == email))
    if taken is not None:
        raise Conflict(f"{email} is already on {taken.exhibitor.name}'s team.",
                       code="staff_exists")
    try:
        _use_badge(exhibitor)
        granted, created = core.grant_role(actor, event, email, Role.EXHIBITOR,
                                           full_name=full_name, commit=False)
        user = granted.user
        registration = _badge_for(actor, event, exhibitor, user, full_name, created)
        staff = ExhibitorStaff(event_id=event.id, exhibitor_id=exhibitor.id, user_id=user.id,
                               email=email, full_name=full_name or user.full_name,
                               registration_id=registration.id, role=StaffRole.STAFF)
        db.session.add(staff)
        try:
            db.session.flush()
        except sa.exc.IntegrityError as error:
            raise Conflict(f"{email} was just added to a team.", code="staff_exists") \
                from error
    except DomainError:
        db.session.rollback()
        raise
    core.audit(actor, event, "staff.invite", target=email, details={"exhibitor": exhibitor.name})
    registration_notify.commit()
    return staff, created


def issue_manager_badge(actor: User | None, event: Event, exhibitor: Exhibitor) -> ExhibitorStaff:
    """The manager's own exhibitor badge. It uses one of the package's badges like any
    team member on the stand (organisers price packages by people on the stand)."""
    manager = db.session.scalar(sa.select(ExhibitorStaff).where(
        ExhibitorStaff.exhibitor_id == exhibitor.id, ExhibitorStaff.role == StaffRole.MANAGER))
    if manager is None or manager.user is None:
        raise NotFound("This exhibitor has no manager.", code="staff_not_found")
    if manager.registration_id is not None:
        raise Conflict("The manager has an exhibitor badge already.", code="badge_exists")
    if not exhibitor.is_approved:
        raise Forbidden("The exhibitor must be approved first.", code="exhibitor_not_approved")
    try:
        _use_badge(exhibitor)
        registration = _badge_for(actor, event, exhibitor, manager.user, manager.full_name,
                                  False)
        manager.registration_id = registration.id
        db.session.flush()
    except DomainError:
        db.session.rollback()
        raise
    core.audit(actor, event, "staff.manager_badge", target=manager.email,
               details={"exhibitor": exhibitor.name})
    registration_notify.commit()
    return manager


def _manager_badge_when_booth_sold(exhibitor_id: int) -> None:
    """Inside a sale's transaction: the manager gets their badge with the first booth,
    unless none is left or their own registration cannot serve (the team page then
    offers the button)."""
    exhibitor = db.session.get(Exhibitor, exhibitor_id)
    db.session.refresh(exhibitor)
    manager = db.session.scalar(sa.select(ExhibitorStaff).where(
        ExhibitorStaff.exhibitor_id == exhibitor_id, ExhibitorStaff.role == StaffRole.MANAGER))
    if manager is None or manager.user is None or manager.registration_id is not None:
        return
    try:
        with db.session.begin_nested():
            _use_badge(exhibitor)
            registration = _badge_for(None, exhibitor.event, exhibitor, manager.user,
                                      manager.full_name, False)
            manager.registration_id = registration.id
            db.session.flush()
    except DomainError:
        return


def badge_pdf(event: Event, registration: Registration, exhibitor: Exhibitor) -> bytes:
    """The team member's A6 badge: the registration feature's badge layout (an EXHIBITOR
    pass reads EXHIBITOR under the name)."""
    from ..registration.documents import badge_pdf_for

    return badge_pdf_for(registration)


def remove_staff(actor: User, event: Event, exhibitor: Exhibitor, staff_id: int) -> None:
    staff = db.session.get(ExhibitorStaff, staff_id)
    if staff is None or staff.exhibitor_id != exhibitor.id or staff.event_id != event.id:
        raise NotFound("No such team member.", code="staff_not_found")
    if staff.role == StaffRole.MANAGER:
        raise Invalid("The manager cannot be removed from the team.", code="manager_stays")
    registration = staff.registration
    if registration is not None and registration.pass_type.code == EXHIBITOR_PASS_CODE \
            and registration.is_active:
        # Through the registration feature: the place goes back to the EXHIBITOR pass.
        reg_services.cancel(actor, registration, by_organiser=True, commit=False)
    db.session.execute(sa.update(Exhibitor).where(Exhibitor.id == exhibitor.id,
                                                  Exhibitor.staff_count > 0)
                       .values(staff_count=Exhibitor.staff_count - 1)
                       .execution_options(synchronize_session=False))
    core.audit(actor, event, "staff.remove", target=staff.email,
               details={"exhibitor": exhibitor.name})
    db.session.delete(staff)
    registration_notify.commit()
    db.session.expire_all()


# ---------------------------------------------------------------- leads


def _contact(registration: Registration) -> dict:
    """What a lead may hold about the visitor: contact details only with consent."""
    base = {"full_name": registration.full_name, "organisation": registration.organisation,
            "country": registration.country}
    if registration.share_contact_with_exhibitors:
        base.update(email=registration.email, phone=registration.phone,
                    job_title=registration.job_title)
    else:
        base.update(email=None, phone=None, job_title=None)
    return base


def _clean_tags(tags) -> list[str]:
    if isinstance(tags, str):
        tags = tags.split(",")
    cleaned = [t[:40] for t in _clean_list(tags)]
    if len(cleaned) > MAX_TAGS:
        raise Invalid(f"At most {MAX_TAGS} tags per lead.", code="too_many_tags")
    return cleaned


def _check_rating(rating) -> int | None:
    if rating is None or rating == "":
        return None
    try:
        value = int(rating)
    except (TypeError, ValueError) as error:
        raise Invalid("The rating is a whole number from 0 to 5.", code="rating_invalid") \
            from error
    if not 0 <= value <= 5:
        raise Invalid("The rating is a whole number from 0 to 5.", code="rating_invalid")
    return value


def _scan_time(scanned_at, now):
    """When a scanner queued the scan offline, it sends the time it scanned."""
    if scanned_at is None:
        return now
    if scanned_at.tzinfo is None:
        raise Invalid("scanned_at needs a time zone offset.", code="scanned_at_naive")
    if scanned_at > now + timedelta(minutes=5):
        raise Invalid("scanned_at is in the future.", code="scanned_at_in_future")
    if scanned_at < now - timedelta(days=30):
        raise Invalid("scanned_at is more than 30 days ago.", code="scanned_at_too_old")
    return scanned_at


def record_lead(actor: User, event: Event, code: str, *, notes: str | None = None,
                rating=None, tags=None, scanned_at=None) -> tuple[Lead, bool]:
    """A staff member scanned a visitor's badge: one lead per exhibitor and visitor;
    a re-scan updates it. Answers the lead and whether it is new."""
    member = require_member(event, actor)
    exhibitor = member.exhibitor
    if not exhibitor.is_approved:
        raise Forbidden("Your exhibitor is not approved yet.", code="exhibitor_not_approved")
    rating = _check_rating(rating)
    tags = _clean_tags(tags) if tags is not None else None
    read = read_badge(event, code)
    if read.problem is not None:
        raise Invalid(read.reason, code=f"badge_{read.problem}")
    registration = read.registration
    if not registration.is_active:
        raise Invalid(f"This badge's registration is {registration.status}.",
                      code="registration_inactive")
    now = _scan_time(scanned_at, utcnow())
    values = _contact(registration)
    lead = db.session.scalar(sa.select(Lead).where(Lead.exhibitor_id == exhibitor.id,
                                                   Lead.registration_id == registration.id))
    created = False
    if lead is None:
        lead = Lead(event_id=event.id, exhibitor_id=exhibitor.id,
                    registration_id=registration.id, scanned_by_id=actor.id, scan_count=1,
                    first_scanned_at=now, last_scanned_at=now, follow_up=FollowUp.NEW,
                    notes=(notes or "").strip() or None, rating=rating, tags=tags or [],
                    **values)
        try:
            with db.session.begin_nested():
                db.session.add(lead)
            created = True
        except sa.exc.IntegrityError:
            # Another scanner recorded the same visitor a moment ago: update that lead.
            lead = db.session.scalar(sa.select(Lead).where(
                Lead.exhibitor_id == exhibitor.id, Lead.registration_id == registration.id))
    if not created:
        db.session.execute(sa.update(Lead).where(Lead.id == lead.id).values(
            scan_count=Lead.scan_count + 1, scanned_by_id=actor.id,
            **values).execution_options(synchronize_session=False))
        db.session.refresh(lead)
        # Offline scans may arrive late and out of order.
        lead.last_scanned_at = max(lead.last_scanned_at, now)
        lead.first_scanned_at = min(lead.first_scanned_at, now)
        if notes and notes.strip():
            lead.notes = f"{lead.notes}\n{notes.strip()}" if lead.notes else notes.strip()
        if rating is not None:
            lead.rating = rating
        if tags:
            lead.tags = _clean_list([*(lead.tags or []), *tags])[:MAX_TAGS]
    db.session.commit()
    return lead, created


def leads(exhibitor: Exhibitor, *, q: str | None = None, follow_up: str | None = None
          ) -> list[Lead]:
    query = sa.select(Lead).where(Lead.exhibitor_id == exhibitor.id,
                                  Lead.event_id == exhibitor.event_id)
    if follow_up:
        query = query.where(Lead.follow_up == follow_up)
    if q:
        like = f"%{q.strip()}%"
        query = query.where(sa.or_(Lead.full_name.ilike(like), Lead.organisation.ilike(like)))
    return list(db.session.scalars(query.order_by(Lead.last_scanned_at.desc())))


def lead_of(exhibitor: Exhibitor, lead_id: int) -> Lead:
    """One of the exhibitor's own leads; another exhibitor's answers 404."""
    lead = db.session.get(Lead, lead_id)
    if lead is None or lead.exhibitor_id != exhibitor.id:
        raise NotFound("No such lead.", code="lead_not_found")
    return lead


def update_lead(actor: User, event: Event, lead: Lead, *, notes: str | None = None,
                rating=None, tags=None, follow_up: str | None = None) -> Lead:
    member = require_member(event, actor)
    if lead.exhibitor_id != member.exhibitor_id:
        raise NotFound("No such lead.", code="lead_not_found")
    if follow_up is not None and follow_up not in set(FollowUp):
        raise Invalid(f"Unknown follow-up status {follow_up!r}.", code="follow_up_unknown")
    lead.notes = (notes or "").strip() or None
    lead.rating = _check_rating(rating)
    lead.tags = _clean_tags(tags or [])
    if follow_up is not None:
        lead.follow_up = follow_up
    db.session.commit()
    return lead


LEAD_HEADER = ["Name", "Organisation", "Country", "E-mail", "Phone", "Job title", "Rating",
               "Tags", "Follow-up", "Notes", "Scanned by", "First scan (UTC)",
               "Last scan (UTC)", "Scans"]


def lead_rows(exhibitor: Exhibitor) -> list[list]:
    return [[lead.full_name, lead.organisation, lead.country, lead.email, lead.phone,
             lead.job_title, lead.rating, lead.tags, lead.follow_up, lead.notes,
             lead.scanned_by.full_name if lead.scanned_by else None,
             lead.first_scanned_at.strftime("%Y-%m-%d %H:%M"),
             lead.last_scanned_at.strftime("%Y-%m-%d %H:%M"), lead.scan_count]
            for lead in leads(exhibitor)]


EXHIBITOR_HEADER = ["Exhibitor", "Status", "Country", "Sectors", "Pillars", "Website",
                    "Contact e-mail", "Booths", "Hall", "Area (m²)", "Staff badges used",
                    "Staff badges", "Applied (UTC)"]


def exhibitor_rows(event: Event) -> list[list]:
    rows = []
    for e in exhibitors(event):
        rows.append([e.name, e.status, e.country, e.sectors, e.pillars, e.website,
                     e.contact_email,
                     [f"{b.code} ({b.status})" for b in e.booths],
                     sorted({b.hall.name for b in e.booths}),
                     sum(b.area_m2 for b in e.booths if b.status == BoothStatus.SOLD),
                     e.staff_count, e.staff_quota, e.created_at.strftime("%Y-%m-%d %H:%M")])
    return rows


# ---------------------------------------------------------------- consent (PDPA 2010)


def registrations_of(event: Event, user: User) -> list[Registration]:
    return list(db.session.scalars(sa.select(Registration).where(
        Registration.event_id == event.id,
        sa.or_(Registration.user_id == user.id, Registration.email == user.email),
        Registration.status.in_(HOLDING)).order_by(Registration.created_at)))


def _own_registration(event: Event, user: User, registration_id: int) -> Registration:
    for registration in registrations_of(event, user):
        if registration.id == registration_id:
            return registration
    raise NotFound("No such registration of yours.", code="registration_not_found")


def _strip_contact(registration_id: int, exhibitor_id: int | None = None) -> int:
    query = sa.update(Lead).where(Lead.registration_id == registration_id)
    if exhibitor_id is not None:
        query = query.where(Lead.exhibitor_id == exhibitor_id)
    result = db.session.execute(query.values(email=None, phone=None, job_title=None)
                                .execution_options(synchronize_session=False))
    return result.rowcount


def set_contact_sharing(actor: User, event: Event, registration_id: int, share: bool) -> int:
    """Change the consent; withdrawing strips the contact details from every lead.
    Answers how many leads lost the details."""
    registration = _own_registration(event, actor, registration_id)
    # One source of truth: the registration feature changes the consent and calls
    # `strip_leads_of` (registered by init_app) when it is withdrawn.
    return reg_services.set_contact_sharing(registration, share, actor)


def strip_leads_of(registration: Registration) -> int:
    """Consent withdrawn: every exhibitor's lead loses the visitor's contact details."""
    return _strip_contact(registration.id)


def withdraw_from(actor: User, event: Event, registration_id: int, exhibitor_id: int) -> int:
    registration = _own_registration(event, actor, registration_id)
    exhibitor_in(event, exhibitor_id)
    stripped = _strip_contact(registration.id, exhibitor_id)
    core.audit(actor, event, "consent.withdraw", target=registration.reference,
               details={"exhibitor_id": exhibitor_id})
    db.session.commit()
    db.session.expire_all()
    return stripped


def leads_about(registration: Registration) -> list[Lead]:
    """Every exhibitor who scanned this visitor, with what they hold."""
    return list(db.session.scalars(sa.select(Lead).where(
        Lead.registration_id == registration.id).order_by(Lead.first_scanned_at)))
