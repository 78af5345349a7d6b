"""Engagement and prevention, counted per organisation for ``insights`` (one aggregate query
per measure; no names, no references: counts only). Survivors are counted only while their
``statistics`` consent stands (``consent.flows_q``), as in every other measure.

Every function has the one signature insights calls:
``(organisation_id, *, period=None) -> list[Grid]``; ``period`` is an inclusive
``(first_day, last_day)``. The measures are defined in ``insights/measures.toml`` under
``# --- engagement ---``.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Count as SqlCount
from django.db.models import Q, Sum

from northstar.core.tables import Count, Grid
from northstar.engagement.models import (
    ActivityKind,
    ConsultationChange,
    OutreachKind,
    OutreachLeader,
    OutreachSession,
    Participation,
    ParticipationStatus,
)
from northstar.engagement.models import Consultation as ConsultationModel
from northstar.survivors.consent import flows_q

TOTAL = "total"


def _between(field: str, period: tuple[date, date] | None) -> dict:
    if period is None:
        return {}
    first, last = period
    return {f"{field}__gte": first, f"{field}__lte": last}


def consultations_held(organisation_id: int, *,
                       period: tuple[date, date] | None = None) -> list[Grid]:
    """Consultations held; rows: led through an activity or not (e.g. a written survey)."""
    rows = (ConsultationModel.objects.filter(organisation_id=organisation_id,
                                             **_between("held_on", period))
            .aggregate(with_activity=SqlCount("id", filter=Q(activity__isnull=False)),
                       without_activity=SqlCount("id", filter=Q(activity__isnull=True))))
    cells = {(row, TOTAL): Count(n) for row, n in rows.items() if n}
    return [Grid("engagement.consultations_held.by_setting", ("with_activity", "without_activity"),
                 (TOTAL,), cells)]


def survivors_consulted(organisation_id: int, *,
                        period: tuple[date, date] | None = None) -> list[Grid]:
    """People consulted: survivors who took part in a consultation's activity (each person
    once) and the others consulted by count (surveys, interviews)."""
    consultations = ConsultationModel.objects.filter(organisation_id=organisation_id,
                                                     **_between("held_on", period))
    people = (Participation.objects.filter(
        activity__consultations__in=consultations, status=ParticipationStatus.ACCEPTED,
        survivor__archived_at__isnull=True)
        .filter(flows_q("statistics", survivor="survivor"))
        .aggregate(n=SqlCount("survivor_id", distinct=True))["n"] or 0)
    others = consultations.aggregate(n=Sum("others_consulted"))["n"] or 0
    return [Grid("engagement.survivors_consulted.by_setting", ("at_activities", "otherwise"), (TOTAL,),
                 {("at_activities", TOTAL): Count(people), ("otherwise", TOTAL): Count(others)})]


def changes_made(organisation_id: int, *,
                 period: tuple[date, date] | None = None) -> list[Grid]:
    """Changes made because survivors were consulted."""
    n = ConsultationChange.objects.filter(consultation__organisation_id=organisation_id,
                                          **_between("changed_on", period)).count()
    return [Grid("engagement.changes_made.all", ("all",), (TOTAL,), {("all", TOTAL): Count(n)})]


def survivors_taking_part(organisation_id: int, *,
                          period: tuple[date, date] | None = None) -> list[Grid]:
    """Survivors who took part, by kind of activity (each person once per kind)."""
    rows = (Participation.objects.filter(
        activity__organisation_id=organisation_id, status=ParticipationStatus.ACCEPTED,
        survivor__archived_at__isnull=True,  # archived: a mistake or a merged duplicate
        **_between("activity__starts_at__date", period))
        .filter(flows_q("statistics", survivor="survivor"))
        .values("activity__kind").annotate(n=SqlCount("survivor_id", distinct=True)).order_by())
    cells = {(r["activity__kind"], TOTAL): Count(r["n"]) for r in rows}
    return [Grid("engagement.survivors_taking_part.by_activity_kind", tuple(ActivityKind.values), (TOTAL,),
                 cells)]


def outreach_sessions(organisation_id: int, *,
                      period: tuple[date, date] | None = None) -> list[Grid]:
    """Outreach sessions by kind (rows) and who led them (columns)."""
    rows = (OutreachSession.objects.filter(organisation_id=organisation_id,
                                           **_between("held_on", period))
            .values("kind", "led_by").annotate(n=SqlCount("id")).order_by())
    cells = {(r["kind"], r["led_by"]): Count(r["n"]) for r in rows}
    return [Grid("engagement.outreach_sessions.by_kind", tuple(OutreachKind.values),
                 tuple(OutreachLeader.values), cells)]


def outreach_audience(organisation_id: int, *,
                      period: tuple[date, date] | None = None) -> list[Grid]:
    """People reached by outreach (women, men, children) and at-risk families counselled,
    by kind of session."""
    rows = (OutreachSession.objects.filter(organisation_id=organisation_id,
                                           **_between("held_on", period))
            .values("kind").annotate(women=Sum("audience_women"), men=Sum("audience_men"),
                                     children=Sum("audience_children"),
                                     families=Sum("at_risk_families")).order_by())
    columns = ("women", "men", "children")
    audience = {(r["kind"], c): Count(r[c] or 0) for r in rows for c in columns}
    families = {(r["kind"], "families"): Count(r["families"] or 0) for r in rows}
    return [Grid("engagement.outreach_audience.by_kind", tuple(OutreachKind.values), columns, audience),
            Grid("engagement.outreach_audience.at_risk_families", tuple(OutreachKind.values), ("families",),
                 families)]


#: Every counting function, for insights to find: measure key → function.
MEASURES = {
    "engagement.consultations_held": consultations_held,
    "engagement.survivors_consulted": survivors_consulted,
    "engagement.changes_made": changes_made,
    "engagement.survivors_taking_part": survivors_taking_part,
    "engagement.outreach_sessions": outreach_sessions,
    "engagement.outreach_audience": outreach_audience,
}
