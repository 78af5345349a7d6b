"""Whole journeys in a real Chromium: what a caseworker, a supervisor and a survivor do."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from northstar.core.actor import Actor
from northstar.survivors import actions
from northstar.survivors.models import Consent

pytestmark = pytest.mark.browser


def test_caseworker_completes_a_whole_intake_and_can_leave_and_resume_it(log_in, caseworker):
    page = log_in(caseworker)
    page.get_by_role("link", name="Start an intake").first.click()
    expect(page.get_by_role("heading", name="Survivor", exact=True)).to_be_visible()
    page.get_by_label("Given name").fill("Demo Aye")
    page.get_by_label("Family name").fill("Fictional")
    page.get_by_label("Birth year").fill("2000")
    page.get_by_label("Nationality").select_option("MM")
    page.get_by_label("Languages spoken").select_option(["my"])
    page.get_by_label("Preferred language").select_option("my")
    page.get_by_role("button", name="Save and continue").click()

    expect(page.get_by_role("heading", name="Consent", exact=True)).to_be_visible()
    expect(page).to_have_url(re.compile(r"/intake/\d+/consent/$"))
    for purpose, answer in (("case_management", "yes"), ("statistics", "yes"),
                            ("research", "no"), ("law_enforcement_sharing", "no"),
                            ("advocacy", "no")):
        page.check(f"input[name=purpose_{purpose}][value={answer}]")
    page.get_by_label("Method").select_option("verbal")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("heading", name="Screening", exact=True)).to_be_visible()

    # Leave half-way: the intake waits in the list and resumes at the screening step.
    page.get_by_role("link", name="Caseload").click()
    page.get_by_role("link", name=re.compile("intake in progress")).click()
    page.locator("table a[href^='/intake/']").first.click()
    expect(page.get_by_role("heading", name="Screening", exact=True)).to_be_visible()

    page.check("input[name=forms_of_exploitation][value=labour]")
    page.check("input[name=sectors][value=fishing]")
    page.get_by_label("Country of origin").select_option("MM")
    page.get_by_label("Country of destination").select_option("TH")
    page.select_option("select[name=coercion]", "high")
    for name, value in (("s-act", "recruitment"), ("s-means", "deception"),
                        ("s-purpose", "forced_labour")):
        page.check(f"input[name='{name}'][value={value}]")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_text("Screening result: Human trafficking")).to_be_visible()
    page.get_by_role("link", name="Continue", exact=True).click()

    expect(page.get_by_role("heading", name="Priorities", exact=True)).to_be_visible()
    page.select_option("select[name=rank_monetary_support]", "1")
    page.select_option("select[name=rank_safety_self_and_others]", "2")
    page.select_option("select[name=rank_healing]", "2")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_text("this one is taken")).to_be_visible()  # shown next to the field
    page.select_option("select[name=rank_healing]", "3")
    page.get_by_label("In the survivor's own words").fill("Send money home to my mother")
    page.get_by_role("button", name="Save and continue").click()

    expect(page.get_by_role("heading", name="Pathway options")).to_be_visible()
    page.get_by_role("button", name="Show the options").click()
    page.check("input[name=intervention][value=state_compensation]")
    page.check("input[name=intervention][value=trauma_informed_support]")
    page.get_by_role("button", name="Add to the plan and continue").click()

    expect(page.get_by_role("heading", name="Plan", exact=True)).to_be_visible()
    expect(page.get_by_text("State compensation").first).to_be_visible()
    page.get_by_role("button", name="Finish the intake").click()
    expect(page).to_have_url(re.compile(r"/cases/\d+/$"))
    expect(page.get_by_text("Intake complete")).to_be_visible()


def test_supervisor_sees_an_open_do_no_harm_finding_on_the_case(log_in, supervisor, caseworker,
                                                                 case_a):
    from northstar.safeguards.actions import record_findings

    findings = record_findings(Actor.for_user(caseworker, "web"), case_a, action="detain",
                               context={}, source="check")
    assert findings, "the safeguards rules no longer fire for detention"
    page = log_in(supervisor)
    page.goto(f"/cases/{case_a.pk}/")
    finding = page.get_by_text(findings[0].explanation[:60]).first
    expect(finding).to_be_visible()


def test_survivor_withdraws_consent_in_the_portal_then_quick_exits_and_caseworker_sees_it(
        page, chromium, live_server, survivor_a, caseworker):
    from northstar.portal.actions import set_pin
    from northstar.portal.views import EXIT_URL

    actor = Actor.for_user(caseworker, "web")
    actions.record_consent(actor, survivor_a, purpose="case_management", language="km",
                           method="verbal")
    actions.record_consent(actor, survivor_a, purpose="statistics", language="km",
                           method="verbal")
    set_pin(actor, survivor_a, pin="402719")
    # The closed network has no outside sites: answer the harmless exit page ourselves.
    page.context.route(re.compile(re.escape(EXIT_URL.split("?")[0]) + ".*"),
                       lambda route: route.fulfill(status=200, content_type="text/html",
                                                   body="<title>Weather</title><p>Sunny</p>"))

    page.goto("/portal/")
    body = page.locator("body").inner_text().lower()
    assert "trafficking" not in body and "victim" not in body  # neutral first screen
    page.fill("#reference", survivor_a.reference)
    page.fill("#pin", "402719")
    page.click("#sign-in")
    page.click("#menu-choices")
    page.click("#consent-statistics-withdraw")
    expect(page.locator("#consent-statistics")).to_have_attribute("data-status", "withdrawn")

    page.click("#quick-exit")
    expect(page).to_have_url(EXIT_URL)
    page.goto("/portal/home/")
    expect(page.locator("#sign-in-form")).to_be_visible()  # the session ended with the exit

    consent = Consent.objects.get(survivor=survivor_a, purpose="statistics")
    assert consent.withdrawn_at is not None
    staff = chromium.new_context(base_url=live_server.url)
    try:
        tab = staff.new_page()
        tab.goto("/login/")
        from tests.conftest import PASSWORD

        tab.get_by_label("Username").fill(caseworker.get_username())
        tab.get_by_label("Password").fill(PASSWORD)
        tab.get_by_role("button", name="Log in").click()
        tab.goto(f"/survivors/{survivor_a.pk}/")
        row = tab.locator("tr", has_text="Anonymous statistics")
        expect(row).to_contain_text("withdrawn")
        expect(row).to_contain_text("the survivor (portal)")
    finally:
        staff.close()


def test_switching_to_khmer_shows_khmer_text_to_caseworker_and_survivor(log_in, caseworker):
    page = log_in(caseworker)
    page.select_option("#lang-select", "km")
    page.get_by_role("button", name="Change language").click()
    expect(page.locator("html")).to_have_attribute("lang", "km")
    expect(page.locator("a.skip")).to_have_text("រំលងទៅខ្លឹមសារ")

    page.goto("/portal/")
    page.click("#lang-km")
    expect(page.locator("html")).to_have_attribute("lang", "km")
    heading = page.locator("h1").inner_text()
    assert any("\u1780" <= ch <= "\u17ff" for ch in heading), heading


def test_the_intake_works_without_javascript(chromium, live_server, caseworker):
    """Plain forms and redirects: a phone with scripts off can still record a survivor."""
    from tests.conftest import PASSWORD

    context = chromium.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto("/login/")
        page.get_by_label("Username").fill(caseworker.get_username())
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.goto("/intake/new/")
        page.get_by_label("Given name").fill("Demo Lan")
        page.get_by_label("Nationality").select_option("VN")
        page.get_by_label("Preferred language").select_option("vi")
        page.get_by_role("button", name="Save and continue").click()
        expect(page.get_by_role("heading", name="Consent", exact=True)).to_be_visible()
        page.check("input[name=purpose_case_management][value=no]")
        page.get_by_role("button", name="Save and continue").click()
        expect(page.get_by_text("Without consent to case management")).to_be_visible()
        expect(page.locator("html")).to_have_attribute("lang", "en")
    finally:
        context.close()


def test_save_and_finish_later_keeps_a_half_typed_survivor_for_the_next_visit(log_in, caseworker):
    page = log_in(caseworker)
    page.goto("/intake/new/")
    page.get_by_label("Given name").fill("Demo Kham")
    page.get_by_label("Phone").fill("+856 20 000 000")
    page.get_by_role("button", name="Save and finish later").click()
    expect(page).to_have_url(re.compile(r"/intake/$"))
    expect(page.get_by_text("Saved. The intake is in your list")).to_be_visible()
    page.get_by_role("link", name=re.compile("New survivor")).click()
    expect(page.get_by_label("Given name")).to_have_value("Demo Kham")
    expect(page.get_by_label("Phone")).to_have_value("+856 20 000 000")


def test_keyboard_order_follows_the_page(page):
    page.goto("/login/")
    order = []
    for _ in range(8):
        page.keyboard.press("Tab")
        order.append(page.evaluate(
            "document.activeElement.id || document.activeElement.textContent.trim()"))
    assert order[0] == "Skip to content"
    assert order.index("id_username") < order.index("id_password") < order.index("Log in")
