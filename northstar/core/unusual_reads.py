"""Noticing one account opening an unusual number of full survivor records.

Counted from the audit log itself: every ``read`` entry of a survivor record with
personal fields names the records it opened. The threshold is data
(``rules/unusual_reads.toml``). An alert is raised once per window, shown to the
organisation's supervisors, and audited.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path

from django.db import transaction

from northstar.core import audit
from northstar.core.actor import Actor
from northstar.core.models import AuditEntry, UnusualReadAlert

RULES_FILE = Path(__file__).parent / "rules" / "unusual_reads.toml"
#: The record type whose personal fields make a read "full".
FULL_RECORD_TYPES = ("survivor",)


def _load(path: Path = RULES_FILE) -> dict:
    with open(path, "rb") as fh:
        entry = tomllib.load(fh)["unusual_reads"]
    missing = {"records", "minutes", "source", "checked"} - set(entry)
    if missing:
        raise ValueError(f"{path.name}: unusual_reads lacks {sorted(missing)}")
    for key in ("records", "minutes"):
        if not isinstance(entry[key], int) or entry[key] < 1:
            raise ValueError(f"{path.name}: unusual_reads.{key} must be a whole number ≥ 1")
    return entry


RULE = _load()
THRESHOLD: int = RULE["records"]
WINDOW = dt.timedelta(minutes=RULE["minutes"])


def full_records_opened(user, since) -> int:
    """Distinct survivor records ``user`` opened with personal fields since ``since``."""
    ids: set[str] = set()
    rows = (AuditEntry.objects.filter(actor=user, action=AuditEntry.Action.READ,
                                      record_type__in=FULL_RECORD_TYPES, at__gte=since)
            .exclude(fields=[]).values_list("record_ids", "record_id"))
    for record_ids, record_id in rows:
        ids.update(str(i) for i in (record_ids or ([record_id] if record_id else [])))
    return len(ids)


def check_after_read(entry: AuditEntry) -> UnusualReadAlert | None:
    """Called for each new read entry; raises an alert when the count crosses the line."""
    if (entry.action != AuditEntry.Action.READ or entry.actor_id is None
            or entry.organisation_id is None or entry.record_type not in FULL_RECORD_TYPES
            or not entry.fields):
        return None
    since = entry.at - WINDOW
    if UnusualReadAlert.objects.filter(user_id=entry.actor_id, at__gte=since).exists():
        return None  # one alert per window is enough to send someone to look
    count = full_records_opened(entry.actor_id, since)
    if count <= THRESHOLD:
        return None
    with transaction.atomic():
        alert = UnusualReadAlert.objects.create(
            at=entry.at, organisation_id=entry.organisation_id, user_id=entry.actor_id,
            records=count, window_minutes=int(WINDOW.total_seconds() // 60), threshold=THRESHOLD)
        audit.record(Actor.system("system", organisation=alert.organisation), "create",
                     "unusual_read_alert", alert.pk,
                     note=f"{entry.actor_label} opened {count} full survivor records in "
                          f"{alert.window_minutes} minutes (threshold {THRESHOLD})")
    return alert


def alerts_for(organisation):
    return UnusualReadAlert.objects.filter(organisation=organisation).select_related("user")
