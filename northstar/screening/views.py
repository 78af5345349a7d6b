"""Screening pages on a case. Thin: policy, action, render."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from northstar import policy
from northstar.core.errors import DomainError
from northstar.screening import actions, selectors
from northstar.screening.forms import ScreeningForm


@login_required
def screening_page(request, case_id: int):
    """The screening form, and the latest result with the rules that fired."""
    actor = request.actor
    case = policy.case_for(actor, case_id, change=request.method == "POST")
    form = ScreeningForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.screen_case(actor, case, answers=form.answers())
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            return redirect("screening:case", case_id=case.pk)
    history = selectors.screenings(actor, case, limit=10)
    return render(
        request,
        "screening/case.html",
        {
            "case": case,
            "form": form,
            "latest": history[0] if history else None,
            "history": history,
        },
    )
