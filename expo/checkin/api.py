"""JSON API for scanners: check in, offline bundle and sync, search, gates, counters."""

from __future__ import annotations

import json

import marshmallow as ma
from flask import Response, current_app, g
from flask_smorest import Blueprint

from ..apiutil import BEARER
from ..core import services as core
from ..core.access import accept_token, api_event_role, bearer_token
from ..core.models import Role
from . import rules, services
from .models import Direction

blp = Blueprint("checkin_api", __name__, url_prefix="/api/v1",
                description="Check-in: scan badges at gates, online or offline.")

SCANNER_ROLES = (Role.STAFF, Role.ORGANISER)


def _scanner(slug: str):
    event = core.event_by_slug(slug)
    user = api_event_role(event, *SCANNER_ROLES)
    return event, user, g.api_token


class CheckinRequest(ma.Schema):
    code = ma.fields.String(load_default=None, validate=ma.validate.Length(max=200),
                            metadata={"description": "The QR text of the badge."})
    registration_id = ma.fields.Integer(load_default=None, metadata={
        "description": "Instead of code: a manual check-in after a search by name."})
    gate = ma.fields.String(required=True, metadata={"example": "main-hall"})
    direction = ma.fields.String(load_default=Direction.IN,
                                 validate=ma.validate.OneOf([d.value for d in Direction]))
    nonce = ma.fields.String(load_default=None, validate=ma.validate.Length(min=8, max=64),
                             metadata={"description": "Client-made unique id: a retry with the "
                                                      "same nonce is answered, not recorded."})
    scanned_at = ma.fields.AwareDateTime(load_default=None, metadata={
        "description": "When the badge was shown (ISO-8601 with offset); default now."})


