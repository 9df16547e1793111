"""Sessions: rooms, tracks, talks, panels, site visits, speakers, sign-ups, agenda, iCal."""

from datetime import datetime

from flask import Flask


def _fromiso(value):
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def init_app(app: Flask) -> None:
    from .. import navigation, register_api
    from ..core.models import Role
    from . import api, cli, gates, views  # noqa: F401  (cli adds its commands to `flask expo`)

    app.register_blueprint(views.bp)
    gates.register()  # the "talk" and "room" gate kinds of check-in
    register_api(app, api.blp)
    app.add_template_filter(_fromiso, "fromiso")
    navigation.register("sessions.agenda", "Agenda", "calendar3", place="event", order=20)
    navigation.register("sessions.speakers_page", "Speakers", "mic", place="event", order=21)
    navigation.register("sessions.my_agenda", "My agenda", "star",
                        roles={Role.DELEGATE, Role.SPEAKER, Role.ORGANISER, Role.STAFF,
                               Role.EXHIBITOR, Role.INVESTOR}, place="mine", order=20)
    navigation.register("sessions.manage_programme", "Programme", "calendar3",
                        roles={Role.ORGANISER}, place="manage", order=20)
    navigation.register("sessions.editor", "Schedule editor", "grid-3x3",
                        roles={Role.ORGANISER}, place="manage", order=21)
    navigation.register("sessions.manage_rooms", "Rooms & tracks", "door-open",
                        roles={Role.ORGANISER}, place="manage", order=22)
    navigation.register("sessions.manage_speakers", "Speakers", "mic",
                        roles={Role.ORGANISER}, place="manage", order=23)
    navigation.register("sessions.manage_attendance", "Attendance", "person-check",
                        roles={Role.ORGANISER}, place="manage", order=25)
    navigation.register("sessions.publish", "Publish programme", "send",
                        roles={Role.ORGANISER}, place="manage", order=24)

    from .. import overview as key_figures
    from . import overview

    key_figures.register(overview.figures, order=20)
