"""Delegates decide whether exhibitors get their contact details (PDPA 2010)."""

import pytest

from expo.core.models import Role
from expo.exhibitors import services


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
