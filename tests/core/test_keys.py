"""Field keys fail closed: with a wrong key the server will not start, /health is 503, nothing is sealed."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from northstar.core import keys
from northstar.core.checks import field_keys_open_this_database
from northstar.core.crypto import DecryptionError, KeyCheckFailed, new_key
from northstar.core.models import KeyCheck
from northstar.survivors import actions
from northstar.survivors.models import Survivor

NEW_PERSON = {"given_name": "Demo Chan", "family_name": "Keytest", "date_of_birth": "1990-01-01",
              "sex": "female", "nationality": "KH", "languages": ["km"]}


@pytest.fixture(autouse=True)
def _fresh_verification():
    keys.forget()
    yield
    keys.forget()


@pytest.fixture
def right_key_recorded(db, settings):
    """The configured key's check value is in the database, as after the first start."""
    assert keys.key_problems() == []
    return settings.NORTHSTAR_FIELD_KEYS


@pytest.fixture
def wrong_key(right_key_recorded, settings):
    """The same key id, the wrong key: a server started with a copy-paste mistake."""
    settings.NORTHSTAR_FIELD_KEYS = [(kid, new_key()) for kid, _ in right_key_recorded]


def test_the_first_start_records_a_check_value_per_key_and_it_holds_no_key(db, settings):
    kid, key = settings.NORTHSTAR_FIELD_KEYS[0]
    assert not KeyCheck.objects.filter(key_id=kid).exists()
    assert field_keys_open_this_database() == []
    check = KeyCheck.objects.get(key_id=kid)
    assert check.check_value.startswith(f"ns1.{kid}.")
    assert key not in check.check_value


def test_with_a_wrong_key_the_system_check_fails(wrong_key):
    errors = field_keys_open_this_database()
    assert [e.id for e in errors] == ["northstar.E001"]
    assert "does not open its key-check value" in errors[0].msg
    with pytest.raises(SystemCheckError, match="northstar.E001"):
        call_command("check")


def test_with_the_right_key_the_system_check_passes(right_key_recorded):
    call_command("check")


def test_with_a_wrong_key_health_answers_503(api, wrong_key):
    response = api().get("/api/v1/health")
    assert response.status_code == 503
    assert response.json()["keys"] == "wrong"


def test_with_the_right_key_health_answers_200(api, right_key_recorded):
    response = api().get("/api/v1/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "keys": "ok"}


def test_with_a_wrong_key_a_write_is_refused_and_nothing_is_written(wrong_key, caseworker,
                                                                    actor_for):
    before = Survivor.objects.count()
    with pytest.raises(KeyCheckFailed, match="refusing to seal with an unverified key"):
        actions.create_survivor(actor_for(caseworker), data=NEW_PERSON)
    assert Survivor.objects.count() == before


def test_with_a_wrong_key_an_update_is_refused_and_the_stored_value_is_kept(
        right_key_recorded, settings, survivor_a, caseworker, actor_for):
    token = Survivor.objects.get(pk=survivor_a.pk).given_name.token
    settings.NORTHSTAR_FIELD_KEYS = [(kid, new_key()) for kid, _ in right_key_recorded]
    with pytest.raises((KeyCheckFailed, DecryptionError)):  # opening the old value fails first
        actions.update_survivor(actor_for(caseworker), survivor_a, version=survivor_a.version,
                                changes={"given_name": "Overwritten"})
    assert Survivor.objects.get(pk=survivor_a.pk).given_name.token == token


def test_a_new_key_id_whose_data_does_not_open_with_it_is_refused_not_recorded(
        survivor_a, settings):
    """An upgraded database with sealed data but no check value yet cannot learn a wrong key."""
    kid = settings.NORTHSTAR_FIELD_KEYS[0][0]
    KeyCheck.objects.filter(key_id=kid).delete()
    settings.NORTHSTAR_FIELD_KEYS = [(kid, new_key())]
    keys.forget()
    assert "does not open the values already sealed" in keys.key_problems()[0]
    assert not KeyCheck.objects.filter(key_id=kid).exists()


def test_rotating_keys_keeps_working_and_the_new_key_gets_its_check_value(
        right_key_recorded, settings, survivor_a, caseworker, actor_for):
    settings.NORTHSTAR_FIELD_KEYS = [("k9", new_key()), *right_key_recorded]
    call_command("rotate_keys")
    assert KeyCheck.objects.filter(key_id="k9").exists()
    assert Survivor.objects.get(pk=survivor_a.pk).given_name.token.startswith("ns1.k9.")
    assert field_keys_open_this_database() == []
    revealed = actions.reveal_personal_data(actor_for(caseworker),
                                            Survivor.objects.get(pk=survivor_a.pk))
    assert revealed["given_name"] == "Demo Sokha"


def test_with_a_wrong_key_the_api_answers_503_with_the_reason_and_stores_nothing(
        wrong_key, api, caseworker):
    before = Survivor.objects.count()
    response = api(caseworker).post("/api/v1/survivors", NEW_PERSON)
    assert response.status_code == 503
    assert "unverified key" in response.json()["detail"]
    assert Survivor.objects.count() == before
