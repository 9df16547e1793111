"""Core rules: accounts, events, roles, API tokens and the audit log.

Each public function is one transaction: it commits on success and raises a
DomainError (changing nothing) when a rule says no.
"""

from __future__ import annotations

import functools
import hashlib
import re
import secrets
from datetime import date

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from ..errors import Conflict, Forbidden, Invalid, NotFound
from ..extensions import db
from ..timeutil import is_time_zone, utcnow
from .models import ApiToken, AuditEntry, Event, EventRole, EventStatus, Role, TokenKind, User

MIN_PASSWORD_LENGTH = 10
SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
TOKEN_PREFIX = "expo_"

# ---------------------------------------------------------------- accounts


def normalise_email(email: str) -> str:
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as error:
        raise Invalid(f"{email!r} is not a valid e-mail address: {error}",
                      code="email_invalid") from error


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Invalid(f"Use at least {MIN_PASSWORD_LENGTH} characters for the password.",
                      code="password_too_short")


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def user_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))


def create_user(email: str, password: str | None, full_name: str, *,
                organisation: str | None = None, country: str | None = None,
                job_title: str | None = None, is_admin: bool = False,
                commit: bool = True) -> User:
    email = normalise_email(email)
    if not full_name or not full_name.strip():
        raise Invalid("Give the person's full name.", code="name_required")
    if password is not None:
        check_password_strength(password)
    if user_by_email(email):
        raise Conflict("An account with this e-mail address already exists.",
                       code="email_taken")
    user = User(email=email, full_name=full_name.strip(), organisation=organisation,
                country=country, job_title=job_title, is_admin=is_admin,
                password_hash=hash_password(password) if password else None)
    db.session.add(user)
    if commit:
        db.session.commit()
    else:
        db.session.flush()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The user for these credentials, or None; never says which part was wrong."""
    user = user_by_email(email or "")
    if user is None or not user.password_hash or not user.active:
        # Spend the same time as a real check so timing does not reveal the e-mail.
        check_password_hash(_DUMMY_HASH(), password or "")
        return None
    if not check_password_hash(user.password_hash, password or ""):
        return None
    user.last_login_at = utcnow()
    db.session.commit()
    return user


_dummy: dict[str, str] = {}


def _DUMMY_HASH() -> str:  # noqa: N802 - a memoised constant
    method = current_app.config["PASSWORD_HASH_METHOD"]
    if method not in _dummy:
        _dummy[method] = generate_password_hash("not-a-real-password", method=method)
    return _dummy[method]


def change_password(user: User, current: str, new: str) -> None:
    if not user.password_hash or not check_password_hash(user.password_hash, current):
        raise Invalid("The current password is not right.", code="password_wrong")
    check_password_strength(new)
    user.password_hash = hash_password(new)
    db.session.commit()


def _reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="expo.password-reset")


def _password_fingerprint(user: User) -> str:
    # Part of the signed payload: once the password changes, older links stop working.
    return hashlib.sha256((user.password_hash or "unset").encode()).hexdigest()[:16]


def password_reset_token(user: User) -> str:
    return _reset_serializer().dumps({"uid": user.id, "pw": _password_fingerprint(user)})


def user_for_reset_token(token: str) -> User:
    max_age = current_app.config["PASSWORD_RESET_MAX_AGE"]
    try:
        data = _reset_serializer().loads(token, max_age=max_age)
    except SignatureExpired as error:
        raise Invalid("This password-reset link has expired. Ask for a new one.",
                      code="reset_link_expired") from error
    except BadSignature as error:
        raise Invalid("This password-reset link is not valid.", code="reset_link_invalid") \
            from error
    user = db.session.get(User, data.get("uid"))
    if user is None or data.get("pw") != _password_fingerprint(user):
        raise Invalid("This password-reset link has already been used or is not valid.",
                      code="reset_link_invalid")
    return user


def reset_password(token: str, new_password: str) -> User:
    user = user_for_reset_token(token)
    check_password_strength(new_password)
    user.password_hash = hash_password(new_password)
    db.session.commit()
    return user


# ---------------------------------------------------------------- events


def event_by_slug(slug: str, *, published_only: bool = False) -> Event:
    event = db.session.scalar(sa.select(Event).where(Event.slug == slug))
    if event is None or (published_only and event.status != EventStatus.PUBLISHED):
        raise NotFound(f"No event called {slug!r}.", code="event_not_found")
    return event


def published_events() -> list[Event]:
    return list(db.session.scalars(
        sa.select(Event).where(Event.status == EventStatus.PUBLISHED)
        .order_by(Event.starts_on.desc())))


def events_for_user(user: User) -> list[tuple[Event, list[str]]]:
    """The events where the user holds any role, with the roles."""
    rows = db.session.execute(
        sa.select(Event, EventRole.role).join(EventRole, EventRole.event_id == Event.id)
        .where(EventRole.user_id == user.id).order_by(Event.starts_on.desc(), EventRole.role))
    grouped: dict[int, tuple[Event, list[str]]] = {}
    for event, role in rows:
        grouped.setdefault(event.id, (event, []))[1].append(role)
    return list(grouped.values())


EVENT_FIELDS = ("name", "tagline", "description", "venue", "city", "country", "time_zone",
                "starts_on", "ends_on", "currency", "status", "themes", "website")


def _check_event_fields(fields: dict) -> None:
    if "time_zone" in fields and not is_time_zone(fields["time_zone"]):
        raise Invalid(f"{fields['time_zone']!r} is not an IANA time zone "
                      "(e.g. Asia/Kuala_Lumpur).", code="time_zone_unknown")
    starts, ends = fields.get("starts_on"), fields.get("ends_on")
    if isinstance(starts, date) and isinstance(ends, date) and ends < starts:
        raise Invalid("The event cannot end before it starts.", code="ends_before_start")
    if "status" in fields and fields["status"] not in set(EventStatus):
        raise Invalid(f"Unknown status {fields['status']!r}.", code="status_unknown")
    if "currency" in fields and not re.fullmatch(r"[A-Z]{3}", fields["currency"] or ""):
        raise Invalid("Currency is a three-letter ISO 4217 code such as MYR.",
                      code="currency_invalid")


def create_event(actor: User | None, slug: str, name: str, starts_on: date, ends_on: date,
                 **fields) -> Event:
    slug = (slug or "").strip().lower()
    if not SLUG_RE.match(slug):
        raise Invalid("The slug takes lower-case letters, digits and hyphens.",
                      code="slug_invalid")
    if db.session.scalar(sa.select(Event.id).where(Event.slug == slug)):
        raise Conflict(f"An event with slug {slug!r} already exists.", code="slug_taken")
    unknown = set(fields) - set(EVENT_FIELDS)
    if unknown:
        raise Invalid(f"Unknown event fields: {', '.join(sorted(unknown))}.")
    _check_event_fields({"starts_on": starts_on, "ends_on": ends_on, **fields})
    event = Event(slug=slug, name=name, starts_on=starts_on, ends_on=ends_on, **fields)
    db.session.add(event)
    db.session.flush()
    if actor is not None:
        db.session.add(EventRole(event=event, user=actor, role=Role.ORGANISER))
    audit(actor, event, "event.create", target=slug)
    db.session.commit()
    return event


def update_event(actor: User, event: Event, **fields) -> Event:
    unknown = set(fields) - set(EVENT_FIELDS)
    if unknown:
        raise Invalid(f"Unknown event fields: {', '.join(sorted(unknown))}.")
    merged = {"starts_on": event.starts_on, "ends_on": event.ends_on, **fields}
    _check_event_fields(merged)
    changes = {}
    for key, value in fields.items():
        old = getattr(event, key)
        if old != value:
            changes[key] = [_jsonable(old), _jsonable(value)]
            setattr(event, key, value)
    if changes:
        audit(actor, event, "event.update", target=event.slug, details=changes)
    db.session.commit()
    return event


def _jsonable(value):
    return value.isoformat() if isinstance(value, date) else value


# ---------------------------------------------------------------- roles


def has_role(user, event: Event, *roles: str) -> bool:
    """True when the user holds any of the roles in the event (admins hold all)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if user.is_admin:
        return True
    wanted = set(roles) if roles else set(Role)
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(EventRole)
        .where(EventRole.user_id == user.id, EventRole.event_id == event.id,
               EventRole.role.in_(wanted))) > 0


