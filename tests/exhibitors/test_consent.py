"""Delegates decide whether exhibitors get their contact details (PDPA 2010)."""

from datetime import timedelta

import pytest

from expo.core.models import Role
from expo.exhibitors import services
from expo.extensions import db
from expo.registration import services as reg_services
from expo.timeutil import utcnow


@pytest.fixture
def scanned(people, floor, exhibitors, visitors):
    """A delegate who consented and whose badge two exhibitors scanned."""
    user = people.make(Role.DELEGATE, floor.event, name="Nguyen Thi Lan")
    registration = visitors.make(floor.event, consent=True, user=user)
    leads = []
    for name, code in (("Penang Smart City Lab", "A-01"), ("Huawei Malaysia", "A-02")):
        exhibitor, manager = exhibitors.make(floor.event, name)
        services.assign_booth(floor.organiser, floor.event, exhibitor, floor.booth(code))
        lead, _ = services.record_lead(manager, floor.event, visitors.badge(registration))
        leads.append(lead)
    return user, registration, leads


def test_delegate_sees_which_exhibitors_hold_their_details(client, people, scanned):
    user, _registration, _leads = scanned
    people.login(user)
    page = client.get("/events/scekl25/privacy").get_data(as_text=True)
    assert "Sharing on" in page
    assert page.count("Withdraw my contact details") == 2
    assert "Penang Smart City Lab" in page and "Huawei Malaysia" in page


def test_withdrawing_from_one_exhibitor_strips_only_that_lead(client, people, scanned):
    user, registration, (penang, huawei) = scanned
    people.login(user)
    client.post("/events/scekl25/privacy", data={"registration": registration.id,
                                                 "action": "withdraw",
                                                 "exhibitor": penang.exhibitor_id})
    services.db.session.expire_all()
    assert (penang.email, penang.phone, penang.job_title) == (None, None, None)
    assert penang.full_name == "Nguyen Thi Lan"
    assert huawei.email == registration.email


def test_turning_sharing_off_strips_every_lead_and_future_scans(client, people, scanned,
                                                                visitors):
    user, registration, leads = scanned
    people.login(user)
    response = client.post("/events/scekl25/privacy", data={"registration": registration.id,
                                                            "action": "stop"},
                           follow_redirects=True)
    assert "removed from 2 exhibitor leads" in response.get_data(as_text=True)
    services.db.session.expire_all()
    assert all(lead.email is None for lead in leads)
    manager = leads[0].exhibitor.owner
    again, _ = services.record_lead(manager, registration.event, visitors.badge(registration))
    assert again.email is None


def test_nobody_can_change_another_persons_consent(client, people, scanned, floor):
    _user, registration, leads = scanned
    people.login_as(Role.DELEGATE, floor.event)
    response = client.post("/events/scekl25/privacy", data={"registration": registration.id,
                                                            "action": "stop"})
    assert response.status_code == 404
    services.db.session.expire_all()
    assert registration.share_contact_with_exhibitors is True


def test_consent_page_is_in_the_delegates_menu(client, people, scanned):
    people.login(scanned[0])
    page = client.get("/events/scekl25").get_data(as_text=True)
    assert "/events/scekl25/privacy" in page


# ---------------------------------------------------------------- decided at registration


def _delegate_pass(event):
    return reg_services.create_pass_type(None, event, code="DELEGATE2", name="Delegate")


def test_the_registration_form_asks_clearly_and_sharing_is_off_unless_ticked(client, event):
    _delegate_pass(event)
    page = client.get("/events/scekl25/register/DELEGATE2").get_data(as_text=True)
    assert "Share my contact details with exhibitors who scan my badge" in page
    assert "may also receive your e-mail, phone number and job title" in page
    assert 'name="share_contact" type="checkbox" value="y">' in page  # not checked
    client.post("/events/scekl25/register/DELEGATE2", data={
        "full_name": "Aisyah Rahman", "email": "aisyah@mbpj.gov.my"})
    client.post("/events/scekl25/register/DELEGATE2", data={
        "full_name": "Tan Wei Ming", "email": "weiming@iskandar.my", "share_contact": "y"})
    assert reg_services.active_registration(event, "aisyah@mbpj.gov.my") \
        .share_contact_with_exhibitors is False
    assert reg_services.active_registration(event, "weiming@iskandar.my") \
        .share_contact_with_exhibitors is True


def test_the_api_takes_the_consent_when_registering_and_shows_it(client, people, event):
    _delegate_pass(event)
    organiser = people.make(Role.ORGANISER, event)
    response = client.post("/api/v1/events/scekl25/registrations", headers=people.token(organiser),
                           json={"pass_type": "DELEGATE2", "email": "lan@danang.gov.vn",
                                 "full_name": "Nguyen Thi Lan",
                                 "share_contact_with_exhibitors": True})
    assert response.status_code == 201
    assert response.get_json()["share_contact_with_exhibitors"] is True


def test_withdrawing_on_my_registration_after_the_cut_off_erases_the_leads_too(
        client, people, scanned, organiser, event):
    _user, registration, leads = scanned
    reg_services.update_settings(organiser, event, edit_cutoff=utcnow() - timedelta(days=1))
    key = reg_services.access_key(registration)
    page = client.get(f"/events/scekl25/registration/{key}").get_data(as_text=True)
    assert "Sharing on" in page and "cut-off for changes has passed" in page
    response = client.post(f"/events/scekl25/registration/{key}/consent", data={"share": "0"},
                           follow_redirects=True)
    assert "erased from 2 exhibitor leads" in response.get_data(as_text=True)
    db.session.expire_all()
    assert registration.share_contact_with_exhibitors is False
    assert [(lead.email, lead.phone, lead.job_title) for lead in leads] == [(None,) * 3] * 2


def test_the_privacy_page_and_my_registration_show_the_same_choice(client, people, scanned):
    user, registration, _leads = scanned
    people.login(user)
    client.post("/events/scekl25/privacy", data={"registration": registration.id,
                                                 "action": "stop"})
    key = reg_services.access_key(registration)
    page = client.get(f"/events/scekl25/registration/{key}").get_data(as_text=True)
    assert "Sharing off" in page
    client.post(f"/events/scekl25/registration/{key}/consent", data={"share": "1"})
    page = client.get("/events/scekl25/privacy").get_data(as_text=True)
    assert "Sharing on" in page and "Sharing off" not in page
