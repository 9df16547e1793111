"""Exhibitors' figures for the organiser's overview."""

from __future__ import annotations

import sqlalchemy as sa

from ..extensions import db
from ..overview import Figure
from .models import Booth, BoothStatus, Exhibitor, ExhibitorStatus


def figures(event) -> list[Figure]:
    booths = dict(db.session.execute(
        sa.select(Booth.status, sa.func.count()).where(Booth.event_id == event.id)
        .group_by(Booth.status)).all())
    pending = db.session.scalar(sa.select(sa.func.count()).select_from(Exhibitor).where(
        Exhibitor.event_id == event.id, Exhibitor.status == ExhibitorStatus.PENDING))
    total = sum(booths.values())
    return [Figure("Booths sold", f"{booths.get(BoothStatus.SOLD, 0):,} / {total:,}",
                   f"{booths.get(BoothStatus.HELD, 0):,} held · {pending:,} applications to "
                   "review", "exhibitors.manage_exhibitors")]
