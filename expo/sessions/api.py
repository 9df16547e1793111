"""JSON API: talks (filters as on the agenda), speakers, sign-ups, and organiser edits."""

from __future__ import annotations

import marshmallow as ma
from flask import url_for
from flask_smorest import Blueprint

from ..apiutil import BEARER
from ..core.access import api_event_role, api_user_required, api_visible_event
from ..core.models import Role
from ..errors import Invalid, NotFound
from ..timeutil import to_local
from . import services
from .models import TalkKind

blp = Blueprint("sessions_api", __name__, url_prefix="/api/v1",
                description="Talks, panels, site visits, speakers and sign-ups.")


class TalkPersonOut(ma.Schema):
    speaker_id = ma.fields.Integer()
    name = ma.fields.String()
    organisation = ma.fields.String(allow_none=True)
    role = ma.fields.String()


class TalkOut(ma.Schema):
    id = ma.fields.Integer()
    guid = ma.fields.String()
    title = ma.fields.String()
    abstract = ma.fields.String(allow_none=True)
    kind = ma.fields.String()
    start = ma.fields.DateTime()
    end = ma.fields.DateTime()
    room = ma.fields.String(allow_none=True)
    track = ma.fields.String(allow_none=True)
    pillar = ma.fields.String(allow_none=True)
    capacity = ma.fields.Integer(allow_none=True)
    seats_left = ma.fields.Integer(allow_none=True)
    people = ma.fields.List(ma.fields.Nested(TalkPersonOut))
    site_visit = ma.fields.Dict(allow_none=True)
    url = ma.fields.String()


class TalkListArgs(ma.Schema):
    day = ma.fields.Date(load_default=None)
    track = ma.fields.Integer(load_default=None)
    pillar = ma.fields.String(load_default=None)
    kind = ma.fields.String(load_default=None, validate=ma.validate.OneOf(list(TalkKind)))
    speaker = ma.fields.Integer(load_default=None)
    q = ma.fields.String(load_default=None)


class SpeakerOut(ma.Schema):
    id = ma.fields.Integer()
    full_name = ma.fields.String()
    organisation = ma.fields.String(allow_none=True)
    job_title = ma.fields.String(allow_none=True)
    country = ma.fields.String(allow_none=True)
    bio = ma.fields.String(allow_none=True)
    talk_ids = ma.fields.List(ma.fields.Integer())


class SignUpOut(ma.Schema):
    talk_id = ma.fields.Integer()
    status = ma.fields.String(metadata={"description": "confirmed, waiting or offered"})
    offer_expires_at = ma.fields.DateTime(allow_none=True)


class TalkPersonIn(ma.Schema):
    speaker_id = ma.fields.Integer(required=True)
    role = ma.fields.String(load_default="speaker")


class SiteVisitIn(ma.Schema):
    meeting_point = ma.fields.String(required=True)
    destination = ma.fields.String(allow_none=True)
    departs_at = ma.fields.AwareDateTime(required=True)
    returns_at = ma.fields.AwareDateTime(required=True)
    buses = ma.fields.Integer(required=True, validate=ma.validate.Range(min=1))
    seats_per_bus = ma.fields.Integer(required=True, validate=ma.validate.Range(min=1))
    eligible_pass_type_ids = ma.fields.List(ma.fields.Integer(), load_default=list,
                                            metadata={"description": "Empty: every pass."})
    notes = ma.fields.String(allow_none=True)


class TalkIn(ma.Schema):
    title = ma.fields.String()
    abstract = ma.fields.String(allow_none=True)
    kind = ma.fields.String()
    language = ma.fields.String()
    track_id = ma.fields.Integer(allow_none=True)
    room_id = ma.fields.Integer(allow_none=True)
    starts_at = ma.fields.AwareDateTime(metadata={"example": "2025-09-17T10:00:00+08:00"})
    ends_at = ma.fields.AwareDateTime()
    capacity = ma.fields.Integer(allow_none=True)
    people = ma.fields.List(ma.fields.Nested(TalkPersonIn))
    site_visit = ma.fields.Nested(SiteVisitIn, metadata={
        "description": "Site visits only: logistics; seats become buses x seats_per_bus."})
    allow_conflicts = ma.fields.Boolean(load_default=False,
                                        metadata={"description": "Save even with soft conflicts."})


class TalkSavedOut(ma.Schema):
    talk = ma.fields.Dict()
    conflicts = ma.fields.List(ma.fields.Dict())


class MoveIn(ma.Schema):
    day = ma.fields.Date(required=True)
    start = ma.fields.Time(required=True)
    room_id = ma.fields.Integer(required=True)
    allow_conflicts = ma.fields.Boolean(load_default=True)


def _out(event, talk, seats) -> dict:
    cap_taken = seats.get(talk.id)
    return {"id": talk.id, "guid": talk.guid, "title": talk.title, "abstract": talk.abstract,
            "kind": talk.kind, "start": talk.start, "end": talk.end,
            "room": talk.room.name if talk.room else None,
            "track": talk.track.name if talk.track else None,
            "pillar": talk.track.pillar if talk.track else None, "capacity": talk.capacity,
            "seats_left": (cap_taken[0] - cap_taken[1]) if cap_taken else None,
            "people": [{"speaker_id": p.speaker.id, "name": p.speaker.full_name,
                        "organisation": p.speaker.organisation, "role": p.role}
                       for p in talk.people],
            "site_visit": talk.site_visit,
            "url": url_for("sessions.talk_page", slug=event.slug, talk_id=talk.id,
                           _external=True)}


