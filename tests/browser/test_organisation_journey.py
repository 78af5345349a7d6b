"""An org admin's journey on a phone (375 px) with scripts off: add a person, change their
role, deactivate them — and no organisation page's content is wider than the phone (issue 14)."""

from __future__ import annotations

from playwright.sync_api import expect

from northstar.core.models import AuditEntry
from northstar.core.roles import Role

PAGES = ("/organisation/", "/organisation/profile/", "/organisation/provider/",
         "/organisation/services/", "/organisation/services/new/", "/organisation/people/",
         "/organisation/people/new/")


def _no_sideways_scroll(page, url):
    """Nothing in the page's content reaches past 375 px. (The shared header is measured
    by the header's own tests: with every link an org admin has, its nav is wider.)"""
    page.goto(url)
    wide = page.evaluate("""[...document.querySelectorAll('main, main *')].filter(
        e => e.getBoundingClientRect().right > 375.5).map(
        e => e.tagName + '#' + e.id + ' ' + Math.round(e.getBoundingClientRect().right))""")
    assert not wide, (url, wide)


def test_an_org_admin_adds_a_person_on_a_phone_without_javascript(chromium, live_server, users):
    from django.contrib.auth import get_user_model

    from tests.conftest import PASSWORD

    admin = users[("a", Role.ORG_ADMIN)]
    # Scripts off for the journey; a second context with scripts on only measures widths.
    context = chromium.new_context(base_url=live_server.url, java_script_enabled=False,
                                   viewport={"width": 375, "height": 800})
    try:
        page = context.new_page()
        page.goto("/login/")
        page.get_by_label("Username").fill(admin.get_username())
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.goto("/")
        page.get_by_text("Menu", exact=True).click()  # on a phone the links are in the menu
        page.get_by_role("link", name="Organisation", exact=True).click()
        page.get_by_role("link", name="Add a person").click()
        page.get_by_label("Username").fill("dara.sok")
        page.get_by_label("First name").fill("Dara")
        page.get_by_label("Role").select_option("caseworker")
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_role("heading", name="dara.sok is added")).to_be_visible()
        first_password = page.locator("#one-time-password strong code").inner_text()
        user = get_user_model().objects.get(username="dara.sok")
        assert user.check_password(first_password)
        page.goto("/organisation/people/")
        page.get_by_role("link", name="dara.sok").click()
        page.get_by_label("Role").select_option("legal_officer")
        page.get_by_role("button", name="Change the role").click()
        expect(page.get_by_text("The role is changed.")).to_be_visible()
        page.get_by_role("button", name="Deactivate").click()
        expect(page.get_by_text("Deactivated.")).to_be_visible()
        user.refresh_from_db()
        assert user.membership.role == Role.LEGAL_OFFICER and user.is_active is False
        assert AuditEntry.objects.filter(record_type__in=("membership", "user")).count() == 3
    finally:
        context.close()
    measuring = chromium.new_context(base_url=live_server.url,
                                     viewport={"width": 375, "height": 800})
    try:
        page = measuring.new_page()
        page.goto("/login/")
        page.get_by_label("Username").fill(admin.get_username())
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(lambda url: "/login/" not in url)
        for url in (*PAGES, f"/organisation/people/{user.membership.pk}/"):
            _no_sideways_scroll(page, url)
    finally:
        measuring.close()
