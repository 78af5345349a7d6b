"""Caseworker pages. Thin: ask the policy, call an action, render."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from northstar import policy
from northstar.core import roles
from northstar.core.errors import DomainError, NotFound
from northstar.survivors import actions
from northstar.web import panels
from northstar.web.forms import CaseForm, ConsentForm, SurvivorForm, WithdrawForm


def _or_404(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except NotFound as exc:
        raise Http404(exc.message) from None


def _apply_error(form, exc: DomainError) -> None:
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)


@login_required
def caseload(request):
    actor = request.actor
    qs = policy.visible_survivors(actor).prefetch_related("cases")
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(reference__icontains=q)
    nationality = request.GET.get("nationality", "").strip().upper()
    if nationality:
        qs = qs.filter(nationality=nationality)
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    return render(request, "web/caseload.html", {
        "page": page, "q": q, "nationality": nationality,
        "alerts": panels.alerts_for(actor),
        "may_record": roles.works_with_records(actor.role),
    })


@login_required
def survivor_new(request):
    actor = request.actor
    if not roles.works_with_records(actor.role):
        raise Http404()
    form = SurvivorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            survivor = actions.create_survivor(actor, data=form.data_for_action())
        except DomainError as exc:
            _apply_error(form, exc)
        else:
            return redirect("survivor", survivor_id=survivor.pk)
    return render(request, "web/survivor_form.html", {"form": form})


@login_required
def survivor_detail(request, survivor_id: int):
    actor = request.actor
    survivor = _or_404(policy.survivor_for, actor, survivor_id)
    fields = policy.survivor_fields(actor, survivor)
    full = fields is policy.ALL_FIELDS
    personal = None
    if request.GET.get("personal") == "1" or not full:
        personal = actions.reveal_personal_data(actor, survivor, fields=fields)
    context = {
        "survivor": survivor, "full": full, "personal": personal,
        "shared_fields": sorted(fields) if not full else None,
        "cases": policy.visible_cases(actor).filter(survivor=survivor) if full else [],
        "consents": policy.visible_consents(actor).filter(survivor=survivor).select_related(
            "recipient") if full else [],
        "panels": panels.render_panels(panels.survivor_panels(), request, survivor) if full else [],
    }
    return render(request, "web/survivor_detail.html", context)


@login_required
def case_new(request, survivor_id: int):
    actor = request.actor
    survivor = _or_404(policy.survivor_for, actor, survivor_id)
    if policy.survivor_fields(actor, survivor) is not policy.ALL_FIELDS:
        raise Http404()
    form = CaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            case = actions.create_case(actor, survivor, data=form.data_for_action())
        except DomainError as exc:
            _apply_error(form, exc)
        else:
            return redirect("case", case_id=case.pk)
    return render(request, "web/case_form.html", {"form": form, "survivor": survivor})


@login_required
def case_detail(request, case_id: int):
    actor = request.actor
    case = _or_404(policy.case_for, actor, case_id)
    summary = actions.reveal_case_summary(actor, case) if request.GET.get("summary") == "1" else None
    return render(request, "web/case_detail.html", {
        "case": case, "survivor": case.survivor, "summary": summary,
        "panels": panels.render_panels(panels.case_panels(), request, case),
    })


@login_required
def consent_new(request, survivor_id: int):
    actor = request.actor
    survivor = _or_404(policy.survivor_for, actor, survivor_id)
    if policy.survivor_fields(actor, survivor) is not policy.ALL_FIELDS:
        raise Http404()
    form = ConsentForm(request.POST or None,
                       initial={"language": survivor.preferred_language})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.record_consent(
                actor, survivor, purpose=data["purpose"], recipient=data["recipient"],
                language=data["language"], interpreter_used=data["interpreter_used"],
                method=data["method"], given_by=data["given_by"], scope_note=data["scope_note"],
            )
        except DomainError as exc:
            _apply_error(form, exc)
        else:
            return redirect("survivor", survivor_id=survivor.pk)
    return render(request, "web/consent_form.html", {"form": form, "survivor": survivor})


@login_required
@require_POST
def consent_withdraw(request, consent_id: int):
    actor = request.actor
    consent = _or_404(policy.consent_for, actor, consent_id)
    _or_404(policy.survivor_for, actor, consent.survivor_id, change=True)
    form = WithdrawForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        actions.withdraw_consent(actor, consent, reason=reason)
    except DomainError:
        pass  # already withdrawn: the page shows it
    return redirect("survivor", survivor_id=consent.survivor_id)
