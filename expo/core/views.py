"""Pages: home, accounts, event landing pages and the organiser area."""

from __future__ import annotations

import sqlalchemy as sa
from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user
from wtforms.fields.choices import SelectChoice

from .. import overview
from ..errors import DomainError
from ..extensions import db, limiter
from ..webutil import safe_next
from . import mail, services
from .access import admin_required, event_role_required, organiser_required, visible_event
from .forms import (
    ChangePasswordForm,
    EventForm,
    ForgotPasswordForm,
    GrantRoleForm,
    LoginForm,
    NewEventForm,
    ProfileForm,
    ResetPasswordForm,
    SignupForm,
    TokenForm,
)
from .models import Event, Role

bp = Blueprint("core", __name__, template_folder="templates")


def _submitted(form, name: str) -> bool:
    """Several forms share a page: each posts a hidden `form` field with its name."""
    return request.form.get("form") == name and form.validate_on_submit()


# ---------------------------------------------------------------- home and health


@bp.get("/")
def home():
    return render_template("core/home.html", events=services.published_events())


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(sa.text("SELECT 1"))
        database = "ok"
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        database = "unreachable"
    status = 200 if database == "ok" else 503
    return jsonify({"status": "ok" if status == 200 else "degraded",
                    "database": database}), status


# ---------------------------------------------------------------- accounts


