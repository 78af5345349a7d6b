"""The survivor's priorities, pathway assessments and plan on a stored case.

Callers asked ``northstar.policy`` for the case (or the plan item's case)
first; each function writes in one transaction and records the audit entry.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q
from django.db.models.fields.json import KT
from django.utils import timezone

from northstar import policy
from northstar.core import audit, disclosure
from northstar.core.actor import Actor
from northstar.core.disclosure import MIN_CELL
from northstar.core.errors import Conflict, DomainError, Forbidden
from northstar.core.fields import reveal
from northstar.pathways import selectors
from northstar.pathways.models import (
    CLOSED,
    TRANSITIONS,
    Outcome,
    PathwayAssessment,
    PlanItem,
    PlanStatus,
    PlanStatusChange,
    Priorities,
)
from northstar.pathways.profile import profile_for_case
from northstar.pathways.rules import engine
from northstar.survivors.consent import flows_q
from northstar.survivors.models import Case, ConsentPurpose

MAX_WORDS = 4000
MAX_NOTE = 2000


def assess(profile: dict) -> dict:
    """The engine's result; its input errors become a 422 naming the field."""
    try:
        return engine.assess(profile)
    except engine.InvalidProfile as exc:
        raise DomainError(exc.message, exc.field) from None


@transaction.atomic
def set_priorities(actor: Actor, case: Case, *, ranking: list[str], words: str) -> Priorities:
    """Record the survivor's own ranking of the three outcomes, in their words."""
    if not isinstance(ranking, list) or sorted(ranking) != sorted(Outcome.values):
        raise DomainError(
            "rank each of the three outcomes exactly once: " + ", ".join(Outcome.values), "ranking"
        )
    words = (words or "").strip()
    if len(words) > MAX_WORDS:
        raise DomainError(f"at most {MAX_WORDS} characters", "words")
    priorities = Priorities.objects.create(
        case=case,
        ranking=list(ranking),
        words=words,
        recorded_by=actor.user,
        recorded_by_label=actor.label,
    )
    audit.record(
        actor,
        "create",
        "priorities",
        priorities.pk,
        survivor_ref=case.survivor.reference,
        fields=["ranking", "words"] if words else ["ranking"],
    )
    return priorities


def current_priorities(case: Case) -> Priorities | None:
    return case.priorities.order_by("-recorded_at", "-id").first()


def reveal_words(actor: Actor, priorities: Priorities) -> str:
    """The survivor's own words, opened on purpose; the read is audited."""
    audit.record_read(
        actor,
        priorities,
        record_type="priorities",
        survivor_ref=priorities.case.survivor.reference,
        fields=["words"],
    )
    return reveal(priorities.words)


@transaction.atomic
def assess_case(actor: Actor, case: Case, *, wishes: dict | None = None) -> PathwayAssessment:
    """Run the pathways engine on the case's profile and keep profile, result and version."""
    if wishes is not None and not isinstance(wishes, dict):
        raise DomainError("wishes must be an object", "wishes")
    profile = profile_for_case(case, wishes)
    result = assess(profile)
    assessment = PathwayAssessment.objects.create(
        case=case,
        profile=profile,
        result=result,
        rule_set_version=result["rule_set_version"],
        created_by=actor.user,
        created_by_label=actor.label,
    )
    offered = sum(1 for i in result["interventions"] if i["eligibility"] != "not_eligible")
    audit.record(
        actor,
        "create",
        "pathway_assessment",
        assessment.pk,
        survivor_ref=case.survivor.reference,
        fields=sorted(profile),
        note=f"{offered} of 9 interventions offered",
    )
    return assessment


def latest_assessment(case: Case) -> PathwayAssessment | None:
    return selectors.latest_assessment_of(case)


@transaction.atomic
def add_plan_item(actor: Actor, case: Case, *, intervention: str, note: str = "") -> PlanItem:
    """Add an intervention the survivor chose, from those the latest assessment offers."""
    if intervention not in engine.intervention_keys():
        raise DomainError(
            "unknown intervention; expected one of " + ", ".join(engine.intervention_keys()),
            "intervention",
        )
    assessment = latest_assessment(case)
    if assessment is None:
        raise DomainError(
            "assess the pathways for this case before building the plan", "intervention"
        )
    offered = assessment.intervention(intervention)
    if offered is None or offered["eligibility"] == "not_eligible":
        reasons = "; ".join(r["explanation"] for r in (offered or {}).get("reasons", [])[:1])
        raise DomainError(
            f"{intervention} is not offered for this survivor. {reasons}".strip(), "intervention"
        )
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise DomainError(f"at most {MAX_NOTE} characters", "note")
    if case.plan_items.filter(intervention=intervention).exclude(status__in=CLOSED).exists():
        raise Conflict(f"{intervention} is already in the plan", "intervention")
    item = PlanItem.objects.create(
        case=case,
        intervention=intervention,
        pathway=offered["pathway"],
        outcome=offered["outcome"],
        assessment=assessment,
        eligibility_when_chosen=offered["eligibility"],
        note=note,
        created_by=actor.user,
    )
    PlanStatusChange.objects.create(
        item=item,
        status=PlanStatus.PROPOSED,
        note=note,
        changed_by=actor.user,
        changed_by_label=actor.label,
    )
    audit.record(
        actor,
        "create",
        "plan_item",
        item.pk,
        survivor_ref=case.survivor.reference,
        fields=["intervention", "status"] + (["note"] if note else []),
        note=f"{intervention} proposed",
    )
    return item


