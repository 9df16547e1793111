"""`flask --app expo expo ...`: demo data, users, tokens, settings."""

from __future__ import annotations

import importlib.util
from importlib import import_module

import click
from flask import current_app
from flask.cli import AppGroup

from . import FEATURES

expo_cli = AppGroup("expo", help="expo administration commands.")


def _fail(message: str) -> None:
    raise click.ClickException(message)


@expo_cli.command("demo")
@click.option("--scale", type=click.IntRange(min=0), default=0, show_default=True,
              help="Also add this many synthetic delegates (and proportionate exhibitors, "
                   "talks, investors and projects) for benchmarks.")
@click.option("--force", is_flag=True, help="Load demo data even in production.")
def demo(scale: int, force: bool) -> None:
    """Load the demo events (idempotent: running it twice adds nothing twice)."""
    if current_app.config["ENV"] == "production" and not force:
        _fail("Refusing to load demo data in production (use --force if you mean it).")
    for name in FEATURES:
        if importlib.util.find_spec(f"expo.{name}.demo") is None:
            continue
        module = import_module(f"expo.{name}.demo")
        summary = module.load(scale=scale)
        if summary:
            click.echo(f"{name}: {summary}")


@expo_cli.command("demo-logins")
def demo_logins() -> None:
    """Print the demo accounts and their password."""
    from .core.demo import DEMO_PASSWORD, DEMO_USERS

    click.echo("")
    click.echo(f"Demo logins (password for all: {DEMO_PASSWORD})")
    for email, name, roles in DEMO_USERS:
        click.echo(f"  {email:<28} {name:<26} {', '.join(roles)}")
    click.echo("")


@expo_cli.group("users")
def users() -> None:
    """Manage user accounts."""


@users.command("create")
@click.option("--email", required=True)
@click.option("--password", required=True)
@click.option("--name", "full_name", default=None, help="Full name (defaults to the e-mail).")
@click.option("--role", type=click.Choice(["organiser", "staff", "exhibitor", "speaker",
                                           "investor", "delegate"]), default=None)
@click.option("--event", "slug", default=None, help="Event slug for --role.")
@click.option("--admin", is_flag=True, help="Site administrator (may create events).")
def users_create(email: str, password: str, full_name: str | None, role: str | None,
                 slug: str | None, admin: bool) -> None:
    """Create a user, optionally with a role in an event."""
    from .core import services
    from .errors import DomainError

    if bool(role) != bool(slug):
        _fail("--role and --event go together.")
    try:
        event = services.event_by_slug(slug) if slug else None
        user = services.create_user(email, password, full_name or email.split("@")[0],
                                    is_admin=admin)
        if event is not None:
            services.grant_role(None, event, user.email, role)
    except DomainError as error:
        _fail(error.message)
    click.echo(f"created {user.email}" + (f" ({role} of {slug})" if role else ""))


@expo_cli.group("tokens")
def tokens() -> None:
    """Manage API tokens."""


@tokens.command("create")
@click.option("--email", required=True)
@click.option("--event", "slug", default=None, help="Limit the token to this event.")
@click.option("--name", default="cli", show_default=True)
def tokens_create(email: str, slug: str | None, name: str) -> None:
    """Create an API token and print it once."""
    from .core import services
    from .errors import DomainError

    user = services.user_by_email(email)
    if user is None:
        _fail(f"No user with e-mail {email}.")
    try:
        event = services.event_by_slug(slug) if slug else None
    except DomainError as error:
        _fail(error.message)
    _token, plain = services.create_token(user, name, event=event)
    click.echo(plain)


@expo_cli.command("settings")
def settings_table() -> None:
    """Print every setting as a Markdown table (the README's table)."""
    from .config import SETTINGS

    click.echo("| variable | default | meaning |")
    click.echo("|---|---|---|")
    for _key, var, default, meaning in SETTINGS:
        shown = "—" if default is None else f"`{default}`"
        click.echo(f"| `{var}` | {shown} | {meaning} |")
