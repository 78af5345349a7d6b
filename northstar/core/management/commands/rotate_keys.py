"""Re-seal every encrypted field with the primary key, so old keys can be retired.

With keys in ``var/secrets.json`` (demo/dev), ``--new-key`` adds a fresh primary
key first. With keys from ``NORTHSTAR_FIELD_KEYS`` (production), the operator
puts the new key first in that variable, runs this, then drops the old key.
"""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from northstar import local_secrets
from northstar.core import crypto
from northstar.core.actor import Actor
from northstar.core.audit import record
from northstar.core.fields import EncryptedTextField, Sealed
from northstar.core.keys import ensure_writable
from northstar.documents.actions import reseal_documents


def encrypted_fields():
    for model in apps.get_models():
        names = [f.name for f in model._meta.get_fields() if isinstance(f, EncryptedTextField)]
        if names:
            yield model, names


def reseal_all(batch_size: int = 500) -> dict[str, int]:
    """Re-seal every value not already under the primary key. Returns counts per model."""
    ring = ensure_writable()  # never re-seal with a key that is not this database's
    counts: dict[str, int] = {}
    for model, names in encrypted_fields():
        changed = 0
        qs = model._base_manager.order_by("pk")
        last = 0
        while True:
            rows = list(qs.filter(pk__gt=last)[:batch_size])
            if not rows:
                break
            with transaction.atomic():
                for row in rows:
                    updates = {}
                    for name in names:
                        value = getattr(row, name)
                        if isinstance(value, Sealed) and ring.key_id_of(value.token) != ring.primary_id:
                            updates[name] = value.reveal()
                    if updates:
                        model._base_manager.filter(pk=row.pk).update(**{
                            k: Sealed(ring.seal(v, ctx), ctx)
                            for k, v in updates.items()
                            for ctx in [model._meta.get_field(k).context]
                        })
                        changed += 1
            last = rows[-1].pk
        counts[model._meta.label] = changed
    return counts


class Command(BaseCommand):
    help = "Re-encrypt all personal fields with the primary key (optionally adding a new one)."

    def add_arguments(self, parser):
        parser.add_argument("--new-key", action="store_true",
                            help="generate a new primary key in var/secrets.json first")
        parser.add_argument("--retire-old", action="store_true",
                            help="after re-sealing, remove older keys from var/secrets.json")

    def handle(self, *args, new_key=False, retire_old=False, **opts):
        from_env = settings.NORTHSTAR_FIELD_KEYS_FROM_ENV
        if (new_key or retire_old) and from_env:
            raise CommandError("keys come from NORTHSTAR_FIELD_KEYS: edit that variable instead")
        if new_key:
            data = local_secrets.load_or_create(settings.VAR_DIR)
            ids = {k["id"] for k in data["field_keys"]}
            n = len(ids) + 1
            while f"k{n}" in ids:
                n += 1
            data["field_keys"].insert(0, {"id": f"k{n}", "key": crypto.new_key()})
            local_secrets.save(settings.VAR_DIR, data)
            settings.NORTHSTAR_FIELD_KEYS = [(k["id"], k["key"]) for k in data["field_keys"]]
            self.stdout.write(f"new primary key k{n}")
        counts = reseal_all()
        counts["documents.DocumentContent"] = reseal_documents()
        record(Actor.system("cli"), "update", "encryption_keys", crypto.keyring().primary_id,
               note=f"re-sealed with primary key: {sum(counts.values())} rows")
        for label, n in counts.items():
            self.stdout.write(f"{label}: {n} row(s) re-sealed")
        # The name search index key is derived from the primary field key: rebuild it.
        from northstar.survivors import search
        tokens = search.rebuild()
        self.stdout.write(f"name search index rebuilt: {tokens} token(s)")
        if retire_old:
            data = local_secrets.load_or_create(settings.VAR_DIR)
            data["field_keys"] = data["field_keys"][:1]
            local_secrets.save(settings.VAR_DIR, data)
            settings.NORTHSTAR_FIELD_KEYS = [(k["id"], k["key"]) for k in data["field_keys"]]
            self.stdout.write("older keys retired")
