"""Compensation pages: the calculator with its itemised statement (screen and PDF), a claim's
timeline, the case-page money panel and the caseload's overdue-instalment alerts."""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from northstar import policy
from northstar.compensation import (
    alerts,
    calculations,
    claims,
    eligibility,
    figures,
    fund,
    lifecycle,
    mediations,
    reports,
    selectors,
)
from northstar.compensation.forms import (
    PERIODS,
    AgreementForm,
    CalculatorForm,
    ClaimForm,
    DepositForm,
    DisbursementForm,
    EscalationForm,
    MediationForm,
    PartyForm,
    PaymentForm,
    ScheduleForm,
    SessionForm,
    TransitionForm,
)
from northstar.compensation.models import Route
from northstar.compensation.rules import default_rules
from northstar.compensation.statement import PLAIN_SUMMARY, TITLE, build_statement
from northstar.core import jobs, keyset
from northstar.core.db import reading_figures
from northstar.core.errors import DomainError, NotFound
from northstar.core.fields import reveal
from northstar.core.template_tags import url_of
from northstar.ui.panels import Alert, ShownAlert, url_for_each


def statement_translated(lang: str) -> bool:
    """Whether the catalogue translates the statement into ``lang`` (its title and summary)."""
    with translation.override(lang):
        return gettext(TITLE) != TITLE and gettext(PLAIN_SUMMARY) != PLAIN_SUMMARY


def _languages_for(case) -> tuple[list[tuple[str, str]], str | None]:
    """English, and the survivor's own language where the statement has a translation.

    The second value names the survivor's language when no translation exists yet.
    """
    available = dict(settings.LANGUAGES)
    preferred = (case.survivor.preferred_language or "").split("-")[0]
    codes, missing = ["en"], None
    if preferred and preferred != "en":
        if preferred in available and statement_translated(preferred):
            codes.append(preferred)
        else:
            missing = available.get(preferred, preferred)
    return [(code, available[code]) for code in codes], missing


def _translated(statement: dict) -> dict:
    """Translate the statement's fixed strings in the active language."""
    out = dict(statement)
    out["title"] = gettext(statement["title"])
    out["plain_summary"] = gettext(statement["plain_summary"]["text"]) % statement[
        "plain_summary"]["params"]
    out["disclaimer"] = gettext(statement["disclaimer"])
    out["labels"] = {k: gettext(v) for k, v in statement["labels"].items()}
    out["method_label"] = gettext(statement["method_label"])
    out["lines"] = [dict(line, label=gettext(line["label"])) for line in statement["lines"]]
    return out


@login_required
def calculator(request, case_id: int):
    """Work out a claim for this case; show the itemised statement; save it to the case."""
    actor = request.actor
    case = selectors.staff_case_for(actor, case_id)
    initial = {"jurisdiction": case.jurisdiction} if case.jurisdiction in default_rules(
    ).jurisdictions else {}
    # The case's sector feeds the calculator: it decides whether the general minimum wage,
    # normal hours and overtime apply (a domestic helper's may not).
    sector = calculations.sector_of(case)
    if sector:
        initial.update({f"p{i}_sector": sector for i in range(PERIODS)})
    form = CalculatorForm(request.POST or None, initial=initial)
    statement = None
    if request.method == "POST" and form.is_valid():
        data = form.calculator_input()
        try:
            if request.POST.get("save"):
                calc = calculations.save_calculation(actor, case, data=data,
                                                     label=form.cleaned_data.get("label") or "")
                return redirect("compensation:calculation", calculation_id=calc.pk)
            result = calculations.run_calculator(data)
        except DomainError as exc:
            form.add_error(form.field_for(exc.field or ""), exc.message)
        else:
            statement = _translated(build_statement(result, prepared_on=timezone.localdate(),
                                                    reference=case.reference))
    status = 422 if request.method == "POST" and form.errors else 200
    return render(request, "compensation/calculator.html",
                  {"case": case, "form": form, "statement": statement}, status=status)


def _statement_of(request, calculation_id: int, *, export: str = ""):
    actor = request.actor
    calc = selectors.calculation_for(actor, calculation_id)
    languages, _missing = _languages_for(calc.case)
    lang = request.GET.get("lang") or "en"
    if lang not in dict(languages):
        lang = "en"
    opened = calculations.open_calculation(actor, calc, export=export)
    return calc, prepared_statement(calc, opened, lang), languages, lang


