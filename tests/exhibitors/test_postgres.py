"""On PostgreSQL with real parallel connections: a booth is never sold twice, and a staff
quota is never exceeded.

Sixteen racers each: the shared server allows 100 connections and other suites run
against it at the same time, so more threads only risk "too many clients".
"""

from __future__ import annotations

import threading
from datetime import date

import pytest
import sqlalchemy as sa

from expo.core import services as core
from expo.core.models import EventRole, EventStatus, Role
from expo.errors import DomainError
from expo.exhibitors import services
from expo.exhibitors.models import Booth, BoothOrder, BoothStatus, Exhibitor, ExhibitorStaff
from expo.extensions import db

pytestmark = pytest.mark.postgres
RACERS = 16


def _run_parallel(app, count: int, attempt) -> list[str]:
    """Run attempt(i) in `count` threads, each with its own app context and connection,
    released together; answers "ok" or the refusal code per thread."""
    barrier = threading.Barrier(count)
    results: list[str] = [""] * count

    def worker(i: int) -> None:
        with app.app_context():
            barrier.wait()
            try:
                attempt(i)
                results[i] = "ok"
            except DomainError as error:
                results[i] = error.code
            except Exception as error:  # noqa: BLE001 - shown in the assertion message
                results[i] = f"error: {type(error).__name__}: {error}"[:200]
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def _setup(count: int):
    organiser = core.create_user("organiser@example.my", "correct horse battery", "Org")
    event = core.create_event(organiser, "scekl25", "SCEKL25", date(2025, 9, 17),
                              date(2025, 9, 19), status=EventStatus.PUBLISHED)
    hall = services.save_hall(organiser, event, name="Hall 1", width_cm=3000, depth_cm=2000)
    package = services.save_package(organiser, event, name="Standard", staff_badges=3)
    sold = services.save_booth(organiser, event, hall, code="A-01", x_cm=0, y_cm=0,
                               width_cm=300, depth_cm=300, package_id=package.id)
    last = services.save_booth(organiser, event, hall, code="A-02", x_cm=300, y_cm=0,
                               width_cm=300, depth_cm=300, package_id=package.id)
    companies = []
    for i in range(count):
        manager = core.create_user(f"m{i}@example.my", None, f"Manager {i}")
        exhibitor = services.apply(manager, event, {"name": f"Company {i}"})
        services.review(organiser, event, exhibitor, "approved")
        companies.append((exhibitor.id, manager.id))
    services.assign_booth(organiser, event, services.exhibitor_in(event, companies[0][0]), sold)
    return event.id, organiser.id, last.id, companies


def test_sixteen_exhibitors_racing_for_the_last_free_booth_get_it_once(pg_app):
    event_id, organiser_id, booth_id, companies = _setup(RACERS)

    def attempt(i: int) -> None:
        from expo.core.models import Event, User

        event = db.session.get(Event, event_id)
        exhibitor = db.session.get(Exhibitor, companies[i][0])
        booth = db.session.get(Booth, booth_id)
        if i % 4 == 3:  # an organiser assigning it at the same moment
            services.assign_booth(db.session.get(User, organiser_id), event, exhibitor, booth)
        else:
            services.start_booth_payment(db.session.get(User, companies[i][1]), event,
                                         exhibitor, booth)

    results = _run_parallel(pg_app, RACERS, attempt)
    assert results.count("ok") == 1, results
    assert set(results) == {"ok", "booth_taken"}
    db.session.expire_all()
    booth = db.session.get(Booth, booth_id)
    winner = results.index("ok")
    assert booth.exhibitor_id == companies[winner][0]
    assert booth.status in (BoothStatus.HELD, BoothStatus.SOLD)
    open_orders = db.session.scalar(sa.select(sa.func.count()).select_from(BoothOrder).where(
        BoothOrder.booth_id == booth_id, BoothOrder.status == "pending"))
    assert open_orders == (1 if booth.status == BoothStatus.HELD else 0)


def test_sixteen_parallel_invitations_fill_a_three_badge_quota_exactly(pg_app):
    event_id, _organiser_id, _booth, companies = _setup(1)
    exhibitor_id, manager_id = companies[0]

    def attempt(i: int) -> None:
        from expo.core.models import Event, User

        event = db.session.get(Event, event_id)
        services.invite_staff(db.session.get(User, manager_id), event,
                              db.session.get(Exhibitor, exhibitor_id),
                              f"staff{i}@example.my", f"Staff {i}")

    results = _run_parallel(pg_app, RACERS, attempt)
    # The manager's own badge came with the booth and uses one of the three.
    assert results.count("ok") == 2, results
    assert set(results) == {"ok", "staff_quota_full"}
    db.session.expire_all()
    exhibitor = db.session.get(Exhibitor, exhibitor_id)
    staff = db.session.scalar(sa.select(sa.func.count()).select_from(ExhibitorStaff).where(
        ExhibitorStaff.exhibitor_id == exhibitor_id, ExhibitorStaff.role == "staff"))
    assert (exhibitor.staff_count, exhibitor.staff_quota, staff) == (3, 3, 2)
    badges = db.session.scalar(sa.text(
        "SELECT count(*) FROM registrations r JOIN pass_types p ON p.id = r.pass_type_id "
        "WHERE p.code = 'EXHIBITOR'"))
    assert badges == 3
    assert db.session.scalar(sa.text("SELECT taken FROM pass_types WHERE code = 'EXHIBITOR'")) \
        == 3  # registration's capacity counter moved with every badge, and only then
    exhibitor_roles = db.session.scalar(sa.select(sa.func.count()).select_from(EventRole).where(
        EventRole.event_id == event_id, EventRole.role == Role.EXHIBITOR))
    assert exhibitor_roles == 1 + 2  # the manager and the two invited staff
