"""Staff pages: a case's surveys and check-ins; reading a survey aloud and recording the
answers; recording a follow-up check-in. Parse, ask the policy, call an action, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from northstar import policy
from northstar.core.errors import DomainError, NotFound
from northstar.core.i18n import base_language
from northstar.outcomes import actions, forms, selectors, texts
from northstar.outcomes.models import CheckIn, Moment


def _case(actor, case_id):
    if not policy.may_record_outcomes(actor):
        raise NotFound()
    return policy.case_for(actor, case_id)


def _status_labels() -> dict[str, str]:
    return {"upcoming": _("Not due yet"), "due": _("Due now"), "done": _("Done"),
            "missed": _("Missed"), "cancelled": _("Cancelled")}


@login_required
def case_outcomes(request, case_id: int):
    """What the survivor said at each moment, which surveys are due, the check-ins."""
    actor = request.actor
    case = _case(actor, case_id)
    today = timezone.localdate()
    responses = selectors.responses_read(actor, case=case, note=f"surveys of case {case.pk}")
    check_ins = selectors.check_ins_read(actor, case=case, note=f"check-ins of case {case.pk}")
    return render(request, "outcomes/case.html", {
        "case": case, "due": selectors.due_surveys(actor, case=case, today=today),
        "responses": responses, "check_ins": [(c, c.status(today)) for c in check_ins],
        "moments": dict(Moment.choices), "statuses": _status_labels(),
    })


@login_required
@require_http_methods(["GET", "POST"])
def survey(request, case_id: int):
    """Read the questions aloud in the survivor's language and record what they answer."""
    actor = request.actor
    case = _case(actor, case_id)
    if request.method == "POST" and not policy.changeable_survivors(actor).filter(
            pk=case.survivor_id).exists():
        raise NotFound()
    due = selectors.due_surveys(actor, case=case)
    wanted = request.POST.get("occasion") or request.GET.get("occasion")
    chosen = next((d for d in due if d.occasion == wanted), None) if wanted else \
        (due[0] if due else None)
    if chosen is None:
        raise NotFound("No survey is waiting on this case.")
    error, status, posted = None, 200, {}
    if request.method == "POST":
        try:
            answers = forms.survey_answers(chosen.moment, request.POST)
            posted = answers
            actions.record_survey(actor, case, occasion=chosen.occasion, answers=answers,
                                  channel="read_aloud", note=request.POST.get("note", ""))
        except DomainError as exc:
            error, status = exc, 422
        else:
            messages.success(request, _("The answers are saved."))
            return redirect("outcomes:case", case_id=case.pk)
    selectors.survey_form_read(actor, case, chosen)
    language = base_language(case.survivor.preferred_language)
    with translation.override(language):
        aloud = forms.survey_questions(chosen.moment, posted)
        ui_aloud = {k: str(v) for k, v in texts.UI.items()}
    staff = forms.survey_questions(chosen.moment, posted)
    for said, ours in zip(aloud, staff, strict=True):
        said["intro_staff"] = ours["intro"]
        for item, mine in zip(said["items"], ours["items"], strict=True):
            item["text_staff"] = mine["text"]
    return render(request, "outcomes/survey.html", {
        "case": case, "due": chosen, "moment_label": Moment(chosen.moment).label,
        "questions": aloud, "ui": ui_aloud, "error": error, "language": language,
    }, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def check_in(request, check_in_id: int):
    """Record a follow-up check-in (by phone or in person)."""
    actor = request.actor
    if not policy.may_record_outcomes(actor):
        raise NotFound()
    item: CheckIn = selectors.check_in_for(actor, check_in_id)
    selectors.check_ins_read(actor, case=item.case, note=f"check-in {item.pk}")
    error, status, posted = None, 200, {}
    if request.method == "POST":
        posted = forms.check_in_answers(request.POST)
        try:
            actions.record_check_in(actor, item, answers=posted, channel="read_aloud",
                                    note=request.POST.get("note", ""))
        except DomainError as exc:
            error, status = exc, 409 if exc.status == 409 else 422
        else:
            messages.success(request, _("The check-in is recorded."))
            return redirect("outcomes:case", case_id=item.case_id)
    today = timezone.localdate()
    return render(request, "outcomes/check_in.html", {
        "check_in": item, "case": item.case, "state": item.status(today),
        "statuses": _status_labels(), "may_record": item.done_on is None and
        item.cancelled_at is None and today >= item.due_on,
        "questions": forms.check_in_questions(posted or {
            n: getattr(item, n) for n in actions.CHECK_IN_FIELDS}),
        "ui": texts.UI, "error": error,
    }, status=status)
