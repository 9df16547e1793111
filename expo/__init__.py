"""expo: registration, signed badges, check-in, booths, agenda and matchmaking for expos."""

from __future__ import annotations

import logging
import os
from importlib import import_module
from pathlib import Path

from flask import Flask

from . import config as settings

# Feature packages, in the order their tables and menus depend on each other.
FEATURES = ("core", "registration", "checkin", "exhibitors", "sessions", "matchmaking")


def create_app(config: dict | None = None) -> Flask:
    """The application factory; `config` overrides environment settings (tests use it)."""
    instance_path = os.environ.get("EXPO_INSTANCE_PATH") or (config or {}).get("INSTANCE_PATH")
    app = Flask(__name__, instance_path=instance_path, instance_relative_config=True)
    app.config.update(settings.build(Path(app.instance_path), config))
    logging.basicConfig(level=logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("expo").setLevel(logging.INFO)
    register_extensions(app)
    register_features(app)
    register_errorhandlers(app)
    register_commands(app)
    return app


def register_extensions(app: Flask) -> None:
    from . import apiutil, navigation, templating
    from .core.models import User
    from .extensions import csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).resolve().parent.parent /
                                            "migrations"), render_as_batch=True,
                     compare_type=True)
    login_manager.init_app(app)
    login_manager.login_view = "core.login"
    login_manager.login_message = "Log in to see that page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def load_user(user_id: str):
        return db.session.get(User, int(user_id))

    csrf.init_app(app)
    limiter.init_app(app)
    api = apiutil.ExpoApi(app)
    app.extensions["expo.api"] = api
    apiutil.init_app(app, api)
    templating.init_app(app)
    navigation.init_app(app)
    if app.testing:
        from flask import g

        @app.before_request
        def fresh_globals() -> None:
            # Tests hold one app context across many requests; production has a
            # fresh one (and so a fresh `g`, e.g. Flask-Login's user) per request.
            for key in list(g):
                g.pop(key)


def register_api(app: Flask, blueprint) -> None:
    """Add a flask-smorest blueprint to /api/v1 and its OpenAPI document."""
    from .extensions import csrf

    # API calls authenticate by bearer token; a browser session must send
    # X-CSRFToken, which the API's own identity check verifies.
    csrf.exempt(blueprint)
    app.extensions["expo.api"].register_blueprint(blueprint)


def register_features(app: Flask) -> None:
    for name in FEATURES:
        module = import_module(f".{name}", __name__)
        module.init_app(app)


def register_errorhandlers(app: Flask) -> None:
    from .errors import register_errorhandlers as register

    register(app)


def register_commands(app: Flask) -> None:
    from .cli import expo_cli

    app.cli.add_command(expo_cli)
