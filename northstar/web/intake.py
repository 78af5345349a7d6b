"""The guided intake: survivor → consent → screening → priorities → pathways → plan.

Each step is a plain form that works without JavaScript (htmx only spares the
full reload). Completing a step writes the real records at once through the
owning app's actions; "Save and finish later" keeps a half-filled step sealed
in the intake's draft. Resuming opens the step where the caseworker stopped.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.datastructures import MultiValueDict
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from northstar import policy
from northstar.core.errors import DomainError, NotFound
from northstar.core.i18n import base_language
from northstar.pathways import actions as pathways
from northstar.pathways.forms import OUTCOMES, PrioritiesForm, WishesForm
from northstar.portal import texts
from northstar.screening import actions as screening
from northstar.screening.forms import ScreeningForm
from northstar.screening.rules import engine as screening_engine
from northstar.survivors import actions as survivor_actions
from northstar.survivors import consent as consent_gate
from northstar.survivors.models import ConsentPurpose
from northstar.web import actions, selectors
from northstar.web.forms import INTAKE_CONSENT_PURPOSES, CaseForm, IntakeConsentForm, SurvivorForm
from northstar.web.models import STEP_ORDER, Intake, IntakeStep

LATER = "later"


def survivor_language(language: str) -> str:
    """The interface language closest to the survivor's (English if we have none)."""
    return base_language(language)


def in_language(language: str, table: dict) -> dict:
    """``{key: {part: text}}`` rendered in ``language`` (lazy texts resolved under override)."""
    with translation.override(survivor_language(language)):
        return {key: {part: str(text) for part, text in parts.items()}
                for key, parts in (table or {}).items()}


def consent_explanations(language: str) -> tuple[dict[str, dict[str, str]], list[str]]:
    """Each purpose in plain words, and what is always said, in the survivor's language."""
    table, always = texts.CONSENT_EXPLANATIONS, texts.CONSENT_ALWAYS
    with translation.override(survivor_language(language)):
        return in_language(language, table), [str(t) for t in always.values()]


def _require_case_role(request):
    if not policy.may_record(request.actor):
        raise NotFound()


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


def _saved_for_later(request, intake: Intake, step: str, form=None) -> HttpResponse:
    values = {k: v for k, v in request.POST.lists() if k not in ("csrfmiddlewaretoken", "action")}
    actions.save_intake_draft(request.actor, intake, step=step, values=values)
    messages.success(request, "Saved. The intake is in your list; resume it any time.")
    return _go(request, reverse("intake_list"))


def _draft_form(request, intake, step, form_class, **kwargs):
    """A form filled from the POST, else from a saved draft, else empty."""
    if request.method == "POST":
        return form_class(request.POST, **kwargs)
    draft = actions.reveal_intake_draft(request.actor, intake, step=step) if intake else {}
    return form_class(_as_data(draft), **kwargs)


def _as_data(draft: dict) -> MultiValueDict | None:
    """A saved draft ({name: [values]}) as form data, or None for an unbound form."""
    if not draft:
        return None
    return MultiValueDict({k: v if isinstance(v, list) else [v] for k, v in draft.items()})


# --- Pages -------------------------------------------------------------------------


@never_cache
@login_required
def intake_list(request):
    _require_case_role(request)
    open_intakes = selectors.visible_intakes(request.actor).filter(completed_at__isnull=True)
    page = Paginator(open_intakes, 20).get_page(request.GET.get("page"))
    page.object_list = selectors.intakes_listed(request.actor, page.object_list)
    return render(request, "web/intake_list.html", {"page": page})


@never_cache
@login_required
def intake_resume(request, intake_id: int):
    intake = selectors.intake_for(request.actor, intake_id)
    step = intake.draft_step or intake.step
    if step == IntakeStep.DONE:
        return redirect("case", case_id=intake.case_id)
    return redirect(_step_url(intake, step))


@login_required
@require_POST
def intake_discard(request, intake_id: int):
    intake = selectors.intake_for(request.actor, intake_id)
    if intake.completed_at is None:
        actions.discard_intake(request.actor, intake)
        messages.success(request, "Intake stopped. Anything already recorded stays on record.")
    return _go(request, reverse("intake_list"))


@never_cache
@login_required
def intake_new(request):
    """The survivor step of a new intake; the intake row exists once something is kept."""
    _require_case_role(request)
    form = SurvivorForm(request.POST or None)
    if request.method == "POST":
        if request.POST.get("action") == LATER:
            intake = actions.start_intake(request.actor)
            return _saved_for_later(request, intake, IntakeStep.SURVIVOR, form)
        duplicates = []
        if form.is_valid():
            duplicates = _possible_duplicates(request, form)
        if form.is_valid() and not duplicates:
            try:
                with transaction.atomic():
                    survivor = survivor_actions.create_survivor(request.actor,
                                                                data=form.data_for_action())
                    intake = actions.start_intake(request.actor)
                    actions.complete_intake_step(request.actor, intake,
                                                 step=IntakeStep.SURVIVOR, survivor=survivor)
            except DomainError as exc:
                _apply_error(form, exc)
            else:
                return redirect(_step_url(intake, IntakeStep.CONSENT))
        return _render(request, None, IntakeStep.SURVIVOR,
                       {"form": form, "duplicates": duplicates}, 422)
    return _render(request, None, IntakeStep.SURVIVOR, {"form": form})


