"""JSON API: events and the caller's identity."""

from __future__ import annotations

import marshmallow as ma
import sqlalchemy as sa
from flask import url_for
from flask_smorest import Blueprint

from ..apiutil import BEARER
from ..extensions import db
from . import services
from .access import api_identity, api_user_required, api_visible_event
from .models import Event, EventRole, EventStatus

blp = Blueprint("events_api", __name__, url_prefix="/api/v1",
                description="Events, and who the token belongs to.")


class EventSchema(ma.Schema):
    slug = ma.fields.String()
    name = ma.fields.String()
    tagline = ma.fields.String(allow_none=True)
    description = ma.fields.String(allow_none=True)
    venue = ma.fields.String(allow_none=True)
    city = ma.fields.String(allow_none=True)
    country = ma.fields.String(allow_none=True)
    time_zone = ma.fields.String(metadata={"example": "Asia/Kuala_Lumpur"})
    starts_on = ma.fields.Date()
    ends_on = ma.fields.Date()
    currency = ma.fields.String(metadata={"example": "MYR"})
    status = ma.fields.String()
    themes = ma.fields.List(ma.fields.String())
    website = ma.fields.String(allow_none=True)
    url = ma.fields.Method("_url")

    def _url(self, event: Event) -> str:
        return url_for("core.event_page", slug=event.slug, _external=True)


class MeSchema(ma.Schema):
    id = ma.fields.Integer()
    email = ma.fields.String()
    full_name = ma.fields.String()
    organisation = ma.fields.String(allow_none=True)
    roles = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.List(ma.fields.String()),
                           metadata={"description": "Roles per event slug."})
    token_event = ma.fields.String(allow_none=True,
                                   metadata={"description": "The event the token is limited to."})


@blp.get("/events")
@blp.response(200, EventSchema(many=True))
@blp.doc(security=[{}, *BEARER])
def list_events():
    """Published events, and drafts where the caller holds a role."""
    user, token = api_identity()
    events = services.published_events()
    if user is not None:
        query = sa.select(Event).join(EventRole).where(
            EventRole.user_id == user.id, Event.status != EventStatus.PUBLISHED)
        if token is not None and token.event_id is not None:
            query = query.where(Event.id == token.event_id)
        events += list(db.session.scalars(query.distinct()))
    return events


@blp.get("/events/<slug>")
@blp.response(200, EventSchema)
@blp.alt_response(404, description="No such event")
@blp.doc(security=[{}, *BEARER])
def get_event(slug: str):
    """One event by its slug."""
    api_identity()
    return api_visible_event(slug)


@blp.get("/me")
@blp.response(200, MeSchema)
@blp.alt_response(401, description="No or bad token")
@blp.doc(security=BEARER)
def me():
    """Who the token belongs to, and their roles per event."""
    user = api_user_required()
    from flask import g

    roles: dict[str, list[str]] = {}
    for event, event_roles in services.events_for_user(user):
        roles[event.slug] = event_roles
    token = g.api_token
    return {"id": user.id, "email": user.email, "full_name": user.full_name,
            "organisation": user.organisation, "roles": roles,
            "token_event": token.event.slug if token is not None and token.event else None}
