"""Matchmaking in a real browser: an investor requests a meeting with reasons; the owner accepts."""

from __future__ import annotations

import sqlalchemy as sa

from expo.extensions import db
from expo.matchmaking.models import Project
from tests.browser.conftest import login, screenshot


def test_investor_requests_from_a_recommendation_and_the_owner_accepts(page, browser,
                                                                       live_server, live_app):
    login(page, live_server, "investor@demo.expo.my")
    page.goto(f"{live_server.url}/events/scekl25/matchmaking/recommendations")
    card = page.get_by_test_id("recommendation").filter(
        has=page.get_by_role("button", name="Request a meeting")).first
    title = card.locator("a.fw-semibold").first.inner_text()
    assert card.locator(".reasons li").count() >= 2
    screenshot(page, "matchmaking-recommendations")
    card.get_by_label("Message (optional)").fill("We finance projects like yours; 20 minutes?")
    card.get_by_role("button", name="Request a meeting").click()
    assert page.get_by_text("Request sent to").is_visible()
    with live_app.app_context():
        owner = db.session.scalar(sa.select(Project).where(Project.title == title)).owner.email
        db.session.remove()
    other = browser.new_context(viewport={"width": 1280, "height": 860}).new_page()
    login(other, live_server, owner)
    other.goto(f"{live_server.url}/events/scekl25/matchmaking/meetings")
    incoming = other.get_by_test_id("incoming").filter(has_text="20 minutes?")
    assert incoming.is_visible()
    screenshot(other, "matchmaking-incoming")
    incoming.get_by_role("button", name="Accept").click()
    assert other.get_by_text("Accepted: pick a time").is_visible()
    assert other.get_by_test_id("meeting").filter(has_text="Siti Mariam Ismail").is_visible()
    screenshot(other, "matchmaking-my-meetings")
    other.context.close()


def test_organiser_pages_look_right(page, live_server):
    login(page, live_server, "organiser@demo.expo.my")
    for path, name in (("projects?status=approved", "manage-projects"),
                       ("policies", "manage-policies"), ("slots", "manage-slots"),
                       ("schedule", "manage-schedule"), ("report", "manage-report"),
                       ("scan", "manage-scan")):
        page.goto(f"{live_server.url}/events/scekl25/manage/matchmaking/{path}")
        assert page.get_by_role("navigation", name="Organiser area").is_visible()
        screenshot(page, f"matchmaking-{name}")
    page.goto(f"{live_server.url}/events/scekl25/matchmaking/projects")
    screenshot(page, "matchmaking-projects")
