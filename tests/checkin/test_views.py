"""Organiser pages: gates, staff at gates, devices, the live dashboard and its CSV."""

import re

import sqlalchemy as sa

from expo.checkin.models import Device, Gate
from expo.core.models import Role
from expo.extensions import db


def test_organiser_creates_a_gate_that_admits_chosen_pass_types(venue, client, people, event):
    people.login_as(Role.ORGANISER, event)
    response = client.post("/events/scekl25/manage/gates", data={
        "form": "gate", "name": "Site visit bus 1", "code": "bus-1", "zone_code": "bus-1",
        "zone_name": "Site visit bus 1", "admitted": [venue.vip.id],
        "hours": "2025-09-18 07:30-09:00", "active": "y"})
    assert response.status_code == 302
    gate = db.session.scalar(sa.select(Gate).where(Gate.code == "bus-1"))
    assert gate.hours == [{"day": "2025-09-18", "opens": "07:30", "closes": "09:00"}]
    assert "bus-1" in venue.vip.zones and "bus-1" not in venue.delegate.zones


def test_bad_hours_are_an_inline_error_and_nothing_is_saved(venue, client, people, event):
    people.login_as(Role.ORGANISER, event)
    response = client.post("/events/scekl25/manage/gates", data={
        "form": "gate", "name": "Bus", "code": "bus-9", "zone_code": "bus-9",
        "zone_name": "Bus", "hours": "tomorrow morning"})
    assert response.status_code == 400
    assert "2025-09-17 08:30-18:00" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(Gate).where(Gate.code == "bus-9")) is None


def test_staff_cannot_open_the_gates_page(venue, client, people, event):
    people.login_as(Role.STAFF, event)
    assert client.get("/events/scekl25/manage/gates").status_code == 403


def test_organiser_of_another_event_gets_404_for_a_gate(venue, client, people, other_event):
    people.login_as(Role.ORGANISER, other_event)
    assert client.get(f"/events/ascn8/manage/gates/{venue.main.id}").status_code == 404


def test_assigning_staff_by_email_grants_the_role(venue, client, people, event):
    people.login_as(Role.ORGANISER, event)
    response = client.post(f"/events/scekl25/manage/gates/{venue.vip_gate.id}", data={
        "form": "staff", "staff-email": "gate.vip@klcc.com.my"})
    assert response.status_code == 302
    page = client.get(f"/events/scekl25/manage/gates/{venue.vip_gate.id}")
    assert "gate.vip@klcc.com.my" in page.get_data(as_text=True)


def test_device_token_is_shown_once_with_a_setup_qr(venue, client, people, event):
    people.login_as(Role.ORGANISER, event)
    page = client.post("/events/scekl25/manage/devices",
                       data={"name": "Hall A turnstile 1", "gate": str(venue.main.id)})
    html = page.get_data(as_text=True)
    assert "shown only now" in html and "<svg" in html and "#device=expo_" in html
    device = db.session.scalar(sa.select(Device))
    listing = client.get("/events/scekl25/manage/devices").get_data(as_text=True)
    assert "Hall A turnstile 1" in listing and "shown only now" not in listing
    client.post(f"/events/scekl25/manage/devices/{device.id}/revoke")
    assert not device.token.is_active


def test_replacing_a_device_token_stops_the_old_one_and_shows_the_new_once(venue, client, people,
                                                                           event, scan):
    from expo.checkin import services

    organiser = people.login_as(Role.ORGANISER, event)
    device, old = services.create_device(organiser, event, "Bus 1 tablet", venue.main)
    page = client.post(f"/events/scekl25/manage/devices/{device.id}/replace")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "New token for “Bus 1 tablet”" in html and "<svg" in html
    new = re.search(r'id="device-token"[^>]* value="([^"]+)"', html).group(1)
    assert new.startswith("expo_") and new != old
    code = venue.badge(venue.person())
    assert scan(code, headers={"Authorization": f"Bearer {old}"}).status_code == 401
    assert scan(code, headers={"Authorization": f"Bearer {new}"}).json["result"] == "ok"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Device)) == 1
    listing = client.get("/events/scekl25/manage/devices").get_data(as_text=True)
    assert new not in listing and "Replace token" in listing


def test_organiser_of_another_event_cannot_replace_a_device_token(venue, client, people, event,
                                                                  other_event):
    from expo.checkin import services

    device, _plain = services.create_device(people.make(Role.ORGANISER, event), event, "Tab",
                                            None)
    people.login_as(Role.ORGANISER, other_event)
    assert client.post(f"/events/ascn8/manage/devices/{device.id}/replace").status_code == 404
    assert device.token.is_active


def test_dashboard_shows_entries_and_exports_csv(venue, client, people, event, scan):
    scan(venue.badge(venue.person(name="Hafiz Ismail")))
    scan("not a badge")
    people.login_as(Role.ORGANISER, event)
    assert "Check-ins per hour" in client.get("/events/scekl25/manage/checkin").get_data(
        as_text=True)
    live = client.get("/events/scekl25/manage/checkin/live.json").json
    assert live["totals"]["admitted"] == 1 and live["totals"]["refused"] == 1
    assert live["rejections"][0]["result"] == "invalid"
    assert [z["inside"] for z in live["zones"] if z["code"] == "main-hall"] == [1]
    csv = client.get("/events/scekl25/manage/checkin/scans.csv").get_data(as_text=True)
    assert "Hafiz Ismail" in csv and csv.count("\n") == 3


def test_service_worker_is_served_from_the_root(client):
    response = client.get("/sw.js")
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    assert "/static/checkin/badge-verify.js" in response.get_data(as_text=True)


def test_demo_adds_gates_once(app, runner):
    from expo.cli import demo

    runner.invoke(demo, [])
    again = runner.invoke(demo, [])
    assert "checkin: 0 gates, 0 sample attendees, 0 scans" in again.output
    # 5 doors of check-in's own; the sessions demo adds the buses' and rooms' gates (kind set).
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Gate)
                             .where(Gate.kind.is_(None))) == 5
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Gate)) == 12
    assert "0 delegates boarded site-visit buses, 0 door entries" in again.output
