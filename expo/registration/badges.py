"""Badge tokens for registrations: sign with the event's key, read a scanned QR text.

The one place that joins the pure token format (tokens.py) and the key store
(keys.py) to the database: registration, check-in and lead retrieval all read
badges through `read_badge`, so "genuine", "revoked" and "other event" mean the
same thing everywhere.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from ..core.models import Event
from ..extensions import db
from . import keys, tokens
from .models import Registration

_cache: dict[tuple[str, int], keys.EventKeys] = {}
_lock = threading.Lock()


def event_keys(event_id: int) -> keys.EventKeys:
    """The event's key pair(s), created on first use in the instance's keys folder."""
    keys_dir = current_app.config["KEYS_DIR"]
    cache_key = (keys_dir, event_id)
    with _lock:
        if cache_key not in _cache:
            _cache[cache_key] = keys.load_or_create(Path(keys_dir), event_id)
        return _cache[cache_key]


def rotate_event_key(event_id: int) -> int:
    """Start signing new badges with a fresh key; older badges still verify."""
    current = event_keys(event_id)
    kid = current.rotate()
    with _lock:
        _cache.pop((current_app.config["KEYS_DIR"], event_id), None)
    return kid


def public_keys_raw(event_id: int) -> dict[int, bytes]:
    """key id -> 32-byte raw Ed25519 public key (for the API and offline scanners)."""
    return event_keys(event_id).public_keys_raw()


def badge_token(registration: Registration) -> str:
    """The QR text for the registration's current badge serial."""
    event_key = event_keys(registration.event_id)
    claims = tokens.BadgeClaims(event_id=registration.event_id,
                                registration_id=registration.id,
                                serial=registration.badge_serial,
                                key_id=event_key.current_key_id)
    return tokens.issue(claims, event_key.private_key())


@dataclass(frozen=True)
class BadgeRead:
    """What a scanned text turned out to be.

    problem: None for a genuine current badge; "invalid" (malformed, forged,
    other event, unknown key or registration) or "revoked" (an older serial).
    """

    problem: str | None
    reason: str
    registration: Registration | None = None
    claims: tokens.BadgeClaims | None = None


def read_badge(event: Event, text: str, *,
               load: Callable[[int], Registration | None] | None = None) -> BadgeRead:
    """Verify a scanned text and load its registration (`load`: registration id ->
    Registration, for a caller that wants e.g. the pass type in the same query)."""
    try:
        claims = tokens.verify((text or "").strip(), event_keys(event.id).public_keys(),
                               event_id=event.id)
    except tokens.TokenError as error:
        reasons = {"wrong_event": "This badge is for another event.",
                   "bad_signature": "This badge is not genuine (signature does not match).",
                   "unknown_key": "This badge was signed with a key this event does not know.",
                   "malformed": "This is not an expo badge code."}
        return BadgeRead("invalid", reasons.get(error.code, "Not a valid badge."))
    registration = (load(claims.registration_id) if load is not None else
                    db.session.get(Registration, claims.registration_id))
    if registration is None or registration.event_id != event.id:
        return BadgeRead("invalid", "No registration matches this badge.", claims=claims)
    if claims.serial != registration.badge_serial:
        return BadgeRead("revoked", "This badge was replaced by a newer one (reissued).",
                         registration=registration, claims=claims)
    return BadgeRead(None, "Genuine badge.", registration=registration, claims=claims)
