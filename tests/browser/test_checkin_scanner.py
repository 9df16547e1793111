"""Gate staff scan badges in Chromium: fake camera, browser-side verification, offline queue."""

from __future__ import annotations

import re

import pytest
import segno
import sqlalchemy as sa
from playwright.sync_api import expect

from expo.checkin.models import Scan
from expo.core.models import Event
from expo.extensions import db
from expo.registration.badges import badge_token, public_keys_raw
from expo.registration.models import PassType, Registration
from tests.browser.conftest import CHROMIUM_ARGS, chromium_path, login, screenshot

STAFF = "staff@demo.expo.my"


def _person(app, name: str, slug: str = "scekl25", pass_code: str = "delegate") -> tuple:
    """A confirmed registration in the live app, and its badge's QR text."""
    with app.app_context():
        event = db.session.scalar(sa.select(Event).where(Event.slug == slug))
        pass_type = db.session.scalar(sa.select(PassType).where(
            PassType.event_id == event.id, PassType.code.like(f"%{pass_code}%")))
        registration = Registration(event_id=event.id, pass_type_id=pass_type.id,
                                    email=f"{name.split()[0].lower()}@{slug}.example.org",
                                    full_name=name, organisation="Putrajaya Corporation",
                                    country="Malaysia", reference=f"B{abs(hash(name)) % 10**8}")
        db.session.add(registration)
        db.session.commit()
        code = badge_token(registration)
        result = registration.id, code, event.id
        db.session.remove()
        return result


def _scans(app, registration_id: int) -> list[Scan]:
    with app.app_context():
        scans = list(db.session.scalars(sa.select(Scan).where(
            Scan.registration_id == registration_id)))
        db.session.expunge_all()
        db.session.remove()
        return scans


