"""Sessions x check-in: boarding site-visit buses by badge, and attendance from room doors."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa
from freezegun import freeze_time

from expo.checkin import services as checkin
from expo.checkin.models import Gate, Scan
from expo.core.models import Role
from expo.extensions import db
from expo.registration.badges import badge_token
from expo.registration.models import PassType, Registration
from expo.sessions import gates, services
from expo.sessions.models import SignUp

from .conftest import kl

SCAN = "/api/v1/events/scekl25/checkin"


class Visit:
    """A site visit with two buses of two seats each, and people with and without seats."""

    def __init__(self, event, people):
        self.event, self.people = event, people
        # The delegate pass opens no bus zone: on a bus the sign-up list decides.
        self.pass_type = PassType(event_id=event.id, code="delegate", name="Delegate",
                                  zones=["main-hall"])
        db.session.add(self.pass_type)
        db.session.commit()
        self.talk, _ = services.save_talk(
            None, event, title="Site visit: Putrajaya Command Centre", kind="site_visit",
            starts_at=kl(18, 8, 30), ends_at=kl(18, 13),
            site_visit={"meeting_point": "KLCC Main Lobby", "destination":
                        "Putrajaya Command Centre", "departs_at": kl(18, 8, 30),
                        "returns_at": kl(18, 13), "buses": 2, "seats_per_bus": 2})
        services.publish(None, event)
        self.organiser = people.make(Role.ORGANISER, event)

    def person(self, name: str, *, signup: bool = True, phone: str | None = None):
        user = self.people.make(Role.DELEGATE, self.event, name=name)
        registration = Registration(
            event_id=self.event.id, pass_type_id=self.pass_type.id, user_id=user.id,
            email=user.email, full_name=name, organisation="Da Nang People's Committee",
            country="Viet Nam", phone=phone, reference=uuid.uuid4().hex[:10].upper())
        db.session.add(registration)
        db.session.commit()
        if signup:
            with freeze_time("2025-09-01"):
                services.signup(user, self.event, self.talk.id)
        return user, registration

    def bus(self, number: int) -> Gate:
        return gates.create_talk_gate(self.organiser, self.event, self.talk.id, number)


@pytest.fixture
def visit(event, people):
    return Visit(event, people)


@pytest.fixture
def staff(people, event):
    return people.token(people.make(Role.STAFF, event), event)


def board(client, staff, registration, gate="visit1-bus1", minutes=-20, **fields):
    at = kl(18, 8, 30) + timedelta(minutes=minutes)
    return client.post(SCAN, headers=staff, json={
        "code": badge_token(registration), "gate": gate, "scanned_at": at.isoformat(),
        **fields}).json


# ---------------------------------------------------------------- the talk gate kind


def test_delegate_with_a_seat_boards_the_bus(visit, client, staff):
    _user, reg = visit.person("Nguyen Thi Lan")
    gate = visit.bus(1)
    answer = board(client, staff, reg, gate.code)
    assert answer["result"] == "ok" and answer["colour"] == "green"
    assert answer["message"] == "Welcome to Site visit bus 1 · Putrajaya Command Centre."
    assert answer["attendee"]["name"] == "Nguyen Thi Lan"


def test_delegate_not_signed_up_is_refused_with_the_reason(visit, client, staff):
    _user, reg = visit.person("Budi Wijaya", signup=False)
    gate = visit.bus(1)
    answer = board(client, staff, reg, gate.code)
    assert answer["result"] == "not_allowed" and answer["colour"] == "red"
    assert answer["message"] == "Not signed up for this visit."
    assert db.session.scalar(sa.select(Scan.result)) == "not_allowed"


def test_delegate_on_the_waiting_list_is_told_so(visit, client, staff):
    for name in ("A One", "B Two", "C Three", "D Four"):
        visit.person(name)  # the four seats
    _user, reg = visit.person("Maria Santos")
    gate = visit.bus(1)
    answer = board(client, staff, reg, gate.code)
    assert answer["result"] == "not_allowed"
    assert answer["message"] == "On the waiting list for this visit (number 1): no seat yet."


def test_second_scan_at_the_same_bus_says_already_boarded(visit, client, staff):
    _user, reg = visit.person("Nguyen Thi Lan")
    gate = visit.bus(1)
    board(client, staff, reg, gate.code)
    again = board(client, staff, reg, gate.code, minutes=-10)
    assert again["result"] == "already_checked_in" and again["colour"] == "amber"
    assert "08:10" in again["message"]


def test_boarding_the_other_bus_of_the_same_visit_says_where_they_already_are(
        visit, client, staff):
    _user, reg = visit.person("Nguyen Thi Lan")
    bus1, bus2 = visit.bus(1), visit.bus(2)
    board(client, staff, reg, bus1.code)
    answer = board(client, staff, reg, bus2.code, minutes=-5)
    assert answer["result"] == "already_checked_in"
    assert answer["message"] == "Already boarded Bus 1 · Putrajaya Command Centre at 08:10."


def test_a_cancelled_seat_no_longer_boards(visit, client, staff):
    user, reg = visit.person("Nguyen Thi Lan")
    with freeze_time("2025-09-02"):
        services.cancel_signup(user, visit.event, visit.talk.id)
    answer = board(client, staff, reg, visit.bus(1).code)
    assert answer["result"] == "not_allowed"
    assert answer["message"] == "Not signed up for this visit."


def test_a_cancelled_registration_is_refused_even_with_a_seat(visit, client, staff):
    _user, reg = visit.person("Nguyen Thi Lan")
    reg.status = "cancelled"
    db.session.commit()
    answer = board(client, staff, reg, visit.bus(1).code)
    assert answer["result"] == "cancelled"


def test_the_offline_bundle_carries_the_sign_up_list(visit, client, staff):
    _u, seated = visit.person("A One")
    for name in ("B Two", "C Three", "D Four"):
        visit.person(name)
    _u, waiting = visit.person("Maria Santos")
    _u, stranger = visit.person("Budi Wijaya", signup=False)
    gate = visit.bus(1)
    bundle = client.get(f"/api/v1/events/scekl25/checkin/bundle?gate={gate.code}",
                        headers=staff).json
    assert bundle["gate"]["kind"] == "talk"
    data = bundle["kind_data"]
    assert data["facts"]["what"] == "visit"
    assert data["attendees"][str(seated.id)] == {"signup": "confirmed"}
    assert data["attendees"][str(waiting.id)] == {"signup": "waiting", "position": 1}
    assert str(stranger.id) not in data["attendees"]


def test_an_offline_boarding_syncs_with_the_same_answer(visit, client, staff):
    _u, seated = visit.person("A One")
    _u, stranger = visit.person("Budi Wijaya", signup=False)
    gate = visit.bus(1)
    at = (kl(18, 8, 10)).isoformat()
    body = {"scans": [
        {"nonce": "bus1-tablet-0001", "gate": gate.code, "code": badge_token(seated),
         "direction": "in", "scanned_at": at, "offline_result": "ok"},
        {"nonce": "bus1-tablet-0002", "gate": gate.code, "code": badge_token(stranger),
         "direction": "in", "scanned_at": at, "offline_result": "not_allowed"}]}
    response = client.post("/api/v1/events/scekl25/checkin/sync", headers=staff, json=body)
    answer = response.json
    assert response.status_code == 200, answer
    assert [r["result"] for r in answer["results"]] == ["ok", "not_allowed"]
    assert answer["conflicts"] == 0


# ---------------------------------------------------------------- organisers: gates and boarding


def test_organiser_creates_a_boarding_gate_per_bus_in_one_click(visit, client, people):
    people.login(visit.organiser)
    url = f"/events/scekl25/manage/talks/{visit.talk.id}/gates"
    response = client.post(url, data={"bus": 2}, follow_redirects=True)
    assert "Gate “Bus 2 · Putrajaya Command Centre” is ready" in response.text
    gate = db.session.scalar(sa.select(Gate))
    assert (gate.code, gate.kind, gate.kind_ref) == ("visit1-bus2", "talk", str(visit.talk.id))
    assert gate.zone.capacity == 2 and not gate.allow_reentry
    again = client.post(url, data={"bus": 2}, follow_redirects=True)
    assert "already has a gate" in again.text
    assert "Create boarding gate for bus 1" in again.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Gate)) == 1


def test_a_bus_the_visit_does_not_have_is_refused(visit):
    with pytest.raises(Exception, match="buses 1 to 2"):
        visit.bus(3)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Gate)) == 0


def test_another_events_organiser_cannot_add_a_gate_to_this_visit(visit, client, people,
                                                                   other_event):
    people.login_as(Role.ORGANISER, other_event)
    response = client.post(f"/events/ascn8/manage/talks/{visit.talk.id}/gates",
                           data={"bus": 1}, follow_redirects=True)
    assert "No talk" in response.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Gate)) == 0


def test_visit_page_shows_boarded_per_bus_and_who_is_missing_with_phones(
        visit, client, staff, people):
    _u, lan = visit.person("Nguyen Thi Lan", phone="+84 905 123 456")
    _u, budi = visit.person("Budi Wijaya", phone="+62 812 555 0101")
    visit.bus(1)
    board(client, staff, lan, "visit1-bus1")
    result = gates.boarding(visit.event, visit.talk.id)
    assert [b.boarded for b in result.buses] == [1, 0]
    assert [p.registration.full_name for p in result.missing] == ["Budi Wijaya"]
    people.login(visit.organiser)
    page = client.get(f"/events/scekl25/manage/talks/{visit.talk.id}/signups").text
    assert "Create boarding gate for bus 2" in page
    assert "+62 812 555 0101" in page and 'href="tel:+628125550101"' in page
    missing = page.split("data-missing")[1].split("</table>")[0]
    assert "Budi Wijaya" in missing and "Nguyen Thi Lan" not in missing


def test_the_guide_on_the_bus_sees_the_boarding_list_but_a_delegate_does_not(
        visit, client, staff, people):
    _u, lan = visit.person("Nguyen Thi Lan")
    _u, budi = visit.person("Budi Wijaya", phone="+62 812 555 0101")
    visit.bus(1)
    board(client, staff, lan, "visit1-bus1")
    people.login_as(Role.STAFF, visit.event)
    page = client.get(f"/events/scekl25/boarding/{visit.talk.id}").text
    assert "1 / 2" in page and "+62 812 555 0101" in page
    people.login_as(Role.DELEGATE, visit.event)
    assert client.get(f"/events/scekl25/boarding/{visit.talk.id}").status_code == 403


def test_saving_a_boarding_gate_in_the_gate_form_keeps_it_tied_to_the_visit(
        visit, client, people):
    gate = visit.bus(1)
    people.login(visit.organiser)
    page = client.get(f"/events/scekl25/manage/gates/{gate.id}").text
    assert "Tied to" in page and "Site visit: Putrajaya Command Centre" in page
    client.post(f"/events/scekl25/manage/gates/{gate.id}", data={
        "form": "gate", "name": "Bus 1 (blue)", "code": gate.code, "zone_code": gate.zone.code,
        "zone_name": gate.zone.name, "hours": "", "active": "y"})
    db.session.refresh(gate)
    assert gate.name == "Bus 1 (blue)" and gate.kind == "talk"


# ---------------------------------------------------------------- attendance from room doors


@pytest.fixture
def doors(event, hall, make_talk, people):
    """Plenary Hall's door, with a keynote 10:00-11:00 and a panel 11:00-12:00 on 17 Sep."""
    delegate = PassType(event_id=event.id, code="delegate", name="Delegate",
                        zones=["plenary"])
    db.session.add(delegate)
    db.session.commit()
    checkin.ensure_zone(None, event, "plenary", "Plenary Hall")
    keynote = make_talk("AI Cities: Shaping Our Digital Future")
    panel = make_talk("Governing AI in Public Services", starts_at=kl(17, 11),
                      ends_at=kl(17, 12))
    organiser = people.make(Role.ORGANISER, event)
    door = gates.create_room_gate(organiser, event, hall.id, "plenary")
    regs = [Registration(event_id=event.id, pass_type_id=delegate.id, email=f"p{i}@ex.org",
                         full_name=f"Person {i}", reference=f"ATT{i:05d}") for i in range(6)]
    db.session.add_all(regs)
    db.session.commit()
    return {"keynote": keynote, "panel": panel, "door": door, "regs": regs,
            "organiser": organiser}