@blp.get("/events/<slug>/talks")
@blp.arguments(TalkListArgs, location="query")
@blp.response(200, TalkOut(many=True))
@blp.doc(security=[{}, *BEARER])
def list_talks(args, slug: str):
    """The published programme, filtered as on the agenda page."""
    event = api_visible_event(slug)
    programme = services.published_programme(event)
    seats = services.seats(event)
    shown = programme.filter(day=args["day"], track_id=args["track"], pillar=args["pillar"],
                             kind=args["kind"], speaker_id=args["speaker"], q=args["q"])
    return [_out(event, t, seats) for t in shown]


@blp.get("/events/<slug>/talks/<int:talk_id>")
@blp.response(200, TalkOut)
@blp.alt_response(404, description="Not in the published programme")
@blp.doc(security=[{}, *BEARER])
def get_talk(slug: str, talk_id: int):
    """One published talk."""
    event = api_visible_event(slug)
    talk = services.published_programme(event).talk(talk_id)
    if talk is None:
        raise NotFound("This talk is not in the published programme.", code="talk_not_found")
    return _out(event, talk, services.seats(event))


@blp.get("/events/<slug>/speakers")
@blp.response(200, SpeakerOut(many=True))
@blp.doc(security=[{}, *BEARER])
def list_speakers(slug: str):
    """Speakers of the published programme."""
    event = api_visible_event(slug)
    return [{"id": s.id, "full_name": s.full_name, "organisation": s.organisation,
             "job_title": s.job_title, "country": s.country, "bio": s.bio,
             "talk_ids": [t.id for t in s.talks]}
            for s in services.published_programme(event).speakers if s.talks]


@blp.post("/events/<slug>/talks/<int:talk_id>/signup")
@blp.response(201, SignUpOut)
@blp.alt_response(409, description="Full (and no waiting list)")
@blp.alt_response(403, description="No confirmed registration, or pass not eligible")
@blp.doc(security=BEARER)
def signup(slug: str, talk_id: int):
    """Take a seat (or join the waiting list of a full workshop or site visit)."""
    user = api_user_required()
    event = api_visible_event(slug)
    row = services.signup(user, event, talk_id)
    return row


@blp.delete("/events/<slug>/talks/<int:talk_id>/signup")
@blp.response(204)
@blp.doc(security=BEARER)
def cancel_signup(slug: str, talk_id: int):
    """Give the seat back; the next person waiting is offered it."""
    user = api_user_required()
    event = api_visible_event(slug)
    services.cancel_signup(user, event, talk_id)


def _saved(event, talk, conflicts) -> dict:
    zone = event.time_zone
    return {"talk": {"id": talk.id, "title": talk.title, "kind": talk.kind,
                     "kind_label": talk.kind_label, "room_id": talk.room_id,
                     "starts_at": talk.starts_at.isoformat(), "ends_at": talk.ends_at.isoformat(),
                     "local_start": f"{to_local(talk.starts_at, zone):%H:%M}",
                     "local_end": f"{to_local(talk.ends_at, zone):%H:%M}"},
            "conflicts": [c.as_dict() for c in conflicts]}


@blp.post("/events/<slug>/talks")
@blp.arguments(TalkIn)
@blp.response(201, TalkSavedOut)
@blp.alt_response(409, description="Conflicts: `errors.conflicts` lists them")
@blp.doc(security=BEARER)
def create_talk(data, slug: str):
    """Organisers: add a talk to the draft programme."""
    event = api_visible_event(slug)
    user = api_event_role(event, Role.ORGANISER)
    allow = data.pop("allow_conflicts", False)
    for key in ("title", "starts_at", "ends_at"):
        if key not in data:
            raise Invalid(f"Give {key}.", code="field_required")
    talk, found = services.save_talk(user, event, allow_conflicts=allow, **data)
    return _saved(event, talk, found)


@blp.patch("/events/<slug>/talks/<int:talk_id>")
@blp.arguments(TalkIn)
@blp.response(200, TalkSavedOut)
@blp.alt_response(409, description="Conflicts: `errors.conflicts` lists them")
@blp.doc(security=BEARER)
def update_talk(data, slug: str, talk_id: int):
    """Organisers: change a talk of the draft programme."""
    event = api_visible_event(slug)
    user = api_event_role(event, Role.ORGANISER)
    allow = data.pop("allow_conflicts", False)
    talk, found = services.save_talk(user, event, talk_id, allow_conflicts=allow, **data)
    return _saved(event, talk, found)


@blp.post("/events/<slug>/talks/<int:talk_id>/move")
@blp.arguments(MoveIn)
@blp.response(200, TalkSavedOut)
@blp.doc(security=BEARER)
def move_talk_api(data, slug: str, talk_id: int):
    """Organisers: move a talk (the schedule editor's drag and drop); answers all conflicts."""
    event = api_visible_event(slug)
    user = api_event_role(event, Role.ORGANISER)
    talk, found = services.move_talk(user, event, talk_id, day=data["day"], start=data["start"],
                                     room_id=data["room_id"],
                                     allow_conflicts=data["allow_conflicts"])
    return _saved(event, talk, found)
