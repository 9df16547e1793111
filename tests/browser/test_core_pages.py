import re

from playwright.sync_api import expect

from tests.browser.conftest import login, screenshot


def test_organiser_logs_in_from_the_home_page_and_reaches_the_organiser_area(page, live_server):
    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", name="Smart-city expos and policy summits")).to_be_visible()
    screenshot(page, "core-home")
    page.get_by_role("link", name="Log in").first.click()
    page.get_by_label("E-mail").fill("organiser@demo.expo.my")
    page.get_by_label("Password").fill("expo-demo-2025")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("Welcome, Nurul Aisyah Rahman.")).to_be_visible()
    page.get_by_role("link", name="Smart City Expo Kuala Lumpur 2025").click()
    expect(page).to_have_url(re.compile(r"/events/scekl25/?$"))
    screenshot(page, "core-event-landing")
    page.get_by_role("link", name="Organiser area").click()
    expect(page.get_by_role("navigation", name="Organiser area")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/events/scekl25/manage"))
    screenshot(page, "core-organiser-area")


def test_a_wrong_password_shows_the_generic_message_inline(page, live_server):
    page.goto(live_server.url + "/login")
    page.get_by_label("E-mail").fill("organiser@demo.expo.my")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("That e-mail and password do not match an account.")).to_be_visible()
    screenshot(page, "core-login-error")


def test_organiser_grants_a_staff_role_through_the_form_with_csrf(page, live_server):
    login(page, live_server, "organiser@demo.expo.my")
    page.goto(live_server.url + "/events/scekl25/manage/people")
    page.get_by_label("E-mail").fill("gate7@klcc.com.my")
    page.get_by_label("Full name (for a new account)").fill("Gate Seven")
    page.get_by_label("Role", exact=True).select_option("staff")
    page.get_by_role("button", name="Grant").click()
    expect(page.get_by_text("gate7@klcc.com.my is now staff")).to_be_visible()
    screenshot(page, "core-people")
