"""JSON API: exhibitors and booths of an event, and lead retrieval for exhibitor staff."""

from __future__ import annotations

import marshmallow as ma
from flask import url_for
from flask_smorest import Blueprint

from ..apiutil import BEARER
from ..core.access import api_event_role, api_identity, api_visible_event
from ..core.models import Role
from . import services
from .models import BoothStatus, ExhibitorStatus, FollowUp

blp = Blueprint("exhibitors_api", __name__, url_prefix="/api/v1",
                description="Exhibitors, booths on the floor plan, and leads.")


class BoothBriefOut(ma.Schema):
    code = ma.fields.String(metadata={"example": "A-12"})
    hall = ma.fields.Function(lambda b: b.hall.name, metadata={"example": "Hall 1"})


class ExhibitorOut(ma.Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    description = ma.fields.String(allow_none=True)
    website = ma.fields.String(allow_none=True)
    country = ma.fields.String(allow_none=True)
    sectors = ma.fields.List(ma.fields.String())
    pillars = ma.fields.List(ma.fields.String())
    booths = ma.fields.Method("_booths")
    logo_url = ma.fields.Method("_logo")

    def _booths(self, exhibitor) -> list:
        return BoothBriefOut(many=True).dump(
            [b for b in exhibitor.booths if b.status == BoothStatus.SOLD])

    def _logo(self, exhibitor) -> str | None:
        if not exhibitor.logo_path:
            return None
        return url_for("exhibitors.logo", slug=exhibitor.event.slug,
                       exhibitor_id=exhibitor.id, _external=True)


class ExhibitorQueryArgs(ma.Schema):
    q = ma.fields.String(load_default=None)
    pillar = ma.fields.String(load_default=None)
    sector = ma.fields.String(load_default=None)
    country = ma.fields.String(load_default=None)


class BoothOut(ma.Schema):
    id = ma.fields.Integer()
    code = ma.fields.String(metadata={"example": "A-12"})
    hall = ma.fields.Function(lambda b: b.hall.name)
    x_m = ma.fields.Function(lambda b: b.x_cm / 100)
    y_m = ma.fields.Function(lambda b: b.y_cm / 100)
    width_m = ma.fields.Function(lambda b: b.width_cm / 100)
    depth_m = ma.fields.Function(lambda b: b.depth_cm / 100)
    area_m2 = ma.fields.Float()
    kind = ma.fields.String(metadata={"example": "shell_scheme"})
    status = ma.fields.String(metadata={"example": "available"})
    price_minor = ma.fields.Integer(metadata={"description": "Price in minor units (sen)."})
    currency = ma.fields.String()
    staff_badges = ma.fields.Integer()
    exhibitor = ma.fields.Function(
        lambda b: b.exhibitor.name if b.exhibitor and b.status == BoothStatus.SOLD else None)


class BoothQueryArgs(ma.Schema):
    status = ma.fields.String(load_default=None,
                              validate=ma.validate.OneOf([s.value for s in BoothStatus]))
    hall = ma.fields.String(load_default=None, metadata={"description": "Hall name."})


class LeadIn(ma.Schema):
    code = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=2000),
                            metadata={"description": "The text of the visitor's badge QR."})
    notes = ma.fields.String(load_default=None, validate=ma.validate.Length(max=5000))
    rating = ma.fields.Integer(load_default=None, allow_none=True,
                               validate=ma.validate.Range(min=0, max=5))
    tags = ma.fields.List(ma.fields.String(validate=ma.validate.Length(max=40)),
                          load_default=None)
    scanned_at = ma.fields.AwareDateTime(load_default=None, metadata={
        "description": "When a scanner that was offline scanned the badge (ISO 8601 with "
                       "offset); default now."})


class LeadOut(ma.Schema):
    id = ma.fields.Integer()
    full_name = ma.fields.String()
    organisation = ma.fields.String(allow_none=True)
    country = ma.fields.String(allow_none=True)
    email = ma.fields.String(allow_none=True, metadata={
        "description": "Only when the visitor consents to share contact details."})
    phone = ma.fields.String(allow_none=True)
    job_title = ma.fields.String(allow_none=True)
    notes = ma.fields.String(allow_none=True)
    rating = ma.fields.Integer(allow_none=True)
    tags = ma.fields.List(ma.fields.String())
    follow_up = ma.fields.String(metadata={"example": FollowUp.NEW.value})
    scan_count = ma.fields.Integer()
    first_scanned_at = ma.fields.DateTime()
    last_scanned_at = ma.fields.DateTime()
    scanned_by = ma.fields.Function(lambda lead: lead.scanned_by.full_name
                                    if lead.scanned_by else None)
    contact_shared = ma.fields.Boolean(attribute="has_contact")


class LeadScanOut(ma.Schema):
    created = ma.fields.Boolean(metadata={"description": "False when a re-scan updated it."})
    lead = ma.fields.Nested(LeadOut)


@blp.get("/events/<slug>/exhibitors")
@blp.arguments(ExhibitorQueryArgs, location="query")
@blp.response(200, ExhibitorOut(many=True))
@blp.doc(security=[{}, *BEARER])
def list_exhibitors(args: dict, slug: str):
    """Approved exhibitors, filtered by search text, pillar, sector or country."""
    api_identity()
    event = api_visible_event(slug)
    return services.directory(event, **args)


@blp.get("/events/<slug>/booths")
@blp.arguments(BoothQueryArgs, location="query")
@blp.response(200, BoothOut(many=True))
@blp.doc(security=[{}, *BEARER])
def list_booths(args: dict, slug: str):
    """Every booth of the floor plan with its status (filter with ?status=available)."""
    api_identity()
    event = api_visible_event(slug)
    services.expire_holds(event)
    found = services.booths(event, status=args["status"])
    if args["hall"]:
        found = [b for b in found if b.hall.name == args["hall"]]
    return found


@blp.post("/events/<slug>/leads")
@blp.arguments(LeadIn)
@blp.response(201, LeadScanOut)
@blp.alt_response(422, description="Not a genuine badge of this event, or bad fields")
@blp.alt_response(403, description="The caller is not on an exhibitor's team")
@blp.doc(security=BEARER)
def scan_lead(data: dict, slug: str):
    """Record a scanned badge as a lead of the caller's exhibitor (a re-scan updates it)."""
    event = api_visible_event(slug)
    user = api_event_role(event, Role.EXHIBITOR)
    lead, created = services.record_lead(user, event, data["code"], notes=data["notes"],
                                         rating=data["rating"], tags=data["tags"],
                                         scanned_at=data["scanned_at"])
    return {"created": created, "lead": lead}, 201 if created else 200


@blp.get("/events/<slug>/leads")
@blp.response(200, LeadOut(many=True))
@blp.doc(security=BEARER)
def list_leads(slug: str):
    """The caller's exhibitor's own leads, newest scan first."""
    event = api_visible_event(slug)
    user = api_event_role(event, Role.EXHIBITOR)
    member = services.require_member(event, user)
    return services.leads(member.exhibitor)


@blp.get("/events/<slug>/leads/<int:lead_id>")
@blp.response(200, LeadOut)
@blp.alt_response(404, description="No such lead of the caller's exhibitor")
@blp.doc(security=BEARER)
def get_lead(slug: str, lead_id: int):
    """One lead of the caller's exhibitor; another exhibitor's lead answers 404."""
    event = api_visible_event(slug)
    user = api_event_role(event, Role.EXHIBITOR)
    member = services.require_member(event, user)
    return services.lead_of(member.exhibitor, lead_id)


__all__ = ["blp", "ExhibitorStatus"]
