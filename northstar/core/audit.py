"""Writing the audit log. Actions and selectors call ``record`` (writes) and
``record_read`` (reads); handlers and views never write it themselves."""

from __future__ import annotations

from collections.abc import Iterable

from northstar.core.actor import Actor
from northstar.core.models import AuditEntry

#: The most ids one list entry names; a page is paged well below this.
MAX_IDS = 1000


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
    rid = str(record_id) if record_id not in (None, "") else ""
    return AuditEntry.objects.create(
        actor=actor.user,
        actor_label=actor.label,
        organisation=actor.organisation,
        action=action,
        channel=actor.channel,
        record_type=record_type,
        record_id=rid if len(rid) <= 64 else "",
        record_ids=[rid] if rid else [],
        survivor_ref=survivor_ref,
        fields=sorted(set(fields)),
        note=note[:300],
    )


def _id_of(item) -> str:
    return str(getattr(item, "pk", item))


def record_read(
    actor: Actor,
    records,
    *,
    record_type: str | None = None,
    survivor_ref: str = "",
    fields: Iterable[str] = (),
    note: str = "",
    export: bool = False,
) -> AuditEntry | None:
    """The one way to audit a read: one record, or every record of a list shown.

    ``records`` is a model instance, an id, or an iterable of either. Ids are
    stored whole in ``record_ids`` (never cut mid-number); an empty list writes
    nothing. ``record_type`` defaults to the model's name. A read of figures
    with no record behind them passes ``records=()`` with ``note`` and
    ``record_type`` and is still written (``record_ids`` empty).
    """
    if records is None or isinstance(records, str | int) or hasattr(records, "_meta"):
        items = [] if records is None else [records]
    else:
        items = list(records)
    if record_type is None:
        if not items or not hasattr(items[0], "_meta"):
            raise ValueError("record_read needs record_type for ids or an empty list")
        record_type = items[0]._meta.model_name
    ids = [_id_of(i) for i in items][:MAX_IDS]
    if not ids and not note:
        return None
    single = ids[0] if len(ids) == 1 else ""
    return AuditEntry.objects.create(
        actor=actor.user,
        actor_label=actor.label,
        organisation=actor.organisation,
        action="export" if export else "read",
        channel=actor.channel,
        record_type=record_type,
        record_id=single if len(single) <= 64 else "",
        record_ids=ids,
        survivor_ref=survivor_ref,
        fields=sorted(set(fields)),
        note=(note or (f"listed {len(ids)}" if len(ids) > 1 else ""))[:300],
    )


def entries_for_organisation(organisation):
    return AuditEntry.objects.filter(organisation=organisation).select_related("actor")
