"""Matchmaking's figures for the organiser's overview."""

from __future__ import annotations

import sqlalchemy as sa

from ..extensions import db
from ..overview import Figure
from .models import MeetingRequest, Project, ProjectStatus, RequestStatus


def figures(event) -> list[Figure]:
    meetings = dict(db.session.execute(
        sa.select(MeetingRequest.status, sa.func.count())
        .where(MeetingRequest.event_id == event.id).group_by(MeetingRequest.status)).all())
    projects = db.session.scalar(sa.select(sa.func.count()).select_from(Project).where(
        Project.event_id == event.id, Project.status == ProjectStatus.APPROVED))
    return [Figure("Meetings", f"{meetings.get(RequestStatus.ACCEPTED, 0):,}",
                   f"{meetings.get(RequestStatus.PENDING, 0):,} requests pending · "
                   f"{projects:,} projects public", "matchmaking.manage_report")]
