"""A delegate registers, gets the badge by e-mail and manages "my registration"."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from expo.extensions import db
from expo.registration import badges, services
from expo.registration.models import PassType, Registration
from expo.timeutil import utcnow
from tests.registration.conftest import decode_qr, person


def _form(**extra):
    data = {"full_name": "Nguyen Thi Lan", "email": "lan@danang.gov.vn",
            "organisation": "Da Nang People's Committee", "country": "Viet Nam"}
    data.update(extra)
    return data


def test_delegate_registers_for_a_free_pass_and_is_confirmed_at_once(client, event, free_pass):
    response = client.post("/events/scekl25/register/DELEGATE", data=_form())
    assert response.status_code == 302
    reg = db.session.scalar(sa.select(Registration))
    assert (reg.status, reg.payment_status, reg.full_name) == ("confirmed", "none",
                                                               "Nguyen Thi Lan")
    assert db.session.get(PassType, free_pass.id).taken == 1
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Download badge (PDF)" in page and reg.reference in page


def test_confirmation_mail_carries_the_badge_whose_qr_verifies(client, event, free_pass,
                                                               outbox, tmp_path):
    client.post("/events/scekl25/register/DELEGATE", data=_form())
    [mail] = outbox.to("lan@danang.gov.vn")
    assert mail["Subject"] == f"You are registered for {event.name}"
    reg = db.session.scalar(sa.select(Registration))
    assert f"/events/scekl25/registration/{services.access_key(reg)}" in outbox.text(mail)
    pdf = outbox.attachments(mail)[f"badge-{reg.reference}.pdf"]
    read = badges.read_badge(event, decode_qr(pdf, tmp_path))
    assert read.problem is None and read.registration.id == reg.id


def test_the_same_email_cannot_register_twice_and_is_told_why(client, event, free_pass):
    client.post("/events/scekl25/register/DELEGATE", data=_form())
    response = client.post("/events/scekl25/register/DELEGATE",
                           data=_form(email="LAN@danang.gov.vn"))
    assert response.status_code == 400
    assert "already registered for this event" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 1


def test_a_full_pass_says_sold_out_and_offers_the_waiting_list(client, event):
    pt = services.create_pass_type(None, event, code="VIP", name="VIP", capacity=1)
    services.register(event, pt, person(1))
    response = client.get("/events/scekl25/register/VIP")
    page = response.get_data(as_text=True)
    assert "This pass is sold out" in page and "Join the waiting list" in page
    try:
        services.register(event, pt, person(2))
    except services.Conflict as error:
        assert error.code == "sold_out"
    else:
        raise AssertionError("a second place was sold")
    assert db.session.get(PassType, pt.id).taken == 1


def test_invite_only_pass_needs_its_link(client, event):
    pt = services.create_pass_type(None, event, code="MIN", name="Ministerial",
                                   visibility="invite")
    assert client.get("/events/scekl25/register/MIN").status_code == 404
    assert "Ministerial" not in client.get("/events/scekl25/register").get_data(as_text=True)
    url = f"/events/scekl25/register/MIN?invite={pt.invite_code}"
    assert client.get(url).status_code == 200
    response = client.post("/events/scekl25/register/MIN", data=_form(invite=pt.invite_code))
    assert response.status_code == 302


def test_sales_window_closed_refuses_with_a_message(client, event):
    services.create_pass_type(None, event, code="EARLY", name="Early bird",
                              sales_end=utcnow() - timedelta(days=1),
                              sales_start=utcnow() - timedelta(days=30))
    response = client.post("/events/scekl25/register/EARLY", data=_form())
    assert response.status_code == 400
    assert "Sales for this pass have ended." in response.get_data(as_text=True)


def test_delegate_edits_details_until_the_cutoff(client, event, free_pass, organiser):
    reg = services.register(event, free_pass, person(1))
    url = f"/events/scekl25/registration/{services.access_key(reg)}"
    response = client.post(url, data={"full_name": "Dr. Delegate One", "organisation": "KPKT"})
    assert response.status_code == 302
    assert db.session.get(Registration, reg.id).full_name == "Dr. Delegate One"
    services.update_settings(organiser, event, edit_cutoff=utcnow() - timedelta(minutes=1))
    page = client.post(url, data={"full_name": "Too Late"}).get_data(as_text=True)
    assert "cut-off" in page
    assert db.session.get(Registration, reg.id).full_name == "Dr. Delegate One"


def test_delegate_cancels_and_the_place_is_released(client, event, free_pass, outbox):
    reg = services.register(event, free_pass, person(1))
    response = client.post(f"/events/scekl25/registration/{services.access_key(reg)}/cancel")
    assert response.status_code == 302
    assert db.session.get(Registration, reg.id).status == "cancelled"
    assert db.session.get(PassType, free_pass.id).taken == 0
    assert "is cancelled" in outbox.to(reg.email)[-1]["Subject"]


def test_a_tampered_registration_link_is_not_found(client, event, free_pass):
    reg = services.register(event, free_pass, person(1))
    key = services.access_key(reg)
    assert client.get(f"/events/scekl25/registration/{key[:-2]}xx").status_code == 404


def test_reissued_badge_revokes_the_old_qr(event, free_pass, organiser):
    reg = services.register(event, free_pass, person(1))
    old = badges.badge_token(reg)
    services.reissue_badge(organiser, reg)
    assert badges.read_badge(event, old).problem == "revoked"
    assert badges.read_badge(event, badges.badge_token(reg)).problem is None


def test_logged_in_delegate_finds_my_registration_from_the_menu(client, people, event,
                                                                free_pass):
    user = people.login_as("delegate", event)
    services.register(event, free_pass, person(9, email=user.email), user=user)
    response = client.get("/events/scekl25/my-registration")
    assert "/events/scekl25/registration/" in response.headers["Location"]


def test_with_a_job_queue_the_badge_mail_is_rendered_by_the_worker(app, event, free_pass,
                                                                   outbox, monkeypatch):
    queued = []

    class FakeQueue:
        def enqueue(self, func, *args):
            queued.append((func, args))

    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:6379/0")
    monkeypatch.setattr("expo.jobs.queue",
                        lambda: FakeQueue() if app.config["REDIS_URL"] else None)
    reg = services.register(event, free_pass, person(1))
    assert [(f.__name__, a) for f, a in queued] == [("run_notification",
                                                     ("registration_received", reg.id))]
    assert outbox.to(reg.email) == []
    func, args = queued[0]
    monkeypatch.setitem(app.config, "REDIS_URL", None)
    func(*args)  # what the RQ worker runs
    [mail] = outbox.to(reg.email)
    assert f"badge-{reg.reference}.pdf" in outbox.attachments(mail)
