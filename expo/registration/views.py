"""Pages: registering, "my registration", the Stripe webhook and the organiser's pages."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from decimal import Decimal

import segno
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
    send_file,
    session,
    url_for,
)
from flask_login import current_user

from ..core.access import organiser_required, visible_event
from ..core.models import Event
from ..errors import DomainError, problem
from ..extensions import csrf, db
from ..timeutil import to_local
from ..webutil import safe_next
from . import exports, payments, rules, services
from .badges import badge_token
from .forms import (
    AttendeeForm,
    EditDetailsForm,
    ImportForm,
    PassTypeForm,
    QuestionForm,
    SettingsForm,
    VoucherForm,
    WaitingListForm,
)
from .models import HOLDING, BadgeJob, Order, PassType, Registration, RegistrationStatus, Visibility

bp = Blueprint("registration", __name__, template_folder="templates")


def _local_to_utc(value: datetime | None, event: Event) -> datetime | None:
    from zoneinfo import ZoneInfo

    if value is None:
        return None
    return value.replace(tzinfo=ZoneInfo(event.time_zone))


def _to_form_local(value: datetime | None, event: Event) -> datetime | None:
    return to_local(value, event.time_zone).replace(tzinfo=None) if value else None


def _sen(text: str) -> int:
    return int((Decimal(text) * 100).to_integral_value())


# ---------------------------------------------------------------- registering


def _offered_passes(event: Event) -> list[PassType]:
    wanted = request.args.get("pass")
    invite = request.args.get("invite")
    found = []
    for pt in services.pass_types(event):
        if pt.visibility == Visibility.PUBLIC or (wanted and pt.code == wanted and (
                pt.visibility == Visibility.HIDDEN or (invite and invite == pt.invite_code))):
            found.append(pt)
    return found


@bp.get("/events/<slug>/register")
def choose_pass(slug: str):
    event = g.event = visible_event(slug)
    mine = services.registrations_of(current_user, event) if current_user.is_authenticated \
        else []
    active = next((r for r in mine if r.status in HOLDING), None)
    return render_template("registration/choose.html", event=event,
                           passes=_offered_passes(event), active=active,
                           invite=request.args.get("invite"))


def _answers_from_form(event: Event, pass_type: PassType) -> dict:
    answers: dict[str, object] = {}
    for q in services.questions_for(event, pass_type.id):
        key = f"q_{q.id}"
        answers[str(q.id)] = request.form.getlist(key) if q.kind == "multiple" \
            else request.form.get(key, "")
    return answers


@bp.route("/events/<slug>/register/<code>", methods=["GET", "POST"])
def register(slug: str, code: str):
    event = g.event = visible_event(slug)
    pass_type = services.pass_type_by_code(event, code)
    invite = request.values.get("invite")
    if pass_type.visibility == Visibility.INVITE and invite != pass_type.invite_code:
        abort(404)
    form = AttendeeForm()
    if request.method == "GET" and current_user.is_authenticated:
        form.full_name.data = current_user.full_name
        form.email.data = current_user.email
        form.organisation.data = current_user.organisation
        form.job_title.data = current_user.job_title
        form.country.data = current_user.country
    answer_errors: dict = {}
    sold_out = False
    if form.validate_on_submit():
        try:
            person = services.Person(form.email.data, form.full_name.data, form.organisation.data,
                                     form.job_title.data, form.country.data, form.phone.data)
            reg = services.register(
                event, pass_type, person, answers=_answers_from_form(event, pass_type),
                voucher_code=form.voucher.data or None, invite_code=invite,
                user=current_user if current_user.is_authenticated else None,
                share_contact=form.share_contact.data)
        except DomainError as error:
            details = error.details if isinstance(error.details, dict) else {}
            if error.code == "answers_invalid":
                answer_errors = details
            elif "voucher" in details:
                form.voucher.errors = [error.message]
            elif error.code in ("email_invalid", "already_registered"):
                form.email.errors = [error.message]
            else:
                form.form_errors.append(error.message)
            sold_out = error.code == "sold_out"
        else:
            session[f"reg-{event.id}"] = services.access_key(reg)
            if reg.status == RegistrationStatus.AWAITING_PAYMENT and reg.order and \
                    reg.order.method == "stripe":
                try:
                    return redirect(payments.start_checkout(reg.order), code=303)
                except DomainError as error:
                    flash(error.message, "warning")
            flash({RegistrationStatus.CONFIRMED: "You are registered. Your badge is attached "
                   "to the confirmation e-mail and below.",
                   RegistrationStatus.AWAITING_APPROVAL: "Thank you. The organisers will review "
                   "your registration; you will get an e-mail.",
                   RegistrationStatus.AWAITING_PAYMENT: "Your place is reserved. Pay by bank "
                   "transfer with the details below."}[reg.status], "success")
            return redirect(url_for("registration.mine_by_key", slug=event.slug,
                                    key=services.access_key(reg)))
    status = 400 if (form.errors or form.form_errors or answer_errors) else 200
    if sold_out:
        status = 409
    waiting = WaitingListForm(formdata=None, full_name=form.full_name.data,
                              email=form.email.data, organisation=form.organisation.data)
    return render_template("registration/register.html", event=event, pass_type=pass_type,
                           form=form, questions=services.questions_for(event, pass_type.id),
                           answer_errors=answer_errors, invite=invite, sold_out=sold_out,
                           waiting=waiting), status


@bp.route("/events/<slug>/register/<code>/delegation", methods=["GET", "POST"])
def register_delegation(slug: str, code: str):
    """A head of delegation registers several people in one order."""
    event = g.event = visible_event(slug)
    pass_type = services.pass_type_by_code(event, code)
    invite = request.values.get("invite")
    if pass_type.visibility == Visibility.INVITE and invite != pass_type.invite_code:
        abort(404)
    rows, row_errors, errors, answer_errors = [], {}, [], {}
    name = request.form.get("delegation_name", "").strip()
    country = request.form.get("delegation_country", "").strip()
    if request.method == "POST":
        fields = ("full_name", "email", "role", "organisation")
        columns = [request.form.getlist(f) for f in fields]
        for values in zip(*columns, strict=False):
            row = dict(zip(fields, (v.strip() for v in values), strict=True))
            if not any(row.values()):
                continue
            rows.append(row)
            try:
                services.Person(row["email"], row["full_name"], role=row["role"])
            except DomainError as error:
                row_errors[len(rows) - 1] = error.message
        if not name:
            errors.append("Give the delegation a name, e.g. “Viet Nam — Da Nang”.")
        if not rows:
            errors.append("Add at least one person.")
        if not errors and not row_errors:
            people = [services.Person(r["email"], r["full_name"], r["organisation"] or None,
                                      country=country or None, role=r["role"]) for r in rows]
            answers = _answers_from_form(event, pass_type)
            try:
                regs = services.register_group(
                    event, pass_type, people, invite_code=invite,
                    answers=[answers] * len(people),
                    user=current_user if current_user.is_authenticated else None,
                    delegation={"name": name, "country": country or None})
            except DomainError as error:
                if error.code == "answers_invalid":
                    answer_errors = error.details
                errors.append(error.message)
            else:
                head = regs[0]
                session[f"reg-{event.id}"] = services.access_key(head)
                if head.status == RegistrationStatus.AWAITING_PAYMENT and head.order and \
                        head.order.method == "stripe":
                    try:
                        return redirect(payments.start_checkout(head.order), code=303)
                    except DomainError as error:
                        flash(error.message, "warning")
                flash(f"Delegation “{name}” registered: {len(regs)} people, each with their own "
                      "badge and e-mail.", "success")
                return redirect(url_for("registration.mine_by_key", slug=slug,
                                        key=services.access_key(head)))
    if not rows:
        rows = [{"full_name": "", "email": "", "role": "Head of delegation",
                 "organisation": ""}] + [{"full_name": "", "email": "", "role": "",
                                          "organisation": ""} for _ in range(3)]
    status = 400 if (errors or row_errors) else 200
    return render_template("registration/delegation.html", event=event, pass_type=pass_type,
                           rows=rows, row_errors=row_errors, errors=errors, name=name,
                           country=country, invite=invite, answer_errors=answer_errors,
                           questions=services.questions_for(event, pass_type.id)), status


@bp.post("/events/<slug>/waiting-list/<code>")
def join_waiting_list(slug: str, code: str):
    event = g.event = visible_event(slug)
    pass_type = services.pass_type_by_code(event, code)
    form = WaitingListForm()
    if not form.validate_on_submit():
        flash("Give your name and a valid e-mail to join the waiting list.", "danger")
        return redirect(url_for("registration.register", slug=slug, code=code))
    try:
        entry = services.join_waiting_list(event, pass_type, services.Person(
            form.email.data, form.full_name.data, form.organisation.data))
    except DomainError as error:
        flash(error.message, "warning")
        return redirect(url_for("registration.register", slug=slug, code=code))
    if entry.status == "offered":
        flash("A place just became free: we e-mailed you an offer.", "success")
    else:
        flash(f"You are on the waiting list for {pass_type.name} (number "
              f"{services.waiting_position(entry)}). We will e-mail you when a place frees up.",
              "success")
    return redirect(url_for("registration.choose_pass", slug=slug))


@bp.route("/events/<slug>/offer/<token>", methods=["GET", "POST"])
def accept_offer(slug: str, token: str):
    event = g.event = visible_event(slug)
    entry = services.offer_by_token(event, token)
    error_message = None
    if request.method == "POST":
        try:
            reg = services.accept_offer(event, token,
                                        answers=_answers_from_form(event, entry.pass_type),
                                        user=current_user if current_user.is_authenticated
                                        else None)
        except DomainError as error:
            error_message = error.message
        else:
            flash("The place is yours.", "success")
            return redirect(url_for("registration.mine_by_key", slug=slug,
                                    key=services.access_key(reg)))
    return render_template("registration/offer.html", event=event, entry=entry,
                           questions=services.questions_for(event, entry.pass_type_id),
                           error_message=error_message)


# ---------------------------------------------------------------- my registration


@bp.get("/events/<slug>/my-registration")
def mine(slug: str):
    event = g.event = visible_event(slug)
    key = session.get(f"reg-{event.id}")
    if current_user.is_authenticated:
        regs = services.registrations_of(current_user, event)
        if regs:
            key = services.access_key(regs[0])
    if key:
        return redirect(url_for("registration.mine_by_key", slug=slug, key=key))
    flash("You have no registration for this event yet.", "info")
    return redirect(url_for("registration.choose_pass", slug=slug))


def _by_key(slug: str, key: str) -> tuple[Event, Registration]:
    event = g.event = visible_event(slug)
    return event, services.registration_for_key(event, key)


@bp.route("/events/<slug>/registration/<key>", methods=["GET", "POST"])
def mine_by_key(slug: str, key: str):
    event, reg = _by_key(slug, key)
    form = EditDetailsForm(obj=reg)
    if form.validate_on_submit():
        try:
            services.edit_registration(reg, current_user if current_user.is_authenticated
                                       else None, full_name=form.full_name.data,
                                       organisation=form.organisation.data or "",
                                       job_title=form.job_title.data or "",
                                       country=form.country.data or "",
                                       phone=form.phone.data or "")
        except DomainError as error:
            form.form_errors.append(error.message)
        else:
            flash("Your details are saved. Download your badge again to print the change.",
                  "success")
            return redirect(url_for("registration.mine_by_key", slug=slug, key=key))
    group = reg.delegation if reg.delegation and reg.delegation.head_email == reg.email else None
    qr_svg = None
    if reg.status == RegistrationStatus.CONFIRMED:
        qr_svg = segno.make(badge_token(reg), error="m").svg_inline(scale=4, border=4)
    return render_template("registration/mine.html", event=event, reg=reg, key=key, form=form,
                           can_edit=services.can_edit(reg),
                           settings=services.settings_for(event), group=group,
                           member_key=services.access_key, qr_svg=qr_svg,
                           stripe=services.stripe_configured()), 400 if form.errors else 200


@bp.post("/events/<slug>/registration/<key>/consent")
def consent_mine(slug: str, key: str):
    event, reg = _by_key(slug, key)
    share = request.form.get("share") == "1"
    try:
        erased = services.set_contact_sharing(
            reg, share, current_user if current_user.is_authenticated else None)
    except DomainError as error:
        flash(error.message, "danger")
    else:
        flash("Exhibitors who scan your badge will receive your e-mail, phone and job title."
              if share else "Exhibitors who scan your badge will receive only your name, "
              "organisation and country" + (f"; your contact details were erased from "
                                            f"{erased} exhibitor lead{'s' if erased != 1 else ''}."
                                            if erased else "."), "success")
    return redirect(url_for("registration.mine_by_key", slug=slug, key=key) + "#consent")


@bp.get("/events/<slug>/registration/<key>/badge.pdf")
def badge_pdf(slug: str, key: str):
    _event, reg = _by_key(slug, key)
    if reg.status != RegistrationStatus.CONFIRMED:
        abort(404)
    from .documents import badge_pdf_for

    return Response(badge_pdf_for(reg), mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="badge-{reg.reference}.pdf"'})


@bp.get("/events/<slug>/registration/<key>/receipt.pdf")
def receipt_pdf(slug: str, key: str):
    _event, reg = _by_key(slug, key)
    if reg.order is None or not reg.order.receipt_number:
        abort(404)
    from .documents import receipt_pdf_for

    return Response(receipt_pdf_for(reg.order), mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="receipt-{reg.order.reference}.pdf"'})


@bp.post("/events/<slug>/registration/<key>/pay")
def pay(slug: str, key: str):
    _event, reg = _by_key(slug, key)
    try:
        return redirect(payments.retry_checkout(reg), code=303)
    except DomainError as error:
        flash(error.message, "warning")
        return redirect(url_for("registration.mine_by_key", slug=slug, key=key))


@bp.post("/events/<slug>/registration/<key>/cancel")
def cancel_mine(slug: str, key: str):
    _event, reg = _by_key(slug, key)
    try:
        services.cancel(current_user if current_user.is_authenticated else None, reg)
    except DomainError as error:
        flash(error.message, "warning")
    else:
        flash("Your registration is cancelled and your place was released.", "info")
    return redirect(url_for("registration.mine_by_key", slug=slug, key=key))


# ---------------------------------------------------------------- Stripe webhook


@bp.post("/payments/stripe/webhook")
@csrf.exempt
def stripe_webhook():
    try:
        outcome = payments.handle_webhook(request.get_data(cache=False),
                                          request.headers.get("Stripe-Signature"))
    except DomainError as error:
        # Stripe is a machine: it always gets a JSON problem, never the HTML error page.
        db.session.rollback()
        return problem(error.status, error.code, error.message)
    return jsonify({"received": True, "outcome": outcome})


# ---------------------------------------------------------------- organiser: pass types


def _pass_fields(form: PassTypeForm, event: Event) -> dict:
    return {"code": form.code.data.strip(), "name": form.name.data.strip(),
            "description": form.description.data or None, "price_minor": _sen(form.price.data),
            "currency": form.currency.data, "capacity": form.capacity.data,
            "sales_start": _local_to_utc(form.sales_start.data, event),
            "sales_end": _local_to_utc(form.sales_end.data, event),
            "visibility": form.visibility.data, "requires_approval": form.requires_approval.data,
            "badge_colour": form.badge_colour.data,
            "zones": [z.strip().lower() for z in (form.zones.data or "").split(",")
                      if z.strip()]}


@bp.route("/events/<slug>/manage/passes", methods=["GET", "POST"])
@organiser_required
def passes(event: Event):
    form = PassTypeForm()
    if request.method == "GET":
        form.currency.data = event.currency
    if form.validate_on_submit():
        try:
            pt = services.create_pass_type(current_user, event, **_pass_fields(form, event))
        except DomainError as error:
            (form.code if "code" in error.code else form.price if "price" in error.code
             else form.sales_end if "sales" in error.code else form.name).errors = [error.message]
        else:
            flash(f"Pass type “{pt.name}” created.", "success")
            return redirect(url_for("registration.passes", slug=event.slug))
    return render_template("registration/passes.html", event=event, form=form,
                           passes=services.pass_types(event)), 400 if form.errors else 200


@bp.route("/events/<slug>/manage/passes/<int:pass_id>", methods=["GET", "POST"])
@organiser_required
def edit_pass(event: Event, pass_id: int):
    pt = services.pass_type_by_id(event, pass_id)
    form = PassTypeForm(obj=pt)
    if request.method == "GET":
        form.price.data = f"{pt.price_minor / 100:.2f}"
        form.zones.data = ", ".join(pt.zones or [])
        form.sales_start.data = _to_form_local(pt.sales_start, event)
        form.sales_end.data = _to_form_local(pt.sales_end, event)
    if form.validate_on_submit():
        fields = _pass_fields(form, event)
        fields.pop("code")
        try:
            services.update_pass_type(current_user, event, pt, **fields)
        except DomainError as error:
            form.capacity.errors = [error.message]
        else:
            flash(f"Pass type “{pt.name}” saved.", "success")
            return redirect(url_for("registration.passes", slug=event.slug))
    return render_template("registration/pass_edit.html", event=event, form=form, pt=pt), \
        400 if form.errors else 200


# ---------------------------------------------------------------- organiser: attendees


def _filters() -> dict:
    pass_id = request.args.get("pass_type", type=int)
    return {"status": request.args.get("status") or None, "pass_type_id": pass_id,
            "q": request.args.get("q") or None}


@bp.get("/events/<slug>/manage/registrations")
@organiser_required
def attendees(event: Event):
    filters = _filters()
    regs = list(db.session.scalars(services.registrations_query(event, **filters).limit(2000)))
    counts = exports.status_counts(event)
    return render_template("registration/attendees.html", event=event, regs=regs,
                           filters=filters, passes=services.pass_types(event), counts=counts,
                           statuses=list(RegistrationStatus),
                           attention=payments.orders_needing_attention(event),
                           invoices=payments.open_invoices(event))


@bp.get("/events/<slug>/manage/registrations/export.<fmt>")
@organiser_required
def export(event: Event, fmt: str):
    regs = list(db.session.scalars(services.registrations_query(event, **_filters())))
    if fmt == "csv":
        return Response(exports.to_csv(event, regs), mimetype="text/csv", headers={
            "Content-Disposition": f'attachment; filename="{event.slug}-registrations.csv"'})
    if fmt == "xlsx":
        return send_file(io.BytesIO(exports.to_xlsx(event, regs)), as_attachment=True,
                         download_name=f"{event.slug}-registrations.xlsx",
                         mimetype="application/vnd.openxmlformats-officedocument."
                                  "spreadsheetml.sheet")
    abort(404)


_ACTIONS = {
    "approve": lambda actor, reg: services.approve(actor, reg),
    "reject": lambda actor, reg: services.reject(actor, reg, request.form.get("note")),
    "cancel": lambda actor, reg: services.cancel(actor, reg, by_organiser=True),
    "refund": lambda actor, reg: payments.refund(actor, reg),
    "reissue": lambda actor, reg: services.reissue_badge(actor, reg),
}
_DONE = {"approve": "approved", "reject": "rejected", "cancel": "cancelled",
         "refund": "refunded and cancelled", "reissue": "given a new badge (the old QR is revoked)"}


@bp.post("/events/<slug>/manage/registrations/<int:reg_id>/<action>")
@organiser_required
def act(event: Event, reg_id: int, action: str):
    if action not in _ACTIONS:
        abort(404)
    reg = services.registration_by_id(event, reg_id)
    try:
        _ACTIONS[action](current_user, reg)
    except DomainError as error:
        flash(error.message, "warning")
    else:
        flash(f"{reg.full_name} {_DONE[action]}.", "success")
    # Only a local path: never a redirect to another site.
    return redirect(safe_next(request.form.get("next")) or url_for("registration.attendees",
                                                                   slug=event.slug))


@bp.post("/events/<slug>/manage/orders/<int:order_id>/mark-paid")
@organiser_required
def mark_paid(event: Event, order_id: int):
    order = db.session.get(Order, order_id)
    if order is None or order.event_id != event.id:
        abort(404)
    try:
        payments.mark_paid(current_user, order)
    except DomainError as error:
        flash(error.message, "warning")
    else:
        flash(f"Order {order.reference} marked paid; receipt and badge e-mailed.", "success")
    return redirect(url_for("registration.attendees", slug=event.slug))


@bp.get("/events/<slug>/manage/orders/<int:order_id>/receipt.pdf")
@organiser_required
def order_receipt(event: Event, order_id: int):
    order = db.session.get(Order, order_id)
    if order is None or order.event_id != event.id or not order.receipt_number:
        abort(404)
    from .documents import receipt_pdf_for

    return Response(receipt_pdf_for(order), mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="receipt-{order.reference}.pdf"'})


@bp.route("/events/<slug>/manage/registrations/import", methods=["GET", "POST"])
@organiser_required
def import_csv(event: Event):
    form = ImportForm()
    report = None
    if request.form.get("confirm") and request.form.get("data"):
        import base64

        data = base64.b64decode(request.form["data"])
        try:
            created = exports.import_delegates(current_user, event, data)
        except DomainError as error:
            flash(error.message, "danger")
        else:
            flash(f"{created} delegates imported and e-mailed.", "success")
            return redirect(url_for("registration.attendees", slug=event.slug))
    elif form.validate_on_submit():
        data = form.file.data.read()
        report = exports.preview_import(event, data)
        import base64

        encoded = base64.b64encode(data).decode()
        return render_template("registration/import.html", event=event, form=form,
                               report=report, data=encoded,
                               columns=rules.IMPORT_COLUMNS), 200 if report.ok else 422
    return render_template("registration/import.html", event=event, form=form, report=report,
                           columns=rules.IMPORT_COLUMNS)


@bp.get("/events/<slug>/manage/registrations/import-template.csv")
@organiser_required
def import_template(event: Event):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(rules.IMPORT_COLUMNS)
    first = next(iter(services.pass_types(event)), None)
    writer.writerow(["delegate@example.gov.my", "Aminah binti Yusof", "PLANMalaysia",
                     "Director", "Malaysia", first.code if first else "DELEGATE"])
    return Response(out.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": 'attachment; filename="delegates-template.csv"'})


# ---------------------------------------------------------------- organiser: set-up


@bp.route("/events/<slug>/manage/registration-setup", methods=["GET", "POST"])
@organiser_required
def setup(event: Event):
    settings = services.settings_for(event)
    form = SettingsForm(prefix="s", obj=settings)
    voucher_form = VoucherForm(prefix="v")
    question_form = QuestionForm(prefix="q")
    passes_ = services.pass_types(event)
    if request.method == "GET":
        form.tax_rate.data = f"{settings.tax_rate_bp / 100:g}"
        form.edit_cutoff.data = _to_form_local(settings.edit_cutoff, event)
    which = request.form.get("form")
    try:
        if which == "settings" and form.validate_on_submit():
            services.update_settings(
                current_user, event, tax_rate_bp=int(Decimal(form.tax_rate.data) * 100),
                tax_label=form.tax_label.data, hold_minutes=form.hold_minutes.data,
                invoice_days=form.invoice_days.data,
                offer_hours=form.offer_hours.data,
                edit_cutoff=_local_to_utc(form.edit_cutoff.data, event),
                seller_name=form.seller_name.data or None,
                seller_tax_id=form.seller_tax_id.data or None,
                bank_details=form.bank_details.data or None)
            flash("Registration settings saved.", "success")
            return redirect(url_for("registration.setup", slug=event.slug))
        if which == "voucher" and voucher_form.validate_on_submit():
            services.create_voucher(
                current_user, event, voucher_form.code.data, voucher_form.kind.data,
                voucher_form.value.data or 0, max_uses=voucher_form.max_uses.data,
                valid_from=_local_to_utc(voucher_form.valid_from.data, event),
                valid_until=_local_to_utc(voucher_form.valid_until.data, event),
                pass_type_ids=[int(x) for x in request.form.getlist("voucher_passes")])
            flash("Voucher created.", "success")
            return redirect(url_for("registration.setup", slug=event.slug))
        if which == "question" and question_form.validate_on_submit():
            services.create_question(
                current_user, event, question_form.label.data, question_form.kind.data,
                choices=(question_form.choices.data or "").splitlines(),
                required=question_form.required.data,
                pass_type_ids=[int(x) for x in request.form.getlist("question_passes")])
            flash("Question added.", "success")
            return redirect(url_for("registration.setup", slug=event.slug))
    except DomainError as error:
        target = {"settings": form, "voucher": voucher_form, "question": question_form}[which]
        target.form_errors.append(error.message)
    errors = form.errors or voucher_form.errors or question_form.errors or \
        form.form_errors or voucher_form.form_errors or question_form.form_errors
    return render_template("registration/setup.html", event=event, form=form,
                           voucher_form=voucher_form, question_form=question_form,
                           passes=passes_, vouchers=services.vouchers(event),
                           questions=services.questions_for(event),
                           waiting=services.waiting_list(event)), 400 if errors else 200


@bp.post("/events/<slug>/manage/questions/<int:question_id>/delete")
@organiser_required
def delete_question(event: Event, question_id: int):
    services.delete_question(current_user, event, question_id)
    flash("Question removed.", "info")
    return redirect(url_for("registration.setup", slug=event.slug))


# ---------------------------------------------------------------- organiser: badges


@bp.route("/events/<slug>/manage/badges", methods=["GET", "POST"])
@organiser_required
def badges(event: Event):
    from . import printing

    if request.method == "POST":
        sort = request.form.get("sort", "name")
        job = printing.start_batch(current_user, event, sort=sort if sort in ("name",
                                                                              "delegation")
                                   else "name")
        return redirect(url_for("registration.badges", slug=event.slug, job=job.id))
    job = None
    if request.args.get("job", type=int):
        job = printing.job_for(event, request.args.get("job", type=int))
    return render_template("registration/badges.html", event=event, job=job,
                           jobs=printing.recent_jobs(event),
                           confirmed=exports.status_counts(event).get("confirmed", 0))


@bp.get("/events/<slug>/manage/badges/jobs/<int:job_id>.json")
@organiser_required
def badge_job_status(event: Event, job_id: int):
    from . import printing

    job = printing.job_for(event, job_id)
    return jsonify({"id": job.id, "status": job.status, "done": job.done, "total": job.total,
                    "error": job.error,
                    "download": url_for("registration.badge_job_file", slug=event.slug,
                                        job_id=job.id) if job.status == "done" else None})


@bp.get("/events/<slug>/manage/badges/jobs/<int:job_id>.pdf")
@organiser_required
def badge_job_file(event: Event, job_id: int):
    from . import printing

    job = printing.job_for(event, job_id)
    if job.status != "done" or not job.path:
        abort(404)
    return send_file(job.path, mimetype="application/pdf", as_attachment=True,
                     download_name=f"{event.slug}-badges-{job.id}.pdf")


__all__ = ["bp", "BadgeJob"]
