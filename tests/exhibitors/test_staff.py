"""Exhibitors invite staff up to their package's badge quota; each gets an exhibitor badge
issued by the registration feature (EXHIBITOR pass), the manager included."""

import subprocess
from email import message_from_bytes, policy

import pytest
import sqlalchemy as sa

from expo.core.models import Role
from expo.errors import Conflict
from expo.exhibitors import services
from expo.exhibitors.models import ExhibitorStaff
from expo.extensions import db
from expo.registration import services as reg_services
from expo.registration.badges import read_badge
from expo.registration.models import Registration, RegistrationStatus


@pytest.fixture
def booked(floor, exhibitors):
    """An approved exhibitor with a sold booth whose package includes 3 staff badges."""
    exhibitor, manager = exhibitors.make(floor.event, "Penang Smart City Lab")
    services.assign_booth(floor.organiser, floor.event, exhibitor, floor.booth("A-01"))
    return exhibitor, manager


def test_manager_invites_a_colleague_who_gets_an_exhibitor_badge_and_an_email(
        client, people, booked, app):
    exhibitor, manager = booked
    people.login(manager)
    response = client.post("/events/scekl25/exhibit/team", data={
        "email": "ahmad@penang.example.my", "full_name": "Ahmad Zulkifli"},
        follow_redirects=True)
    assert "Ahmad Zulkifli joined the team; their badge is e-mailed." in \
        response.get_data(as_text=True)
    staff = db.session.scalar(db.select(ExhibitorStaff).where(
        ExhibitorStaff.email == "ahmad@penang.example.my"))
    assert staff.registration.pass_type.code == "EXHIBITOR"
    assert staff.registration.status == RegistrationStatus.CONFIRMED
    assert services.core.has_role(staff.user, exhibitor.event, Role.EXHIBITOR)
    assert "2 of 3 badges used" in response.get_data(as_text=True)  # the manager's and Ahmad's
    from pathlib import Path

    [mail] = [m for m in Path(app.config["OUTBOX_DIR"]).glob("*.eml")
              if "Your exhibitor badge for" in m.read_text() and "ahmad@" in m.read_text()]
    message = message_from_bytes(mail.read_bytes(), policy=policy.default)
    [pdf] = [part for part in message.iter_attachments()
             if part.get_content_type() == "application/pdf"]
    assert pdf.get_content()[:5] == b"%PDF-"
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "Set your password with this link first" in text and "/reset/" in text



def test_the_manager_gets_an_exhibitor_badge_with_the_booth_counted_in_the_quota(booked,
                                                                                outbox):
    exhibitor, manager = booked
    member = services.membership(exhibitor.event, manager)
    assert member.registration.pass_type.code == "EXHIBITOR"
    assert member.registration.organisation == exhibitor.name
    assert (exhibitor.staff_count, exhibitor.staff_quota) == (1, 3)
    [mail] = outbox.to(manager.email)
    assert mail["Subject"] == f"Your exhibitor badge for {exhibitor.event.name}"
    assert f"badge-{member.registration.reference}.pdf" in outbox.attachments(mail)


def test_the_third_invitation_of_a_three_badge_package_is_refused(booked):
    exhibitor, manager = booked
    for i in range(2):
        services.invite_staff(manager, exhibitor.event, exhibitor, f"s{i}@example.my", f"S {i}")
    with pytest.raises(Conflict) as caught:
        services.invite_staff(manager, exhibitor.event, exhibitor, "s4@example.my", "S 4")
    assert caught.value.code == "staff_quota_full"
    assert "All 3 staff badges of your booth package are used" in caught.value.message
    assert services.core.user_by_email("s4@example.my") is None  # nothing half-done


def test_removing_a_staff_member_cancels_the_badge_and_frees_a_place(booked):
    exhibitor, manager = booked
    staff, _ = services.invite_staff(manager, exhibitor.event, exhibitor, "s@example.my", "S")
    registration = staff.registration
    pass_type = registration.pass_type
    assert (exhibitor.staff_count, pass_type.taken) == (2, 2)
    services.remove_staff(manager, exhibitor.event, exhibitor, staff.id)
    db.session.expire_all()
    assert registration.status == RegistrationStatus.CANCELLED
    assert (exhibitor.staff_count, pass_type.taken) == (1, 1)


def test_a_person_cannot_staff_two_exhibitors_of_one_event(booked, floor, exhibitors):
    exhibitor, manager = booked
    other, other_manager = exhibitors.make(floor.event, "Rival Co")
    services.assign_booth(floor.organiser, floor.event, other, floor.booth("A-02"))
    services.invite_staff(manager, floor.event, exhibitor, "both@example.my", "Both")
    with pytest.raises(Conflict) as caught:
        services.invite_staff(other_manager, floor.event, other, "both@example.my", "Both")
    assert caught.value.code == "staff_exists"
    assert other.staff_count == 1  # its manager only


def test_without_a_sold_booth_there_are_no_badges_to_give(floor, exhibitors):
    exhibitor, manager = exhibitors.make(floor.event, "No Booth Co")
    with pytest.raises(Conflict):
        services.invite_staff(manager, floor.event, exhibitor, "x@example.my", "X")


