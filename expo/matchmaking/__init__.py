"""Matchmaking: policy taxonomy, projects, investor theses, scores, meetings, scheduler."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Nothing yet: see issue 6."""
