"""The insights measures as ``northstar/insights/counting.py`` counted them before issue 13
(Django ORM: correlated subqueries per row, one query per split; checked cell by cell against
DuckDB at 5k, 100k and 1M cases, bench/README.md "Insights at scale"). Too slow for an
organisation of 100,000 survivors (up to a minute a measure), kept here as the reference
the set-based statements must agree with, grid for grid (``test_counting_statements.py``)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Case as Choose
from django.db.models import (
    CharField,
    Count,
    DateField,
    DateTimeField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce, ExtractQuarter, ExtractYear

from northstar.compensation.figures import ROUTES
from northstar.compensation.models import Claim, Payment
from northstar.core.tables import Count as Cell
from northstar.core.tables import Grid
from northstar.justice.models import TimelineEvent
from northstar.pathways.models import Outcome, PlanItem, PlanStatus, PlanStatusChange, Priorities
from northstar.safeguards.models import Finding, FindingStatus, Severity
from northstar.screening.models import Classification, Screening
from northstar.survivors.consent import flows_q
from northstar.survivors.models import Case, ConsentPurpose, Sex, Survivor, TrialParticipation

Period = tuple[dt.date, dt.date] | None

TRIAL = tuple(TrialParticipation.values)
OUTCOMES = tuple(Outcome.values)
#: Age bands at intake (the younger possible age where only the birth year is known, as
#: for child protection); an unknown age is its own band, never "adult".
AGE_BANDS = ((0, 17, "0-17"), (18, 24, "18-24"), (25, 34, "25-34"), (35, 49, "35-49"),
             (50, None, "50+"))
UNKNOWN_AGE = "unknown"
SUPPORTED = (PlanStatus.IN_PROGRESS, PlanStatus.DELIVERED)
#: Hearing testimony that is a retelling (``justice.timeline.TOLD_AT_HEARING``).
TOLD_AT_HEARING = ("in_person", "video")
#: Parties a trial may hold to account (the hearing's ``<party>_held_to_account`` details;
#: seed 004).
PARTIES = ("broker", "employer", "organised_crime")


def counted_cases(organisation_id: int) -> QuerySet[Case]:
    """The consent gate, as a set: the organisation's live cases whose survivor's
    ``statistics`` consent stands (one ``EXISTS``; ``may_flow`` for the whole set)."""
    return Case.objects.filter(
        organisation_id=organisation_id, archived_at__isnull=True,
        survivor__archived_at__isnull=True,
    ).filter(flows_q(ConsentPurpose.STATISTICS, survivor="survivor")).order_by()


def _in(period: Period, field: str) -> Q:
    if period is None:
        return Q()
    start, end = period
    return Q(**{f"{field}__gte": start, f"{field}__lte": end})


def _on_date(period: Period, field: str) -> Q:
    """``field`` (a date and time) falls within ``period`` (whole days)."""
    return _in(period, f"{field}__date")


def _grid(measure: str, rows, columns, found: dict, *, share: bool,
          additive_rows: bool = True, additive_columns: bool = True) -> Grid:
    """A grid of ``found[(row, column)] = (people, of)``, rows and columns in the order
    given, then any others the data holds (sorted)."""
    rows = tuple(rows) + tuple(sorted({r for r, _ in found} - set(rows)))
    columns = tuple(columns) + tuple(sorted({c for _, c in found} - set(columns)))
    cells = {key: Cell(people, of if share else None) for key, (people, of) in found.items()}
    return Grid(measure, rows, columns, cells, additive_rows, additive_columns,
                "share" if share else "people")


# --- Own outcome delivered -----------------------------------------------------------


def _latest_rankings(cases: QuerySet[Case]) -> QuerySet[Priorities]:
    """One ranking per survivor: the latest ranking of their latest case that has one."""
    newer = Priorities.objects.filter(case=OuterRef("case")).filter(
        Q(recorded_at__gt=OuterRef("recorded_at"))
        | Q(recorded_at=OuterRef("recorded_at"), pk__gt=OuterRef("pk")))
    ranked = cases.filter(Exists(Priorities.objects.filter(case=OuterRef("pk"))))
    later_case = ranked.filter(survivor=OuterRef("case__survivor")).filter(
        Q(created_at__gt=OuterRef("case__created_at"))
        | Q(created_at=OuterRef("case__created_at"), pk__gt=OuterRef("case_id")))
    return (Priorities.objects.filter(case__in=ranked.values("pk"))
            .filter(~Exists(newer)).filter(~Exists(later_case))
            .annotate(first=KT("ranking__0")).filter(first__isnull=False).order_by())


def _age_band(birth_year: str, on: str):
    age = ExpressionWrapper(ExtractYear(on) - F(birth_year) - 1, output_field=IntegerField())
    whens = [When(**{f"{birth_year}__isnull": True}, then=Value(UNKNOWN_AGE))]
    for low, high, label in AGE_BANDS:
        cond = Q(age_at_intake__gte=low) if high is None else Q(age_at_intake__gte=low, age_at_intake__lte=high)
        whens.append(When(cond, then=Value(label)))
    return age, Choose(*whens, default=Value(UNKNOWN_AGE), output_field=CharField())


def own_outcome_delivered(organisation_id: int, *, period: Period = None) -> list[Grid]:
    """Share of survivors whose first-ranked outcome has a delivered plan item for it.

    Columns: the outcome ranked first (the denominators add up across them). Rows: trial
    participation, jurisdiction, sex (columns: age band), quarter of intake; and, where a
    survivor can sit in several rows (non-additive), the pathway and the intervention of
    the plan items (of survivors with an item of that pathway, those whose first-ranked
    outcome an item of that pathway delivered). Period: the case's intake date."""
    key = "own_outcome_delivered"
    cases = counted_cases(organisation_id).filter(_on_date(period, "created_at"))
    delivered = PlanItem.objects.filter(case=OuterRef("case"), outcome=OuterRef("first"),
                                        status=PlanStatus.DELIVERED)
    latest = _latest_rankings(cases).annotate(served=Exists(delivered))
    tally = {"of": Count("case__survivor", distinct=True),
             "people": Count("case__survivor", distinct=True, filter=Q(served=True))}
    # One grouped query for the additive splits: ``latest`` holds one row per survivor, so
    # the survivors of a coarser group are the sum over the fine groups it holds.
    age, band = _age_band("case__survivor__birth_year", "case__created_at")
    fine = (latest.annotate(age_at_intake=age).annotate(
        age_band=band, y=ExtractYear("case__created_at"), q=ExtractQuarter("case__created_at"))
        .values("case__trial_participation", "case__jurisdiction", "case__survivor__sex",
                "age_band", "y", "q", "first").annotate(**tally))
    splits: dict[str, dict] = {"trial": {}, "jurisdiction": {}, "sex_age": {}, "quarter": {}}
    for row in fine:
        first = row["first"]
        for split, cell in (("trial", (row["case__trial_participation"], first)),
                            ("jurisdiction", (row["case__jurisdiction"], first)),
                            ("sex_age", (row["case__survivor__sex"], row["age_band"])),
                            ("quarter", (f"{row['y']}Q{row['q']}", first))):
            people, of = splits[split].get(cell, (0, 0))
            splits[split][cell] = (people + row["people"], of + row["of"])

    grids = [_grid(f"{key}.trial", TRIAL, OUTCOMES, splits["trial"], share=True)]
    # Pathway and intervention: from the plan items (a survivor may have several).
    first_of_case = Subquery(latest.filter(case=OuterRef("case")).values("first")[:1])
    items = (PlanItem.objects.filter(case__in=latest.values("case")).order_by()
             .annotate(first=first_of_case))
    item_tally = {"of": Count("case__survivor", distinct=True),
                  "people": Count("case__survivor", distinct=True,
                                  filter=Q(status=PlanStatus.DELIVERED, outcome=F("first")))}
    for split, field in (("pathway", "pathway"), ("intervention", "intervention")):
        found = {(row[field], row["first"]): (row["people"], row["of"])
                 for row in items.values(field, "first").annotate(**item_tally)}
        grids.append(_grid(f"{key}.{split}", (), OUTCOMES, found, share=True,
                           additive_rows=False))
    grids.append(_grid(f"{key}.jurisdiction", (), OUTCOMES, splits["jurisdiction"],
                       share=True))
    grids.append(_grid(f"{key}.sex_age", tuple(Sex.values),
                       tuple(label for _, _, label in AGE_BANDS) + (UNKNOWN_AGE,),
                       splits["sex_age"], share=True))
    grids.append(_grid(f"{key}.quarter", (), OUTCOMES, splits["quarter"], share=True))
    return grids


