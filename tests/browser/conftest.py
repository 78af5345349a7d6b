"""Real-browser fixtures: Debian's Chromium driven by Playwright against a live server.

One browser per test session (it is the slow part); a fresh context (cookies,
storage) per test. A failed test leaves a screenshot in ``var/browser-failures/``.
Without ``/usr/bin/chromium`` the browser tests are skipped loudly, or fail when
``NORTHSTAR_REQUIRE_BROWSER=1`` (CI sets it, so a missing browser cannot pass
silently).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django refuses ORM
# calls from a thread with a running loop unless told the caller knows.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

#: Debian's Chromium; ``NORTHSTAR_CHROMIUM`` points elsewhere on other systems.
CHROMIUM = Path(os.environ.get("NORTHSTAR_CHROMIUM", "/usr/bin/chromium"))
#: Flags for a closed network: no phoning home, no QUIC, no GPU, no sandbox (containers).
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
FAILURES_DIR = Path(__file__).resolve().parents[2] / "var" / "browser-failures"
BANNER = (
    "\n" + "!" * 72 + "\n"
    f"!! No Chromium at {CHROMIUM}: the browser tests are SKIPPED.\n"
    "!! Install it with: apt-get install chromium fonts-noto-core fonts-noto-cjk\n"
    + "!" * 72 + "\n"
)


def pytest_collection_modifyitems(config, items):
    browser_items = [i for i in items if "tests/browser/" in i.nodeid.replace(os.sep, "/")]
    for item in browser_items:
        item.add_marker(pytest.mark.browser)
    if CHROMIUM.exists() or not browser_items:
        return
    if os.environ.get("NORTHSTAR_REQUIRE_BROWSER") == "1":
        raise pytest.UsageError(BANNER + "NORTHSTAR_REQUIRE_BROWSER=1: refusing to skip them.")
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(BANNER, red=True, bold=True)
    for item in browser_items:
        item.add_marker(pytest.mark.skip(reason=f"no Chromium at {CHROMIUM}"))


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=15_000)  # a slow shared machine, not a performance check

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS,
                                     headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, live_server, request):
    """A fresh browser tab with its own cookies; screenshot kept if the test fails."""
    context = chromium.new_context(base_url=live_server.url, locale="en-GB",
                                   viewport={"width": 1000, "height": 800})
    context.set_default_timeout(15_000)
    tab = context.new_page()
    yield tab
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        FAILURES_DIR.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)[-150:]
        try:
            tab.screenshot(path=str(FAILURES_DIR / f"{name}.png"), full_page=True)
        except Exception as exc:  # noqa: BLE001 - a failed screenshot must not hide the failure
            print(f"could not save failure screenshot: {exc}")
    context.close()


@pytest.fixture
def log_in(page):
    """Log in through the real form, as a person would."""
    from tests.conftest import PASSWORD

    def do(user):
        page.goto("/login/")
        page.get_by_label("Username").fill(user.get_username())
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(lambda url: "/login/" not in url)
        return page

    return do
