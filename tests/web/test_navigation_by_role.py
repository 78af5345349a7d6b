"""Each role finds its own work from the navigation, and nothing beyond it."""

import pytest


@pytest.mark.parametrize("role,present,absent", [
    ("caseworker", ["/referrals/", "/compensation/fund/"], ["/audit/", "/compensation/figures/"]),
    ("supervisor", ["/audit/", "/compensation/figures/", "/referrals/"], []),
    ("researcher", ["/compensation/figures/"], ["/referrals/", "/audit/", "/intake/"]),
    ("org_admin", ["/compensation/fund/", "/compensation/figures/", "/portal/staff/translations/"], ["/audit/", "/intake/"]),
])
def test_the_navigation_offers_each_role_its_own_pages(client, users, role, present, absent):
    client.force_login(users[("a", role)])
    body = client.get("/").content.decode()
    nav = body.split('aria-label="Main"', 1)[1].split("</nav>", 1)[0]
    for url in present:
        assert f'href="{url}' in nav, (role, url)
    for url in absent:
        assert f'href="{url}' not in nav, (role, url)


def test_a_researcher_is_told_they_see_figures_only(client, users, survivor_a):
    client.force_login(users[("a", "researcher")])
    body = client.get("/").content.decode()
    assert "aggregate, privacy-safe figures only" in body
    assert survivor_a.reference not in body
