"""What the load benchmarks share: a throwaway database, a seeded app, waiting for gunicorn."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
ADMIN_URL = os.environ.get("EXPO_BENCH_POSTGRES_URL",
                           "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
SECRET = "bench-secret-key-0123456789-abcdefghijklmnop"


@contextmanager
def throwaway_database(prefix: str) -> Iterator[str]:
    """A fresh PostgreSQL database's URL; dropped afterwards whatever happens."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                 "WHERE datname = :n"), {"n": name})
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


@contextmanager
def seeded_event(url: str, instance: Path) -> Iterator[tuple]:
    """(app, event) inside an app context: every table and a published SCEKL25."""
    sys.path.insert(0, str(ROOT))
    from expo import create_app
    from expo.core import services as core
    from expo.core.models import EventStatus
    from expo.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "INSTANCE_PATH": str(instance),
                      "SECRET_KEY": SECRET})
    with app.app_context():
        db.create_all()
        event = core.create_event(None, "scekl25", "Smart City Expo Kuala Lumpur 2025",
                                  date(2025, 9, 17), date(2025, 9, 19),
                                  status=EventStatus.PUBLISHED)
        yield app, event
        db.session.remove()
        db.engine.dispose()


def wait_up(port: int, server: subprocess.Popen | None = None) -> None:
    """Until gunicorn answers /healthz on the port (or exits, which is an error)."""
    for _ in range(200):
        if server is not None and server.poll() is not None:
            raise RuntimeError("gunicorn exited")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("gunicorn did not start")
