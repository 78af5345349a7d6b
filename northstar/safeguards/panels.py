"""The case page's Do No Harm panel: open findings where the action is taken."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable

from django.db.models import QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from northstar import policy
from northstar.core.prepared import Prepared, Rows
from northstar.safeguards import actions, selectors
from northstar.safeguards.models import Finding, FindingStatus
from northstar.ui.panels import Alert, ShownAlert, url_for_each


def findings_panel(request, case) -> dict:
    open_ = selectors.findings_for_case(request.actor, case, status="open")
    open_.sort(key=lambda f: f.severity)  # blocks first, newest first within each
    return {"case": case, "findings": open_[:10], "more": max(len(open_) - 10, 0)}


#: What a Do No Harm block's caseload alert needs of the finding, its case and survivor
#: (``created_on``: the day it was raised, ``_with_day``).
BLOCK_ROW = ("pk", "created_on", "explanation", "case_id", "case__survivor__reference")


def _with_day(findings: QuerySet, zone: str | None = None) -> QuerySet:
    """``created_on``: the day of ``created_at`` in the time zone named (the current one by
    default), as ``timezone.localdate(created_at)`` gives it, worked out by the database
    (``AT TIME ZONE`` on PostgreSQL): the alert shows only the day, and reading 50 times
    through Django's Python loader for it was a tenth of a millisecond a view."""
    return findings.annotate(created_on=TruncDate(
        "created_at", tzinfo=zoneinfo.ZoneInfo(zone) if zone else None))


class _PerZone:
    """A ``Rows`` per time zone its days are read in (``_with_day``; the zone's name is
    written into its SQL once): the current zone's, made when first asked. A process serves
    one, ``settings.TIME_ZONE``, unless a zone is activated."""

    def __init__(self, make: Callable[[str], Rows]) -> None:
        self._make = make
        self._kept: dict[str, Rows] = {}

    def __call__(self) -> Rows:
        zone = timezone.get_current_timezone_name()
        found = self._kept.get(zone)
        if found is None:
            found = self._kept[zone] = self._make(zone)
        return found


def open_block_alerts(actor, *, limit: int | None = 50, survivor=None) -> list:
    """Caseload alerts: the open Do No Harm *blocks* on cases the actor may see (on one
    ``survivor``'s when given), the oldest first, at most ``limit``: bounded queries,
    read as plain rows (no finding, case or survivor built) and worded only if shown."""
    if limit is not None and survivor is None and policy.works_with_records(actor):
        rows = _OLDEST_STAFF_BLOCKS().rows(actor.organisation.pk, limit=limit)
    elif limit is not None and survivor is None:
        rows = _oldest_visible_blocks(actor, limit)
    else:
        found = actions.open_findings(actor).filter(severity="block")
        if survivor is not None:
            found = found.filter(case__survivor=survivor)
        rows = _with_day(found).order_by("created_at", "id").values(*BLOCK_ROW)
        if limit is not None:
            rows = rows[:limit]
    url = url_for_each("safeguards:case")
    return [
        ShownAlert(row["created_on"], "warning", row["case__survivor__reference"],
                   lambda row=row: (f"Do No Harm: {row['explanation']}", url(row["case_id"])))
        for row in rows
    ]


#: The oldest open blocks of every organisation, a batch at a time (the caseload's first
#: question, on every view): SQL written once per process and batch.
_OLDEST_OPEN_BLOCKS = _PerZone(lambda zone: Rows(lambda: _with_day(Finding.objects.filter(
    status=FindingStatus.OPEN, severity="block"), zone).order_by("created_at", "id").values(
    *BLOCK_ROW)))


#: The oldest open blocks on the cases an organisation's case staff see (``staff_cases_q``:
#: ``visible_cases`` of case staff), as the caseload's rows: one statement written once per
#: process and cut. PostgreSQL walks the open blocks' partial index oldest first, each
#: block's case by primary key, and stops at the cut (EXPLAIN at 100k: 51 rows, ~0.5 ms).
#: The organisation's id is written into the SQL (``written_in``): a statement per
#: organisation, planned once for it. That walk suits the organisation with 100,000
#: survivors; kept as a generic plan for one with 20 it read every open block of the table
#: to find none (100k: 0.5-0.8 ms planned for it, 35-65 ms generic; bench/README.md,
#: h-generic, h-caseload5).
_OLDEST_STAFF_BLOCKS = _PerZone(lambda zone: Rows(lambda org_id: _with_day(
    Finding.objects.filter(policy.staff_cases_q(org_id, via="case__"),
                           status=FindingStatus.OPEN, severity="block"), zone,
).order_by("created_at", "id").values(*BLOCK_ROW), -7_330_000_051,
    written_in=(0,)))  # the organisation's id in the SQL: planned once (h-caseload5)


def _oldest_visible_blocks(actor, limit: int, rounds: int = 4) -> list[dict]:
    """The ``limit`` oldest open blocks on cases the actor may see, as ``BLOCK_ROW`` rows:
    the oldest open blocks first, then which of their cases are visible, by primary key;
    asking for "visible cases" whole would join every case of the organisation. After
    ``rounds`` batches short of ``limit`` it asks the plain way."""
    chosen: list[dict] = []
    for start in range(0, rounds * limit, limit):
        batch = _OLDEST_OPEN_BLOCKS().rows(offset=start, limit=limit)
        seen = set(policy.visible_cases(actor).filter(
            pk__in={row["case_id"] for row in batch}).values_list("pk", flat=True))
        chosen += [row for row in batch if row["case_id"] in seen][:limit - len(chosen)]
        if len(chosen) >= limit or len(batch) < limit:
            return chosen
    return list(_with_day(actions.open_findings(actor).filter(severity="block"))
                .order_by("created_at", "id").values(*BLOCK_ROW)[:limit])


#: The open Do No Harm blocks on one survivor's cases their organisation's case staff
#: see, oldest first, with the case (the case page): SQL written once per process.
_OPEN_BLOCKS_OF_SURVIVOR = Prepared(
    lambda org_id, survivor_id: Finding.objects.filter(
        policy.staff_cases_q(org_id, via="case__"), status="open", severity="block",
        case__survivor_id=survivor_id,
    ).select_related("case").order_by("created_at", "id"),
    -7_320_000_101, -7_320_000_102, constants=("open", "block", False))


def survivor_block_alerts(actor, survivor) -> list:
    """The same, for one survivor's cases (the case page): a query scoped to them."""
    if not policy.works_with_records(actor):
        return open_block_alerts(actor, limit=None, survivor=survivor)
    url = url_for_each("safeguards:case")
    found = _OPEN_BLOCKS_OF_SURVIVOR(actor.organisation.pk, survivor.pk)
    return [Alert(due=timezone.localdate(f.created_at), title=f"Do No Harm: {f.explanation}",
                  url=url(f.case_id), severity="warning", survivor_reference=survivor.reference)
            for f in found]
