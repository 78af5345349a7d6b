"""Two-factor sign-in (TOTP, django-otp): who must use it, enrolment with a QR code and
recovery codes shown once, the code step after the password, and no way around it
through the API token endpoint."""

import time

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from northstar.core.models import AuditEntry
from northstar.core.two_factor import new_recovery_codes, secret_of
from tests.conftest import PASSWORD


@pytest.fixture(autouse=True)
def _two_factor_on(settings):
    settings.NORTHSTAR_REQUIRE_TWO_FACTOR = True
    # django-otp makes each wrong code wait longer (1 s, 2 s, 4 s…); these tests type a
    # wrong code and then the right one at once. The delay is tested on its own below.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0
    cache.clear()
    yield
    cache.clear()


def code_for(device, offset_steps=0):
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + offset_steps * device.step
    return f"{totp.token():06d}"


def signed_in(user):
    client = Client()
    assert client.post("/login/", {"username": user.username, "password": PASSWORD}
                       ).status_code == 302
    return client


def enrolled(user):
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)


def test_a_supervisor_with_only_a_password_is_sent_to_enrol_before_anything_else(supervisor,
                                                                                 survivor_a):
    client = signed_in(supervisor)
    for path in ("/", f"/survivors/{survivor_a.pk}/", "/audit/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/account/two-factor/")
    assert client.get("/api/v1/survivors").status_code == 403  # the session's API calls too


def test_org_admins_must_enrol_and_caseworkers_need_not_unless_their_organisation_asks(
        users, caseworker, org_a):
    admin = users[("a", "org_admin")]
    assert signed_in(admin).get("/").status_code == 302
    assert signed_in(caseworker).get("/").status_code == 200
    org_a.require_two_factor = True
    org_a.save()
    assert signed_in(caseworker).get("/")["Location"].startswith("/account/two-factor/")


def test_enrolment_shows_a_qr_code_and_the_secret_then_recovery_codes_once(supervisor):
    client = signed_in(supervisor)
    page = client.get("/account/two-factor/")
    assert page.status_code == 200
    html = page.content.decode()
    device = TOTPDevice.objects.get(user=supervisor, confirmed=False)
    assert "<svg" in html and "otpauth" not in html  # the link is only inside the QR image
    assert secret_of(device) in html

    assert client.post("/account/two-factor/", {"code": "000000"}).status_code == 422
    done = client.post("/account/two-factor/", {"code": code_for(device)})
    assert done.status_code == 200
    codes = [t.token for t in StaticToken.objects.filter(device__user=supervisor)]
    assert len(codes) == 10
    assert all(code in done.content.decode() for code in codes)
    assert client.get("/").status_code == 200  # verified in this session
    assert AuditEntry.objects.filter(record_type="two_factor_device", actor=supervisor).exists()
    assert AuditEntry.objects.filter(record_type="two_factor_recovery_codes").exists()
    # Shown once: the enrolment page never shows them again.
    again = client.get("/account/two-factor/").content.decode()
    assert not any(code in again for code in codes)


def test_after_the_password_the_code_is_asked_for_and_a_wrong_one_refused(supervisor):
    device = enrolled(supervisor)
    client = signed_in(supervisor)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/verify/")
    assert client.post("/login/verify/", {"code": "123456", "next": "/"}).status_code == 422
    assert client.get("/").status_code == 302
    ok = client.post("/login/verify/", {"code": code_for(device), "next": "/"})
    assert ok.status_code == 302 and ok["Location"] == "/"
    assert client.get("/").status_code == 200


def test_a_recovery_code_works_once(supervisor, actor_for):
    enrolled(supervisor)
    code = new_recovery_codes(actor_for(supervisor), supervisor)[0]
    first = signed_in(supervisor)
    assert first.post("/login/verify/", {"code": code}).status_code == 302
    assert first.get("/").status_code == 200
    second = signed_in(supervisor)
    assert second.post("/login/verify/", {"code": code}).status_code == 422


def test_the_code_step_does_not_redirect_to_another_site(supervisor):
    device = enrolled(supervisor)
    client = signed_in(supervisor)
    r = client.post("/login/verify/", {"code": code_for(device), "next": "https://evil.example/"})
    assert r.status_code == 302 and "evil.example" not in r["Location"]


def test_the_token_endpoint_wants_the_code_from_people_who_use_two_factor(api, supervisor):
    device = enrolled(supervisor)
    body = {"username": supervisor.username, "password": PASSWORD}
    missing = api().post("/api/v1/auth/token", body)
    assert missing.status_code == 422 and missing.json()["field"] == "otp"
    wrong = api().post("/api/v1/auth/token", {**body, "otp": "000000"})
    assert wrong.status_code == 422
    ok = api().post("/api/v1/auth/token", {**body, "otp": code_for(device)})
    assert ok.status_code == 201


def test_someone_who_must_use_two_factor_and_has_not_enrolled_gets_no_token(api, supervisor,
                                                                           caseworker):
    r = api().post("/api/v1/auth/token", {"username": supervisor.username, "password": PASSWORD})
    assert r.status_code == 403
    assert api().post("/api/v1/auth/token", {"username": caseworker.username,
                                             "password": PASSWORD}).status_code == 201


def test_the_admin_wants_the_code_too(db):
    operator = get_user_model().objects.create_superuser("operator", password=PASSWORD)
    client = Client()
    client.post("/admin/login/", {"username": "operator", "password": PASSWORD})
    assert client.get("/admin/")["Location"].startswith("/account/two-factor/")
    enrolled(operator)
    assert client.get("/admin/")["Location"].startswith("/login/verify/")


def test_wrong_codes_in_a_row_make_the_next_try_wait(settings, supervisor):
    settings.OTP_TOTP_THROTTLE_FACTOR = 1  # django-otp's default
    device = enrolled(supervisor)
    client = signed_in(supervisor)
    for _ in range(3):
        client.post("/login/verify/", {"code": "000000"})
    assert client.post("/login/verify/", {"code": code_for(device)}).status_code == 422
    assert client.get("/").status_code == 302


def test_new_recovery_codes_replace_the_old_ones(supervisor):
    device = enrolled(supervisor)
    client = signed_in(supervisor)
    client.post("/login/verify/", {"code": code_for(device)})
    first = client.post("/account/two-factor/recovery-codes/")
    old = set(StaticToken.objects.values_list("token", flat=True))
    assert first.status_code == 200 and len(old) == 10
    client.post("/account/two-factor/recovery-codes/")
    new = set(StaticToken.objects.values_list("token", flat=True))
    assert len(new) == 10 and not (old & new)
    assert AuditEntry.objects.filter(record_type="two_factor_recovery_codes").count() == 2


def test_recovery_codes_are_not_given_to_a_session_that_has_not_given_a_code(supervisor):
    enrolled(supervisor)
    client = signed_in(supervisor)
    assert client.post("/account/two-factor/recovery-codes/").status_code == 302
    assert not StaticToken.objects.exists()
