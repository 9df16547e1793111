"""Registration: passes, orders, payments (Stripe), delegations, waiting list, badges."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Nothing yet: see issue 3."""
