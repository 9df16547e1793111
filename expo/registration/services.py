"""Registration rules: pass types, registering, approvals, holds, waiting list, vouchers.

Each public function is one transaction: it commits on success and raises a
DomainError (changing nothing) when a rule says no. Capacity is guarded by the
database: a place is taken with a conditional UPDATE, and every status change
is itself a conditional UPDATE on the old status, so a place moves exactly once
even when two requests race. Payments (Stripe, invoices) live in payments.py.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from ..core import services as core
from ..core.models import Event, User
from ..errors import Conflict, Invalid, NotFound
from ..extensions import db
from ..timeutil import utcnow
from . import notify, rules
from .models import (
    HOLDING,
    Delegation,
    Order,
    OrderStatus,
    PassType,
    PaymentMethod,
    PaymentStatus,
    Question,
    QuestionKind,
    Registration,
    RegistrationSettings,
    RegistrationStatus,
    Visibility,
    Voucher,
    VoucherKind,
    WaitingListEntry,
    WaitStatus,
)

S = RegistrationStatus
REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
COLOUR_RE = re.compile(r"^#[0-9A-Fa-f]{6}$")
CODE_RE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


def new_reference(prefix: str = "R") -> str:
    return prefix + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(9))


# ---------------------------------------------------------------- capacity


def take_place(pass_type_id: int) -> bool:
    """Take one place if one is left: the database decides, never a read in Python."""
    result = db.session.execute(
        sa.update(PassType)
        .where(PassType.id == pass_type_id,
               sa.or_(PassType.capacity.is_(None), PassType.taken < PassType.capacity))
        .values(taken=PassType.taken + 1)
        .execution_options(synchronize_session=False))
    return result.rowcount == 1


def release_place(pass_type_id: int) -> None:
    db.session.execute(sa.update(PassType).where(PassType.id == pass_type_id, PassType.taken > 0)
                       .values(taken=PassType.taken - 1)
                       .execution_options(synchronize_session=False))


def _move(registration: Registration, from_statuses, to_status: str, **values) -> bool:
    """Change the status only if it is still one of `from_statuses`; adjust capacity once.

    Answers whether this call made the change (a racing call that lost sees False).
    """
    result = db.session.execute(
        sa.update(Registration)
        .where(Registration.id == registration.id, Registration.status.in_(list(from_statuses)))
        .values(status=to_status, updated_at=utcnow(), **values)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        db.session.refresh(registration)
        return False
    old = registration.status
    if old in HOLDING and to_status not in HOLDING:
        release_place(registration.pass_type_id)
    elif old not in HOLDING and to_status in HOLDING:
        if not take_place(registration.pass_type_id):
            raise Conflict("No place is left on this pass.", code="sold_out")
    db.session.refresh(registration)
    return True


# ---------------------------------------------------------------- settings


def settings_for(event: Event) -> RegistrationSettings:
    """The event's registration settings (defaults, unsaved, when never set)."""
    found = db.session.scalar(sa.select(RegistrationSettings)
                              .where(RegistrationSettings.event_id == event.id))
    return found or RegistrationSettings(event_id=event.id, tax_rate_bp=0, tax_label="SST",
                                         tax_included=True, hold_minutes=30, offer_hours=48,
                                         invoice_days=14, receipt_counter=0)


def ensure_settings(event: Event) -> RegistrationSettings:
    """The settings row, created inside the current transaction (a savepoint) if absent."""
    found = db.session.scalar(sa.select(RegistrationSettings)
                              .where(RegistrationSettings.event_id == event.id))
    if found is not None:
        return found
    try:
        with db.session.begin_nested():
            found = settings_for(event)
            db.session.add(found)
    except sa.exc.IntegrityError:
        found = db.session.scalar(sa.select(RegistrationSettings)
                                  .where(RegistrationSettings.event_id == event.id))
    return found


SETTING_FIELDS = ("tax_rate_bp", "tax_label", "tax_included", "hold_minutes", "offer_hours",
                  "invoice_days",
                  "edit_cutoff", "bank_details", "seller_name", "seller_tax_id")


def update_settings(actor: User, event: Event, **fields) -> RegistrationSettings:
    unknown = set(fields) - set(SETTING_FIELDS)
    if unknown:
        raise Invalid(f"Unknown settings: {', '.join(sorted(unknown))}.")
    if not 0 <= int(fields.get("tax_rate_bp", 0) or 0) <= 10000:
        raise Invalid("The tax rate is between 0 and 100 %.", code="tax_rate_invalid")
    if min(int(fields.get(k, 1) or 0) for k in ("hold_minutes", "offer_hours",
                                                  "invoice_days")) < 1:
        raise Invalid("Holds and offers last at least one minute / hour.", code="hold_invalid")
    row = ensure_settings(event)
    for key, value in fields.items():
        setattr(row, key, value)
    core.audit(actor, event, "registration.settings", details={
        k: str(v) for k, v in fields.items() if k != "bank_details"})
    notify.commit()
    return row


# ---------------------------------------------------------------- pass types

PASS_FIELDS = ("code", "name", "description", "price_minor", "currency", "capacity",
               "sales_start", "sales_end", "visibility", "invite_code", "requires_approval",
               "badge_colour", "zones", "position")


