"""Batch badge printing: one PDF, several badges per A4 sheet, as a job with progress."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from ..core.models import Event, User
from ..core.services import audit
from ..errors import NotFound
from ..extensions import db
from ..jobs import enqueue
from .models import BadgeJob, Registration, RegistrationStatus

# Smaller batches are printed during the request; larger ones by a job.
INLINE_LIMIT = 200


def confirmed_query(event_id: int, sort: str):
    from .services import registrations_query

    event = db.session.get(Event, event_id)
    return registrations_query(event, status=RegistrationStatus.CONFIRMED, sort=sort)


def faces(event_id: int, sort: str = "name") -> list:
    from .documents import badge_face

    return [badge_face(r) for r in db.session.scalars(confirmed_query(event_id, sort))]


def sheet_bytes(event_id: int, sort: str = "name", progress=None) -> bytes:
    from .pdf import badge_sheet_pdf

    return badge_sheet_pdf(faces(event_id, sort), progress=progress)


def start_batch(actor: User, event: Event, *, sort: str = "name") -> BadgeJob:
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Registration).where(
        Registration.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED))
    job = BadgeJob(event_id=event.id, sort=sort, total=total or 0)
    db.session.add(job)
    audit(actor, event, "badges.print", details={"count": total, "sort": sort})
    db.session.commit()
    if total <= INLINE_LIMIT or not current_app.config.get("REDIS_URL"):
        run_batch(job.id)
    else:
        enqueue(run_batch_job, job.id)
    db.session.refresh(job)
    return job


def _out_dir() -> Path:
    folder = Path(current_app.instance_path) / "badge-batches"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def run_batch(job_id: int) -> None:
    """Render the job's PDF, writing progress to the job row as it goes."""
    job = db.session.get(BadgeJob, job_id)
    job.status = "running"
    db.session.commit()
    engine = db.engine
    job_total = job.total

    def progress(done: int) -> None:
        # Every 50 badges, on its own connection: the job's session may be mid-transaction.
        if done % 50 and done != job_total:
            return
        with engine.begin() as conn:
            conn.execute(sa.update(BadgeJob).where(BadgeJob.id == job_id).values(done=done))

    try:
        data = sheet_bytes(job.event_id, job.sort, progress=progress)
        fd, path = tempfile.mkstemp(prefix=f"event-{job.event_id}-", suffix=".pdf",
                                    dir=_out_dir())
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
    except Exception as error:  # shown to the organiser; the job must not vanish silently
        db.session.rollback()
        job = db.session.get(BadgeJob, job_id)
        job.status, job.error = "failed", str(error)[:500]
        db.session.commit()
        raise
    job = db.session.get(BadgeJob, job_id)
    job.status, job.path, job.done = "done", path, job.total
    db.session.commit()


def run_batch_job(job_id: int) -> None:
    """RQ entry point: builds its own app (see expo/worker.py)."""
    from ..worker import app_context

    with app_context():
        run_batch(job_id)


def job_for(event: Event, job_id: int) -> BadgeJob:
    job = db.session.get(BadgeJob, job_id)
    if job is None or job.event_id != event.id:
        raise NotFound("No such badge batch.")
    return job


def recent_jobs(event: Event) -> list[BadgeJob]:
    return list(db.session.scalars(sa.select(BadgeJob).where(BadgeJob.event_id == event.id)
                                   .order_by(BadgeJob.id.desc()).limit(10)))
