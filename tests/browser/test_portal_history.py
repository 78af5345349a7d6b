"""Quick exit leaves no portal page behind: the back button never returns to the portal."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from northstar.core.actor import Actor
from northstar.survivors import actions

BEFORE = "https://news.example/today"


def _outside_sites(page, exit_url: str) -> None:
    # The closed network has no outside sites: answer the page she came from and the
    # harmless exit page ourselves.
    def answer(title):
        return lambda route: route.fulfill(status=200, content_type="text/html",
                                           body=f"<title>{title}</title><p>{title}</p>")

    for url, title in ((BEFORE, "News"), (exit_url, "Weather")):
        page.context.route(re.compile(re.escape(url.split("?")[0]) + ".*"), answer(title))


def test_after_quick_exit_going_back_shows_no_portal_page(page, live_server, survivor_a,
                                                           caseworker):
    from northstar.portal.actions import set_pin
    from northstar.portal.views import EXIT_URL

    actor = Actor.for_user(caseworker, "web")
    actions.record_consent(actor, survivor_a, purpose="statistics", language="km",
                           method="verbal")
    set_pin(actor, survivor_a, pin="402719")
    _outside_sites(page, EXIT_URL)

    page.goto(BEFORE)
    page.goto(f"{live_server.url}/portal/")
    page.fill("#reference", survivor_a.reference)
    page.fill("#pin", "111111")  # a wrong PIN first: the error answer is a page too
    page.click("#sign-in")
    expect(page.locator("#sign-in-error")).to_be_visible()
    page.fill("#reference", survivor_a.reference)
    page.fill("#pin", "402719")
    page.click("#sign-in")
    page.click("#menu-choices")
    page.click("#consent-statistics-withdraw")
    expect(page.locator("#consent-statistics")).to_have_attribute("data-status", "withdrawn")

    page.click("#quick-exit")
    expect(page).to_have_url(EXIT_URL)
    page.go_back()
    assert "/portal/" not in page.url, f"back from the exit page shows a portal page: {page.url}"
    expect(page).to_have_title("News")
