"""Who may do what: event loading and role checks for views and API handlers."""

from __future__ import annotations

from functools import wraps

from flask import abort, g, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError, validate_csrf
from wtforms import ValidationError

from ..errors import Forbidden, NotFound, Unauthorized
from . import services
from .models import Event, Role, TokenKind


def visible_event(slug: str) -> Event:
    """A published event, or a draft for someone who holds a role in it."""
    event = services.event_by_slug(slug)
    if not event.is_published and not services.has_role(current_user, event):
        raise NotFound(f"No event called {slug!r}.", code="event_not_found")
    return event


def event_role_required(*roles: str):
    """Load `slug` into g.event and demand one of the roles (HTML views)."""

    def decorator(view):
        @wraps(view)
        def wrapper(slug: str, *args, **kwargs):
            event = services.event_by_slug(slug)
            if not current_user.is_authenticated:
                from ..extensions import login_manager

                return login_manager.unauthorized()
            if not services.has_role(current_user, event, *roles):
                # Someone with no role at all learns nothing about a draft event.
                if not event.is_published and not services.has_role(current_user, event):
                    raise NotFound(f"No event called {slug!r}.", code="event_not_found")
                raise Forbidden(f"This page needs the {' or '.join(roles)} role in "
                                f"{event.name}.", code="role_required")
            g.event = event
            return view(event, *args, **kwargs)

        return wrapper

    return decorator


organiser_required = event_role_required(Role.ORGANISER)


# ---------------------------------------------------------------- API


def api_identity():
    """(user, token) from `Authorization: Bearer`, or the signed-in browser session.

    A browser session may call the API from our own pages; its unsafe requests
    must then carry the CSRF token in X-CSRFToken.
    """
    if "api_user" in g:
        return g.api_user, g.api_token
    plain = bearer_token()
    user = token = None
    if plain is not None:
        return accept_token(services.token_for(plain))
    if current_user.is_authenticated:
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            try:
                validate_csrf(request.headers.get("X-CSRFToken"))
            except (ValidationError, CSRFError) as error:
                raise Forbidden("Missing or wrong X-CSRFToken header.",
                                code="csrf_failed") from error
        user = current_user._get_current_object()
    g.api_user, g.api_token = user, token
    return user, token


def bearer_token() -> str | None:
    """The bearer string of `Authorization`; None without the header, 401 for another scheme."""
    header = request.headers.get("Authorization", "")
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise Unauthorized("Use 'Authorization: Bearer <token>'.")
    return value.strip()


def accept_token(token):
    """Make a token checked by services.active_token the request's identity (401 for None:
    unknown, revoked or its user deactivated). For a handler that fetched the token itself
    (the check-in hot path reads it with the badge's registration); api_identity uses it too.
    """
    if token is None:
        raise Unauthorized("The token is unknown or revoked.")
    g.api_user, g.api_token = token.user, token
    return token.user, token


def api_user_required():
    user, _token = api_identity()
    if user is None:
        raise Unauthorized("This needs 'Authorization: Bearer <token>'.")
    return user


def api_visible_event(slug: str) -> Event:
    """visible_event for the API: a draft is seen by whoever the token (or session) belongs to,
    when they hold a role in it and the token is not limited to another event."""
    user, token = api_identity()
    event = services.event_by_slug(slug)
    if event.is_published:
        return event
    if user is None or (token is not None and token.event_id not in (None, event.id)) \
            or not services.has_role(user, event):
        raise NotFound(f"No event called {slug!r}.", code="event_not_found")
    return event


def api_event_role(event: Event, *roles: str):
    """The API caller, who must hold one of the roles in the event.

    A token scoped to another event is refused as if the event did not exist
    for it; a device token acts as gate staff of its own event only.
    """
    user = api_user_required()
    token = g.api_token
    if token is not None and token.event_id is not None and token.event_id != event.id:
        raise NotFound(f"No event called {event.slug!r}.", code="event_not_found")
    if token is not None and token.kind == TokenKind.DEVICE:
        if roles and Role.STAFF not in roles:
            raise Forbidden("A device token can only scan badges.", code="role_required")
        return user
    services.require_role(user, event, *roles)
    return user


def admin_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_authenticated or not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapper
