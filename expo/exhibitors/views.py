"""Pages: floor-plan editor and exhibitor review (organisers), booth picking, team and
leads (exhibitors), directory, floor plan and contact consent (delegates)."""

from __future__ import annotations

from decimal import Decimal

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from ..core import services as core
from ..core.access import event_role_required, organiser_required, visible_event
from ..core.models import Event, Role
from ..errors import DomainError, NotFound
from ..registration.badges import badge_token
from ..templating import localtime
from . import files, services
from .forms import (
    AssignBoothForm,
    BoothForm,
    ExhibitorForm,
    HallEditForm,
    HallForm,
    InviteStaffForm,
    LeadForm,
    MarkPaidForm,
    PackageForm,
    ReviewForm,
    ScanCodeForm,
)
from .models import (
    FOLLOW_UP_LABELS,
    KIND_LABELS,
    BoothStatus,
    ExhibitorStatus,
    OrderStatus,
    PaymentMethod,
)

bp = Blueprint("exhibitors", __name__, template_folder="templates", static_folder="static",
               static_url_path="/exhibitors-static")


def _cm(metres: Decimal | None) -> int:
    return int((metres or Decimal(0)) * 100)


def _minor(amount: Decimal | None) -> int:
    return int((amount or Decimal(0)) * 100)


def _status(form) -> int:
    return 400 if form.errors or getattr(form, "form_errors", None) else 200


