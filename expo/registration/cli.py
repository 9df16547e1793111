"""`flask expo badges SLUG --out FILE.pdf` and `flask expo registration expire-holds`."""

from __future__ import annotations

from pathlib import Path

import click

from ..cli import expo_cli


@expo_cli.command("badges")
@click.argument("slug")
@click.option("--out", "out", type=click.Path(dir_okay=False, writable=True), required=True,
              help="Where to write the PDF (A4 sheets with cut marks).")
@click.option("--sort", type=click.Choice(["name", "delegation"]), default="name",
              show_default=True)
def badges_command(slug: str, out: str, sort: str) -> None:
    """Print every confirmed badge of an event into one PDF, with a progress bar."""
    from ..core import services as core
    from ..errors import DomainError
    from . import printing

    try:
        event = core.event_by_slug(slug)
    except DomainError as error:
        raise click.ClickException(error.message) from error
    faces = printing.faces(event.id, sort)
    if not faces:
        raise click.ClickException(f"{event.name} has no confirmed registrations yet.")
    from .pdf import badge_sheet_pdf

    with click.progressbar(length=len(faces), label=f"{len(faces)} badges",
                           show_pos=True) as bar:
        seen = {"done": 0}

        def progress(done: int) -> None:
            bar.update(done - seen["done"])
            seen["done"] = done

        data = badge_sheet_pdf(faces, progress=progress)
    Path(out).write_bytes(data)
    click.echo(f"wrote {out}: {len(faces)} badges, {len(data) // 1024} KiB")


@expo_cli.group("registration")
def registration_cli() -> None:
    """Registration housekeeping."""


@registration_cli.command("expire-holds")
@click.option("--event", "slug", default=None, help="Only this event.")
def expire_holds(slug: str | None) -> None:
    """Release unpaid checkouts and waiting-list offers whose time ran out (run from cron)."""
    from ..core import services as core
    from . import services

    event = core.event_by_slug(slug) if slug else None
    count = services.expire_holds(event)
    click.echo(f"{count} holds and offers released")