def roles_of(user, event: Event) -> set[str]:
    if user is None or not getattr(user, "is_authenticated", False):
        return set()
    return set(db.session.scalars(sa.select(EventRole.role).where(
        EventRole.user_id == user.id, EventRole.event_id == event.id)))


def require_role(user, event: Event, *roles: str) -> None:
    if not has_role(user, event, *roles):
        raise Forbidden(f"This needs the {' or '.join(roles) or 'any'} role in {event.name}.",
                        code="role_required")


def grant_role(actor: User | None, event: Event, email: str, role: str, *,
               full_name: str | None = None, commit: bool = True) -> tuple[EventRole, bool]:
    """Give a user a role in an event, creating an invited account when needed.

    Answers the role and whether a new account was created (it has no password
    yet: the person sets one through the e-mailed link).
    """
    if role not in set(Role):
        raise Invalid(f"Unknown role {role!r}; choose one of {', '.join(Role)}.",
                      code="role_unknown")
    email = normalise_email(email)
    user = user_by_email(email)
    created = False
    if user is None:
        user = create_user(email, None, full_name or email.split("@")[0], commit=False)
        created = True
    existing = db.session.scalar(sa.select(EventRole).where(
        EventRole.event_id == event.id, EventRole.user_id == user.id, EventRole.role == role))
    if existing:
        if commit:
            db.session.commit()
        return existing, created
    granted = EventRole(event=event, user=user, role=role)
    db.session.add(granted)
    audit(actor, event, "role.grant", target=email, details={"role": role})
    if commit:
        db.session.commit()
    return granted, created