def _enter(client, staff, gate, registration, at):
    return client.post(SCAN, headers=staff, json={
        "code": badge_token(registration), "gate": gate.code,
        "scanned_at": at.isoformat()}).json


def test_room_door_entries_count_for_the_talk_running_then(doors, client, staff, event):
    door, regs = doors["door"], doors["regs"]
    assert door.allow_reentry and door.kind == "room"
    _enter(client, staff, door, regs[0], kl(17, 9, 50))  # early for the keynote
    _enter(client, staff, door, regs[1], kl(17, 10, 20))  # during the keynote
    _enter(client, staff, door, regs[1], kl(17, 11, 5))  # stays on for the panel
    _enter(client, staff, door, regs[2], kl(17, 11, 30))  # the panel only
    _enter(client, staff, door, regs[3], kl(17, 9, 0))  # long before anything
    by_title = {a.talk.title: a for a in gates.attendance(event)}
    keynote = by_title["AI Cities: Shaping Our Digital Future"]
    assert keynote.attended == 2 and keynote.room_capacity == 300 and keynote.fill == 1
    assert by_title["Governing AI in Public Services"].attended == 2


def test_refused_scans_at_the_door_do_not_count(doors, client, staff, event):
    door, regs = doors["door"], doors["regs"]
    regs[0].status = "cancelled"
    db.session.commit()
    assert _enter(client, staff, door, regs[0], kl(17, 10, 5))["result"] == "cancelled"
    assert {a.talk.title: a.attended for a in gates.attendance(event)}[
        "AI Cities: Shaping Our Digital Future"] == 0


