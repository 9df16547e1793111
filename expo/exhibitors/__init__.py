"""Exhibitors: halls, booths on the floor plan, exhibitors, staff and leads."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Nothing yet: see issue 4."""
