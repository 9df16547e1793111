"""JSON API: pass types, registrations, badges and the event's public badge keys."""

from __future__ import annotations

import base64

import marshmallow as ma
from flask import Response
from flask_smorest import Blueprint

from ..apiutil import BEARER, PageArgs, PageMetaSchema, page_meta
from ..core.access import api_event_role, api_identity, api_visible_event
from ..core.models import Role
from ..errors import Conflict
from ..extensions import db
from . import badges, payments, services
from .models import RegistrationStatus, Visibility

blp = Blueprint("registration_api", __name__, url_prefix="/api/v1",
                description="Pass types, registrations, badges and badge keys.")


class PassTypeOut(ma.Schema):
    id = ma.fields.Integer()
    code = ma.fields.String()
    name = ma.fields.String()
    description = ma.fields.String(allow_none=True)
    price_minor = ma.fields.Integer(metadata={"description": "Price in minor units (sen)."})
    currency = ma.fields.String(metadata={"example": "MYR"})
    capacity = ma.fields.Integer(allow_none=True)
    places_left = ma.fields.Integer(allow_none=True,
                                    metadata={"description": "null: unlimited"})
    sales_start = ma.fields.AwareDateTime(allow_none=True)
    sales_end = ma.fields.AwareDateTime(allow_none=True)
    visibility = ma.fields.String()
    requires_approval = ma.fields.Boolean()
    badge_colour = ma.fields.String()
    zones = ma.fields.List(ma.fields.String())


class PassTypeIn(ma.Schema):
    code = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    description = ma.fields.String(allow_none=True)
    price_minor = ma.fields.Integer(load_default=0, strict=True,
                                    validate=ma.validate.Range(min=0))
    currency = ma.fields.String()
    capacity = ma.fields.Integer(allow_none=True, strict=True, validate=ma.validate.Range(min=0))
    sales_start = ma.fields.AwareDateTime(allow_none=True)
    sales_end = ma.fields.AwareDateTime(allow_none=True)
    visibility = ma.fields.String(validate=ma.validate.OneOf(list(Visibility)))
    requires_approval = ma.fields.Boolean()
    badge_colour = ma.fields.String()
    zones = ma.fields.List(ma.fields.String())


class RegistrationOut(ma.Schema):
    id = ma.fields.Integer()
    reference = ma.fields.String()
    pass_type = ma.fields.Function(lambda r: r.pass_type.code)
    pass_type_id = ma.fields.Integer()
    email = ma.fields.String()
    full_name = ma.fields.String()
    organisation = ma.fields.String(allow_none=True)
    job_title = ma.fields.String(allow_none=True)
    country = ma.fields.String(allow_none=True)
    status = ma.fields.String()
    payment_status = ma.fields.String()
    price_minor = ma.fields.Integer()
    currency = ma.fields.String()
    hold_expires_at = ma.fields.AwareDateTime(allow_none=True)
    badge_serial = ma.fields.Integer()
    share_contact_with_exhibitors = ma.fields.Boolean(
        metadata={"description": "PDPA consent: exhibitors who scan the badge get e-mail, "
                                 "phone and job title"})
    delegation = ma.fields.Function(lambda r: r.delegation.name if r.delegation else None)
    answers = ma.fields.Dict()
    created_at = ma.fields.AwareDateTime()
    updated_at = ma.fields.AwareDateTime()


class RegistrationCreated(RegistrationOut):
    checkout_url = ma.fields.String(allow_none=True,
                                    metadata={"description": "Stripe Checkout for paid passes"})


class RegistrationIn(ma.Schema):
    pass_type = ma.fields.String(required=True, metadata={"description": "pass type code"})
    email = ma.fields.String(required=True)
    full_name = ma.fields.String(required=True)
    organisation = ma.fields.String(allow_none=True)
    job_title = ma.fields.String(allow_none=True)
    country = ma.fields.String(allow_none=True)
    phone = ma.fields.String(allow_none=True)
    answers = ma.fields.Dict(load_default=dict)
    voucher = ma.fields.String(allow_none=True)
    invite_code = ma.fields.String(allow_none=True)
    share_contact_with_exhibitors = ma.fields.Boolean(load_default=False)


class RegistrationFilter(PageArgs):
    status = ma.fields.String(validate=ma.validate.OneOf(list(RegistrationStatus)))
    pass_type = ma.fields.String()
    updated_since = ma.fields.AwareDateTime()
    q = ma.fields.String()


class RegistrationPage(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(RegistrationOut))
    meta = ma.fields.Nested(PageMetaSchema)


class BadgeKeyOut(ma.Schema):
    key_id = ma.fields.Integer()
    algorithm = ma.fields.String(metadata={"example": "Ed25519"})
    public_key = ma.fields.String(metadata={"description": "32-byte raw key, base64url"})
    current = ma.fields.Boolean()


class BadgeKeysOut(ma.Schema):
    event = ma.fields.String()
    event_id = ma.fields.Integer()
    token_format = ma.fields.String(metadata={"example": "EX1"})
    keys = ma.fields.List(ma.fields.Nested(BadgeKeyOut))


