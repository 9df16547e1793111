"""Paid passes: Stripe Checkout, the signed webhook, holds, late payments, invoices, receipts."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from expo.extensions import db
from expo.registration import payments, services
from expo.registration.models import Order, PassType, Registration, StripeEvent
from expo.timeutil import utcnow
from tests.registration.conftest import pdf_text, person, post_webhook, sign, stripe_event


def _checkout(fake_stripe, client, event, pass_type, n=1):
    reg = services.register(event, pass_type, person(n))
    url = payments.start_checkout(reg.order)
    session = fake_stripe.sessions[reg.order.stripe_session_id]
    assert url == session["url"]
    return db.session.get(Registration, reg.id), session


def _completed(session, intent="pi_test_1", **extra):
    return {"id": session["id"], "object": "checkout.session", "payment_status": "paid",
            "status": "complete", "client_reference_id": session["client_reference_id"],
            "amount_total": session["amount_total"], "payment_intent": intent, **extra}


def test_paid_pass_goes_to_stripe_checkout_in_myr_with_fpx(client, event, paid_pass,
                                                           fake_stripe):
    response = client.post("/events/scekl25/register/BIZ", data={
        "full_name": "Siti Mariam", "email": "siti@khazanah.com.my"})
    assert response.status_code == 303
    assert response.headers["Location"].startswith("https://checkout.stripe.test/pay/")
    [(method, path, form, key)] = [r for r in fake_stripe.requests if r[1].endswith("sessions")]
    assert form["line_items[0][price_data][currency]"] == "myr"
    assert form["line_items[0][price_data][unit_amount]"] == "35000"
    assert {form["payment_method_types[0]"], form["payment_method_types[1]"]} == {"card", "fpx"}
    assert key and key.startswith("expo-checkout-O")
    reg = db.session.scalar(sa.select(Registration))
    assert reg.status == "awaiting_payment" and reg.hold_expires_at > utcnow()


def test_paying_again_reuses_the_same_checkout_session(client, event, paid_pass, fake_stripe):
    reg, session = _checkout(fake_stripe, client, event, paid_pass)
    again = payments.start_checkout(reg.order)
    assert again == session["url"] and len(fake_stripe.sessions) == 1


def test_webhook_confirms_the_payment_and_sends_badge_and_receipt(client, event, paid_pass,
                                                                  fake_stripe, outbox, tmp_path,
                                                                  organiser):
    services.update_settings(organiser, event, tax_rate_bp=800, tax_label="SST",
                             seller_name="MDEC")
    reg, session = _checkout(fake_stripe, client, event, paid_pass)
    response = post_webhook(client, stripe_event("checkout.session.completed",
                                                 _completed(session)))
    assert response.status_code == 200 and response.json["outcome"] == "paid"
    reg = db.session.get(Registration, reg.id)
    assert (reg.status, reg.payment_status) == ("confirmed", "paid")
    assert reg.order.receipt_number == 1
    mail = outbox.to(reg.email)[-1]
    files = outbox.attachments(mail)
    assert f"badge-{reg.reference}.pdf" in files
    text = pdf_text(files[f"receipt-{reg.order.reference}.pdf"], tmp_path)
    assert "SCEKL25-00001" in text and "SST 8 %" in text
    assert "RM350.00" in text and "RM25.93" in text  # 35000 * 800 / 10800 = 2592.6 sen


def test_receipts_are_numbered_in_sequence_per_event(client, event, paid_pass, fake_stripe):
    numbers = []
    for n in (1, 2, 3):
        reg, session = _checkout(fake_stripe, client, event, paid_pass, n)
        post_webhook(client, stripe_event("checkout.session.completed",
                                          _completed(session, intent=f"pi_{n}")))
        numbers.append(db.session.get(Order, reg.order_id).receipt_number)
    assert numbers == [1, 2, 3]


def test_a_bad_signature_answers_400_and_changes_nothing(client, event, paid_pass,
                                                         fake_stripe, caplog):
    reg, session = _checkout(fake_stripe, client, event, paid_pass)
    payload = stripe_event("checkout.session.completed", _completed(session))
    response = post_webhook(client, payload, signature=sign(payload, secret="whsec_wrong"))
    assert response.status_code == 400 and response.json["code"] == "bad_signature"
    tampered = payload.replace(b'"paid"', b'"PAID"', 1)
    assert post_webhook(client, tampered, signature=sign(payload)).status_code == 400
    assert db.session.get(Registration, reg.id).status == "awaiting_payment"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StripeEvent)) == 0
    assert "Stripe webhook refused" in caplog.text


def test_a_webhook_for_an_unknown_session_changes_nothing_and_is_logged(client, event,
                                                                        fake_stripe, caplog):
    payload = stripe_event("checkout.session.completed", {
        "id": "cs_unknown", "payment_status": "paid", "payment_intent": "pi_x"})
    response = post_webhook(client, payload)
    assert response.status_code == 200 and "unknown" in response.json["outcome"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StripeEvent)) == 0
    assert "for no order we know" in caplog.text


def test_a_duplicate_delivery_is_applied_once(client, event, paid_pass, fake_stripe, outbox):
    reg, session = _checkout(fake_stripe, client, event, paid_pass)
    payload = stripe_event("checkout.session.completed", _completed(session),
                           event_id="evt_dup")
    post_webhook(client, payload)
    second = post_webhook(client, payload)
    assert second.json["outcome"] == "duplicate: ignored"
    assert db.session.get(Order, reg.order_id).receipt_number == 1
    assert len([m for m in outbox.to(reg.email) if "Payment received" in m["Subject"]]) == 1


def test_unpaid_hold_expires_and_frees_the_place(client, event, fake_stripe):
    pt = services.create_pass_type(None, event, code="ONE", name="One place", price_minor=1000,
                                   capacity=1)
    reg = services.register(event, pt, person(1))
    db.session.execute(sa.update(Registration).values(hold_expires_at=utcnow()
                                                      - timedelta(minutes=1)))
    db.session.commit()
    # The next buyer finds the place free: the expired hold gave it back.
    other = services.register(event, pt, person(2))
    assert db.session.get(Registration, reg.id).status == "expired"
    assert other.status == "awaiting_payment"
    assert db.session.get(PassType, pt.id).taken == 1


def test_late_payment_is_honoured_when_a_place_is_free(client, event, paid_pass, fake_stripe):
    reg, session = _checkout(fake_stripe, client, event, paid_pass)
    db.session.execute(sa.update(Registration).values(hold_expires_at=utcnow()
                                                      - timedelta(minutes=1)))
    db.session.commit()
    services.expire_holds(event)
    assert db.session.get(Registration, reg.id).status == "expired"
    post_webhook(client, stripe_event("checkout.session.completed", _completed(session)))
    reg = db.session.get(Registration, reg.id)
    assert (reg.status, reg.payment_status) == ("confirmed", "paid")
    assert db.session.get(PassType, paid_pass.id).taken == 1


def test_late_payment_without_a_place_is_refunded_and_shown_to_organisers(
        client, people, event, fake_stripe, outbox):
    pt = services.create_pass_type(None, event, code="ONE", name="One place", price_minor=1000,
                                   capacity=1)
    reg, session = _checkout(fake_stripe, client, event, pt)
    db.session.execute(sa.update(Registration).values(hold_expires_at=utcnow()
                                                      - timedelta(minutes=1)))
    db.session.commit()
    services.register(event, pt, person(2))  # takes the freed place
    response = post_webhook(client, stripe_event("checkout.session.completed",
                                                 _completed(session, intent="pi_late")))
    assert response.json["outcome"].startswith("paid late: refunded")
    assert fake_stripe.refunds == [{"id": fake_stripe.refunds[0]["id"], "object": "refund",
                                    "status": "succeeded", "amount": 1000,
                                    "payment_intent": "pi_late"}]
    reg = db.session.get(Registration, reg.id)
    assert (reg.status, reg.payment_status) == ("expired", "refunded")
    assert db.session.get(PassType, pt.id).taken == 1
    people.login_as("organiser", event)
    page = client.get("/events/scekl25/manage/registrations").get_data(as_text=True)
    assert "refunded automatically" in page
    assert "was refunded" in outbox.to(reg.email)[-1]["Subject"]


def test_refund_made_in_stripe_cancels_the_registration(client, event, paid_pass,
                                                        fake_stripe):
    reg, session = _checkout(fake_stripe, client, event, paid_pass)
    post_webhook(client, stripe_event("checkout.session.completed", _completed(session)))
    post_webhook(client, stripe_event("charge.refunded", {
        "id": "ch_1", "object": "charge", "payment_intent": "pi_test_1",
        "amount_refunded": 35000}))
    reg = db.session.get(Registration, reg.id)
    assert (reg.status, reg.payment_status) == ("cancelled", "refunded")
    assert db.session.get(PassType, paid_pass.id).taken == 0
    # A late, out-of-order "completed" does not bring the money state back.
    post_webhook(client, stripe_event("checkout.session.completed", _completed(session)))
    assert db.session.get(Registration, reg.id).payment_status == "refunded"


def test_organiser_refund_goes_through_stripe_with_an_idempotency_key(client, people, event,
                                                                      paid_pass, fake_stripe):
    reg, session = _checkout(fake_stripe, client, event, paid_pass)
    post_webhook(client, stripe_event("checkout.session.completed", _completed(session)))
    people.login_as("organiser", event)
    client.post(f"/events/scekl25/manage/registrations/{reg.id}/refund")
    [refund] = fake_stripe.refunds
    assert refund["amount"] == 35000
    assert [r[3] for r in fake_stripe.requests if r[1] == "/v1/refunds"][0].startswith(
        "expo-refund-")
    assert db.session.get(Registration, reg.id).status == "cancelled"


def test_stripe_outage_keeps_the_place_and_says_try_again(client, event, paid_pass,
                                                          fake_stripe):
    fake_stripe.fail_next = 5  # more than the client's retries
    fake_stripe.idempotent.clear()
    response = client.post("/events/scekl25/register/BIZ", data={
        "full_name": "Siti Mariam", "email": "siti@khazanah.com.my"}, follow_redirects=True)
    assert "Try again in a minute" in response.get_data(as_text=True)
    reg = db.session.scalar(sa.select(Registration))
    assert reg.status == "awaiting_payment"


def test_without_stripe_keys_paid_passes_are_paid_by_bank_transfer(client, people, event,
                                                                   paid_pass, organiser,
                                                                   outbox):
    services.update_settings(organiser, event,
                             bank_details="Maybank 5140 1234 5678, MDEC Events")
    response = client.post("/events/scekl25/register/BIZ", data={
        "full_name": "Siti Mariam", "email": "siti@khazanah.com.my"}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Maybank 5140 1234 5678" in page and "RM350.00" in page
    reg = db.session.scalar(sa.select(Registration))
    assert reg.status == "awaiting_payment"
    assert timedelta(days=13) < reg.hold_expires_at - utcnow() <= timedelta(days=14)
    people.login(organiser)
    client.post(f"/events/scekl25/manage/orders/{reg.order_id}/mark-paid")
    reg = db.session.get(Registration, reg.id)
    assert (reg.status, reg.payment_status, reg.order.receipt_number) == ("confirmed", "paid", 1)
    assert "Payment received" in outbox.to(reg.email)[-1]["Subject"]


def test_fpx_payment_confirms_when_the_async_success_arrives(client, event, paid_pass,
                                                             fake_stripe):
    reg, session = _checkout(fake_stripe, client, event, paid_pass)
    pending = post_webhook(client, stripe_event("checkout.session.completed",
                                                _completed(session, payment_status="unpaid")))
    assert pending.json["outcome"] == "awaiting asynchronous payment (FPX)"
    assert db.session.get(Registration, reg.id).status == "awaiting_payment"
    post_webhook(client, stripe_event("checkout.session.async_payment_succeeded",
                                      _completed(session)))
    assert db.session.get(Registration, reg.id).status == "confirmed"


def test_an_expired_checkout_session_releases_the_place(client, event, paid_pass,
                                                        fake_stripe):
    reg, session = _checkout(fake_stripe, client, event, paid_pass)
    post_webhook(client, stripe_event("checkout.session.expired", {
        "id": session["id"], "object": "checkout.session", "status": "expired",
        "payment_status": "unpaid"}))
    assert db.session.get(Registration, reg.id).status == "expired"
    assert db.session.get(PassType, paid_pass.id).taken == 0
    # Expired after completed (out of order) leaves a paid registration alone.
    reg2, session2 = _checkout(fake_stripe, client, event, paid_pass, n=2)
    post_webhook(client, stripe_event("checkout.session.completed", _completed(session2,
                                                                              intent="pi_2")))
    post_webhook(client, stripe_event("checkout.session.expired", {
        "id": session2["id"], "object": "checkout.session", "status": "expired"}))
    assert db.session.get(Registration, reg2.id).status == "confirmed"


def test_organiser_downloads_a_receipt_from_the_list_and_no_other_events_organiser_can(
        client, people, event, other_event, paid_pass, organiser):
    reg = services.register(event, paid_pass, person(1))
    payments.mark_paid(organiser, reg.order)
    people.login(organiser)
    page = client.get("/events/scekl25/manage/registrations").get_data(as_text=True)
    assert "receipt 1" in page
    pdf = client.get(f"/events/scekl25/manage/orders/{reg.order_id}/receipt.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    people.login_as("organiser", other_event)
    assert client.get(f"/events/ascn8/manage/orders/{reg.order_id}/receipt.pdf").status_code \
        == 404


def test_a_refund_arriving_before_the_payment_event_is_still_applied(client, event, paid_pass,
                                                                     fake_stripe):
    reg, session = _checkout(fake_stripe, client, event, paid_pass)
    session["payment_intent"] = "pi_early"  # what Stripe knows; we have not been told yet
    response = post_webhook(client, stripe_event("charge.refunded", {
        "id": "ch_9", "object": "charge", "payment_intent": "pi_early",
        "amount_refunded": 35000}))
    assert response.json["outcome"] == "refunded in Stripe: registrations cancelled"
    post_webhook(client, stripe_event("checkout.session.completed",
                                      _completed(session, intent="pi_early")))
    reg = db.session.get(Registration, reg.id)
    assert (reg.status, reg.payment_status) == ("cancelled", "refunded")
    assert db.session.get(PassType, paid_pass.id).taken == 0


def test_a_bank_transfer_after_the_due_date_is_honoured_if_a_place_is_free(client, people,
                                                                           event, organiser):
    pt = services.create_pass_type(None, event, code="ONE", name="One place", price_minor=1000,
                                   capacity=1)
    late = services.register(event, pt, person(1))
    db.session.execute(sa.update(Registration).values(hold_expires_at=utcnow()
                                                      - timedelta(days=1)))
    db.session.commit()
    services.expire_holds(event)
    assert db.session.get(Registration, late.id).status == "expired"
    assert db.session.get(PassType, pt.id).taken == 0
    payments.mark_paid(organiser, db.session.get(Order, late.order_id))
    late = db.session.get(Registration, late.id)
    assert (late.status, late.payment_status) == ("confirmed", "paid")
    assert db.session.get(PassType, pt.id).taken == 1
