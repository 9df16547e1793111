"""Pages: projects, theses, recommendations, meetings; organiser moderation, slots, scheduler,
scanning at the tables, taxonomy and the policy report."""

from __future__ import annotations

from datetime import timedelta

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from ..core import services as core
from ..core.access import organiser_required, visible_event
from ..core.models import Event, Role
from ..errors import DomainError, Forbidden
from ..sessions import services as sessions
from . import services
from .forms import (
    FollowUpForm,
    FrameworkForm,
    LinkForm,
    ModerateForm,
    PolicyForm,
    ProjectForm,
    RequestForm,
    SettingsForm,
    SlotSeriesForm,
    ThesisForm,
)
from .models import FOLLOW_UP_LABELS, ProjectStatus, RequestStatus, RunStatus
from .scoring import format_money_range

bp = Blueprint("matchmaking", __name__, template_folder="templates")

PLACE = {"people": "picked by you", "scheduler": "scheduled", "organiser": "set by organisers"}


@bp.app_template_filter("money_range")
def _money_range(item) -> str:
    if hasattr(item, "funding_min"):
        return format_money_range(item.funding_min, item.funding_max, item.currency)
    return format_money_range(item.ticket_min, item.ticket_max, item.currency)


@bp.app_template_filter("money_short")
def _money_short(amount: int, currency: str = "MYR") -> str:
    from .scoring import format_money

    return format_money(amount, currency)


@bp.app_template_global("follow_up_label")
def follow_up_label(value):
    return FOLLOW_UP_LABELS.get(value, value or "")


def _event(slug: str) -> Event:
    event = visible_event(slug)
    g.event = event
    return event


