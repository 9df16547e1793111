"""Attendee lists out (CSV, XLSX) and delegates in (CSV import with a preview)."""

from __future__ import annotations

import csv
import io

import sqlalchemy as sa
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from ..core.models import Event, User
from ..errors import Invalid
from ..extensions import db
from ..timeutil import to_local
from . import notify, rules, services
from .models import HOLDING, PassType, Registration

COLUMNS = ("reference", "full_name", "email", "organisation", "job_title", "country",
           "pass_type", "status", "payment_status", "price", "currency", "delegation",
           "delegation_role", "share_contact", "registered_at")


def status_counts(event: Event) -> dict[str, int]:
    rows = db.session.execute(sa.select(Registration.status, sa.func.count())
                              .where(Registration.event_id == event.id)
                              .group_by(Registration.status))
    return {status: count for status, count in rows}


def _row(event: Event, reg: Registration) -> list:
    return [reg.reference, reg.full_name, reg.email, reg.organisation or "", reg.job_title or "",
            reg.country or "", reg.pass_type.code, reg.status, reg.payment_status,
            f"{reg.price_minor / 100:.2f}", reg.currency,
            reg.delegation.name if reg.delegation else "", reg.delegation_role or "",
            "yes" if reg.share_contact_with_exhibitors else "no",
            to_local(reg.created_at, event.time_zone).strftime("%Y-%m-%d %H:%M")]


def _safe(value):
    # Spreadsheets run cells starting with = + - @ as formulas: defuse them.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def to_csv(event: Event, regs: list[Registration]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for reg in regs:
        writer.writerow([_safe(v) for v in _row(event, reg)])
    return out.getvalue()


def to_xlsx(event: Event, regs: list[Registration]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Registrations"
    sheet.append(list(COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="0B5D7A")
    for reg in regs:
        sheet.append([_safe(v) for v in _row(event, reg)])
    sheet.freeze_panes = "A2"
    for column, width in zip("ABCDEFGHIJKLMNO", (12, 28, 32, 30, 20, 16, 12, 18, 12, 10, 8, 24,
                                                   20, 10, 17), strict=True):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def preview_import(event: Event, data: bytes) -> rules.ImportReport:
    codes = set(db.session.scalars(sa.select(PassType.code).where(PassType.event_id == event.id)))
    taken = set(db.session.scalars(sa.select(Registration.email).where(
        Registration.event_id == event.id, Registration.status.in_(list(HOLDING)))))
    return rules.parse_import(data, codes, taken)


def import_delegates(actor: User, event: Event, data: bytes) -> int:
    """All or nothing: every row is registered (confirmed, by the organiser) or none is."""
    report = preview_import(event, data)
    if not report.ok:
        raise Invalid(f"The file has {report.error_count} problem(s); nothing was imported.",
                      code="import_invalid")
    created: list[Registration] = []
    by_code = {pt.code: pt for pt in services.pass_types(event)}
    for row in report.rows:
        values = row.values
        person = services.Person(values["email"], values["full_name"], values["organisation"],
                                 values["job_title"], values["country"])
        pass_type = by_code[values["pass_type"]]
        if not services.take_place(pass_type.id):
            db.session.rollback()
            raise Invalid(f"Row {row.line}: “{pass_type.name}” has no places left; nothing was "
                          "imported.", code="sold_out")
        reg = Registration(event_id=event.id, pass_type_id=pass_type.id, email=person.email,
                           full_name=person.full_name, organisation=person.organisation,
                           job_title=person.job_title, country=person.country,
                           status="confirmed", payment_status="none", price_minor=0,
                           currency=pass_type.currency, badge_serial=1,
                           reference=services.new_reference(), answers={})
        db.session.add(reg)
        created.append(reg)
    try:
        db.session.flush()
    except sa.exc.IntegrityError:
        db.session.rollback()
        raise Invalid("Someone in the file registered meanwhile; nothing was imported. "
                      "Upload the file again to see who.", code="import_conflict") from None
    from ..core.services import audit

    audit(actor, event, "registration.import", details={"count": len(created)})
    for reg in created:
        notify.after_commit(notify.later, "registration_received", reg.id)
    notify.commit()
    return len(created)