def _check_pass_fields(fields: dict) -> None:
    if "code" in fields and not CODE_RE.match(fields["code"] or ""):
        raise Invalid("The code takes letters, digits, '-' and '_' (up to 32).",
                      code="pass_code_invalid")
    if "name" in fields and not (fields["name"] or "").strip():
        raise Invalid("Give the pass a name.", code="pass_name_required")
    price = fields.get("price_minor", 0)
    if not isinstance(price, int) or isinstance(price, bool) or price < 0:
        raise Invalid("The price is a whole number of sen (minor units), 0 or more.",
                      code="price_invalid")
    capacity = fields.get("capacity")
    if capacity is not None and (not isinstance(capacity, int) or capacity < 0):
        raise Invalid("Capacity is a whole number, 0 or more (empty: unlimited).",
                      code="capacity_invalid")
    if "currency" in fields and not re.fullmatch(r"[A-Z]{3}", fields["currency"] or ""):
        raise Invalid("Currency is a three-letter ISO 4217 code such as MYR.",
                      code="currency_invalid")
    if "visibility" in fields and fields["visibility"] not in set(Visibility):
        raise Invalid(f"Visibility is one of {', '.join(Visibility)}.",
                      code="visibility_invalid")
    if "badge_colour" in fields and not COLOUR_RE.match(fields["badge_colour"] or ""):
        raise Invalid("The badge colour is a hex colour like #0B5D7A.", code="colour_invalid")
    start, end = fields.get("sales_start"), fields.get("sales_end")
    if start and end and end <= start:
        raise Invalid("Sales must end after they start.", code="sales_window_invalid")


def create_pass_type(actor: User | None, event: Event, **fields) -> PassType:
    unknown = set(fields) - set(PASS_FIELDS)
    if unknown:
        raise Invalid(f"Unknown pass type fields: {', '.join(sorted(unknown))}.")
    fields.setdefault("currency", event.currency or "MYR")
    fields.setdefault("price_minor", 0)
    _check_pass_fields(fields)
    if fields.get("visibility") == Visibility.INVITE and not fields.get("invite_code"):
        fields["invite_code"] = secrets.token_urlsafe(12)
    if db.session.scalar(sa.select(PassType.id).where(PassType.event_id == event.id,
                                                      PassType.code == fields["code"])):
        raise Conflict(f"A pass type with code {fields['code']!r} exists already.",
                       code="pass_code_taken")
    pass_type = PassType(event_id=event.id, **fields)
    db.session.add(pass_type)
    db.session.flush()
    core.audit(actor, event, "pass_type.create", target=pass_type.code)
    notify.commit()
    return pass_type


def update_pass_type(actor: User, event: Event, pass_type: PassType, **fields) -> PassType:
    unknown = set(fields) - set(PASS_FIELDS)
    if unknown:
        raise Invalid(f"Unknown pass type fields: {', '.join(sorted(unknown))}.")
    _check_pass_fields({"price_minor": pass_type.price_minor, **fields})
    if "capacity" in fields and fields["capacity"] is not None:
        # Conditional: a concurrent registration cannot slip under the new capacity.
        ok = db.session.execute(sa.update(PassType).where(
            PassType.id == pass_type.id, PassType.taken <= fields["capacity"])
            .values(capacity=fields["capacity"]).execution_options(synchronize_session=False))
        if ok.rowcount != 1:
            db.session.rollback()
            raise Invalid(f"{pass_type.taken} places are taken already: capacity cannot be "
                          "lower.", code="capacity_below_taken")
        db.session.refresh(pass_type)
        fields.pop("capacity")
    if fields.get("visibility") == Visibility.INVITE and not (fields.get("invite_code")
                                                              or pass_type.invite_code):
        fields["invite_code"] = secrets.token_urlsafe(12)
    for key, value in fields.items():
        setattr(pass_type, key, value)
    core.audit(actor, event, "pass_type.update", target=pass_type.code)
    db.session.flush()
    _offer_free_places(pass_type)
    notify.commit()
    return pass_type


def pass_types(event: Event, *, public_only: bool = False) -> list[PassType]:
    query = sa.select(PassType).where(PassType.event_id == event.id)
    if public_only:
        query = query.where(PassType.visibility == Visibility.PUBLIC)
    return list(db.session.scalars(query.order_by(PassType.position, PassType.id)))


def pass_type_by_id(event: Event, pass_type_id: int) -> PassType:
    found = db.session.get(PassType, pass_type_id)
    if found is None or found.event_id != event.id:
        raise NotFound("No such pass type in this event.", code="pass_type_not_found")
    return found


def pass_type_by_code(event: Event, code: str) -> PassType:
    found = db.session.scalar(sa.select(PassType).where(PassType.event_id == event.id,
                                                        PassType.code == code))
    if found is None:
        raise NotFound(f"No pass type {code!r} in this event.", code="pass_type_not_found")
    return found


def sale_problem(pass_type: PassType, now: datetime | None = None) -> str | None:
    now = now or utcnow()
    if pass_type.sales_start and now < pass_type.sales_start:
        return "Sales for this pass have not started yet."
    if pass_type.sales_end and now > pass_type.sales_end:
        return "Sales for this pass have ended."
    return None


# ---------------------------------------------------------------- questions


def questions_for(event: Event, pass_type_id: int | None = None) -> list[Question]:
    found = db.session.scalars(sa.select(Question).where(Question.event_id == event.id)
                               .order_by(Question.position, Question.id))
    return [q for q in found
            if pass_type_id is None or not q.pass_type_ids or pass_type_id in q.pass_type_ids]


