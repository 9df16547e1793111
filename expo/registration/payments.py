"""Payments: Stripe Checkout and its webhook, bank-transfer invoices, refunds, receipts.

Money only moves forward (pending -> paid -> refunded) and every Stripe event is
applied at most once: its id is stored under a primary key in the same
transaction that applies it.

One payment service for everything the event sells: an order's `kind` says what
it pays for. Registration orders confirm their registrations here; other kinds
(an exhibitor's booth) register a `Payable` with `register_payable`, and this
module calls it when the money arrives, the checkout lapses or Stripe refunds.
"""

from __future__ import annotations

import json
import logging
from typing import Protocol

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
    OrderKind,
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


# ---------------------------------------------------------------- payable kinds


class Payable(Protocol):
    """What another feature sells through this service (each call runs inside the
    payment service's transaction and must not commit)."""

    def line_item(self, order: Order) -> str:
        """The name the buyer sees on Stripe Checkout and on the receipt."""

    def return_url(self, order: Order, *, paid: bool) -> str:
        """Where Stripe Checkout sends the buyer back (after paying or cancelling)."""

    def paid(self, order: Order, method: str) -> bool:
        """The money arrived: deliver. False when it can no longer be delivered (the
        payment service then refunds a card payment and flags the order)."""

    def released(self, order: Order) -> None:
        """The checkout lapsed or failed unpaid: free what the order held."""

    def refunded(self, order: Order) -> None:
        """The whole amount was refunded (e.g. in the Stripe dashboard): take it back."""


_PAYABLES: dict[str, Payable] = {}


def register_payable(kind: str, payable: Payable) -> None:
    """Called by a feature's init_app: orders of `kind` are delivered by `payable`."""
    if kind not in set(OrderKind) or kind == OrderKind.REGISTRATION:
        raise ValueError(f"unknown payable kind {kind!r}")
    _PAYABLES[kind] = payable


def payable_for(order: Order) -> Payable:
    try:
        return _PAYABLES[order.kind]
    except KeyError:
        raise RuntimeError(f"no payable registered for {order.kind!r} orders") from None


def open_order(event, *, kind: str, reference: str, buyer_email: str, buyer_name: str,
               amount_minor: int, currency: str, method: str | None = None) -> Order:
    """An order for something another feature sells (inside the caller's transaction):
    Stripe Checkout when keys are configured, a bank-transfer invoice otherwise (or the
    `method` the buyer chose)."""
    from . import rules
    from .services import settings_for, stripe_configured

    if kind == OrderKind.REGISTRATION:
        raise ValueError("registration orders are made by services.register_group")
    if kind not in _PAYABLES:
        raise RuntimeError(f"no payable registered for {kind!r} orders")
    if amount_minor <= 0:
        raise Invalid("Nothing to pay: an order needs an amount.", code="nothing_to_pay")
    if method is None:
        method = PaymentMethod.STRIPE if stripe_configured() else PaymentMethod.INVOICE
    if method == PaymentMethod.STRIPE and not stripe_configured():
        raise Invalid("Card payments are not configured here.", code="payment_method_unavailable")
    rate = settings_for(event).tax_rate_bp
    order = Order(event_id=event.id, kind=kind, reference=reference, buyer_email=buyer_email,
                  buyer_name=buyer_name, status=OrderStatus.OPEN,
                  method=method, currency=currency, subtotal_minor=amount_minor, discount_minor=0,
                  total_minor=amount_minor, tax_rate_bp=rate,
                  tax_minor=rules.tax_of(amount_minor, rate, True), refunded_minor=0)
    db.session.add(order)
    db.session.flush()
    return order


def cancel_open_order(order: Order | None) -> None:
    """The seller released what an open order held (inside the caller's transaction); a
    payment that still arrives is then handled as a late payment."""
    if order is not None:
        db.session.execute(sa.update(Order).where(Order.id == order.id,
                                                  Order.status == OrderStatus.OPEN)
                           .values(status=OrderStatus.CANCELLED, updated_at=utcnow()))


# ---------------------------------------------------------------- checkout


def _checkout_lines(order: Order) -> tuple[dict, str, str]:
    """Stripe's line item and the return addresses, for any kind of order."""
    from .notify import external_url

    event = order.event
    currency = order.currency.lower()
    if order.kind != OrderKind.REGISTRATION:
        payable = payable_for(order)
        item = {"quantity": 1,
                "price_data": {"currency": currency, "unit_amount": order.total_minor,
                               "product_data": {"name": payable.line_item(order)}}}
        return (item, payable.return_url(order, paid=True),
                payable.return_url(order, paid=False))
    regs = [r for r in order.registrations if r.status == S.AWAITING_PAYMENT]
    if not regs:
        raise Conflict("Nothing in this order is waiting for payment.", code="not_payable")
    first = regs[0]
    item = {"quantity": len(regs),
            "price_data": {"currency": currency, "unit_amount": first.price_minor,
                           "product_data": {"name": f"{event.name}: {first.pass_type.name}"}}}
    mine = external_url("registration.mine_by_key", slug=event.slug, key=_key(first))
    return item, mine + "?paid=1", mine


def start_checkout(order: Order) -> str:
    """The Checkout URL for an open order (created once: the idempotency key sees to it)."""
    if order.status != OrderStatus.OPEN or order.method != PaymentMethod.STRIPE:
        raise Conflict("This order is not waiting for a card payment.", code="not_payable")
    item, success_url, cancel_url = _checkout_lines(order)
    if order.checkout_url and order.stripe_session_id:
        return order.checkout_url
    event = order.event
    methods = ["card", "fpx"] if order.currency == "MYR" else ["card"]
    params = {
        "mode": "payment",
        "payment_method_types": methods,
        "client_reference_id": order.reference,
        "customer_email": order.buyer_email,
        "line_items": [item],
        "metadata": {"order_id": str(order.id), "event_id": str(event.id),
                     "order_reference": order.reference, "kind": order.kind},
        "success_url": success_url,
        "cancel_url": cancel_url,
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
    if order.kind != OrderKind.REGISTRATION:
        return _deliver(order, method)
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


def _deliver(order: Order, method: str) -> str:
    """Money for another feature's sale: it delivers, or the money goes back."""
    if payable_for(order).paid(order, method):
        return "paid"
    order.attention = (f"Payment for {payable_for(order).line_item(order)} arrived after the "
                       "hold expired and it had gone to someone else: "
                       + ("refunded automatically." if method == PaymentMethod.STRIPE
                          else "refund the bank transfer."))
    if method == PaymentMethod.STRIPE and order.stripe_payment_intent:
        _stripe_refund(order, order.total_minor)
        order.refunded_minor = order.total_minor
        order.status = OrderStatus.REFUNDED
    return "paid late: refunded" if method == PaymentMethod.STRIPE else "paid late: not delivered"


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
    late = order.status == OrderStatus.CANCELLED and (
        order.kind != OrderKind.REGISTRATION
        or any(r.status == S.EXPIRED for r in order.registrations))
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
    """Registration orders waiting for a bank transfer (booth invoices are on the
    exhibitors pages)."""
    return list(db.session.scalars(sa.select(Order).where(
        Order.event_id == event.id, Order.status == OrderStatus.OPEN,
        Order.kind == OrderKind.REGISTRATION,
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
        if order.kind != OrderKind.REGISTRATION:
            order.status = OrderStatus.CANCELLED
            payable_for(order).released(order)
            return "checkout expired: released"
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
            if order.kind != OrderKind.REGISTRATION:
                payable_for(order).refunded(order)
                order.attention = order.attention or "Refunded in the Stripe dashboard."
                return "refunded in Stripe: released"
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
