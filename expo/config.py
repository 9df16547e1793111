"""Settings: safe defaults, overridden by EXPO_* environment variables."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

# Every setting the application reads, with its environment variable and default.
# The README's settings table is generated from the same list (`flask expo settings`).
SETTINGS: list[tuple[str, str, object, str]] = [
    ("ENV", "EXPO_ENV", "development", "development, production or testing"),
    ("SQLALCHEMY_DATABASE_URI", "EXPO_DATABASE_URL", None,
     "SQLAlchemy URL; default SQLite in the instance folder"),
    ("SECRET_KEY", "EXPO_SECRET_KEY", None,
     "session and token signing key; generated into instance/secret_key when absent"),
    ("REDIS_URL", "EXPO_REDIS_URL", None,
     "Redis for rate limits and the RQ job queue; jobs run in-process without it"),
    ("STRIPE_SECRET_KEY", "EXPO_STRIPE_SECRET_KEY", None,
     "Stripe secret key; without it paid passes are paid by invoice"),
    ("STRIPE_PUBLISHABLE_KEY", "EXPO_STRIPE_PUBLISHABLE_KEY", None, "Stripe publishable key"),
    ("STRIPE_WEBHOOK_SECRET", "EXPO_STRIPE_WEBHOOK_SECRET", None,
     "signing secret of the Stripe webhook endpoint"),
    ("STRIPE_API_BASE", "EXPO_STRIPE_API_BASE", None,
     "override Stripe's API address (tests use a fake server on loopback)"),
    ("MAIL_SERVER", "EXPO_MAIL_SERVER", None, "SMTP host; without it mail goes to instance/outbox"),
    ("MAIL_PORT", "EXPO_MAIL_PORT", 587, "SMTP port"),
    ("MAIL_USERNAME", "EXPO_MAIL_USERNAME", None, "SMTP user"),
    ("MAIL_PASSWORD", "EXPO_MAIL_PASSWORD", None, "SMTP password"),
    ("MAIL_USE_TLS", "EXPO_MAIL_USE_TLS", False, "STARTTLS on the SMTP connection"),
    ("MAIL_DEFAULT_SENDER", "EXPO_MAIL_FROM", "expo <no-reply@expo.local>", "From: address"),
    ("SERVER_NAME", "EXPO_SERVER_NAME", None, "host name for links in e-mails sent from the CLI"),
    ("PREFERRED_URL_SCHEME", "EXPO_URL_SCHEME", "http", "scheme for links in e-mails"),
    ("RATELIMIT_LOGIN", "EXPO_RATELIMIT_LOGIN", "10 per minute", "login attempts per address"),
    ("PASSWORD_RESET_MAX_AGE", "EXPO_PASSWORD_RESET_MAX_AGE", 3600,
     "seconds a password-reset link stays valid"),
    ("PASSWORD_HASH_METHOD", "EXPO_PASSWORD_HASH_METHOD", "scrypt",
     "werkzeug password hash method (scrypt by default)"),
    ("BOOTH_HOLD_HOURS", "EXPO_BOOTH_HOLD_HOURS", 72,
     "hours an unpaid booth stays held for its exhibitor"),
    ("DB_PRE_PING", "EXPO_DB_PRE_PING", True,
     "test each pooled database connection with a round trip before use"),
    ("KEYS_DIR", "EXPO_KEYS_DIR", None,
     "folder of per-event badge signing keys; default instance/keys"),
]

WEAK_SECRETS = {"dev", "development", "secret", "changeme", "change-me", "please-change-me",
                "expo", "test", "testing", "default"}


class ConfigError(RuntimeError):
    """The configuration is unsafe or incomplete."""


def _coerce(value: str, default: object) -> object:
    if isinstance(default, bool):
        return value.strip().lower() in {"1", "true", "yes", "on"}
    if isinstance(default, int):
        return int(value)
    return value


def from_environment(environ: os._Environ | dict) -> dict:
    config: dict = {}
    for key, var, default, _help in SETTINGS:
        raw = environ.get(var)
        config[key] = default if raw in (None, "") else _coerce(raw, default)
    return config


def secret_key_from_instance(instance_path: Path) -> str:
    """Read instance/secret_key, creating it (mode 0600) on first start."""
    path = instance_path / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


def check_production(config: dict) -> None:
    key = config.get("SECRET_KEY") or ""
    if len(key) < 32 or key.lower() in WEAK_SECRETS:
        raise ConfigError(
            "EXPO_SECRET_KEY is weak or a default: production needs 32+ random characters "
            "(python -c 'import secrets; print(secrets.token_urlsafe(48))')"
        )


def build(instance_path: Path, overrides: dict | None = None,
          environ: os._Environ | dict | None = None) -> dict:
    """The whole configuration: defaults, then environment, then explicit overrides."""
    config = from_environment(os.environ if environ is None else environ)
    config.update(overrides or {})
    if not config.get("SQLALCHEMY_DATABASE_URI"):
        config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{instance_path / 'expo.sqlite'}"
    if not config.get("SECRET_KEY"):
        config["SECRET_KEY"] = secret_key_from_instance(instance_path)
    if not config.get("KEYS_DIR"):
        config["KEYS_DIR"] = str(instance_path / "keys")
    config.setdefault("OUTBOX_DIR", str(instance_path / "outbox"))
    production = config["ENV"] == "production"
    config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    config.setdefault("SESSION_COOKIE_SECURE", production)
    config.setdefault("REMEMBER_COOKIE_HTTPONLY", True)
    config.setdefault("REMEMBER_COOKIE_SECURE", production)
    config.setdefault("REMEMBER_COOKIE_SAMESITE", "Lax")
    config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"pool_pre_ping": config["DB_PRE_PING"]})
    config.setdefault("MAX_CONTENT_LENGTH", 16 * 1024 * 1024)
    config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    config.setdefault("RATELIMIT_STORAGE_URI", config.get("REDIS_URL") or "memory://")
    config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    config.setdefault("API_TITLE", "expo API")
    config.setdefault("API_VERSION", "v1")
    config.setdefault("OPENAPI_VERSION", "3.0.3")
    config.setdefault("OPENAPI_URL_PREFIX", "/api/v1")
    config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    config.setdefault("OPENAPI_SWAGGER_UI_PATH", "docs")
    config.setdefault("OPENAPI_SWAGGER_UI_URL", "/static/vendor/swagger-ui-dist/")
    if production:
        check_production(config)
    return config
