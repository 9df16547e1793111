"""A full pass has a waiting list; freed places are offered in turn, for a limited time."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from expo.errors import DomainError
from expo.extensions import db
from expo.registration import services
from expo.registration.models import PassType, Registration, WaitingListEntry
from expo.timeutil import utcnow
from tests.registration.conftest import person


@pytest.fixture
def full_pass(event):
    pt = services.create_pass_type(None, event, code="SITE", name="Site visit", capacity=1)
    services.register(event, pt, person("first"))
    return pt


def test_joining_the_waiting_list_from_the_sold_out_page(client, event, full_pass):
    response = client.post("/events/scekl25/waiting-list/SITE", data={
        "full_name": "Wei Jie Tan", "email": "weijie@penang.gov.my"}, follow_redirects=True)
    assert "You are on the waiting list for Site visit (number 1)" in \
        response.get_data(as_text=True)


def test_a_cancellation_offers_the_place_to_the_next_person(client, event, full_pass, outbox):
    services.join_waiting_list(event, full_pass, person(1))
    services.join_waiting_list(event, full_pass, person(2))
    first = services.active_registration(event, person("first").email)
    services.cancel(None, first)
    [offer] = outbox.to(person(1).email)
    assert "A place is free for you" in offer["Subject"]
    assert outbox.to(person(2).email) == []
    assert db.session.get(PassType, full_pass.id).taken == 1  # held for the offer
    entry = db.session.scalar(sa.select(WaitingListEntry).where(
        WaitingListEntry.email == person(1).email))
    link = f"/events/scekl25/offer/{entry.offer_token}"
    assert link in outbox.text(offer)
    response = client.post(link)
    assert response.status_code == 302
    reg = services.active_registration(event, person(1).email)
    assert reg.status == "confirmed"
    assert db.session.get(PassType, full_pass.id).taken == 1


def test_an_expired_offer_moves_on_to_the_next_person(client, event, full_pass, outbox):
    services.join_waiting_list(event, full_pass, person(1))
    services.join_waiting_list(event, full_pass, person(2))
    services.cancel(None, services.active_registration(event, person("first").email))
    db.session.execute(sa.update(WaitingListEntry).where(
        WaitingListEntry.email == person(1).email).values(
        offer_expires_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    services.expire_holds(event)
    assert "A place is free for you" in outbox.to(person(2).email)[0]["Subject"]
    expired = db.session.scalar(sa.select(WaitingListEntry).where(
        WaitingListEntry.email == person(1).email))
    assert expired.status == "expired"
    with pytest.raises(DomainError) as caught:
        services.accept_offer(event, expired.offer_token)
    assert caught.value.code == "offer_expired"
    assert db.session.get(PassType, full_pass.id).taken == 1


def test_raising_capacity_offers_the_new_places(event, full_pass, organiser, outbox):
    services.join_waiting_list(event, full_pass, person(1))
    services.update_pass_type(organiser, event, full_pass, capacity=2)
    assert outbox.to(person(1).email)
    assert db.session.get(PassType, full_pass.id).taken == 2


def test_capacity_cannot_drop_below_places_taken(event, full_pass, organiser):
    with pytest.raises(DomainError) as caught:
        services.update_pass_type(organiser, event, full_pass, capacity=0)
    assert caught.value.code == "capacity_below_taken"
    assert db.session.get(PassType, full_pass.id).capacity == 1


def test_someone_registered_cannot_wait_too(event, full_pass):
    with pytest.raises(DomainError) as caught:
        services.join_waiting_list(event, full_pass, person("first"))
    assert caught.value.code == "already_registered"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 1


def test_an_expired_hold_goes_to_the_waiting_list_before_a_newcomer(event, fake_stripe,
                                                                    outbox):
    pt = services.create_pass_type(None, event, code="PAID1", name="Paid", price_minor=5000,
                                   capacity=1)
    holder = services.register(event, pt, person(1))
    services.join_waiting_list(event, pt, person(2))
    db.session.execute(sa.update(Registration).where(Registration.id == holder.id)
                       .values(hold_expires_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    with pytest.raises(DomainError) as caught:
        services.register(event, pt, person(3))
    assert caught.value.code == "sold_out"
    assert db.session.get(Registration, holder.id).status == "expired"
    assert "A place is free for you" in outbox.to(person(2).email)[0]["Subject"]
