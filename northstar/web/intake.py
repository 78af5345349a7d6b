"""The guided intake: survivor → consent → screening → priorities → pathways → plan.

Each step is a plain form that works without JavaScript (htmx only spares the
full reload). Completing a step writes the real records at once through the
owning app's actions; "Save and finish later" keeps a half-filled step sealed
in the intake's draft. Resuming opens the step where the caseworker stopped.
"""

from __future__ import annotations

import importlib

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation

from northstar.core import roles
from northstar.core.errors import DomainError, NotFound
from northstar.survivors import actions as survivor_actions
from northstar.survivors import consent as consent_gate
from northstar.survivors.models import ConsentPurpose
from northstar.web import actions, selectors
from northstar.web.forms import (
    INTAKE_CONSENT_PURPOSES,
    OUTCOMES,
    CaseForm,
    IntakeConsentForm,
    PrioritiesForm,
    SurvivorForm,
)
from northstar.web.models import STEP_ORDER, Intake, IntakeStep

LATER = "later"


def engine(module: str):
    """An app's module, or None while that app has not landed it yet."""
    try:
        return importlib.import_module(module)
    except ImportError:
        return None


def consent_explanations(language: str) -> dict[str, str]:
    """Each purpose in plain words, in ``language``, for the caseworker to read aloud."""
    texts = getattr(engine("northstar.portal.texts"), "CONSENT_EXPLANATIONS", {}) or {}
    known = {code for code, _ in settings.LANGUAGES}
    lang = language if language in known else ("fil" if language == "tl" else "en")
    with translation.override(lang):
        return {p: str(texts[p]) if p in texts else "" for p in ConsentPurpose.values}


def _require_case_role(request):
    if not roles.works_with_records(request.actor.role) or request.actor.survivor_id:
        raise Http404()


def _intake_or_404(request, intake_id) -> Intake:
    try:
        return selectors.intake_for(request.actor, intake_id)
    except NotFound:
        raise Http404() from None


