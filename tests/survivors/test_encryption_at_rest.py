from django.db import connection
from django.test import override_settings

from northstar.core.crypto import keyring, new_key
from northstar.core.fields import Sealed
from northstar.core.management.commands.rotate_keys import reseal_all
from northstar.survivors.models import Case, Survivor


def raw_rows(table):
    with connection.cursor() as cur:
        cur.execute(f"SELECT * FROM {table}")  # noqa: S608 - fixed table names
        return [" ".join(str(v) for v in row) for row in cur.fetchall()]


def test_a_raw_read_of_the_tables_shows_no_plaintext_name_phone_or_account(case_a):
    rows = " ".join(raw_rows("survivors_survivor") + raw_rows("survivors_case"))
    for secret in ("Sokha", "Testperson", "345 678", "Demo street", "1998-04-12",
                   "without pay"):
        assert secret not in rows
    assert "ns1." in rows


def test_loading_a_survivor_does_not_decrypt_and_prints_a_mask(survivor_a):
    loaded = Survivor.objects.get(pk=survivor_a.pk)
    assert isinstance(loaded.given_name, Sealed)
    assert str(loaded.given_name) == "•••"
    assert "Sokha" not in repr(loaded.__dict__)


def test_key_rotation_keeps_every_record_readable(case_a, settings):
    old_ring = list(settings.NORTHSTAR_FIELD_KEYS)
    old_primary = keyring().primary_id
    new_ring = [("rotated", new_key()), *old_ring]
    with override_settings(NORTHSTAR_FIELD_KEYS=new_ring):
        counts = reseal_all()
        assert counts["survivors.Survivor"] == 1
        assert counts["survivors.Case"] == 1
    # The old key is retired: everything must open with the new key alone.
    with override_settings(NORTHSTAR_FIELD_KEYS=new_ring[:1]):
        survivor = Survivor.objects.get(pk=case_a.survivor_id)
        assert survivor.given_name.reveal() == "Demo Sokha"
        assert survivor.phone.reveal() == "+855 12 345 678"
        assert Case.objects.get(pk=case_a.pk).summary.reveal().startswith("Worked on a boat")
        assert keyring().key_id_of(survivor.given_name.token) == "rotated"
        assert old_primary != "rotated"


def test_rotation_twice_changes_nothing_the_second_time(case_a, settings):
    new_ring = [("rotated", new_key()), *settings.NORTHSTAR_FIELD_KEYS]
    with override_settings(NORTHSTAR_FIELD_KEYS=new_ring):
        reseal_all()
        assert sum(reseal_all().values()) == 0
