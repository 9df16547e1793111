"""A head of delegation registers a country's delegation in one order."""

from __future__ import annotations

import sqlalchemy as sa

from expo.extensions import db
from expo.registration import services
from expo.registration.models import Delegation, Order, PassType, Registration


def _delegation_form(**extra):
    data = {"delegation_name": "Viet Nam — Da Nang", "delegation_country": "Viet Nam",
            "full_name": ["Nguyen Thi Lan", "Tran Van Minh", "Le Thu Ha", ""],
            "email": ["lan@danang.gov.vn", "minh@danang.gov.vn", "ha@danang.gov.vn", ""],
            "role": ["Head of delegation", "Deputy", "Delegate", ""],
            "organisation": ["Da Nang People's Committee"] * 3 + [""]}
    data.update(extra)
    return data


def test_head_registers_a_delegation_and_each_member_gets_a_badge(client, event, free_pass,
                                                                  outbox):
    response = client.post("/events/scekl25/register/DELEGATE/delegation",
                           data=_delegation_form())
    assert response.status_code == 302
    delegation = db.session.scalar(sa.select(Delegation))
    members = delegation.members
    assert [m.delegation_role for m in members] == ["Head of delegation", "Deputy", "Delegate"]
    assert {m.order_id for m in members} == {db.session.scalar(sa.select(Order.id))}
    assert db.session.get(PassType, free_pass.id).taken == 3
    for m in members:
        [mail] = outbox.to(m.email)
        assert f"badge-{m.reference}.pdf" in outbox.attachments(mail)
    head_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your delegation: Viet Nam — Da Nang" in head_page and "Tran Van Minh" in head_page


def test_a_bad_email_in_one_row_registers_nobody(client, event, free_pass):
    form = _delegation_form(email=["lan@danang.gov.vn", "not-an-email", "ha@danang.gov.vn", ""])
    response = client.post("/events/scekl25/register/DELEGATE/delegation", data=form)
    assert response.status_code == 400
    assert "is not a valid e-mail address" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 0


def test_a_delegation_bigger_than_the_places_left_registers_nobody(client, event):
    services.create_pass_type(None, event, code="SMALL", name="Small", capacity=2)
    response = client.post("/events/scekl25/register/SMALL/delegation", data=_delegation_form())
    assert "sold out" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 0
    assert db.session.scalar(sa.select(PassType.taken).where(PassType.code == "SMALL")) == 0


def test_a_paid_delegation_is_one_checkout_for_everyone(client, event, paid_pass,
                                                        fake_stripe):
    response = client.post("/events/scekl25/register/BIZ/delegation", data=_delegation_form())
    assert response.status_code == 303
    [session] = fake_stripe.sessions.values()
    assert session["amount_total"] == 3 * 35000