def create_question(actor: User, event: Event, label: str, kind: str, *,
                    choices: list[str] | None = None, required: bool = False,
                    pass_type_ids: list[int] | None = None) -> Question:
    if not (label or "").strip():
        raise Invalid("Write the question.", code="question_label_required")
    if kind not in set(QuestionKind):
        raise Invalid(f"Question kind is one of {', '.join(QuestionKind)}.",
                      code="question_kind_invalid")
    choices = [c.strip() for c in (choices or []) if c.strip()]
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE) and len(choices) < 2:
        raise Invalid("A choice question needs at least two choices.",
                      code="question_choices_required")
    for pid in pass_type_ids or []:
        pass_type_by_id(event, pid)
    position = (db.session.scalar(sa.select(sa.func.max(Question.position))
                                  .where(Question.event_id == event.id)) or 0) + 1
    question = Question(event_id=event.id, label=label.strip(), kind=kind, choices=choices,
                        required=required, pass_type_ids=list(pass_type_ids or []),
                        position=position)
    db.session.add(question)
    core.audit(actor, event, "question.create", target=label[:100])
    notify.commit()
    return question


def delete_question(actor: User, event: Event, question_id: int) -> None:
    question = db.session.get(Question, question_id)
    if question is None or question.event_id != event.id:
        raise NotFound("No such question.")
    core.audit(actor, event, "question.delete", target=question.label[:100])
    db.session.delete(question)
    notify.commit()


def check_answers(event: Event, pass_type_id: int, answers: dict) -> dict:
    """The answers keyed by question id (as text), or Invalid with per-question messages."""
    answers = {str(k): v for k, v in (answers or {}).items()}
    clean: dict[str, object] = {}
    problems: dict[str, str] = {}
    for q in questions_for(event, pass_type_id):
        key = str(q.id)
        value = answers.get(key)
        if q.kind == QuestionKind.MULTIPLE:
            values = value if isinstance(value, list) else ([value] if value else [])
            values = [str(v) for v in values if str(v).strip()]
            if any(v not in q.choices for v in values):
                problems[key] = "Choose from the offered answers."
            elif q.required and not values:
                problems[key] = "Choose at least one answer."
            else:
                clean[key] = values
            continue
        text = "" if value is None else str(value).strip()
        if q.kind == QuestionKind.YESNO and text:
            text = {"y": "yes", "true": "yes", "1": "yes", "n": "no", "false": "no",
                    "0": "no"}.get(text.lower(), text.lower())
            if text not in ("yes", "no"):
                problems[key] = "Answer yes or no."
                continue
        if q.kind == QuestionKind.SINGLE and text and text not in q.choices:
            problems[key] = "Choose one of the offered answers."
            continue
        if q.required and not text:
            problems[key] = "This question needs an answer."
            continue
        if len(text) > 2000:
            problems[key] = "Keep the answer under 2,000 characters."
            continue
        clean[key] = text
    if problems:
        raise Invalid("Some answers need attention.", code="answers_invalid", details=problems)
    return clean


# ---------------------------------------------------------------- vouchers


def create_voucher(actor: User, event: Event, code: str, kind: str, value: int, *,
                   max_uses: int | None = None, valid_from: datetime | None = None,
                   valid_until: datetime | None = None,
                   pass_type_ids: list[int] | None = None) -> Voucher:
    code = (code or "").strip().upper()
    if not re.fullmatch(r"[A-Z0-9_-]{3,40}", code):
        raise Invalid("A voucher code has 3-40 letters, digits, '-' or '_'.",
                      code="voucher_code_invalid")
    if kind not in set(VoucherKind):
        raise Invalid(f"Discount kind is one of {', '.join(VoucherKind)}.",
                      code="voucher_kind_invalid")
    if value < 0 or (kind == VoucherKind.PERCENT and not 1 <= value <= 100):
        raise Invalid("A percent discount is between 1 and 100.", code="voucher_value_invalid")
    if max_uses is not None and max_uses < 1:
        raise Invalid("Maximum uses is at least 1 (empty: unlimited).",
                      code="voucher_max_invalid")
    for pid in pass_type_ids or []:
        pass_type_by_id(event, pid)
    if db.session.scalar(sa.select(Voucher.id).where(Voucher.event_id == event.id,
                                                     Voucher.code == code)):
        raise Conflict(f"Voucher {code} exists already.", code="voucher_code_taken")
    voucher = Voucher(event_id=event.id, code=code, kind=kind,
                      value=0 if kind == VoucherKind.FREE else value, max_uses=max_uses,
                      valid_from=valid_from, valid_until=valid_until,
                      pass_type_ids=list(pass_type_ids or []))
    db.session.add(voucher)
    core.audit(actor, event, "voucher.create", target=code)
    notify.commit()
    return voucher


def vouchers(event: Event) -> list[Voucher]:
    return list(db.session.scalars(sa.select(Voucher).where(Voucher.event_id == event.id)
                                   .order_by(Voucher.code)))


def _voucher_for(event: Event, code: str, pass_type: PassType) -> Voucher:
    voucher = db.session.scalar(sa.select(Voucher).where(
        Voucher.event_id == event.id, Voucher.code == code.strip().upper()))
    if voucher is None:
        raise Invalid("No voucher with this code.", code="voucher_unknown",
                      details={"voucher": "No voucher with this code."})
    problem = rules.voucher_problem(now=utcnow(), valid_from=voucher.valid_from,
                                    valid_until=voucher.valid_until, max_uses=voucher.max_uses,
                                    used=voucher.used, pass_type_ids=voucher.pass_type_ids,
                                    pass_type_id=pass_type.id)
    if problem:
        raise Invalid(problem[1], code=problem[0], details={"voucher": problem[1]})
    return voucher


