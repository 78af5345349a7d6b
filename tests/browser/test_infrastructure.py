"""The browser harness itself: if these fail, every other browser test is meaningless."""

import pytest


@pytest.mark.browser
def test_login_page_renders_in_real_chromium_with_lang_and_skip_link(page):
    page.goto("/login/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", name="Log in").is_visible()
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused.strip() == "Skip to content"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("", "none"), "keyboard focus must be visible"
    box = page.evaluate("document.activeElement.getBoundingClientRect().left")
    assert box >= 0, "the skip link must come on screen when focused"


@pytest.mark.browser
def test_caseworker_logs_in_and_reaches_the_caseload(log_in, caseworker):
    page = log_in(caseworker)
    assert page.get_by_role("heading", name="Caseload").is_visible()
