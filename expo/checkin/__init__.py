"""Check-in: gates and zones, scan rules, scan log, offline bundle and sync, scanner page."""

import os

from flask import Flask


def init_app(app: Flask) -> None:
    from .. import navigation, register_api
    from ..core.models import Role
    from . import api, cache, views

    cache.init_app(app)

    app.register_blueprint(views.bp)
    if os.environ.get("EXPO_BENCH_ENDPOINTS") == "1" and app.config["ENV"] != "production":
        from . import bench

        app.register_blueprint(bench.bp)
    register_api(app, api.blp)
    navigation.register("checkin.scanner", "Scan badges", "qr-code-scan",
                        roles={Role.STAFF, Role.ORGANISER}, place="event", order=40)
    navigation.register("checkin.scanner", "Scan badges", "qr-code-scan",
                        roles={Role.STAFF, Role.ORGANISER}, place="mine", order=40)
    navigation.register("checkin.dashboard", "Check-in live", "activity",
                        roles={Role.ORGANISER}, place="manage", order=40)
    navigation.register("checkin.gates", "Gates & zones", "door-open",
                        roles={Role.ORGANISER}, place="manage", order=41)
    navigation.register("checkin.devices", "Scanner devices", "phone",
                        roles={Role.ORGANISER}, place="manage", order=42)

    from .. import overview as key_figures
    from . import overview

    key_figures.register(overview.figures, order=40)
