"""Registration: passes, orders, payments (Stripe), delegations, waiting list, badges."""

from flask import Flask


def init_app(app: Flask) -> None:
    from . import models  # noqa: F401 - tables are part of the metadata
