"""JSON API: policies, projects, recommendations, meeting requests and meetings."""

from __future__ import annotations

import marshmallow as ma
from flask_smorest import Blueprint

from ..apiutil import BEARER
from ..core import services as core
from ..core.access import api_event_role, api_identity, api_user_required
from ..core.models import Role
from ..errors import NotFound
from . import services
from .scoring import INSTRUMENTS, STAGES

blp = Blueprint("matchmaking_api", __name__, url_prefix="/api/v1",
                description="Matchmaking: policies, projects, investors, meetings.")


def _event(slug: str):
    event = core.event_by_slug(slug)
    user, token = api_identity()
    if not event.is_published and not core.has_role(user, event):
        raise NotFound(f"No event called {slug!r}.", code="event_not_found")
    if token is not None and token.event_id is not None and token.event_id != event.id:
        raise NotFound(f"No event called {slug!r}.", code="event_not_found")
    return event


class MmPolicyOut(ma.Schema):
    id = ma.fields.Integer()
    framework = ma.fields.String(attribute="framework.code")
    name = ma.fields.String()
    label = ma.fields.String()
    linked = ma.fields.List(ma.fields.Integer())


class MmProjectIn(ma.Schema):
    title = ma.fields.String(required=True)
    summary = ma.fields.String(required=True)
    organisation = ma.fields.String(load_default=None)
    city = ma.fields.String(required=True)
    state = ma.fields.String(load_default=None)
    country = ma.fields.String(required=True)
    policy_ids = ma.fields.List(ma.fields.Integer(), required=True)
    sectors = ma.fields.List(ma.fields.String(), load_default=list)
    stage = ma.fields.String(required=True, metadata={"enum": list(STAGES)})
    funding_min = ma.fields.Integer(required=True, metadata={"description": "Minor units (sen)."})
    funding_max = ma.fields.Integer(required=True)
    currency = ma.fields.String(load_default=None, metadata={"example": "MYR"})
    instruments = ma.fields.List(ma.fields.String(metadata={"enum": list(INSTRUMENTS)}),
                                 load_default=list)
    links = ma.fields.List(ma.fields.String(), load_default=list)


class MmProjectOut(ma.Schema):
    id = ma.fields.Integer()
    title = ma.fields.String()
    summary = ma.fields.String()
    organisation = ma.fields.String(allow_none=True)
    city = ma.fields.String()
    state = ma.fields.String(allow_none=True)
    country = ma.fields.String()
    policy_ids = ma.fields.Function(lambda p: [x.id for x in p.policies])
    sectors = ma.fields.List(ma.fields.String())
    stage = ma.fields.String()
    funding_min = ma.fields.Integer()
    funding_max = ma.fields.Integer()
    currency = ma.fields.String()
    instruments = ma.fields.List(ma.fields.String())
    links = ma.fields.List(ma.fields.String())
    status = ma.fields.String()


class MmRecommendationOut(ma.Schema):
    side = ma.fields.String(metadata={"description": "investor: projects for your thesis; "
                                                     "project: investors for your project."})
    project_id = ma.fields.Integer()
    thesis_id = ma.fields.Integer()
    title = ma.fields.String()
    score = ma.fields.Float()
    reasons = ma.fields.List(ma.fields.String())
    request_status = ma.fields.String(allow_none=True)


class MmRequestIn(ma.Schema):
    project_id = ma.fields.Integer(required=True)
    thesis_id = ma.fields.Integer(load_default=None, metadata={
        "description": "The investor to meet (project owners); investors leave it out."})
    message = ma.fields.String(load_default="")


class MmRequestOut(ma.Schema):
    id = ma.fields.Integer()
    project_id = ma.fields.Integer()
    thesis_id = ma.fields.Integer()
    requester_id = ma.fields.Integer()
    recipient_id = ma.fields.Integer()
    message = ma.fields.String()
    status = ma.fields.String()
    score = ma.fields.Float()


class MmMeetingOut(MmRequestOut):
    with_name = ma.fields.String()
    project_title = ma.fields.String()
    starts_at = ma.fields.AwareDateTime(allow_none=True)
    ends_at = ma.fields.AwareDateTime(allow_none=True)
    location = ma.fields.String(allow_none=True)
    table_no = ma.fields.Integer(allow_none=True)
    attendance = ma.fields.String(allow_none=True)
    follow_up = ma.fields.String(allow_none=True)


class MmScanIn(ma.Schema):
    first = ma.fields.String(required=True)
    second = ma.fields.String(load_default=None)


class MmScanOut(ma.Schema):
    status = ma.fields.String(metadata={"enum": ["held", "waiting", "invalid", "no_meeting"]})
    message = ma.fields.String()
    request_id = ma.fields.Integer(allow_none=True)


