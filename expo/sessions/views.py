"""Pages: the public agenda, talks and speakers, my agenda, exports, and the organiser area."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from types import SimpleNamespace

from flask import Blueprint, Response, flash, g, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from ..checkin import services as checkin
from ..core.access import event_role_required, organiser_required, visible_event
from ..core.models import Role
from ..errors import DomainError, NotFound
from ..timeutil import local_to_utc, to_local, utcnow
from . import exports, gates, services
from .forms import (
    AvailabilityForm,
    MoveForm,
    PublishForm,
    RoomForm,
    RoomGateForm,
    SpeakerForm,
    TalkForm,
    TalkGateForm,
    TrackForm,
)
from .models import KIND_LABELS, TalkKind

bp = Blueprint("sessions", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static/sessions")


def _event(slug: str):
    event = visible_event(slug)
    g.event = event
    return event


def _int(value) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


def _talk_url(event):
    return lambda t: url_for("sessions.talk_page", slug=event.slug, talk_id=t.id, _external=True)


# ---------------------------------------------------------------- public agenda


def _agenda_day(programme, value: str | None) -> date | None:
    """The day the agenda shows: one day at a time by default (today during the event,
    else the first day); `all` shows every day."""
    days = programme.days()
    if value == "all" or not days:
        return None
    try:
        wanted = date.fromisoformat(value) if value else None
    except ValueError:
        wanted = None
    if wanted in days:
        return wanted
    today = to_local(utcnow(), programme.zone).date()
    return today if today in days else days[0]


@bp.get("/events/<slug>/agenda")
def agenda(slug: str):
    event = _event(slug)
    programme = services.published_programme(event)
    filters = {"day": _agenda_day(programme, request.args.get("day")),
               "track_id": _int(request.args.get("track")),
               "pillar": request.args.get("pillar") or None,
               "kind": request.args.get("kind") or None,
               "speaker_id": _int(request.args.get("speaker")), "q": request.args.get("q")}
    shown = programme.filter(**filters)
    by_day: dict[date, list] = {}
    for talk in shown:
        by_day.setdefault(programme.local_day(talk), []).append(talk)
    per_day = {d: 0 for d in programme.days()}
    for talk in programme.filter(**{**filters, "day": None}):
        per_day[programme.local_day(talk)] += 1
    return render_template("sessions/agenda.html", event=event, programme=programme,
                           by_day=by_day, filters=filters, kinds=KIND_LABELS, per_day=per_day,
                           starred=services.starred_ids(current_user, event),
                           signed=services.signups_of(current_user, event),
                           seats=services.seats(event), count=len(shown))


@bp.get("/events/<slug>/talks/<int:talk_id>")
def talk_page(slug: str, talk_id: int):
    event = _event(slug)
    programme = services.published_programme(event)
    talk = programme.talk(talk_id)
    if talk is None:
        raise NotFound("This session is not in the published programme.", code="talk_not_found")
    registration = None
    if current_user.is_authenticated:
        services.expire_offers(event)
        registration = services.active_registration(current_user, event)
    names = {}
    if talk.site_visit and talk.site_visit.get("eligible_pass_type_ids"):
        names = {p.id: p.name for p in services.pass_types(event)}
    return render_template("sessions/talk.html", event=event, talk=talk, programme=programme,
                           pass_names=lambda ids: [names[i] for i in ids if i in names],
                           starred=services.starred_ids(current_user, event),
                           signed=services.signups_of(current_user, event),
                           seats=services.seats(event), registration=registration)


@bp.get("/events/<slug>/speakers")
def speakers_page(slug: str):
    event = _event(slug)
    programme = services.published_programme(event)
    return render_template("sessions/speakers.html", event=event, programme=programme,
                           speakers=[s for s in programme.speakers if s.talks])


@bp.get("/events/<slug>/speakers/<int:speaker_id>")
def speaker_page(slug: str, speaker_id: int):
    event = _event(slug)
    programme = services.published_programme(event)
    speaker = programme.speaker(speaker_id)
    if speaker is None or not speaker.talks:
        raise NotFound("No such speaker in the published programme.", code="speaker_not_found")
    return render_template("sessions/speaker.html", event=event, speaker=speaker,
                           programme=programme)


# ---------------------------------------------------------------- exports


def _export_args(event, programme):
    return dict(title=event.name, acronym=event.slug, first=event.starts_on,
                last=event.ends_on,
                base_url=url_for("sessions.agenda", slug=event.slug, _external=True),
                talk_url=_talk_url(event))


@bp.get("/events/<slug>/schedule.xml")
def schedule_xml(slug: str):
    event = _event(slug)
    programme = services.published_programme(event)
    return Response(exports.schedule_xml(programme, **_export_args(event, programme)),
                    mimetype="application/xml")


@bp.get("/events/<slug>/schedule.json")
def schedule_json(slug: str):
    event = _event(slug)
    programme = services.published_programme(event)
    return Response(exports.schedule_json(programme, **_export_args(event, programme)),
                    mimetype="application/json")


def _ics(body: bytes, filename: str, download: bool) -> Response:
    response = Response(body, mimetype="text/calendar")
    if download:
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.get("/events/<slug>/schedule.ics")
def schedule_ics(slug: str):
    event = _event(slug)
    programme = services.published_programme(event)
    return _ics(services.calendar_for(event, programme.talks, name=event.name),
                f"{event.slug}.ics", bool(request.args.get("download")))


@bp.get("/events/<slug>/agenda/feed/<token>.ics")
def agenda_feed(slug: str, token: str):
    event = visible_event(slug)
    user = services.user_for_feed(event, token)
    return _ics(services.agenda_calendar(user, event), f"{event.slug}-my-agenda.ics", False)


# ---------------------------------------------------------------- my agenda


@bp.get("/events/<slug>/my-agenda")
@login_required
def my_agenda(slug: str):
    event = _event(slug)
    services.expire_offers(event)
    programme = services.published_programme(event)
    agenda = services.my_agenda(current_user, event, programme)
    signed = services.signups_of(current_user, event)
    waiting = [(programme.talk(tid), s) for tid, s in signed.items()
               if s.status == "waiting" and programme.talk(tid)]
    token = services.feed_token(current_user, event)
    feed = url_for("sessions.agenda_feed", slug=event.slug, token=token, _external=True)
    return render_template("sessions/my_agenda.html", event=event, agenda=agenda,
                           overlaps=agenda.overlaps, signed=signed, waiting=waiting, feed=feed,
                           seats=services.seats(event), programme=programme,
                           starred=services.starred_ids(current_user, event))


@bp.get("/events/<slug>/my-agenda.ics")
@login_required
def my_agenda_ics(slug: str):
    event = _event(slug)
    return _ics(services.agenda_calendar(current_user, event), f"{event.slug}-my-agenda.ics",
                True)


@bp.post("/events/<slug>/my-agenda/feed")
@login_required
def rotate_feed(slug: str):
    event = _event(slug)
    services.feed_token(current_user, event, rotate=True)
    flash("A new private calendar link was made; the old one no longer works.", "success")
    return redirect(url_for("sessions.my_agenda", slug=slug))


def _back(slug: str, talk_id: int):
    target = request.form.get("next")
    if target and target.startswith("/") and not target.startswith("//"):
        return redirect(target)
    return redirect(url_for("sessions.talk_page", slug=slug, talk_id=talk_id))


ACTIONS = {
    "star": (services.star, "Added to your agenda."),
    "unstar": (services.unstar, "Removed from your agenda."),
    "signup": (services.signup, None),
    "cancel": (services.cancel_signup, "Your sign-up is cancelled."),
    "accept": (services.accept_offer, "The seat is yours."),
    "decline": (services.decline_offer, "You declined the seat; it goes to the next person."),
}


@bp.post("/events/<slug>/talks/<int:talk_id>/<action>")
@login_required
def talk_action(slug: str, talk_id: int, action: str):
    event = _event(slug)
    if action not in ACTIONS:
        raise NotFound("No such action.")
    func, message = ACTIONS[action]
    try:
        result = func(current_user, event, talk_id)
    except DomainError as error:
        flash(error.message, "danger")
        return _back(slug, talk_id)
    if action == "signup":
        message = ("You have a seat." if result.status == "confirmed" else
                   "It is full: you are on the waiting list. We e-mail you when a seat frees.")
    flash(message, "success")
    return _back(slug, talk_id)


# ---------------------------------------------------------------- organiser area


def _track_choices(event):
    return [SelectChoice("", "— none —")] + [SelectChoice(str(t.id), t.name)
                                             for t in services.tracks(event)]


def _room_choices(event):
    return [SelectChoice("", "— none / off-site —")] + [
        SelectChoice(str(r.id), f"{r.name}" + (f" ({r.capacity})" if r.capacity else ""))
        for r in services.rooms(event)]


@bp.get("/events/<slug>/manage/programme")
@organiser_required
def manage_programme(event):
    return render_template("sessions/manage_talks.html", event=event,
                           talks=services.talks(event),
                           conflicts=services.programme_conflicts(event),
                           version=services.latest_version(event))


EMPTY_PEOPLE_ROWS = 3


def _talk_form(event, talk) -> TalkForm:
    """The talk form with its choices: tracks, rooms, speakers per people row, pass types."""
    form = TalkForm()
    form.track_id.choices = _track_choices(event)
    form.room_id.choices = _room_choices(event)
    form.eligible_pass_types.choices = [SelectChoice(p.id, p.name)
                                        for p in services.pass_types(event)]
    if request.method == "GET":
        rows = [SimpleNamespace(speaker_id=str(p.speaker_id), role=p.role)
                for p in (talk.people if talk else [])]
        for row in rows + [SimpleNamespace(speaker_id="", role="speaker")] * EMPTY_PEOPLE_ROWS:
            form.people.append_entry(row)
    speaker_choices = [SelectChoice("", "— choose a speaker —")] + [
        SelectChoice(str(s.id), s.full_name + (f" · {s.organisation}" if s.organisation else ""))
        for s in services.speakers(event)]
    for entry in form.people:
        entry.form.speaker_id.choices = speaker_choices
    return form


def _fill_talk_form(form: TalkForm, event, talk) -> None:
    zone = event.time_zone
    if talk is None:
        form.day.data = event.starts_on
        return
    start, end = to_local(talk.starts_at, zone), to_local(talk.ends_at, zone)
    form.title.data, form.kind.data, form.abstract.data = talk.title, talk.kind, talk.abstract
    form.track_id.data = str(talk.track_id or "")
    form.room_id.data = str(talk.room_id or "")
    form.day.data, form.start.data, form.end.data = start.date(), start.time(), end.time()
    form.capacity.data = talk.capacity
    if talk.site_visit:
        v = talk.site_visit
        form.meeting_point.data, form.destination.data = v.meeting_point, v.destination
        form.departs.data = to_local(v.departs_at, zone).time()
        form.returns.data = to_local(v.returns_at, zone).time()
        form.buses.data, form.seats_per_bus.data = v.buses, v.seats_per_bus
        form.eligible_pass_types.data = list(v.eligible_pass_type_ids or [])


def _talk_fields(form: TalkForm, event) -> dict:
    zone = event.time_zone
    fields = dict(title=form.title.data, kind=form.kind.data, abstract=form.abstract.data,
                  track_id=_int(form.track_id.data), room_id=_int(form.room_id.data),
                  starts_at=local_to_utc(form.day.data, form.start.data, zone),
                  ends_at=local_to_utc(form.day.data, form.end.data, zone),
                  capacity=form.capacity.data,
                  people=[(int(e.form.speaker_id.data), e.form.role.data) for e in form.people
                          if e.form.speaker_id.data])
    if form.kind.data == TalkKind.SITE_VISIT:
        # Seats of a site visit are the buses' seats; the service derives the capacity.
        fields["site_visit"] = {
            "meeting_point": form.meeting_point.data, "destination": form.destination.data,
            "departs_at": local_to_utc(form.day.data, form.departs.data or form.start.data,
                                       zone),
            "returns_at": local_to_utc(form.day.data, form.returns.data or form.end.data,
                                       zone),
            "buses": form.buses.data or 0, "seats_per_bus": form.seats_per_bus.data or 0,
            "eligible_pass_type_ids": form.eligible_pass_types.data or []}
    return fields


@bp.route("/events/<slug>/manage/talks/new", methods=["GET", "POST"])
@bp.route("/events/<slug>/manage/talks/<int:talk_id>", methods=["GET", "POST"])
@organiser_required
def edit_talk(event, talk_id: int | None = None):
    talk = services.talk(event, talk_id) if talk_id else None
    form = _talk_form(event, talk)
    conflicts = []
    if request.method == "GET":
        _fill_talk_form(form, event, talk)
    if form.validate_on_submit():
        try:
            saved, found = services.save_talk(current_user, event, talk_id,
                                              allow_conflicts=form.allow_conflicts.data,
                                              **_talk_fields(form, event))
            flash(f"Saved “{saved.title}”" + (f" with {len(found)} conflict(s)." if found
                                                 else "."), "warning" if found else "success")
            return redirect(url_for("sessions.manage_programme", slug=event.slug))
        except DomainError as error:
            form.form_errors.append(error.message)
            conflicts = (error.details or {}).get("conflicts", []) \
                if isinstance(error.details, dict) else []
    status = 400 if form.errors or form.form_errors else 200
    return render_template("sessions/talk_form.html", event=event, form=form, talk=talk,
                           conflicts=conflicts), status


@bp.post("/events/<slug>/manage/talks/<int:talk_id>/delete")
@organiser_required
def delete_talk(event, talk_id: int):
    services.delete_talk(current_user, event, talk_id)
    flash("The talk is deleted from the draft.", "success")
    return redirect(url_for("sessions.manage_programme", slug=event.slug))


@bp.route("/events/<slug>/manage/rooms", methods=["GET", "POST"])
@organiser_required
def manage_rooms(event):
    edit_id = _int(request.args.get("edit"))
    editing = services.room(event, edit_id) if edit_id else None
    form = RoomForm(obj=editing if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            services.save_room(current_user, event, edit_id, name=form.name.data,
                               capacity=form.capacity.data, floor=form.floor.data,
                               accessibility=form.accessibility.data,
                               opens_at=form.opens_at.data, closes_at=form.closes_at.data)
            flash(f"Saved room {form.name.data}.", "success")
            return redirect(url_for("sessions.manage_rooms", slug=event.slug))
        except DomainError as error:
            form.form_errors.append(error.message)
    tracks_form = TrackForm(prefix="track")
    tracks_form.pillar.choices = [SelectChoice("", "—")] + [SelectChoice(p, p)
                                                          for p in event.themes or []]
    status = 400 if form.errors or form.form_errors else 200
    return render_template("sessions/manage_rooms.html", event=event, form=form,
                           editing=editing, rooms=services.rooms(event),
                           tracks=services.ensure_default_tracks(event),
                           track_form=tracks_form), status


@bp.post("/events/<slug>/manage/rooms/<int:room_id>/delete")
@organiser_required
def delete_room(event, room_id: int):
    try:
        services.delete_room(current_user, event, room_id)
        flash("Room deleted.", "success")
    except DomainError as error:
        flash(error.message, "danger")
    return redirect(url_for("sessions.manage_rooms", slug=event.slug))


@bp.post("/events/<slug>/manage/tracks")
@organiser_required
def add_track(event):
    form = TrackForm(prefix="track")
    form.pillar.choices = [SelectChoice("", "—")] + [SelectChoice(p, p)
                                                   for p in event.themes or []]
    if form.validate_on_submit():
        try:
            services.save_track(current_user, event, _int(request.form.get("track_id")),
                                name=form.name.data, colour=form.colour.data,
                                pillar=form.pillar.data)
            flash(f"Saved track {form.name.data}.", "success")
        except DomainError as error:
            flash(error.message, "danger")
    else:
        flash("; ".join(e for errs in form.errors.values() for e in errs), "danger")
    return redirect(url_for("sessions.manage_rooms", slug=event.slug))


@bp.get("/events/<slug>/manage/speakers")
@organiser_required
def manage_speakers(event):
    return render_template("sessions/manage_speakers.html", event=event,
                           speakers=services.speakers(event))


@bp.route("/events/<slug>/manage/speakers/new", methods=["GET", "POST"])
@bp.route("/events/<slug>/manage/speakers/<int:speaker_id>", methods=["GET", "POST"])
@organiser_required
def edit_speaker(event, speaker_id: int | None = None):
    speaker = services.speaker(event, speaker_id) if speaker_id else None
    form = SpeakerForm(obj=speaker if request.method == "GET" else None)
    window = AvailabilityForm(prefix="window")
    if request.form.get("form") == "window" and speaker and window.validate_on_submit():
        try:
            services.add_availability(current_user, event, speaker.id,
                                      local_to_utc(window.day.data, window.start.data,
                                                   event.time_zone),
                                      local_to_utc(window.day.data, window.end.data,
                                                   event.time_zone))
            flash("Availability window added.", "success")
            return redirect(url_for("sessions.edit_speaker", slug=event.slug,
                                    speaker_id=speaker.id))
        except DomainError as error:
            window.form_errors.append(error.message)
    elif request.form.get("form") != "window" and form.validate_on_submit():
        try:
            saved = services.save_speaker(current_user, event, speaker_id,
                                          **{k: form.data[k] for k in (
                                              "full_name", "email", "organisation",
                                              "job_title", "country", "bio", "photo_url")})
            flash(f"Saved {saved.full_name}.", "success")
            return redirect(url_for("sessions.edit_speaker", slug=event.slug,
                                    speaker_id=saved.id))
        except DomainError as error:
            form.form_errors.append(error.message)
    status = 400 if form.errors or form.form_errors or window.form_errors else 200
    return render_template("sessions/speaker_form.html", event=event, form=form,
                           window=window, speaker=speaker), status


@bp.post("/events/<slug>/manage/availability/<int:window_id>/delete")
@organiser_required
def delete_window(event, window_id: int):
    services.remove_availability(current_user, event, window_id)
    flash("Availability window removed.", "success")
    return redirect(request.referrer or url_for("sessions.manage_speakers", slug=event.slug))


# ---------------------------------------------------------------- schedule editor


SLOT_MINUTES = 15


def _lanes(talks) -> dict[int, tuple[int, int]]:
    """Talk id -> (lane, lanes): double-booked talks of one room sit side by side."""
    out: dict[int, tuple[int, int]] = {}
    by_room: dict[int, list] = {}
    for t in sorted(talks, key=lambda t: (t.starts_at, t.id)):
        by_room.setdefault(t.room_id, []).append(t)
    for room_talks in by_room.values():
        group: list = []
        group_end = None
        for t in room_talks + [None]:
            if t is None or (group_end is not None and t.starts_at >= group_end):
                ends: list = []
                for member in group:
                    lane = next((i for i, end in enumerate(ends) if end <= member.starts_at),
                                len(ends))
                    ends[lane:lane + 1] = [member.ends_at]
                    out[member.id] = lane
                for member in group:
                    out[member.id] = (out[member.id], len(ends))
                group, group_end = [], None
            if t is not None:
                group.append(t)
                group_end = max(group_end or t.ends_at, t.ends_at)
    return out


@bp.get("/events/<slug>/manage/schedule")
@organiser_required
def editor(event):
    days = [event.starts_on + timedelta(days=i)
            for i in range((event.ends_on - event.starts_on).days + 1)]
    try:
        day = date.fromisoformat(request.args.get("day", "")) \
            if request.args.get("day") else days[0]
    except ValueError:
        day = days[0]
    all_talks = services.talks(event)
    rooms = services.rooms(event)
    todays = [t for t in all_talks if to_local(t.starts_at, event.time_zone).date() == day]
    hours = [to_local(t.starts_at, event.time_zone).hour for t in todays] + \
        [to_local(t.ends_at, event.time_zone).hour + 1 for t in todays]
    first_hour, last_hour = min(hours + [8]), max(hours + [18])
    day_start = datetime.combine(day, datetime.min.time()).replace(hour=first_hour)
    conflicts = services.programme_conflicts(event)
    in_conflict = {tid for c in conflicts for tid in c.talk_ids}
    placed = []
    unplaced = []
    room_index = {r.id: i for i, r in enumerate(rooms)}
    for t in todays:
        local_start = to_local(t.starts_at, event.time_zone).replace(tzinfo=None)
        row = int((local_start - day_start).total_seconds() // 60 // SLOT_MINUTES) + 2
        span = max(1, t.duration_minutes // SLOT_MINUTES)
        if t.room_id in room_index:
            placed.append((t, row, span, room_index[t.room_id] + 2))
        else:
            unplaced.append(t)
    lanes = _lanes([t for t, *_ in placed])
    move = MoveForm()
    move.day.choices = [SelectChoice(d.isoformat(), f"{d:%a %d %b}") for d in days]
    move.room_id.choices = [SelectChoice(str(r.id), r.name) for r in rooms]
    move.day.data = day.isoformat()
    slots = [(day_start + timedelta(minutes=SLOT_MINUTES * i))
             for i in range((last_hour - first_hour) * 60 // SLOT_MINUTES)]
    return render_template("sessions/editor.html", event=event, days=days, day=day, rooms=rooms,
                           placed=placed, unplaced=unplaced, slots=slots, conflicts=conflicts,
                           in_conflict=in_conflict, move=move, slot_minutes=SLOT_MINUTES,
                           lanes=lanes,
                           talks_by_id={t.id: t for t in all_talks})


@bp.post("/events/<slug>/manage/schedule/move/<int:talk_id>")
@organiser_required
def move_talk(event, talk_id: int):
    form = MoveForm()
    days = [event.starts_on + timedelta(days=i)
            for i in range((event.ends_on - event.starts_on).days + 1)]
    form.day.choices = [SelectChoice(d.isoformat(), d.isoformat()) for d in days]
    form.room_id.choices = [SelectChoice(str(r.id), r.name) for r in services.rooms(event)]
    day = request.form.get("day") or days[0].isoformat()
    if form.validate_on_submit():
        try:
            _talk, found = services.move_talk(current_user, event, talk_id,
                                              day=date.fromisoformat(form.day.data),
                                              start=form.start.data,
                                              room_id=int(form.room_id.data))
            mine = [c for c in found if talk_id in c.talk_ids]
            if mine:
                flash(f"Moved, with {len(mine)} conflict(s): " + mine[0].message, "warning")
            else:
                flash("Moved.", "success")
        except DomainError as error:
            flash(error.message, "danger")
    else:
        flash("; ".join(e for errs in form.errors.values() for e in errs), "danger")
    return redirect(url_for("sessions.editor", slug=event.slug, day=day))


@bp.route("/events/<slug>/manage/publish", methods=["GET", "POST"])
@organiser_required
def publish(event):
    form = PublishForm()
    conflicts = services.programme_conflicts(event)
    if form.validate_on_submit():
        try:
            version = services.publish(current_user, event, note=form.note.data,
                                       override=form.override.data)
            flash(f"Version {version.number} is published.", "success")
            return redirect(url_for("sessions.publish", slug=event.slug))
        except DomainError as error:
            form.form_errors.append(error.message)
    status = 400 if form.errors or form.form_errors else 200
    return render_template("sessions/publish.html", event=event, form=form,
                           conflicts=conflicts, changes=services.draft_changes(event),
                           versions=services.versions(event)), status


@bp.get("/events/<slug>/manage/talks/<int:talk_id>/signups")
@organiser_required
def talk_signups(event, talk_id: int):
    """The organiser's page of one talk: sign-ups, attendance, and for site visits boarding."""
    talk = services.talk(event, talk_id)
    board = gates.boarding(event, talk.id)
    return render_template("sessions/signups.html", event=event, talk=talk,
                           signups=services.signup_list(event, talk_id), board=board,
                           boarded={p.signup.id: p for p in board.passengers},
                           attendance=gates.attendance_of(event, talk),
                           doors=gates.room_gates(event, talk.room) if talk.room else [],
                           gate_form=TalkGateForm())


