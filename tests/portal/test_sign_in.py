import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from northstar.core.models import AuditEntry
from northstar.portal import actions
from northstar.portal.models import CodeBackoff, PortalAccess
from northstar.portal.session import COOKIE_NAME, DEVICE_COOKIE

from .conftest import PIN

pytestmark = pytest.mark.django_db


def _try(client, reference, pin):
    return client.post("/portal/", {"reference": reference, "pin": pin})


def test_sign_in_with_code_and_pin_opens_the_portal_and_is_audited(survivor_a, with_pin):
    with_pin(survivor_a)
    client = Client()
    response = _try(client, survivor_a.reference.lower(), PIN)
    assert response.status_code == 302
    assert client.get("/portal/home/").status_code == 200
    entry = AuditEntry.objects.filter(record_type="portal_sign_in").first()
    assert entry.note == "signed in to the portal"
    assert entry.channel == "portal"
    assert entry.actor_label == f"survivor#{survivor_a.pk}"
    assert entry.survivor_ref == survivor_a.reference


def test_every_failed_attempt_is_audited_and_the_pin_is_never_logged(survivor_a, with_pin):
    with_pin(survivor_a)
    _try(Client(), survivor_a.reference, "111222")
    _try(Client(), "NOPE-999999", "111222")
    notes = list(AuditEntry.objects.filter(record_type="portal_sign_in")
                 .values_list("note", flat=True))
    assert "sign-in failed: wrong PIN (1 in a row)" in notes
    assert "sign-in failed: unknown code (1 in a row)" in notes
    for entry in AuditEntry.objects.all():
        assert "111222" not in entry.note and PIN not in entry.note


def test_the_pin_is_stored_only_as_a_hash(survivor_a, with_pin):
    with_pin(survivor_a)
    access = PortalAccess.objects.get(survivor=survivor_a)
    assert PIN not in access.pin_hash
    assert access.pin_hash.startswith("md5$")  # the configured Django hasher


def test_after_five_wrong_pins_even_the_right_pin_must_wait_a_minute(survivor_a, with_pin):
    with_pin(survivor_a)
    client = Client()
    for _ in range(actions.MAX_FAILURES):
        _try(client, survivor_a.reference, "909192")
    response = _try(client, survivor_a.reference, PIN)
    assert response.status_code == 200
    assert client.get("/portal/home/").status_code == 302  # still not signed in
    assert "Too many tries" in response.content.decode()
    backoff = actions.backoff_of(survivor_a)
    assert backoff.waiting() and backoff.failures == actions.MAX_FAILURES
    assert AuditEntry.objects.filter(note__startswith="sign-in refused: the code waits").exists()


def _wrong(survivor, at, times=1):
    return [actions.sign_in(reference=survivor.reference, pin="909192",
                            client=f"c{at.timestamp()}-{i}", at=at).outcome
            for i in range(times)]


def test_wrong_pins_slow_the_code_down_doubling_1_2_4_minutes_never_a_lock(survivor_a, with_pin):
    with_pin(survivor_a)
    at = timezone.now()
    assert _wrong(survivor_a, at, actions.FREE_TRIES) == ["failed"] * actions.FREE_TRIES
    waits = []
    for _ in range(4):
        assert _wrong(survivor_a, at) == ["locked"]
        backoff = actions.backoff_of(survivor_a)
        waits.append(round((backoff.wait_until - at).total_seconds() / 60))
        at = backoff.wait_until + dt.timedelta(seconds=1)
    assert waits == [1, 2, 4, 8]
    for _ in range(5):  # however many: the wait never grows past the ceiling
        _wrong(survivor_a, at)
        until = actions.backoff_of(survivor_a).wait_until
        waits.append(round((until - at).total_seconds() / 60))
        at = until + dt.timedelta(seconds=1)
    assert max(waits) == waits[-1] == actions.MAX_WAIT_MINUTES
    assert actions.wait_minutes(50) == actions.MAX_WAIT_MINUTES
    # Once the wait is over the survivor signs in with her PIN: nobody locked her out.
    assert actions.sign_in(reference=survivor_a.reference, pin=PIN, client="x", at=at).ok
    assert actions.backoff_of(survivor_a) is None


def test_tries_while_the_code_waits_do_not_make_the_wait_longer(survivor_a, with_pin):
    with_pin(survivor_a)
    at = timezone.now()
    _wrong(survivor_a, at, actions.MAX_FAILURES)
    until = actions.backoff_of(survivor_a).wait_until
    _wrong(survivor_a, at + dt.timedelta(seconds=10), 3)
    backoff = actions.backoff_of(survivor_a)
    assert backoff.wait_until == until and backoff.failures == actions.MAX_FAILURES