@transaction.atomic
def change_plan_item(actor: Actor, item: PlanItem, *, status: str, note: str = "") -> PlanItem:
    """Move a plan item on (agreed, in progress, delivered, declined, stopped), dated."""
    current = PlanItem.objects.select_for_update().get(pk=item.pk)
    if status not in PlanStatus.values:
        raise DomainError(
            "unknown status; expected one of " + ", ".join(PlanStatus.values), "status"
        )
    if status not in TRANSITIONS[current.status]:
        allowed = ", ".join(sorted(TRANSITIONS[current.status])) or "nothing (it is final)"
        raise Conflict(f"a {current.status} item can become: {allowed}", "status")
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise DomainError(f"at most {MAX_NOTE} characters", "note")
    if (
        status == PlanStatus.PROPOSED
        and current.case.plan_items.filter(intervention=current.intervention)
        .exclude(status__in=CLOSED)
        .exclude(pk=current.pk)
        .exists()
    ):
        raise Conflict(f"{current.intervention} is already in the plan", "status")
    now = timezone.now()
    PlanItem.objects.filter(pk=current.pk).update(
        status=status, updated_at=now, version=F("version") + 1
    )
    PlanStatusChange.objects.create(
        item=current,
        status=status,
        note=note,
        changed_at=now,
        changed_by=actor.user,
        changed_by_label=actor.label,
    )
    audit.record(
        actor,
        "update",
        "plan_item",
        current.pk,
        survivor_ref=current.case.survivor.reference,
        fields=["status"] + (["note"] if note else []),
        note=f"{current.intervention}: {current.status} → {status}",
    )
    current.refresh_from_db()
    return current


# --- selectors ---------------------------------------------------------------


def plan_item_for(actor: Actor, item_id) -> PlanItem:
    return policy.one_of(
        PlanItem.objects.filter(case__in=policy.visible_cases(actor)).select_related(
            "case__survivor"),
        item_id, "plan item")


def delivery_by_outcome(items, ranking: list[str] | None = None) -> list[dict]:
    """For each outcome (in the survivor's order): what was planned, is under way, delivered.

    Counted from the plan alone, never from trial participation.
    """
    order = list(ranking or Outcome.values)
    rows = []
    for outcome in order:
        mine = [i for i in items if i.outcome == outcome]
        rows.append(
            {
                "outcome": outcome,
                "label": str(Outcome(outcome).label),
                "planned": sum(
                    1 for i in mine if i.status in (PlanStatus.PROPOSED, PlanStatus.AGREED)
                ),
                "in_progress": sum(1 for i in mine if i.status == PlanStatus.IN_PROGRESS),
                "delivered": sum(1 for i in mine if i.status == PlanStatus.DELIVERED),
                "declined_or_stopped": sum(
                    1 for i in mine if i.status in (PlanStatus.DECLINED, PlanStatus.STOPPED)
                ),
                "served": any(i.status == PlanStatus.DELIVERED for i in mine),
            }
        )
    return rows


# --- aggregate figures ---------------------------------------------------------

#: Researchers see a figure only when at least this many cases stand behind it.


TRIAL_VALUES = ("yes", "no", "undecided")


def _counted(actor: Actor, researcher: bool, via: str = "") -> list:
    """The conditions of the cases the figures count, on the case (``via=""``) or on a row
    that names its case (``via="case__"``): the organisation's live cases of live survivors,
    for a researcher only those whose survivor's statistics consent stands (``flows_q``, in
    the database). The organisation and the survivor's archived state are the case's own
    copies (``Case.organisation``, ``Case.survivor_archived``), so no survivor is joined:
    on the cases, one range of the partial index ``case_org_live_survivor``, index-only."""
    conditions = [Q(**{f"{via}organisation": actor.organisation,
                       f"{via}archived_at__isnull": True,
                       f"{via}survivor_archived": False})]
    if researcher:
        conditions.append(flows_q(ConsentPurpose.STATISTICS, survivor=f"{via}survivor"))
    return conditions


def _delivery_cases(actor: Actor, researcher: bool):
    """The cases the figures count (``_counted``)."""
    return Case.objects.filter(*_counted(actor, researcher))


