"""API tokens expire and carry a scope; passwords must be long and not all digits."""

import datetime as dt

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils import timezone

from northstar.core.models import ApiToken
from northstar.core.tokens import issue_token
from tests.conftest import PASSWORD


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def bearer(raw):
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_a_token_expires_after_the_configured_days(api, caseworker, settings):
    r = api().post("/api/v1/auth/token", {"username": caseworker.username, "password": PASSWORD})
    token = ApiToken.objects.get(pk=r.json()["id"])
    expected = timezone.now() + dt.timedelta(days=settings.NORTHSTAR_TOKEN_DAYS)
    assert abs(token.expires_at - expected) < dt.timedelta(minutes=1)
    assert settings.NORTHSTAR_TOKEN_DAYS == 30


def test_an_expired_token_answers_401(api, caseworker):
    token, raw = issue_token(caseworker, name="old laptop")
    assert api().get("/api/v1/me", **bearer(raw)).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert api().get("/api/v1/me", **bearer(raw)).status_code == 401
    assert api().get("/api/v1/survivors", **bearer(raw)).status_code == 401


def test_a_read_token_reads_but_may_not_write(api, caseworker, survivor_a):
    _, raw = issue_token(caseworker, scope="read")
    assert api().get(f"/api/v1/survivors/{survivor_a.pk}", **bearer(raw)).status_code == 200
    assert api().post("/api/v1/survivors", {"given_name": "X"}, **bearer(raw)).status_code == 403
    assert api().patch(f"/api/v1/survivors/{survivor_a.pk}", {"version": 1},
                       **bearer(raw)).status_code == 403


def test_a_write_token_may_write(api, caseworker):
    _, raw = issue_token(caseworker, scope="write")
    # Reaches the schema check (422), past the scope check.
    assert api().post("/api/v1/survivors", {"nonsense": 1}, **bearer(raw)).status_code == 422


def test_tokens_from_the_endpoint_are_read_only_unless_write_is_asked_for(api, caseworker):
    body = {"username": caseworker.username, "password": PASSWORD}
    assert api().post("/api/v1/auth/token", body).json()["scope"] == "read"
    assert api().post("/api/v1/auth/token", {**body, "scope": "write"}).json()["scope"] == "write"
    assert api().post("/api/v1/auth/token", {**body, "scope": "admin"}).status_code == 422


def test_a_read_token_may_still_revoke_itself(api, caseworker):
    token, raw = issue_token(caseworker, scope="read")
    assert api().post(f"/api/v1/auth/tokens/{token.pk}/revoke", **bearer(raw)).status_code == 200
    assert api().get("/api/v1/me", **bearer(raw)).status_code == 401


@pytest.mark.parametrize("password, code", [
    ("87654329", "password_entirely_numeric"),
    ("87654329", "password_too_short"),
    ("8765432912345", "password_entirely_numeric"),
    ("Sunshine1", "password_too_short"),
    ("password1234", "password_too_common"),
])
def test_weak_passwords_are_refused(password, code):
    with pytest.raises(ValidationError) as exc:
        validate_password(password)
    assert code in {e.code for e in exc.value.error_list}


def test_a_long_passphrase_is_accepted():
    validate_password("mango river lantern 42")
