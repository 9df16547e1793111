"""Fixtures: app, client, runner, db, people with roles, PostgreSQL, fake Stripe, outbox."""

from __future__ import annotations

import os
import shutil
import uuid
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from expo import create_app
from expo.core import services
from expo.core.models import EventStatus, Role
from expo.extensions import db as _db
from tests.doubles import WEBHOOK_SECRET, FakeStripe, Outbox

PASSWORD = "correct horse battery"
PG_ADMIN_URL = os.environ.get("EXPO_TEST_POSTGRES_URL",
                              "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def base_config(instance: Path, database_url: str) -> dict:
    return {
        "TESTING": True,
        "ENV": "testing",
        "INSTANCE_PATH": str(instance),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "SERVER_NAME": None,
        "MAIL_SERVER": None,
        "REDIS_URL": None,
        "STRIPE_SECRET_KEY": None,
        "STRIPE_WEBHOOK_SECRET": None,
    }


@pytest.fixture(scope="session")
def schema_template(tmp_path_factory) -> Path:
    """An empty database with every table, made once and copied for each test."""
    folder = tmp_path_factory.mktemp("template")
    path = folder / "template.sqlite"
    app = create_app(base_config(folder / "instance", f"sqlite:///{path}"))
    with app.app_context():
        _db.create_all()
        _db.engine.dispose()
    return path


@pytest.fixture
def config_overrides(request) -> dict:
    """Override in a test module to change the app's configuration. A test that asks
    for `fake_stripe` gets an app with Stripe keys pointing at it."""
    if "fake_stripe" not in request.fixturenames:
        return {}
    server = request.getfixturevalue("fake_stripe")
    return {"STRIPE_SECRET_KEY": "sk_test_expo", "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
            "STRIPE_API_BASE": server.url}


@pytest.fixture
def fake_stripe():
    """The Stripe API on loopback (tests/doubles.py), shared by every feature that sells."""
    server = FakeStripe().start()
    yield server
    server.stop()


@pytest.fixture
def outbox(app):
    return Outbox(app)


@pytest.fixture
def app(tmp_path, schema_template, config_overrides):
    path = tmp_path / "expo.sqlite"
    shutil.copy(schema_template, path)
    config = base_config(tmp_path / "instance", f"sqlite:///{path}")
    config.update(config_overrides)
    app = create_app(config)
    with app.app_context():
        yield app
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def event(app):
    """A published event like SCEKL25."""
    return services.create_event(None, "scekl25", "Smart City Expo Kuala Lumpur 2025",
                                 date(2025, 9, 17), date(2025, 9, 19),
                                 venue="Kuala Lumpur Convention Centre", city="Kuala Lumpur",
                                 country="Malaysia", time_zone="Asia/Kuala_Lumpur",
                                 status=EventStatus.PUBLISHED,
                                 themes=["AI Cities", "Sustainable & Resilient Cities"])


@pytest.fixture
def other_event(app):
    return services.create_event(None, "ascn8", "8th ASEAN Smart Cities Network Annual Meeting",
                                 date(2025, 9, 8), date(2025, 9, 12), city="Kuala Lumpur",
                                 status=EventStatus.PUBLISHED)


class People:
    """Make users with roles, log them in, and give them API tokens."""

    def __init__(self, app, client):
        self.app = app
        self.client = client
        self._n = 0

    def make(self, role: str | None = None, event=None, *, email: str | None = None,
             name: str | None = None, admin: bool = False, **profile):
        self._n += 1
        email = email or f"{role or 'user'}{self._n}-{uuid.uuid4().hex[:6]}@example.org"
        user = services.create_user(email, PASSWORD, name or f"Test {role or 'User'} {self._n}",
                                    is_admin=admin, **profile)
        if role:
            services.grant_role(None, event, email, role)
        return user

    def login(self, user, client=None, password: str = PASSWORD):
        client = client or self.client
        response = client.post("/login", data={"email": user.email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return user

    def login_as(self, role: str, event, client=None, **kwargs):
        return self.login(self.make(role, event, **kwargs), client)

    def token(self, user, event=None) -> dict:
        _token, plain = services.create_token(user, "test", event=event)
        return {"Authorization": f"Bearer {plain}"}


@pytest.fixture
def people(app, client) -> People:
    return People(app, client)


@pytest.fixture
def organiser(people, event):
    return people.make(Role.ORGANISER, event)


# ---------------------------------------------------------------- PostgreSQL


def _postgres_or_skip() -> sa.Engine:
    engine = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except sa.exc.OperationalError as error:
        engine.dispose()
        message = f"PostgreSQL at {PG_ADMIN_URL} is unreachable: {error.orig}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message + " (CI=true: a postgres test must not be skipped)")
        pytest.skip(message)
    return engine


@pytest.fixture
def pg_url():
    """A fresh PostgreSQL database for one test, dropped afterwards."""
    admin = _postgres_or_skip()
    name = f"expo_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
                {"n": name})
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


@pytest.fixture
def pg_app(tmp_path, pg_url, config_overrides):
    """The app on its own PostgreSQL database, tables created."""
    config = base_config(tmp_path / "instance", pg_url)
    config["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_size": 25, "max_overflow": 10,
                                           "pool_pre_ping": True}
    config.update(config_overrides)
    app = create_app(config)
    with app.app_context():
        _db.create_all()
        yield app
        _db.session.remove()
        _db.engine.dispose()
