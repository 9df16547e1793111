"""Registration pages in a real browser: a delegate registers, organisers manage."""

from __future__ import annotations

from pathlib import Path

from tests.browser.conftest import login, screenshot


def test_delegate_chooses_a_pass_answers_and_sees_the_badge(page, live_server):
    page.goto(live_server.url + "/events/scekl25/register")
    assert page.get_by_role("heading", name="Conference delegate").is_visible()
    screenshot(page, "registration-choose-pass")
    page.get_by_role("link", name="Choose Exhibition visitor").click()
    page.get_by_label("Full name").fill("Farah Ismail")
    page.get_by_label("E-mail").fill("farah@iskandar.gov.my")
    page.get_by_label("Organisation").fill("Iskandar Regional Development Authority")
    page.get_by_role("button", name="Register").click()
    # The required pillar question was not answered: an inline message, nothing saved.
    assert page.get_by_text("This question needs an answer.").is_visible()
    screenshot(page, "registration-form-errors")
    page.get_by_label("Which pillar interests you most?").select_option("AI Cities")
    page.get_by_role("button", name="Register").click()
    assert page.get_by_test_id("status").inner_text() == "Confirmed"
    assert page.get_by_role("link", name="Download badge (PDF)").is_visible()
    screenshot(page, "registration-mine")


def test_paid_pass_without_stripe_shows_bank_transfer_details(page, live_server):
    page.goto(live_server.url + "/events/scekl25/register/DELEGATE")
    page.get_by_label("Full name").fill("Rajesh Subramaniam")
    page.get_by_label("E-mail").fill("rajesh@cyberview.com.my")
    page.get_by_label("Which pillar interests you most?").select_option("AI Cities")
    page.get_by_role("button", name="Continue to payment").click()
    details = page.get_by_test_id("bank-details")
    assert "Maybank Berhad" in details.inner_text() and "RM350.00" in details.inner_text()
    screenshot(page, "registration-invoice")


def test_organiser_defines_a_pass_and_manages_registrations(page, live_server):
    login(page, live_server, "organiser@demo.expo.my")
    page.goto(live_server.url + "/events/scekl25/manage/passes")
    page.get_by_label("Code").fill("STUDENT")
    page.locator("#name").fill("Student")
    page.get_by_label("Price (e.g. 350.00; 0 = free)").fill("50")
    page.get_by_label("Capacity").fill("150")
    page.get_by_role("button", name="Create pass type").click()
    assert page.get_by_text("Pass type “Student” created.").is_visible()
    screenshot(page, "registration-passes")
    page.goto(live_server.url + "/events/scekl25/manage/registrations?status=awaiting_approval")
    first = page.get_by_role("button", name="Approve").first
    first.click()
    assert page.get_by_text("approved.").is_visible()
    page.goto(live_server.url + "/events/scekl25/manage/registrations")
    screenshot(page, "registration-attendees")
    page.goto(live_server.url + "/events/scekl25/manage/registration-setup")
    screenshot(page, "registration-setup")


def test_organiser_previews_a_bad_import_and_prints_badges(page, live_server, tmp_path: Path):
    login(page, live_server, "organiser@demo.expo.my")
    page.goto(live_server.url + "/events/scekl25/manage/registrations/import")
    bad = tmp_path / "delegates.csv"
    bad.write_text("email,full_name,pass_type\nok@kl.gov.my,Ok Person,VISITOR\n"
                   "broken,No Email,VISITOR\nx@kl.gov.my,X,NOPASS\n", encoding="utf-8")
    page.get_by_label("CSV file").set_input_files(str(bad))
    page.get_by_role("button", name="Preview").click()
    assert page.get_by_text("2 rows need fixing.").is_visible()
    screenshot(page, "registration-import-preview")
    page.goto(live_server.url + "/events/scekl25/manage/badges")
    page.get_by_role("button", name="Make the PDF").click()
    page.get_by_role("link", name="Download PDF").wait_for()
    screenshot(page, "registration-badges")


def test_head_of_delegation_registers_the_group(page, live_server):
    page.goto(live_server.url + "/events/scekl25/register/VISITOR/delegation")
    page.get_by_label("Delegation name").fill("Philippines — Cebu City")
    page.get_by_label("Country").fill("Philippines")
    for n, (name, email) in enumerate([("Maria Santos", "maria@cebucity.gov.ph"),
                                       ("Jose Reyes", "jose@cebucity.gov.ph")], start=1):
        page.get_by_label(f"Full name {n}").fill(name)
        page.get_by_label(f"E-mail {n}").fill(email)
    page.get_by_label("Which pillar interests you most?").select_option("AI Cities")
    screenshot(page, "registration-delegation-form")
    page.get_by_role("button", name="Register the delegation").click()
    assert page.get_by_text("Your delegation: Philippines — Cebu City").is_visible()
    screenshot(page, "registration-delegation-head")