def _first_choices(counted: list) -> dict[str, dict]:
    """Per outcome ranked first in a case's latest priorities: the cases and survivors that
    ranked it first, and of those the ones where it was delivered. One grouped query (the
    latest priorities by an anti-join; "delivered" as an EXISTS on the plan)."""
    newer = Priorities.objects.filter(case=OuterRef("case")).filter(
        Q(recorded_at__gt=OuterRef("recorded_at"))
        | Q(recorded_at=OuterRef("recorded_at"), pk__gt=OuterRef("pk")))
    delivered = PlanItem.objects.filter(case=OuterRef("case"), outcome=OuterRef("first"),
                                        status=PlanStatus.DELIVERED)
    served = Q(served=True)
    rows = (Priorities.objects.filter(*counted).filter(~Exists(newer))
            .annotate(first=KT("ranking__0")).annotate(served=Exists(delivered))
            .values("first").order_by()
            .annotate(ranked_first=Count("case"),
                      ranked_first__people=Count("case__survivor", distinct=True),
                      delivered_when_ranked_first=Count("case", filter=served),
                      delivered_when_ranked_first__people=Count("case__survivor", filter=served,
                                                                distinct=True)))
    return {row["first"]: row for row in rows}


def _deliveries(counted: list) -> tuple[dict, dict]:
    """Cases (and survivors) where each outcome was delivered, by trial participation and
    in all: two grouped queries over the delivered plan items."""
    items = PlanItem.objects.filter(*counted, status=PlanStatus.DELIVERED).order_by()
    by_trial: dict[str, dict[str, tuple[int, int]]] = {}
    for row in items.values("outcome", "case__trial_participation").annotate(
            n=Count("case", distinct=True), people=Count("case__survivor", distinct=True)):
        by_trial.setdefault(row["outcome"], {})[row["case__trial_participation"]] = (
            row["n"], row["people"])
    people = {row["outcome"]: row["people"] for row in items.values("outcome").annotate(
        people=Count("case__survivor", distinct=True))}
    return by_trial, people


def delivery_figures(actor: Actor) -> dict:
    """Did survivors get what they ranked first, with or without a trial? Aggregates only.

    Per outcome: cases that ranked it first, cases where it was delivered, and
    delivered cases by the survivor's trial participation (yes/no/undecided),
    so delivery can be compared for those who never go to court. Supervisors
    and administrators count all the organisation's cases; researchers only
    cases whose survivor's statistics consent stands (``flows_q``, in the
    database), and never a cell backed by fewer than ``MIN_CELL`` survivors.

    Four grouped queries whatever the organisation's size (the cases; the latest
    priorities by first choice; delivered plan items by outcome and trial
    participation, and by outcome), with the survivors behind each count.
    """
    if not policy.may_see_aggregates(actor) or actor.organisation is None:
        raise Forbidden("your role does not see delivery figures")
    researcher = policy.sees_only_disclosure_safe_figures(actor)
    cases = _delivery_cases(actor, researcher)
    totals = cases.order_by().aggregate(cases=Count("pk"),
                                        people=Count("survivor", distinct=True))
    # The priorities and plan items filtered through their own case (one join), not by
    # "case in (the cases)" joined to the case again for its survivor.
    firsts = _first_choices(_counted(actor, researcher, via="case__"))
    by_trial_of, delivered_people = _deliveries(_counted(actor, researcher, via="case__"))
    rows = []
    for outcome in Outcome.values:
        first = firsts.get(outcome, {})
        trial = by_trial_of.get(outcome, {})
        by_trial = dict.fromkeys(TRIAL_VALUES, 0)
        # Survivors behind each count: a survivor with two cases is still one person.
        who = {"ranked_first": first.get("ranked_first__people", 0),
               "delivered": delivered_people.get(outcome, 0),
               "delivered_when_ranked_first": first.get("delivered_when_ranked_first__people",
                                                        0)}
        for value, (n, people) in trial.items():
            by_trial[value] = n
            who[value] = people
        row = {
            "outcome": outcome,
            "ranked_first": first.get("ranked_first", 0),
            "delivered": sum(n for n, _people in trial.values()),
            "delivered_when_ranked_first": first.get("delivered_when_ranked_first", 0),
            "delivered_by_trial_participation": by_trial,
        }
        if researcher:
            row = _suppress(row, {k: v for k, v in who.items() if v})
        rows.append(row)
    audit.record(
        actor,
        "read",
        "delivery_figures",
        "",
        note=f"delivery per outcome over {totals['cases']} case(s)",
    )
    return {
        "cases": totals["cases"]
        if not researcher or totals["people"] >= MIN_CELL
        else None,
        "outcomes": rows,
        "restricted_to_statistics_consent": researcher,
        "min_cell": MIN_CELL if researcher else None,
    }


def _suppress(row: dict, people: dict[str, int] | None = None) -> dict:
    """Blank every count behind between 1 and ``MIN_CELL - 1`` survivors (``people``, by
    key; the count itself where not given): small numbers identify people. The counts by
    trial participation add up to ``delivered``, so a lone blank among them takes the next
    smallest with it (``disclosure.suppress``)."""
    people = people or {}
    counts = {k: v for k, v in row.items() if isinstance(v, int) and not isinstance(v, bool)}
    return {
        **row,
        **disclosure.suppress(counts, people, additive=False),
        "delivered_by_trial_participation": disclosure.suppress(
            row["delivered_by_trial_participation"], people),
    }

