"""Vouchers take money off; questions are asked for the passes they belong to."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from expo.errors import DomainError
from expo.extensions import db
from expo.registration import rules, services
from expo.registration.models import PassType, Registration, Voucher
from expo.timeutil import utcnow
from tests.registration.conftest import person


def test_percent_voucher_lowers_the_price_in_whole_sen(event, paid_pass, organiser):
    services.create_voucher(organiser, event, "ASEAN15", "percent", 15)
    reg = services.register(event, paid_pass, person(1), voucher_code="asean15")
    assert reg.price_minor == 29750 and reg.order.discount_minor == 5250


def test_free_voucher_confirms_a_paid_pass_at_once(event, paid_pass, organiser):
    services.create_voucher(organiser, event, "SPEAKER", "free", 0)
    reg = services.register(event, paid_pass, person(1), voucher_code="SPEAKER")
    assert (reg.status, reg.price_minor, reg.payment_status) == ("confirmed", 0, "none")


@pytest.mark.parametrize("setup, code, message", [
    ({"valid_until": utcnow() - timedelta(days=1)}, "voucher_expired",
     "This voucher has expired."),
    ({"max_uses": 1}, "voucher_used_up", "This voucher has been used up."),
    ({"pass_type_ids": "other"}, "voucher_wrong_pass",
     "This voucher is not valid for the chosen pass."),
])
def test_an_unusable_voucher_says_why_and_changes_nothing(event, paid_pass, organiser, setup,
                                                          code, message):
    if setup.get("pass_type_ids") == "other":
        other = services.create_pass_type(None, event, code="OTHER", name="Other")
        setup = {"pass_type_ids": [other.id]}
    services.create_voucher(organiser, event, "KL2025", "percent", 10, **setup)
    if code == "voucher_used_up":
        services.register(event, paid_pass, person(0), voucher_code="KL2025")
    with pytest.raises(DomainError) as caught:
        services.register(event, paid_pass, person(1), voucher_code="KL2025")
    assert (caught.value.code, caught.value.message) == (code, message)
    assert services.active_registration(event, person(1).email) is None
    assert db.session.get(PassType, paid_pass.id).taken == (1 if code == "voucher_used_up"
                                                            else 0)


def test_voucher_error_shows_inline_on_the_form(client, event, paid_pass, organiser):
    response = client.post("/events/scekl25/register/BIZ", data={
        "full_name": "A B", "email": "ab@example.org", "voucher": "NOPE"})
    assert response.status_code == 400
    assert "No voucher with this code." in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 0


def test_voucher_uses_cannot_exceed_the_maximum(event, free_pass, organiser):
    voucher = services.create_voucher(organiser, event, "TWO", "fixed", 100, max_uses=2)
    services.register(event, free_pass, person(1), voucher_code="TWO")
    services.register(event, free_pass, person(2), voucher_code="TWO")
    with pytest.raises(DomainError):
        services.register(event, free_pass, person(3), voucher_code="TWO")
    assert db.session.get(Voucher, voucher.id).used == 2


def test_required_question_must_be_answered(client, event, free_pass, organiser):
    q = services.create_question(organiser, event, "Dietary requirements", "single",
                                 choices=["None", "Halal", "Vegetarian"], required=True)
    response = client.post("/events/scekl25/register/DELEGATE", data={
        "full_name": "A B", "email": "ab@example.org"})
    assert response.status_code == 400
    assert "This question needs an answer." in response.get_data(as_text=True)
    client.post("/events/scekl25/register/DELEGATE", data={
        "full_name": "A B", "email": "ab@example.org", f"q_{q.id}": "Halal"})
    assert db.session.scalar(sa.select(Registration)).answers == {str(q.id): "Halal"}


def test_questions_are_asked_only_for_their_passes(event, free_pass, paid_pass, organiser):
    services.create_question(organiser, event, "Ministry", "text", required=True,
                             pass_type_ids=[paid_pass.id])
    assert services.register(event, free_pass, person(1)).status == "confirmed"
    with pytest.raises(DomainError) as caught:
        services.register(event, paid_pass, person(2))
    assert caught.value.code == "answers_invalid"


def test_multiple_choice_and_yes_no_answers_are_checked(event, free_pass, organiser):
    multi = services.create_question(organiser, event, "Site visits", "multiple",
                                     choices=["Putrajaya Command Centre", "Putrajaya Wetlands"])
    yes = services.create_question(organiser, event, "Need a visa letter?", "yesno")
    reg = services.register(event, free_pass, person(1), answers={
        str(multi.id): ["Putrajaya Wetlands"], str(yes.id): "Y"})
    assert reg.answers == {str(multi.id): ["Putrajaya Wetlands"], str(yes.id): "yes"}
    with pytest.raises(DomainError):
        services.register(event, free_pass, person(2), answers={str(multi.id): ["Genting"]})


def test_tax_inside_a_price_rounds_half_up_in_sen():
    assert rules.tax_of(35000, 800, True) == 2593
    assert rules.tax_of(10800, 800, True) == 800
    assert rules.tax_of(10000, 600, False) == 600
    assert rules.discount(999, "percent", 50) == 500
