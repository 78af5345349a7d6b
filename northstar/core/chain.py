"""The audit log's hash chain, in plain Python (no Django).

Every audit entry carries ``prev_hash`` (the ``entry_hash`` of the entry before
it, by id) and its own ``entry_hash``: SHA-256 over a canonical JSON of its
fields plus ``prev_hash``. Editing, deleting or inserting a row behind the
application's back breaks a link that ``manage.py verify_audit`` finds. The
migration that introduced the chain imports this module too, so the
serialisation lives in one place and never changes silently.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

#: ``prev_hash`` of the very first entry.
GENESIS = "0" * 64

#: The fields a link covers, in the order they are written (the JSON is sorted anyway).
CHAINED_FIELDS = (
    "at", "actor_id", "actor_label", "organisation_id", "owner_organisation_id", "action",
    "channel", "record_type", "record_id", "record_ids", "survivor_ref", "fields", "note",
)


def _canonical_time(value) -> str:
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value.isoformat(timespec="microseconds")
    return str(value)


def canonical(values: dict, prev_hash: str) -> bytes:
    """One entry as bytes: the same values always give the same bytes."""
    body = {name: values.get(name) for name in CHAINED_FIELDS}
    body["at"] = _canonical_time(body["at"])
    body["record_ids"] = [str(i) for i in body["record_ids"] or []]
    body["fields"] = [str(f) for f in body["fields"] or []]
    body["prev_hash"] = prev_hash
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def link_hash(values: dict, prev_hash: str) -> str:
    return hashlib.sha256(canonical(values, prev_hash)).hexdigest()


def first_broken_link(rows, prev_hash: str = GENESIS):
    """Walk ``rows`` (dicts with ``id``, the chained fields, ``prev_hash``, ``entry_hash``)
    in id order and return ``(id, reason)`` of the first bad link, or ``None``.

    ``prev_hash`` lets a verification resume from a checkpoint: pass the
    ``entry_hash`` of the last entry already verified.
    """
    for row in rows:
        if row["prev_hash"] != prev_hash:
            return row["id"], "does not follow the entry before it (a row was deleted or inserted)"
        if link_hash(row, prev_hash) != row["entry_hash"]:
            return row["id"], "its contents do not match its hash (the row was edited)"
        prev_hash = row["entry_hash"]
    return None