@bp.post("/events/<slug>/manage/talks/<int:talk_id>/gates")
@organiser_required
def create_talk_gate(event, talk_id: int):
    form = TalkGateForm()
    if not form.validate_on_submit():
        flash("Choose a bus number between 1 and 99.", "danger")
    else:
        try:
            gate = gates.create_talk_gate(current_user, event, talk_id, form.bus.data)
        except DomainError as error:
            flash(error.message, "danger")
        else:
            flash(f"Gate “{gate.name}” is ready: scan badges with the gate code {gate.code}.",
                  "success")
    return redirect(url_for("sessions.talk_signups", slug=event.slug, talk_id=talk_id))


@bp.get("/events/<slug>/boarding/<int:talk_id>")
@event_role_required(Role.STAFF, Role.ORGANISER)
def boarding(event, talk_id: int):
    """The guide's list on the bus: who boarded, who is missing (with phone numbers)."""
    board = gates.boarding(event, talk_id)
    return render_template("sessions/boarding.html", event=event, board=board)


def _room_gate_form(event) -> RoomGateForm:
    form = RoomGateForm()
    form.room.choices = [SelectChoice(str(r.id), r.name) for r in services.rooms(event)]
    form.zone.choices = [SelectChoice(z.code, f"{z.name} ({z.code})")
                         for z in checkin.zones(event)]
    return form


