"""The survivor portal's pages, and the two staff pages that belong to it.

Portal pages run in the survivor's language, with the portal's own session (see
``session.py``), never cached, each with a quick exit. They ask the policy with
``Actor.survivor(survivor)``, so a survivor can only ever reach their own data.
"""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from northstar import policy
from northstar.core.actor import Actor
from northstar.core.errors import Conflict, DomainError, Forbidden, NotFound
from northstar.core.i18n import base_language
from northstar.core.signin import client_address
from northstar.outcomes import actions as outcomes_actions
from northstar.outcomes import forms as outcomes_forms
from northstar.outcomes import selectors as outcomes_selectors
from northstar.outcomes import texts as outcomes_texts
from northstar.portal import actions, catalogue, legal, review_exchange, sources, texts
from northstar.portal.forms import PinForm, SignInForm
from northstar.portal.models import PortalAccess
from northstar.portal.session import PortalSession
from northstar.survivors.models import AdvocacyVisibility, ConsentPurpose, Survivor

#: Where the quick exit goes: a harmless, common page. Override per deployment.
EXIT_URL = getattr(settings, "NORTHSTAR_PORTAL_EXIT_URL",
                   "https://www.google.com/search?q=weather")

#: Portal languages in the order shown, with their names in their own script.
LANGUAGES = [(code, name) for code, name in settings.LANGUAGES]


def _language_for(session: PortalSession, survivor: Survivor | None, request) -> str:
    if session.language:
        return base_language(session.language)
    if survivor is not None:
        return base_language(survivor.preferred_language)
    return base_language(getattr(request, "LANGUAGE_CODE", None))


def _finish(request, response):
    session: PortalSession = request.portal
    session.touch()
    session.save(response)
    add_never_cache_headers(response)
    response["Cache-Control"] = "no-store, no-cache, must-revalidate, max-age=0, private"
    response["X-Robots-Tag"] = "noindex, nofollow"
    # Not "no-referrer": with it browsers send "Origin: null" on form posts and CSRF
    # refuses them. "same-origin" still tells no outside site (the quick-exit target
    # included) where the survivor came from.
    response["Referrer-Policy"] = "same-origin"
    response["Content-Language"] = translation.get_language()
    return response


