"""The programme's figures for the organiser's overview."""

from __future__ import annotations

import sqlalchemy as sa

from ..extensions import db
from ..overview import Figure
from .models import SignUp, SignUpStatus, Talk


def figures(event) -> list[Figure]:
    talks = db.session.scalar(sa.select(sa.func.count()).select_from(Talk)
                              .where(Talk.event_id == event.id))
    seats = db.session.scalar(sa.select(sa.func.count()).select_from(SignUp).where(
        SignUp.event_id == event.id, SignUp.status == SignUpStatus.CONFIRMED))
    seat_word = "seat" if seats == 1 else "seats"
    return [Figure("Sessions", f"{talks:,}", f"{seats:,} {seat_word} taken in workshops and visits",
                   "sessions.manage_programme")]