def write_y4m(path, text: str, width: int = 640, height: int = 480, frames: int = 10) -> None:
    """A 4:2:0 Y4M video whose every frame shows the QR code of `text`."""
    matrix = segno.make(text, error="m").matrix
    border = 4
    size = len(matrix) + 2 * border
    scale = min(width, height) * 8 // 10 // size
    left, top = (width - size * scale) // 2, (height - size * scale) // 2
    y = bytearray(b"\xff" * (width * height))
    for r, row in enumerate(matrix):
        for c, dark in enumerate(row):
            if dark:
                for dy in range((r + border) * scale, (r + border + 1) * scale):
                    start = (top + dy) * width + left + (c + border) * scale
                    y[start:start + scale] = b"\x00" * scale
    chroma = b"\x80" * (width * height // 4)
    with open(path, "wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            out.write(b"FRAME\n" + bytes(y) + chroma + chroma)


def test_browser_verifier_accepts_genuine_badges_and_rejects_tampered_ones(page, live_server):
    app = live_server.app
    reg_id, code, event_id = _person(app, "Thida Srisuk")
    other_id, other_code, other_event_id = _person(app, "Anh Phan", slug="ascn8",
                                                   pass_code="ascn")
    with app.app_context():
        keys = {k: list(v) for k, v in public_keys_raw(event_id).items()}
    flipped = code[:30] + ("B" if code[30] != "B" else "C") + code[31:]
    page.goto(live_server.url + "/")
    outcome = page.evaluate("""async ([keys, eventId, tokens]) => {
        const m = await import('/static/checkin/badge-verify.js');
        const k = {}; for (const [id, bytes] of Object.entries(keys)) k[id] = new Uint8Array(bytes);
        const out = {};
        for (const [name, text] of Object.entries(tokens)) {
          try {
            const c = await m.verifyToken(text, k, eventId);
            out[name] = 'ok:' + c.registrationId + ':' + c.serial;
          }
          catch (e) { out[name] = e.code || String(e); }
        }
        return out;
    }""", [keys, event_id, {"genuine": code, "lower": code.lower() + "\n", "flipped": flipped,
                            "other_event": other_code, "garbage": "HELLO"}])
    assert outcome["genuine"] == f"ok:{reg_id}:1"
    assert outcome["lower"] == f"ok:{reg_id}:1"
    assert outcome["flipped"] in ("bad_signature", "malformed")
    assert outcome["other_event"] == "wrong_event"
    assert outcome["garbage"] == "malformed"


@pytest.fixture
def camera_browser(playwright_instance, tmp_path, live_server):
    reg_id, code, _event_id = _person(live_server.app, "Kavitha Subramaniam")
    video = tmp_path / "badge.y4m"
    write_y4m(video, code)
    browser = playwright_instance.chromium.launch(
        executable_path=chromium_path(), headless=True,
        args=[*CHROMIUM_ARGS, "--use-fake-ui-for-media-stream",
              "--use-fake-device-for-media-stream", f"--use-file-for-fake-video-capture={video}"])
    yield browser, reg_id
    browser.close()


def test_staff_scans_a_real_badge_with_the_camera_and_the_person_is_admitted(camera_browser,
                                                                            live_server):
    browser, reg_id = camera_browser
    context = browser.new_context(viewport={"width": 412, "height": 900}, locale="en-GB")
    context.grant_permissions(["camera"], origin=live_server.url)
    page = context.new_page()
    login(page, live_server, STAFF)
    page.goto(live_server.url + "/events/scekl25/scan#gate=hall-a")
    answer = page.locator("#scan-answer")
    expect(answer).to_be_visible(timeout=20000)
    expect(answer.locator("[data-answer-title]")).to_have_text(re.compile("^admitted$", re.I))
    expect(answer.locator("[data-answer-name]")).to_have_text("Kavitha Subramaniam")
    screenshot(page, "checkin-scanner-admitted")
    [scan] = _scans(live_server.app, reg_id)
    assert scan.result == "ok" and scan.user_id is not None and not scan.offline
    context.close()


def test_scans_made_offline_are_queued_and_synced_exactly_once(page, live_server):
    app = live_server.app
    # A site-visit bus: each delegate boards once.
    ids_codes = [_person(app, name, slug="ascn8", pass_code="ascn")
                 for name in ("Rajesh Kumar", "Mei Ling Ong")]
    with app.app_context():
        from expo.checkin import services as checkin

        event = db.session.scalar(sa.select(Event).where(Event.slug == "ascn8"))
        ascn = db.session.scalar(sa.select(PassType).where(PassType.event_id == event.id,
                                                           PassType.code == "ASCN"))
        checkin.save_gate(None, event, code="bus-1", name="Shuttle bus 1", zone_code="bus-1",
                          zone_name="Shuttle bus 1", admitted=[ascn.id])
        db.session.remove()
    login(page, live_server, STAFF)
    page.goto(live_server.url + "/events/ascn8/scan#gate=bus-1")
    page.wait_for_selector("#scanner[data-bundle-ready]", timeout=15000)
    page.wait_for_function("navigator.serviceWorker && navigator.serviceWorker.ready")
    page.reload()  # now the service worker controls the page
    page.wait_for_selector("#scanner[data-bundle-ready]", timeout=15000)
    assert page.evaluate("!!navigator.serviceWorker.controller")
    page.context.set_offline(True)
    page.reload()  # served from the service worker's cache
    page.wait_for_function("window.expoScanner && window.expoScanner.state.bundle")
    expect(page.get_by_text("Offline.", exact=False).first).to_be_visible()
    title = page.locator("[data-answer-title]")
    for _reg_id, code, _event in ids_codes:
        page.evaluate("code => window.expoScanner.handle({code})", code)
        expect(title).to_have_text(re.compile("^admitted$", re.I))
    expect(page.locator("[data-answer-note]")).to_contain_text("Offline")
    page.evaluate("code => window.expoScanner.handle({code})", ids_codes[0][1])
    expect(title).to_have_text(re.compile("^already checked in$", re.I))
    page.locator("#scan-answer").click()
    expect(page.locator("[data-queued]")).to_have_text("3")
    screenshot(page, "checkin-scanner-offline")
    assert _scans(app, ids_codes[0][0]) == []
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_function("document.querySelector('[data-queued]').textContent === '0'",
                           timeout=15000)
    page.evaluate("window.expoScanner.sync()")
    first = _scans(app, ids_codes[0][0])
    assert sorted(s.result for s in first) == ["already_checked_in", "ok"]
    assert all(s.offline for s in first)
    assert [s.result for s in _scans(app, ids_codes[1][0])] == ["ok"]
