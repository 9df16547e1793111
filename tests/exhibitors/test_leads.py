"""Exhibitor staff scan visitors' badges as leads, on the web and through the API."""

import io

import pytest
from openpyxl import load_workbook

from expo.core.models import Role
from expo.exhibitors import services
from expo.exhibitors.models import Lead
from expo.extensions import db
from expo.registration.models import RegistrationStatus


@pytest.fixture
def team(floor, exhibitors):
    """Two booked exhibitors with one scanning staff member each."""
    out = {}
    for name, code in (("Penang Smart City Lab", "A-01"), ("Johor Bahru City Council", "A-02")):
        exhibitor, manager = exhibitors.make(floor.event, name)
        services.assign_booth(floor.organiser, floor.event, exhibitor, floor.booth(code))
        out[name] = (exhibitor, manager)
    return out


def _penang(team):
    return team["Penang Smart City Lab"]


def test_api_scan_creates_a_lead_with_name_and_organisation_only_without_consent(
        client, people, team, visitors, event):
    _exhibitor, manager = _penang(team)
    visitor = visitors.make(event, consent=False)
    response = client.post("/api/v1/events/scekl25/leads", headers=people.token(manager),
                           json={"code": visitors.badge(visitor), "notes": "Smart parking",
                                 "rating": 4})
    assert response.status_code == 201
    lead = response.get_json()["lead"]
    assert (lead["full_name"], lead["organisation"], lead["country"]) == (
        "Nguyen Thi Lan", "Da Nang People's Committee", "Viet Nam")
    assert (lead["email"], lead["phone"], lead["job_title"]) == (None, None, None)
    assert (lead["rating"], lead["notes"], lead["contact_shared"]) == (4, "Smart parking", False)


def test_with_consent_the_lead_holds_the_contact_details(client, people, team, visitors, event):
    _exhibitor, manager = _penang(team)
    visitor = visitors.make(event, consent=True)
    lead = client.post("/api/v1/events/scekl25/leads", headers=people.token(manager),
                       json={"code": visitors.badge(visitor)}).get_json()["lead"]
    assert lead["email"] == visitor.email and lead["phone"] == "+84 236 3822 222"
    assert lead["job_title"] == "Director of Smart City"


def test_a_rescan_updates_the_one_lead_instead_of_adding_another(client, people, team,
                                                                 visitors, event):
    _exhibitor, manager = _penang(team)
    visitor = visitors.make(event)
    headers = people.token(manager)
    client.post("/api/v1/events/scekl25/leads", headers=headers,
                json={"code": visitors.badge(visitor), "notes": "Met at booth", "rating": 2})
    again = client.post("/api/v1/events/scekl25/leads", headers=headers,
                        json={"code": visitors.badge(visitor), "notes": "Wants a demo",
                              "rating": 5})
    assert again.status_code == 200 and again.get_json()["created"] is False
    lead = again.get_json()["lead"]
    assert (lead["scan_count"], lead["rating"]) == (2, 5)
    assert lead["notes"] == "Met at booth\nWants a demo"
    assert db.session.scalar(db.select(db.func.count()).select_from(Lead)) == 1


def test_two_exhibitors_scanning_one_visitor_each_get_their_own_lead(client, people, team,
                                                                     visitors, event):
    visitor = visitors.make(event)
    for _exhibitor, manager in team.values():
        response = client.post("/api/v1/events/scekl25/leads", headers=people.token(manager),
                               json={"code": visitors.badge(visitor)})
        assert response.status_code == 201
    assert db.session.scalar(db.select(db.func.count()).select_from(Lead)) == 2


def test_a_forged_badge_is_not_a_lead(client, people, team, visitors, event):
    _exhibitor, manager = _penang(team)
    code = visitors.badge(visitors.make(event))
    forged = code[:-3] + ("AAA" if code[-3:] != "AAA" else "BBB")
    response = client.post("/api/v1/events/scekl25/leads", headers=people.token(manager),
                           json={"code": forged})
    assert response.status_code == 422
    assert response.get_json()["code"] == "badge_invalid"
    assert db.session.scalar(db.select(db.func.count()).select_from(Lead)) == 0