def portal_page(signed_in: bool = True):
    """Load the portal session; with ``signed_in`` require a live one, else go to sign-in."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            session = PortalSession(request)
            request.portal = session
            survivor = None
            if session.survivor_id is not None:
                survivor = _live_survivor(session)
                if survivor is None:
                    session.end()
            if signed_in and survivor is None:
                url = reverse("portal:sign_in")
                if session.expired or session.ended:
                    url += "?ended=1"
                response = HttpResponseRedirect(url)
                return _finish(request, response)
            request.portal_survivor = survivor
            request.portal_actor = Actor.survivor(survivor) if survivor else None
            with translation.override(_language_for(session, survivor, request)):
                response = view(request, *args, **kwargs)
                if hasattr(response, "render") and not response.is_rendered:
                    response.render()
                return _finish(request, response)

        return wrapper

    return decorate


def _live_survivor(session: PortalSession) -> Survivor | None:
    """The signed-in survivor, if the session still stands: access on, PIN unchanged."""
    actor = Actor(user=None, organisation=None, role=None, channel="portal",
                  survivor_id=session.survivor_id)
    try:
        survivor = policy.survivor_for(actor, session.survivor_id)
    except NotFound:
        return None
    access = PortalAccess.objects.filter(survivor=survivor).first()
    if (access is None or not access.enabled
            or session.pin_epoch != access.pin_set_at.isoformat()):
        return None
    return survivor


def _context(request, **extra) -> dict:
    return {
        "ui": texts.UI,
        "languages": LANGUAGES,
        "current_language": translation.get_language(),
        "exit_url": EXIT_URL,
        "survivor": getattr(request, "portal_survivor", None),
        **extra,
    }


def _client(request) -> str:
    """The address to rate-limit by: behind our own reverse proxies the one they saw
    (``NORTHSTAR_TRUSTED_PROXY_COUNT``), never a header a client made up."""
    return client_address(request)


# --- Signing in and out ---------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@portal_page(signed_in=False)
def sign_in(request):
    if request.portal_survivor is not None:
        return redirect("portal:home")
    form = SignInForm(request.POST or None)
    error = None
    status = 200
    if request.method == "POST" and form.is_valid():
        result = actions.sign_in(reference=form.cleaned_data["reference"],
                                 pin=form.cleaned_data["pin"], client=_client(request),
                                 device=request.portal.device_id or "")
        if result.ok:
            request.portal.begin(result.survivor.pk, result.access.pin_set_at.isoformat())
            return redirect("portal:home")
        error = {"failed": texts.UI["sign_in_failed"], "locked": texts.UI["sign_in_locked"],
                 "throttled": texts.UI["sign_in_too_many"]}[result.outcome]
        status = 429 if result.outcome == "throttled" else 200
    elif request.method == "POST":
        error = texts.UI["sign_in_failed"]
    ended = request.GET.get("ended") == "1"
    return render(request, "portal/sign_in.html",
                  _context(request, form=form, error=error, ended=ended), status=status)


@csrf_exempt  # ending one's own session is harmless, and the quick exit must never fail
@require_http_methods(["GET", "POST"])
@portal_page(signed_in=False)
def quick_exit(request):
    """Ends the session and leaves for a harmless site; works with and without JavaScript."""
    survivor = request.portal_survivor
    if survivor is not None:
        actions.record_sign_out(request.portal_actor, survivor, quick_exit=True)
    request.portal.end()
    return HttpResponseRedirect(EXIT_URL)


@require_POST
@portal_page()
def sign_out(request):
    actions.record_sign_out(request.portal_actor, request.portal_survivor, quick_exit=False)
    request.portal.end()
    return redirect("portal:sign_in")


@portal_page(signed_in=False)
def choose_language(request, code: str):
    codes = {c for c, _ in LANGUAGES}
    if code not in codes:
        raise NotFound()
    request.portal.language = code
    target = request.GET.get("next", "")
    if not (target.startswith("/portal/") and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()})):
        target = reverse("portal:sign_in")
    return HttpResponseRedirect(target)


# --- The survivor's pages ----------------------------------------------------------------


@portal_page()
def home(request):
    return render(request, "portal/home.html", _context(
        request, engagement_menu=texts.ENGAGEMENT_UI["menu"]))


@portal_page()
def plan(request):
    survivor = request.portal_survivor
    actions.record_view(request.portal_actor, survivor, page="plan")
    items = []
    for item in sources.plan_items(request.portal_actor):
        info = texts.INTERVENTION_DESCRIPTIONS.get(item["intervention"])
        if info is None:
            continue
        status_text = texts.UI.get(f"plan_status_{item['status']}")
        items.append({**item, "title": info["title"], "description": info["description"],
                      "status_text": status_text})
    ranking = [k for k in sources.outcome_ranking(request.portal_actor) if k in texts.OUTCOMES]
    order = ranking + [k for k in texts.OUTCOMES if k not in ranking]
    return render(request, "portal/plan.html", _context(
        request, items=items, ranked=bool(ranking),
        outcomes=[(k, texts.OUTCOMES[k]) for k in order],
        interventions=texts.INTERVENTION_DESCRIPTIONS))


@portal_page()
def rights(request):
    """The stage the survivor is at, and what the law of THEIR jurisdiction gives them —
    read from the cited legal-position data, so nothing is promised that the law does
    not keep there (an audited read: it is chosen by the survivor's case)."""
    survivor = request.portal_survivor
    jurisdiction = sources.jurisdiction(request.portal_actor, survivor)
    actions.record_view(request.portal_actor, survivor, page="rights",
                        detail=f"legal position {jurisdiction}")
    statements = legal.statements_for(jurisdiction, child=survivor.is_child(),
                                      language=translation.get_language())
    stage = sources.current_stage(request.portal_actor)
    labels = {"hearing": texts.UI["event_hearing"],
              "reflection_ends": texts.UI["event_reflection_ends"]}
    coming = [{**item, "label": labels[item["kind"]]}
              for item in sources.upcoming(request.portal_actor, timezone.localdate())]
    return render(request, "portal/rights.html", _context(
        request, stage=stage, stage_text=texts.RIGHTS.get(stage or ""), coming=coming,
        stages=texts.RIGHTS, jurisdiction=jurisdiction,
        groups=[(kind, texts.UI[heading], items)
                for kind, heading, items in legal.grouped(statements)]))


@portal_page()
def money(request):
    survivor = request.portal_survivor
    actions.record_view(request.portal_actor, survivor, page="money")
    claims = []
    for claim in sources.claims(request.portal_actor):
        claims.append({**claim, "status_text": texts.CLAIM_STATUS.get(claim["status"])})
    return render(request, "portal/money.html", _context(request, claims=claims))


def _consent_rows(actor: Actor, survivor: Survivor) -> list[dict]:
    consents = list(policy.visible_consents(actor).filter(survivor=survivor)
                    .select_related("recipient"))
    rows = []
    for purpose in ConsentPurpose.values:
        mine = [c for c in consents if c.purpose == purpose]
        active = [c for c in mine if c.is_active()]
        withdrawn = any(c.withdrawn_at for c in mine)
        rows.append({
            "purpose": purpose,
            "text": texts.CONSENT_EXPLANATIONS[purpose],
            "active": [
                {"consent": c, "label": (str(texts.UI["consent_referral_to"])
                                         % {"organisation": c.recipient.name}
                                         if c.recipient_id else "")}
                for c in active
            ],
            "status": "yes" if active else "withdrawn" if withdrawn else "no",
            "needs_recipient": purpose == ConsentPurpose.REFERRAL,
        })
    return rows


def _choices_page(request, *, notice=None, advocacy_error=None, consent_error=None,
                  status=200, chosen=None):
    survivor = request.portal_survivor
    actor = request.portal_actor
    survivor.refresh_from_db()
    return render(request, "portal/choices.html", _context(
        request, rows=_consent_rows(actor, survivor), always=texts.CONSENT_ALWAYS,
        advocacy_choices=[(k, texts.ADVOCACY_CHOICES[k]) for k in AdvocacyVisibility.values],
        advocacy_value=chosen or survivor.advocacy_visibility,
        is_child=survivor.is_child() is not False, notice=notice,
        advocacy_error=advocacy_error, consent_error=consent_error), status=status)


@portal_page()
def choices(request):
    actions.record_view(request.portal_actor, request.portal_survivor, page="choices")
    notice = {"given": texts.UI["consent_given_now"],
              "withdrawn": texts.UI["consent_withdrawn_now"],
              "advocacy": texts.UI["advocacy_saved"]}.get(request.GET.get("saved", ""))
    return _choices_page(request, notice=notice)


@require_POST
@portal_page()
def consent(request):
    """Give (purpose) or take back (purpose, or one consent for a referral) a consent."""
    survivor = request.portal_survivor
    actor = request.portal_actor
    purpose = request.POST.get("purpose", "")
    choice = request.POST.get("choice", "")
    if purpose not in ConsentPurpose.values or choice not in ("give", "withdraw"):
        return _choices_page(request, consent_error=texts.UI["error_generic"], status=422)
    try:
        if choice == "give":
            actions.give_consent(actor, survivor, purpose=purpose,
                                 language=translation.get_language())
            return redirect(reverse("portal:choices") + "?saved=given")
        in_force = policy.visible_consents(actor).filter(survivor=survivor, purpose=purpose)
        if request.POST.get("consent"):
            in_force = [policy.consent_for(actor, request.POST["consent"])]
            if in_force[0].purpose != purpose:
                raise NotFound()
        actions.withdraw_consents(actor, survivor,
                                  consents=[c for c in in_force if c.is_active()])
        return redirect(reverse("portal:choices") + "?saved=withdrawn")
    except NotFound:
        raise  # a page's NotFound is a 404 (middleware), not a refused choice
    except DomainError as exc:
        message = (texts.UI["consent_child"] if "child" in exc.message
                   else texts.UI["consent_referral_ask"] if "referral" in exc.message
                   else texts.UI["error_generic"])
        return _choices_page(request, consent_error={"purpose": purpose, "message": message},
                             status=422)


@require_POST
@portal_page()
def advocacy(request):
    survivor = request.portal_survivor
    value = request.POST.get("advocacy_visibility", "")
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        return _choices_page(request, advocacy_error=texts.UI["changed_elsewhere"], status=422)
    try:
        actions.choose_advocacy(request.portal_actor, survivor, visibility=value, version=version)
    except Conflict:
        return _choices_page(request, advocacy_error=texts.UI["changed_elsewhere"], status=409,
                             chosen=value)
    except DomainError as exc:
        message = (texts.UI["advocacy_child_only_anonymous"]
                   if exc.field == "advocacy_visibility" and value == AdvocacyVisibility.PUBLIC
                   else texts.UI["error_generic"])
        return _choices_page(request, advocacy_error=message, status=422, chosen=value)
    return redirect(reverse("portal:choices") + "?saved=advocacy")


# --- Staff pages --------------------------------------------------------------------------


def _wait_state(survivor) -> dict:
    backoff = actions.backoff_of(survivor)
    waiting = bool(backoff and backoff.waiting())
    return {"wrong_tries": backoff.failures if backoff else 0, "waiting": waiting,
            "wait_until": backoff.wait_until if waiting else None}


@login_required
@require_http_methods(["GET", "POST"])
def staff_access(request, survivor_id: int):
    """Set or reset a survivor's PIN with them, or turn their portal access off."""
    actor = request.actor
    survivor = policy.survivor_for(actor, survivor_id, change=True)
    if policy.survivor_fields(actor, survivor) is not policy.ALL_FIELDS:
        raise NotFound()
    access = actions.access_seen(actor, survivor) if request.method == "GET" else \
        PortalAccess.objects.filter(survivor=survivor).first()
    form = PinForm(request.POST or None)
    done = None
    if request.method == "POST" and request.POST.get("action") == "lift":
        if not policy.may_lift_portal_backoff(actor, survivor):
            raise Forbidden("You may not change this survivor's portal access.")
        actions.lift_backoff(actor, survivor)
        return redirect(reverse("portal:staff_access", args=[survivor.pk]) + "?done=lifted")
    if request.method == "POST" and request.POST.get("action") == "disable":
        if access is not None:
            actions.disable_access(actor, survivor)
        return redirect(reverse("portal:staff_access", args=[survivor.pk]) + "?done=disabled")
    if request.method == "POST" and form.is_valid():
        try:
            actions.set_pin(actor, survivor, pin=form.cleaned_data["pin"])
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            return redirect(reverse("portal:staff_access", args=[survivor.pk]) + "?done=pin")
    done = request.GET.get("done")
    return render(request, "portal/staff_access.html", {
        "survivor": survivor, "access": access, "form": form, "done": done,
        **_wait_state(survivor),
        "max_failures": actions.MAX_FAILURES, "max_wait": actions.MAX_WAIT_MINUTES,
    })


def _review_file(language: str, kind: str) -> HttpResponse:
    """One language's review list for a volunteer: CSV for a spreadsheet, PO for Poedit."""
    try:
        body = (review_exchange.export_csv(language) if kind == "csv"
                else review_exchange.export_po(language))
    except review_exchange.ReviewFileError as exc:
        raise NotFound(str(exc)) from None
    response = HttpResponse(
        ("\ufeff" + body) if kind == "csv" else body,
        content_type="text/csv; charset=utf-8" if kind == "csv" else "text/x-gettext-translation; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="northstar-review-{language}.{kind}"'
    return response


@login_required
def translation_review(request):
    """Every translation still waiting for a native speaker's review, per language."""
    if not policy.may_review_translations(request.actor):
        raise Forbidden("only an organisation administrator reviews translations")
    wanted = request.GET.get("language", "")
    download = request.GET.get("download", "")
    if wanted and download in ("csv", "po"):
        return _review_file(wanted, download)
    report = catalogue.review_report()
    languages = [r for r in report if not wanted or r["language"] == wanted]
    return render(request, "portal/translation_review.html", {
        "report": report, "review_languages": languages, "wanted": wanted,
    })


# --- Surveys and follow-up check-ins (issue 15; the outcomes app does the work) ----------


def _survey_context(request, **extra) -> dict:
    return _context(request, s=outcomes_texts.UI, language=translation.get_language(), **extra)


@portal_page()
def surveys(request):
    """The questions waiting for the survivor, and every answer they gave (to delete)."""
    actor = request.portal_actor
    today = timezone.localdate()
    actions.record_view(actor, request.portal_survivor, page="surveys")
    due = outcomes_selectors.due_surveys(actor, today=today)
    responses = outcomes_selectors.responses_read(actor, note="portal: my survey answers")
    check_ins = outcomes_selectors.check_ins_read(actor, note="portal: my check-ins")
    notice = {"saved": outcomes_texts.UI["survey_saved"],
              "withdrawn": outcomes_texts.UI["withdrawn"]}.get(request.GET.get("done", ""))
    return render(request, "portal/surveys.html", _survey_context(
        request, due=[(d, outcomes_texts.MOMENTS[d.moment]) for d in due],
        check_ins_due=[c for c in check_ins if c.status(today) == "due"],
        responses=[(r, outcomes_texts.MOMENTS[r.moment]) for r in responses],
        check_ins_done=[c for c in check_ins if c.done_on is not None], notice=notice))


@require_http_methods(["GET", "POST"])
@portal_page()
def survey_answer(request):
    """One survey, in the survivor's language; every question optional."""
    actor = request.portal_actor
    case = policy.case_for(actor, request.POST.get("case") or request.GET.get("case"))
    occasion = request.POST.get("occasion") or request.GET.get("occasion") or ""
    due = outcomes_selectors.due_one(actor, case, occasion)
    if due is None:
        raise NotFound()
    error, status, posted = None, 200, {}
    if request.method == "POST":
        try:
            posted = outcomes_forms.survey_answers(due.moment, request.POST)
            outcomes_actions.record_survey(actor, case, occasion=occasion, answers=posted)
        except DomainError as exc:
            error, status = exc, exc.status
        else:
            return redirect(reverse("portal:surveys") + "?done=saved")
    actions.record_view(actor, request.portal_survivor, page="survey",
                        detail=f"survey {occasion} of case {case.pk}")
    return render(request, "portal/survey.html", _survey_context(
        request, case=case, due=due, moment_label=outcomes_texts.MOMENTS[due.moment],
        questions=outcomes_forms.survey_questions(due.moment, posted),
        error=error and outcomes_texts.UI["error"], error_field=error and error.field),
        status=status)


@require_http_methods(["GET", "POST"])
@portal_page()
def check_in_answer(request):
    """A follow-up check-in the survivor answers themself; every question optional."""
    actor = request.portal_actor
    item = outcomes_selectors.check_in_for(actor, request.POST.get("id") or
                                           request.GET.get("id"))
    outcomes_selectors.check_ins_read(actor, case=item.case, note=f"portal: check-in {item.pk}")
    state = item.status()
    error, status, posted = None, 200, {}
    if request.method == "POST":
        posted = outcomes_forms.check_in_answers(request.POST)
        try:
            outcomes_actions.record_check_in(actor, item, answers=posted)
        except DomainError as exc:
            error, status = outcomes_texts.UI["error"], exc.status
        else:
            return redirect(reverse("portal:surveys") + "?done=saved")
    return render(request, "portal/check_in.html", _survey_context(
        request, check_in=item, may_answer=state == "due" and item.done_on is None,
        questions=outcomes_forms.check_in_questions(posted), error=error), status=status)


@require_POST
@portal_page()
def survey_withdraw(request):
    """Delete one's own answers (a survey's or a check-in's): removed and never counted."""
    actor = request.portal_actor
    try:
        if request.POST.get("check_in"):
            outcomes_actions.withdraw_check_in(
                actor, outcomes_selectors.check_in_for(actor, request.POST["check_in"]))
        else:
            outcomes_actions.withdraw_survey(
                actor, outcomes_selectors.response_for(actor, request.POST.get("response")))
    except Conflict:
        pass  # already deleted: the list shows it so
    return redirect(reverse("portal:surveys") + "?done=withdrawn")