def _apply_error(form, exc: DomainError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def _step_url(intake: Intake, step: str) -> str:
    return reverse("intake_step", args=[intake.pk, step])


def _render(request, intake: Intake | None, step: str, context: dict, status: int = 200):
    reached = intake.step_index if intake else 0
    steps = [{"key": s, "label": IntakeStep(s).label, "done": i < reached,
              "current": s == step, "reachable": intake is not None and i <= reached}
             for i, s in enumerate(STEP_ORDER) if s != IntakeStep.DONE]
    response = render(request, "web/intake.html", {
        "intake": intake, "step": step, "steps": steps,
        "step_label": IntakeStep(step).label, "step_template": f"web/intake/{step}.html",
        **context,
    }, status=status)
    if request.headers.get("HX-Request"):
        response["HX-Push-Url"] = request.get_full_path()
    return response


def _go(request, url: str) -> HttpResponse:
    """Leave the intake page: a plain redirect, or a full-page one for htmx."""
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


def _saved_for_later(request, intake: Intake, step: str, form) -> HttpResponse:
    values = {k: (form.data.getlist(k) if len(form.data.getlist(k)) > 1 else form.data.get(k))
              for k in form.data if k not in ("csrfmiddlewaretoken", "action")}
    actions.save_intake_draft(request.actor, intake, step=step, values=values)
    messages.success(request, "Saved. The intake is in your list; resume it any time.")
    return _go(request, reverse("intake_list"))


def _draft_form(request, intake, step, form_class, **kwargs):
    """A form filled from the POST, else from a saved draft, else empty."""
    if request.method == "POST":
        return form_class(request.POST, **kwargs)
    draft = actions.reveal_intake_draft(request.actor, intake, step=step) if intake else {}
    return form_class(draft or None, **kwargs)


# --- Pages -------------------------------------------------------------------------


@login_required
def intake_list(request):
    _require_case_role(request)
    open_intakes = selectors.visible_intakes(request.actor).filter(completed_at__isnull=True)
    page = Paginator(open_intakes, 20).get_page(request.GET.get("page"))
    return render(request, "web/intake_list.html", {"page": page})


@login_required
def intake_resume(request, intake_id: int):
    intake = _intake_or_404(request, intake_id)
    step = intake.draft_step or intake.step
    if step == IntakeStep.DONE:
        return redirect("case", case_id=intake.case_id)
    return redirect(_step_url(intake, step))


@login_required
def intake_new(request):
    """The survivor step of a new intake; the intake row exists once something is kept."""
    _require_case_role(request)
    form = SurvivorForm(request.POST or None)
    if request.method == "POST":
        if request.POST.get("action") == LATER:
            intake = actions.start_intake(request.actor)
            return _saved_for_later(request, intake, IntakeStep.SURVIVOR, form)
        if form.is_valid():
            try:
                survivor = survivor_actions.create_survivor(request.actor,
                                                            data=form.data_for_action())
            except DomainError as exc:
                _apply_error(form, exc)
            else:
                intake = actions.start_intake(request.actor)
                actions.complete_intake_step(request.actor, intake, step=IntakeStep.SURVIVOR,
                                             survivor=survivor)
                return redirect(_step_url(intake, IntakeStep.CONSENT))
    status = 422 if request.method == "POST" else 200
    return _render(request, None, IntakeStep.SURVIVOR, {"form": form}, status)


@login_required
def intake_step(request, intake_id: int, step: str):
    intake = _intake_or_404(request, intake_id)
    if step not in IntakeStep.values or step == IntakeStep.DONE:
        raise Http404()
    if STEP_ORDER.index(step) > intake.step_index:
        return redirect(_step_url(intake, intake.step)) if intake.step != IntakeStep.DONE \
            else redirect("case", case_id=intake.case_id)
    return STEP_VIEWS[step](request, intake)


def _survivor_step(request, intake: Intake):
    if intake.survivor_id is None:
        form = _draft_form(request, intake, IntakeStep.SURVIVOR, SurvivorForm)
        if request.method == "POST":
            if request.POST.get("action") == LATER:
                return _saved_for_later(request, intake, IntakeStep.SURVIVOR, form)
            if form.is_valid():
                try:
                    survivor = survivor_actions.create_survivor(request.actor,
                                                                data=form.data_for_action())
                except DomainError as exc:
                    _apply_error(form, exc)
                else:
                    actions.complete_intake_step(request.actor, intake,
                                                 step=IntakeStep.SURVIVOR, survivor=survivor)
                    return redirect(_step_url(intake, IntakeStep.CONSENT))
            return _render(request, intake, IntakeStep.SURVIVOR, {"form": form}, 422)
        return _render(request, intake, IntakeStep.SURVIVOR, {"form": form})
    return _render(request, intake, IntakeStep.SURVIVOR, {"form": None})


def _consent_step(request, intake: Intake):
    survivor = intake.survivor
    already = {p for p in INTAKE_CONSENT_PURPOSES
               if consent_gate.may_flow(survivor, p)}
    to_ask = [p for p in INTAKE_CONSENT_PURPOSES if p not in already]
    form = _draft_form(request, intake, IntakeStep.CONSENT, IntakeConsentForm, purposes=to_ask,
                       initial={"language": survivor.preferred_language,
                                "interpreter_used": survivor.interpreter_needed,
                                "given_by": "guardian" if survivor.is_child() else "survivor"})
    status = 200
    if request.method == "POST":
        if request.POST.get("action") == LATER:
            return _saved_for_later(request, intake, IntakeStep.CONSENT, form)
        if form.is_valid():
            data = form.cleaned_data
            try:
                for purpose in form.agreed_purposes():
                    survivor_actions.record_consent(
                        request.actor, survivor, purpose=purpose, language=data["language"],
                        interpreter_used=data["interpreter_used"], method=data["method"],
                        given_by=data["given_by"])
            except DomainError as exc:
                _apply_error(form, exc)
            else:
                actions.complete_intake_step(request.actor, intake, step=IntakeStep.CONSENT)
                return redirect(_step_url(intake, IntakeStep.SCREENING))
        status = 422
    explanations = consent_explanations(
        form["language"].value() or survivor.preferred_language)
    rows = [{"field": f, "purpose": f.name.removeprefix("purpose_"),
             "explanation": explanations.get(f.name.removeprefix("purpose_"), "")}
            for f in form.purpose_fields()]
    return _render(request, intake, IntakeStep.CONSENT, {
        "form": form, "rows": rows, "survivor": survivor,
        "explain_lang": form["language"].value() or survivor.preferred_language,
        "already": [{"purpose": p, "label": ConsentPurpose(p).label,
                     "explanation": explanations.get(p, "")} for p in sorted(already)],
        "referral_label": ConsentPurpose.REFERRAL.label,
    }, status)


def _screen(request, case):
    screening = engine("northstar.screening.actions")
    if screening is None or not hasattr(screening, "screen_case"):
        return None
    return screening.screen_case(request.actor, case)


def _screening_step(request, intake: Intake):
    if intake.case_id is None:
        form = _draft_form(request, intake, IntakeStep.SCREENING, CaseForm)
        if request.method == "POST":
            if request.POST.get("action") == LATER:
                return _saved_for_later(request, intake, IntakeStep.SCREENING, form)
            if form.is_valid():
                try:
                    case = survivor_actions.create_case(request.actor, intake.survivor,
                                                        data=form.data_for_action())
                    result = _screen(request, case)
                except DomainError as exc:
                    _apply_error(form, exc)
                else:
                    actions.complete_intake_step(request.actor, intake,
                                                 step=IntakeStep.SCREENING, case=case)
                    if result is not None:
                        return redirect(_step_url(intake, IntakeStep.SCREENING))
                    return redirect(_step_url(intake, IntakeStep.PRIORITIES))
            return _render(request, intake, IntakeStep.SCREENING, {"form": form}, 422)
        return _render(request, intake, IntakeStep.SCREENING, {"form": form})
    return _render(request, intake, IntakeStep.SCREENING, {
        "form": None, "case": intake.case, "screening": _latest_screening(intake.case)})


def _latest_screening(case):
    """The newest screening of the case, as the screening app presents it (or None)."""
    models = engine("northstar.screening.models")
    model = getattr(models, "Screening", None) if models else None
    if model is None:
        return None
    try:
        return model.objects.filter(case=case).order_by("-pk").first()
    except Exception:  # noqa: BLE001 - another app's model may not match yet
        return None


def _priorities_step(request, intake: Intake):
    pathways = engine("northstar.pathways.actions")
    form = _draft_form(request, intake, IntakeStep.PRIORITIES, PrioritiesForm)
    if request.method == "POST":
        if request.POST.get("action") == LATER:
            return _saved_for_later(request, intake, IntakeStep.PRIORITIES, form)
        if form.is_valid() and pathways is not None:
            try:
                pathways.set_priorities(request.actor, intake.case, ranking=form.ranking(),
                                        own_words=form.own_words())
            except DomainError as exc:
                _apply_error(form, exc)
            else:
                actions.complete_intake_step(request.actor, intake, step=IntakeStep.PRIORITIES)
                return redirect(_step_url(intake, IntakeStep.PATHWAYS))
        if pathways is None:
            form.add_error(None, "The pathways engine is not installed; save and finish later.")
        return _render(request, intake, IntakeStep.PRIORITIES,
                       {"form": form, "outcomes": OUTCOMES}, 422)
    return _render(request, intake, IntakeStep.PRIORITIES, {"form": form, "outcomes": OUTCOMES})


def _pathways_step(request, intake: Intake):
    pathways = engine("northstar.pathways.actions")
    if pathways is None:
        return _render(request, intake, IntakeStep.PATHWAYS, {"options": None})
    assessment = pathways.assess_case(request.actor, intake.case)
    options = list(getattr(assessment, "options", assessment) or [])
    if request.method == "POST":
        chosen = request.POST.getlist("intervention")
        valid = {_option_key(o) for o in options if _option_applies(o)}
        bad = [c for c in chosen if c not in valid]
        if bad or not chosen:
            return _render(request, intake, IntakeStep.PATHWAYS, {
                "options": options, "chosen": chosen,
                "error": "Choose at least one of the options that apply." if not bad
                else "That option does not apply to this case."}, 422)
        try:
            for key in chosen:
                pathways.add_plan_item(request.actor, intake.case, intervention=key)
        except DomainError as exc:
            return _render(request, intake, IntakeStep.PATHWAYS,
                           {"options": options, "chosen": chosen, "error": exc.message}, 422)
        actions.complete_intake_step(request.actor, intake, step=IntakeStep.PATHWAYS)
        return redirect(_step_url(intake, IntakeStep.PLAN))
    return _render(request, intake, IntakeStep.PATHWAYS, {"options": options, "chosen": []})


def _option_key(option) -> str:
    return getattr(option, "intervention", None) or (option.get("intervention")
                                                     if isinstance(option, dict) else str(option))


def _option_applies(option) -> bool:
    value = getattr(option, "applicable", None)
    if value is None and isinstance(option, dict):
        value = option.get("applicable", True)
    return value is not False


def _plan_step(request, intake: Intake):
    if request.method == "POST":
        actions.complete_intake_step(request.actor, intake, step=IntakeStep.PLAN)
        messages.success(request, "Intake complete. This is the case page.")
        return _go(request, reverse("case", args=[intake.case_id]))
    items = []
    plan_models = engine("northstar.pathways.models")
    model = getattr(plan_models, "PlanItem", None) if plan_models else None
    if model is not None:
        items = list(model.objects.filter(case=intake.case))
    return _render(request, intake, IntakeStep.PLAN, {"items": items, "case": intake.case})


STEP_VIEWS = {
    IntakeStep.SURVIVOR: _survivor_step,
    IntakeStep.CONSENT: _consent_step,
    IntakeStep.SCREENING: _screening_step,
    IntakeStep.PRIORITIES: _priorities_step,
    IntakeStep.PATHWAYS: _pathways_step,
    IntakeStep.PLAN: _plan_step,
}
