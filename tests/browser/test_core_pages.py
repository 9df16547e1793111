from tests.browser.conftest import login, screenshot


def test_organiser_logs_in_from_the_home_page_and_reaches_the_organiser_area(page, live_server):
    page.goto(live_server.url + "/")
    assert page.get_by_role("heading", name="Smart-city expos and policy summits").is_visible()
    screenshot(page, "core-home")
    page.get_by_role("link", name="Log in").first.click()
    page.get_by_label("E-mail").fill("organiser@demo.expo.my")
    page.get_by_label("Password").fill("expo-demo-2025")
    page.get_by_role("button", name="Log in").click()
    assert page.get_by_text("Welcome, Nurul Aisyah Rahman.").is_visible()
    page.get_by_role("link", name="Smart City Expo Kuala Lumpur 2025").click()
    screenshot(page, "core-event-landing")
    page.get_by_role("link", name="Organiser area").click()
    assert page.get_by_role("navigation", name="Organiser area").is_visible()
    assert "/events/scekl25/manage" in page.url
    screenshot(page, "core-organiser-area")


def test_a_wrong_password_shows_the_generic_message_inline(page, live_server):
    page.goto(live_server.url + "/login")
    page.get_by_label("E-mail").fill("organiser@demo.expo.my")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Log in").click()
    assert page.get_by_text("That e-mail and password do not match an account.").is_visible()
    screenshot(page, "core-login-error")


def test_organiser_grants_a_staff_role_through_the_form_with_csrf(page, live_server):
    login(page, live_server, "organiser@demo.expo.my")
    page.goto(live_server.url + "/events/scekl25/manage/people")
    page.get_by_label("E-mail").fill("gate7@klcc.com.my")
    page.get_by_label("Full name (for a new account)").fill("Gate Seven")
    page.get_by_label("Role", exact=True).select_option("staff")
    page.get_by_role("button", name="Grant").click()
    assert page.get_by_text("gate7@klcc.com.my is now staff").is_visible()
    screenshot(page, "core-people")
