"""An app for RQ workers: `rq worker expo --url $EXPO_REDIS_URL` jobs call app_context()."""

from __future__ import annotations

from contextlib import contextmanager

_app = None


@contextmanager
def app_context():
    global _app
    if _app is None:
        from . import create_app

        _app = create_app()
    with _app.app_context():
        yield _app