def _possible_duplicates(request, form) -> list:
    """Survivors of the organisation who may be this person (same name and date of birth,
    names that sound alike, same phone), each with its reasons, unless the caseworker has
    already confirmed this is someone else. Found through the blind indexes, not decrypting."""
    data = form.cleaned_data
    if request.POST.get("not_duplicate") or not (data.get("given_name") or data.get("phone")):
        return []
    found = survivor_actions.find_duplicates(
        request.actor, given_name=data.get("given_name", ""),
        family_name=data.get("family_name", ""), aliases=data.get("aliases", ""),
        phone=data.get("phone", ""),
        date_of_birth=data["date_of_birth"].isoformat() if data.get("date_of_birth") else "")
    for f in found:
        f.survivor.match_reasons = f.reasons
    return [f.survivor for f in found]


@never_cache
@login_required
def intake_step(request, intake_id: int, step: str):
    intake = selectors.intake_for(request.actor, intake_id)
    if step not in IntakeStep.values or step == IntakeStep.DONE:
        raise NotFound()
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
            duplicates = _possible_duplicates(request, form) if form.is_valid() else []
            if form.is_valid() and not duplicates:
                try:
                    with transaction.atomic():
                        survivor = survivor_actions.create_survivor(request.actor,
                                                                    data=form.data_for_action())
                        actions.complete_intake_step(request.actor, intake,
                                                     step=IntakeStep.SURVIVOR, survivor=survivor)
                except DomainError as exc:
                    _apply_error(form, exc)
                else:
                    return redirect(_step_url(intake, IntakeStep.CONSENT))
            return _render(request, intake, IntakeStep.SURVIVOR,
                           {"form": form, "duplicates": duplicates}, 422)
        return _render(request, intake, IntakeStep.SURVIVOR, {"form": form})
    return _render(request, intake, IntakeStep.SURVIVOR, {"form": None})