def test_the_wait_is_kept_in_the_database_so_every_instance_agrees(survivor_a, with_pin):
    with_pin(survivor_a)
    _wrong(survivor_a, timezone.now(), actions.MAX_FAILURES)
    stored = CodeBackoff.objects.get()
    assert stored.reference_key == actions.reference_key_of(survivor_a.reference)
    assert survivor_a.reference not in stored.reference_key  # a keyed hash, not the code


def test_the_caseworker_sees_the_wait_and_lifts_it_audited(survivor_a, with_pin, caseworker):
    with_pin(survivor_a)
    _wrong(survivor_a, timezone.now(), actions.MAX_FAILURES)
    staff = Client()
    staff.force_login(caseworker)
    page = staff.get(f"/survivors/{survivor_a.pk}/").content.decode()
    assert 'id="portal-wait"' in page and 'id="panel-lift-wait"' in page
    url = reverse("portal:staff_access", args=[survivor_a.pk])
    response = staff.post(url, {"action": "lift"})
    assert response.status_code == 302
    assert actions.backoff_of(survivor_a) is None
    entry = AuditEntry.objects.filter(note__startswith="sign-in wait lifted").get()
    assert entry.actor == caseworker and entry.survivor_ref == survivor_a.reference
    assert actions.sign_in(reference=survivor_a.reference, pin=PIN, client="x").ok


def test_a_stranger_cannot_lift_another_organisations_wait(survivor_a, with_pin,
                                                            other_caseworker):
    with_pin(survivor_a)
    _wrong(survivor_a, timezone.now(), actions.MAX_FAILURES)
    staff = Client()
    staff.force_login(other_caseworker)
    response = staff.post(reverse("portal:staff_access", args=[survivor_a.pk]),
                          {"action": "lift"})
    assert response.status_code == 404
    assert actions.backoff_of(survivor_a).waiting()


def test_unknown_codes_slow_down_like_known_ones(db):
    outcomes = [actions.sign_in(reference="ORGA-ZZZZZZ", pin="909192", client=f"dev{i}").outcome
                for i in range(actions.MAX_FAILURES)]
    assert outcomes[-1] == "locked" and outcomes[0] == "failed"


def test_a_made_up_device_cookie_counts_as_none(db):
    client = _browser()
    forged = Client(REMOTE_ADDR="192.0.2.80")
    forged.cookies[DEVICE_COOKIE] = "a" * 32  # not signed by the server
    for i in range(actions.DEVICE_MAX_FAILURES):
        assert _try(forged, f"ORGA-{i:06d}", "909192").status_code == 200
        forged.cookies[DEVICE_COOKIE] = f"{i:02d}" + "b" * 30  # a fresh made-up id each time
    assert _try(forged, "ORGA-AAAAAA", "909192").status_code == 429  # the address stands in
    assert client.cookies[DEVICE_COOKIE].value.count(":") == 1  # id:signature


def test_one_device_is_throttled_after_many_failures_across_codes(db):
    for i in range(actions.DEVICE_MAX_FAILURES):
        actions.sign_in(reference=f"ORGA-{i:06d}", pin="909192", client="10.0.0.9")
    response = _try(Client(REMOTE_ADDR="10.0.0.9"), "ORGA-AAAAAA", "909192")
    assert response.status_code == 429


#: "Trafficking" in each portal language (as a reader looking over a shoulder would see it).
TRAFFICKING = {"en": "traffick", "km": "ជួញដូរ", "th": "ค้ามนุษย์", "vi": "buôn người",
               "my": "လူကုန်ကူး", "fil": "trafficking", "id": "perdagangan orang",
               "lo": "ຄ້າມະນຸດ", "zh-hant": "販運"}


def test_the_sign_in_page_never_mentions_trafficking_in_any_language(db, settings):
    for code, _ in settings.LANGUAGES:
        client = Client()
        client.get(f"/portal/language/{code}/")
        page = client.get("/portal/").content.decode().lower()
        failed = _try(client, "ORGA-AAAAAA", "909192").content.decode().lower()
        for word in set(TRAFFICKING.values()):
            assert word not in page, (code, word)
            assert word not in failed, (code, word)


def test_the_first_screen_after_sign_in_shows_no_sensitive_text(survivor_a, portal_client):
    page = portal_client(survivor_a).get("/portal/home/").content.decode().lower()
    for word in ("traffick", "exploit", "police", "court", survivor_a.reference.lower()):
        assert word not in page


def test_portal_session_is_separate_from_staff_session(survivor_a, portal_client, caseworker):
    client = portal_client(survivor_a)
    assert COOKIE_NAME in client.cookies
    assert "sessionid" not in client.cookies
    assert client.get("/").status_code == 302  # the staff caseload still wants a staff login


