"""Screening pages on a case. Thin: policy, action, render.

A re-screening starts from the latest screening's answers; the page shows what changed
against the screening before, and a classification lower on the spectrum than the
latest asks for a reason before it is kept.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from northstar import policy
from northstar.core.errors import DomainError
from northstar.screening import actions, selectors
from northstar.screening.forms import REASON_FIELD, RescreeningForm, changes, initial_from


@login_required
def screening_page(request, case_id: int):
    """The screening form (pre-filled from the latest answers), and the latest result."""
    actor = request.actor
    case = policy.case_for(actor, case_id, change=request.method == "POST")
    history = selectors.screenings(actor, case, limit=10)
    latest = history[0] if history else None
    pending_changes = None
    if request.method == "POST":
        form = RescreeningForm(request.POST)
        if form.is_valid():
            try:
                actions.screen_case(
                    actor, case, answers=form.answers(), confirm_downgrade_reason=form.reason()
                )
            except DomainError as exc:
                if exc.field == REASON_FIELD:
                    form.ask_reason()
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
                if latest is not None:
                    pending_changes = changes(latest.answers, form.answers())
            else:
                return redirect("screening:case", case_id=case.pk)
    else:
        form = RescreeningForm(initial=initial_from(latest.answers) if latest else None)
    return render(
        request,
        "screening/case.html",
        {
            "case": case,
            "form": form,
            "latest": latest,
            "latest_changes": changes(history[1].answers, latest.answers)
            if len(history) > 1
            else None,
            "pending_changes": pending_changes,
            "history": history,
        },
    )