def _use_voucher(voucher: Voucher, times: int = 1) -> None:
    result = db.session.execute(
        sa.update(Voucher).where(Voucher.id == voucher.id, sa.or_(
            Voucher.max_uses.is_(None), Voucher.used + times <= Voucher.max_uses))
        .values(used=Voucher.used + times).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise Invalid("This voucher has been used up.", code="voucher_used_up",
                      details={"voucher": "This voucher has been used up."})


# ---------------------------------------------------------------- registering


class Person:
    """One attendee's details as typed in a form, the API or an import row."""

    def __init__(self, email: str, full_name: str, organisation: str | None = None,
                 job_title: str | None = None, country: str | None = None,
                 phone: str | None = None, role: str | None = None):
        self.email = core.normalise_email(email or "")
        self.full_name = (full_name or "").strip()
        if not self.full_name:
            raise Invalid("Give the attendee's full name.", code="name_required",
                          details={"full_name": "Give the attendee's full name."})
        if len(self.full_name) > 200:
            raise Invalid("The name is too long.", code="name_too_long")
        self.organisation = (organisation or "").strip() or None
        self.job_title = (job_title or "").strip() or None
        self.country = (country or "").strip() or None
        self.phone = (phone or "").strip() or None
        self.role = (role or "").strip() or None


def active_registration(event: Event, email: str) -> Registration | None:
    return db.session.scalar(sa.select(Registration).where(
        Registration.event_id == event.id, Registration.email == email.strip().lower(),
        Registration.status.in_(list(HOLDING))))


def _already_registered(email: str) -> Conflict:
    return Conflict(f"{email} is already registered for this event. Open “my registration” "
                    "from the confirmation e-mail to see or change it.",
                    code="already_registered", details={"email": "Already registered."})


def _initial_status(pass_type: PassType, price: int) -> tuple[str, str]:
    if pass_type.requires_approval:
        return S.AWAITING_APPROVAL, (PaymentStatus.PENDING if price else PaymentStatus.NONE)
    if price:
        return S.AWAITING_PAYMENT, PaymentStatus.PENDING
    return S.CONFIRMED, PaymentStatus.NONE


def register(event: Event, pass_type: PassType, person: Person, *, answers: dict | None = None,
             voucher_code: str | None = None, invite_code: str | None = None,
             user: User | None = None, share_contact: bool = False,
             by_organiser: bool = False, actor: User | None = None,
             offer: WaitingListEntry | None = None) -> Registration:
    """One person registers for one pass: confirmed, awaiting approval, or awaiting payment."""
    regs = register_group(event, pass_type, [person], answers=[answers or {}],
                          voucher_code=voucher_code, invite_code=invite_code, user=user,
                          share_contact=share_contact, by_organiser=by_organiser, actor=actor,
                          offer=offer)
    return regs[0]


def register_group(event: Event, pass_type: PassType, people: list[Person], *,
                   answers: list[dict] | None = None, voucher_code: str | None = None,
                   invite_code: str | None = None, user: User | None = None,
                   share_contact: bool = False, by_organiser: bool = False,
                   actor: User | None = None, offer: WaitingListEntry | None = None,
                   delegation: dict | None = None, send_mail: bool = True,
                   commit: bool = True, ask_questions: bool = True,
                   _retry: bool = True) -> list[Registration]:
    """Several people in one order (a delegation); all or nothing.

    With commit=False the registrations join the caller's transaction (another feature's
    service that commits them with notify.commit(), which then sends the mail); a refusal
    raises without rolling back, and the caller rolls back."""
    if pass_type.event_id != event.id:
        raise NotFound("No such pass type in this event.", code="pass_type_not_found")
    if not people:
        raise Invalid("Add at least one person.", code="people_required")
    if not by_organiser and offer is None:
        if pass_type.visibility == Visibility.INVITE and (
                not invite_code or not secrets.compare_digest(invite_code,
                                                              pass_type.invite_code or "")):
            raise NotFound("This pass is by invitation only: use the link you were sent.",
                           code="invite_required")
        problem = sale_problem(pass_type)
        if problem:
            raise Invalid(problem, code="not_on_sale")
    emails = [p.email for p in people]
    if len(set(emails)) != len(emails):
        raise Invalid("Each person needs their own e-mail address.", code="duplicate_email")
    for email in emails:
        if active_registration(event, email) is not None:
            raise _already_registered(email)
    answers = answers or [{}] * len(people)
    # Badges issued for a role (exhibitor staff) are not the delegates' questionnaire.
    clean_answers = [check_answers(event, pass_type.id, a) if ask_questions else {}
                     for a in answers]
    voucher = _voucher_for(event, voucher_code, pass_type) if voucher_code else None
    price = pass_type.price_minor
    cut = rules.discount(price, voucher.kind, voucher.value) if voucher else 0
    unit = price - cut
    status, payment_status = _initial_status(pass_type, unit)
    if by_organiser and status == S.AWAITING_APPROVAL:
        status = S.AWAITING_PAYMENT if unit else S.CONFIRMED

    # Places: an accepted waiting-list offer already holds one.
    needed = len(people) - (1 if offer is not None else 0)
    for _ in range(needed):
        if not take_place(pass_type.id):
            if not commit:
                raise Conflict(f"“{pass_type.name}” is full.", code="sold_out")
            db.session.rollback()  # this request's places taken so far
            # Expired holds give their places back (committed on their own: housekeeping),
            # to the people on the waiting list first; then try once more.
            if _retry and _expire_holds_of(pass_type.id):
                _offer_free_places(pass_type)
                notify.commit()
                return register_group(
                    event, pass_type, people, answers=answers, voucher_code=voucher_code,
                    invite_code=invite_code, user=user, share_contact=share_contact,
                    by_organiser=by_organiser, actor=actor, offer=offer,
                    delegation=delegation, send_mail=send_mail, ask_questions=ask_questions,
                    _retry=False)
            raise Conflict(f"“{pass_type.name}” is sold out. You can join the waiting "
                           "list.", code="sold_out")
    if voucher is not None:
        _use_voucher(voucher, len(people))

    settings = settings_for(event)
    total = unit * len(people)
    order = Order(event_id=event.id, reference=new_reference("O"),
                  buyer_email=people[0].email, buyer_name=people[0].full_name,
                  currency=pass_type.currency, subtotal_minor=price * len(people),
                  discount_minor=cut * len(people), total_minor=total,
                  tax_rate_bp=settings.tax_rate_bp,
                  tax_minor=rules.tax_of(total, settings.tax_rate_bp, True),
                  voucher_id=voucher.id if voucher else None,
                  status=OrderStatus.FREE if total == 0 else OrderStatus.OPEN,
                  method=PaymentMethod.NONE if total == 0 else (
                      PaymentMethod.STRIPE if stripe_configured() else PaymentMethod.INVOICE))
    db.session.add(order)
    db.session.flush()
    group = None
    if delegation is not None:
        group = Delegation(event_id=event.id, name=delegation["name"],
                           country=delegation.get("country"), head_email=people[0].email,
                           head_user_id=user.id if user else None, order_id=order.id)
        db.session.add(group)
        db.session.flush()
    hold_until = _hold_until(status, order.method, settings)
    created = []
    for index, (person, person_answers) in enumerate(zip(people, clean_answers, strict=True)):
        reg = Registration(
            event_id=event.id, pass_type_id=pass_type.id,
            user_id=user.id if (user is not None and index == 0) else None,
            email=person.email, full_name=person.full_name, organisation=person.organisation,
            job_title=person.job_title, country=person.country, phone=person.phone,
            status=status, payment_status=payment_status, price_minor=unit,
            currency=pass_type.currency, hold_expires_at=hold_until, badge_serial=1,
            reference=new_reference(), answers=person_answers,
            share_contact_with_exhibitors=share_contact, order_id=order.id,
            delegation_id=group.id if group else None,
            delegation_role=person.role or ("Head of delegation" if group and index == 0
                                            else None))
        db.session.add(reg)
        created.append(reg)
    if offer is not None:
        offer.status = WaitStatus.ACCEPTED
    try:
        db.session.flush()
    except sa.exc.IntegrityError:
        # Another request registered one of these e-mails at the same moment.
        if commit:
            db.session.rollback()
        raise _already_registered(emails[0]) from None
    core.audit(actor or user, event, "registration.create" if not by_organiser
               else "registration.add", target=", ".join(r.reference for r in created),
               details={"pass": pass_type.code, "status": status, "count": len(created)})
    if not commit:
        if send_mail:
            for reg in created:
                notify.after_commit(notify.later, "registration_received", reg.id)
        return created
    notify.commit()
    if send_mail:
        for reg in created:
            notify.later("registration_received", reg.id)
    return created


# ---------------------------------------------------------------- holds


def _hold_until(status: str, method: str, settings: RegistrationSettings) -> datetime | None:
    """How long an unpaid place stays held: minutes for a card checkout, days for a
    bank transfer."""
    if status != S.AWAITING_PAYMENT:
        return None
    if method == PaymentMethod.STRIPE:
        return utcnow() + timedelta(minutes=settings.hold_minutes)
    return utcnow() + timedelta(days=settings.invoice_days)


def _expire_holds_of(pass_type_id: int | None = None, event_id: int | None = None) -> int:
    """Expire unpaid holds whose time ran out (inside the current transaction)."""
    query = sa.select(Registration).where(
        Registration.status == S.AWAITING_PAYMENT, Registration.hold_expires_at.is_not(None),
        Registration.hold_expires_at < utcnow())
    if pass_type_id is not None:
        query = query.where(Registration.pass_type_id == pass_type_id)
    if event_id is not None:
        query = query.where(Registration.event_id == event_id)
    count = 0
    for reg in db.session.scalars(query.limit(500)).all():
        if _move(reg, [S.AWAITING_PAYMENT], S.EXPIRED):
            count += 1
            if reg.order is not None and reg.order.status == OrderStatus.OPEN:
                _close_order_if_done(reg.order, OrderStatus.CANCELLED)
    return count


def expire_holds(event: Event | None = None) -> int:
    """Free the places of unpaid checkouts and expired waiting-list offers; offer them on."""
    count = _expire_holds_of(event_id=event.id if event else None)
    count += _expire_offers(event.id if event else None)
    touched = {pt for pt in db.session.scalars(sa.select(PassType).where(
        PassType.event_id == event.id) if event else sa.select(PassType))}
    for pass_type in touched:
        _offer_free_places(pass_type)
    notify.commit()
    return count


def _close_order_if_done(order: Order, status: str) -> None:
    if all(r.status not in HOLDING for r in order.registrations):
        db.session.execute(sa.update(Order).where(Order.id == order.id,
                                                  Order.status == OrderStatus.OPEN)
                           .values(status=status, updated_at=utcnow()))


# ---------------------------------------------------------------- lookups


def registrations_query(event: Event, *, status: str | None = None,
                        pass_type_id: int | None = None, q: str | None = None,
                        updated_since: datetime | None = None, delegation_id: int | None = None,
                        sort: str = "name"):
    query = sa.select(Registration).where(Registration.event_id == event.id)
    if status:
        query = query.where(Registration.status == status)
    if pass_type_id:
        query = query.where(Registration.pass_type_id == pass_type_id)
    if delegation_id:
        query = query.where(Registration.delegation_id == delegation_id)
    if updated_since is not None:
        query = query.where(Registration.updated_at >= updated_since)
    if q:
        like = f"%{q.strip().lower()}%"
        query = query.where(sa.or_(sa.func.lower(Registration.full_name).like(like),
                                   sa.func.lower(Registration.email).like(like),
                                   sa.func.lower(Registration.organisation).like(like),
                                   sa.func.lower(Registration.country).like(like),
                                   sa.func.lower(Registration.reference).like(like)))
    if sort == "updated":
        return query.order_by(Registration.updated_at, Registration.id)
    if sort == "delegation":
        query = query.outerjoin(Delegation, Delegation.id == Registration.delegation_id)
        return query.order_by(Delegation.name.is_(None), Delegation.name,
                              Registration.full_name, Registration.id)
    return query.order_by(Registration.full_name, Registration.id)


def registration_by_id(event: Event, registration_id: int) -> Registration:
    reg = db.session.get(Registration, registration_id)
    if reg is None or reg.event_id != event.id:
        raise NotFound("No such registration in this event.", code="registration_not_found")
    return reg


def registrations_of(user: User, event: Event) -> list[Registration]:
    return list(db.session.scalars(sa.select(Registration).where(
        Registration.event_id == event.id,
        sa.or_(Registration.user_id == user.id, Registration.email == user.email))
        .order_by(Registration.id.desc())))


def _link_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="expo.my-registration")