def prepared_statement(calc, opened: dict, lang: str) -> dict:
    """A saved calculation's statement in ``lang`` (the page, the PDF and the PDF job)."""
    with translation.override(lang):
        return _translated(build_statement(
            opened["result"], prepared_on=timezone.localdate(calc.created_at),
            reference=calc.case.reference, language=lang))


@login_required
def calculation(request, calculation_id: int):
    calc, statement, languages, lang = _statement_of(request, calculation_id)
    missing = _languages_for(calc.case)[1]
    with translation.override(lang):
        return render(request, "compensation/statement.html", {
            "calc": calc, "case": calc.case, "statement": statement, "languages_offered": languages,
            "statement_lang": lang, "untranslated_language": missing})


def statement_html(statement: dict, lang: str) -> str:
    """The self-contained HTML a PDF is printed from (no external fetches)."""
    with translation.override(lang):
        return render_to_string("compensation/statement_print.html",
                                {"statement": statement, "statement_lang": lang})


@login_required
def calculation_pdf(request, calculation_id: int):
    """The statement as a PDF a lawyer can file. Audited as an export."""
    from weasyprint import HTML  # heavy native library: loaded only when a PDF is asked for

    calc, statement, _, lang = _statement_of(request, calculation_id, export="pdf")
    pdf = HTML(string=statement_html(statement, lang)).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="compensation-{calc.case.reference}-{calc.pk}-{lang}.pdf"')
    return response


@login_required
@require_POST
def calculation_pdf_job(request, calculation_id: int):
    """Print the statement in the background (a job) and follow it on the job's page."""
    calc = selectors.calculation_for(request.actor, calculation_id)
    languages, _missing = _languages_for(calc.case)
    lang = request.POST.get("lang") or "en"
    if lang not in dict(languages):
        lang = "en"
    job = jobs.submit("compensation.statement_pdf", owner=request.user,
                      organisation=request.actor.organisation,
                      calculation_id=calc.pk, lang=lang)
    return redirect("jobs:job", job_id=job.pk)


@login_required
def claim_new(request, case_id: int):
    """File (or draft) a claim on a case, optionally based on a saved calculation."""
    actor = request.actor
    case = selectors.staff_case_for(actor, case_id)
    calcs = calculations.calculations_on_case(actor, case)
    initial = {}
    chosen = next((c for c in calcs if str(c.pk) == request.GET.get("calculation")), None)
    if chosen:
        initial = {"calculation_id": chosen.pk, "amount_claimed": str(chosen.total),
                   "currency": chosen.currency}
    form = ClaimForm(request.POST or None, calculations=calcs, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            created = claims.create_claim(actor, case, **data)
        except DomainError as exc:
            _apply_error(form, exc)
        else:
            return redirect("compensation:claim", claim_id=created.pk)
    status = 422 if request.method == "POST" else 200
    return render(request, "compensation/claim_form.html", {"case": case, "form": form},
                  status=status)


def _apply_error(form, exc: DomainError) -> None:
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)


