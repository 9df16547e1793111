"""Pages: gates and devices for organisers, the scanner for staff, the live dashboard."""

from __future__ import annotations

import io

import segno
from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from ..core.access import event_role_required, organiser_required, visible_event
from ..core.models import Event, Role
from ..errors import DomainError
from . import dashboard as board
from . import rules, services
from .forms import AssignStaffForm, DeviceForm, GateForm

bp = Blueprint("checkin", __name__, template_folder="templates")


def _gate_form(event: Event, gate=None) -> GateForm:
    form = GateForm(obj=gate)
    form.admitted.choices = [SelectChoice(p.id, p.name) for p in services.pass_types(event)]
    if gate is not None and request.method == "GET":
        form.zone_code.data, form.zone_name.data = gate.zone.code, gate.zone.name
        form.hours.data = services.hours_as_text(gate)
        form.admitted.data = [p.id for p in services.admitted_pass_types(event, gate.zone.code)]
    return form


def _save(event: Event, form: GateForm, gate=None):
    try:
        hours = services.parse_hours(form.hours.data, event)
    except DomainError as error:
        form.hours.errors = [error.message]
        return None
    try:
        return services.save_gate(current_user, event, gate=gate, code=form.code.data,
                                  name=form.name.data, zone_code=form.zone_code.data,
                                  zone_name=form.zone_name.data, hours=hours,
                                  allow_reentry=form.allow_reentry.data,
                                  scan_exits=form.scan_exits.data, active=form.active.data,
                                  admitted=form.admitted.data or [],
                                  # a gate tied to a talk or room by another feature stays so
                                  kind=gate.kind if gate else None,
                                  kind_ref=gate.kind_ref if gate else None)
    except DomainError as error:
        target = form.code if "gate_code" in error.code else form.zone_code \
            if "zone" in error.code else form.name
        target.errors = [*target.errors, error.message]
        return None


@bp.route("/events/<slug>/manage/gates", methods=["GET", "POST"])
@organiser_required
def gates(event: Event):
    form = _gate_form(event)
    if form.validate_on_submit():
        gate = _save(event, form)
        if gate is not None:
            flash(f"Gate “{gate.name}” created.", "success")
            return redirect(url_for("checkin.gate", slug=event.slug, gate_id=gate.id))
    return render_template("checkin/gates.html", event=event, form=form,
                           gates=services.gates(event), zones=services.zones(event),
                           pass_types=services.pass_types(event),
                           admitted=services.admitted_per_gate(event),
                           hours_summary=services.hours_summary,
                           owns_admission=rules.KIND_OWNS_ADMISSION,
                           describe_gate=services.describe_gate), 400 if form.errors else 200


@bp.route("/events/<slug>/manage/gates/<int:gate_id>", methods=["GET", "POST"])
@organiser_required
def gate(event: Event, gate_id: int):
    gate = services.gate_by_id(event, gate_id)
    form = _gate_form(event, gate)
    staff_form = AssignStaffForm(prefix="staff")
    if request.form.get("form") == "staff" and staff_form.validate_on_submit():
        try:
            services.assign_staff(current_user, event, gate, staff_form.email.data)
        except DomainError as error:
            staff_form.email.errors = [error.message]
        else:
            flash(f"{staff_form.email.data} now scans at {gate.name}.", "success")
            return redirect(url_for("checkin.gate", slug=event.slug, gate_id=gate.id))
    elif request.form.get("form") == "gate" and form.validate_on_submit():
        if _save(event, form, gate) is not None:
            flash("Gate saved.", "success")
            return redirect(url_for("checkin.gate", slug=event.slug, gate_id=gate.id))
    failed = form.errors or staff_form.errors
    return render_template("checkin/gate.html", event=event, gate=gate, form=form,
                           staff_form=staff_form, zones=services.zones(event),
                           tied=services.describe_gate(gate),
                           counts=services.today_counts(event, gate)), 400 if failed else 200