def access_key(reg: Registration) -> str:
    """The secret in the e-mailed "my registration" link (no account needed)."""
    return _link_serializer().dumps([reg.id, reg.reference])


def registration_for_key(event: Event, key: str) -> Registration:
    try:
        reg_id, reference = _link_serializer().loads(key)
    except (BadSignature, ValueError, TypeError):
        raise NotFound("This registration link is not valid.", code="registration_not_found") \
            from None
    reg = db.session.get(Registration, reg_id)
    if reg is None or reg.event_id != event.id or reg.reference != reference:
        raise NotFound("This registration link is not valid.", code="registration_not_found")
    return reg


def can_edit(reg: Registration) -> bool:
    cutoff = settings_for(reg.event).edit_cutoff
    return reg.status in HOLDING and (cutoff is None or utcnow() < cutoff)


EDITABLE = ("full_name", "organisation", "job_title", "country", "phone")


# ---------------------------------------------------------------- consent (PDPA 2010)

# Features holding contact details got through this consent (exhibitors' leads) register
# here: called inside the transaction that withdraws it, they erase what they hold and
# answer how many records they changed.
_WITHDRAWAL_LISTENERS: list = []


def on_contact_sharing_withdrawn(listener) -> None:
    if listener not in _WITHDRAWAL_LISTENERS:
        _WITHDRAWAL_LISTENERS.append(listener)


