"""Pathway, priorities and plan pages on a case. Thin: policy, action, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from northstar import policy
from northstar.core.errors import DomainError
from northstar.pathways import actions, selectors
from northstar.pathways.forms import PlanItemForm, PrioritiesForm, StatusForm, WishesForm
from northstar.pathways.models import CLOSED, TRANSITIONS, Outcome, PlanStatus
from northstar.pathways.rules import engine


def _error(form, exc: DomainError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


@login_required
def pathways_page(request, case_id: int):
    """The nine interventions for this survivor, in the order of what they ranked first."""
    actor = request.actor
    case = policy.case_for(actor, case_id, change=request.method == "POST")
    form = WishesForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.assess_case(actor, case, wishes=form.wishes())
        except DomainError as exc:
            _error(form, exc)
        else:
            return redirect("pathways:case", case_id=case.pk)
    assessment = selectors.latest_assessment(actor, case)
    priorities = selectors.priorities(actor, case)
    ranking = priorities.ranking if priorities else []
    results = (
        engine.order_by_priorities(assessment.result["interventions"], ranking)
        if assessment
        else []
    )
    in_plan = {i.intervention for i in selectors.plan(actor, case) if i.status not in CLOSED}
    return render(
        request,
        "pathways/case.html",
        {
            "case": case,
            "form": form,
            "assessment": assessment,
            "results": results,
            "ranking": [Outcome(o).label for o in ranking],
            "in_plan": in_plan,
            "plan_form": PlanItemForm(
                offered=[r for r in results if r["eligibility"] != "not_eligible"]
            ),
        },
    )


@login_required
def priorities_page(request, case_id: int):
    actor = request.actor
    case = policy.case_for(actor, case_id, change=request.method == "POST")
    current = selectors.priorities(actor, case)
    initial = PrioritiesForm.initial_for(current.ranking) if current else {}
    form = PrioritiesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.set_priorities(
                actor, case, ranking=form.ranking(), words=form.cleaned_data["words"]
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Priorities recorded.")
            return redirect("case", case_id=case.pk)
    words = (
        actions.reveal_words(actor, current)
        if current and request.GET.get("words") == "1"
        else None
    )
    return render(
        request,
        "pathways/priorities.html",
        {
            "case": case,
            "form": form,
            "current": current,
            "words": words,
        },
    )


@login_required
def plan_page(request, case_id: int):
    """The plan: what the survivor chose, its status history and delivery per outcome."""
    actor = request.actor
    case = policy.case_for(actor, case_id)
    items, notes = selectors.plan_with_notes(actor, case)
    priorities = selectors.priorities(actor, case)
    ranking = priorities.ranking if priorities else None
    rank = {o: i for i, o in enumerate(ranking or Outcome.values)}
    items.sort(key=lambda i: (rank.get(i.outcome, 9), i.created_at))
    rows = []
    for i in items:
        n = notes.get(i.pk, {})
        rows.append(
            {
                "item": i,
                "note": n.get("note", ""),
                "history": [
                    {"h": h, "note": n.get("history", {}).get(h.pk, "")} for h in i.history.all()
                ],
                "next": [
                    (s, PlanStatus(s).label)
                    for s in PlanStatus.values
                    if s in TRANSITIONS[i.status]
                ],
            }
        )
    return render(
        request,
        "pathways/plan.html",
        {
            "case": case,
            "rows": rows,
            "delivery": actions.delivery_by_outcome(items, ranking),
        },
    )


@login_required
@require_POST
def add_plan_item(request, case_id: int):
    actor = request.actor
    case = policy.case_for(actor, case_id, change=True)
    assessment = actions.latest_assessment(case)
    offered = [
        i
        for i in (assessment.result["interventions"] if assessment else [])
        if i["eligibility"] != "not_eligible"
    ]
    form = PlanItemForm(request.POST, offered=offered)
    if form.is_valid():
        try:
            actions.add_plan_item(
                actor,
                case,
                intervention=form.cleaned_data["intervention"],
                note=form.cleaned_data["note"],
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("pathways:case", case_id=case.pk)
        return redirect("pathways:plan", case_id=case.pk)
    messages.error(request, "; ".join(e for errs in form.errors.values() for e in errs))
    return redirect("pathways:case", case_id=case.pk)


@login_required
@require_POST
def change_status(request, item_id: int):
    actor = request.actor
    item = actions.plan_item_for(actor, item_id)
    policy.case_for(actor, item.case_id, change=True)
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            actions.change_plan_item(
                actor, item, status=form.cleaned_data["status"], note=form.cleaned_data["note"]
            )
        except DomainError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, "Choose a status.")
    return redirect("pathways:plan", case_id=item.case_id)
