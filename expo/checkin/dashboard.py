"""Figures for the organisers' live check-in dashboard and the CSV export of the scan log."""

from __future__ import annotations

import csv
import io
from collections import Counter

import sqlalchemy as sa

from ..core.models import Event
from ..extensions import db
from ..registration.models import Registration
from ..timeutil import to_local
from . import rules
from .models import Gate, Presence, Scan, Zone


def snapshot(event: Event) -> dict:
    """Check-ins per hour, per gate, people inside per zone, rejections and conflicts."""
    zone_name = event.time_zone
    hours: Counter = Counter()
    for (at,) in db.session.execute(sa.select(Scan.scanned_at).where(
            Scan.event_id == event.id, Scan.result == rules.OK, Scan.direction == "in")):
        hours[to_local(at, zone_name).strftime("%Y-%m-%d %H:00")] += 1
    per_gate = db.session.execute(
        sa.select(Gate.id, Gate.name, Zone.name, Scan.result, sa.func.count(Scan.id))
        .join(Zone, Gate.zone_id == Zone.id)
        .outerjoin(Scan, sa.and_(Scan.gate_id == Gate.id, Scan.direction == "in"))
        .where(Gate.event_id == event.id)
        .group_by(Gate.id, Gate.name, Zone.name, Scan.result)).all()
    gates: dict[int, dict] = {}
    for gate_id, gate_name, zone, result, count in per_gate:
        row = gates.setdefault(gate_id, {"gate": gate_name, "zone": zone, "admitted": 0,
                                         "already": 0, "refused": 0})
        if result == rules.OK:
            row["admitted"] += count
        elif result == rules.ALREADY_CHECKED_IN:
            row["already"] += count
        elif result is not None:
            row["refused"] += count
    inside = dict(db.session.execute(
        sa.select(Presence.zone_id, sa.func.count(sa.distinct(Presence.registration_id)))
        .where(Presence.event_id == event.id, Presence.inside.is_(True))
        .group_by(Presence.zone_id)).all())
    zones = [{"zone": z.name, "code": z.code, "inside": inside.get(z.id, 0),
              "capacity": z.capacity}
             for z in db.session.scalars(sa.select(Zone).where(Zone.event_id == event.id)
                                         .order_by(Zone.name))]
    return {"per_hour": [{"hour": h, "count": hours[h]} for h in sorted(hours)],
            "gates": sorted(gates.values(), key=lambda g: g["gate"]),
            "zones": zones,
            "totals": _totals(event),
            "rejections": [_scan_row(event, s) for s in _recent(event, rejected=True)],
            "conflicts": [_scan_row(event, s) for s in _recent(event, conflicts=True)]}


def _totals(event: Event) -> dict:
    rows = dict(db.session.execute(
        sa.select(Scan.result, sa.func.count()).where(Scan.event_id == event.id,
                                                      Scan.direction == "in")
        .group_by(Scan.result)).all())
    people = db.session.scalar(sa.select(sa.func.count(sa.distinct(Presence.registration_id)))
                               .where(Presence.event_id == event.id))
    registered = db.session.scalar(sa.select(sa.func.count()).select_from(Registration).where(
        Registration.event_id == event.id, Registration.status == "confirmed"))
    return {"scans": sum(rows.values()), "admitted": rows.get(rules.OK, 0),
            "refused": sum(v for k, v in rows.items()
                           if k not in (rules.OK, rules.ALREADY_CHECKED_IN)),
            "people": people, "registered": registered}


def _recent(event: Event, *, rejected: bool = False, conflicts: bool = False, limit: int = 25):
    query = sa.select(Scan).where(Scan.event_id == event.id)
    if rejected:
        query = query.where(Scan.result.notin_([rules.OK, rules.ALREADY_CHECKED_IN]))
    if conflicts:
        query = query.where(Scan.conflict.is_not(None))
    return db.session.scalars(query.order_by(Scan.scanned_at.desc()).limit(limit))


def _scan_row(event: Event, scan: Scan) -> dict:
    return {"at": to_local(scan.scanned_at, event.time_zone).strftime("%d %b %H:%M:%S"),
            "gate": scan.gate.name, "result": scan.result, "message": scan.message,
            "name": scan.registration.full_name if scan.registration else "",
            "by": _who(scan), "offline": scan.offline, "conflict": scan.conflict}


def _who(scan: Scan) -> str:
    if scan.token is not None and scan.token.kind == "device":
        return scan.token.name
    return scan.user.full_name if scan.user else ""


def scans_csv(event: Event) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["scanned_at", "recorded_at", "gate", "zone", "direction", "result",
                     "message", "registration_reference", "name", "organisation", "method",
                     "scanned_by", "offline", "conflict"])
    scans = db.session.scalars(sa.select(Scan).where(Scan.event_id == event.id)
                               .order_by(Scan.scanned_at))
    for scan in scans:
        person = scan.registration
        writer.writerow([to_local(scan.scanned_at, event.time_zone).isoformat(),
                         to_local(scan.recorded_at, event.time_zone).isoformat(),
                         scan.gate.name, scan.gate.zone.name, scan.direction, scan.result,
                         scan.message, person.reference if person else "",
                         person.full_name if person else "",
                         (person.organisation or "") if person else "", scan.method,
                         _who(scan), "yes" if scan.offline else "", scan.conflict or ""])
    return out.getvalue()
