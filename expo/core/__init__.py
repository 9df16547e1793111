"""Core: users, events, per-event roles, API tokens, audit log and mail."""

from flask import Flask


def init_app(app: Flask) -> None:
    from .. import register_api
    from . import api, views

    app.register_blueprint(views.bp)
    register_api(app, api.blp)
