"""Per-worker memo of the slow-changing facts every scan reads: event, gate and zone, a
device's gate, a staff member's gates.

A scan must answer in milliseconds at 150 scans a second, so these facts are not
re-read from the database on every request. Each entry lives a few seconds
(CHECKIN_CACHE_SECONDS, default 5); any change to gates, zones, devices, gate
staff, roles or events flushed through this worker's session clears the whole
memo at once, so the organiser's own worker sees a change immediately and the
other workers within those few seconds. What must never be stale is not kept
here: tokens (revocation), registrations and pass types (status, zones, badge
serial) and presence are read or written on every scan.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app
from sqlalchemy.orm import Session

DEFAULT_SECONDS = 5.0
# A worker holds at most this many entries (gates x scanners); past it, start afresh.
MAX_ENTRIES = 20_000


class ScanCache:
    """A small time-bounded dict; values are immutable snapshots, safe across threads."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._data: dict[Any, tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def get(self, key, load: Callable[[], Any]):
        """The cached value, or `load()`'s (kept only when it is not None: a gate
        created a second ago elsewhere must not stay "not found")."""
        hit = self._data.get(key)
        now = time.monotonic()
        if hit is not None and hit[0] > now:
            return hit[1]
        value = load()
        if value is not None and self.seconds > 0:
            with self._lock:
                if len(self._data) >= MAX_ENTRIES:
                    self._data.clear()
                self._data[key] = (now + self.seconds, value)
        return value

    def put(self, key, value) -> None:
        if self.seconds > 0:
            with self._lock:
                self._data[key] = (time.monotonic() + self.seconds, value)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()

    def __len__(self) -> int:
        return len(self._data)


def cache() -> ScanCache:
    return current_app.extensions["checkin.cache"]


def init_app(app: Flask) -> None:
    app.extensions["checkin.cache"] = ScanCache(
        float(app.config.get("CHECKIN_CACHE_SECONDS", DEFAULT_SECONDS)))


def _watched() -> tuple[type, ...]:
    from ..core.models import Event, EventRole
    from .models import Device, Gate, GateStaff, Zone

    return (Event, EventRole, Gate, Zone, GateStaff, Device)


@sa.event.listens_for(Session, "after_flush")
def _forget_on_change(session: Session, _context) -> None:
    """A gate, zone, device, staff assignment, role or event changed here: start afresh."""
    watched = _watched()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, watched):
            try:
                cache().clear()
            except (RuntimeError, KeyError):  # no app context, or an app without check-in
                pass
            return
