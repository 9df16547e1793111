"""Background jobs: RQ when EXPO_REDIS_URL is set, otherwise run in-process at once."""

from __future__ import annotations

from typing import Any

from flask import current_app


def queue():
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    from redis import Redis
    from rq import Queue

    return Queue("expo", connection=Redis.from_url(url))


def enqueue(func, *args: Any, **kwargs: Any):
    """Run func(*args) in a worker, or now when no queue is configured.

    Jobs take plain values (ids, bytes, dicts), never ORM objects, so an RQ
    worker can run them in its own process.
    """
    q = queue()
    if q is None:
        return func(*args, **kwargs)
    return q.enqueue(func, *args, **kwargs)
