"""Field keys fail closed: a key ring that is not this database's never seals anything.

For every key id the database keeps a key-check value (``KeyCheck``): a fixed
text sealed with that key. A configured key that does not open its check value
is the wrong key. Then the system check fails (the server refuses to start),
``/health`` answers 503, and every write of a sealed field raises
``KeyCheckFailed`` before anything reaches the database.

The first time a key id is seen its check value is recorded — but only after
the key opens a value already sealed under that id, if there is one, so an
upgraded database cannot be "taught" a wrong key.
"""

from __future__ import annotations

from django.apps import apps
from django.db import connection, transaction

from northstar.core import crypto
from northstar.core.crypto import PREFIX, DecryptionError, KeyCheckFailed, Keyring
from northstar.core.models import KeyCheck

CHECK_TEXT = "northstar field-key check"
CHECK_CONTEXT = "core.keycheck.check_value"

#: Rings already verified against a database in this process: (keys, database name).
_verified: set[tuple] = set()


def _opens(ring: Keyring, token: str, context: str) -> bool:
    try:
        ring.open(token, context)
    except DecryptionError:
        return False
    return True


def sealed_columns():
    """(model, field) for every sealed column (fields mark themselves ``sealed = True``)."""
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if getattr(field, "sealed", False):
                yield model, field


def _sample(kid: str):
    """One value already sealed under ``kid`` as (token, context), or None."""
    for model, field in sealed_columns():
        token = (model._base_manager.filter(**{f"{field.name}__startswith": f"{PREFIX}.{kid}."})
                 .values_list(field.name, flat=True).first())
        if token:
            return getattr(token, "token", token), field.context
    return None


def _record(ring: Keyring, kid: str) -> str | None:
    sample = _sample(kid)
    if sample and not _opens(ring, *sample):
        return (f"field key {kid!r} does not open the values already sealed under {kid!r}: "
                "it is the wrong key")
    with transaction.atomic():
        check, _ = KeyCheck.objects.get_or_create(
            key_id=kid, defaults={"check_value": ring.seal_with(kid, CHECK_TEXT, CHECK_CONTEXT)})
    if not _opens(ring, check.check_value, CHECK_CONTEXT):
        return f"field key {kid!r} does not open its key-check value: it is the wrong key"
    return None


def key_problems(ring: Keyring | None = None, *, record: bool = True) -> list[str]:
    """What is wrong with the configured key ring, in words; empty when every key is right.

    ``record`` writes the check value of a key id seen for the first time
    (``/health`` passes False: a probe does not write).
    """
    ring = ring or crypto.keyring()
    known = dict(KeyCheck.objects.filter(key_id__in=[kid for kid, _ in ring.keys])
                 .values_list("key_id", "check_value"))
    problems = []
    for kid, _ in ring.keys:
        if kid in known:
            if not _opens(ring, known[kid], CHECK_CONTEXT):
                problems.append(f"field key {kid!r} does not open its key-check value: "
                                "it is not the key this database was sealed with")
        elif record:
            problem = _record(ring, kid)
            if problem:
                problems.append(problem)
    return problems


def ensure_writable() -> Keyring:
    """The key ring, once proven right for this database; else ``KeyCheckFailed``."""
    ring = crypto.keyring()
    token = (ring.keys, connection.settings_dict.get("NAME"))
    if token not in _verified:
        problems = key_problems(ring)
        if problems:
            raise KeyCheckFailed("refusing to seal with an unverified key: " + "; ".join(problems)
                                 + ". Configure the right NORTHSTAR_FIELD_KEYS.")
        _verified.add(token)
    return ring


def forget() -> None:
    """Drop what this process has verified (tests; after changing keys at run time)."""
    _verified.clear()
