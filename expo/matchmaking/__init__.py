"""Matchmaking: policy taxonomy, projects, investor theses, scores, meetings, scheduler."""

from flask import Flask


def init_app(app: Flask) -> None:
    from .. import navigation, register_api
    from ..cli import expo_cli
    from ..core.models import Role
    from . import api, cli, views

    app.register_blueprint(views.bp)
    register_api(app, api.blp)
    if "matchmaking" not in expo_cli.commands:
        expo_cli.add_command(cli.matchmaking)
    navigation.register("matchmaking.hub", "Matchmaking", "diagram-3", place="event", order=60)
    navigation.register("matchmaking.meetings", "My meetings", "calendar-check", place="mine",
                        order=60)
    navigation.register("matchmaking.recommendations", "Recommendations", "stars",
                        roles={Role.INVESTOR, Role.DELEGATE, Role.EXHIBITOR, Role.SPEAKER},
                        place="mine", order=61)
    navigation.register("matchmaking.manage_projects", "Projects & investors", "briefcase",
                        roles={Role.ORGANISER}, place="manage", order=60)
    navigation.register("matchmaking.manage_policies", "Policy taxonomy", "diagram-3",
                        roles={Role.ORGANISER}, place="manage", order=61)
    navigation.register("matchmaking.manage_slots", "Meeting slots", "clock",
                        roles={Role.ORGANISER}, place="manage", order=62)
    navigation.register("matchmaking.manage_schedule", "Meetings & scheduler", "calendar-week",
                        roles={Role.ORGANISER}, place="manage", order=63)
    navigation.register("matchmaking.manage_scan", "Scan meetings", "qr-code-scan",
                        roles={Role.ORGANISER}, place="manage", order=64)
    navigation.register("matchmaking.manage_report", "Policy report", "bar-chart",
                        roles={Role.ORGANISER}, place="manage", order=65)

    from .. import overview as key_figures
    from . import overview

    key_figures.register(overview.figures, order=50)
