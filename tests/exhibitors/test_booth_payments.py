"""Booths paid through the one payment service: Stripe Checkout and its signed webhook when
Stripe is configured, a bank-transfer invoice otherwise; holds, late payments, refunds."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from expo.errors import Invalid
from expo.exhibitors import services
from expo.exhibitors.models import Booth, BoothOrder, BoothStatus, OrderStatus
from expo.extensions import db
from expo.registration import payments
from expo.registration import services as reg_services
from expo.registration.models import Order, StripeEvent
from expo.timeutil import utcnow
from tests.doubles import post_webhook, stripe_event
from tests.registration.conftest import pdf_text, person


def _completed(session, intent="pi_booth_1", **extra):
    return {"id": session["id"], "object": "checkout.session", "payment_status": "paid",
            "status": "complete", "client_reference_id": session["client_reference_id"],
            "amount_total": session["amount_total"], "payment_intent": intent, **extra}


def _book_by_card(client, people, floor, exhibitors, fake_stripe, code="A-01",
                  name="Cyberview Sdn Bhd", price=1_250_000):
    booth = services.booth_by_code(floor.event, code) or floor.booth(code, price=price)
    exhibitor, manager = exhibitors.make(floor.event, name)
    people.login(manager)
    response = client.post(f"/events/scekl25/exhibit/booth/{booth.id}/hold",
                           data={"method": "stripe"})
    order = db.session.scalar(sa.select(BoothOrder).where(
        BoothOrder.exhibitor_id == exhibitor.id))
    session = fake_stripe.sessions[order.payment_order.stripe_session_id]
    return response, booth, exhibitor, order, session


def _age(order, minutes=1):
    past = utcnow() - timedelta(minutes=minutes)
    db.session.execute(sa.update(Booth).where(Booth.id == order.booth_id).values(held_until=past))
    db.session.execute(sa.update(BoothOrder).where(BoothOrder.id == order.id)
                       .values(hold_expires_at=past))
    db.session.commit()
    db.session.expire_all()


def test_booking_by_card_holds_the_booth_and_goes_to_stripe_checkout(client, people, floor,
                                                                     exhibitors, fake_stripe):
    response, booth, _exhibitor, order, session = _book_by_card(client, people, floor,
                                                               exhibitors, fake_stripe)
    assert response.status_code == 303
    assert response.headers["Location"] == session["url"]
    [(_method, _path, form, key)] = [r for r in fake_stripe.requests
                                     if r[1] == "/v1/checkout/sessions"]
    assert key == f"expo-checkout-{order.reference}"
    assert form["line_items[0][price_data][unit_amount]"] == "1250000"
    assert form["line_items[0][price_data][currency]"] == "myr"
    assert "booth A-01, Hall 1" in form["line_items[0][price_data][product_data][name]"]
    assert form["metadata[kind]"] == "booth"
    assert form["success_url"].endswith(f"/exhibit/orders/{order.id}?paid=1")
    db.session.expire_all()
    assert booth.status == BoothStatus.HELD
    # A card checkout holds the booth for the organiser's card hold time (30 min), not 72 h.
    assert timedelta(minutes=29) < booth.held_until - utcnow() <= timedelta(minutes=30)
    assert (order.method, order.payment_order.kind) == ("stripe", "booth")


def test_the_signed_webhook_sells_the_booth_and_mails_the_receipt(client, people, floor,
                                                                  exhibitors, fake_stripe,
                                                                  outbox, tmp_path):
    _r, booth, exhibitor, order, session = _book_by_card(client, people, floor, exhibitors,
                                                         fake_stripe)
    response = post_webhook(client, stripe_event("checkout.session.completed",
                                                 _completed(session)))
    assert response.status_code == 200 and response.json["outcome"] == "paid"
    db.session.expire_all()
    assert (booth.status, booth.exhibitor_id) == (BoothStatus.SOLD, exhibitor.id)
    assert order.status == OrderStatus.PAID and order.payment_order.receipt_number == 1
    assert exhibitor.staff_quota == 3
    [mail] = [m for m in outbox.to(exhibitor.owner.email) if "Booth A-01 is yours" in m["Subject"]]
    receipt = outbox.attachments(mail)[f"receipt-{order.reference}.pdf"]
    text = pdf_text(receipt, tmp_path)
    assert "booth A-01" in text and "RM12,500.00" in text and "Card / FPX via Stripe" in text
    # The exhibitor comes back from Stripe to the order page and sees it paid.
    page = client.get(f"/events/scekl25/exhibit/orders/{order.id}?paid=1").get_data(as_text=True)
    assert "booth A-01 is Cyberview Sdn Bhd" in page.replace("&#39;s", "")


def test_a_duplicate_booth_payment_delivery_is_applied_once(client, people, floor, exhibitors,
                                                            fake_stripe, outbox):
    _r, _booth, exhibitor, order, session = _book_by_card(client, people, floor, exhibitors,
                                                          fake_stripe)
    payload = stripe_event("checkout.session.completed", _completed(session),
                           event_id="evt_booth_dup")
    assert post_webhook(client, payload).json["outcome"] == "paid"
    assert post_webhook(client, payload).json["outcome"] == "duplicate: ignored"
    db.session.expire_all()
    assert order.payment_order.receipt_number == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StripeEvent)) == 1
    assert len([m for m in outbox.to(exhibitor.owner.email)
                if "is yours" in m["Subject"]]) == 1


def test_receipts_for_booths_and_passes_share_the_events_numbering(client, people, floor,
                                                                   exhibitors, fake_stripe):
    paid_pass = reg_services.create_pass_type(None, floor.event, code="BIZ", name="Business",
                                              price_minor=35000, capacity=10)
    reg = reg_services.register(floor.event, paid_pass, person(1))
    payments.start_checkout(reg.order)
    pass_session = fake_stripe.sessions[reg.order.stripe_session_id]
    post_webhook(client, stripe_event("checkout.session.completed",
                                      _completed(pass_session, intent="pi_pass")))
    _r, _b, _e, order, session = _book_by_card(client, people, floor, exhibitors, fake_stripe)
    post_webhook(client, stripe_event("checkout.session.completed", _completed(session)))
    db.session.expire_all()
    assert (db.session.get(Order, reg.order_id).receipt_number,
            order.payment_order.receipt_number) == (1, 2)


def test_an_expired_checkout_frees_the_booth(client, people, floor, exhibitors, fake_stripe):
    _r, booth, _e, order, session = _book_by_card(client, people, floor, exhibitors,
                                                  fake_stripe)
    response = post_webhook(client, stripe_event("checkout.session.expired", {
        "id": session["id"], "object": "checkout.session", "status": "expired",
        "payment_status": "unpaid"}))
    assert response.json["outcome"] == "checkout expired: released"
    db.session.expire_all()
    assert (booth.status, booth.exhibitor_id) == (BoothStatus.AVAILABLE, None)
    assert order.status == OrderStatus.EXPIRED and order.payment_order.status == "cancelled"


def test_a_card_hold_that_runs_out_frees_the_booth_and_a_late_payment_still_sells_it(
        client, people, floor, exhibitors, fake_stripe):
    _r, booth, exhibitor, order, session = _book_by_card(client, people, floor, exhibitors,
                                                         fake_stripe)
    _age(order)
    assert services.expire_holds(floor.event) == 1
    db.session.expire_all()
    assert booth.status == BoothStatus.AVAILABLE and order.status == OrderStatus.EXPIRED
    post_webhook(client, stripe_event("checkout.session.completed", _completed(session)))
    db.session.expire_all()
    assert (booth.status, booth.exhibitor_id, order.status) == (BoothStatus.SOLD, exhibitor.id,
                                                                OrderStatus.PAID)
    assert fake_stripe.refunds == []


def test_a_late_card_payment_for_a_booth_sold_meanwhile_is_refunded_and_flagged(
        client, people, floor, exhibitors, fake_stripe):
    _r, booth, slow, order, session = _book_by_card(client, people, floor, exhibitors,
                                                    fake_stripe, name="Slow Payer")
    _age(order)
    fast, fast_manager = exhibitors.make(floor.event, "Fast Payer")
    services.assign_booth(floor.organiser, floor.event, fast, booth)
    response = post_webhook(client, stripe_event("checkout.session.completed",
                                                 _completed(session, intent="pi_late")))
    assert response.json["outcome"] == "paid late: refunded"
    [refund] = fake_stripe.refunds
    assert (refund["amount"], refund["payment_intent"]) == (1_250_000, "pi_late")
    db.session.expire_all()
    assert booth.exhibitor_id == fast.id and order.status == OrderStatus.EXPIRED
    assert order.payment_order.status == "refunded"
    people.login(floor.organiser)
    page = client.get("/events/scekl25/manage/exhibitors").get_data(as_text=True)
    assert f"Booth payment {order.reference} (Slow Payer" in page
    assert "refunded automatically" in page


def test_a_refund_made_in_the_stripe_dashboard_releases_the_booth(client, people, floor,
                                                                  exhibitors, fake_stripe):
    _r, booth, exhibitor, order, session = _book_by_card(client, people, floor, exhibitors,
                                                         fake_stripe)
    post_webhook(client, stripe_event("checkout.session.completed", _completed(session)))
    response = post_webhook(client, stripe_event("charge.refunded", {
        "id": "ch_booth", "object": "charge", "payment_intent": "pi_booth_1",
        "amount_refunded": 1_250_000}))
    assert response.json["outcome"] == "refunded in Stripe: released"
    db.session.expire_all()
    assert (booth.status, booth.exhibitor_id) == (BoothStatus.AVAILABLE, None)
    assert order.status == OrderStatus.CANCELLED and order.payment_note == "Refunded in Stripe."
    assert exhibitor.staff_quota == 0


def test_the_exhibitor_can_still_choose_a_bank_transfer_when_stripe_is_configured(
        client, people, floor, exhibitors, fake_stripe):
    booth = floor.booth("A-01")
    exhibitor, manager = exhibitors.make(floor.event, "Transfer Co")
    people.login(manager)
    page = client.get(f"/events/scekl25/exhibit/booth?booth={booth.id}").get_data(as_text=True)
    assert "Book A-01 and pay by card or FPX" in page and "Hold A-01 and pay by invoice" in page
    response = client.post(f"/events/scekl25/exhibit/booth/{booth.id}/hold",
                           data={"method": "invoice"}, follow_redirects=True)
    assert "Pay by bank transfer" in response.get_data(as_text=True)
    assert fake_stripe.sessions == {}
    order = services.orders(floor.event, exhibitor=exhibitor)[0]
    assert (order.method, order.payment_order.method) == ("invoice", "invoice")


def test_without_stripe_keys_a_card_booking_is_refused_and_the_invoice_is_offered(
        client, people, floor, exhibitors):
    booth = floor.booth("A-01")
    exhibitor, manager = exhibitors.make(floor.event, "No Card Co")
    people.login(manager)
    page = client.get(f"/events/scekl25/exhibit/booth?booth={booth.id}").get_data(as_text=True)
    assert "pay by card" not in page and "Hold A-01 and pay by invoice" in page
    with pytest.raises(Invalid) as caught:
        services.start_booth_payment(manager, floor.event, exhibitor, booth, "stripe")
    assert caught.value.code == "payment_method_unavailable"
    assert services.booth_in(floor.event, booth.id).status == BoothStatus.AVAILABLE


def test_a_marked_paid_invoice_gets_a_receipt_number_and_stays_off_the_pass_invoice_list(
        client, people, floor, exhibitors):
    booth = floor.booth("A-01")
    exhibitor, manager = exhibitors.make(floor.event, "Invoice Co")
    order = services.start_booth_payment(manager, floor.event, exhibitor, booth)
    assert payments.open_invoices(floor.event) == []  # booth invoices live with exhibitors
    services.mark_booth_paid(floor.organiser, floor.event, order, "CIMB 4471")
    order = db.session.get(BoothOrder, order.id)
    assert order.status == OrderStatus.PAID and order.payment_note == "CIMB 4471"
    assert (order.payment_order.status, order.payment_order.receipt_number) == ("paid", 1)


def test_another_exhibitors_manager_cannot_pay_or_open_the_order(client, people, floor,
                                                                 exhibitors, fake_stripe):
    _r, _booth, _e, order, _session = _book_by_card(client, people, floor, exhibitors,
                                                    fake_stripe)
    _other, nosy = exhibitors.make(floor.event, "Nosy Co")
    people.login(nosy)
    assert client.post(f"/events/scekl25/exhibit/orders/{order.id}/pay").status_code == 404
    assert client.get(f"/events/scekl25/exhibit/orders/{order.id}").status_code == 404


def test_stripe_outage_keeps_the_booth_held_and_says_try_again(client, people, floor,
                                                               exhibitors, fake_stripe):
    fake_stripe.fail_next = 5
    booth = floor.booth("A-01")
    _exhibitor, manager = exhibitors.make(floor.event, "Unlucky Co")
    people.login(manager)
    response = client.post(f"/events/scekl25/exhibit/booth/{booth.id}/hold",
                           data={"method": "stripe"}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Try again in a minute" in page and "Pay RM5,000.00" in page
    assert services.booth_in(floor.event, booth.id).status == BoothStatus.HELD
