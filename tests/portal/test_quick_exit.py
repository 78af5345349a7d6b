import pytest
from django.test import Client

from northstar.core.models import AuditEntry
from northstar.portal.session import COOKIE_NAME
from northstar.portal.views import EXIT_URL

pytestmark = pytest.mark.django_db

PAGES = ["/portal/", "/portal/home/", "/portal/plan/", "/portal/rights/", "/portal/money/",
         "/portal/choices/"]


def test_every_portal_page_has_a_quick_exit_and_is_never_cached(survivor_a, portal_client):
    client = portal_client(survivor_a)
    for url in PAGES[1:]:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert 'id="quick-exit"' in html and 'href="/portal/exit/"' in html, url
        assert "no-store" in response["Cache-Control"], url
    sign_in = Client().get("/portal/")
    assert 'id="quick-exit"' in sign_in.content.decode()


def test_quick_exit_without_javascript_clears_the_session_and_leaves(survivor_a, portal_client):
    client = portal_client(survivor_a)
    response = client.get("/portal/exit/")
    assert response.status_code == 302
    assert response["Location"] == EXIT_URL
    assert client.cookies[COOKIE_NAME].value == ""  # cookie deleted
    assert client.get("/portal/home/").status_code == 302
    assert AuditEntry.objects.filter(note="left with quick exit",
                                     survivor_ref=survivor_a.reference).exists()


def test_quick_exit_beacon_post_ends_the_session_even_without_csrf(survivor_a, portal_client):
    client = portal_client(survivor_a)
    client.handler.enforce_csrf_checks = True
    cookie = client.cookies[COOKIE_NAME].value
    assert client.post("/portal/exit/").status_code == 302
    stale = Client()
    stale.cookies[COOKIE_NAME] = cookie
    assert stale.get("/portal/home/").status_code == 302  # the old key no longer opens anything


def test_the_quick_exit_script_replaces_history(survivor_a):
    from pathlib import Path

    import northstar.portal

    script = (Path(northstar.portal.__file__).parent / "static/portal/portal.js").read_text()
    assert "location.replace" in script
    assert "sendBeacon" in script


def test_the_caseworker_sees_quick_exits_on_the_survivor_page(survivor_a, portal_client,
                                                              caseworker):
    portal_client(survivor_a).get("/portal/exit/")
    staff = Client()
    staff.force_login(caseworker)
    html = staff.get(f"/survivors/{survivor_a.pk}/").content.decode()
    assert 'id="panel-portal"' in html
    assert "Left with quick exit 1 time" in html


def test_sign_out_ends_the_session(survivor_a, portal_client):
    client = portal_client(survivor_a)
    assert client.post("/portal/sign-out/").status_code == 302
    assert client.get("/portal/home/").status_code == 302