@login_required
def claim(request, claim_id: int):
    """A claim's timeline: every dated step, the schedule, payments and delivery figures.

    POST with ``step`` = transition, payment or schedule records that step (no JavaScript needed).
    """
    actor = request.actor
    found = selectors.claim_for(actor, claim_id)
    allowed = sorted(lifecycle.ALLOWED[found.status])
    forms_ = {"transition": TransitionForm(allowed=allowed, prefix="t"),
              "payment": PaymentForm(prefix="p"), "schedule": ScheduleForm(prefix="s")}
    status = 200
    step = request.POST.get("step") if request.method == "POST" else None
    if step in forms_:
        form = forms_[step] = type(forms_[step])(request.POST, prefix=forms_[step].prefix,
                                                 **({"allowed": allowed} if step == "transition"
                                                    else {}))
        status = 422
        if form.is_valid():
            try:
                data = form.cleaned_data
                if step == "transition":
                    claims.transition_claim(actor, found, to=data["to"], on=data["on"],
                                             amount=data["amount"] or None, note=data["note"])
                elif step == "payment":
                    claims.record_payment(actor, found, **data)
                else:
                    claims.set_schedule(actor, found, instalments=form.rows())
            except DomainError as exc:
                _apply_error(form, exc)
                status = exc.status
            except forms.ValidationError as exc:
                form.add_error(None, exc)
            else:
                return redirect("compensation:claim", claim_id=found.pk)
    texts = claims.open_claim_detail(actor, found,
                                     with_payer_name=request.GET.get("payer") == "1")
    payer_name = texts["payer_name"] or None
    facts = claims.claim_facts(found)
    today = timezone.localdate()
    overdue = set(figures.overdue_instalments(facts, today))
    instalments = [
        {"item": item, "overdue": index in overdue}
        for index, item in enumerate(sorted(found.instalments.filter(superseded_at__isnull=True),
                                            key=lambda i: (i.due_on, i.number)))]
    return render(request, "compensation/claim.html", {
        "forms": forms_, "owing": found.status in lifecycle.OWING,
        "claim": found, "case": found.case,
        "events": [{"item": e, "note": texts["notes"][e.pk]} for e in found.events.all()],
        "instalments": instalments,
        "payments": [{"item": p, "proof": texts["proofs"][p.pk]} for p in found.payments.all()],
        "figures": figures.claim_figures(facts, today), "payer_name": payer_name,
        "mediation": getattr(found, "mediation", None), "escalated_from": found.escalated_from,
    }, status=status)


# --- the case panel and the caseload alerts --------------------------------------


def money_panel(request, case) -> dict | None:
    """Money claimed, awarded or agreed, and received, for each claim on the case."""
    actor = request.actor
    rows = []
    for item in claims.claims_on_case(actor, case):
        received = sum((p.amount for p in item.payments.all()), 0)
        rows.append({
            "claim": item, "url": url_of("compensation:claim", item.pk),
            "claimed": figures.as_money(item.amount_claimed, item.currency),
            "obligation": (figures.as_money(item.obligation, item.currency)
                           if item.obligation is not None else None),
            "received": figures.as_money(received, item.currency)})
    return {"key": "compensation", "case": case, "rows": rows,
            "calculations": calculations.calculations_on_case(actor, case, limit=3),
            "mediations": mediations.mediations_on_case(actor, case),
            "calculator_url": url_of("compensation:calculator", case.pk)}


def overdue_alerts(actor, survivor=None, *,
                   limit: int | None = alerts.ALERT_LIMIT) -> list[Alert | ShownAlert]:
    """Open alerts for overdue instalments addressed to this person, on cases they may see:
    the earliest due ``limit`` on the caseload (ORDER BY due LIMIT in SQL), all of one
    survivor's on the case page. The caseload's are read as plain rows and worded only if
    shown (``ShownAlert``: the translation and the money of ten, not of fifty)."""
    url = url_for_each("compensation:claim")
    if survivor is None:
        return [ShownAlert(row["instalment__due_on"], "overdue",
                           row["instalment__claim__case__survivor__reference"],
                           lambda row=row: (_overdue_title(
                               row["instalment__number"], row["instalment__amount"],
                               row["instalment__claim__currency"],
                               _route_label(row["instalment__claim__route"])),
                               url(row["instalment__claim_id"])))
                for row in alerts.open_alert_rows(actor, limit=limit)]
    out = []
    routes: dict[str, str] = {}  # each route's label, worked out once
    for alert in alerts.open_alerts_for(actor, survivor=survivor, limit=None):
        instalment = alert.instalment
        claim_ = instalment.claim
        if claim_.route not in routes:
            routes[claim_.route] = claim_.get_route_display()
        out.append(Alert(
            due=instalment.due_on,
            title=_overdue_title(instalment.number, instalment.amount, claim_.currency,
                                 routes[claim_.route]),
            url=url(claim_.pk), severity="overdue",
            survivor_reference=claim_.case.survivor.reference))
    return out


def _overdue_title(number, amount, currency: str, route: str) -> str:
    return gettext("Compensation instalment %(number)s of %(amount)s %(currency)s overdue "
                   "(%(route)s)") % {
        "number": number, "amount": figures.as_money(amount, currency),
        "currency": currency, "route": route}


