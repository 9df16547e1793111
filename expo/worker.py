"""The RQ worker: `python -m expo.worker` (reads the same EXPO_* settings as the web app).

It creates the app once and runs jobs in its context without forking per job, so a
job (a badge batch, a confirmation e-mail with its badge) does not pay for building
the app every time. Jobs that need the app call `app_context()`, which reuses it.
"""

from __future__ import annotations

from contextlib import contextmanager

_app = None


def get_app():
    global _app
    if _app is None:
        from . import create_app

        _app = create_app()
    return _app


@contextmanager
def app_context():
    with get_app().app_context():
        yield _app


def main(argv: list[str] | None = None) -> None:
    import argparse

    from redis import Redis
    from rq import SimpleWorker

    parser = argparse.ArgumentParser(description="Run expo's background jobs (RQ).")
    parser.add_argument("--burst", action="store_true", help="Stop when the queue is empty.")
    args = parser.parse_args(argv)
    app = get_app()
    url = app.config.get("REDIS_URL")
    if not url:
        raise SystemExit("Set EXPO_REDIS_URL: without Redis, jobs run inside the web app.")
    worker = SimpleWorker(["expo"], connection=Redis.from_url(url))
    worker.work(burst=args.burst, with_scheduler=False)


if __name__ == "__main__":
    main()
