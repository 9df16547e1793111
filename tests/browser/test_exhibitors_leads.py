"""Exhibitor staff scan a visitor's badge with the phone camera; offline scans upload later."""

import secrets

import pytest
import sqlalchemy as sa

from expo.exhibitors.models import Exhibitor, Lead
from expo.extensions import db
from expo.registration.badges import badge_token
from expo.registration.models import PassType, Registration
from tests.browser.conftest import CHROMIUM_ARGS, chromium_path, login, screenshot
from tests.browser.test_checkin_scanner import write_y4m


def _visitor(app, name: str) -> tuple[int, str]:
    with app.app_context():
        event_id = db.session.scalar(sa.text("SELECT id FROM events WHERE slug = 'scekl25'"))
        pass_type = db.session.scalar(sa.select(PassType).where(PassType.event_id == event_id)
                                      .order_by(PassType.id))
        registration = Registration(event_id=event_id, pass_type_id=pass_type.id,
                                    email=f"{secrets.token_hex(4)}@bangkok.example.th",
                                    full_name=name, organisation="Bangkok Metropolitan "
                                    "Administration", country="Thailand",
                                    reference="T" + secrets.token_hex(5).upper())
        db.session.add(registration)
        db.session.commit()
        result = registration.id, badge_token(registration)
        db.session.remove()
        return result


def _leads_of(app, registration_id: int) -> list[tuple[str, int]]:
    with app.app_context():
        rows = db.session.execute(sa.select(Exhibitor.name, Lead.scan_count).join(Exhibitor)
                                  .where(Lead.registration_id == registration_id)).all()
        db.session.remove()
        return [tuple(r) for r in rows]


@pytest.fixture
def camera(playwright_instance, tmp_path, live_server):
    registration_id, code = _visitor(live_server.app, "Somchai Srisuk")
    video = tmp_path / "visitor.y4m"
    write_y4m(video, code)
    browser = playwright_instance.chromium.launch(
        executable_path=chromium_path(), headless=True,
        args=[*CHROMIUM_ARGS, "--use-fake-ui-for-media-stream",
              "--use-fake-device-for-media-stream", f"--use-file-for-fake-video-capture={video}"])
    yield browser, registration_id
    browser.close()


def test_staff_scan_a_badge_with_the_camera_and_an_offline_rescan_uploads_later(camera,
                                                                               live_server):
    browser, registration_id = camera
    context = browser.new_context(viewport={"width": 412, "height": 900}, locale="en-GB")
    context.grant_permissions(["camera"], origin=live_server.url)
    page = context.new_page()
    login(page, live_server, "exhibitor@demo.expo.my")
    page.goto(live_server.url + "/events/scekl25/leads/scan")
    answer = page.locator("#scan-answer")
    answer.wait_for(state="visible", timeout=20000)
    assert answer.locator("[data-answer-title]").inner_text().lower() == "new lead"
    assert answer.locator("[data-answer-name]").inner_text() == "Somchai Srisuk"
    screenshot(page, "exhibitors-scan-camera-new-lead")
    assert _leads_of(live_server.app, registration_id) == [("Penang Smart City Lab", 1)]

    # The hall's network drops; the badge is still in front of the camera.
    context.set_offline(True)
    page.wait_for_selector("#lead-scanner[data-queued='1']", timeout=20000)
    assert answer.locator("[data-answer-title]").inner_text().lower() == "saved offline"
    screenshot(page, "exhibitors-scan-offline-queued")
    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_selector("#lead-scanner[data-queued='0']", timeout=20000)
    [(name, scans)] = _leads_of(live_server.app, registration_id)
    assert name == "Penang Smart City Lab" and scans >= 2
    context.close()
