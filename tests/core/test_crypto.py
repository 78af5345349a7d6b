import pytest

from northstar.core.crypto import DecryptionError, Keyring, new_key, normalise_name


def ring(*ids):
    return Keyring.from_settings_value([(i, new_key()) for i in ids])


def test_a_sealed_value_opens_with_its_key_and_column():
    keys = ring("k1")
    token = keys.seal("Demo Sokha", "survivors.survivor.given_name")
    assert "Demo Sokha" not in token
    assert keys.open(token, "survivors.survivor.given_name") == "Demo Sokha"


def test_a_ciphertext_copied_into_another_column_does_not_open():
    keys = ring("k1")
    token = keys.seal("+855 12 345 678", "survivors.survivor.phone")
    with pytest.raises(DecryptionError):
        keys.open(token, "survivors.survivor.address")


def test_a_tampered_ciphertext_is_refused():
    keys = ring("k1")
    token = keys.seal("secret", "x.y.z")
    tampered = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    with pytest.raises(DecryptionError):
        keys.open(tampered, "x.y.z")


def test_sealing_twice_gives_different_tokens_so_equal_names_are_not_linkable():
    keys = ring("k1")
    assert keys.seal("Lan", "c") != keys.seal("Lan", "c")


def test_an_old_key_still_opens_its_tokens_after_a_new_primary_is_added():
    old = ring("k1")
    token = old.seal("Demo", "c")
    both = Keyring((("k2", new_key_bytes()),) + old.keys)
    assert both.primary_id == "k2"
    assert both.open(token, "c") == "Demo"


def new_key_bytes():
    import os

    return os.urandom(32)


@pytest.mark.parametrize("a,b", [
    ("Nguyễn Thị Lan", "lan thi nguyen"),
    ("  SOKHA   Chan ", "chan sokha"),
    ("Đặng Văn Minh", "dang van minh"),
])
def test_names_normalise_alike_across_order_accents_case_and_spacing(a, b):
    assert normalise_name(a) == normalise_name(b)


def test_different_names_normalise_differently():
    assert normalise_name("Lan Nguyen") != normalise_name("Lan Tran")


def test_a_bulk_seal_opens_to_each_value_and_never_repeats_a_nonce():
    """``seal_many`` (the bulk import) seals as ``seal`` does, value by value."""
    keys = ring("k1")
    names = ["Lan", "Lan", "Sokha", ""]
    tokens = keys.seal_many(names, "survivors.survivor.given_name")
    assert [keys.open(t, "survivors.survivor.given_name") for t in tokens] == names
    assert len(set(tokens)) == 4  # the same name twice: two different ciphertexts
    with pytest.raises(DecryptionError):
        keys.open(tokens[0], "survivors.survivor.family_name")
