"""`flask expo exhibitors ...`: put expired booth holds back on sale."""

from __future__ import annotations

import click

from ..cli import expo_cli


@expo_cli.group("exhibitors")
def exhibitors_cli() -> None:
    """Exhibitors and booths."""


@exhibitors_cli.command("expire-holds")
@click.option("--event", "slug", default=None, help="Only this event (default: all).")
def expire_holds(slug: str | None) -> None:
    """Free booths whose unpaid hold ran out (run it from cron every few minutes)."""
    from ..core import services as core
    from . import services

    event = core.event_by_slug(slug) if slug else None
    count = services.expire_holds(event)
    click.echo(f"{count} expired booth hold{'s' if count != 1 else ''} released")
