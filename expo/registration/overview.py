"""Registration's figures for the organiser's overview."""

from __future__ import annotations

import sqlalchemy as sa

from ..extensions import db
from ..overview import Figure
from .models import Registration, RegistrationStatus


def figures(event) -> list[Figure]:
    counts = dict(db.session.execute(
        sa.select(Registration.status, sa.func.count()).where(Registration.event_id == event.id)
        .group_by(Registration.status)).all())
    waiting = counts.get(RegistrationStatus.AWAITING_APPROVAL, 0)
    unpaid = counts.get(RegistrationStatus.AWAITING_PAYMENT, 0)
    return [Figure("Registered", f"{counts.get(RegistrationStatus.CONFIRMED, 0):,}",
                   f"{waiting:,} to approve · {unpaid:,} awaiting payment",
                   "registration.attendees")]
