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
    body = client.get("/", follow=True).content.decode()  # each role's landing page
    nav = body.split('aria-label="Main"', 1)[1].split("</nav>", 1)[0]
    for url in present:
        assert f'href="{url}' in nav, (role, url)
    for url in absent:
        assert f'href="{url}' not in nav, (role, url)


def test_a_researcher_lands_on_the_figures_not_an_empty_caseload(client, users, survivor_a):
    client.force_login(users[("a", "researcher")])
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0] == "/insights/"
    assert survivor_a.reference not in response.content.decode()


@pytest.mark.parametrize("role, landing", [("org_admin", "/organisation/"),
                                           ("council_coordinator", "/engagement/")])
def test_roles_without_records_land_where_they_have_something(client, users, role, landing):
    client.force_login(users[("a", role)])
    assert client.get("/", follow=True).redirect_chain[-1][0] == landing