def set_contact_sharing(reg: Registration, share: bool, actor: User | None = None) -> int:
    """The one place the delegate's consent changes (registration's "my registration",
    the exhibitors' privacy page, the API). Always possible while the registration is
    active — the edit cut-off does not bind consent. Withdrawing erases the contact
    details already given; answers how many records lost them."""
    if not reg.is_active:
        raise Invalid("This registration is no longer active.", code="not_active")
    reg.share_contact_with_exhibitors = bool(share)
    reg.updated_at = utcnow()
    erased = 0
    if not share:
        db.session.flush()
        erased = sum(listener(reg) or 0 for listener in _WITHDRAWAL_LISTENERS)
    core.audit(actor, reg.event, "consent.contact_sharing", target=reg.reference,
               details={"share": bool(share), "records_erased": erased})
    notify.commit()
    db.session.expire_all()
    return erased


def edit_registration(reg: Registration, actor: User | None, *, by_organiser: bool = False,
                      **fields) -> Registration:
    if not by_organiser and not can_edit(reg):
        raise Invalid("Details can no longer be changed: the organiser's cut-off has passed "
                      "or the registration is not active.", code="edit_closed")
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise Invalid(f"Unknown fields: {', '.join(sorted(unknown))}.")
    if "full_name" in fields and not (fields["full_name"] or "").strip():
        raise Invalid("Give the attendee's full name.", code="name_required",
                      details={"full_name": "Give the attendee's full name."})
    for key, value in fields.items():
        setattr(reg, key, value.strip() or None if isinstance(value, str) and key != "full_name"
                else (value.strip() if isinstance(value, str) else value))
    core.audit(actor, reg.event, "registration.edit", target=reg.reference)
    notify.commit()
    return reg


# ---------------------------------------------------------------- state changes