def test_a_badge_from_another_event_is_not_a_lead(client, people, team, visitors, event,
                                                  other_event):
    _exhibitor, manager = _penang(team)
    elsewhere = visitors.make(other_event)
    response = client.post("/api/v1/events/scekl25/leads", headers=people.token(manager),
                           json={"code": visitors.badge(elsewhere)})
    assert response.status_code == 422
    assert response.get_json()["detail"] == "This badge is for another event."


def test_a_reissued_badge_and_a_cancelled_registration_are_not_leads(client, people, team,
                                                                     visitors, event):
    _exhibitor, manager = _penang(team)
    headers = people.token(manager)
    visitor = visitors.make(event)
    old = visitors.badge(visitor)
    visitor.badge_serial += 1
    db.session.commit()
    assert client.post("/api/v1/events/scekl25/leads", headers=headers,
                       json={"code": old}).get_json()["code"] == "badge_revoked"
    visitor.status = RegistrationStatus.CANCELLED
    db.session.commit()
    assert client.post("/api/v1/events/scekl25/leads", headers=headers,
                       json={"code": visitors.badge(visitor)}).get_json()["code"] == \
        "registration_inactive"


def test_a_rating_above_five_is_refused_and_nothing_is_stored(client, people, team, visitors,
                                                              event):
    _exhibitor, manager = _penang(team)
    response = client.post("/api/v1/events/scekl25/leads", headers=people.token(manager),
                           json={"code": visitors.badge(visitors.make(event)), "rating": 6})
    assert response.status_code == 422 and "rating" in response.get_json()["errors"]
    assert db.session.scalar(db.select(db.func.count()).select_from(Lead)) == 0


def test_a_delegate_cannot_record_leads(client, people, visitors, event, team):
    delegate = people.make(Role.DELEGATE, event)
    response = client.post("/api/v1/events/scekl25/leads", headers=people.token(delegate),
                           json={"code": visitors.badge(visitors.make(event))})
    assert response.status_code == 403


def _lead_for(exhibitor_and_manager, visitors, event):
    exhibitor, manager = exhibitor_and_manager
    lead, _ = services.record_lead(manager, event, visitors.badge(visitors.make(event)))
    return lead


def test_api_lists_only_the_callers_own_leads(client, people, team, visitors, event):
    mine = _lead_for(_penang(team), visitors, event)
    _lead_for(team["Johor Bahru City Council"], visitors, event)
    listed = client.get("/api/v1/events/scekl25/leads",
                        headers=people.token(_penang(team)[1])).get_json()
    assert [lead["id"] for lead in listed] == [mine.id]


def test_another_exhibitors_lead_by_id_answers_404_in_the_api(client, people, team, visitors,
                                                              event):
    theirs = _lead_for(team["Johor Bahru City Council"], visitors, event)
    response = client.get(f"/api/v1/events/scekl25/leads/{theirs.id}",
                          headers=people.token(_penang(team)[1]))
    assert response.status_code == 404 and response.get_json()["code"] == "lead_not_found"


def test_another_exhibitors_lead_by_id_answers_404_on_the_web(client, people, team, visitors,
                                                              event):
    theirs = _lead_for(team["Johor Bahru City Council"], visitors, event)
    people.login(_penang(team)[1])
    assert client.get(f"/events/scekl25/leads/{theirs.id}").status_code == 404
    response = client.post(f"/events/scekl25/leads/{theirs.id}",
                           data={"notes": "hijack", "rating": "", "tags": "",
                                 "follow_up": "closed"})
    assert response.status_code == 404
    db.session.expire_all()
    assert theirs.notes is None and theirs.follow_up == "new"