def _login_limit() -> str:
    return current_app.config["RATELIMIT_LOGIN"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            form.form_errors.append("That e-mail and password do not match an account.")
        else:
            login_user(user, remember=form.remember.data)
            flash(f"Welcome, {user.full_name}.", "success")
            return redirect(safe_next(request.args.get("next")) or url_for("core.home"))
    status = 400 if form.errors or form.form_errors else 200
    return render_template("core/login.html", form=form), status


@bp.post("/logout")
def logout():
    logout_user()
    flash("You are logged out.", "info")
    return redirect(url_for("core.home"))


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def signup():
    form = SignupForm()
    if form.validate_on_submit():
        try:
            user = services.create_user(form.email.data, form.password.data, form.full_name.data,
                                        organisation=form.organisation.data or None,
                                        country=form.country.data or None)
        except DomainError as error:
            field = form.email if error.code in ("email_taken", "email_invalid") else form.password
            field.errors = [*field.errors, error.message]
        else:
            login_user(user)
            flash("Your account is ready.", "success")
            return redirect(safe_next(request.args.get("next")) or url_for("core.home"))
    status = 400 if form.errors else 200
    return render_template("core/signup.html", form=form), status


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        user = services.user_by_email(form.email.data)
        if user is not None and user.active:
            token = services.password_reset_token(user)
            mail.send_template(user.email, "Reset your expo password", "password_reset",
                               user=user, link=url_for("core.reset_password", token=token,
                                                       _external=True),
                               minutes=current_app.config["PASSWORD_RESET_MAX_AGE"] // 60)
        # The same answer either way: the form must not reveal who has an account.
        flash("If an account uses that address, a reset link is on its way.", "info")
        return redirect(url_for("core.login"))
    return render_template("core/forgot_password.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    try:
        user = services.user_for_reset_token(token)
    except DomainError as error:
        return render_template("core/reset_invalid.html", message=error.message), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        services.reset_password(token, form.password.data)
        flash("Your password is set. Log in with it now.", "success")
        return redirect(url_for("core.login"))
    return render_template("core/reset_password.html", form=form, user=user)


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    profile = ProfileForm(obj=current_user, prefix="profile")
    password = ChangePasswordForm(prefix="password")
    token_form = TokenForm(prefix="token")
    mine = services.events_for_user(current_user)
    token_form.event.choices = [SelectChoice("", "All my events")] + [
        SelectChoice(str(e.id), e.name) for e, _ in mine]
    new_token = None
    if _submitted(profile, "profile"):
        profile.populate_obj(current_user)
        db.session.commit()
        flash("Profile saved.", "success")
        return redirect(url_for("core.account"))
    if _submitted(password, "password"):
        try:
            services.change_password(current_user, password.current.data, password.password.data)
        except DomainError as error:
            password.current.errors = [error.message]
        else:
            flash("Password changed.", "success")
            return redirect(url_for("core.account"))
    if _submitted(token_form, "token"):
        event = db.session.get(Event, int(token_form.event.data)) if token_form.event.data \
            else None
        _token, new_token = services.create_token(current_user, token_form.name.data, event=event)
    return render_template("core/account.html", profile=profile, password=password,
                           token_form=token_form, new_token=new_token,
                           tokens=services.tokens_of(current_user))


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    token = services.revoke_token(current_user, token_id)
    flash(f"Token “{token.name}” revoked.", "info")
    return redirect(safe_next(request.form.get("next")) or url_for("core.account"))


# ---------------------------------------------------------------- events


@bp.get("/events/<slug>")
def event_page(slug: str):
    event = visible_event(slug)
    g.event = event
    return render_template("core/event.html", event=event,
                           roles=services.roles_of(current_user, event))


@bp.route("/events/new", methods=["GET", "POST"])
@login_required
@admin_required
def new_event():
    form = NewEventForm()
    if form.validate_on_submit():
        try:
            event = services.create_event(current_user, form.slug.data, form.name.data,
                                          form.starts_on.data, form.ends_on.data,
                                          **_event_fields(form))
        except DomainError as error:
            form.slug.errors = [*form.slug.errors, error.message]
        else:
            flash(f"{event.name} created. You are its organiser.", "success")
            return redirect(url_for("core.manage", slug=event.slug))
    return render_template("core/event_form.html", form=form, creating=True), \
        400 if form.errors else 200


def _event_fields(form: EventForm) -> dict:
    themes = [t.strip() for t in (form.themes.data or "").splitlines() if t.strip()]
    return {"tagline": form.tagline.data or None, "description": form.description.data or None,
            "venue": form.venue.data or None, "city": form.city.data or None,
            "country": form.country.data or None, "time_zone": form.time_zone.data,
            "currency": form.currency.data, "status": form.status.data, "themes": themes,
            "website": form.website.data or None}


@bp.get("/events/<slug>/manage")
@organiser_required
def manage(event: Event):
    return render_template("core/manage.html", event=event,
                           people=services.event_roles(event),
                           figures=overview.figures(event),
                           audit=services.audit_log(event, limit=10))


@bp.route("/events/<slug>/manage/edit", methods=["GET", "POST"])
@organiser_required
def edit_event(event: Event):
    form = EventForm(obj=event)
    if request.method == "GET":
        form.themes.data = "\n".join(event.themes or [])
    if form.validate_on_submit():
        try:
            services.update_event(current_user, event, name=form.name.data,
                                  starts_on=form.starts_on.data, ends_on=form.ends_on.data,
                                  **_event_fields(form))
        except DomainError as error:
            form.form_errors.append(error.message)
        else:
            flash("Event saved.", "success")
            return redirect(url_for("core.manage", slug=event.slug))
    return render_template("core/event_form.html", form=form, event=event, creating=False), \
        400 if form.errors or form.form_errors else 200


@bp.route("/events/<slug>/manage/people", methods=["GET", "POST"])
@organiser_required
def people(event: Event):
    form = GrantRoleForm()
    if form.validate_on_submit():
        try:
            granted, created = services.grant_role(current_user, event, form.email.data,
                                                   form.role.data,
                                                   full_name=form.full_name.data or None)
        except DomainError as error:
            form.email.errors = [*form.email.errors, error.message]
        else:
            user = granted.user
            if created:
                token = services.password_reset_token(user)
                mail.send_template(user.email, f"You are invited to {event.name}", "invitation",
                                   user=user, event=event, role=granted.role,
                                   link=url_for("core.reset_password", token=token,
                                                _external=True))
            flash(f"{user.email} is now {granted.role} of {event.name}"
                  f"{' (invitation e-mailed)' if created else ''}.", "success")
            return redirect(url_for("core.people", slug=event.slug))
    return render_template("core/people.html", event=event, form=form,
                           people=services.event_roles(event)), 400 if form.errors else 200


@bp.post("/events/<slug>/manage/people/<int:role_id>/revoke")
@organiser_required
def revoke_role(event: Event, role_id: int):
    services.revoke_role(current_user, event, role_id)
    flash("Role removed.", "info")
    return redirect(url_for("core.people", slug=event.slug))


@bp.get("/events/<slug>/manage/audit")
@organiser_required
def audit(event: Event):
    return render_template("core/audit.html", event=event,
                           entries=services.audit_log(event, limit=1000))


@bp.get("/events/<slug>/home")
@event_role_required(*Role)
def my_event(event: Event):
    """A signed-in person's starting page for one event."""
    return redirect(url_for("core.event_page", slug=event.slug))
