"""On a phone (375 px wide): no staff page scrolls sideways, and the timeline's event form
shows only the chosen kind's fields."""

from __future__ import annotations

import pytest

from northstar.screening import actions as screening_actions

PHONE = {"width": 375, "height": 740}


@pytest.fixture
def phone(chromium, live_server, caseworker):
    from tests.conftest import PASSWORD

    context = chromium.new_context(base_url=live_server.url, locale="en-GB", viewport=PHONE)
    context.set_default_timeout(15_000)
    tab = context.new_page()
    tab.goto("/login/")
    tab.get_by_label("Username").fill(caseworker.get_username())
    tab.get_by_label("Password").fill(PASSWORD)
    tab.get_by_role("button", name="Log in").click()
    tab.wait_for_url(lambda url: "/login/" not in url)
    yield tab
    context.close()


def staff_pages(case) -> list[str]:
    c, s = case.pk, case.survivor_id
    return [
        "/", f"/survivors/{s}/", f"/cases/{c}/", "/intake/new/", f"/screening/cases/{c}/",
        f"/pathways/cases/{c}/", f"/pathways/cases/{c}/plan/", f"/justice/cases/{c}/",
        f"/justice/cases/{c}/?kind=hearing", "/justice/tasks/", "/referrals/",
        "/referrals/services/", f"/compensation/cases/{c}/calculator/", f"/safeguards/cases/{c}/",
    ]


def test_every_main_staff_page_fits_375_px_without_sideways_scrolling(
        phone, case_a, caseworker, actor_for):
    screening_actions.screen_case(actor_for(caseworker), case_a, answers={
        "age": 24, "act": ["recruitment"], "means": ["deception"], "purpose": ["forced_labour"]})
    too_wide = {}
    for url in staff_pages(case_a):
        response = phone.goto(url)
        assert response.status == 200, url
        width = phone.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            too_wide[url] = width
    assert not too_wide, too_wide


def test_the_timeline_form_is_short_until_a_kind_is_chosen_and_then_shows_only_that_kind(
        phone, case_a):
    phone.goto(f"/justice/cases/{case_a.pk}/")
    assert phone.locator("#new-event fieldset").count() == 0
    chooser_height = phone.evaluate("document.querySelector('#new-event').offsetHeight")
    phone.get_by_label("What happened").select_option("hearing")
    phone.get_by_role("button", name="Next").click()
    phone.wait_for_url(lambda url: "kind=hearing" in url)
    assert phone.locator("#new-event fieldset").count() == 1
    height = phone.evaluate("document.querySelector('#new-event').offsetHeight")
    # All eleven kinds at once were about 5,300 px tall; one kind is a small part of that.
    assert chooser_height < 400 and height < 2000, (chooser_height, height)
