"""The outcomes pages on a phone (375 px): the staff read-aloud survey, the case's outcome
page and a check-in, and the survivor's portal survey, none scrolling sideways."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from northstar.outcomes import actions
from northstar.outcomes.models import CheckIn
from northstar.portal import actions as portal_actions
from northstar.survivors import actions as survivors
from northstar.survivors.models import StatusChange
from tests.browser.test_on_a_phone import PHONE, phone  # noqa: F401 - the fixture

PIN = "482913"


def _too_wide(tab, urls) -> dict:
    wide = {}
    for url in urls:
        response = tab.goto(url)
        assert response.status == 200, url
        width = tab.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            wide[url] = width
    return wide


def test_the_staff_outcomes_pages_fit_a_phone(phone, case_a, caseworker, actor_for):  # noqa: F811
    staff = actor_for(caseworker)
    survivor = case_a.survivor
    other = survivors.create_case(staff, survivor, data={"forms_of_exploitation": ["labour"]})
    other = survivors.close_case(staff, other, version=other.version, reason="goals_met")
    StatusChange.objects.filter(case=other).update(at=timezone.now() - dt.timedelta(days=100))
    actions.keep_check_ins()
    check_in = CheckIn.objects.get(case=other, months=3)
    assert not _too_wide(phone, [f"/outcomes/cases/{case_a.pk}/",
                                 f"/outcomes/cases/{case_a.pk}/survey/",
                                 f"/outcomes/check-ins/{check_in.pk}/"])


def test_the_portal_survey_fits_a_phone_in_khmer(chromium, live_server, case_a, caseworker,
                                                 actor_for):
    portal_actions.set_pin(actor_for(caseworker), case_a.survivor, pin=PIN)
    context = chromium.new_context(base_url=live_server.url, viewport=PHONE)
    tab = context.new_page()
    tab.goto("/portal/")
    tab.fill("#reference", case_a.survivor.reference)
    tab.fill("#pin", PIN)
    tab.click("#sign-in")
    tab.wait_for_url(lambda url: "/portal/home/" in url)
    try:
        assert not _too_wide(tab, ["/portal/surveys/",
                                   f"/portal/surveys/answer/?case={case_a.pk}&occasion=intake"])
        assert tab.evaluate("document.documentElement.lang") == "km"
    finally:
        context.close()