def test_a_token_limited_to_another_event_cannot_read_this_events_leads(client, people, team,
                                                                        visitors, event,
                                                                        other_event):
    _lead_for(_penang(team), visitors, event)
    _exhibitor, manager = _penang(team)
    headers = people.token(manager, event=other_event)
    assert client.get("/api/v1/events/scekl25/leads", headers=headers).status_code == 404


def test_an_exhibitor_of_another_event_sees_no_leads_here(client, people, team, visitors, event,
                                                          other_event, exhibitors, organiser):
    _lead_for(_penang(team), visitors, event)
    services.core.grant_role(None, other_event, organiser.email, Role.ORGANISER)
    _elsewhere, manager = exhibitors.make(other_event, "ASCN Partner")
    response = client.get("/api/v1/events/scekl25/leads", headers=people.token(manager))
    assert response.status_code == 403


def test_staff_edit_a_lead_with_rating_tags_and_follow_up(client, people, team, visitors, event):
    lead = _lead_for(_penang(team), visitors, event)
    people.login(_penang(team)[1])
    response = client.post(f"/events/scekl25/leads/{lead.id}", data={
        "notes": "Pilot in Da Nang", "rating": "5", "tags": "hot, pilot, hot",
        "follow_up": "qualified"}, follow_redirects=True)
    assert "Lead saved." in response.get_data(as_text=True)
    db.session.expire_all()
    assert (lead.rating, lead.tags, lead.follow_up) == (5, ["hot", "pilot"], "qualified")


def test_manual_code_entry_records_a_lead_and_a_bad_code_shows_the_reason(client, people, team,
                                                                         visitors, event):
    people.login(_penang(team)[1])
    bad = client.post("/events/scekl25/leads/scan", data={"code": "hello", "rating": ""})
    assert bad.status_code == 400
    assert "This is not an expo badge code." in bad.get_data(as_text=True)
    good = client.post("/events/scekl25/leads/scan",
                       data={"code": visitors.badge(visitors.make(event)), "rating": "3"},
                       follow_redirects=True)
    assert "New lead: Nguyen Thi Lan (Da Nang People&#39;s Committee) — no contact details " \
           "shared." in good.get_data(as_text=True)


def test_own_leads_export_as_csv_and_xlsx_without_other_exhibitors_leads(client, people, team,
                                                                         visitors, event):
    services.record_lead(_penang(team)[1], event,
                         visitors.badge(visitors.make(event, name="Siti Nurhaliza")))
    services.record_lead(team["Johor Bahru City Council"][1], event,
                         visitors.badge(visitors.make(event, name="Somchai Srisuk")))
    people.login(_penang(team)[1])
    csv = client.get("/events/scekl25/leads/export.csv").get_data(as_text=True)
    assert "Siti Nurhaliza" in csv and "Somchai" not in csv
    xlsx = client.get("/events/scekl25/leads/export.xlsx")
    rows = list(load_workbook(io.BytesIO(xlsx.data)).active.values)
    assert rows[0][:3] == ("Name", "Organisation", "Country")
    assert [r[0] for r in rows[1:]] == ["Siti Nurhaliza"]


def test_an_exhibitor_of_another_event_cannot_open_a_lead_here_by_id(client, people, team,
                                                                     visitors, event,
                                                                     other_event, exhibitors,
                                                                     organiser):
    lead = _lead_for(_penang(team), visitors, event)
    services.core.grant_role(None, other_event, organiser.email, Role.ORGANISER)
    _elsewhere, manager = exhibitors.make(other_event, "ASCN Partner")
    people.login(manager)
    assert client.get(f"/events/scekl25/leads/{lead.id}").status_code == 403
    assert client.get(f"/events/ascn8/leads/{lead.id}").status_code == 404
    assert "Nguyen Thi Lan" not in client.get("/events/ascn8/leads").get_data(as_text=True)