def _split(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").replace(";", ",").split(",") if part.strip()]


def _fail(form, error: DomainError) -> None:
    """Put a service's refusal next to the field it is about, else on top of the form."""
    targets = {
        "funding": ("funding_min",), "ticket": ("ticket_min",), "policy": ("policy_ids",),
        "stage": ("stage", "stages"), "instrument": ("instruments",), "currency": ("currency",),
        "title": ("title",), "summary": ("summary",), "place": ("city",), "link": ("links",),
        "organisation": ("organisation",), "amount": ("funding_min", "ticket_min"),
        "sectors": ("sectors",), "geographies": ("geographies",), "thesis": ("thesis",),
    }
    for prefix, names in targets.items():
        if error.code.startswith(prefix) or error.code.endswith(prefix):
            for name in names:
                field = getattr(form, name, None)
                if field is not None:
                    field.errors = [*field.errors, error.message]
                    return
    form.form_errors.append(error.message)


def _money_fields(form, low: str, high: str) -> tuple[int | None, int | None]:
    values = []
    for name in (low, high):
        field = getattr(form, name)
        try:
            values.append(services.parse_money(field.data, form.currency.data or "MYR"))
        except DomainError as error:
            field.errors = [*field.errors, error.message]
            values.append(None)
    return values[0], values[1]


# ---------------------------------------------------------------- hub


@bp.get("/events/<slug>/matchmaking")
def hub(slug: str):
    event = _event(slug)
    user = current_user if current_user.is_authenticated else None
    thesis = services.thesis_of(user, event)
    mine = services.my_projects(user, event) if user else []
    recs = services.recommendations_for_thesis(event, thesis)[:5] if thesis else []
    requests = services.requests_of(user, event) if user else None
    return render_template(
        "matchmaking/hub.html", event=event, thesis=thesis, my_projects=mine, recs=recs,
        requests=requests, is_investor=user is not None and core.has_role(user, event,
                                                                          Role.INVESTOR),
        can_post=services.can_post_project(user, event),
        project_count=len(services.projects(event)), investor_count=len(services.theses(event)))


# ---------------------------------------------------------------- projects


@bp.get("/events/<slug>/matchmaking/projects")
def projects(slug: str):
    event = _event(slug)
    policy_id = request.args.get("policy", type=int)
    return render_template("matchmaking/projects.html", event=event,
                           projects=services.projects(event, policy_id=policy_id,
                                                      q=request.args.get("q")),
                           policies=services.policies(event), policy_id=policy_id,
                           q=request.args.get("q", ""))


def _project_form(event: Event, project=None) -> ProjectForm:
    form = ProjectForm(obj=project, policies=services.policies(event))
    if project is not None and request.method == "GET":
        form.policy_ids.data = [p.id for p in project.policies]
        form.sectors.data = ", ".join(project.sectors)
        form.links.data = "\n".join(project.links)
        form.funding_min.data = f"{project.funding_min / 100:,.0f}"
        form.funding_max.data = f"{project.funding_max / 100:,.0f}"
    elif project is None and request.method == "GET":
        form.currency.data = event.currency
        form.organisation.data = current_user.organisation
        form.country.data = current_user.country or event.country or "Malaysia"
    return form


def _save_project(event: Event, form: ProjectForm, project=None):
    low, high = _money_fields(form, "funding_min", "funding_max")
    if form.funding_min.errors or form.funding_max.errors:
        return None
    fields = dict(title=form.title.data, summary=form.summary.data,
                  organisation=form.organisation.data, city=form.city.data,
                  state=form.state.data, country=form.country.data,
                  policy_ids=form.policy_ids.data or [], sectors=_split(form.sectors.data),
                  stage=form.stage.data, funding_min=low, funding_max=high,
                  currency=form.currency.data, instruments=form.instruments.data or [],
                  links=(form.links.data or "").splitlines())
    try:
        if project is None:
            return services.create_project(current_user, event, **fields)
        return services.update_project(current_user, event, project, **fields)
    except DomainError as error:
        _fail(form, error)
        return None


@bp.route("/events/<slug>/matchmaking/projects/new", methods=["GET", "POST"])
@login_required
def new_project(slug: str):
    event = _event(slug)
    if not services.can_post_project(current_user, event):
        raise Forbidden("Register for the event to post a project.",
                        code="registration_required")
    form = _project_form(event)
    if form.validate_on_submit():
        project = _save_project(event, form)
        if project is not None:
            flash("Project sent to the organisers: it is public once they approve it.",
                  "success")
            return redirect(url_for("matchmaking.project", slug=slug, project_id=project.id))
    status = 400 if form.errors or form.form_errors else 200
    return render_template("matchmaking/project_form.html", event=event, form=form,
                           project=None), status


@bp.route("/events/<slug>/matchmaking/projects/<int:project_id>/edit", methods=["GET", "POST"])
@login_required
def edit_project(slug: str, project_id: int):
    event = _event(slug)
    project = services.visible_project(current_user, event, project_id)
    if project.owner_id != current_user.id:
        raise Forbidden("Only the project's owner can change it.", code="not_your_project")
    form = _project_form(event, project)
    if form.validate_on_submit():
        if _save_project(event, form, project) is not None:
            flash("Project saved.", "success")
            return redirect(url_for("matchmaking.project", slug=slug, project_id=project.id))
    status = 400 if form.errors or form.form_errors else 200
    return render_template("matchmaking/project_form.html", event=event, form=form,
                           project=project), status


@bp.get("/events/<slug>/matchmaking/projects/<int:project_id>")
def project(slug: str, project_id: int):
    event = _event(slug)
    user = current_user if current_user.is_authenticated else None
    project = services.visible_project(user, event, project_id)
    thesis = services.thesis_of(user, event)
    fit = services.explain_pair(event, thesis, project) if thesis and project.is_public else None
    existing = None
    if thesis is not None:
        existing = services._requests_by_pair(event, thesis_id=thesis.id,
                                              project_id=project.id).get((thesis.id, project.id))
    investors = []
    if user is not None and project.owner_id == user.id and project.is_public:
        investors = services.recommendations_for_project(event, project)
    return render_template("matchmaking/project.html", event=event, project=project,
                           thesis=thesis, fit=fit, existing=existing, investors=investors,
                           form=RequestForm(), is_owner=user is not None
                           and project.owner_id == user.id)


@bp.post("/events/<slug>/matchmaking/projects/<int:project_id>/withdraw")
@login_required
def withdraw_project(slug: str, project_id: int):
    event = _event(slug)
    project = services.visible_project(current_user, event, project_id)
    services.withdraw_project(current_user, event, project)
    flash("Project withdrawn: it is no longer listed.", "info")
    return redirect(url_for("matchmaking.hub", slug=slug))


# ---------------------------------------------------------------- investors


@bp.route("/events/<slug>/matchmaking/thesis", methods=["GET", "POST"])
@login_required
def thesis(slug: str):
    event = _event(slug)
    if not core.has_role(current_user, event, Role.INVESTOR):
        raise Forbidden("The investor thesis is for investors of this event; ask the "
                        "organisers for the investor role.", code="role_required")
    existing = services.thesis_of(current_user, event)
    form = ThesisForm(obj=existing, policies=services.policies(event),
                      investor_types=services.INVESTOR_TYPES)
    if request.method == "GET":
        if existing is not None:
            form.policy_ids.data = [p.id for p in existing.policies]
            form.sectors.data = ", ".join(existing.sectors)
            form.geographies.data = ", ".join(existing.geographies)
            form.ticket_min.data = f"{existing.ticket_min / 100:,.0f}"
            form.ticket_max.data = f"{existing.ticket_max / 100:,.0f}"
        else:
            form.organisation.data = current_user.organisation
            form.currency.data = event.currency
    if form.validate_on_submit():
        low, high = _money_fields(form, "ticket_min", "ticket_max")
        if not (form.ticket_min.errors or form.ticket_max.errors):
            try:
                services.save_thesis(
                    current_user, event, organisation=form.organisation.data,
                    investor_type=form.investor_type.data, policy_ids=form.policy_ids.data or [],
                    sectors=_split(form.sectors.data), stages=form.stages.data or [],
                    ticket_min=low, ticket_max=high, currency=form.currency.data,
                    instruments=form.instruments.data or [],
                    geographies=_split(form.geographies.data), thesis=form.thesis.data)
            except DomainError as error:
                _fail(form, error)
            else:
                flash("Thesis saved: your recommendations are up to date.", "success")
                return redirect(url_for("matchmaking.recommendations", slug=slug))
    status = 400 if form.errors or form.form_errors else 200
    return render_template("matchmaking/thesis_form.html", event=event, form=form,
                           existing=existing), status


@bp.get("/events/<slug>/matchmaking/investors/<int:thesis_id>")
@login_required
def investor(slug: str, thesis_id: int):
    event = _event(slug)
    thesis = services.thesis_by_id(event, thesis_id)
    mine = [p for p in services.my_projects(current_user, event) if p.is_public]
    if not mine and thesis.user_id != current_user.id and not core.has_role(
            current_user, event, Role.ORGANISER, Role.INVESTOR):
        raise Forbidden("Investor profiles are shown to owners of approved projects.",
                        code="project_required")
    fits = []
    for project in mine:
        score, reasons = services.explain_pair(event, thesis, project)
        existing = services._requests_by_pair(event, thesis_id=thesis.id,
                                              project_id=project.id).get((thesis.id, project.id))
        fits.append((project, score, reasons, existing))
    return render_template("matchmaking/investor.html", event=event, thesis=thesis, fits=fits,
                           form=RequestForm())


# ---------------------------------------------------------------- recommendations


@bp.get("/events/<slug>/matchmaking/recommendations")
@login_required
def recommendations(slug: str):
    event = _event(slug)
    thesis = services.thesis_of(current_user, event)
    mine = [p for p in services.my_projects(current_user, event) if p.is_public]
    project_id = request.args.get("project", type=int)
    chosen = next((p for p in mine if p.id == project_id), mine[0] if mine else None)
    side = request.args.get("side") or ("investor" if thesis else "project")
    if side == "investor" and thesis is not None:
        recs = services.recommendations_for_thesis(event, thesis)
    elif chosen is not None:
        side, recs = "project", services.recommendations_for_project(event, chosen)
    else:
        side, recs = None, []
    return render_template("matchmaking/recommendations.html", event=event, thesis=thesis,
                           my_projects=mine, chosen=chosen, side=side, recs=recs,
                           is_investor=core.has_role(current_user, event, Role.INVESTOR),
                           can_post=services.can_post_project(current_user, event),
                           form=RequestForm())


@bp.post("/events/<slug>/matchmaking/not-interested")
@login_required
def not_interested(slug: str):
    event = _event(slug)
    services.mark_not_interested(current_user, event, request.form.get("thesis_id", type=int),
                                 request.form.get("project_id", type=int))
    flash("Hidden: you will not see this match again.", "info")
    return redirect(request.form.get("next") or url_for("matchmaking.recommendations",
                                                        slug=slug))


# ---------------------------------------------------------------- meeting requests


@bp.post("/events/<slug>/matchmaking/requests")
@login_required
def request_meeting(slug: str):
    event = _event(slug)
    form = RequestForm()
    back = request.form.get("next") or url_for("matchmaking.meetings", slug=slug)
    if not form.validate():
        flash(" ".join(e for errors in form.errors.values() for e in errors), "danger")
        return redirect(back)
    try:
        made = services.request_meeting(current_user, event,
                                        project_id=request.form.get("project_id", type=int),
                                        thesis_id=request.form.get("thesis_id", type=int),
                                        message=form.message.data)
    except DomainError as error:
        flash(error.message, "danger")
        return redirect(back)
    flash(f"Request sent to {made.recipient.full_name}: you will hear when they answer.",
          "success")
    return redirect(back)


ANSWERS = "<any(accept, decline, cancel):action>"


@bp.post(f"/events/<slug>/matchmaking/requests/<int:request_id>/{ANSWERS}")
@login_required
def answer(slug: str, request_id: int, action: str):
    event = _event(slug)
    try:
        if action == "cancel":
            services.cancel_request(current_user, event, request_id)
            flash("Cancelled.", "info")
        else:
            made = services.respond(current_user, event, request_id, accept=action == "accept")
            flash("Accepted: pick a time below, or the organisers will schedule it."
                  if made.status == RequestStatus.ACCEPTED else "Declined.",
                  "success" if made.status == RequestStatus.ACCEPTED else "info")
    except DomainError as error:
        flash(error.message, "danger")
    return redirect(url_for("matchmaking.meetings", slug=slug))


@bp.get("/events/<slug>/matchmaking/meetings")
@login_required
def meetings(slug: str):
    event = _event(slug)
    requests = services.requests_of(current_user, event)
    free = {r.id: services.free_slots_for(current_user, event, r.id)[:40]
            for r in requests["meetings"] if not r.locked}
    feed = url_for("sessions.agenda_feed", slug=slug, _external=True,
                   token=sessions.feed_token(current_user, event))
    return render_template("matchmaking/meetings.html", event=event, requests=requests,
                           free=free, feed=feed, follow_form=FollowUpForm(), place=PLACE,
                           now=services.utcnow())


@bp.post("/events/<slug>/matchmaking/requests/<int:request_id>/slot")
@login_required
def pick_slot(slug: str, request_id: int):
    event = _event(slug)
    try:
        made = services.pick_slot(current_user, event, request_id,
                                  request.form.get("slot_id", type=int) or 0)
    except DomainError as error:
        flash(error.message, "danger")
    else:
        flash(f"Booked: table {made.table_no}.", "success")
    return redirect(url_for("matchmaking.meetings", slug=slug))


@bp.post("/events/<slug>/matchmaking/requests/<int:request_id>/follow-up")
@login_required
def follow_up(slug: str, request_id: int):
    event = _event(slug)
    form = FollowUpForm()
    if form.validate():
        try:
            services.record_follow_up(current_user, event, request_id, form.follow_up.data,
                                      form.note.data or "")
        except DomainError as error:
            flash(error.message, "danger")
        else:
            flash("Follow-up saved.", "success")
    else:
        flash("Choose a follow-up.", "danger")
    return redirect(url_for("matchmaking.meetings", slug=slug))


@bp.get("/events/<slug>/matchmaking/meetings.ics")
def ical_feed(slug: str):
    """Old "my meetings" feed address: meetings now live in the one agenda feed."""
    event = _event(slug)
    token = request.args.get("token")
    if token:
        user = services.user_for_legacy_calendar_token(event, token)
        return redirect(url_for("sessions.agenda_feed", slug=slug,
                                token=sessions.feed_token(user, event)), code=301)
    if current_user.is_authenticated:
        return redirect(url_for("sessions.my_agenda_ics", slug=slug))
    abort(404)


# ---------------------------------------------------------------- organisers: projects


@bp.route("/events/<slug>/manage/matchmaking/projects", methods=["GET", "POST"])
@organiser_required
def manage_projects(event: Event):
    form = ModerateForm()
    if request.method == "POST":
        try:
            project = services.moderate_project(current_user, event,
                                                request.form.get("project_id", type=int) or 0,
                                                request.form.get("decision", ""),
                                                form.note.data)
        except DomainError as error:
            flash(error.message, "danger")
        else:
            flash(f"“{project.title}” {project.status}.", "success")
        return redirect(url_for("matchmaking.manage_projects", slug=event.slug,
                                status=request.args.get("status", "pending")))
    status = request.args.get("status", "pending")
    if status not in (*ProjectStatus, "all"):
        status = "pending"
    return render_template("matchmaking/manage_projects.html", event=event,
                           projects=services.projects(event, status=None if status == "all"
                                                      else status),
                           status=status, counts=services.moderation_counts(event), form=form,
                           theses=services.theses(event))


# ---------------------------------------------------------------- organisers: taxonomy


@bp.route("/events/<slug>/manage/matchmaking/policies", methods=["GET", "POST"])
@organiser_required
def manage_policies(event: Event):
    frameworks = services.frameworks(event)
    policy_rows = services.policies(event)
    framework_form = FrameworkForm(prefix="fw")
    policy_form = PolicyForm(prefix="pol")
    link_form = LinkForm(prefix="link")
    policy_form.framework_id.choices = [SelectChoice(f.id, f"{f.code}: {f.name}")
                                        for f in frameworks]
    choices = [SelectChoice(p.id, p.label) for p in policy_rows]
    link_form.policy_a_id.choices = choices
    link_form.policy_b_id.choices = choices
    which = request.form.get("form")
    try:
        if which == "framework" and framework_form.validate_on_submit():
            services.add_framework(current_user, event, framework_form.code.data,
                                   framework_form.name.data)
            flash("Framework added.", "success")
        elif which == "policy" and policy_form.validate_on_submit():
            services.add_policy(current_user, event, policy_form.framework_id.data,
                                policy_form.name.data)
            flash("Part added.", "success")
        elif which == "link" and link_form.validate_on_submit():
            services.add_link(current_user, event, link_form.policy_a_id.data,
                              link_form.policy_b_id.data)
            flash("Link added.", "success")
        elif which == "rename":
            services.rename_policy(current_user, event, request.form.get("policy_id", type=int),
                                   request.form.get("name", ""))
            flash("Renamed.", "success")
        elif which == "unlink":
            services.remove_link(current_user, event, request.form.get("link_id", type=int))
            flash("Link removed.", "info")
        if which and request.method == "POST" and not (framework_form.errors or
                                                        policy_form.errors or link_form.errors):
            return redirect(url_for("matchmaking.manage_policies", slug=event.slug))
    except DomainError as error:
        flash(error.message, "danger")
        return redirect(url_for("matchmaking.manage_policies", slug=event.slug))
    return render_template("matchmaking/manage_policies.html", event=event,
                           frameworks=frameworks, links=services.links(event),
                           framework_form=framework_form, policy_form=policy_form,
                           link_form=link_form)


# ---------------------------------------------------------------- organisers: slots


@bp.route("/events/<slug>/manage/matchmaking/slots", methods=["GET", "POST"])
@organiser_required
def manage_slots(event: Event):
    form = SlotSeriesForm()
    days = [event.starts_on + timedelta(days=n)
            for n in range((event.ends_on - event.starts_on).days + 1)]
    form.days.choices = [SelectChoice(d.isoformat(), f"{d:%a %d %b}") for d in days]
    if request.form.get("form") == "delete":
        try:
            services.delete_slot(current_user, event, request.form.get("slot_id", type=int))
            flash("Slot removed.", "info")
        except DomainError as error:
            flash(error.message, "danger")
        return redirect(url_for("matchmaking.manage_slots", slug=event.slug))
    if request.form.get("form") == "tables":
        try:
            services.set_slot_tables(current_user, event, request.form.get("slot_id", type=int),
                                     request.form.get("tables", type=int) or 0)
            flash("Tables updated.", "success")
        except DomainError as error:
            flash(error.message, "danger")
        return redirect(url_for("matchmaking.manage_slots", slug=event.slug))
    if form.validate_on_submit():
        from datetime import date

        try:
            made = services.create_slot_series(
                current_user, event, days=[date.fromisoformat(d) for d in form.days.data],
                start=form.start.data, end=form.end.data, minutes=form.minutes.data,
                tables=form.tables.data, gap_minutes=form.gap_minutes.data or 0,
                location=form.location.data)
        except DomainError as error:
            _fail(form, error)
        else:
            flash(f"{len(made)} slots added.", "success")
            return redirect(url_for("matchmaking.manage_slots", slug=event.slug))
    status = 400 if form.errors or form.form_errors else 200
    return render_template("matchmaking/manage_slots.html", event=event, form=form,
                           slots=services.slots(event), usage=services.slot_usage(event)), status


# ---------------------------------------------------------------- organisers: scheduler


@bp.route("/events/<slug>/manage/matchmaking/schedule", methods=["GET", "POST"])
@organiser_required
def manage_schedule(event: Event):
    settings_form = SettingsForm(obj=services.settings(event), prefix="set")
    action = request.form.get("form")
    if action:
        try:
            if action == "settings" and settings_form.validate_on_submit():
                services.update_settings(current_user, event,
                                         pending_cap=settings_form.pending_cap.data,
                                         scheduler_seconds=settings_form.scheduler_seconds.data)
                flash("Settings saved.", "success")
            elif action == "run":
                run = services.start_scheduler_run(current_user, event)
                return redirect(url_for("matchmaking.manage_run", slug=event.slug,
                                        run_id=run.id))
            elif action in ("lock", "unlock"):
                services.set_lock(current_user, event, request.form.get("request_id", type=int),
                                  action == "lock")
            elif action == "unplace":
                services.unplace(current_user, event, request.form.get("request_id", type=int))
            elif action == "priority":
                services.set_priority(current_user, event,
                                      request.form.get("request_id", type=int),
                                      request.form.get("priority", type=int) or 0)
            elif action in ("held", "no_show", "reset"):
                services.set_attendance(current_user, event,
                                        request.form.get("request_id", type=int),
                                        None if action == "reset" else action)
        except DomainError as error:
            flash(error.message, "danger")
        return redirect(url_for("matchmaking.manage_schedule", slug=event.slug,
                                view=request.args.get("view")))
    meetings = services.organiser_meetings(event, status=RequestStatus.ACCEPTED)
    view = request.args.get("view", "all")
    if view == "no_show":
        meetings = services.no_shows(event)
    elif view == "unplaced":
        meetings = [m for m in meetings if m.slot_id is None]
    runs = services.runs(event)
    last = next((r for r in runs if r.status == RunStatus.DONE), None)
    unplaced = {u["request_id"]: u["reason"] for u in (last.unplaced if last else [])}
    return render_template("matchmaking/manage_schedule.html", event=event, meetings=meetings,
                           runs=runs, last=last, unplaced=unplaced, view=view,
                           settings_form=settings_form, slots=services.slots(event),
                           no_show_count=len(services.no_shows(event)),
                           pending=len(services.organiser_meetings(
                               event, status=RequestStatus.PENDING)), place=PLACE)


@bp.get("/events/<slug>/manage/matchmaking/runs/<int:run_id>")
@organiser_required
def manage_run(event: Event, run_id: int):
    run = services.run_by_id(event, run_id)
    if request.accept_mimetypes.best == "application/json" or request.args.get("format") == "json":
        elapsed = ((run.finished_at or services.utcnow()) - (run.started_at or run.created_at)
                   ).total_seconds() if run.started_at else 0
        return jsonify({"status": run.status, "phase": run.phase, "elapsed": round(elapsed, 1),
                        "time_limit": run.time_limit, "placed": run.placed,
                        "meetings": run.meetings})
    return render_template("matchmaking/manage_run.html", event=event, run=run)


# ---------------------------------------------------------------- organisers: scanning


@bp.get("/events/<slug>/manage/matchmaking/scan")
@organiser_required
def manage_scan(event: Event):
    return render_template("matchmaking/manage_scan.html", event=event,
                           held=[m for m in services.organiser_meetings(
                               event, status=RequestStatus.ACCEPTED) if m.attendance == "held"])


# ---------------------------------------------------------------- organisers: report


@bp.get("/events/<slug>/manage/matchmaking/report")
@organiser_required
def manage_report(event: Event):
    axis = request.args.get("axis", "sector")
    if axis not in ("sector", "country"):
        axis = "sector"
    rows = services.policy_report(event)
    policy_rows, columns, cells = services.heatmap(event, axis)
    peak = max(cells.values(), default=0)
    frameworks = services.frameworks(event)
    pillar = request.args.get("framework") or (frameworks[0].code if frameworks else "")
    return render_template("matchmaking/manage_report.html", event=event, rows=rows, axis=axis,
                           heat_policies=[p for p in policy_rows if p.framework.code == pillar
                                          or pillar == "all"],
                           columns=columns, cells=cells, peak=peak, frameworks=frameworks,
                           pillar=pillar, follow_ups=services.follow_up_counts(event))


@bp.get("/events/<slug>/manage/matchmaking/report.csv")
@organiser_required
def manage_report_csv(event: Event):
    return Response(services.report_csv(event), mimetype="text/csv",
                    headers={"Content-Disposition":
                             f'attachment; filename="{event.slug}-policy-report.csv"'})
