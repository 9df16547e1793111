"""Fixtures for sessions: rooms, speakers, a delegate with a confirmed registration."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from expo.core.models import Role
from expo.extensions import db
from expo.registration.models import PassType, Registration
from expo.sessions import services


def kl(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment on 2025-09-<day> in Kuala Lumpur (UTC+8), as aware UTC."""
    return datetime(2025, 9, day, hour - 8, minute, tzinfo=UTC)


@pytest.fixture
def hall(event):
    return services.save_room(None, event, name="Plenary Hall", capacity=300)


@pytest.fixture
def small_room(event):
    return services.save_room(None, event, name="Conference Hall 2", capacity=20)


@pytest.fixture
def speaker(event):
    return services.save_speaker(None, event, full_name="Maria Santos",
                                 organisation="Cebu City Government")


@pytest.fixture
def pass_type(event):
    row = PassType(event_id=event.id, code="DELEGATE", name="Delegate")
    db.session.add(row)
    db.session.commit()
    return row


@pytest.fixture
def register(event, pass_type):
    def make(user, pass_type_id=None):
        row = Registration(event_id=event.id, pass_type_id=pass_type_id or pass_type.id,
                           user_id=user.id, email=user.email, full_name=user.full_name,
                           reference=uuid.uuid4().hex[:10].upper())
        db.session.add(row)
        db.session.commit()
        return row

    return make


@pytest.fixture
def delegate(people, event, register):
    user = people.make(Role.DELEGATE, event)
    register(user)
    return user


@pytest.fixture
def make_talk(event, hall):
    """A talk in the draft (Plenary Hall, 17 Sep 10:00-11:00 unless told)."""
    def make(title="Governing AI in Public Services", **fields):
        fields.setdefault("room_id", hall.id)
        fields.setdefault("starts_at", kl(17, 10))
        fields.setdefault("ends_at", kl(17, 11))
        talk, _found = services.save_talk(None, event, title=title, **fields)
        return talk

    return make


@pytest.fixture
def publish(event):
    def run(**kwargs):
        return services.publish(None, event, **kwargs)

    return run


def outbox(app) -> list:
    from tests.core.test_accounts import outbox as read

    return read(app)