# --- Identification funnel and time to first support ---------------------------------


def identification_funnel(organisation_id: int, *, period: Period = None) -> list[Grid]:
    """Survivors screened, by the class of their latest screening (rows, adding up), and of
    them those formally identified and those receiving support (columns: steps of a
    funnel, which do not add up). Period: the case's intake date."""
    cases = counted_cases(organisation_id).filter(_on_date(period, "created_at"))
    mine = cases.values("pk")
    newer = Screening.objects.filter(case__in=mine, case__survivor=OuterRef("case__survivor"))
    newer = newer.filter(Q(created_at__gt=OuterRef("created_at"))
                         | Q(created_at=OuterRef("created_at"), pk__gt=OuterRef("pk")))
    identified = TimelineEvent.objects.filter(
        case__in=mine, case__survivor=OuterRef("case__survivor"),
        kind="identification_decision", voided_at__isnull=True, details__outcome="identified")
    supported = PlanItem.objects.filter(case__in=mine, case__survivor=OuterRef("case__survivor"),
                                        status__in=SUPPORTED)
    rows = (Screening.objects.filter(case__in=mine).filter(~Exists(newer)).order_by()
            .annotate(identified=Exists(identified), supported=Exists(supported))
            .values("classification").annotate(
                screened=Count("case__survivor", distinct=True),
                formally_identified=Count("case__survivor", distinct=True,
                                          filter=Q(identified=True)),
                receiving_support=Count("case__survivor", distinct=True,
                                        filter=Q(supported=True))))
    steps = ("screened", "formally_identified", "receiving_support")
    found = {(row["classification"], step): (row[step], None) for row in rows for step in steps}
    return [_grid("identification_funnel.class", tuple(Classification.values), steps, found,
                  share=False, additive_columns=False)]


