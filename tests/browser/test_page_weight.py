"""Every main page fits the 100 KB budget on a first visit, as the browser receives it.

A size check, not a timing: bytes counted from Chromium's own network events
(``encodedDataLength``: headers and body as transferred) for a cold tab. The
test server sends static files uncompressed (whitenoise compresses them in
production), so this is stricter than what a phone downloads.
"""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

BUDGET = 100 * 1024


def transferred_bytes(chromium, base_url: str, path: str, storage_state=None) -> tuple[int, int]:
    context = chromium.new_context(base_url=base_url, storage_state=storage_state)
    try:
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        sizes: dict[str, int] = {}
        cdp.on("Network.loadingFinished",
               lambda e: sizes.__setitem__(e["requestId"], int(e["encodedDataLength"])))
        response = page.goto(path, wait_until="load")
        assert response is not None and response.status == 200, (path, response and response.status)
        page.wait_for_function("document.readyState === 'complete'")
        page.evaluate("() => new Promise(r => requestAnimationFrame(() => r()))")
        return sum(sizes.values()), len(sizes)
    finally:
        context.close()


def test_every_main_page_is_within_100_kb_on_first_load(chromium, live_server, case_a,
                                                       caseworker):
    from northstar.core.actor import Actor
    from northstar.portal.actions import set_pin

    set_pin(Actor.for_user(caseworker, "web"), case_a.survivor, pin="402719")
    login = chromium.new_context(base_url=live_server.url)
    tab = login.new_page()
    tab.goto("/login/")
    tab.get_by_label("Username").fill(caseworker.get_username())
    tab.get_by_label("Password").fill(PASSWORD)
    tab.get_by_role("button", name="Log in").click()
    tab.wait_for_url(lambda url: "/login/" not in url)
    staff = login.storage_state()
    login.close()

    pages = {
        "log-in": ("/login/", None),
        "caseload": ("/", staff),
        "survivor": (f"/survivors/{case_a.survivor.pk}/", staff),
        "case": (f"/cases/{case_a.pk}/", staff),
        "new intake": ("/intake/new/", staff),
        "intakes": ("/intake/", staff),
        "portal sign-in": ("/portal/", None),
    }
    weights = {name: transferred_bytes(chromium, live_server.url, path, state)
               for name, (path, state) in pages.items()}
    print({k: f"{v[0] / 1024:.1f} KB / {v[1]} requests" for k, v in weights.items()})
    for name, (size, requests) in weights.items():
        assert requests >= 2 or name == "portal sign-in", f"{name}: CSS/JS not loaded? {requests}"
        assert 0 < size <= BUDGET, f"{name}: {size} bytes transferred, budget {BUDGET}"
    # The budget includes the shared CSS and htmx: one page must really have carried them.
    assert weights["caseload"][0] > 20 * 1024, weights
