"""Jinja filters: dates in the event's zone, money in minor units."""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask, g

from .timeutil import format_date_range, to_local, utcnow

DEFAULT_ZONE = "Asia/Kuala_Lumpur"
# ISO 4217 minor units that differ from 2.
MINOR_UNITS = {"JPY": 0, "KRW": 0, "VND": 0, "IDR": 2, "BHD": 3, "KWD": 3}
SYMBOLS = {"MYR": "RM", "USD": "US$", "SGD": "S$", "EUR": "€", "GBP": "£"}


def format_money(amount_minor: int | None, currency: str = "MYR") -> str:
    if amount_minor is None:
        return ""
    digits = MINOR_UNITS.get(currency, 2)
    sign = "-" if amount_minor < 0 else ""
    value = abs(amount_minor) / (10 ** digits) if digits else abs(amount_minor)
    symbol = SYMBOLS.get(currency, currency + " ")
    return f"{sign}{symbol}{value:,.{digits}f}" if digits else f"{sign}{symbol}{value:,}"


def _zone(zone: str | None) -> str:
    if zone:
        return zone
    event = g.get("event")
    return event.time_zone if event is not None else DEFAULT_ZONE


def localtime(moment: datetime | None, fmt: str = "%d %b %Y %H:%M", zone: str | None = None) -> str:
    if moment is None:
        return ""
    return to_local(moment, _zone(zone)).strftime(fmt)


def date_range(start: date, end: date) -> str:
    return format_date_range(start, end)


def now_in(zone: str) -> str:
    """The zone's current offset, e.g. UTC+08:00."""
    offset = to_local(utcnow(), zone).strftime("%z")  # +0800
    return f"UTC{offset[:3]}:{offset[3:]}"


def init_app(app: Flask) -> None:
    app.add_template_filter(localtime, "localtime")
    app.add_template_filter(date_range, "date_range")
    app.add_template_filter(format_money, "money")
    app.add_template_global(now_in, "now_in")
