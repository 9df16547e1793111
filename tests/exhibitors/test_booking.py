"""Exhibitors pick a booth: held while they pay by invoice, sold when paid, freed if unpaid."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from expo.errors import Conflict, Forbidden
from expo.exhibitors import services
from expo.exhibitors.models import Booth, BoothOrder, BoothStatus, OrderStatus
from expo.extensions import db
from expo.timeutil import utcnow


def _age_hold(order, hours=1):
    """Pretend the hold ran out `hours` ago."""
    past = utcnow() - timedelta(hours=hours)
    db.session.execute(sa.update(Booth).where(Booth.id == order.booth_id)
                       .values(held_until=past))
    db.session.execute(sa.update(BoothOrder).where(BoothOrder.id == order.id)
                       .values(hold_expires_at=past))
    db.session.commit()
    db.session.expire_all()


def test_exhibitor_holds_a_booth_from_the_floor_plan_and_sees_the_invoice(client, people, floor,
                                                                        exhibitors):
    booth = floor.booth("A-01", price=1_250_000)
    _exhibitor, manager = exhibitors.make(floor.event, "Cyberview Sdn Bhd")
    people.login(manager)
    page = client.get(f"/events/scekl25/exhibit/booth?booth={booth.id}").get_data(as_text=True)
    assert "Hold A-01 and pay by invoice" in page
    response = client.post(f"/events/scekl25/exhibit/booth/{booth.id}/hold",
                           follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Pay by bank transfer" in page and "RM12,500.00" in page
    db.session.expire_all()
    assert booth.status == BoothStatus.HELD and booth.held_until is not None


def test_a_second_exhibitor_cannot_hold_a_held_booth(floor, exhibitors):
    booth = floor.booth("A-01")
    first, m1 = exhibitors.make(floor.event, "First Co")
    second, m2 = exhibitors.make(floor.event, "Second Co")
    services.start_booth_payment(m1, floor.event, first, booth)
    with pytest.raises(Conflict) as caught:
        services.start_booth_payment(m2, floor.event, second, booth)
    assert caught.value.code == "booth_taken"
    assert services.booth_in(floor.event, booth.id).exhibitor_id == first.id


def test_an_unapproved_exhibitor_cannot_hold_a_booth(floor, exhibitors):
    booth = floor.booth("A-01")
    exhibitor, manager = exhibitors.make(floor.event, "Pending Co", approved=False)
    with pytest.raises(Forbidden):
        services.start_booth_payment(manager, floor.event, exhibitor, booth)
    assert services.booth_in(floor.event, booth.id).status == BoothStatus.AVAILABLE


def test_one_hold_at_a_time_per_exhibitor(floor, exhibitors):
    a, b = floor.booth("A-01"), floor.booth("A-02")
    exhibitor, manager = exhibitors.make(floor.event, "Greedy Co")
    services.start_booth_payment(manager, floor.event, exhibitor, a)
    with pytest.raises(Conflict) as caught:
        services.start_booth_payment(manager, floor.event, exhibitor, b)
    assert caught.value.code == "hold_exists"


def test_an_unpaid_hold_expires_and_frees_the_booth(floor, exhibitors):
    booth = floor.booth("A-01")
    exhibitor, manager = exhibitors.make(floor.event, "Slow Payer")
    order = services.start_booth_payment(manager, floor.event, exhibitor, booth)
    _age_hold(order)
    assert services.expire_holds(floor.event) == 1
    assert services.booth_in(floor.event, booth.id).status == BoothStatus.AVAILABLE
    assert services.order_in(floor.event, order.id).status == OrderStatus.EXPIRED


def test_another_exhibitor_may_take_a_booth_whose_hold_ran_out(floor, exhibitors):
    booth = floor.booth("A-01")
    slow, m1 = exhibitors.make(floor.event, "Slow Payer")
    fast, m2 = exhibitors.make(floor.event, "Fast Payer")
    old = services.start_booth_payment(m1, floor.event, slow, booth)
    _age_hold(old)
    new = services.start_booth_payment(m2, floor.event, fast, booth)
    assert services.order_in(floor.event, old.id).status == OrderStatus.EXPIRED
    assert new.status == OrderStatus.PENDING
    assert services.booth_in(floor.event, booth.id).exhibitor_id == fast.id


def test_the_expire_holds_command_releases_stale_holds(floor, exhibitors, runner):
    booth = floor.booth("A-01")
    exhibitor, manager = exhibitors.make(floor.event, "Slow Payer")
    _age_hold(services.start_booth_payment(manager, floor.event, exhibitor, booth))
    result = runner.invoke(args=["expo", "exhibitors", "expire-holds"])
    assert "1 expired booth hold released" in result.output


def test_organiser_marks_the_invoice_paid_and_the_booth_is_sold(client, people, floor,
                                                              exhibitors):
    booth = floor.booth("A-01")
    exhibitor, manager = exhibitors.make(floor.event, "Cyberview Sdn Bhd")
    order = services.start_booth_payment(manager, floor.event, exhibitor, booth)
    people.login(floor.organiser)
    response = client.post(f"/events/scekl25/manage/orders/{order.id}/paid",
                           data={"note": "Maybank TT 0912"}, follow_redirects=True)
    assert "booth A-01 is sold to Cyberview Sdn Bhd" in response.get_data(as_text=True)
    db.session.expire_all()
    assert booth.status == BoothStatus.SOLD and order.payment_note == "Maybank TT 0912"
    assert exhibitor.staff_quota == 3  # the booth's package


def test_paying_after_the_booth_went_to_someone_else_is_refused(floor, exhibitors):
    booth = floor.booth("A-01")
    slow, m1 = exhibitors.make(floor.event, "Slow Payer")
    fast, m2 = exhibitors.make(floor.event, "Fast Payer")
    old = services.start_booth_payment(m1, floor.event, slow, booth)
    _age_hold(old)
    services.start_booth_payment(m2, floor.event, fast, booth)
    with pytest.raises(Conflict) as caught:
        services.mark_booth_paid(floor.organiser, floor.event,
                                 services.order_in(floor.event, old.id))
    assert caught.value.code == "booth_taken"
    assert services.booth_in(floor.event, booth.id).exhibitor_id == fast.id


def test_a_late_payment_still_sells_the_booth_when_nobody_took_it(floor, exhibitors):
    booth = floor.booth("A-01")
    exhibitor, manager = exhibitors.make(floor.event, "Late Payer")
    order = services.start_booth_payment(manager, floor.event, exhibitor, booth)
    _age_hold(order)
    services.expire_holds(floor.event)
    services.mark_booth_paid(floor.organiser, floor.event, order)
    assert services.booth_in(floor.event, booth.id).status == BoothStatus.SOLD


def test_organiser_moves_an_exhibitor_to_another_booth_with_its_order(floor, exhibitors):
    a, b = floor.booth("A-01"), floor.booth("A-02")
    exhibitor, manager = exhibitors.make(floor.event, "Mover")
    order = services.start_booth_payment(manager, floor.event, exhibitor, a)
    services.mark_booth_paid(floor.organiser, floor.event, order)
    services.move_booth(floor.organiser, floor.event, a, b)
    assert (a.status, b.status, b.exhibitor_id) == (BoothStatus.AVAILABLE, BoothStatus.SOLD,
                                                    exhibitor.id)
    assert services.order_in(floor.event, order.id).booth_id == b.id


def test_a_booth_order_of_another_exhibitor_answers_404(client, people, floor, exhibitors):
    booth = floor.booth("A-01")
    owner, m1 = exhibitors.make(floor.event, "Owner Co")
    _other, m2 = exhibitors.make(floor.event, "Nosy Co")
    order = services.start_booth_payment(m1, floor.event, owner, booth)
    people.login(m2)
    assert client.get(f"/events/scekl25/exhibit/orders/{order.id}").status_code == 404
    assert client.post(f"/events/scekl25/exhibit/orders/{order.id}/cancel").status_code == 404