def test_an_idle_session_ends(survivor_a, portal_client):
    from importlib import import_module

    from django.conf import settings

    client = portal_client(survivor_a)
    store = import_module(settings.SESSION_ENGINE).SessionStore(client.cookies[COOKIE_NAME].value)
    store["last_seen"] = store["last_seen"] - 16 * 60
    store.save()
    response = client.get("/portal/home/")
    assert response.status_code == 302
    assert response["Location"] == "/portal/?ended=1"


def test_resetting_the_pin_ends_open_sessions(survivor_a, portal_client, with_pin):
    client = portal_client(survivor_a)
    with_pin(survivor_a, "740351")
    assert client.get("/portal/home/").status_code == 302


def test_turning_access_off_refuses_sign_in_and_ends_sessions(survivor_a, portal_client,
                                                              caseworker, actor_for):
    client = portal_client(survivor_a)
    actions.disable_access(actor_for(caseworker), survivor_a)
    assert client.get("/portal/home/").status_code == 302
    assert not actions.sign_in(reference=survivor_a.reference, pin=PIN, client="x").ok


@pytest.mark.parametrize("pin", ["12345", "1234567", "abcdef", "111111", "123456", "987654", ""])
def test_weak_or_malformed_pins_are_refused_naming_the_field(survivor_a, caseworker, actor_for,
                                                             pin):
    from northstar.core.errors import DomainError

    with pytest.raises(DomainError) as exc:
        actions.set_pin(actor_for(caseworker), survivor_a, pin=pin)
    assert exc.value.field == "pin"
    assert not PortalAccess.objects.filter(survivor=survivor_a).exists()


def test_pruning_keeps_recent_attempts_and_drops_old_ones(db):
    import datetime as dt

    from django.core.management import call_command
    from django.utils import timezone

    from northstar.portal.models import SignInAttempt

    old = timezone.now() - dt.timedelta(days=40)
    actions.sign_in(reference="ORGA-AAAAAA", pin="909192", client="a", at=old)
    actions.sign_in(reference="ORGA-AAAAAA", pin="909192", client="a")
    call_command("prune_portal_attempts")
    assert SignInAttempt.objects.count() == 1
    assert SignInAttempt.objects.get().at > old


def test_behind_a_trusted_proxy_the_forwarded_address_is_throttled_not_the_proxy(db, settings):
    settings.NORTHSTAR_TRUSTED_PROXY_COUNT = 1
    for i in range(actions.DEVICE_MAX_FAILURES):
        actions.sign_in(reference=f"ORGA-{i:06d}", pin="909192", client="203.0.113.7")
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    blocked = Client(**proxy, HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7")
    assert _try(blocked, "ORGA-AAAAAA", "909192").status_code == 429
    other = Client(**proxy, HTTP_X_FORWARDED_FOR="198.51.100.2")
    assert _try(other, "ORGA-AAAAAA", "909192").status_code == 200


# --- A shelter or NGO office is one address for many survivors -------------------------


def _browser(address="192.0.2.50"):
    """A browser at ``address`` that has opened the sign-in page (and so has its device cookie)."""
    client = Client(REMOTE_ADDR=address)
    client.get("/portal/")
    assert DEVICE_COOKIE in client.cookies
    return client


def test_one_survivors_failures_at_a_shelter_do_not_lock_out_the_others(survivor_a, with_pin):
    with_pin(survivor_a)
    guessing = _browser()
    statuses = [_try(guessing, f"ORGA-{i:06d}", "909192").status_code
                for i in range(actions.DEVICE_MAX_FAILURES + 1)]
    assert statuses[-1] == 429  # that browser must wait
    other = _browser()  # another survivor's phone on the same shelter wi-fi
    response = _try(other, survivor_a.reference, PIN)
    assert response.status_code == 302
    assert other.get("/portal/home/").status_code == 200


def test_dropping_the_device_cookie_does_not_escape_the_address_ceiling(db):
    for i in range(actions.ADDRESS_MAX_FAILURES):
        actions.sign_in(reference=f"ORGA-{i:06d}", pin="909192", client="192.0.2.60",
                        device=f"fresh-device-{i:04d}-xxxxxxxxxxxx")
    assert _try(_browser("192.0.2.60"), "ORGA-AAAAAA", "909192").status_code == 429
    assert _try(_browser("192.0.2.61"), "ORGA-AAAAAA", "909192").status_code == 200


def test_a_client_without_the_device_cookie_is_throttled_by_its_address_at_the_device_limit(db):
    for i in range(actions.DEVICE_MAX_FAILURES):
        actions.sign_in(reference=f"ORGA-{i:06d}", pin="909192", client="192.0.2.70")
    assert _try(Client(REMOTE_ADDR="192.0.2.70"), "ORGA-AAAAAA", "909192").status_code == 429
    assert _try(_browser("192.0.2.70"), "ORGA-AAAAAA", "909192").status_code == 200
