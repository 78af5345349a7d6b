"""Each claim's summary for the organisation's figures, kept in SQL by the actions that
change what it is derived from (a payment recorded, a schedule set or replaced).

On the claim: what it has received in all, its first and last payment days, and the due
day of its last active instalment; on each instalment: whether what the claim had received
by its due day covered everything scheduled up to and including it (instalments of a day
ordered by amount then id, as ``figures.instalments_on_time`` orders them). The figures
then read claims and instalments only, never a payment row (issue 13). Both statements
recompute from the rows, so running them again changes nothing; the migration that added
the columns ran the same statements over every claim.

Any new action that writes payments or instalments (a reversal, a correction) must call
``refresh`` for its claim in the same transaction, as ``claims.record_payment`` does.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection

CLAIMS_SQL = """
UPDATE compensation_claim SET
    received_total = COALESCE((SELECT SUM(p.amount) FROM compensation_payment p
                                WHERE p.claim_id = compensation_claim.id), 0),
    first_paid_on = (SELECT MIN(p.received_on) FROM compensation_payment p
                      WHERE p.claim_id = compensation_claim.id),
    last_paid_on = (SELECT MAX(p.received_on) FROM compensation_payment p
                     WHERE p.claim_id = compensation_claim.id),
    last_due_on = (SELECT MAX(i.due_on) FROM compensation_instalment i
                    WHERE i.claim_id = compensation_claim.id AND i.superseded_at IS NULL)
"""

INSTALMENTS_SQL = """
UPDATE compensation_instalment SET covered_on_time = (
    compensation_instalment.superseded_at IS NULL
    AND COALESCE((SELECT SUM(p.amount) FROM compensation_payment p
                   WHERE p.claim_id = compensation_instalment.claim_id
                     AND p.received_on <= compensation_instalment.due_on), 0)
        >= (SELECT SUM(j.amount) FROM compensation_instalment j
             WHERE j.claim_id = compensation_instalment.claim_id AND j.superseded_at IS NULL
               AND (j.due_on < compensation_instalment.due_on
                    OR (j.due_on = compensation_instalment.due_on
                        AND (j.amount < compensation_instalment.amount
                             OR (j.amount = compensation_instalment.amount
                                 AND j.id <= compensation_instalment.id))))))
"""


def refresh(claim_ids: Iterable[int]) -> None:
    """Recompute the summary of these claims and of their instalments: two UPDATEs."""
    ids = sorted({int(i) for i in claim_ids})
    if not ids:
        return
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(f"{CLAIMS_SQL} WHERE id IN ({marks})", ids)  # noqa: S608 - placeholders
        cursor.execute(f"{INSTALMENTS_SQL} WHERE claim_id IN ({marks})", ids)  # noqa: S608


def refresh_all() -> None:
    """Recompute every claim's summary (after rows were written without the actions)."""
    with connection.cursor() as cursor:
        cursor.execute(CLAIMS_SQL)
        cursor.execute(INSTALMENTS_SQL)
