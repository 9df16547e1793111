"""Check-in: gates and zones, scan rules, scan log, offline bundle and sync, scanner page."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Nothing yet: see issue 7."""