def day_bands(bounds: tuple[int, ...]) -> tuple[str, ...]:
    """Band codes for upper bounds in days: (7, 30) → "0-7", "8-30", "over_30"."""
    out, low = [], 0
    for high in bounds:
        out.append(f"{low}-{high}")
        low = high + 1
    return (*out, f"over_{bounds[-1]}")


def _banded(days: str, bounds: tuple[int, ...], none_label: str):
    labels = day_bands(bounds)
    whens = [When(**{f"{days}__isnull": True}, then=Value(none_label))]
    whens += [When(**{f"{days}__lte": dt.timedelta(days=high)}, then=Value(label))
              for high, label in zip(bounds, labels, strict=False)]
    return Choose(*whens, default=Value(labels[-1]), output_field=CharField())


def _bounds(key: str, default: tuple[int, ...]) -> tuple[int, ...]:
    from northstar.insights.measures import by_key

    try:
        return by_key(key).bands or default
    except KeyError:  # pragma: no cover - the measure is in the file
        return default


def time_to_first_support(organisation_id: int, *, period: Period = None) -> list[Grid]:
    """Survivors by days from first contact (their record was opened) to the first plan
    item put in progress or delivered, in bands (rows add up; "not_yet" for those not yet
    supported). Period: the date of first contact."""
    bounds = _bounds("time_to_first_support", (7, 30, 90, 180, 365))
    cases = counted_cases(organisation_id)
    first = (PlanStatusChange.objects.filter(item__case__in=cases.values("pk"),
                                             item__case__survivor=OuterRef("pk"),
                                             status__in=SUPPORTED)
             .order_by().values("item__case__survivor").annotate(m=Min("changed_at"))
             .values("m")[:1])
    survivors = (Survivor.objects.filter(pk__in=cases.values("survivor"))
                 .filter(_on_date(period, "created_at")).order_by()
                 .annotate(first_support=Subquery(first, output_field=DateTimeField()))
                 .annotate(wait=ExpressionWrapper(F("first_support") - F("created_at"),
                                                  output_field=DurationField()))
                 .annotate(band=_banded("wait", bounds, "not_yet")))
    found = {(row["band"], "people"): (row["n"], None)
             for row in survivors.values("band").annotate(n=Count("pk"))}
    return [_grid("time_to_first_support.days", (*day_bands(bounds), "not_yet"), ("people",),
                  found, share=False)]


# --- Do No Harm ----------------------------------------------------------------------


