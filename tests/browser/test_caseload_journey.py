"""A caseworker's casework on a phone (375 px) with scripts off: correct a nationality,
give the case to a colleague, close it with a reason — and none of the casework pages is
wider than the phone (issue 14)."""

from __future__ import annotations

from playwright.sync_api import expect

from northstar.core.roles import Role
from northstar.survivors.models import Case, StatusChange, Survivor
from tests.browser.test_organisation_journey import _no_sideways_scroll


def _log_in(page, user):
    from tests.conftest import PASSWORD

    page.goto("/login/")
    page.get_by_label("Username").fill(user.get_username())
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/login/" not in url)


def test_a_caseworker_corrects_reassigns_and_closes_on_a_phone_without_javascript(
        chromium, live_server, users, case_a):
    caseworker, colleague = users[("a", Role.CASEWORKER)], users[("a", Role.LEGAL_OFFICER)]
    context = chromium.new_context(base_url=live_server.url, java_script_enabled=False,
                                   viewport={"width": 375, "height": 800})
    try:
        page = context.new_page()
        _log_in(page, caseworker)
        page.goto(f"/survivors/{case_a.survivor_id}/")
        page.get_by_role("link", name="Correct the record").click()
        page.get_by_label("Nationality").select_option("MM")
        page.get_by_role("button", name="Save the correction").click()
        page.wait_for_url(f"**/survivors/{case_a.survivor_id}/")
        assert Survivor.objects.get(pk=case_a.survivor_id).nationality == "MM"
        page.goto(f"/cases/{case_a.pk}/")
        page.get_by_label("Give the case to").select_option(str(colleague.pk))
        page.get_by_role("button", name="Assign").click()
        page.wait_for_url(f"**/cases/{case_a.pk}/")
        page.get_by_role("link", name="Close the case").click()
        page.get_by_label("The survivor's goals were met").check()
        page.get_by_role("button", name="Close the case").click()
        expect(page.get_by_role("link", name="Reopen the case")).to_be_visible()
        case_a.refresh_from_db()
        assert case_a.caseworker == colleague and case_a.status == "closed"
        assert StatusChange.objects.get(case=case_a).reason == "goals_met"
    finally:
        context.close()
    measuring = chromium.new_context(base_url=live_server.url,
                                     viewport={"width": 375, "height": 800})
    try:
        page = measuring.new_page()
        _log_in(page, caseworker)
        case = Case.objects.get(pk=case_a.pk)
        # On the case page, the casework section and the tasks card (other apps' panels
        # are measured by their own tests).
        page.goto(f"/cases/{case.pk}/")
        wide = page.evaluate("""[...document.querySelectorAll(
            '.casework, .casework *, [data-panel=case_tasks], [data-panel=case_tasks] *')]
            .filter(e => e.getBoundingClientRect().right > 375.5).map(e => e.tagName)""")
        assert not wide, wide
        for url in (f"/survivors/{case.survivor_id}/edit/", f"/cases/{case.pk}/edit/",
                    f"/cases/{case.pk}/reopen/", f"/cases/{case.pk}/transfer/",
                    "/transfers/", "/justice/tasks/"):
            _no_sideways_scroll(page, url)
    finally:
        measuring.close()