def revoke_role(actor: User, event: Event, role_id: int) -> None:
    granted = db.session.get(EventRole, role_id)
    if granted is None or granted.event_id != event.id:
        raise NotFound("No such role in this event.")
    if granted.role == Role.ORGANISER and granted.user_id == actor.id:
        raise Invalid("You cannot remove your own organiser role.", code="self_demotion")
    audit(actor, event, "role.revoke", target=granted.user.email, details={"role": granted.role})
    db.session.delete(granted)
    db.session.commit()


def event_roles(event: Event) -> list[EventRole]:
    return list(db.session.scalars(
        sa.select(EventRole).where(EventRole.event_id == event.id)
        .join(User).order_by(EventRole.role, User.full_name)))


# ---------------------------------------------------------------- API tokens


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(user: User, name: str, *, event: Event | None = None,
                 kind: str = TokenKind.PERSONAL, actor: User | None = None,
                 commit: bool = True) -> tuple[ApiToken, str]:
    """A new token; the plain text is returned once and never stored.

    commit=False leaves the commit to a caller whose transaction this is part of.
    """
    if kind == TokenKind.DEVICE and event is None:
        raise Invalid("A device token belongs to one event.", code="event_required")
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(token_hash=_hash_token(plain), prefix=plain[:12], name=name or "token",
                     kind=kind, user=user, event=event)
    db.session.add(token)
    if event is not None:
        audit(actor or user, event, "token.create", target=name, details={"kind": kind})
    if commit:
        db.session.commit()
    return token, plain


@functools.cache
def _token_query() -> sa.Select:
    """Built once (every API request runs it): the token with its user, one round trip."""
    return (sa.select(ApiToken).options(joinedload(ApiToken.user))
            .where(ApiToken.token_hash == sa.bindparam("token_hash")))


def token_hash(plain: str) -> str | None:
    """What a bearer string is looked up by (its SHA-256), or None when it cannot be ours."""
    if not plain or not plain.startswith(TOKEN_PREFIX):
        return None
    return _hash_token(plain)


def token_for(plain: str) -> ApiToken | None:
    """The active token for this bearer string, marking when it was last used."""
    hashed = token_hash(plain)
    if hashed is None:
        return None
    return active_token(db.session.scalar(_token_query(), {"token_hash": hashed}))


def active_token(token: ApiToken | None) -> ApiToken | None:
    """The token fetched by its hash (with its user), if it may still be used.

    The one place that decides it: a revoked token, or one whose user is deactivated, is
    refused (None). An accepted token's last_used_at is written at most once a minute
    (a scanner sends many requests a second). A caller that fetches the token with other
    rows in one query (the check-in hot path) passes it here too.
    """
    if token is None or token.revoked_at is not None or not token.user.active:
        return None
    now = utcnow()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        db.session.execute(sa.update(ApiToken).where(ApiToken.id == token.id)
                           .values(last_used_at=now))
        db.session.commit()
    return token


def revoke_token(actor: User, token_id: int) -> ApiToken:
    token = db.session.get(ApiToken, token_id)
    if token is None:
        raise NotFound("No such token.")
    owns = token.user_id == actor.id
    organises = token.event is not None and has_role(actor, token.event, Role.ORGANISER)
    if not (owns or organises):
        raise NotFound("No such token.")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        if token.event is not None:
            audit(actor, token.event, "token.revoke", target=token.name)
    db.session.commit()
    return token


def tokens_of(user: User) -> list[ApiToken]:
    return list(db.session.scalars(sa.select(ApiToken).where(ApiToken.user_id == user.id)
                                   .order_by(ApiToken.created_at.desc())))


# ---------------------------------------------------------------- audit


def audit(actor: User | None, event: Event | None, action: str, *, target: str | None = None,
          details: dict | None = None) -> AuditEntry:
    """Add an audit entry to the current transaction (the caller commits)."""
    entry = AuditEntry(actor_id=actor.id if actor is not None else None,
                       event_id=event.id if event is not None else None,
                       action=action, target=target, details=details or {})
    db.session.add(entry)
    return entry


def audit_log(event: Event, limit: int = 200) -> list[AuditEntry]:
    return list(db.session.scalars(sa.select(AuditEntry).where(AuditEntry.event_id == event.id)
                                   .order_by(AuditEntry.id.desc()).limit(limit)))
