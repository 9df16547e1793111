"""Benchmark-only endpoint (EXPO_BENCH_ENDPOINTS=1, never in production): one INSERT, JSON.

bench/checkin_load.py compares the check-in API with it: the same app, the same
gunicorn workers and database, doing the least a recorded request can do.
"""

from __future__ import annotations

from flask import Blueprint, jsonify

from ..core.models import AuditEntry
from ..extensions import csrf, db

bp = Blueprint("checkin_bench", __name__)


@bp.post("/bench/insert")
@csrf.exempt
def insert_one():
    entry = AuditEntry(action="bench.ping", details={})
    db.session.add(entry)
    db.session.flush()  # INSERT ... RETURNING id
    entry_id = entry.id  # taken before the commit expires it: no re-load
    db.session.commit()
    return jsonify({"id": entry_id})