class CheckinAttendee(ma.Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    organisation = ma.fields.String(allow_none=True)
    country = ma.fields.String(allow_none=True)
    pass_type = ma.fields.String()
    pass_code = ma.fields.String()
    pass_colour = ma.fields.String()
    reference = ma.fields.String()
    status = ma.fields.String()


class CheckinResponse(ma.Schema):
    result = ma.fields.String(metadata={"enum": list(rules.RESULTS)})
    message = ma.fields.String()
    colour = ma.fields.String(metadata={"enum": ["green", "amber", "red"]})
    attendee = ma.fields.Nested(CheckinAttendee, allow_none=True)
    first_checked_in_at = ma.fields.AwareDateTime(allow_none=True)
    gate = ma.fields.String()
    direction = ma.fields.String()
    scanned_at = ma.fields.AwareDateTime()
    scan_id = ma.fields.Integer()
    replayed = ma.fields.Boolean(metadata={"description": "True: this nonce was seen before."})
    conflict = ma.fields.String(allow_none=True)


def _answer(body: dict) -> Response:
    """The scan answer as JSON, serialised directly: it is the hot path, and the body
    already has CheckinResponse's shape (which still documents it)."""
    for key in ("scanned_at", "first_checked_in_at"):
        if body.get(key) is not None:
            body[key] = body[key].isoformat()
    return current_app.response_class(json.dumps(body, ensure_ascii=False),
                                      mimetype="application/json")


def outcome_json(outcome: services.Outcome) -> dict:
    body = {"result": outcome.result, "message": outcome.message, "colour": outcome.colour,
            "gate": outcome.gate.code, "direction": outcome.direction,
            "scanned_at": outcome.scanned_at, "scan_id": outcome.scan_id,
            "replayed": outcome.replayed, "conflict": outcome.conflict}
    if outcome.attendee is not None:
        body["attendee"] = outcome.attendee
    if outcome.first_checked_in_at is not None:
        body["first_checked_in_at"] = outcome.first_checked_in_at
    return body


@blp.post("/events/<slug>/checkin")
@blp.arguments(CheckinRequest())
@blp.response(200, CheckinResponse())
@blp.alt_response(401, description="No or bad token")
@blp.alt_response(403, description="Not staff of this event, or not assigned to this gate")
@blp.alt_response(404, description="No such event or gate")
@blp.doc(security=BEARER)
def checkin(data: dict, slug: str):
    """Scan a badge at a gate: the answer says whether to let the person in."""
    # The hot path: no BEGIN/COMMIT round trips (each write is one statement), event and
    # gate from a per-worker snapshot, the same authorization checks as everywhere.
    # A bearer token is read together with the badge's registration (one round trip);
    # the checks then run exactly as for any API call and any scan.
    services.single_statement_writes()
    event, _gate = services.scan_point(slug, data["gate"])
    load = None
    plain = bearer_token()
    if plain is not None:
        token, load = services.token_and_registration(plain, data["code"],
                                                      data["registration_id"])
        accept_token(token)
    user = api_event_role(event, *SCANNER_ROLES)
    token = g.api_token
    outcome = services.scan(event, gate_code=data["gate"], code=data["code"],
                            registration_id=data["registration_id"],
                            direction=data["direction"], nonce=data["nonce"],
                            scanned_at=data["scanned_at"], user=user, token=token, load=load)
    return _answer(outcome_json(outcome))


class SyncItem(ma.Schema):
    nonce = ma.fields.String(required=True, validate=ma.validate.Length(min=8, max=64))
    gate = ma.fields.String(required=True)
    code = ma.fields.String(load_default=None, validate=ma.validate.Length(max=200))
    registration_id = ma.fields.Integer(load_default=None)
    direction = ma.fields.String(load_default=Direction.IN,
                                 validate=ma.validate.OneOf([d.value for d in Direction]))
    scanned_at = ma.fields.AwareDateTime(required=True)
    offline_result = ma.fields.String(load_default=None,
                                      validate=ma.validate.OneOf(list(rules.RESULTS)),
                                      metadata={"description": "What the scanner showed."})


class SyncRequest(ma.Schema):
    scans = ma.fields.List(ma.fields.Nested(SyncItem), required=True,
                           validate=ma.validate.Length(max=services.MAX_SYNC_BATCH))


class SyncAnswer(CheckinResponse):
    nonce = ma.fields.String()
    error = ma.fields.String(allow_none=True)


class SyncResponse(ma.Schema):
    results = ma.fields.List(ma.fields.Nested(SyncAnswer))
    recorded = ma.fields.Integer()
    already_recorded = ma.fields.Integer()
    conflicts = ma.fields.Integer()
    errors = ma.fields.Integer()


@blp.post("/events/<slug>/checkin/sync")
@blp.arguments(SyncRequest())
@blp.response(200, SyncResponse())
@blp.doc(security=BEARER)
def sync(data: dict, slug: str):
    """Upload scans made offline: each is recorded once, with its original time."""
    event, user, token = _scanner(slug)
    answers = services.sync(event, data["scans"], user=user, token=token)
    results = []
    for item, answer in zip(data["scans"], answers, strict=True):
        if isinstance(answer, dict):
            results.append(answer)
        else:
            results.append({**outcome_json(answer), "nonce": item["nonce"]})
    outcomes = [a for a in answers if not isinstance(a, dict)]
    return {"results": results,
            "recorded": sum(1 for a in outcomes if not a.replayed),
            "already_recorded": sum(1 for a in outcomes if a.replayed),
            "conflicts": sum(1 for a in outcomes if a.conflict and not a.replayed),
            "errors": len(answers) - len(outcomes)}


class BundleArgs(ma.Schema):
    gate = ma.fields.String(required=True)


@blp.get("/events/<slug>/checkin/bundle")
@blp.arguments(BundleArgs(), location="query")
@blp.response(200, description="Keys, gate rules, revocations and the attendee index.")
@blp.doc(security=BEARER)
def bundle(args: dict, slug: str):
    """Everything a scanner needs to keep deciding while the network is down."""
    event, user, token = _scanner(slug)
    return services.bundle(event, services.gate_by_code(event, args["gate"]), user, token)


class GateOut(ma.Schema):
    code = ma.fields.String()
    name = ma.fields.String()
    zone = ma.fields.String()
    zone_name = ma.fields.String()
    hours = ma.fields.List(ma.fields.Dict())
    kind = ma.fields.String(allow_none=True)
    allow_reentry = ma.fields.Boolean()
    scan_exits = ma.fields.Boolean()
    active = ma.fields.Boolean()


@blp.get("/events/<slug>/checkin/gates")
@blp.response(200, GateOut(many=True))
@blp.doc(security=BEARER)
def gates(slug: str):
    """The gates this scanner may use."""
    event, user, token = _scanner(slug)
    return [services.gate_json(gate) for gate in services.gates_for(event, user, token)]


class SearchArgs(ma.Schema):
    q = ma.fields.String(required=True, validate=ma.validate.Length(min=2, max=100))


@blp.get("/events/<slug>/checkin/search")
@blp.arguments(SearchArgs(), location="query")
@blp.response(200, CheckinAttendee(many=True))
@blp.doc(security=BEARER)
def search(args: dict, slug: str):
    """Find a registration by name, e-mail, organisation or reference (damaged badge)."""
    event, _user, _token = _scanner(slug)
    return [services.attendee_json(r) for r in services.search(event, args["q"])]


class CountsArgs(ma.Schema):
    gate = ma.fields.String(required=True)


class GateCounts(ma.Schema):
    admitted = ma.fields.Integer()
    already = ma.fields.Integer()
    refused = ma.fields.Integer()
    inside = ma.fields.Integer()


@blp.get("/events/<slug>/checkin/counts")
@blp.arguments(CountsArgs(), location="query")
@blp.response(200, GateCounts())
@blp.doc(security=BEARER)
def counts(args: dict, slug: str):
    """Today's counters for one gate."""
    event, _user, _token = _scanner(slug)
    return services.today_counts(event, services.gate_by_code(event, args["gate"]))
