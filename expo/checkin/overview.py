"""Check-in's figures for the organiser's overview."""

from __future__ import annotations

import sqlalchemy as sa

from ..extensions import db
from ..overview import Figure
from .models import Presence, Scan, ScanResult


def figures(event) -> list[Figure]:
    people = db.session.scalar(sa.select(sa.func.count(sa.distinct(Presence.registration_id)))
                               .where(Presence.event_id == event.id))
    refused = db.session.scalar(sa.select(sa.func.count()).select_from(Scan).where(
        Scan.event_id == event.id,
        Scan.result.notin_([ScanResult.OK, ScanResult.ALREADY_CHECKED_IN])))
    return [Figure("Checked in", f"{people:,}", f"{refused:,} scans refused",
                   "checkin.dashboard")]