def test_staff_member_cannot_invite_others(client, people, booked):
    exhibitor, manager = booked
    staff, _ = services.invite_staff(manager, exhibitor.event, exhibitor, "s@example.my", "S")
    services.core.reset_password(services.core.password_reset_token(staff.user),
                                 "correct horse battery")
    people.login(staff.user)
    response = client.post("/events/scekl25/exhibit/team", data={
        "email": "friend@example.my", "full_name": "Friend"})
    assert response.status_code == 403
    assert "Only the exhibitor&#39;s manager may do that." in response.get_data(as_text=True)
    assert services.core.user_by_email("friend@example.my") is None


def test_a_staff_member_downloads_a_badge_pdf_whose_qr_is_their_genuine_badge(client, people,
                                                                             booked, tmp_path):
    exhibitor, manager = booked
    staff, _ = services.invite_staff(manager, exhibitor.event, exhibitor, "s@example.my",
                                     "Lim Wei Jie")
    services.core.reset_password(services.core.password_reset_token(staff.user),
                                 "correct horse battery")
    people.login(staff.user)
    response = client.get("/events/scekl25/exhibit/badge.pdf")
    assert response.mimetype == "application/pdf"
    (tmp_path / "badge.pdf").write_bytes(response.data)
    subprocess.run(["pdftoppm", "-r", "150", "-png", str(tmp_path / "badge.pdf"),
                    str(tmp_path / "badge")], check=True)
    [png] = tmp_path.glob("badge*.png")
    decoded = subprocess.run(["zbarimg", "--raw", "-q", str(png)], capture_output=True,
                             text=True, check=True).stdout.strip()
    read = read_badge(exhibitor.event, decoded)
    assert read.problem is None and read.registration.id == staff.registration_id


def test_a_confirmed_delegate_joining_a_team_keeps_their_registration_as_badge(booked):
    exhibitor, manager = booked
    event = exhibitor.event
    delegate_pass = reg_services.create_pass_type(None, event, code="DELEGATE", name="Delegate")
    delegate = reg_services.register(event, delegate_pass, reg_services.Person(
        "siti@khazanah.com.my", "Siti Mariam", "Khazanah"))
    staff, _ = services.invite_staff(manager, event, exhibitor, "siti@khazanah.com.my",
                                     "Siti Mariam")
    assert staff.registration_id == delegate.id
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration).where(
        Registration.email == "siti@khazanah.com.my")) == 1
    assert exhibitor.staff_count == 2


def test_a_registration_awaiting_payment_cannot_become_a_badge_and_nothing_changes(booked):
    exhibitor, manager = booked
    event = exhibitor.event
    paid = reg_services.create_pass_type(None, event, code="BIZ", name="Business",
                                         price_minor=35000)
    reg_services.register(event, paid, reg_services.Person("late@payer.my", "Late Payer"))
    with pytest.raises(Conflict) as caught:
        services.invite_staff(manager, event, exhibitor, "late@payer.my", "Late Payer")
    assert caught.value.code == "already_registered"
    assert "awaiting payment" in caught.value.message
    db.session.expire_all()
    assert exhibitor.staff_count == 1
    assert db.session.scalar(sa.select(ExhibitorStaff).where(
        ExhibitorStaff.email == "late@payer.my")) is None


def test_the_exhibitor_pass_capacity_set_by_organisers_is_respected(booked):
    exhibitor, manager = booked
    event = exhibitor.event
    pass_type = reg_services.pass_type_by_code(event, "EXHIBITOR")
    reg_services.update_pass_type(exhibitor.owner, event, pass_type, capacity=1)  # the manager
    with pytest.raises(Conflict) as caught:
        services.invite_staff(manager, event, exhibitor, "one@too.many", "One Too Many")
    assert caught.value.code == "sold_out"
    db.session.expire_all()
    assert exhibitor.staff_count == 1
    assert services.core.user_by_email("one@too.many") is None


def test_a_manager_without_a_badge_gets_one_from_the_team_page(client, people, floor,
                                                               exhibitors):
    exhibitor, manager = exhibitors.make(floor.event, "Late Badge Co")
    event = floor.event
    paid = reg_services.create_pass_type(None, event, code="BIZ", name="Business",
                                         price_minor=35000)
    pending = reg_services.register(event, paid, reg_services.Person(manager.email, "M"))
    services.assign_booth(floor.organiser, event, exhibitor, floor.booth("A-01"))
    assert services.membership(event, manager).registration_id is None  # pending delegate
    reg_services.cancel(None, pending)
    people.login(manager)
    page = client.get("/events/scekl25/exhibit/team").get_data(as_text=True)
    assert "Get my exhibitor badge" in page
    response = client.post("/events/scekl25/exhibit/team/manager-badge", follow_redirects=True)
    assert "Your exhibitor badge is ready" in response.get_data(as_text=True)
    db.session.expire_all()
    assert services.membership(event, manager).registration.pass_type.code == "EXHIBITOR"
    assert exhibitor.staff_count == 1


def test_the_delegates_required_questions_do_not_block_an_exhibitor_badge(booked):
    exhibitor, manager = booked
    reg_services.create_question(exhibitor.owner, exhibitor.event, "Dietary requirements",
                                 "text", required=True)
    staff, _ = services.invite_staff(manager, exhibitor.event, exhibitor, "chef@example.my",
                                     "Chef")
    assert staff.registration.status == RegistrationStatus.CONFIRMED