def _consent_step(request, intake: Intake):
    survivor = intake.survivor
    already = {p for p in INTAKE_CONSENT_PURPOSES
               if consent_gate.may_flow(survivor, p)}
    to_ask = [p for p in INTAKE_CONSENT_PURPOSES if p not in already]
    asked_lang = request.GET.get("lang", "")
    if asked_lang not in dict(settings.LANGUAGES):
        asked_lang = survivor.preferred_language
    form = _draft_form(request, intake, IntakeStep.CONSENT, IntakeConsentForm, purposes=to_ask,
                       initial={"language": asked_lang,
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
                        given_by=data["given_by"],
                        guardian_relationship=data["guardian_relationship"],
                        guardian_name=data["guardian_name"])
            except DomainError as exc:
                _apply_error(form, exc)
            else:
                actions.complete_intake_step(request.actor, intake, step=IntakeStep.CONSENT)
                return redirect(_step_url(intake, IntakeStep.SCREENING))
        status = 422
    explain_lang = survivor_language(form["language"].value() or survivor.preferred_language)
    explanations, always = consent_explanations(explain_lang)
    own_lang = translation.get_language()
    mine = consent_explanations(own_lang)[0] if own_lang != explain_lang else {}
    rows = [{"field": f, "purpose": f.name.removeprefix("purpose_"),
             "explanation": explanations.get(f.name.removeprefix("purpose_"), {}),
             "own": mine.get(f.name.removeprefix("purpose_"), {})}
            for f in form.purpose_fields()]
    return _render(request, intake, IntakeStep.CONSENT, {
        "form": form, "rows": rows, "survivor": survivor, "always": always,
        "explain_lang": explain_lang, "own_lang": own_lang,
        "languages": settings.LANGUAGES,
        "already": [{"purpose": p, "label": ConsentPurpose(p).label} for p in sorted(already)],
        "referral_label": ConsentPurpose.REFERRAL.label,
    }, status)


def _screening_rules() -> dict:
    return screening_engine.rules()


def _screening_step(request, intake: Intake):
    """Case facts and the screening questions together; both saved or neither."""
    rules = _screening_rules()
    survivor = intake.survivor
    if request.method == "POST":
        data = request.POST
    else:
        data = _as_data(actions.reveal_intake_draft(request.actor, intake,
                                                    step=IntakeStep.SCREENING))
    case_form = CaseForm(data) if intake.case_id is None else None
    answers_form = ScreeningForm(data, prefix="s", initial={
        "age": survivor.age_on()}) if rules is not None else None
    if request.method == "POST":
        if request.POST.get("action") == LATER:
            return _saved_for_later(request, intake, IntakeStep.SCREENING)
        forms_ok = all(f.is_valid() for f in (case_form, answers_form) if f is not None)
        if forms_ok:
            try:
                with transaction.atomic():
                    case = intake.case
                    if case_form is not None:
                        case = survivor_actions.create_case(request.actor, survivor,
                                                            data=case_form.data_for_action())
                    if answers_form is not None:
                        screening.screen_case(request.actor, case, answers=answers_form.answers())
                    actions.complete_intake_step(request.actor, intake,
                                                 step=IntakeStep.SCREENING, case=case)
            except DomainError as exc:
                target = case_form if case_form is not None and exc.field in case_form.fields \
                    else answers_form or case_form
                _apply_error(target, exc)
            else:
                return redirect(_step_url(intake, IntakeStep.SCREENING))
        return _render(request, intake, IntakeStep.SCREENING, {
            "form": case_form, "answers_form": answers_form, "case": intake.case}, 422)
    latest = screening.latest_screening(intake.case) if intake.case_id else None
    return _render(request, intake, IntakeStep.SCREENING, {
        "form": case_form, "answers_form": answers_form, "case": intake.case,
        "screening": latest, "rescreen": request.GET.get("again") == "1"})


def _outcome_texts(language: str) -> dict:
    return in_language(language, texts.OUTCOMES)


def _priorities_step(request, intake: Intake):
    form = _draft_form(request, intake, IntakeStep.PRIORITIES, PrioritiesForm)
    lang = survivor_language(intake.survivor.preferred_language)
    context = {"form": form, "explain_lang": lang, "outcome_texts": _outcome_texts(lang),
               "outcomes": OUTCOMES}
    if request.method == "POST":
        if request.POST.get("action") == LATER:
            return _saved_for_later(request, intake, IntakeStep.PRIORITIES, form)
        if form.is_valid():
            try:
                pathways.set_priorities(request.actor, intake.case, ranking=form.ranking(),
                                        words=form.cleaned_data["words"])
            except DomainError as exc:
                _apply_error(form, exc)
            else:
                actions.complete_intake_step(request.actor, intake, step=IntakeStep.PRIORITIES)
                return redirect(_step_url(intake, IntakeStep.PATHWAYS))
        return _render(request, intake, IntakeStep.PRIORITIES, context, 422)
    return _render(request, intake, IntakeStep.PRIORITIES, context)


def _intervention_texts(language: str) -> dict:
    return in_language(language, texts.INTERVENTION_DESCRIPTIONS)


def _pathways_step(request, intake: Intake):
    """Assess the pathways with the survivor's wishes, then choose what goes into the plan."""
    case, survivor = intake.case, intake.survivor
    assessment = pathways.latest_assessment(case)
    wishes_form = WishesForm(request.POST if request.POST.get("action") == "assess" else None,
                             initial={"advocacy": survivor.advocacy_visibility})
    lang = survivor_language(survivor.preferred_language)
    context = {"wishes_form": wishes_form, "assessment": assessment, "chosen": [],
               "explain_lang": lang, "descriptions": _intervention_texts(lang),
               "in_plan": set(case.plan_items.values_list("intervention", flat=True))}
    if request.method == "POST" and request.POST.get("action") == "assess":
        if wishes_form.is_valid():
            try:
                pathways.assess_case(request.actor, case, wishes=wishes_form.wishes())
            except DomainError as exc:
                _apply_error(wishes_form, exc)
            else:
                return redirect(_step_url(intake, IntakeStep.PATHWAYS))
        return _render(request, intake, IntakeStep.PATHWAYS, context, 422)
    if request.method == "POST":
        chosen = request.POST.getlist("intervention")
        context["chosen"] = chosen
        if assessment is None:
            context["error"] = "Assess the pathways with the survivor first."
        elif not chosen and not context["in_plan"]:
            context["error"] = "Choose at least one option with the survivor."
        else:
            try:
                with transaction.atomic():
                    for key in chosen:
                        if key not in context["in_plan"]:
                            pathways.add_plan_item(request.actor, case, intervention=key)
                    actions.complete_intake_step(request.actor, intake,
                                                 step=IntakeStep.PATHWAYS)
            except DomainError as exc:
                context["error"] = exc.message
            else:
                return redirect(_step_url(intake, IntakeStep.PLAN))
        return _render(request, intake, IntakeStep.PATHWAYS, context, 422)
    return _render(request, intake, IntakeStep.PATHWAYS, context)


def _plan_step(request, intake: Intake):
    if request.method == "POST":
        actions.complete_intake_step(request.actor, intake, step=IntakeStep.PLAN)
        messages.success(request, "Intake complete. This is the case page.")
        return _go(request, reverse("case", args=[intake.case_id]))
    lang = survivor_language(intake.survivor.preferred_language)
    return _render(request, intake, IntakeStep.PLAN, {
        "items": list(intake.case.plan_items.all()) if hasattr(intake.case, "plan_items") else [],
        "case": intake.case, "explain_lang": lang, "descriptions": _intervention_texts(lang)})


STEP_VIEWS = {
    IntakeStep.SURVIVOR: _survivor_step,
    IntakeStep.CONSENT: _consent_step,
    IntakeStep.SCREENING: _screening_step,
    IntakeStep.PRIORITIES: _priorities_step,
    IntakeStep.PATHWAYS: _pathways_step,
    IntakeStep.PLAN: _plan_step,
}
