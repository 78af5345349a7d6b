"""The report pages: anonymous (no account, no session), the portal's, a caseworker's; and
the analysts' pages (their organisation's reports, the review, shared patterns, sharing).

The anonymous page keeps nothing of who sent a report: no session is opened, no message
stored, no address read except to be hashed with the day's key when the device has no
cookie (``sources``); the language comes from the link (``?lang=``), not a cookie. A
device cookie (a random value, never stored on the server) lets one phone be counted
without knowing which phone it is.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from northstar import policy
from northstar.core import places
from northstar.core.errors import DomainError, NotFound
from northstar.core.signin import client_address
from northstar.intelligence import actions, selectors, svg
from northstar.intelligence.models import Channel, Method, ReviewStatus
from northstar.intelligence.rules import engine
from northstar.intelligence.texts import T
from northstar.portal import texts as portal_texts
from northstar.portal.views import EXIT_URL, portal_page

DEVICE_COOKIE = "nsr"
DEVICE_DAYS = 30
LANGUAGES = [(code, name) for code, name in settings.LANGUAGES]
FIELDS = ("organisation", "from_country", "to_country", "via", "recruiters", "agencies",
          "employers", "methods", "country", "province", "places", "debts", "details")


def _language(request) -> str:
    wanted = (request.POST.get("lang") or request.GET.get("lang") or "").lower()
    codes = {code for code, _ in LANGUAGES}
    if wanted in codes:
        return wanted
    current = (getattr(request, "LANGUAGE_CODE", "") or "en").lower()
    return current if current in codes else "en"


def _countries(lang: str) -> list[tuple[str, str]]:
    return sorted(((code, places.country_name(code, lang)) for code in engine.region()),
                  key=lambda pair: pair[1])


def _form_data(request) -> dict:
    data = {name: request.POST.get(name, "") for name in FIELDS}
    data["via"] = request.POST.getlist("via")
    data["methods"] = request.POST.getlist("methods")
    return data


def _form_context(lang: str, values: dict | None = None, error: DomainError | None = None):
    return {"t": T, "countries": _countries(lang), "methods": Method.choices,
            "values": values or {"via": [], "methods": []}, "error": error,
            "error_label": T.get(error.field, error.field) if error and error.field else ""}


def _private(response):
    add_never_cache_headers(response)
    response["Cache-Control"] = "no-store, no-cache, must-revalidate, max-age=0, private"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "same-origin"
    return response


# --- Anonymous --------------------------------------------------------------------------


def _recipient(request, recipients):
    chosen = request.POST.get("organisation", "")
    if chosen:
        found = recipients.filter(pk=chosen).first() if chosen.isdigit() else None
        if found is None:
            raise DomainError("Choose from the list.", "organisation")
        return found
    intake = getattr(settings, "NORTHSTAR_INTELLIGENCE_INTAKE_ORG", "")
    found = recipients.filter(code=intake).first() if intake else None
    if found is None and recipients.count() == 1:
        found = recipients.first()
    if found is None:
        raise DomainError("Choose where to send it.", "organisation")
    return found


@csrf_exempt  # no session and no account: nothing a forged form could act as
@require_http_methods(["GET", "POST"])
def report(request):
    lang = _language(request)
    device = request.COOKIES.get(DEVICE_COOKIE, "")
    with translation.override(lang):
        recipients = selectors.anonymous_recipients()
        context = {"lang": lang, "languages": LANGUAGES, "recipients": recipients,
                   "exit_url": EXIT_URL}
        status = 200
        if request.method == "POST":
            values = _form_data(request)
            source = f"device:{device}" if device else f"address:{client_address(request)}"
            try:
                organisation = _recipient(request, recipients)
                actions.receive_report(organisation=organisation, channel=Channel.ANONYMOUS,
                                       data=values, source=source,
                                       address=client_address(request) if device else "")
                context.update(_form_context(lang), sent=True)
            except actions.RateLimited as refused:
                context.update(_form_context(lang), too_many=True)
                status = refused.status
            except DomainError as wrong:
                context.update(_form_context(lang, values, wrong))
                status = wrong.status
        else:
            context.update(_form_context(lang))
        response = render(request, "intelligence/report_anonymous.html", context, status=status)
    if not device:
        response.set_cookie(DEVICE_COOKIE, secrets.token_urlsafe(16),
                            max_age=DEVICE_DAYS * 24 * 3600, path="/intelligence/report/",
                            httponly=True, samesite="Strict",
                            secure=getattr(settings, "HTTPS_ONLY", False))
    return _private(response)


# --- The portal ------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@portal_page()
def portal_report(request):
    survivor = request.portal_survivor
    lang = translation.get_language()
    context = {"ui": portal_texts.UI, "languages": LANGUAGES, "current_language": lang,
               "exit_url": EXIT_URL, "survivor": survivor}
    status = 200
    if request.method == "POST":
        values = _form_data(request)
        try:
            actions.receive_report(organisation=survivor.organisation, channel=Channel.PORTAL,
                                   data=values, source=f"survivor:{survivor.pk}")
            context.update(_form_context(lang), sent=True)
        except actions.RateLimited as refused:
            context.update(_form_context(lang), too_many=True)
            status = refused.status
        except DomainError as wrong:
            context.update(_form_context(lang, values, wrong))
            status = wrong.status
    else:
        context.update(_form_context(lang))
    return render(request, "intelligence/report_portal.html", context, status=status)


# --- A caseworker passes it on ----------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def case_report(request, case_id: int):
    actor = request.actor
    if not policy.may_report_intelligence(actor):
        raise NotFound("No such case")
    case = policy.case_for(actor, case_id, change=True)
    lang = translation.get_language()
    context = {"case": case}
    status = 200
    if request.method == "POST":
        values = _form_data(request)
        try:
            actions.receive_report(organisation=actor.organisation, channel=Channel.CASEWORKER,
                                   data=values, source=f"survivor:{case.survivor_id}",
                                   actor=actor, case=case, link=request.POST.get("link") == "1")
            context.update(_form_context(lang), sent=True)
        except DomainError as wrong:
            context.update(_form_context(lang, values, wrong))
            status = wrong.status
    else:
        context.update(_form_context(lang))
    return render(request, "intelligence/case_report.html", context, status=status)


# --- Analysts ---------------------------------------------------------------------------


def _analyst(request):
    if not policy.may_analyse_intelligence(request.actor):
        raise NotFound("No such page")
    return request.actor


@login_required
def reports(request):
    actor = _analyst(request)
    status = request.GET.get("status") or ""
    shown = selectors.list_reports(actor, status=status or None)
    return render(request, "intelligence/reports.html",
                  {"reports": shown, "statuses": ReviewStatus.choices, "status": status})


@login_required
@require_http_methods(["GET", "POST"])
def report_detail(request, report_id: int):
    actor = request.actor
    found = selectors.report_for(actor, report_id)
    if request.method == "POST":
        actions.review_report(actor, found, decision=request.POST.get("decision", ""),
                              note=request.POST.get("note", ""))
        return redirect("intelligence:report_detail", report_id=found.pk)
    opened = selectors.open_report(actor, found)
    return render(request, "intelligence/report_detail.html",
                  {"report": found, "opened": opened,
                   "methods": [Method(m).label for m in found.methods if m in Method.values],
                   "route": [found.from_country, *found.via_countries, found.to_country]})


@login_required
def patterns(request):
    found = selectors.shared_patterns(request.actor)
    lang = translation.get_language()
    return render(request, "intelligence/patterns.html", {
        **found, "map": svg.route_map(found["routes"], lang),
        "timeline_svg": svg.timeline(found["timeline"]),
        "tile_url": getattr(settings, "NORTHSTAR_MAP_TILE_URL", ""),
    })


@login_required
@require_http_methods(["GET", "POST"])
def sharing(request):
    actor = request.actor
    if not policy.may_set_intelligence_sharing(actor):
        raise NotFound("No such page")
    if request.method == "POST":
        actions.set_sharing(actor,
                            with_organisations=request.POST.get("with_organisations") == "1",
                            with_law_enforcement=request.POST.get("with_law_enforcement") == "1",
                            receives_anonymous=request.POST.get("receives_anonymous") == "1")
        return redirect("intelligence:sharing")
    return render(request, "intelligence/sharing.html",
                  {"setting": selectors.sharing_of(actor.organisation),
                   "rules": engine.rules()})