@blp.get("/events/<slug>/pass-types")
@blp.response(200, PassTypeOut(many=True))
@blp.doc(security=[{}, *BEARER])
def list_pass_types(slug: str):
    """Pass types on sale (organisers also see hidden and invite-only ones)."""
    user, _token = api_identity()
    event = api_visible_event(slug)
    from ..core import services as core

    organiser = user is not None and core.has_role(user, event, Role.ORGANISER)
    return services.pass_types(event, public_only=not organiser)


@blp.post("/events/<slug>/pass-types")
@blp.arguments(PassTypeIn)
@blp.response(201, PassTypeOut)
@blp.alt_response(409, description="Code taken")
@blp.doc(security=BEARER)
def create_pass_type(data: dict, slug: str):
    """Create a pass type (organiser)."""
    event = api_visible_event(slug)
    user = api_event_role(event, Role.ORGANISER)
    return services.create_pass_type(user, event, **data)


@blp.post("/events/<slug>/registrations")
@blp.arguments(RegistrationIn)
@blp.response(201, RegistrationCreated)
@blp.alt_response(409, description="Sold out, or already registered")
@blp.alt_response(422, description="Invalid details, answers or voucher")
@blp.doc(security=BEARER)
def create_registration(data: dict, slug: str):
    """Register one person with the same rules as the form (organiser or integrator token)."""
    event = api_visible_event(slug)
    user = api_event_role(event, Role.ORGANISER)
    pass_type = services.pass_type_by_code(event, data["pass_type"])
    person = services.Person(data["email"], data["full_name"], data.get("organisation"),
                             data.get("job_title"), data.get("country"), data.get("phone"))
    reg = services.register(event, pass_type, person, answers=data.get("answers"),
                            voucher_code=data.get("voucher"),
                            invite_code=data.get("invite_code"), actor=user,
                            share_contact=data.get("share_contact_with_exhibitors", False))
    checkout_url = None
    if reg.status == RegistrationStatus.AWAITING_PAYMENT and reg.order and \
            reg.order.method == "stripe":
        try:
            checkout_url = payments.start_checkout(reg.order)
        except Conflict:
            checkout_url = None
    reg.checkout_url = checkout_url  # a plain attribute for the response schema
    return reg


@blp.get("/events/<slug>/registrations")
@blp.arguments(RegistrationFilter, location="query")
@blp.response(200, RegistrationPage)
@blp.doc(security=BEARER)
def list_registrations(args: dict, slug: str):
    """Registrations, oldest change first; filter by status, pass type, updated_since."""
    event = api_visible_event(slug)
    api_event_role(event, Role.ORGANISER)
    pass_type_id = services.pass_type_by_code(event, args["pass_type"]).id \
        if args.get("pass_type") else None
    query = services.registrations_query(event, status=args.get("status"),
                                         pass_type_id=pass_type_id, q=args.get("q"),
                                         updated_since=args.get("updated_since"),
                                         sort="updated")
    import sqlalchemy as sa

    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    page, per_page = args["page"], args["per_page"]
    items = list(db.session.scalars(query.offset((page - 1) * per_page).limit(per_page)))
    return {"items": items, "meta": page_meta(page, per_page, total)}


@blp.get("/events/<slug>/registrations/<int:reg_id>")
@blp.response(200, RegistrationOut)
@blp.doc(security=BEARER)
def get_registration(slug: str, reg_id: int):
    """One registration."""
    event = api_visible_event(slug)
    api_event_role(event, Role.ORGANISER)
    return services.registration_by_id(event, reg_id)


@blp.get("/events/<slug>/registrations/<int:reg_id>/badge.pdf")
@blp.response(200, content_type="application/pdf",
              description="The A6 badge with its signed QR code")
@blp.alt_response(409, description="Not confirmed: no badge")
@blp.doc(security=BEARER)
def get_badge(slug: str, reg_id: int):
    """The registration's badge as PDF."""
    event = api_visible_event(slug)
    api_event_role(event, Role.ORGANISER)
    reg = services.registration_by_id(event, reg_id)
    if reg.status != RegistrationStatus.CONFIRMED:
        raise Conflict("Only a confirmed registration has a badge.", code="not_confirmed")
    from .documents import badge_pdf_for

    return Response(badge_pdf_for(reg), mimetype="application/pdf")


@blp.post("/events/<slug>/registrations/<int:reg_id>/cancel")
@blp.response(200, RegistrationOut)
@blp.alt_response(409, description="Not active")
@blp.doc(security=BEARER)
def cancel_registration(slug: str, reg_id: int):
    """Cancel a registration and release its place (a paid one is refunded)."""
    event = api_visible_event(slug)
    user = api_event_role(event, Role.ORGANISER)
    reg = services.registration_by_id(event, reg_id)
    if reg.payment_status == "paid":
        return payments.refund(user, reg)
    return services.cancel(user, reg, by_organiser=True)


@blp.get("/events/<slug>/keys")
@blp.response(200, BadgeKeysOut)
@blp.doc(security=[{}, *BEARER])
def badge_keys(slug: str):
    """The event's public badge keys, for offline scanners (never the private key)."""
    api_identity()
    event = api_visible_event(slug)
    raw = badges.public_keys_raw(event.id)
    current = max(raw)
    return {"event": event.slug, "event_id": event.id, "token_format": "EX1",
            "keys": [{"key_id": kid, "algorithm": "Ed25519", "current": kid == current,
                      "public_key": base64.urlsafe_b64encode(key).decode().rstrip("=")}
                     for kid, key in sorted(raw.items())]}