@blp.get("/events/<slug>/policies")
@blp.response(200, MmPolicyOut(many=True))
def list_policies(slug: str):
    """The event's policy frameworks' parts, with their cross-walk links."""
    event = _event(slug)
    linked: dict[int, list[int]] = {}
    for link in services.links(event):
        linked.setdefault(link.policy_a_id, []).append(link.policy_b_id)
        linked.setdefault(link.policy_b_id, []).append(link.policy_a_id)
    return [{"id": p.id, "framework": p.framework, "name": p.name, "label": p.label,
             "linked": sorted(linked.get(p.id, []))} for p in services.policies(event)]


@blp.get("/events/<slug>/projects")
@blp.response(200, MmProjectOut(many=True))
def list_projects(slug: str):
    """Approved projects (public)."""
    return services.projects(_event(slug))


@blp.post("/events/<slug>/projects")
@blp.arguments(MmProjectIn)
@blp.response(201, MmProjectOut)
@blp.doc(security=BEARER)
def create_project(data: dict, slug: str):
    """Post a project; organisers approve it before it is public."""
    event = _event(slug)
    user = api_user_required()
    return services.create_project(user, event, **data)


@blp.get("/events/<slug>/recommendations")
@blp.response(200, MmRecommendationOut(many=True))
@blp.doc(security=BEARER)
def recommendations(slug: str):
    """For the token's user: projects for their thesis, and investors for their projects."""
    event = _event(slug)
    user = api_user_required()
    out = []
    thesis = services.thesis_of(user, event)
    if thesis is not None:
        for rec in services.recommendations_for_thesis(event, thesis):
            out.append({"side": "investor", "project_id": rec.project.id, "thesis_id": thesis.id,
                        "title": rec.project.title, "score": round(rec.score, 1),
                        "reasons": list(rec.reasons),
                        "request_status": rec.request.status if rec.request else None})
    for project in services.my_projects(user, event):
        if not project.is_public:
            continue
        for rec in services.recommendations_for_project(event, project):
            out.append({"side": "project", "project_id": project.id, "thesis_id": rec.thesis.id,
                        "title": rec.thesis.organisation, "score": round(rec.score, 1),
                        "reasons": list(rec.reasons),
                        "request_status": rec.request.status if rec.request else None})
    return out


@blp.post("/events/<slug>/meeting-requests")
@blp.arguments(MmRequestIn)
@blp.response(201, MmRequestOut)
@blp.doc(security=BEARER)
def create_request(data: dict, slug: str):
    """Ask to meet: investors name a project; project owners a project and a thesis."""
    event = _event(slug)
    return services.request_meeting(api_user_required(), event, **data)


@blp.post("/events/<slug>/meeting-requests/<int:request_id>/accept")
@blp.response(200, MmRequestOut)
@blp.doc(security=BEARER)
def accept_request(slug: str, request_id: int):
    """The person asked accepts: the meeting is on (double opt-in)."""
    event = _event(slug)
    return services.respond(api_user_required(), event, request_id, accept=True)


@blp.post("/events/<slug>/meeting-requests/<int:request_id>/decline")
@blp.response(200, MmRequestOut)
@blp.doc(security=BEARER)
def decline_request(slug: str, request_id: int):
    """The person asked declines; the requester is told."""
    event = _event(slug)
    return services.respond(api_user_required(), event, request_id, accept=False)


@blp.get("/events/<slug>/meetings")
@blp.response(200, MmMeetingOut(many=True))
@blp.doc(security=BEARER)
def my_meetings(slug: str):
    """The token's user's accepted meetings, with time and table once placed."""
    event = _event(slug)
    user = api_user_required()
    out = []
    for r in services.meetings_of(user, event):
        out.append({**MmRequestOut().dump(r), "with_name": r.other(user).full_name,
                    "project_title": r.project.title,
                    "starts_at": r.slot.starts_at if r.slot else None,
                    "ends_at": r.slot.ends_at if r.slot else None,
                    "location": r.slot.location if r.slot else None, "table_no": r.table_no,
                    "attendance": r.attendance, "follow_up": r.follow_up})
    return out


@blp.post("/events/<slug>/matchmaking/scan")
@blp.arguments(MmScanIn)
@blp.response(200, MmScanOut)
@blp.doc(security=BEARER)
def scan_meeting(data: dict, slug: str):
    """Staff at the lounge: first badge, then both badges, to mark the meeting held."""
    event = core.event_by_slug(slug)
    user = api_event_role(event, Role.ORGANISER, Role.STAFF)
    result = services.scan_meeting(user, event, data["first"], data.get("second"))
    return {"status": result.status, "message": result.message,
            "request_id": result.request.id if result.request else None}
