"""Payments: Stripe Checkout and its webhook, bank-transfer invoices, refunds, receipts.

Money only moves forward (pending -> paid -> refunded) and every Stripe event is
applied at most once: its id is stored under a primary key in the same
transaction that applies it.
"""

from __future__ import annotations

import json
import logging

import sqlalchemy as sa
import stripe
from flask import current_app

from ..core import services as core
from ..core.models import User
from ..errors import Conflict, DomainError, Invalid
from ..extensions import db
from ..timeutil import utcnow
from . import notify
from .models import (
    HOLDING,
    Order,
    OrderStatus,
    PaymentMethod,
    PaymentStatus,
    Registration,
    RegistrationSettings,
    RegistrationStatus,
    StripeEvent,
)
from .services import _close_order_if_done, _move, confirm_payment, ensure_settings

log = logging.getLogger(__name__)
S = RegistrationStatus


class BadSignature(DomainError):
    status = 400
    code = "bad_signature"


def client() -> stripe.StripeClient:
    base = current_app.config.get("STRIPE_API_BASE")
    kwargs = {"base_addresses": {"api": base}} if base else {}
    return stripe.StripeClient(current_app.config["STRIPE_SECRET_KEY"], max_network_retries=2,
                               **kwargs)


# ---------------------------------------------------------------- checkout


def start_checkout(order: Order) -> str:
    """The Checkout URL for an open order (created once: the idempotency key sees to it)."""
    if order.status != OrderStatus.OPEN or order.method != PaymentMethod.STRIPE:
        raise Conflict("This order is not waiting for a card payment.", code="not_payable")
    regs = [r for r in order.registrations if r.status == S.AWAITING_PAYMENT]
    if not regs:
        raise Conflict("Nothing in this order is waiting for payment.", code="not_payable")
    if order.checkout_url and order.stripe_session_id:
        return order.checkout_url
    from .notify import external_url

    event = order.event
    first = regs[0]
    methods = ["card", "fpx"] if order.currency == "MYR" else ["card"]
    params = {
        "mode": "payment",
        "payment_method_types": methods,
        "client_reference_id": order.reference,
        "customer_email": order.buyer_email,
        "line_items": [{
            "quantity": len(regs),
            "price_data": {"currency": order.currency.lower(), "unit_amount": first.price_minor,
                           "product_data": {"name": f"{event.name}: {first.pass_type.name}"}},
        }],
        "metadata": {"order_id": str(order.id), "event_id": str(event.id),
                     "order_reference": order.reference},
        "success_url": external_url("registration.mine_by_key", slug=event.slug,
                                    key=_key(first)) + "?paid=1",
        "cancel_url": external_url("registration.mine_by_key", slug=event.slug, key=_key(first)),
    }
    try:
        session = client().v1.checkout.sessions.create(
            params=params, options={"idempotency_key": f"expo-checkout-{order.reference}"})
    except stripe.StripeError as error:
        log.warning("Stripe checkout for %s failed: %s", order.reference, error)
        raise Conflict("The card payment page could not be opened just now; your place is held. "
                       "Try again in a minute.", code="payment_provider_unavailable") from error
    order.stripe_session_id = session.id
    order.checkout_url = session.url
    db.session.commit()
    return session.url


def _key(reg: Registration) -> str:
    from .services import access_key

    return access_key(reg)


# ---------------------------------------------------------------- paid, refunded


def _next_receipt_number(order: Order) -> int:
    ensure_settings(order.event)
    db.session.execute(sa.update(RegistrationSettings)
                       .where(RegistrationSettings.event_id == order.event_id)
                       .values(receipt_counter=RegistrationSettings.receipt_counter + 1))
    return db.session.scalar(sa.select(RegistrationSettings.receipt_counter)
                             .where(RegistrationSettings.event_id == order.event_id))


