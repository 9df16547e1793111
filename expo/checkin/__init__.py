"""Check-in: gates and zones, scan rules, scan log, offline bundle and sync, scanner page."""

from flask import Flask


def init_app(app: Flask) -> None:
    from .. import register_api
    from . import api

    register_api(app, api.blp)
