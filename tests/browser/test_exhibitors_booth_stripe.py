"""An exhibitor books a booth and pays by Stripe Checkout; Stripe's signed webhook sells it.

The fake Checkout URL cannot load in a browser: the page is driven up to the redirect
(answered by a stand-in page), then the webhook is delivered as Stripe would, and the
exhibitor comes back to a paid order while the public floor plan shows the booth sold.
"""

import json
import re
import urllib.request

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from expo import create_app
from expo.extensions import db
from tests.browser.conftest import login, screenshot
from tests.conftest import base_config
from tests.doubles import WEBHOOK_SECRET, FakeStripe, sign, stripe_event

MANAGER = "nurul@kliotlab.example.my"
PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def stripe_server():
    server = FakeStripe().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def live_app(tmp_path_factory, stripe_server):
    """The demo on a file database, CSRF on, Stripe keys pointing at the fake server, and
    an approved exhibitor (no booth yet) whose manager can log in."""
    folder = tmp_path_factory.mktemp("live-stripe")
    config = base_config(folder / "instance", f"sqlite:///{folder / 'live.sqlite'}")
    config.update({"WTF_CSRF_ENABLED": True, "TESTING": False,
                   "STRIPE_SECRET_KEY": "sk_test_expo", "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
                   "STRIPE_API_BASE": stripe_server.url})
    app = create_app(config)
    with app.app_context():
        db.create_all()
        from expo.cli import demo
        from expo.core import services as core
        from expo.core.models import Event, Role, User
        from expo.exhibitors import services
        from expo.exhibitors.models import ExhibitorStatus

        app.test_cli_runner().invoke(demo, [])
        event = db.session.scalar(sa.select(Event).where(Event.slug == "scekl25"))
        organiser = db.session.scalar(sa.select(User).where(
            User.email == "organiser@demo.expo.my"))
        manager = core.create_user(MANAGER, PASSWORD, "Nurul Huda",
                                   organisation="KL IoT Lab Sdn Bhd")
        exhibitor = services.apply(manager, event, {"name": "KL IoT Lab Sdn Bhd",
                                                    "country": "Malaysia"})
        services.review(organiser, event, exhibitor, ExhibitorStatus.APPROVED)
        assert core.has_role(manager, event, Role.EXHIBITOR)
        db.session.remove()
    return app


def _deliver(url: str, payload: bytes) -> dict:
    request = urllib.request.Request(f"{url}/payments/stripe/webhook", data=payload, headers={
        "Stripe-Signature": sign(payload), "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def test_exhibitor_pays_a_booth_by_stripe_checkout_and_sees_it_sold(browser, live_server,
                                                                   stripe_server):
    url = live_server.url
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = context.new_page()
    # Stripe's page is not reachable from here: a stand-in answers the redirect.
    page.route("https://checkout.stripe.test/**", lambda route: route.fulfill(
        status=200, content_type="text/html",
        body="<title>Stripe Checkout (test)</title><h1>Stripe Checkout (test stand-in)</h1>"))
    login(page, live_server, MANAGER, PASSWORD)

    page.goto(f"{url}/events/scekl25/exhibit/booth")
    page.get_by_role("link", name="Hall 4").click()
    booth = page.locator("a.fp-booth.fp-available").first
    code = booth.get_attribute("data-code")
    booth.click()
    pay = page.get_by_role("button", name=f"Book {code} and pay by card or FPX")
    expect(pay).to_be_visible()
    expect(page.get_by_role("button", name=f"Hold {code} and pay by invoice")).to_be_visible()
    screenshot(page, "exhibitors-stripe-choose")
    pay.click()

    # Redirected to Stripe Checkout for this booth, in ringgit.
    page.wait_for_url("https://checkout.stripe.test/pay/**")
    [session] = list(stripe_server.sessions.values())
    assert page.url == session["url"]
    assert f"booth {code}" in session["form"]["line_items[0][price_data][product_data][name]"]
    assert session["currency"] == "myr"

    # Back from Stripe before the webhook: the order page says the payment is being confirmed.
    success = session["form"]["success_url"]
    page.goto(success)
    expect(page.get_by_text("Stripe is confirming your payment")).to_be_visible()
    screenshot(page, "exhibitors-stripe-returned")

    # Stripe delivers the signed webhook (twice, as it may): applied once.
    payload = stripe_event("checkout.session.completed", {
        "id": session["id"], "object": "checkout.session", "payment_status": "paid",
        "status": "complete", "client_reference_id": session["client_reference_id"],
        "amount_total": session["amount_total"], "payment_intent": "pi_browser_1"},
        event_id="evt_browser_booth")
    assert _deliver(url, payload)["outcome"] == "paid"
    assert _deliver(url, payload)["outcome"] == "duplicate: ignored"

    page.reload()
    expect(page.get_by_text(f"booth {code} is KL IoT Lab Sdn Bhd's")).to_be_visible()
    screenshot(page, "exhibitors-stripe-paid")

    # The team page: the manager's own exhibitor badge came with the booth.
    page.goto(f"{url}/events/scekl25/exhibit/team")
    expect(page.get_by_text("1 of")).to_be_visible()
    expect(page.get_by_role("link", name="Show my badge")).to_be_visible()
    screenshot(page, "exhibitors-stripe-team")

    # Anyone sees the booth sold to the exhibitor on the public floor plan.
    visitor = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    public = visitor.new_page()
    public.goto(f"{url}/events/scekl25/floorplan?q={code}")
    sold = public.locator(f"a.fp-booth[data-code='{code}']")
    expect(sold).to_have_class(re.compile(r"fp-sold"))
    screenshot(public, "exhibitors-stripe-floorplan-sold")
    visitor.close()
    context.close()