def _apply_payment(order: Order, *, method: str, payment_intent: str | None = None) -> str:
    """Money arrived: confirm the registrations; refund any that lost their place."""
    if order.status in (OrderStatus.PAID, OrderStatus.REFUNDED):
        return "already paid"
    order.status = OrderStatus.PAID
    order.method = method
    order.paid_at = utcnow()
    if payment_intent:
        order.stripe_payment_intent = payment_intent
    order.receipt_number = _next_receipt_number(order)
    db.session.flush()
    confirmed, lost = [], []
    for reg in order.registrations:
        (confirmed if confirm_payment(reg) else lost).append(reg)
    for reg in confirmed:
        notify.after_commit(notify.later, "payment_confirmed", reg.id)
    if lost:
        amount = sum(r.price_minor for r in lost)
        for reg in lost:
            db.session.execute(sa.update(Registration).where(Registration.id == reg.id)
                               .values(payment_status=PaymentStatus.REFUNDED,
                                       updated_at=utcnow()))
            notify.after_commit(notify.later, "payment_refunded", reg.id,
                                "Your payment arrived after your reserved place was released "
                                "and the pass is now full.")
        order.attention = (f"Payment arrived after the hold expired and no place was left for "
                           f"{', '.join(r.reference for r in lost)}: refunded automatically.")
        if method == PaymentMethod.STRIPE and order.stripe_payment_intent:
            _stripe_refund(order, amount)
        order.refunded_minor += amount
        if not confirmed:
            order.status = OrderStatus.REFUNDED
        return "paid late: refunded " + ", ".join(r.reference for r in lost)
    return "paid"


def _stripe_refund(order: Order, amount: int) -> None:
    try:
        client().v1.refunds.create(
            params={"payment_intent": order.stripe_payment_intent, "amount": amount,
                    "metadata": {"order_reference": order.reference}},
            options={"idempotency_key": f"expo-refund-{order.reference}-{order.refunded_minor}"
                                        f"-{amount}"})
    except stripe.StripeError as error:
        raise Conflict(f"Stripe did not accept the refund: {error.user_message or error}",
                       code="refund_failed") from error


def mark_paid(actor: User, order: Order) -> Order:
    """An organiser saw the bank transfer arrive (also after its due date: the place is
    taken again if one is free, otherwise the order is flagged for a bank refund)."""
    late = order.status == OrderStatus.CANCELLED and any(
        r.status == S.EXPIRED for r in order.registrations)
    if late:
        order.status = OrderStatus.OPEN
    elif order.status != OrderStatus.OPEN:
        raise Conflict(f"Order {order.reference} is {order.status}, not open.",
                       code="order_not_open")
    outcome = _apply_payment(order, method=PaymentMethod.INVOICE)
    core.audit(actor, order.event, "order.mark_paid", target=order.reference,
               details={"outcome": outcome})
    notify.commit()
    return order


def refund(actor: User, reg: Registration) -> Registration:
    """Cancel a paid registration and give its money back (through Stripe when paid there)."""
    order = reg.order
    if reg.payment_status != PaymentStatus.PAID or order is None:
        raise Conflict("Only a paid registration can be refunded.", code="not_paid")
    if order.method == PaymentMethod.STRIPE:
        _stripe_refund(order, reg.price_minor)
    order.refunded_minor += reg.price_minor
    _move(reg, list(HOLDING), S.CANCELLED, cancelled_at=utcnow(),
          payment_status=PaymentStatus.REFUNDED)
    db.session.execute(sa.update(Registration).where(Registration.id == reg.id)
                       .values(payment_status=PaymentStatus.REFUNDED))
    if order.refunded_minor >= order.total_minor:
        order.status = OrderStatus.REFUNDED
    from .services import _offer_free_places

    _offer_free_places(reg.pass_type)
    core.audit(actor, reg.event, "registration.refund", target=reg.reference,
               details={"amount": reg.price_minor})
    db.session.refresh(reg)
    notify.after_commit(notify.later, "payment_refunded", reg.id,
                        "The organiser cancelled and refunded your registration.")
    notify.commit()
    return reg


def orders_needing_attention(event) -> list[Order]:
    return list(db.session.scalars(sa.select(Order).where(
        Order.event_id == event.id, Order.attention.is_not(None)).order_by(Order.id.desc())))


def open_invoices(event) -> list[Order]:
    return list(db.session.scalars(sa.select(Order).where(
        Order.event_id == event.id, Order.status == OrderStatus.OPEN,
        Order.method == PaymentMethod.INVOICE).order_by(Order.id)))


# ---------------------------------------------------------------- webhook


