"""Screening pages on a case. Thin: policy, action, render."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render

from northstar import policy
from northstar.core import audit
from northstar.core.errors import DomainError, Forbidden, NotFound
from northstar.screening import actions
from northstar.screening.forms import ScreeningForm


def case_or_404(actor, case_id, *, change=False):
    try:
        return policy.case_for(actor, case_id, change=change)
    except NotFound:
        raise Http404() from None
    except Forbidden:
        raise PermissionDenied() from None


@login_required
def screening_page(request, case_id: int):
    """The screening form, and the latest result with the rules that fired."""
    actor = request.actor
    case = case_or_404(actor, case_id, change=request.method == "POST")
    form = ScreeningForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.screen_case(actor, case, answers=form.answers())
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            return redirect("screening:case", case_id=case.pk)
    history = list(case.screenings.all()[:10])
    if history:
        audit.record(
            actor,
            "read",
            "screening",
            ",".join(str(s.pk) for s in history)[:64],
            survivor_ref=case.survivor.reference,
        )
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