def _export(header: list[str], rows: list[list], name: str, fmt: str) -> Response:
    if fmt == "csv":
        return Response(files.to_csv(header, rows), mimetype="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})
    if fmt == "xlsx":
        return Response(files.to_xlsx(header, rows, name),
                        mimetype="application/vnd.openxmlformats-officedocument."
                                 "spreadsheetml.sheet",
                        headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'})
    abort(404)


def _current_hall(event: Event):
    halls = services.halls(event)
    hall_id = request.args.get("hall", type=int)
    hall = next((h for h in halls if h.id == hall_id), halls[0] if halls else None)
    if hall_id and (hall is None or hall.id != hall_id):
        raise NotFound("No such hall in this event.", code="hall_not_found")
    return halls, hall


def _matches(booths, q: str | None) -> set[int]:
    if not q or not q.strip():
        return set()
    needle = q.strip().lower()
    return {b.id for b in booths
            if needle in b.code.lower()
            or (b.exhibitor is not None and b.status == BoothStatus.SOLD
                and needle in b.exhibitor.name.lower())}


def _find_hall_for(event: Event, halls, hall, q: str | None):
    """A search jumps to the hall holding the first match."""
    if not q or request.args.get("hall"):
        return hall
    for candidate in halls:
        if _matches(services.hall_booths(candidate), q):
            return candidate
    return hall


def _plan_state(event: Event):
    """What a floor-plan page draws: halls, the hall shown (a search or a chosen booth
    picks it), the search text, the chosen booth and the hall's booths."""
    services.expire_holds(event)
    halls, hall = _current_hall(event)
    q = request.args.get("q")
    hall = _find_hall_for(event, halls, hall, q)
    selected = None
    booth_id = request.args.get("booth", type=int)
    if booth_id:
        selected = services.booth_in(event, booth_id)
        hall = selected.hall
    return halls, hall, q, selected, services.hall_booths(hall) if hall else []


# ---------------------------------------------------------------- organisers: floor plan


def _booth_form(event: Event, booth=None, hall=None) -> BoothForm:
    form = BoothForm(obj=None)
    form.hall.choices = [SelectChoice(h.id, h.name) for h in services.halls(event)]
    form.package.choices = [SelectChoice(0, "No package (no staff badges)")] + [
        SelectChoice(p.id, f"{p.name} — {p.staff_badges} staff badges")
        for p in services.packages(event)]
    if request.method == "GET":
        if booth is not None:
            form.hall.data = booth.hall_id
            form.code.data = booth.code
            form.x_m.data = Decimal(booth.x_cm) / 100
            form.y_m.data = Decimal(booth.y_cm) / 100
            form.width_m.data = Decimal(booth.width_cm) / 100
            form.depth_m.data = Decimal(booth.depth_cm) / 100
            form.kind.data = booth.kind
            form.price.data = Decimal(booth.price_minor) / 100
            form.package.data = booth.package_id or 0
            form.blocked.data = booth.status == BoothStatus.BLOCKED
            form.note.data = booth.note
        elif hall is not None:
            form.hall.data = hall.id
            form.width_m.data = Decimal(3)
            form.depth_m.data = Decimal(3)
    return form


def _save_booth_from(form: BoothForm, event: Event, booth=None):
    hall = services.hall_in(event, form.hall.data)
    return services.save_booth(
        current_user, event, hall, booth=booth, code=form.code.data,
        x_cm=_cm(form.x_m.data), y_cm=_cm(form.y_m.data), width_cm=_cm(form.width_m.data),
        depth_cm=_cm(form.depth_m.data), kind=form.kind.data, price_minor=_minor(form.price.data),
        package_id=form.package.data or None, blocked=form.blocked.data, note=form.note.data)


def _booth_error(form: BoothForm, error: DomainError) -> None:
    if error.code in ("booth_code_taken", "booth_code_invalid"):
        form.code.errors = [*form.code.errors, error.message]
    elif error.code in ("booth_overlap", "booth_outside_hall", "booth_size_invalid"):
        for problem in error.details or [{"message": error.message}]:
            form.form_errors.append(problem["message"])
        form.x_m.errors = [*form.x_m.errors, "Move or resize the booth."]
    else:
        form.form_errors.append(error.message)


@bp.route("/events/<slug>/manage/floorplan", methods=["GET", "POST"])
@organiser_required
def manage_floorplan(event: Event):
    halls, hall = _current_hall(event)
    hall_form = HallForm(prefix="hall")
    package_form = PackageForm(prefix="package")
    form = request.form.get("form")
    if form == "hall" and hall_form.validate_on_submit():
        try:
            hall = services.save_hall(current_user, event, name=hall_form.name.data,
                                      width_cm=_cm(hall_form.width_m.data),
                                      depth_cm=_cm(hall_form.depth_m.data),
                                      position=hall_form.position.data or 0)
        except DomainError as error:
            hall_form.name.errors = [*hall_form.name.errors, error.message]
        else:
            flash(f"{hall.name} added ({hall.area_m2:g} m²).", "success")
            return redirect(url_for(".manage_floorplan", slug=event.slug, hall=hall.id))
    if form == "package" and package_form.validate_on_submit():
        try:
            package = services.save_package(current_user, event, name=package_form.name.data,
                                            staff_badges=package_form.staff_badges.data,
                                            description=package_form.description.data)
        except DomainError as error:
            package_form.name.errors = [*package_form.name.errors, error.message]
        else:
            flash(f"Package {package.name} added.", "success")
            return redirect(url_for(".manage_floorplan", slug=event.slug,
                                    hall=hall.id if hall else None))
    booths = services.hall_booths(hall) if hall else []
    status = 400 if hall_form.errors or package_form.errors else 200
    return render_template("exhibitors/manage_floorplan.html", event=event, halls=halls,
                           hall=hall, booths=booths, hall_form=hall_form,
                           package_form=package_form, packages=services.packages(event),
                           stats=services.floor_stats(event), kinds=KIND_LABELS,
                           problems=_plan_problems(hall),
                           booth_link=lambda b: url_for(".edit_booth", slug=event.slug,
                                                        booth_id=b.id)), status


def _plan_problems(hall):
    if hall is None:
        return []
    from . import layout

    return layout.plan_problems(hall.width_cm, hall.depth_cm, [
        layout.Rect(b.code, b.x_cm, b.y_cm, b.width_cm, b.depth_cm) for b in hall.booths])


@bp.route("/events/<slug>/manage/halls/<int:hall_id>", methods=["GET", "POST"])
@organiser_required
def edit_hall(event: Event, hall_id: int):
    hall = services.hall_in(event, hall_id)
    form = HallEditForm(obj=hall)
    if request.method == "GET":
        form.width_m.data = Decimal(hall.width_cm) / 100
        form.depth_m.data = Decimal(hall.depth_cm) / 100
    if form.validate_on_submit():
        upload = form.background.data
        try:
            if upload is not None and getattr(upload, "filename", ""):
                services.set_hall_background(current_user, event, hall, upload.read())
            elif form.remove_background.data:
                services.set_hall_background(current_user, event, hall, None)
            services.save_hall(current_user, event, hall=hall, name=form.name.data,
                               width_cm=_cm(form.width_m.data), depth_cm=_cm(form.depth_m.data),
                               position=form.position.data or 0)
        except DomainError as error:
            if error.code.startswith("background"):
                form.background.errors = [*form.background.errors, error.message]
            else:
                form.form_errors.append(error.message)
        else:
            flash(f"{hall.name} saved.", "success")
            return redirect(url_for(".manage_floorplan", slug=event.slug, hall=hall.id))
    return render_template("exhibitors/hall_form.html", event=event, hall=hall,
                           form=form), _status(form)


@bp.post("/events/<slug>/manage/halls/<int:hall_id>/delete")
@organiser_required
def delete_hall(event: Event, hall_id: int):
    hall = services.hall_in(event, hall_id)
    name = hall.name
    services.delete_hall(current_user, event, hall)
    flash(f"{name} deleted with its booths.", "info")
    return redirect(url_for(".manage_floorplan", slug=event.slug))


@bp.route("/events/<slug>/manage/booths/new", methods=["GET", "POST"])
@organiser_required
def new_booth(event: Event):
    hall = services.hall_in(event, request.args.get("hall", type=int) or 0) \
        if request.args.get("hall") else (services.halls(event) or [None])[0]
    if hall is None:
        flash("Add a hall first.", "warning")
        return redirect(url_for(".manage_floorplan", slug=event.slug))
    form = _booth_form(event, hall=hall)
    if form.validate_on_submit():
        try:
            booth = _save_booth_from(form, event)
        except DomainError as error:
            _booth_error(form, error)
        else:
            flash(f"Booth {booth.code} added to {booth.hall.name}.", "success")
            return redirect(url_for(".manage_floorplan", slug=event.slug, hall=booth.hall_id))
    return render_template("exhibitors/booth_form.html", event=event, form=form, booth=None,
                           hall=hall), _status(form)


@bp.route("/events/<slug>/manage/booths/<int:booth_id>", methods=["GET", "POST"])
@organiser_required
def edit_booth(event: Event, booth_id: int):
    booth = services.booth_in(event, booth_id)
    form = _booth_form(event, booth=booth)
    if form.validate_on_submit():
        try:
            _save_booth_from(form, event, booth)
        except DomainError as error:
            _booth_error(form, error)
        else:
            flash(f"Booth {booth.code} saved.", "success")
            return redirect(url_for(".manage_floorplan", slug=event.slug, hall=booth.hall_id))
    return render_template("exhibitors/booth_form.html", event=event, form=form, booth=booth,
                           hall=booth.hall), _status(form)


@bp.post("/events/<slug>/manage/booths/<int:booth_id>/delete")
@organiser_required
def delete_booth(event: Event, booth_id: int):
    booth = services.booth_in(event, booth_id)
    hall_id, code = booth.hall_id, booth.code
    services.delete_booth(current_user, event, booth)
    flash(f"Booth {code} deleted.", "info")
    return redirect(url_for(".manage_floorplan", slug=event.slug, hall=hall_id))


@bp.post("/events/<slug>/manage/booths/<int:booth_id>/release")
@organiser_required
def release_booth(event: Event, booth_id: int):
    booth = services.booth_in(event, booth_id)
    services.release_booth(current_user, event, booth)
    flash(f"Booth {booth.code} is free again.", "info")
    return redirect(request.form.get("next") or url_for(".manage_floorplan", slug=event.slug,
                                                        hall=booth.hall_id))


# ---------------------------------------------------------------- organisers: exhibitors


@bp.get("/events/<slug>/manage/exhibitors")
@organiser_required
def manage_exhibitors(event: Event):
    services.expire_holds(event)
    status = request.args.get("status") or None
    return render_template("exhibitors/manage_exhibitors.html", event=event,
                           exhibitors=services.exhibitors(event, status=status), status=status,
                           all_exhibitors=services.exhibitors(event),
                           pending_orders=services.orders(event, status=OrderStatus.PENDING),
                           attention=services.payments_needing_attention(event),
                           stats=services.floor_stats(event))


@bp.get("/events/<slug>/manage/exhibitors/export.<fmt>")
@organiser_required
def export_exhibitors(event: Event, fmt: str):
    return _export(services.EXHIBITOR_HEADER, services.exhibitor_rows(event),
                   f"{event.slug}-exhibitors", fmt)


@bp.route("/events/<slug>/manage/exhibitors/<int:exhibitor_id>", methods=["GET", "POST"])
@organiser_required
def review_exhibitor(event: Event, exhibitor_id: int):
    exhibitor = services.exhibitor_in(event, exhibitor_id)
    review = ReviewForm(prefix="review")
    assign = AssignBoothForm(prefix="assign")
    free = services.booths(event, status=BoothStatus.AVAILABLE)
    assign.booth.choices = [SelectChoice(b.id, f"{b.code} · {b.hall.name} · {b.area_m2:g} m² · "
                                               f"{b.kind.replace('_', ' ')}") for b in free]
    form = request.form.get("form")
    try:
        if form == "review" and review.validate_on_submit():
            services.review(current_user, event, exhibitor, review.decision.data,
                            review.note.data)
            flash(f"{exhibitor.name} {exhibitor.status}.", "success")
            return redirect(url_for(".review_exhibitor", slug=event.slug,
                                    exhibitor_id=exhibitor.id))
        if form == "assign" and assign.validate_on_submit():
            booth = services.booth_in(event, assign.booth.data)
            moving = request.form.get("from", type=int)
            if moving:
                services.move_booth(current_user, event, services.booth_in(event, moving), booth)
                flash(f"{exhibitor.name} moved to booth {booth.code}.", "success")
            else:
                services.assign_booth(current_user, event, exhibitor, booth)
                flash(f"Booth {booth.code} assigned to {exhibitor.name}.", "success")
            return redirect(url_for(".review_exhibitor", slug=event.slug,
                                    exhibitor_id=exhibitor.id))
    except DomainError as error:
        flash(error.message, "danger")
        status = 409
    else:
        status = 400 if review.errors or assign.errors else 200
    return render_template("exhibitors/review.html", event=event, exhibitor=exhibitor,
                           review=review, assign=assign, free=free,
                           orders=services.orders(event, exhibitor=exhibitor),
                           team=services.team(exhibitor), paid_form=MarkPaidForm()), status


@bp.post("/events/<slug>/manage/orders/<int:order_id>/paid")
@organiser_required
def mark_paid(event: Event, order_id: int):
    order = services.order_in(event, order_id)
    form = MarkPaidForm()
    services.mark_booth_paid(current_user, event, order, form.note.data)
    flash(f"Order {order.reference} paid: booth {order.booth.code} is sold to "
          f"{order.exhibitor.name}.", "success")
    return redirect(request.form.get("next") or url_for(".manage_exhibitors", slug=event.slug))


@bp.post("/events/<slug>/manage/orders/<int:order_id>/cancel")
@organiser_required
def cancel_order(event: Event, order_id: int):
    order = services.order_in(event, order_id)
    services.cancel_booth_order(current_user, event, order)
    flash(f"Order {order.reference} cancelled; booth {order.booth.code} is free.", "info")
    return redirect(request.form.get("next") or url_for(".manage_exhibitors", slug=event.slug))


# ---------------------------------------------------------------- exhibitors


def _profile_form(event: Event, exhibitor=None) -> ExhibitorForm:
    form = ExhibitorForm(obj=exhibitor)
    form.sectors.choices = [SelectChoice(s, s) for s in services.SECTORS]
    form.pillars.choices = [SelectChoice(p, p) for p in event.themes or []]
    if request.method == "GET" and exhibitor is None:
        form.contact_email.data = current_user.email
        form.country.data = current_user.country
        form.name.data = current_user.organisation
    return form


def _profile_fields(form: ExhibitorForm) -> dict:
    return {"name": form.name.data, "description": form.description.data,
            "website": form.website.data, "country": form.country.data,
            "contact_email": form.contact_email.data, "sectors": form.sectors.data,
            "pillars": form.pillars.data}


def _logo_bytes(form: ExhibitorForm) -> bytes | None:
    upload = form.logo.data
    if upload is None or not getattr(upload, "filename", ""):
        return None
    return upload.read()


def _profile_error(form: ExhibitorForm, error: DomainError) -> None:
    if error.code.startswith("logo_"):
        form.logo.errors = [*form.logo.errors, error.message]
    elif error.code.startswith("exhibitor_name"):
        form.name.errors = [*form.name.errors, error.message]
    elif error.code == "website_invalid":
        form.website.errors = [*form.website.errors, error.message]
    elif error.code == "email_invalid":
        form.contact_email.errors = [*form.contact_email.errors, error.message]
    else:
        form.form_errors.append(error.message)


@bp.get("/events/<slug>/exhibit")
@login_required
def dashboard(slug: str):
    event = visible_event(slug)
    g.event = event
    member = services.membership(event, current_user)
    if member is None:
        return redirect(url_for(".apply", slug=event.slug))
    exhibitor = member.exhibitor
    services.expire_holds(event)
    return render_template("exhibitors/dashboard.html", event=event, member=member,
                           exhibitor=exhibitor,
                           orders=services.orders(event, exhibitor=exhibitor),
                           team=services.team(exhibitor),
                           lead_count=len(services.leads(exhibitor)))


@bp.route("/events/<slug>/exhibit/apply", methods=["GET", "POST"])
@login_required
def apply(slug: str):
    event = visible_event(slug)
    g.event = event
    if services.membership(event, current_user) is not None:
        return redirect(url_for(".edit_profile", slug=event.slug))
    form = _profile_form(event)
    if form.validate_on_submit():
        try:
            exhibitor = services.apply(current_user, event, _profile_fields(form),
                                       _logo_bytes(form))
        except DomainError as error:
            _profile_error(form, error)
        else:
            flash(f"Thank you: the organisers will review {exhibitor.name}'s application.",
                  "success")
            return redirect(url_for(".dashboard", slug=event.slug))
    return render_template("exhibitors/profile_form.html", event=event, form=form,
                           exhibitor=None), _status(form)


@bp.route("/events/<slug>/exhibit/profile", methods=["GET", "POST"])
@event_role_required(Role.EXHIBITOR)
def edit_profile(event: Event):
    member = services.require_member(event, current_user, manager=True)
    exhibitor = member.exhibitor
    form = _profile_form(event, exhibitor)
    if form.validate_on_submit():
        try:
            services.update_profile(current_user, event, exhibitor, _profile_fields(form),
                                    _logo_bytes(form))
        except DomainError as error:
            _profile_error(form, error)
        else:
            flash("Profile saved.", "success")
            return redirect(url_for(".dashboard", slug=event.slug))
    return render_template("exhibitors/profile_form.html", event=event, form=form,
                           exhibitor=exhibitor), _status(form)


@bp.get("/events/<slug>/exhibit/booth")
@event_role_required(Role.EXHIBITOR)
def pick_booth(event: Event):
    member = services.require_member(event, current_user)
    exhibitor = member.exhibitor
    halls, hall, q, selected, booths = _plan_state(event)
    return render_template("exhibitors/pick_booth.html", event=event, exhibitor=exhibitor,
                           member=member, halls=halls, hall=hall,
                           booths=booths, selected=selected, q=q,
                           highlight=_matches(booths, q),
                           open_orders=services.orders(event, exhibitor=exhibitor,
                                                       status=OrderStatus.PENDING),
                           stats=services.floor_stats(event),
                           hold_hours=services.hold_hours(),
                           card=PaymentMethod.STRIPE in services.payment_methods(),
                           card_minutes=services.card_hold_minutes(event),
                           booth_link=lambda b: url_for(".pick_booth", slug=event.slug,
                                                        booth=b.id, q=q or None))


@bp.post("/events/<slug>/exhibit/booth/<int:booth_id>/hold")
@event_role_required(Role.EXHIBITOR)
def hold_booth(event: Event, booth_id: int):
    member = services.require_member(event, current_user, manager=True)
    booth = services.booth_in(event, booth_id)
    try:
        order = services.start_booth_payment(current_user, event, member.exhibitor, booth,
                                             request.form.get("method") or None)
    except DomainError as error:
        flash(error.message, "danger")
        return redirect(url_for(".pick_booth", slug=event.slug, booth=booth.id))
    if order.method == PaymentMethod.STRIPE:
        return _to_checkout(event, order)
    flash(f"Booth {booth.code} is held for you until {localtime(order.hold_expires_at)}: "
          f"pay invoice {order.reference} by bank transfer to confirm it.", "success")
    return redirect(url_for(".invoice", slug=event.slug, order_id=order.id))


def _to_checkout(event: Event, order):
    """Off to Stripe Checkout; if Stripe cannot be reached the booth stays held."""
    try:
        url = services.booth_checkout_url(current_user, event, order)
    except DomainError as error:
        flash(error.message, "danger")
        return redirect(url_for(".invoice", slug=event.slug, order_id=order.id))
    return redirect(url, code=303)


@bp.post("/events/<slug>/exhibit/orders/<int:order_id>/pay")
@event_role_required(Role.EXHIBITOR)
def pay_order(event: Event, order_id: int):
    member = services.require_member(event, current_user, manager=True)
    order = services.order_in(event, order_id)
    if order.exhibitor_id != member.exhibitor_id:
        raise NotFound("No such booth order in this event.", code="order_not_found")
    return _to_checkout(event, order)


@bp.get("/events/<slug>/exhibit/orders/<int:order_id>")
@event_role_required(Role.EXHIBITOR, Role.ORGANISER)
def invoice(event: Event, order_id: int):
    order = services.order_in(event, order_id)
    member = services.membership(event, current_user)
    is_organiser = core.has_role(current_user, event, Role.ORGANISER)
    if not is_organiser and (member is None or member.exhibitor_id != order.exhibitor_id):
        raise NotFound("No such booth order in this event.", code="order_not_found")
    return render_template("exhibitors/invoice.html", event=event, order=order,
                           exhibitor=order.exhibitor, is_organiser=is_organiser,
                           is_manager=member is not None and member.role == "manager"
                           and member.exhibitor_id == order.exhibitor_id,
                           returned_paid=request.args.get("paid") == "1",
                           returned_cancelled=request.args.get("cancelled") == "1")


@bp.post("/events/<slug>/exhibit/orders/<int:order_id>/cancel")
@event_role_required(Role.EXHIBITOR)
def cancel_my_order(event: Event, order_id: int):
    member = services.require_member(event, current_user, manager=True)
    order = services.order_in(event, order_id)
    if order.exhibitor_id != member.exhibitor_id:
        raise NotFound("No such booth order in this event.", code="order_not_found")
    services.cancel_booth_order(current_user, event, order)
    flash(f"Booth {order.booth.code} released.", "info")
    return redirect(url_for(".dashboard", slug=event.slug))


@bp.route("/events/<slug>/exhibit/team", methods=["GET", "POST"])
@event_role_required(Role.EXHIBITOR)
def team(event: Event):
    member = services.require_member(event, current_user)
    exhibitor = member.exhibitor
    form = InviteStaffForm()
    if request.method == "POST":
        services.require_member(event, current_user, manager=True)
    if form.validate_on_submit():
        try:
            staff, _created = services.invite_staff(current_user, event, exhibitor,
                                                   form.email.data, form.full_name.data)
        except DomainError as error:
            form.email.errors = [*form.email.errors, error.message]
        else:
            flash(f"{staff.full_name} joined the team; their badge is e-mailed.", "success")
            return redirect(url_for(".team", slug=event.slug))
    return render_template("exhibitors/team.html", event=event, exhibitor=exhibitor,
                           member=member, team=services.team(exhibitor), form=form), \
        _status(form)


@bp.post("/events/<slug>/exhibit/team/manager-badge")
@event_role_required(Role.EXHIBITOR)
def manager_badge(event: Event):
    member = services.require_member(event, current_user, manager=True)
    try:
        services.issue_manager_badge(current_user, event, member.exhibitor)
    except DomainError as error:
        flash(error.message, "danger")
    else:
        flash("Your exhibitor badge is ready and e-mailed to you.", "success")
    return redirect(url_for(".team", slug=event.slug))


@bp.post("/events/<slug>/exhibit/team/<int:staff_id>/remove")
@event_role_required(Role.EXHIBITOR)
def remove_staff(event: Event, staff_id: int):
    member = services.require_member(event, current_user, manager=True)
    services.remove_staff(current_user, event, member.exhibitor, staff_id)
    flash("Removed from the team; the badge no longer opens the doors.", "info")
    return redirect(url_for(".team", slug=event.slug))


@bp.get("/events/<slug>/exhibit/badge.pdf")
@event_role_required(Role.EXHIBITOR)
def my_badge_pdf(event: Event):
    member = services.require_member(event, current_user)
    registration = member.registration
    if registration is None:
        raise NotFound("You have no exhibitor badge yet.", code="badge_not_found")
    return Response(services.badge_pdf(event, registration, member.exhibitor),
                    mimetype="application/pdf",
                    headers={"Content-Disposition":
                             f'inline; filename="{event.slug}-badge-{registration.reference}.pdf"'})


@bp.get("/events/<slug>/exhibit/badge")
@event_role_required(Role.EXHIBITOR)
def my_badge(event: Event):
    member = services.require_member(event, current_user)
    registration = member.registration
    if registration is None:
        registrations = services.registrations_of(event, current_user)
        registration = registrations[0] if registrations else None
    token = badge_token(registration) if registration is not None else None
    qr_svg = None
    if token:
        import segno

        qr_svg = segno.make(token, error="m").svg_inline(scale=5, dark="#212529")
    return render_template("exhibitors/badge.html", event=event, member=member,
                           registration=registration, token=token, qr_svg=qr_svg)


# ---------------------------------------------------------------- leads


@bp.get("/events/<slug>/leads")
@event_role_required(Role.EXHIBITOR)
def leads(event: Event):
    member = services.require_member(event, current_user)
    q = request.args.get("q") or None
    follow_up = request.args.get("follow_up") or None
    found = services.leads(member.exhibitor, q=q, follow_up=follow_up)
    return render_template("exhibitors/leads.html", event=event, member=member,
                           exhibitor=member.exhibitor, leads=found, q=q, follow_up=follow_up,
                           labels=FOLLOW_UP_LABELS, form=ScanCodeForm(formdata=None))


@bp.route("/events/<slug>/leads/scan", methods=["GET", "POST"])
@event_role_required(Role.EXHIBITOR)
def scan_lead(event: Event):
    member = services.require_member(event, current_user)
    form = ScanCodeForm()
    if form.validate_on_submit():
        try:
            lead, created = services.record_lead(current_user, event, form.code.data,
                                                 notes=form.notes.data,
                                                 rating=form.rating.data or None)
        except DomainError as error:
            form.code.errors = [*form.code.errors, error.message]
        else:
            flash(f"{'New lead' if created else 'Lead updated'}: {lead.full_name}"
                  f"{' (' + lead.organisation + ')' if lead.organisation else ''}"
                  f"{'' if lead.has_contact else ' — no contact details shared'}.", "success")
            return redirect(url_for(".lead", slug=event.slug, lead_id=lead.id))
    return render_template("exhibitors/scan.html", event=event, member=member,
                           exhibitor=member.exhibitor, form=form), _status(form)


@bp.get("/events/<slug>/leads/export.<fmt>")
@event_role_required(Role.EXHIBITOR)
def export_leads(event: Event, fmt: str):
    member = services.require_member(event, current_user)
    name = f"{event.slug}-leads-{member.exhibitor.id}"
    return _export(services.LEAD_HEADER, services.lead_rows(member.exhibitor), name, fmt)


@bp.route("/events/<slug>/leads/<int:lead_id>", methods=["GET", "POST"])
@event_role_required(Role.EXHIBITOR)
def lead(event: Event, lead_id: int):
    member = services.require_member(event, current_user)
    lead = services.lead_of(member.exhibitor, lead_id)
    form = LeadForm(obj=lead)
    if request.method == "GET":
        form.tags.data = ", ".join(lead.tags or [])
        form.rating.data = "" if lead.rating is None else str(lead.rating)
    if form.validate_on_submit():
        try:
            services.update_lead(current_user, event, lead, notes=form.notes.data,
                                 rating=form.rating.data or None, tags=form.tags.data,
                                 follow_up=form.follow_up.data)
        except DomainError as error:
            form.form_errors.append(error.message)
        else:
            flash("Lead saved.", "success")
            return redirect(url_for(".leads", slug=event.slug))
    return render_template("exhibitors/lead.html", event=event, member=member, lead=lead,
                           form=form, labels=FOLLOW_UP_LABELS), _status(form)


# ---------------------------------------------------------------- delegates and the public


@bp.get("/events/<slug>/exhibitors")
def directory(slug: str):
    event = visible_event(slug)
    g.event = event
    args = {k: (request.args.get(k) or None) for k in ("q", "pillar", "sector", "country")}
    found = services.directory(event, **args)
    return render_template("exhibitors/directory.html", event=event, exhibitors=found,
                           facets=services.directory_facets(event), args=args)


@bp.get("/events/<slug>/exhibitors/<int:exhibitor_id>")
def exhibitor_page(slug: str, exhibitor_id: int):
    event = visible_event(slug)
    g.event = event
    exhibitor = services.exhibitor_in(event, exhibitor_id)
    organiser = core.has_role(current_user, event, Role.ORGANISER)
    if exhibitor.status != ExhibitorStatus.APPROVED and not organiser:
        member = services.membership(event, current_user)
        if member is None or member.exhibitor_id != exhibitor.id:
            raise NotFound("No such exhibitor in this event.", code="exhibitor_not_found")
    return render_template("exhibitors/exhibitor.html", event=event, exhibitor=exhibitor)


@bp.get("/events/<slug>/exhibitors/<int:exhibitor_id>/logo")
def logo(slug: str, exhibitor_id: int):
    event = visible_event(slug)
    exhibitor = services.exhibitor_in(event, exhibitor_id)
    path = services.logo_file(exhibitor)
    if path is None:
        raise NotFound("This exhibitor has no logo.", code="logo_not_found")
    response = send_file(path, max_age=3600)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'"
    return response


@bp.get("/events/<slug>/halls/<int:hall_id>/background")
def hall_background(slug: str, hall_id: int):
    event = visible_event(slug)
    path = services.hall_background_file(services.hall_in(event, hall_id))
    if path is None:
        raise NotFound("This hall has no background drawing.", code="background_not_found")
    response = send_file(path, max_age=3600)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'"
    return response


@bp.get("/events/<slug>/floorplan")
def floorplan(slug: str):
    event = visible_event(slug)
    g.event = event
    halls, hall, q, selected, booths = _plan_state(event)
    highlight = _matches(booths, q)
    return render_template("exhibitors/floorplan.html", event=event, halls=halls, hall=hall,
                           booths=booths, q=q, highlight=highlight, selected=selected,
                           matched=[b for b in booths if b.id in highlight],
                           booth_link=lambda b: url_for(".floorplan", slug=event.slug,
                                                        booth=b.id, q=q or None))


@bp.route("/events/<slug>/privacy", methods=["GET", "POST"])
@login_required
def privacy(slug: str):
    event = visible_event(slug)
    g.event = event
    registrations = services.registrations_of(event, current_user)
    if request.method == "POST":
        registration_id = request.form.get("registration", type=int) or 0
        action = request.form.get("action")
        if action == "withdraw":
            exhibitor_id = request.form.get("exhibitor", type=int) or 0
            stripped = services.withdraw_from(current_user, event, registration_id,
                                              exhibitor_id)
            flash("Done: that exhibitor no longer holds your contact details"
                  f"{'' if stripped else ' (it held none)'}.", "success")
        else:
            share = action == "share"
            stripped = services.set_contact_sharing(current_user, event, registration_id,
                                                    share)
            flash("Exhibitors who scan your badge will now receive your e-mail, phone and "
                  "job title." if share else
                  "Exhibitors will receive only your name, organisation and country"
                  + (f"; your contact details were removed from {stripped} exhibitor "
                     f"lead{'s' if stripped != 1 else ''}." if stripped else "."), "success")
        return redirect(url_for(".privacy", slug=event.slug))
    return render_template("exhibitors/privacy.html", event=event, registrations=[
        (r, services.leads_about(r)) for r in registrations])
