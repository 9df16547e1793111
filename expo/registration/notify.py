"""E-mails to delegates: confirmation with the badge PDF, approvals, offers, receipts."""

from __future__ import annotations

import logging

import sqlalchemy as sa
from flask import current_app, has_app_context, has_request_context, url_for
from sqlalchemy.orm import Session

from ..core.mail import Attachment
from ..core.mail import send_template as _send_template
from ..extensions import db
from .models import Registration, RegistrationStatus, WaitingListEntry

log = logging.getLogger(__name__)


def external_url(endpoint: str, **values) -> str:
    """An absolute link, also from the CLI or a job (no request)."""
    if has_request_context():
        return url_for(endpoint, _external=True, **values)
    with current_app.test_request_context():
        return url_for(endpoint, _external=True, **values)


def send_template(*args, **kwargs) -> None:
    """Render and send; outside a request (CLI, jobs, webhooks in tests) with a stand-in one,
    because the shared templates' context processors expect one."""
    if has_request_context():
        _send_template(*args, **kwargs)
        return
    with current_app.test_request_context():
        _send_template(*args, **kwargs)


def my_registration_url(reg: Registration) -> str:
    from .services import access_key

    return external_url("registration.mine_by_key", slug=reg.event.slug, key=access_key(reg))


def _badge_attachment(reg: Registration) -> list[Attachment]:
    from .documents import badge_pdf_for

    return [Attachment(f"badge-{reg.reference}.pdf", badge_pdf_for(reg), "application/pdf")]


def registration_received(reg: Registration) -> None:
    """The first e-mail after registering; its content follows the status."""
    from . import services

    event = reg.event
    attachments = []
    if reg.status == RegistrationStatus.CONFIRMED:
        subject = f"You are registered for {event.name}"
        attachments = _badge_attachment(reg)
    elif reg.status == RegistrationStatus.AWAITING_APPROVAL:
        subject = f"Your registration for {event.name} awaits approval"
    else:
        subject = f"Complete your payment for {event.name}"
    send_template(reg.email, subject, "registration_received", attachments=attachments,
                  reg=reg, event=event, link=my_registration_url(reg),
                  settings=services.settings_for(event))


def approved(reg: Registration) -> None:
    from . import services

    attachments = _badge_attachment(reg) if reg.status == RegistrationStatus.CONFIRMED else []
    send_template(reg.email, f"Your registration for {reg.event.name} is approved",
                  "registration_approved", attachments=attachments, reg=reg, event=reg.event,
                  link=my_registration_url(reg), settings=services.settings_for(reg.event))


def rejected(reg: Registration) -> None:
    send_template(reg.email, f"Your registration for {reg.event.name}", "registration_rejected",
                  reg=reg, event=reg.event)


def cancelled(reg: Registration) -> None:
    send_template(reg.email, f"Your registration for {reg.event.name} is cancelled",
                  "registration_cancelled", reg=reg, event=reg.event)


def badge_reissued(reg: Registration) -> None:
    send_template(reg.email, f"Your new badge for {reg.event.name}", "badge_reissued",
                  attachments=_badge_attachment(reg), reg=reg, event=reg.event,
                  link=my_registration_url(reg))


def payment_confirmed(reg: Registration) -> None:
    from .documents import receipt_pdf_for

    attachments = _badge_attachment(reg)
    order = reg.order
    if order is not None and order.receipt_number and order.buyer_email == reg.email:
        attachments.append(Attachment(f"receipt-{order.reference}.pdf", receipt_pdf_for(order),
                                      "application/pdf"))
    send_template(reg.email, f"Payment received: you are registered for {reg.event.name}",
                  "payment_confirmed", attachments=attachments, reg=reg, event=reg.event,
                  link=my_registration_url(reg))


def exhibitor_badge(reg: Registration, exhibitor_name: str, new_account: bool = False) -> None:
    """An exhibitor's team member: the badge, and a link to set a password when the
    invitation made their account."""
    from ..core import services as core

    link = None
    if new_account and reg.user is not None:
        link = external_url("core.reset_password", token=core.password_reset_token(reg.user))
    send_template(reg.email, f"Your exhibitor badge for {reg.event.name}", "exhibitor_badge",
                  attachments=_badge_attachment(reg), reg=reg, event=reg.event,
                  exhibitor_name=exhibitor_name, password_link=link,
                  link=my_registration_url(reg),
                  badge_link=external_url("exhibitors.my_badge", slug=reg.event.slug))


def payment_refunded(reg: Registration, reason: str) -> None:
    send_template(reg.email, f"Your payment for {reg.event.name} was refunded",
                  "payment_refunded", reg=reg, event=reg.event, reason=reason)


def waiting_list_offer(entry_id: int) -> None:
    entry = db.session.get(WaitingListEntry, entry_id)
    if entry is None or entry.offer_token is None:
        return
    event = entry.pass_type.event
    link = external_url("registration.accept_offer", slug=event.slug, token=entry.offer_token)
    send_template(entry.email, f"A place is free for you at {event.name}", "waiting_list_offer",
                  entry=entry, event=event, link=link)


# ------------------------------------------------- in a worker when there is a queue


def later(name: str, registration_id: int, *args) -> None:
    """Send notification `name` for a registration: in an RQ worker when Redis is set up
    (rendering the badge PDF is the costly part of a registration), at once otherwise."""
    if current_app.config.get("REDIS_URL"):
        from ..jobs import enqueue

        enqueue(run_notification, name, registration_id, *args)
    else:
        run_notification(name, registration_id, *args)


NOTIFICATIONS = ("registration_received", "approved", "rejected", "cancelled",
                 "badge_reissued", "payment_confirmed", "payment_refunded", "exhibitor_badge")


def offer_later(entry_id: int) -> None:
    """The waiting-list offer e-mail, in the worker when there is a queue."""
    if current_app.config.get("REDIS_URL"):
        from ..jobs import enqueue

        enqueue(run_offer, entry_id)
    else:
        waiting_list_offer(entry_id)


def run_offer(entry_id: int) -> None:
    if has_app_context():
        waiting_list_offer(entry_id)
        return
    from ..worker import app_context

    with app_context():
        waiting_list_offer(entry_id)


def run_notification(name: str, registration_id: int, *args) -> None:
    """Job entry point: plain values in, the app context of the worker (expo/worker.py)."""
    if name not in NOTIFICATIONS:
        raise ValueError(f"unknown notification {name!r}")
    if has_app_context():
        _run(name, registration_id, *args)
        return
    from ..worker import app_context

    with app_context():
        _run(name, registration_id, *args)


def _run(name: str, registration_id: int, *args) -> None:
    reg = db.session.get(Registration, registration_id)
    if reg is None:
        log.warning("notification %s: registration %s is gone", name, registration_id)
        return
    globals()[name](reg, *args)


# ------------------------------------------------- mail that must wait for the commit

_PENDING = "expo.registration.after_commit"


def after_commit(func, *args) -> None:
    """Send once the current transaction commits (never for a rolled-back change)."""
    db.session.info.setdefault(_PENDING, []).append((func, args))


def commit() -> None:
    """Commit, then send the mail that waited for it."""
    db.session.commit()
    pending = db.session.info.pop(_PENDING, [])
    for func, args in pending:
        try:
            func(*args)
        except Exception:  # a mail failure must not undo a committed change
            log.exception("could not send %s%r", func.__name__, args)


@sa.event.listens_for(Session, "after_rollback")
def _drop_pending(session) -> None:
    session.info.pop(_PENDING, None)
