"""Writing the audit log. Actions call ``record``; nothing else writes it."""

from __future__ import annotations

from collections.abc import Iterable

from northstar.core.actor import Actor
from northstar.core.models import AuditEntry


def record(
    actor: Actor,
    action: str,
    record_type: str,
    record_id: object = "",
    *,
    survivor_ref: str = "",
    fields: Iterable[str] = (),
    note: str = "",
) -> AuditEntry:
    return AuditEntry.objects.create(
        actor=actor.user,
        actor_label=actor.label,
        organisation=actor.organisation,
        action=action,
        channel=actor.channel,
        record_type=record_type,
        record_id=str(record_id) if record_id is not None else "",
        survivor_ref=survivor_ref,
        fields=sorted(set(fields)),
        note=note[:300],
    )


def entries_for_organisation(organisation):
    return AuditEntry.objects.filter(organisation=organisation).select_related("actor")
