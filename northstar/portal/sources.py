"""What the portal shows from other apps: plan, priorities, justice stage, claims, payments.

Every reader starts from ``policy.visible_cases(actor)`` with the survivor's own
actor, so it can only ever return that survivor's rows. Each returns plain data.
Every app is installed, so a failure here is a bug and surfaces; only a date
written badly in an event's details is skipped (and logged).
"""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal

from django.utils import timezone

from northstar import policy
from northstar.compensation.models import Claim
from northstar.core.actor import Actor
from northstar.justice.models import TimelineEvent
from northstar.pathways.models import PlanItem, Priorities

log = logging.getLogger(__name__)


def plan_items(actor: Actor) -> list[dict]:
    """Plan items across the survivor's cases: intervention, outcome and status keys."""
    qs = (PlanItem.objects.filter(case__in=policy.visible_cases(actor))
          .order_by("created_at", "id"))
    return [{"intervention": i.intervention, "outcome": i.outcome, "status": i.status,
             "updated_at": i.updated_at} for i in qs]


def outcome_ranking(actor: Actor) -> list[str]:
    """The survivor's latest ranking of the three outcomes (keys), most important first."""
    latest = (Priorities.objects.filter(case__in=policy.visible_cases(actor))
              .order_by("-recorded_at", "-id").first())
    return [str(k) for k in (latest.ranking if latest else [])]


def current_stage(actor: Actor) -> str | None:
    """The stage of the latest (not voided) justice-chain event on the survivor's cases."""
    event = (TimelineEvent.objects.filter(case__in=policy.visible_cases(actor),
                                          voided_at__isnull=True)
             .order_by("-occurred_on", "-id").first())
    return event.stage if event else None


def upcoming(actor: Actor, today: dt.date) -> list[dict]:
    """Dates ahead that the survivor should know: court hearings, and when their time to
    rest and decide (reflection period) ends. Earliest first."""
    events = list(TimelineEvent.objects.filter(case__in=policy.visible_cases(actor),
                                               voided_at__isnull=True)
                  .order_by("occurred_on", "id"))
    items = []
    for event in events:
        if event.kind == "hearing" and event.occurred_on >= today:
            items.append({"kind": "hearing", "date": event.occurred_on})
        elif event.kind == "reflection_period_start":
            ends = (event.details or {}).get("ends_on")
            ended = any(e.kind == "reflection_period_end" and e.case_id == event.case_id
                        and (e.occurred_on, e.pk) >= (event.occurred_on, event.pk)
                        for e in events)
            if ends and not ended:
                ends = dt.date.fromisoformat(str(ends))
                if ends >= today:
                    items.append({"kind": "reflection_ends", "date": ends})
    return sorted(items, key=lambda i: i["date"])


def claims(actor: Actor) -> list[dict]:
    """Claims with status, amounts, payments received and the next instalment due (marked
    ``overdue`` when its date has passed unpaid: "was due on", not "expected")."""
    result = []
    today = timezone.localdate()
    qs = (Claim.objects.filter(case__in=policy.visible_cases(actor))
          .prefetch_related("payments", "instalments").order_by("created_at", "id"))
    for claim in qs:
        payments = [{"date": p.received_on, "amount": p.amount}
                    for p in claim.payments.all()]
        received = sum((p["amount"] for p in payments), Decimal(0))
        upcoming = sorted(
            (i for i in claim.instalments.all() if i.superseded_at is None),
            key=lambda i: (i.due_on, i.number))
        # Instalments are paid in order: the next one due is the first not yet covered.
        covered, next_due = received, None
        for instalment in upcoming:
            if covered >= instalment.amount:
                covered -= instalment.amount
                continue
            next_due = {"date": instalment.due_on, "amount": instalment.amount - covered,
                        "overdue": instalment.due_on < today}
            break
        result.append({
            "id": claim.pk,
            "status": claim.status,
            "currency": claim.currency,
            "claimed": claim.amount_claimed,
            "awarded": claim.amount_awarded,
            "agreed": claim.amount_agreed,
            "received": received,
            "payments": payments,
            "next_due": next_due,
        })
    return result


def jurisdiction(actor: Actor, survivor) -> str:
    """Whose law the survivor is told about: their latest open case's jurisdiction, else
    the organisation's (a survivor with no case yet is still helped under some law)."""
    case = (policy.visible_cases(actor).filter(archived_at__isnull=True)
            .order_by("-created_at", "-id").values_list("jurisdiction", flat=True).first())
    return case or survivor.organisation.jurisdiction