def approve(actor: User, reg: Registration) -> Registration:
    to = S.AWAITING_PAYMENT if reg.price_minor else S.CONFIRMED
    hold = _hold_until(to, reg.order.method if reg.order else PaymentMethod.INVOICE,
                       settings_for(reg.event))
    if not _move(reg, [S.AWAITING_APPROVAL], to, hold_expires_at=hold):
        raise Conflict(f"This registration is {reg.status.replace('_', ' ')}, not awaiting "
                       "approval.", code="not_awaiting_approval")
    core.audit(actor, reg.event, "registration.approve", target=reg.reference)
    notify.commit()
    notify.later("approved", reg.id)
    return reg


def reject(actor: User, reg: Registration, note: str | None = None) -> Registration:
    if not _move(reg, [S.AWAITING_APPROVAL], S.REJECTED, approval_note=note or None):
        raise Conflict(f"This registration is {reg.status.replace('_', ' ')}, not awaiting "
                       "approval.", code="not_awaiting_approval")
    if reg.order is not None:
        _close_order_if_done(reg.order, OrderStatus.CANCELLED)
    _offer_free_places(reg.pass_type)
    core.audit(actor, reg.event, "registration.reject", target=reg.reference)
    notify.commit()
    notify.later("rejected", reg.id)
    return reg


def cancel(actor: User | None, reg: Registration, *, by_organiser: bool = False,
           commit: bool = True) -> Registration:
    """Cancel a registration and free its place. A paid one is refunded by payments.refund.
    With commit=False it joins the caller's transaction (the mail waits for its commit)."""
    if not by_organiser and reg.payment_status == PaymentStatus.PAID:
        raise Conflict("This registration is paid: ask the organiser to cancel and refund it.",
                       code="paid_cancel_needs_organiser")
    if not _move(reg, list(HOLDING), S.CANCELLED, cancelled_at=utcnow()):
        raise Conflict(f"This registration is {reg.status.replace('_', ' ')} already.",
                       code="not_active")
    if reg.order is not None:
        _close_order_if_done(reg.order, OrderStatus.CANCELLED)
    _offer_free_places(reg.pass_type)
    core.audit(actor, reg.event, "registration.cancel", target=reg.reference,
               details={"by_organiser": by_organiser})
    if not commit:
        notify.after_commit(notify.later, "cancelled", reg.id)
        return reg
    notify.commit()
    notify.later("cancelled", reg.id)
    return reg


def reissue_badge(actor: User, reg: Registration) -> Registration:
    """A new badge serial: the old QR now reads as revoked."""
    if reg.status != S.CONFIRMED:
        raise Conflict("Only a confirmed registration has a badge.", code="not_confirmed")
    db.session.execute(sa.update(Registration).where(Registration.id == reg.id)
                       .values(badge_serial=Registration.badge_serial + 1, updated_at=utcnow()))
    db.session.refresh(reg)
    core.audit(actor, reg.event, "badge.reissue", target=reg.reference,
               details={"serial": reg.badge_serial})
    notify.commit()
    notify.later("badge_reissued", reg.id)
    return reg


def confirm_payment(reg: Registration) -> bool:
    """Money arrived for this registration: confirm it (inside the caller's transaction).

    A hold that expired meanwhile takes a place again if one is left; answers False when
    none is, so the caller refunds.
    """
    if reg.status == S.CONFIRMED:
        db.session.execute(sa.update(Registration).where(Registration.id == reg.id)
                           .values(payment_status=PaymentStatus.PAID))
        db.session.refresh(reg)
        return True
    if reg.status == S.AWAITING_PAYMENT:
        return _move(reg, [S.AWAITING_PAYMENT], S.CONFIRMED, payment_status=PaymentStatus.PAID,
                     hold_expires_at=None) or confirm_payment(reg)
    if reg.status in (S.EXPIRED, S.CANCELLED) and reg.cancelled_at is None:
        if active_registration(reg.event, reg.email) is not None:
            return False
        if not take_place(reg.pass_type_id):
            return False
        db.session.execute(sa.update(Registration).where(
            Registration.id == reg.id, Registration.status == reg.status)
            .values(status=S.CONFIRMED, payment_status=PaymentStatus.PAID,
                    hold_expires_at=None, updated_at=utcnow()))
        db.session.refresh(reg)
        return reg.status == S.CONFIRMED
    return False


# ---------------------------------------------------------------- waiting list


def join_waiting_list(event: Event, pass_type: PassType, person: Person) -> WaitingListEntry:
    if pass_type.event_id != event.id:
        raise NotFound("No such pass type in this event.", code="pass_type_not_found")
    if active_registration(event, person.email) is not None:
        raise _already_registered(person.email)
    entry = WaitingListEntry(event_id=event.id, pass_type_id=pass_type.id, email=person.email,
                             full_name=person.full_name, organisation=person.organisation,
                             country=person.country)
    db.session.add(entry)
    try:
        db.session.flush()
    except sa.exc.IntegrityError:
        db.session.rollback()
        raise Conflict("You are on this waiting list already.", code="already_waiting") from None
    core.audit(None, event, "waiting_list.join", target=person.email,
               details={"pass": pass_type.code})
    # A place may be free right now (e.g. capacity was just raised).
    _offer_free_places(pass_type)
    notify.commit()
    return entry


def waiting_position(entry: WaitingListEntry) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(WaitingListEntry).where(
        WaitingListEntry.pass_type_id == entry.pass_type_id,
        WaitingListEntry.status == WaitStatus.WAITING, WaitingListEntry.id <= entry.id)) or 0