def _route_label(route: str) -> str:
    """A claim's route as ``Claim.get_route_display`` words it (a value it does not know
    as itself)."""
    return str(dict(Route.choices).get(route, route))


@login_required
@reading_figures()
def organisation_figures(request):
    """Delivery figures by route: is mediated compensation paid more reliably than court awards?"""
    actor = request.actor
    if not policy.may_see_aggregates(actor):
        raise NotFound("No such page")
    report = reports.organisation_report(actor, as_of=timezone.localdate())
    groups = [("all", "", report["all"])] + [
        (route, Route(route).label, group) for route, group in report["by_route"].items()]
    return render(request, "compensation/figures.html", {"report": report, "groups": groups})


# --- mediation pages ------------------------------------------------------------


@login_required
def mediation_new(request, case_id: int):
    """Offer out-of-court mediation only where the pathways engine allows it, and say why."""
    actor = request.actor
    case = selectors.staff_case_for(actor, case_id)
    assessment = eligibility.read_mediation_assessment(actor, case)
    offered = assessment["eligibility"] in ("eligible", "conditional")
    form = MediationForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                opened = mediations.open_mediation(
                    actor, case, opened_on=data["opened_on"], mediator=data["mediator"],
                    parties=form.parties(), conditions_confirmed=data["conditions_confirmed"])
            except DomainError as exc:
                field = exc.field if exc.field in form.fields else None
                form.add_error(field, exc.message)
            else:
                return redirect("compensation:mediation", mediation_id=opened.pk)
    return render(request, "compensation/mediation_new.html", {
        "case": case, "assessment": assessment, "offered": offered, "form": form},
        status=status)


MEDIATION_STEPS = {"party": PartyForm, "session": SessionForm, "agreement": AgreementForm,
                   "escalation": EscalationForm}


@login_required
def mediation_page(request, mediation_id: int):
    """Parties, sessions, the agreement and its compliance, and escalation to court."""
    actor = request.actor
    found = selectors.mediation_for(actor, mediation_id)
    step_forms = {key: cls(prefix=key) for key, cls in MEDIATION_STEPS.items()}
    status = 200
    step = request.POST.get("step") if request.method == "POST" else None
    if step in step_forms:
        form = step_forms[step] = MEDIATION_STEPS[step](request.POST, prefix=step)
        status = 422
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                if step == "party":
                    mediations.add_party(actor, found, **data)
                elif step == "session":
                    mediations.record_session(actor, found, **data)
                elif step == "agreement":
                    data["instalments"] = form.rows() if data.get("instalments") else []
                    mediations.record_agreement(actor, found, **data)
                else:
                    mediations.escalate_mediation(actor, found, **data)
            except DomainError as exc:
                field = exc.field if exc.field in form.fields else None
                form.add_error(field, exc.message)
                status = exc.status
            except forms.ValidationError as exc:
                form.add_error(None, exc)
            else:
                return redirect("compensation:mediation", mediation_id=found.pk)
    found.refresh_from_db()
    opened = mediations.read_mediation(actor, found)
    return render(request, "compensation/mediation.html", {
        "mediation": found, "case": found.case, "forms": step_forms,
        "parties": [{"role": p.get_role_display(), "name": reveal(p.name),
                     "represented_by": opened["represented_by"].get(p.pk, "")}
                    for p in found.parties.all()],
        "failure_reason": opened["failure_reason"],
        "sessions": [{"held_on": s.held_on, "outcome": s.get_outcome_display(),
                      "summary": reveal(s.summary)} for s in found.sessions.all()],
        "terms": reveal(found.agreement_terms), "court_claims": list(found.court_claims.all()),
    }, status=status)


# --- interim assistance (the victim fund) -----------------------------------------


def _approvers(actor):
    return policy.staff_who_manage_fund(actor.organisation).order_by("username")


def assistance_panel(request, survivor) -> dict | None:
    """Interim assistance paid to this survivor; only for their own organisation's staff."""
    actor = request.actor
    if not policy.works_with_records(actor) or \
            policy.survivor_fields(actor, survivor) is not policy.ALL_FIELDS:
        return None
    if survivor.organisation_id != getattr(actor.organisation, "pk", None):
        return None
    paid = fund.disbursements_to(actor, survivor, limit=5)
    return {"key": "assistance", "title": gettext("Interim assistance"),
            "items": [{"label": f"{d.paid_on:%Y-%m-%d} · {d.get_purpose_display()} · "
                                f"{figures.as_money(d.amount, d.fund.currency)} {d.fund.currency}",
                       "url": "", "note": ""} for d in paid],
            "empty": gettext("No interim assistance paid yet."),
            "more_url": reverse("compensation:assistance", args=[survivor.pk])}


