"""Exhibitors: halls, booths on the floor plan, exhibitors, staff and leads."""

from flask import Flask


def init_app(app: Flask) -> None:
    from .. import navigation, register_api
    from ..core.models import Role
    from ..registration import payments
    from ..registration.models import OrderKind
    from . import api, cli, models, services, views  # noqa: F401  (models: for create_all)

    # Booths are paid through the registration feature's payment service.
    payments.register_payable(OrderKind.BOOTH, services.BoothPayable())
    # Withdrawn consent (on any page) erases the contact details from leads.
    from ..registration import services as reg_services

    reg_services.on_contact_sharing_withdrawn(services.strip_leads_of)

    app.register_blueprint(views.bp)
    register_api(app, api.blp)
    navigation.register("exhibitors.directory", "Exhibitors", "shop", order=30)
    navigation.register("exhibitors.floorplan", "Floor plan", "map", order=31)
    navigation.register("exhibitors.dashboard", "My exhibitor", "shop-window",
                        roles={Role.EXHIBITOR}, place="mine", order=30)
    navigation.register("exhibitors.leads", "My leads", "person-vcard",
                        roles={Role.EXHIBITOR}, place="mine", order=31)
    navigation.register("exhibitors.privacy", "Privacy: contact sharing", "shield-lock",
                        roles={Role.DELEGATE}, place="mine", order=80)
    navigation.register("exhibitors.manage_floorplan", "Floor plan & booths", "grid-3x3",
                        roles={Role.ORGANISER}, place="manage", order=30)
    navigation.register("exhibitors.manage_exhibitors", "Exhibitors", "shop",
                        roles={Role.ORGANISER}, place="manage", order=31)

    from .. import overview as key_figures
    from . import overview

    key_figures.register(overview.figures, order=30)
