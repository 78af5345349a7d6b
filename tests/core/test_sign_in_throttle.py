"""Wrong passwords lock the account and the address for a while (django-axes), on the log-in
page, the admin's log-in and the API token endpoint; X-Forwarded-For is believed only when
our own proxy wrote it."""

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client, RequestFactory

from northstar.core.models import ApiToken
from northstar.core.signin import AddressRateThrottle, client_address
from tests.conftest import PASSWORD

LIMIT = django_settings.AXES_FAILURE_LIMIT


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """The token endpoint's per-minute throttle lives in the cache, shared by all tests."""
    cache.clear()
    yield
    cache.clear()


def _log_in(client, username, password, path="/login/"):
    return client.post(path, {"username": username, "password": password})


def test_the_right_password_after_many_wrong_ones_does_not_open_the_log_in_page(caseworker):
    client = Client()
    for _ in range(LIMIT):
        _log_in(client, caseworker.username, "wrong password 123")
    response = _log_in(client, caseworker.username, PASSWORD)
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert client.get("/").status_code == 302  # still not signed in


def test_the_account_is_locked_whatever_address_the_guesses_come_from(caseworker):
    for i in range(LIMIT):
        _log_in(Client(REMOTE_ADDR=f"198.51.100.{i}"), caseworker.username, "wrong password 123")
    assert _log_in(Client(REMOTE_ADDR="192.0.2.1"), caseworker.username,
                   PASSWORD).status_code == 429


def test_one_address_guessing_many_accounts_is_locked_even_for_a_right_password(users, caseworker):
    for i in range(LIMIT):
        _log_in(Client(REMOTE_ADDR="203.0.113.9"), f"nobody{i}", "wrong password 123")
    assert _log_in(Client(REMOTE_ADDR="203.0.113.9"), caseworker.username,
                   PASSWORD).status_code == 429
    # The same person from elsewhere is not affected by that address.
    assert _log_in(Client(REMOTE_ADDR="192.0.2.2"), caseworker.username,
                   PASSWORD).status_code == 302


def test_a_few_mistakes_then_the_right_password_signs_in(caseworker):
    client = Client()
    for _ in range(LIMIT - 2):
        _log_in(client, caseworker.username, "wrong password 123")
    assert _log_in(client, caseworker.username, PASSWORD).status_code == 302
    assert client.get("/").status_code == 200


def test_the_admin_log_in_is_locked_too(db):
    get_user_model().objects.create_superuser("operator", password=PASSWORD)
    client = Client()
    for _ in range(LIMIT):
        _log_in(client, "operator", "wrong password 123", "/admin/login/")
    response = _log_in(client, "operator", PASSWORD, "/admin/login/")
    assert response.status_code == 429
    assert client.get("/admin/").status_code == 302


def test_the_token_endpoint_locks_and_answers_json(api, caseworker):
    for _ in range(LIMIT):
        api().post("/api/v1/auth/token", {"username": caseworker.username,
                                          "password": "wrong password 123"})
    r = api().post("/api/v1/auth/token", {"username": caseworker.username, "password": PASSWORD})
    assert r.status_code == 429
    assert r.json()["field"] == "username"
    assert "Too many failed sign-in attempts" in r.json()["detail"]
    assert not ApiToken.objects.exists()


def test_varying_x_forwarded_for_does_not_escape_the_address_lock(users, caseworker):
    for i in range(LIMIT):
        _log_in(Client(REMOTE_ADDR="203.0.113.10", HTTP_X_FORWARDED_FOR=f"10.9.{i}.1"),
                f"nobody{i}", "wrong password 123")
    forged = Client(REMOTE_ADDR="203.0.113.10", HTTP_X_FORWARDED_FOR="10.200.200.200")
    assert _log_in(forged, caseworker.username, PASSWORD).status_code == 429


def test_varying_x_forwarded_for_does_not_escape_the_token_endpoint_rate_limit(db):
    throttle = AddressRateThrottle("30/m")
    rf = RequestFactory()
    idents = {throttle.get_ident(rf.post("/api/v1/auth/token", REMOTE_ADDR="203.0.113.11",
                                         HTTP_X_FORWARDED_FOR=f"10.0.0.{i}"))
              for i in range(5)}
    assert idents == {"203.0.113.11"}


def test_behind_our_own_proxy_the_address_it_saw_is_used(settings):
    rf = RequestFactory()
    settings.NORTHSTAR_TRUSTED_PROXY_COUNT = 0
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7")
    assert client_address(request) == "10.0.0.1"
    settings.NORTHSTAR_TRUSTED_PROXY_COUNT = 1
    assert client_address(request) == "203.0.113.7"  # not the made-up 6.6.6.6
    settings.NORTHSTAR_TRUSTED_PROXY_COUNT = 2
    assert client_address(request) == "6.6.6.6"
    assert client_address(rf.get("/", REMOTE_ADDR="10.0.0.1")) == "10.0.0.1"


def test_behind_a_proxy_people_at_other_addresses_are_not_locked(settings, users, caseworker):
    settings.NORTHSTAR_TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    for i in range(LIMIT):
        _log_in(Client(**proxy, HTTP_X_FORWARDED_FOR="203.0.113.50"), f"nobody{i}",
                "wrong password 123")
    assert _log_in(Client(**proxy, HTTP_X_FORWARDED_FOR="203.0.113.50"), caseworker.username,
                   PASSWORD).status_code == 429
    assert _log_in(Client(**proxy, HTTP_X_FORWARDED_FOR="198.51.100.77"), caseworker.username,
                   PASSWORD).status_code == 302