@login_required
def assistance(request, survivor_id: int):
    """Money paid now, while a claim runs: never conditioned on testimony or participation."""
    actor = request.actor
    if not policy.works_with_records(actor):
        raise NotFound("No such survivor")
    survivor = policy.survivor_for(actor, survivor_id, change=True)
    found = selectors.fund_of(actor)
    cases = list(policy.visible_cases(actor).filter(survivor=survivor))
    form = DisbursementForm(request.POST or None, approvers=_approvers(actor), cases=cases)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = dict(form.cleaned_data)
            case_id = data.pop("case_id")
            case = next((c for c in cases if c.pk == case_id), None)
            try:
                fund.disburse(actor, survivor, case=case, **data)
            except DomainError as exc:
                _apply_error(form, exc)
                status = exc.status
            else:
                return redirect("compensation:assistance", survivor_id=survivor.pk)
    paid = fund.disbursements_to(actor, survivor)
    total = sum((d.amount for d in paid), 0)
    return render(request, "compensation/assistance.html", {
        "survivor": survivor, "fund": found, "form": form, "paid": paid,
        "total": figures.as_money(total, found.currency) if found else "0",
        "balance": figures.as_money(fund.fund_balance(found), found.currency) if found else None,
    }, status=status)


#: Disbursements of the approver's waiting list per page of the fund page.
WAITING_PAGE = 50


@login_required
def fund_page(request):
    """The organisation's victim fund: balance, deposits and what was paid out, by purpose."""
    actor = request.actor
    if not policy.may_see_fund(actor):
        raise NotFound("No such page")
    form = DepositForm(request.POST or None) if policy.may_manage_fund(actor) else None
    status = 200
    if request.method == "POST" and form is not None:
        status = 422
        if form.is_valid():
            try:
                fund.deposit_to_fund(actor, **form.cleaned_data)
            except DomainError as exc:
                _apply_error(form, exc)
                status = exc.status
            else:
                return redirect("compensation:fund")
    found = selectors.fund_of(actor)
    report = fund.fund_report(actor, per_survivor=False)
    # The approver's waiting list, oldest first, a page at a time (10,002 waiting for one
    # supervisor at 100k survivors, two forms each) with a capped count; the totals above
    # it are the report's, summed over every row.
    cursor = request.GET.get("cursor") or ""
    to_decide, waiting_count, next_cursor = [], None, None
    if policy.may_manage_fund(actor):
        waiting = fund.awaiting_approval(actor)
        waiting_count = keyset.count(waiting)
        page = keyset.page(waiting, size=WAITING_PAGE, cursor=cursor or None)
        to_decide, next_cursor = fund.awaiting_shown(actor, page.rows), page.next
    return render(request, "compensation/fund.html", {
        "fund": found, "form": form, "by_purpose": sorted(report["by_purpose"].items()),
        "deposits": list(found.deposits.order_by("-received_on")[:50]) if found else [],
        "balance": report["balance"] if found else None,
        "awaiting": report["awaiting_approval"] if found else None,
        "to_decide": to_decide, "waiting_count": waiting_count,
        "next_cursor": next_cursor, "cursor": cursor,
    }, status=status)


@login_required
@require_POST
def decide_disbursement(request, disbursement_id: int):
    """The named approver approves or declines (with a reason) a disbursement."""
    actor = request.actor
    found = selectors.disbursement_for(actor, disbursement_id)
    if request.POST.get("decision") == "approve":
        fund.approve_disbursement(actor, found)
    else:
        fund.decline_disbursement(actor, found, reason=request.POST.get("reason", ""))
    # Back to the page of the waiting list the decision was made on (the fund page checks
    # the cursor's signature; the row decided is simply no longer on it).
    cursor = request.POST.get("cursor")
    target = reverse("compensation:fund")
    return redirect(f"{target}?{urlencode({'cursor': cursor})}" if cursor else target)
