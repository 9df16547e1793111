"""An exhibitor picks a booth on the floor plan and pays by invoice; a delegate sees it sold."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import login, screenshot


def _new_page(browser, **kwargs):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB",
                                  **kwargs)
    return context, context.new_page()


def test_exhibitor_picks_a_booth_pays_by_invoice_and_a_delegate_sees_it_sold(browser,
                                                                            live_server):
    url = live_server.url
    # A start-up signs up and applies to exhibit.
    ctx_ex, ex = _new_page(browser)
    ex.goto(f"{url}/signup")
    ex.get_by_label("Full name").fill("Aisyah Rahman")
    ex.get_by_label("E-mail").fill("aisyah@smartbin.example.my")
    ex.get_by_label("Organisation").fill("SmartBin Asia Sdn Bhd")
    ex.locator("#password").fill("correct horse battery")
    ex.locator("#confirm").fill("correct horse battery")
    ex.get_by_role("button", name="Sign up").click()
    ex.goto(f"{url}/events/scekl25/exhibit/apply")
    ex.get_by_label("What you will show").fill("Solar compacting litter bins with fill sensors.")
    ex.get_by_label("Country").fill("Malaysia")
    ex.get_by_label("Sectors").select_option(["Water & waste", "IoT & sensors"])
    ex.get_by_label("Pillars you serve").select_option(["Sustainable & Resilient Cities"])
    screenshot(ex, "exhibitors-apply")
    ex.get_by_role("button", name="Send application").click()
    expect(ex.get_by_text("the organisers will review SmartBin Asia Sdn Bhd")).to_be_visible()

    # The organiser approves it.
    ctx_org, org = _new_page(browser)
    login(org, live_server, "organiser@demo.expo.my")
    org.goto(f"{url}/events/scekl25/manage/exhibitors?status=pending")
    screenshot(org, "exhibitors-manage-list")
    org.get_by_role("link", name="SmartBin Asia Sdn Bhd").click()
    org.get_by_label("Note to the exhibitor").fill("Welcome to SCEKL25")
    org.get_by_role("button", name="Approve").click()
    expect(org.get_by_text("SmartBin Asia Sdn Bhd approved.")).to_be_visible()

    # The exhibitor picks a free booth on the floor plan, with the keyboard-reachable links.
    ex.goto(f"{url}/events/scekl25/exhibit/booth")
    ex.get_by_role("link", name="Hall 4").click()
    booth = ex.locator("a.fp-booth.fp-available").first
    code = booth.get_attribute("data-code")
    booth.hover()
    expect(ex.locator("[data-fp-live] [data-fp-field=code]")).to_have_text(code)
    screenshot(ex, "exhibitors-pick-hover")
    booth.click()
    expect(ex.get_by_role("button", name=f"Hold {code} and pay by invoice")).to_be_visible()
    screenshot(ex, "exhibitors-pick-selected")
    ex.get_by_role("button", name=f"Hold {code} and pay by invoice").click()
    expect(ex.get_by_text("Pay by bank transfer")).to_be_visible()
    reference = re.search(r"Invoice (B-[0-9A-F]{8})", ex.content()).group(1)
    screenshot(ex, "exhibitors-invoice")

    # The organiser confirms the bank transfer.
    org.goto(f"{url}/events/scekl25/manage/exhibitors")
    row = org.locator("tr", has_text=reference)
    row.get_by_role("button", name="Mark paid").click()
    expect(org.get_by_text(f"booth {code} is sold to SmartBin Asia Sdn Bhd")).to_be_visible()
    screenshot(org, "exhibitors-manage-paid")

    # A delegate searches the floor plan and sees the booth sold to the start-up.
    ctx_del, dl = _new_page(browser)
    login(dl, live_server, "delegate@demo.expo.my")
    dl.goto(f"{url}/events/scekl25/floorplan")
    dl.get_by_label("Find a booth or exhibitor").fill("SmartBin")
    dl.get_by_role("button", name="Find").click()
    sold = dl.locator(f"a.fp-booth[data-code='{code}']")
    expect(sold).to_have_class(re.compile(r"fp-sold.*fp-match"))
    expect(sold).to_have_attribute("aria-label", re.compile("sold, SmartBin Asia Sdn Bhd"))
    expect(dl.get_by_test_id("search-result")).to_contain_text(code)
    screenshot(dl, "exhibitors-delegate-floorplan-search")
    sold.click()
    expect(dl.locator("[data-fp-details] [data-fp-field=exhibitor]")).to_have_text(
        "SmartBin Asia Sdn Bhd")

    # The exhibitor's dashboard shows the sold booth and the badge quota of its package.
    ex.goto(f"{url}/events/scekl25/exhibit")
    expect(ex.locator("strong.fs-5", has_text=code)).to_be_visible()
    screenshot(ex, "exhibitors-dashboard")
    for ctx in (ctx_ex, ctx_org, ctx_del):
        ctx.close()


def test_floor_plan_on_a_phone_is_reachable_with_the_keyboard(browser, live_server):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB",
                                  is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(f"{live_server.url}/events/scekl25/floorplan")
    first = page.locator("a.fp-booth").first
    first.focus()
    expect(page.locator("[data-fp-live] [data-fp-field=code]")).to_have_text(
        first.get_attribute("data-code"))
    page.get_by_role("button", name="Zoom in").click()
    screenshot(page, "exhibitors-floorplan-phone")
    context.close()


def test_exhibitor_pages_look_right_for_each_role(browser, live_server):
    url = live_server.url
    ctx, page = _new_page(browser)
    login(page, live_server, "exhibitor@demo.expo.my")
    for path, name in (("/events/scekl25/exhibit", "exhibitors-demo-dashboard"),
                       ("/events/scekl25/exhibit/team", "exhibitors-team"),
                       ("/events/scekl25/leads", "exhibitors-leads"),
                       ("/events/scekl25/leads/scan", "exhibitors-scan")):
        page.goto(url + path)
        screenshot(page, name)
    page.get_by_label("Badge code").fill("not a badge")
    page.get_by_role("button", name="Save lead").click()
    expect(page.get_by_text("This is not an expo badge code.")).to_be_visible()
    page.goto(url + "/events/scekl25/leads")
    page.locator("table a").first.click()
    screenshot(page, "exhibitors-lead")
    ctx.close()

    ctx, page = _new_page(browser)
    login(page, live_server, "organiser@demo.expo.my")
    page.goto(url + "/events/scekl25/manage/floorplan")
    screenshot(page, "exhibitors-manage-floorplan")
    page.get_by_role("link", name="Add booth").click()
    page.get_by_label("Code").fill("Z-99")
    page.get_by_label("From the left wall (m)").fill("3")
    page.get_by_label("From the front wall (m)").fill("3")
    page.get_by_role("button", name="Save booth").click()
    expect(page.get_by_text(re.compile(r"Booth Z-99 overlaps booth \w-\d\d"))).to_be_visible()
    screenshot(page, "exhibitors-booth-overlap")
    page.goto(url + "/events/scekl25/manage/floorplan")
    page.get_by_role("link", name="Edit hall").click()
    screenshot(page, "exhibitors-hall-edit")
    page.goto(url + "/events/scekl25/manage/exhibitors")
    page.get_by_role("link", name="Majlis Bandaraya Pulau Pinang").click()
    screenshot(page, "exhibitors-review")
    ctx.close()

    ctx, page = _new_page(browser)
    login(page, live_server, "delegate@demo.expo.my")
    page.goto(url + "/events/scekl25/exhibitors")
    screenshot(page, "exhibitors-directory")
    page.goto(url + "/events/scekl25/privacy")
    expect(page.get_by_text("Penang Smart City Lab")).to_be_visible()
    screenshot(page, "exhibitors-privacy")
    ctx.close()