def test_attendance_page_csv_and_talk_page_show_the_numbers(doors, client, staff, people):
    door, regs = doors["door"], doors["regs"]
    for reg in regs[:3]:
        _enter(client, staff, door, reg, kl(17, 10, 2))
    people.login(doors["organiser"])
    page = client.get("/events/scekl25/manage/attendance")
    assert page.status_code == 200 and "Plenary Hall door" in page.text
    assert 'data-attendance-chart="0"' in page.text
    csv = client.get("/events/scekl25/manage/attendance.csv").text.splitlines()
    assert csv[0].startswith("day,start,end,room,title")
    assert "2025-09-17,10:00,11:00,Plenary Hall,AI Cities: Shaping Our Digital Future," \
           "Expert talk,300,,,3,,,1" in csv
    talk_page = client.get(f"/events/scekl25/manage/talks/{doors['keynote'].id}/signups").text
    stats = talk_page.split("data-stats")[1].split("</section>")[0]
    assert '<div class="value">3</div><div class="label">attended</div>' in stats


def test_room_door_needs_a_zone_of_the_event(doors, client, people, hall):
    people.login(doors["organiser"])
    response = client.post("/events/scekl25/manage/attendance",
                           data={"room": str(hall.id), "zone": "nowhere"})
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Gate)) == 1


