"""Exhibitors invite staff up to their package's badge quota; each gets an exhibitor badge."""

import subprocess
from email import message_from_bytes, policy

import pytest

from expo.core.models import Role
from expo.errors import Conflict
from expo.exhibitors import services
from expo.exhibitors.models import ExhibitorStaff
from expo.extensions import db
from expo.registration.badges import read_badge
from expo.registration.models import RegistrationStatus


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
    assert "1 of 3 badges used" in response.get_data(as_text=True)
    from pathlib import Path

    [mail] = [m for m in Path(app.config["OUTBOX_DIR"]).glob("*.eml")
              if "Your exhibitor badge for" in m.read_text()]
    message = message_from_bytes(mail.read_bytes(), policy=policy.default)
    [pdf] = [part for part in message.iter_attachments()
             if part.get_content_type() == "application/pdf"]
    assert pdf.get_content()[:5] == b"%PDF-"



def test_the_fourth_invitation_of_a_three_badge_package_is_refused(booked):
    exhibitor, manager = booked
    for i in range(3):
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
    services.remove_staff(manager, exhibitor.event, exhibitor, staff.id)
    assert registration.status == RegistrationStatus.CANCELLED
    assert exhibitor.staff_count == 0


def test_a_person_cannot_staff_two_exhibitors_of_one_event(booked, floor, exhibitors):
    exhibitor, manager = booked
    other, other_manager = exhibitors.make(floor.event, "Rival Co")
    services.assign_booth(floor.organiser, floor.event, other, floor.booth("A-02"))
    services.invite_staff(manager, floor.event, exhibitor, "both@example.my", "Both")
    with pytest.raises(Conflict) as caught:
        services.invite_staff(other_manager, floor.event, other, "both@example.my", "Both")
    assert caught.value.code == "staff_exists"
    assert other.staff_count == 0


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
