"""Sessions: rooms, tracks, talks, panels, site visits, speakers, sign-ups, agenda, iCal."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Nothing yet: see issue 5."""
