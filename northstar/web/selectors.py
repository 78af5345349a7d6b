"""Which intakes a person may see: their organisation's, if they work with records.

Follows ``northstar.policy``: outside → ``NotFound``; the survivor an intake
points to must itself still be visible (an archived survivor closes the intake).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from northstar import policy
from northstar.core import audit, keyset
from northstar.core.actor import Actor
from northstar.core.prepared import AnyOf, Prepared, Recipe, Rows, count_sql
from northstar.survivors.models import Case
from northstar.web import mine
from northstar.web.models import Intake


def visible_intakes(actor: Actor) -> QuerySet[Intake]:
    if not policy.works_with_records(actor):
        return Intake.objects.none()
    return Intake.objects.filter(organisation=actor.organisation).filter(
        Q(survivor__isnull=True) | Q(survivor__in=policy.changeable_survivors(actor))
    ).select_related("survivor", "case", "started_by")


#: The unfinished intake of one case (the case page), as ``visible_intakes`` would give
#: it: SQL written once per process, the organisation a parameter.
_OPEN_INTAKE_OF_CASE = Prepared(lambda org_id, case_id, survivors_org_id: Intake.objects.filter(
    Q(survivor__isnull=True) | policy.changeable_survivors_q(survivors_org_id),
    organisation_id=org_id, case_id=case_id, completed_at__isnull=True,
).select_related("survivor", "case", "started_by").order_by("-updated_at", "-id")[:1],
    -7_320_000_151, -7_320_000_152, -7_320_000_153)


def open_intake_of_case(actor: Actor, case) -> Intake | None:
    """``visible_intakes(actor).filter(case=case, completed_at__isnull=True).first()``."""
    if not policy.works_with_records(actor):
        return None
    org_id = actor.organisation.pk
    return _OPEN_INTAKE_OF_CASE.first(org_id, case.pk, org_id)


#: The unfinished intake of one survivor (the survivor page), as ``visible_intakes`` would
#: give it: SQL written once per process.
_OPEN_INTAKE_OF_SURVIVOR = Prepared(
    lambda org_id, survivor_id, survivors_org_id: Intake.objects.filter(
        Q(survivor__isnull=True) | policy.changeable_survivors_q(survivors_org_id),
        organisation_id=org_id, survivor_id=survivor_id, completed_at__isnull=True,
    ).select_related("survivor", "case", "started_by").order_by("-updated_at", "-id")[:1],
    -7_320_000_154, -7_320_000_155, -7_320_000_156)


def open_intake_of_survivor(actor: Actor, survivor) -> Intake | None:
    """``visible_intakes(actor).filter(survivor=survivor, completed_at__isnull=True).first()``."""
    if not policy.works_with_records(actor):
        return None
    org_id = actor.organisation.pk
    return _OPEN_INTAKE_OF_SURVIVOR.first(org_id, survivor.pk, org_id)

#: The reader's own unfinished intakes, counted as ``visible_intakes`` would count them (the
#: caseload's "intakes in progress", on every view): SQL written once per process.
def _open_intakes_started_by(org_id: int, user_id: int, survivors_org_id: int):
    return Intake.objects.filter(
        Q(survivor__isnull=True) | policy.changeable_survivors_q(survivors_org_id),
        organisation_id=org_id, started_by_id=user_id, completed_at__isnull=True).values("pk")


_OPEN_INTAKES_STARTED_BY = Recipe(_open_intakes_started_by,
                                  -7_330_000_061, -7_330_000_062, -7_330_000_063)


def open_intakes_started_by(actor: Actor) -> int:
    """``visible_intakes(actor).filter(completed_at__isnull=True, started_by=actor.user)
    .count()``, its SQL written once."""
    if actor.user is None or not policy.works_with_records(actor):
        return 0
    org_id = actor.organisation.pk
    return _OPEN_INTAKES_STARTED_BY.scalar(("count",), (org_id, actor.user.pk, org_id), count_sql)


def _mine_and_intakes_counted(parts: tuple, using: str) -> tuple[str, tuple]:
    """One statement: "my cases"' two capped counts added (``mine._both_counted``), then the
    reader's unfinished intakes counted (``count_sql``)."""
    written = [count_sql(part, using) for part in parts]
    sql = "SELECT ({}) + ({}), ({})".format(*(part_sql for part_sql, _ in written))
    return sql, tuple(param for _, params in written for param in params)


#: The caseload's two counts on every view of "my cases" (``mine.count`` and
#: ``open_intakes_started_by``) in one statement, one round trip: SQL written once per
#: process and cap.
_MINE_AND_INTAKES = Recipe(lambda org_id, user_id: (
    *mine.counted_halves(org_id, user_id),
    _open_intakes_started_by(org_id, user_id, org_id)),
    -7_330_000_101, -7_330_000_102)


def mine_and_open_intakes(actor: Actor) -> tuple[keyset.Count, int]:
    """``(mine.count(actor), open_intakes_started_by(actor))`` by one statement; for an actor
    with a user and an organisation."""
    if not policy.works_with_records(actor):
        return mine.count(actor), 0
    cap = keyset.count_cap()
    n, intakes = _MINE_AND_INTAKES.row(("capped count", cap), (actor.organisation.pk,
                                                              actor.user.pk),
                                       _mine_and_intakes_counted)
    return keyset.capped(n, cap), intakes


def intakes_listed(actor: Actor, intakes) -> list[Intake]:
    """One page of unfinished intakes, as shown (who, which survivor, which step): audited."""
    shown = list(intakes)
    audit.record_read(actor, shown, record_type="intake")
    return shown


def intake_for(actor: Actor, intake_id) -> Intake:
    return policy.one_of(visible_intakes(actor), intake_id, "intake")


#: The live cases of a page of survivors, as the caseload's table shows them (the statement
#: a prefetch of ``Survivor.cases`` wrote, its rows plain): the list of survivors is one
#: parameter (``core.prepared.AnyOf``), so the SQL is written once per process. Newest
#: first by the model's ordering; the time itself is not read (the table does not show
#: it: 26 date-times a view through Django's Python loader).
_LIVE_CASES_OF = Rows(lambda survivor_ids: Case.objects.filter(
    AnyOf("survivor_id", survivor_ids), archived_at__isnull=True).values(
        "id", "reference", "status", "survivor_id"),
    [-7_330_000_091])


def live_cases_of_survivors(survivor_ids: list[int]) -> list[tuple]:
    """``(id, reference, status, survivor_id)`` of the live cases of ``survivor_ids``
    (already visible to the reader), newest first."""
    if not survivor_ids:
        return []
    return [(r["id"], r["reference"], r["status"], r["survivor_id"])
            for r in _LIVE_CASES_OF.rows(list(survivor_ids))]
