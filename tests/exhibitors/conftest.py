"""Fixtures for exhibitors: a hall with booths, approved exhibitors, visitors with badges."""

from __future__ import annotations

import io
import secrets

import pytest
from PIL import Image

from expo.core.models import Role
from expo.exhibitors import services
from expo.exhibitors.models import ExhibitorStatus
from expo.extensions import db
from expo.registration.badges import badge_token
from expo.registration.models import PassType, Registration


def png_bytes(width: int = 120, height: int = 80, fmt: str = "PNG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (11, 93, 122)).save(out, fmt)
    return out.getvalue()


class Floor:
    """Build halls, packages and booths for an event as its organiser."""

    def __init__(self, organiser, event):
        self.organiser = organiser
        self.event = event
        self.hall = services.save_hall(organiser, event, name="Hall 1", width_cm=3000,
                                       depth_cm=2000)
        self.package = services.save_package(organiser, event, name="Standard",
                                             staff_badges=3)
        self._n = 0

    def booth(self, code: str | None = None, x: int | None = None, y: int = 0,
              width: int = 300, depth: int = 300, price: int = 500_000, **kwargs):
        self._n += 1
        x = (self._n - 1) * 300 if x is None else x
        return services.save_booth(self.organiser, self.event, self.hall,
                                   code=code or f"A-{self._n:02d}", x_cm=x, y_cm=y,
                                   width_cm=width, depth_cm=depth, price_minor=price,
                                   package_id=self.package.id, **kwargs)


@pytest.fixture
def floor(organiser, event) -> Floor:
    return Floor(organiser, event)


class Exhibitors:
    def __init__(self, people, organiser):
        self.people = people
        self.organiser = organiser

    def make(self, event, name: str | None = None, *, approved: bool = True, **fields):
        manager = self.people.make(None, None, name=f"Manager of {name or 'exhibitor'}")
        exhibitor = services.apply(manager, event, {
            "name": name or f"Exhibitor {secrets.token_hex(3)}", "country": "Malaysia",
            **fields})
        if approved:
            organiser = self.organiser
            if not services.core.has_role(organiser, event, Role.ORGANISER):
                organiser = self.people.make(Role.ORGANISER, event)
            services.review(organiser, event, exhibitor, ExhibitorStatus.APPROVED)
        return exhibitor, manager


@pytest.fixture
def exhibitors(people, organiser) -> Exhibitors:
    return Exhibitors(people, organiser)


class Visitors:
    """Delegates with a registration and a signed badge."""

    def __init__(self):
        self._n = 0

    def make(self, event, *, consent: bool = False, name: str = "Nguyen Thi Lan",
             organisation: str = "Da Nang People's Committee", user=None):
        self._n += 1
        pass_type = db.session.scalar(db.select(PassType).where(
            PassType.event_id == event.id, PassType.code == "DELEGATE"))
        if pass_type is None:
            pass_type = PassType(event_id=event.id, code="DELEGATE", name="Delegate")
            db.session.add(pass_type)
            db.session.flush()
        registration = Registration(
            event_id=event.id, pass_type_id=pass_type.id, user_id=user.id if user else None,
            email=user.email if user else f"visitor{self._n}-{secrets.token_hex(3)}@example.vn",
            full_name=name, organisation=organisation, job_title="Director of Smart City",
            country="Viet Nam", phone="+84 236 3822 222",
            share_contact_with_exhibitors=consent,
            reference=f"R{secrets.token_hex(5).upper()}")
        db.session.add(registration)
        db.session.commit()
        return registration

    @staticmethod
    def badge(registration) -> str:
        return badge_token(registration)


@pytest.fixture
def visitors() -> Visitors:
    return Visitors()