@bp.post("/events/<slug>/manage/gates/staff/<int:assignment_id>/remove")
@organiser_required
def unassign(event: Event, assignment_id: int):
    services.unassign_staff(current_user, event, assignment_id)
    flash("Staff member removed from the gate.", "info")
    return redirect(request.form.get("next") or url_for("checkin.gates", slug=event.slug))


def _device_form(event: Event) -> DeviceForm:
    form = DeviceForm()
    form.gate.choices = [SelectChoice("", "Any gate (staff choose)")] + [
        SelectChoice(str(g.id), f"{g.name} ({g.zone.name})") for g in services.gates(event)]
    return form


def _shown_once(event: Event, device, plain: str, replaced: bool = False) -> dict:
    """The new token with a QR code of the setup link: the only time it can be shown."""
    gate = device.gate
    link = url_for("checkin.scanner", slug=event.slug, _external=True) + \
        f"#device={plain}" + (f"&gate={gate.code}" if gate else "")
    qr = segno.make(link, error="m")
    buffer = io.BytesIO()
    qr.save(buffer, kind="svg", scale=4, border=2, xmldecl=False, svgns=True)
    return {"device": device, "token": plain, "link": link, "qr": buffer.getvalue().decode(),
            "replaced": replaced}


def _devices_page(event: Event, form: DeviceForm, created: dict | None = None):
    return render_template("checkin/devices.html", event=event, form=form, created=created,
                           devices=services.devices(event)), 400 if form.errors else 200


@bp.route("/events/<slug>/manage/devices", methods=["GET", "POST"])
@organiser_required
def devices(event: Event):
    form = _device_form(event)
    created = None
    if form.validate_on_submit():
        gate = services.gate_by_id(event, int(form.gate.data)) if form.gate.data else None
        try:
            device, plain = services.create_device(current_user, event, form.name.data, gate)
        except DomainError as error:
            form.name.errors = [error.message]
        else:
            created = _shown_once(event, device, plain)
    return _devices_page(event, form, created)


@bp.post("/events/<slug>/manage/devices/<int:device_id>/revoke")
@organiser_required
def revoke_device(event: Event, device_id: int):
    device = services.revoke_device(current_user, event, device_id)
    flash(f"Device “{device.name}” can no longer scan.", "info")
    return redirect(url_for("checkin.devices", slug=event.slug))


@bp.post("/events/<slug>/manage/devices/<int:device_id>/replace")
@organiser_required
def replace_device_token(event: Event, device_id: int):
    """Lost or leaked token: revoke it and show a new one (once), in one step."""
    device, plain = services.replace_device_token(current_user, event, device_id)
    return _devices_page(event, _device_form(event), _shown_once(event, device, plain, True))


# ---------------------------------------------------------------- scanner


@bp.get("/events/<slug>/scan")
def scanner(slug: str):
    """The scanner shell: works for signed-in staff and for devices set up by a link.

    It holds no attendee data itself (the service worker caches it for offline
    use); everything comes from the API with the session or the device's token.
    """
    event = visible_event(slug)
    from ..core import services as core

    session_ok = core.has_role(current_user, event, Role.STAFF, Role.ORGANISER)
    return render_template("checkin/scanner.html", event=event, session_ok=session_ok)


@bp.get("/sw.js")
def service_worker():
    response = Response(render_template("checkin/sw.js"), mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/"
    return response


# ---------------------------------------------------------------- dashboard


@bp.get("/events/<slug>/manage/checkin")
@event_role_required(Role.ORGANISER)
def dashboard(event: Event):
    return render_template("checkin/dashboard.html", event=event,
                           data=board.snapshot(event))


@bp.get("/events/<slug>/manage/checkin/live.json")
@organiser_required
def dashboard_json(event: Event):
    return board.snapshot(event)


@bp.get("/events/<slug>/manage/checkin/scans.csv")
@organiser_required
def export(event: Event):
    return Response(board.scans_csv(event), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{event.slug}-scans.csv"'})
