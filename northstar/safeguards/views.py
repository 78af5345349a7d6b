"""Do No Harm pages: check or record an action on a case; a supervisor's open findings."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from northstar import policy
from northstar.core.errors import DomainError
from northstar.core.prepared import planned_each_run
from northstar.core.redirects import safe_next
from northstar.safeguards import actions, selectors
from northstar.safeguards.forms import ResolveForm, SafeguardForm


@login_required
def safeguards_page(request, case_id: int):
    """Check an action before taking it; record it if the safeguards allow (or a supervisor says why)."""
    actor = request.actor
    case = policy.case_for(actor, case_id, change=request.method == "POST")
    form = SafeguardForm(request.POST or None)
    result = None
    status = 200
    if request.method == "POST" and form.is_valid():
        action, context = form.cleaned_data["action"], form.context()
        try:
            if request.POST.get("do") == "record":
                actions.propose_action(
                    actor,
                    case,
                    action=action,
                    context=context,
                    justification=form.cleaned_data["justification"],
                    second_supervisor_id=form.cleaned_data.get("second_supervisor_id"),
                )
                messages.success(request, "Action recorded.")
                return redirect("safeguards:case", case_id=case.pk)
            result, _used = actions.check_case(actor, case, action=action, context=context)
        except DomainError as exc:
            status = 403 if exc.status == 403 else 422
            result = {"findings": exc.extra.get("findings", [])}
            field = (
                f"ctx_{exc.field[8:]}" if (exc.field or "").startswith("context.") else exc.field
            )
            form.add_error(field if field in form.fields else None, exc.message)
    findings = selectors.findings_for_case(actor, case, limit=50)
    return render(
        request,
        "safeguards/case.html",
        {
            "case": case,
            "form": form,
            "result": result,
            "findings": findings,
            "may_override": policy.may_override_block(actor),
        },
        status=status,
    )


@login_required
def open_findings_page(request):
    """Open Do No Harm findings on the organisation's cases, blocks first."""
    actor = request.actor
    with planned_each_run():  # see ``actions.open_findings``: the count and the page read
        page = Paginator(actions.open_findings(actor), 50).get_page(request.GET.get("page"))
        selectors.open_findings_shown(actor, page.object_list)
    return render(
        request,
        "safeguards/open_findings.html",
        {
            "page": page,
            "resolve_form": ResolveForm(),
            "may_override": policy.may_override_block(actor),
        },
    )


@login_required
@require_POST
def resolve_page(request, finding_id: int):
    actor = request.actor
    finding = actions.finding_for(actor, finding_id)
    policy.case_for(actor, finding.case_id, change=True)
    form = ResolveForm(request.POST)
    if form.is_valid():
        try:
            actions.resolve_finding(
                actor,
                finding,
                status=form.cleaned_data["status"],
                justification=form.cleaned_data["justification"],
                second_supervisor_id=form.cleaned_data.get("second_supervisor_id"),
            )
            messages.success(request, "Finding closed.")
        except DomainError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, "Say how the risk was dealt with.")
    return redirect(safe_next(request, "safeguards:open"))
