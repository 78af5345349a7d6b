"""The case page's Do No Harm panel: open findings where the action is taken."""

from __future__ import annotations

from northstar import policy
from northstar.safeguards import actions, selectors
from northstar.safeguards.models import Finding, FindingStatus
from northstar.ui.panels import ShownAlert, url_for_each


def findings_panel(request, case) -> dict:
    open_ = selectors.findings_for_case(request.actor, case, status="open")
    open_.sort(key=lambda f: f.severity)  # blocks first, newest first within each
    return {"case": case, "findings": open_[:10], "more": max(len(open_) - 10, 0)}


def open_block_alerts(actor, *, limit: int | None = 50, survivor=None) -> list:
    """Caseload alerts: the open Do No Harm *blocks* on cases the actor may see (on one
    ``survivor``'s when given), the oldest first, at most ``limit``: one bounded query,
    read as plain rows (no finding, case or survivor built) and worded only if shown."""
    found = actions.open_findings(actor).filter(severity="block")
    if survivor is not None:
        found = found.filter(case__survivor=survivor)
    found = found.order_by("created_at", "id")
    if limit is not None and survivor is None:
        found = found.filter(pk__in=_oldest_visible_blocks(actor, limit))
    url = url_for_each("safeguards:case")
    return [
        ShownAlert(row["created_at"].date(), "warning", row["case__survivor__reference"],
                   lambda row=row: (f"Do No Harm: {row['explanation']}", url(row["case_id"])))
        for row in found.values("created_at", "explanation", "case_id",
                                "case__survivor__reference")
    ]


def _oldest_visible_blocks(actor, limit: int, rounds: int = 4) -> list[int]:
    """The ids of the ``limit`` oldest open blocks on cases the actor may see: the oldest
    open blocks first (ids and cases only), then which of those cases are visible, by
    primary key; asking for "visible cases" whole would join every case of the
    organisation. After ``rounds`` batches short of ``limit`` it asks the plain way."""
    blocks = Finding.objects.filter(status=FindingStatus.OPEN, severity="block") \
        .order_by("created_at", "id").values_list("pk", "case_id")
    chosen: list[int] = []
    for start in range(0, rounds * limit, limit):
        batch = list(blocks[start:start + limit])
        seen = set(policy.visible_cases(actor).filter(
            pk__in={case for _pk, case in batch}).values_list("pk", flat=True))
        chosen += [pk for pk, case in batch if case in seen][:limit - len(chosen)]
        if len(chosen) >= limit or len(batch) < limit:
            return chosen
    return list(actions.open_findings(actor).filter(severity="block")
                .order_by("created_at", "id").values_list("pk", flat=True)[:limit])


def survivor_block_alerts(actor, survivor) -> list:
    """The same, for one survivor's cases (the case page): a query scoped to them."""
    return open_block_alerts(actor, limit=None, survivor=survivor)
