"""Organisers approve or reject registrations for passes that need approval."""

from __future__ import annotations

from expo.extensions import db
from expo.registration import services
from expo.registration.models import PassType, Registration
from tests.registration.conftest import person


def test_approval_pass_waits_and_holds_a_place(event, approval_pass, outbox):
    reg = services.register(event, approval_pass, person(1))
    assert reg.status == "awaiting_approval"
    assert db.session.get(PassType, approval_pass.id).taken == 1
    assert "awaits approval" in outbox.to(reg.email)[0]["Subject"]
    assert not outbox.attachments(outbox.to(reg.email)[0])


def test_organiser_approves_and_the_delegate_gets_the_badge(client, people, event,
                                                           approval_pass, outbox):
    reg = services.register(event, approval_pass, person(1))
    people.login_as("organiser", event)
    response = client.post(f"/events/scekl25/manage/registrations/{reg.id}/approve")
    assert response.status_code == 302
    assert db.session.get(Registration, reg.id).status == "confirmed"
    mail = outbox.to(reg.email)[-1]
    assert "is approved" in mail["Subject"]
    assert f"badge-{reg.reference}.pdf" in outbox.attachments(mail)


def test_organiser_rejects_and_the_place_is_released(client, people, event, approval_pass,
                                                     outbox):
    reg = services.register(event, approval_pass, person(1))
    people.login_as("organiser", event)
    client.post(f"/events/scekl25/manage/registrations/{reg.id}/reject",
                data={"note": "Please register as a business delegate."})
    assert db.session.get(Registration, reg.id).status == "rejected"
    assert db.session.get(PassType, approval_pass.id).taken == 0
    assert "business delegate" in outbox.text(outbox.to(reg.email)[-1])


def test_approving_twice_moves_the_place_once(client, people, event, approval_pass):
    reg = services.register(event, approval_pass, person(1))
    people.login_as("organiser", event)
    client.post(f"/events/scekl25/manage/registrations/{reg.id}/approve")
    response = client.post(f"/events/scekl25/manage/registrations/{reg.id}/approve",
                           follow_redirects=True)
    assert "not awaiting approval" in response.get_data(as_text=True)
    assert db.session.get(PassType, approval_pass.id).taken == 1


def test_an_organiser_of_another_event_cannot_approve(client, people, event, other_event,
                                                      approval_pass):
    reg = services.register(event, approval_pass, person(1))
    people.login_as("organiser", other_event)
    response = client.post(f"/events/ascn8/manage/registrations/{reg.id}/approve")
    assert response.status_code == 404
    assert db.session.get(Registration, reg.id).status == "awaiting_approval"


def test_the_return_address_after_an_action_stays_on_this_site(client, people, event,
                                                               approval_pass):
    reg = services.register(event, approval_pass, person(1))
    people.login_as("organiser", event)
    response = client.post(f"/events/scekl25/manage/registrations/{reg.id}/approve",
                           data={"next": "https://evil.example/phish"})
    assert response.headers["Location"] == "/events/scekl25/manage/registrations"
