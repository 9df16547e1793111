"""Check-in fixtures: pass types, registrations with badges, gates, staff and devices."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest

from expo.checkin import services
from expo.core.models import Role
from expo.extensions import db
from expo.registration.badges import badge_token
from expo.registration.models import PassType, Registration

# 10:00 in Kuala Lumpur on the first day of the expo.
DAY1_10AM = datetime(2025, 9, 17, 2, 0, tzinfo=UTC)
_refs = itertools.count(1)


def make_pass_type(event, code: str, name: str, zones: list[str]) -> PassType:
    pass_type = PassType(event_id=event.id, code=code, name=name, zones=zones)
    db.session.add(pass_type)
    db.session.commit()
    return pass_type


def make_registration(event, pass_type, name: str = "Aisyah Rahman", *,
                      status: str = "confirmed", organisation: str = "PLANMalaysia",
                      country: str = "Malaysia", email: str | None = None) -> Registration:
    n = next(_refs)
    registration = Registration(event_id=event.id, pass_type_id=pass_type.id,
                                email=email or f"person{n}@example.org", full_name=name,
                                organisation=organisation, country=country, status=status,
                                reference=f"R{event.id}X{n:06d}")
    db.session.add(registration)
    db.session.commit()
    return registration


class Venue:
    """SCEKL25's doors: main hall, VIP lounge, plenary hall, a site-visit bus."""

    def __init__(self, event):
        self.event = event
        self.delegate = make_pass_type(event, "delegate", "Delegate", ["main-hall", "plenary"])
        self.vip = make_pass_type(event, "vip", "VIP", ["main-hall", "vip", "plenary"])
        self.visitor = make_pass_type(event, "visitor", "Trade visitor", ["main-hall"])
        self.main = services.save_gate(None, event, code="main-hall", name="Main hall",
                                       zone_code="main-hall", zone_name="Main hall")
        self.vip_gate = services.save_gate(None, event, code="vip", name="VIP lounge",
                                           zone_code="vip", zone_name="VIP lounge")
        self.plenary = services.save_gate(None, event, code="plenary", name="Plenary hall",
                                          zone_code="plenary", zone_name="Plenary hall",
                                          allow_reentry=True, scan_exits=True)

    def person(self, pass_type=None, name: str = "Aisyah Rahman", **kwargs) -> Registration:
        return make_registration(self.event, pass_type or self.delegate, name, **kwargs)

    def badge(self, registration) -> str:
        return badge_token(registration)


@pytest.fixture
def venue(event):
    return Venue(event)


@pytest.fixture
def staff_headers(people, event):
    return people.token(people.make(Role.STAFF, event), event)


@pytest.fixture
def scan(client, staff_headers):
    """POST a scan as gate staff; answers the response."""

    def post(code=None, gate="main-hall", headers=None, slug="scekl25", **fields):
        body = {"gate": gate, **fields}
        if code is not None:
            body["code"] = code
        body.setdefault("scanned_at", DAY1_10AM.isoformat())
        return client.post(f"/api/v1/events/{slug}/checkin", json=body,
                           headers=headers or staff_headers)

    return post
