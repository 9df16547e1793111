"""Documents for a registration: its badge (via pdf.py) and the order's PDF receipt."""

from __future__ import annotations

import io

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from ..templating import format_money
from ..timeutil import to_local
from .badges import badge_token
from .models import Order, OrderKind, Registration


def badge_face(reg: Registration):
    from .pdf import BadgeFace

    delegation = reg.delegation.name if reg.delegation is not None else None
    return BadgeFace(event_name=reg.event.name, full_name=reg.full_name,
                     organisation=reg.organisation or "", country=reg.country or "",
                     pass_name=reg.pass_type.name, colour=reg.pass_type.badge_colour,
                     token=badge_token(reg), delegation=delegation,
                     role_label=reg.delegation_role or _role_of_pass(reg))


def _role_of_pass(reg: Registration) -> str | None:
    from .services import EXHIBITOR_PASS_CODE

    return "EXHIBITOR" if reg.pass_type.code == EXHIBITOR_PASS_CODE else None


def badge_pdf_for(reg: Registration) -> bytes:
    from .pdf import badge_pdf

    return badge_pdf(badge_face(reg))


def receipt_pdf_for(order: Order) -> bytes:
    """An A4 receipt: seller, buyer, numbered per event, lines, tax, total, payment."""
    from .services import settings_for

    event = order.event
    settings = settings_for(event)
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4, pageCompression=1)
    pdf.setTitle(f"Receipt {event.slug.upper()}-{order.receipt_number:05d}")
    width, height = A4
    y = height - 25 * mm
    pdf.setFont("Helvetica-Bold", 18)
    pdf.drawString(20 * mm, y, "Receipt")
    pdf.setFont("Helvetica", 10)
    pdf.drawRightString(width - 20 * mm, y, f"No. {event.slug.upper()}-{order.receipt_number:05d}")
    y -= 8 * mm
    seller = settings.seller_name or event.name
    lines = [seller]
    if settings.seller_tax_id:
        lines.append(f"Tax registration: {settings.seller_tax_id}")
    lines += [event.name, f"Order {order.reference}"]
    if order.paid_at:
        lines.append("Paid on " + to_local(order.paid_at, event.time_zone).strftime("%d %b %Y"))
    lines.append(f"Billed to: {order.buyer_name} <{order.buyer_email}>")
    for line in lines:
        pdf.drawString(20 * mm, y, line)
        y -= 5.5 * mm
    y -= 6 * mm
    pdf.setFont("Helvetica-Bold", 10)
    pdf.drawString(20 * mm, y, "Item")
    pdf.drawRightString(width - 20 * mm, y, "Amount")
    pdf.line(20 * mm, y - 2 * mm, width - 20 * mm, y - 2 * mm)
    y -= 8 * mm
    pdf.setFont("Helvetica", 10)
    if order.kind != OrderKind.REGISTRATION:
        from .payments import payable_for

        pdf.drawString(20 * mm, y, payable_for(order).line_item(order)[:95])
        pdf.drawRightString(width - 20 * mm, y, format_money(order.subtotal_minor,
                                                             order.currency))
        y -= 6 * mm
    for reg in order.registrations:
        pdf.drawString(20 * mm, y, f"{reg.pass_type.name} — {reg.full_name} ({reg.reference})")
        pdf.drawRightString(width - 20 * mm, y,
                            format_money(reg.pass_type.price_minor, order.currency))
        y -= 6 * mm
    if order.discount_minor:
        pdf.drawString(20 * mm, y, "Voucher discount")
        pdf.drawRightString(width - 20 * mm, y, format_money(-order.discount_minor,
                                                             order.currency))
        y -= 6 * mm
    pdf.line(20 * mm, y + 2 * mm, width - 20 * mm, y + 2 * mm)
    y -= 4 * mm
    if order.tax_rate_bp:
        net = order.total_minor - order.tax_minor
        pdf.drawString(20 * mm, y, "Net amount")
        pdf.drawRightString(width - 20 * mm, y, format_money(net, order.currency))
        y -= 6 * mm
        rate = f"{order.tax_rate_bp / 100:g}"
        pdf.drawString(20 * mm, y, f"{settings.tax_label} {rate} %")
        pdf.drawRightString(width - 20 * mm, y, format_money(order.tax_minor, order.currency))
        y -= 6 * mm
    pdf.setFont("Helvetica-Bold", 12)
    pdf.drawString(20 * mm, y, "Total paid")
    pdf.drawRightString(width - 20 * mm, y, format_money(order.total_minor, order.currency))
    y -= 8 * mm
    pdf.setFont("Helvetica", 9)
    method = {"stripe": "Card / FPX via Stripe", "invoice": "Bank transfer"}.get(order.method,
                                                                                order.method)
    pdf.drawString(20 * mm, y, f"Payment method: {method}")
    if order.refunded_minor:
        y -= 6 * mm
        pdf.drawString(20 * mm, y, "Refunded: " + format_money(order.refunded_minor,
                                                               order.currency))
    pdf.showPage()
    pdf.save()
    return out.getvalue()