def handle_webhook(payload: bytes, signature: str | None) -> str:
    """Verify and apply one Stripe event; answers what happened (for the log)."""
    secret = current_app.config.get("STRIPE_WEBHOOK_SECRET")
    if not secret:
        raise BadSignature("Stripe webhooks are not configured here.", code="not_configured")
    try:
        event = stripe.Webhook.construct_event(payload, signature, secret)
    except (stripe.SignatureVerificationError, ValueError) as error:
        log.warning("Stripe webhook refused: %s", error)
        raise BadSignature("The Stripe-Signature header does not match the body.") from error
    # Plain dicts from the verified body: the Stripe objects are not dicts.
    obj = json.loads(payload)["data"]["object"]
    order = _order_for(event["type"], obj)
    if order is None:
        log.warning("Stripe event %s (%s) for no order we know: ignored", event["id"],
                    event["type"])
        return "unknown order: ignored"
    db.session.add(StripeEvent(id=event["id"], type=event["type"], order_id=order.id))
    try:
        db.session.flush()
    except sa.exc.IntegrityError:
        db.session.rollback()
        return "duplicate: ignored"
    outcome = _apply_event(event["type"], obj, order)
    db.session.execute(sa.update(StripeEvent).where(StripeEvent.id == event["id"])
                       .values(outcome=outcome[:200]))
    log.info("Stripe event %s %s for %s: %s", event["id"], event["type"], order.reference,
             outcome)
    notify.commit()
    return outcome


def _order_for(kind: str, obj) -> Order | None:
    if kind.startswith("checkout.session."):
        order = db.session.scalar(sa.select(Order).where(Order.stripe_session_id == obj["id"]))
        if order is None and obj.get("client_reference_id"):
            order = db.session.scalar(sa.select(Order).where(
                Order.reference == obj["client_reference_id"]))
            if order is not None and order.stripe_session_id is None:
                order.stripe_session_id = obj["id"]
        return order
    if kind.startswith("charge."):
        intent = obj.get("payment_intent")
        if not intent:
            return None
        order = db.session.scalar(sa.select(Order).where(Order.stripe_payment_intent == intent))
        if order is None:
            # The charge event came before checkout.session.completed told us its payment
            # intent: ask Stripe which Checkout Session it belongs to.
            order = _order_by_intent_from_stripe(intent)
        return order
    return None


def _order_by_intent_from_stripe(intent: str) -> Order | None:
    try:
        found = client().v1.checkout.sessions.list(params={"payment_intent": intent,
                                                           "limit": 1})
    except stripe.StripeError as error:
        log.warning("Stripe session lookup for %s failed: %s", intent, error)
        return None
    for session in found.data:
        order = db.session.scalar(sa.select(Order).where(Order.stripe_session_id == session.id))
        if order is None and session.client_reference_id:
            order = db.session.scalar(sa.select(Order).where(
                Order.reference == session.client_reference_id))
        if order is not None:
            order.stripe_payment_intent = intent
            return order
    return None


def _apply_event(kind: str, obj, order: Order) -> str:
    if kind in ("checkout.session.completed", "checkout.session.async_payment_succeeded"):
        if obj.get("payment_status") not in ("paid", "no_payment_required"):
            return "awaiting asynchronous payment (FPX)"
        if obj.get("amount_total") is not None and obj["amount_total"] != order.total_minor:
            order.attention = (f"Stripe reported {obj['amount_total']} {order.currency} but the "
                               f"order totals {order.total_minor}: check it.")
        return _apply_payment(order, method=PaymentMethod.STRIPE,
                              payment_intent=obj.get("payment_intent"))
    if kind in ("checkout.session.expired", "checkout.session.async_payment_failed"):
        if order.status != OrderStatus.OPEN:
            return f"order {order.status}: nothing to expire"
        for reg in order.registrations:
            _move(reg, [S.AWAITING_PAYMENT], S.EXPIRED)
        _close_order_if_done(order, OrderStatus.CANCELLED)
        from .services import _offer_free_places

        for reg in order.registrations:
            _offer_free_places(reg.pass_type)
        return "checkout expired: places released"
    if kind == "charge.refunded":
        refunded = int(obj.get("amount_refunded") or 0)
        if refunded <= order.refunded_minor:
            return "refund already known"
        order.refunded_minor = refunded
        if refunded >= order.total_minor:
            order.status = OrderStatus.REFUNDED
            for reg in order.registrations:
                # PENDING too: the refund may arrive before the payment's own event.
                if reg.payment_status in (PaymentStatus.PAID, PaymentStatus.PENDING):
                    _move(reg, list(HOLDING), S.CANCELLED, cancelled_at=utcnow())
                    db.session.execute(sa.update(Registration).where(
                        Registration.id == reg.id).values(payment_status=PaymentStatus.REFUNDED))
            order.attention = order.attention or "Refunded in the Stripe dashboard."
            return "refunded in Stripe: registrations cancelled"
        order.attention = f"Partly refunded in Stripe ({refunded} of {order.total_minor})."
        return "partial refund recorded"
    return "ignored event type"


def retry_checkout(reg: Registration) -> str:
    if reg.order is None:
        raise Invalid("This registration has no order.", code="not_payable")
    return start_checkout(reg.order)
