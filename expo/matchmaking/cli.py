"""`flask expo matchmaking ...`: reminders, scheduler runs, taxonomy seeding (for cron)."""

from __future__ import annotations

import click
from flask.cli import AppGroup


@click.group("matchmaking", cls=AppGroup)
def matchmaking() -> None:
    """Matchmaking: meeting reminders and the scheduler."""


def _event(slug: str):
    from ..core import services as core
    from ..errors import DomainError

    try:
        return core.event_by_slug(slug)
    except DomainError as error:
        raise click.ClickException(error.message) from error


@matchmaking.command("send-reminders")
@click.argument("slug")
@click.option("--hours", type=click.IntRange(1, 168), default=24, show_default=True,
              help="Remind about meetings starting within this many hours.")
def send_reminders(slug: str, hours: int) -> None:
    """Mail each person once about their upcoming meetings (safe to run from cron)."""
    from . import services

    sent = services.send_reminders(_event(slug), hours=hours)
    click.echo(f"{sent} reminder{'s' if sent != 1 else ''} sent")


@matchmaking.command("schedule")
@click.argument("slug")
@click.option("--email", required=True, help="The organiser who runs it (for the audit log).")
def schedule(slug: str, email: str) -> None:
    """Run the scheduler now and print its summary."""
    from ..core import services as core
    from ..core.models import Role
    from ..errors import DomainError
    from . import services

    event = _event(slug)
    user = core.user_by_email(email)
    if user is None or not core.has_role(user, event, Role.ORGANISER):
        raise click.ClickException(f"{email} is not an organiser of {slug}.")
    try:
        run = services.start_scheduler_run(user, event)
    except DomainError as error:
        raise click.ClickException(error.message) from error
    run = services.run_by_id(event, run.id)
    click.echo(f"{run.status}: {run.placed}/{run.meetings} placed, gap {run.gap:.2%}, "
               f"{run.seconds:.1f} s, {len(run.unplaced)} unplaced")