def test_signed_up_attendees_and_no_shows_of_a_workshop(event, people, small_room, make_talk,
                                                        client, staff):
    delegate = PassType(event_id=event.id, code="delegate", name="Delegate", zones=["conf"])
    db.session.add(delegate)
    db.session.commit()
    checkin.ensure_zone(None, event, "conf", "Conference halls")
    workshop = make_talk("Hands-on: Open Data Dashboards", kind="workshop", capacity=10,
                         room_id=small_room.id)
    services.publish(None, event)
    regs = []
    for i in range(3):
        user = people.make(Role.DELEGATE, event)
        reg = Registration(event_id=event.id, pass_type_id=delegate.id, user_id=user.id,
                           email=user.email, full_name=f"W {i}", reference=f"WS{i:05d}")
        db.session.add(reg)
        db.session.commit()
        with freeze_time("2025-09-01"):
            services.signup(user, event, workshop.id)
        regs.append(reg)
    door = gates.create_room_gate(people.make(Role.ORGANISER, event), event, small_room.id,
                                  "conf")
    _enter(client, staff, door, regs[0], kl(17, 10, 1))
    row = gates.attendance_of(event, workshop)
    assert (row.signed_up, row.attended, row.signed_up_attended, row.no_shows) == (3, 1, 1, 2)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SignUp)) == 3
