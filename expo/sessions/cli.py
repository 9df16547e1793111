"""`flask expo sessions ...`: publish the programme, expire seat offers."""

from __future__ import annotations

import click

from ..cli import expo_cli


@expo_cli.group("sessions")
def sessions_cli() -> None:
    """Programme, sign-ups and waiting lists."""


@sessions_cli.command("expire-offers")
@click.argument("slug")
def expire_offers(slug: str) -> None:
    """Pass unanswered seat offers to the next person waiting (run it from cron)."""
    from ..core.services import event_by_slug
    from . import services

    click.echo(f"{services.expire_offers(event_by_slug(slug))} offer(s) expired")


@sessions_cli.command("conflicts")
@click.argument("slug")
def conflicts(slug: str) -> None:
    """List the draft programme's conflicts."""
    from ..core.services import event_by_slug
    from . import services

    found = services.programme_conflicts(event_by_slug(slug))
    for c in found:
        click.echo(f"{c.kind}: {c.message}")
    click.echo(f"{len(found)} conflict(s)")
