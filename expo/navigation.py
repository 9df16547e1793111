"""Navigation that follows the user's roles: features register their links here."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, g, url_for
from flask_login import current_user


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: str
    icon: str
    roles: frozenset[str] | None  # None: everyone who can see the event
    place: str  # "event": the event's menu; "mine": the user's own menu; "manage": organiser area
    order: int


@dataclass(frozen=True)
class Link:
    url: str
    label: str
    icon: str
    endpoint: str


_items: list[NavItem] = []


def register(endpoint: str, label: str, icon: str, *, roles: set[str] | None = None,
             place: str = "event", order: int = 50) -> None:
    if any(i.endpoint == endpoint and i.place == place for i in _items):
        return
    _items.append(NavItem(endpoint, label, icon, frozenset(roles) if roles else None, place,
                          order))
    _items.sort(key=lambda i: (i.order, i.label))


def _signed_in() -> bool:
    # Mail templates render outside a request, where there is no current user.
    return bool(getattr(current_user, "is_authenticated", False))


def links(event, place: str, roles: set[str]) -> list[Link]:
    admin = _signed_in() and current_user.is_admin
    out = []
    for item in _items:
        if item.place != place:
            continue
        if item.roles is not None and not admin and not (item.roles & roles):
            continue
        out.append(Link(url_for(item.endpoint, slug=event.slug), item.label, item.icon,
                        item.endpoint))
    return out


# Headings of the organiser sidebar, by the blueprint that owns a link.
MANAGE_GROUPS = {"registration": "Registration", "sessions": "Programme",
                 "exhibitors": "Exhibitors", "checkin": "Check-in",
                 "matchmaking": "Matchmaking"}


def grouped(links_: list[Link]) -> list[tuple[str, list[Link]]]:
    """Links under their feature's heading, features in first-link order."""
    groups: dict[str, list[Link]] = {}
    for link in links_:
        blueprint = link.endpoint.split(".", 1)[0]
        groups.setdefault(MANAGE_GROUPS.get(blueprint, "More"), []).append(link)
    return list(groups.items())


def init_app(app: Flask) -> None:
    from .core import services

    @app.context_processor
    def navigation():
        def user_roles(event) -> set[str]:
            cache = g.setdefault("_roles", {})
            if event.id not in cache:
                cache[event.id] = services.roles_of(current_user, event)
            return cache[event.id]

        def event_nav(event):
            return links(event, "event", user_roles(event))

        def manage_nav(event):
            return grouped(links(event, "manage", user_roles(event)))

        def role_links(event, roles):
            return links(event, "mine", set(roles))

        my_events = []
        if _signed_in():
            my_events = services.events_for_user(current_user)
        return {"event": g.get("event"), "event_nav": event_nav, "manage_nav": manage_nav,
                "role_links": role_links, "my_events": my_events}