def waiting_list(event: Event) -> list[WaitingListEntry]:
    return list(db.session.scalars(sa.select(WaitingListEntry).where(
        WaitingListEntry.event_id == event.id).order_by(WaitingListEntry.id)))


def _offer_free_places(pass_type: PassType) -> int:
    """Offer free places to the next people waiting; each offer holds its place."""
    offered = []
    while True:
        entry = db.session.scalar(
            sa.select(WaitingListEntry).where(WaitingListEntry.pass_type_id == pass_type.id,
                                              WaitingListEntry.status == WaitStatus.WAITING)
            .order_by(WaitingListEntry.id).limit(1)
            .with_for_update(skip_locked=True))
        if entry is None or not take_place(pass_type.id):
            break
        hours = settings_for(pass_type.event).offer_hours
        entry.status = WaitStatus.OFFERED
        entry.offer_token = secrets.token_urlsafe(24)
        entry.offer_expires_at = utcnow() + timedelta(hours=hours)
        db.session.flush()
        offered.append(entry)
    for entry in offered:
        notify.after_commit(notify.offer_later, entry.id)
    return len(offered)


def _expire_offers(event_id: int | None) -> int:
    query = sa.select(WaitingListEntry).where(WaitingListEntry.status == WaitStatus.OFFERED,
                                              WaitingListEntry.offer_expires_at < utcnow())
    if event_id is not None:
        query = query.where(WaitingListEntry.event_id == event_id)
    count = 0
    for entry in db.session.scalars(query).all():
        moved = db.session.execute(sa.update(WaitingListEntry).where(
            WaitingListEntry.id == entry.id, WaitingListEntry.status == WaitStatus.OFFERED)
            .values(status=WaitStatus.EXPIRED))
        if moved.rowcount == 1:
            release_place(entry.pass_type_id)
            count += 1
    return count


def offer_by_token(event: Event, token: str) -> WaitingListEntry:
    entry = db.session.scalar(sa.select(WaitingListEntry).where(
        WaitingListEntry.event_id == event.id, WaitingListEntry.offer_token == token))
    if entry is None:
        raise NotFound("This offer link is not valid.", code="offer_not_found")
    return entry


def accept_offer(event: Event, token: str, *, answers: dict | None = None,
                 user: User | None = None) -> Registration:
    entry = offer_by_token(event, token)
    if entry.status != WaitStatus.OFFERED or (entry.offer_expires_at
                                              and entry.offer_expires_at < utcnow()):
        raise Conflict("This offer has expired or was used; the place went to the next "
                       "person waiting.", code="offer_expired")
    person = Person(entry.email, entry.full_name, entry.organisation, country=entry.country)
    return register(event, entry.pass_type, person, answers=answers, user=user, offer=entry)


# ---------------------------------------------------------------- exhibitor badges

EXHIBITOR_PASS_CODE = "EXHIBITOR"


def exhibitor_pass_type(event: Event) -> PassType:
    """The event's exhibitor pass (code EXHIBITOR: free, hidden, opens the exhibition),
    created when missing. Organisers may edit it like any pass (colour, zones, capacity)."""
    found = db.session.scalar(sa.select(PassType).where(PassType.event_id == event.id,
                                                        PassType.code == EXHIBITOR_PASS_CODE))
    if found is not None:
        return found
    pass_type = PassType(event_id=event.id, code=EXHIBITOR_PASS_CODE, name="Exhibitor",
                         description="Exhibitor staff badge, included in the booth package.",
                         price_minor=0, currency=event.currency or "MYR", capacity=None,
                         visibility=Visibility.HIDDEN, badge_colour="#F0A202",
                         zones=["exhibition"], position=90)
    try:
        with db.session.begin_nested():
            db.session.add(pass_type)
    except sa.exc.IntegrityError:
        return db.session.scalar(sa.select(PassType).where(
            PassType.event_id == event.id, PassType.code == EXHIBITOR_PASS_CODE))
    return pass_type


def issue_exhibitor_badge(actor: User | None, event: Event, person: Person, *, user: User,
                          exhibitor_name: str, new_account: bool = False) -> Registration:
    """An exhibitor's team member gets a badge (inside the caller's transaction: the
    exhibitors feature commits it with notify.commit(), which sends the badge e-mail).

    A person who already holds a confirmed registration keeps it as their badge (one
    active registration per e-mail); one still awaiting payment or approval must settle
    it first. Otherwise a free, hidden EXHIBITOR pass, within that pass's capacity.
    """
    existing = active_registration(event, person.email)
    if existing is not None and existing.status != S.CONFIRMED:
        raise Conflict(f"{person.email} has a registration that is "
                       f"{existing.status.replace('_', ' ')}; it must be confirmed or "
                       "cancelled before it can serve as an exhibitor badge.",
                       code="already_registered", details={"email": "Already registered."})
    if existing is not None:
        reg = existing
        if reg.user_id is None:
            reg.user_id = user.id
    else:
        [reg] = register_group(event, exhibitor_pass_type(event), [person], user=user,
                               by_organiser=True, actor=actor, send_mail=False, commit=False,
                               ask_questions=False)
    notify.after_commit(notify.later, "exhibitor_badge", reg.id, exhibitor_name, new_account)
    return reg


def stripe_configured() -> bool:
    return bool(current_app.config.get("STRIPE_SECRET_KEY"))