@bp.route("/events/<slug>/manage/attendance", methods=["GET", "POST"])
@organiser_required
def manage_attendance(event):
    form = _room_gate_form(event)
    if form.validate_on_submit():
        try:
            gate = gates.create_room_gate(current_user, event, int(form.room.data),
                                          form.zone.data)
        except DomainError as error:
            form.zone.errors = [*form.zone.errors, error.message]
        else:
            flash(f"Gate “{gate.name}” is ready: its entries count as attendance.", "success")
            return redirect(url_for("sessions.manage_attendance", slug=event.slug))
    rows = gates.attendance(event)
    days = gates.attendance_by_day(event, rows)
    charts = [{"day": day.isoformat(), "label": f"{day:%A %d %B}",
               "talks": [r.talk.title for r in items],
               "attended": [r.attended for r in items],
               "signed_up": [r.signed_up for r in items],
               "capacity": [r.room_capacity for r in items]} for day, items in days.items()]
    return render_template("sessions/attendance.html", event=event, days=days, charts=charts,
                           form=form, doors=gates.room_gates(event),
                           rooms={r.id: r for r in services.rooms(event)}), \
        400 if form.errors else 200


@bp.get("/events/<slug>/manage/attendance.csv")
@organiser_required
def attendance_csv(event):
    return Response(gates.attendance_csv(event), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{event.slug}-attendance.csv"'})
