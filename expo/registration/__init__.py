"""Registration: passes, orders, payments (Stripe), delegations, waiting list, badges."""

from flask import Flask


def init_app(app: Flask) -> None:
    from .. import navigation, register_api
    from . import api, cli, models, views  # noqa: F401 - tables are part of the metadata

    app.register_blueprint(views.bp)
    register_api(app, api.blp)
    navigation.register("registration.choose_pass", "Register", "ticket-perforated", order=10)
    navigation.register("registration.mine", "My registration", "person-badge", place="mine",
                        order=10)
    for endpoint, label, icon, order in (
            ("registration.passes", "Pass types", "ticket-perforated", 10),
            ("registration.attendees", "Registrations", "person-lines-fill", 11),
            ("registration.setup", "Questions, vouchers & tax", "sliders", 12),
            ("registration.import_csv", "Import delegates", "upload", 13),
            ("registration.badges", "Print badges", "printer", 14)):
        navigation.register(endpoint, label, icon, roles={"organiser"}, place="manage",
                            order=order)

    from .. import overview as key_figures
    from . import overview

    key_figures.register(overview.figures, order=10)