def do_no_harm(organisation_id: int, *, period: Period = None) -> list[Grid]:
    """Survivors with a finding by rule and severity (and with a block overridden);
    survivors by how often they told their story; reflection periods granted and how
    they ended. Period: when the finding was raised or the event happened."""
    cases = counted_cases(organisation_id)
    mine = cases.values("pk")
    findings = Finding.objects.filter(case__in=mine).filter(
        _on_date(period, "created_at")).order_by()
    found: dict = {}
    for row in findings.values("rule", "severity").annotate(
            n=Count("case__survivor", distinct=True)):
        found[(row["rule"], row["severity"])] = (row["n"], None)
    for row in findings.filter(severity=Severity.BLOCK, status=FindingStatus.OVERRIDDEN).values(
            "rule").annotate(n=Count("case__survivor", distinct=True)):
        found[(row["rule"], "block_overridden")] = (row["n"], None)
    grids = [_grid("do_no_harm.findings", (), (Severity.WARN, Severity.BLOCK, "block_overridden"),
                   found, share=False, additive_rows=False, additive_columns=False)]

    events = TimelineEvent.objects.filter(case__in=mine, voided_at__isnull=True).filter(
        _in(period, "occurred_on"))
    tellings = (events.filter(case__survivor=OuterRef("pk")).filter(
        Q(kind="interview") | Q(kind="hearing", details__testimony__in=TOLD_AT_HEARING))
        .order_by().values("case__survivor").annotate(n=Count("pk")).values("n")[:1])
    told = (Survivor.objects.filter(pk__in=cases.values("survivor")).order_by()
            .annotate(n=Coalesce(Subquery(tellings, output_field=IntegerField()), 0))
            .annotate(band=Choose(When(n__gte=4, then=Value("4_or_more")),
                                  default=Cast("n", output_field=CharField()), output_field=CharField())))
    found = {(row["band"], "people"): (row["k"], None)
             for row in told.values("band").annotate(k=Count("pk"))}
    grids.append(_grid("do_no_harm.retellings", ("0", "1", "2", "3", "4_or_more"), ("people",),
                       found, share=False))

    starts = events.filter(kind="reflection_period_start")
    ends = TimelineEvent.objects.filter(case__in=mine, voided_at__isnull=True,
                                        kind="reflection_period_end")
    granted = starts.values("case__survivor")
    found = {("granted", "people"): (granted.aggregate(
        n=Count("case__survivor", distinct=True))["n"], None)}
    ended = ends.filter(case__survivor__in=granted).order_by()
    for row in ended.annotate(decision=Coalesce(KT("details__decision"), Value("none"), output_field=CharField())).values(
            "decision").annotate(n=Count("case__survivor", distinct=True)):
        found[(f"ended_{row['decision']}", "people")] = (row["n"], None)
    running = starts.exclude(case__in=ends.values("case")).aggregate(
        n=Count("case__survivor", distinct=True))["n"]
    found[("running", "people")] = (running, None)
    grids.append(_grid("do_no_harm.reflection",
                       ("granted", "ended_cooperate", "ended_decline", "ended_undecided",
                        "ended_none", "running"), ("people",), found, share=False,
                       additive_rows=False))
    return grids


# --- Compensation --------------------------------------------------------------------


def compensation(organisation_id: int, *, period: Period = None) -> list[Grid]:
    """Of survivors with an award or agreed amount, by route: the share who received any
    payment and the share paid in full; and survivors by days from filing to the first
    payment (``compensation.reports``' first-payment subquery), in bands. Period: the
    claim's filing date."""
    bounds = _bounds("compensation", (30, 90, 180, 365, 730))
    claims = (Claim.objects.filter(case__in=counted_cases(organisation_id).values("pk"))
              .filter(_in(period, "filed_on")).order_by()
              .annotate(owed=Coalesce("amount_awarded", "amount_agreed"))
              .filter(owed__isnull=False))
    paid = Payment.objects.filter(claim=OuterRef("pk"))
    rows = claims.annotate(paid_any=Exists(paid)).values("route").annotate(
        of=Count("case__survivor", distinct=True),
        received_any=Count("case__survivor", distinct=True, filter=Q(paid_any=True)),
        paid_in_full=Count("case__survivor", distinct=True, filter=Q(status="paid_in_full")))
    found = {}
    for row in rows:
        for column in ("received_any", "paid_in_full"):
            found[(row["route"], column)] = (row[column], row["of"])
    grids = [_grid("compensation.received", ROUTES, ("received_any", "paid_in_full"), found,
                   share=True, additive_rows=False, additive_columns=False)]
    first_day = Subquery(Payment.objects.filter(claim=OuterRef("pk")).order_by()
                         .values("claim").annotate(day=Min("received_on")).values("day")[:1],
                         output_field=DateField())
    waited = (claims.filter(filed_on__isnull=False)
              .annotate(wait=ExpressionWrapper(first_day - F("filed_on"),
                                               output_field=DurationField()))
              .annotate(band=_banded("wait", bounds, "not_paid")))
    found = {(row["band"], "people"): (row["n"], None)
             for row in waited.values("band").annotate(n=Count("case__survivor", distinct=True))}
    grids.append(_grid("compensation.days_to_first_payment", (*day_bands(bounds), "not_paid"),
                       ("people",), found, share=False, additive_rows=False))
    return grids


# --- Who is held to account ----------------------------------------------------------


def held_to_account(organisation_id: int, *, period: Period = None) -> list[Grid]:
    """Where a trial happens (a hearing on the timeline), the share of survivors whose
    hearings record the broker, the employer or an organised crime group held to account
    (the hearing's ``<party>_held_to_account`` details). Period: the hearing's date."""
    hearings = TimelineEvent.objects.filter(
        case__in=counted_cases(organisation_id).values("pk"), kind="hearing",
        voided_at__isnull=True).filter(_in(period, "occurred_on")).order_by()
    tally = {"of": Count("case__survivor", distinct=True)}
    for party in PARTIES:
        tally[party] = Count("case__survivor", distinct=True,
                             filter=Q(**{f"details__{party}_held_to_account": True}))
    totals = hearings.aggregate(**tally)
    found = {(party, "held"): (totals[party], totals["of"]) for party in PARTIES}
    return [_grid("held_to_account.party", PARTIES, ("held",), found, share=True,
                  additive_rows=False)]
