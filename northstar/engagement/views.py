"""The council coordinator's pages (and the supervisors' and administrators' who oversee
engagement): the calendar, one activity with its participants, honoraria, councils,
consultations and outreach. Never a case record: survivors appear by pseudonym where they
chose anonymity, else by reference. Each page asks the policy, calls an action, renders.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from northstar import policy
from northstar.core import keyset
from northstar.core.errors import Conflict, DomainError, Forbidden, NotFound
from northstar.engagement import actions, selectors
from northstar.engagement.forms import (
    ActivityForm,
    ChangeForm,
    ConsultationForm,
    CouncilForm,
    OutreachForm,
    PaymentForm,
    RateForm,
)
from northstar.engagement.models import CouncilMembership, HonorariumRate, ParticipationStatus
from northstar.portal import actions as portal_actions
from northstar.portal import texts
from northstar.portal import views as portal_views
from northstar.survivors.consent import may_flow
from northstar.survivors.models import ConsentPurpose
from northstar.ui.paging import query_without


def _coordinator(request):
    actor = request.actor
    if not policy.coordinates_engagement(actor):
        raise NotFound()
    return actor


def _flag(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


@login_required
@require_http_methods(["GET", "POST"])
def calendar(request):
    actor = _coordinator(request)
    councils = list(selectors.visible_councils(actor))
    form = ActivityForm(request.POST or None, councils=councils)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        council = (policy.one_of(selectors.visible_councils(actor), data["council"], "council")
                   if data["council"] else None)
        try:
            activity = actions.create_activity(
                actor, kind=data["kind"], title=data["title"], starts_at=data["starts_at"],
                hours=data["hours"], place=data["place"], public=data["public"],
                asks_for_own_story=data["asks_for_own_story"],
                offender_may_be_present=_flag(data["offender_may_be_present"]), council=council)
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            return redirect("engagement:activity", activity_id=activity.pk)
    status = 422 if request.method == "POST" else 200
    rows = selectors.calendar(actor)
    return render(request, "engagement/calendar.html", {
        "upcoming": [r for r in rows if not r["past"]],
        "past": [r for r in rows if r["past"]], "form": form,
    }, status=status)


#: Rows a page of participants or of a council's members shows; the rest are a cursor away.
PAGE_SIZE = 50


def _participant_rows(actor, activity, cursor: str | None) -> dict:
    """One page of ``activity``'s participants (after ``cursor``), the capped count of all
    of them, and the cursor of the next page; only the page's participants are audited."""
    people = selectors.participants_of(actor, activity).prefetch_related("ledger")
    count = keyset.count(people)
    found = keyset.page(people, size=PAGE_SIZE, cursor=cursor)
    selectors.participants_shown(actor, activity, found.rows)
    rows = []
    for p in found.rows:
        rows.append({"p": p, "shown_as": p.pseudonym if p.anonymous else p.survivor_reference,
                     "blocks": [f for f in p.safeguards_result.get("findings", [])
                                if f["severity"] == "block"],
                     "warnings": [f for f in p.safeguards_result.get("findings", [])
                                  if f["severity"] == "warn"],
                     "owed": next((e for e in p.ledger.all() if e.kind == "owed"), None)})
    return {"rows": rows, "count": count, "next_cursor": found.next,
            "paged": bool(cursor)}


@login_required
@require_http_methods(["GET", "POST"])
def activity(request, activity_id: int):
    actor = _coordinator(request)
    act = selectors.activity_for(actor, activity_id)
    error = None
    if request.method == "POST":
        op = request.POST.get("op", "")
        try:
            _activity_post(actor, act, op, request.POST)
        except DomainError as exc:
            if isinstance(exc, NotFound | Forbidden):
                raise
            error = exc
        else:
            return redirect(reverse("engagement:activity", args=[act.pk]) + f"?done={op}")
    minutes = (selectors.minutes_of(actor, act) if request.GET.get("minutes") == "1" else None)
    return render(request, "engagement/activity.html", {
        "activity": act, **_participant_rows(actor, act, request.GET.get("cursor")),
        "qs": query_without(request, "cursor", "done", "minutes"), "minutes": minutes,
        "may_invite": (act.starts_at > timezone.now()
                       and selectors.anyone_may_be_invited(actor)),
        "typed": (request.POST.get("reference", "")[:40]
                  if request.POST.get("op") == "invite" else ""),
        "past": act.starts_at <= timezone.now(), "error": error,
        "done": request.GET.get("done", ""), "statuses": ParticipationStatus,
    }, status=422 if error else 200)


def _activity_post(actor, act, op: str, post) -> None:
    if op == "invite":
        survivor = selectors.candidate_by_reference(actor, post.get("reference", ""))
        actions.invite(actor, act, survivor=survivor, pseudonym=post.get("pseudonym", ""),
                       best_interest_note=post.get("best_interest_note", ""))
        return
    if op == "minutes":
        actions.record_minutes(actor, act, minutes=post.get("minutes", ""))
        return
    if op == "offender":
        actions.set_offender_presence(actor, act, may_be_present=_flag(post.get("value", "")))
        return
    p = selectors.participation_for(actor, post.get("participation", ""))
    if p.activity_id != act.pk:
        raise NotFound()
    if op == "prepare":
        actions.prepare(actor, p, support_person=post.get("support_person", ""),
                        briefed=post.get("briefed") == "on",
                        debriefing_planned=post.get("debriefing_planned") == "on",
                        right_to_withdraw_stated=post.get("right_to_withdraw_stated") == "on")
    elif op == "check":
        actions.check_before_activity(actor, p)
    elif op == "time":
        actions.record_time_given(actor, p, hours=post.get("hours") or None)
    elif op == "debrief":
        actions.record_debrief(actor, p)
    elif op == "withdraw":
        actions.withdraw(actor, p, why="told the coordinator")
    else:
        raise DomainError("unknown operation", "op")


def _back_to(name: str, cursor: str, done: str) -> str:
    """The page ``name`` at the page of its list the form was sent from, with a notice."""
    query = {"cursor": cursor, "done": done} if cursor else {"done": done}
    return f"{reverse(name)}?{urlencode(query)}"


@login_required
@require_http_methods(["GET", "POST"])
def honoraria(request):
    actor = _coordinator(request)
    pay = PaymentForm(request.POST if request.POST.get("op") == "pay" else None)
    rate = RateForm(request.POST if request.POST.get("op") == "rate" else None)
    # The page of the list shown: a form carries the cursor of the page it was sent from,
    # and returns to it (checked as any cursor: an altered one is a 422 naming it).
    cursor = (request.POST if request.method == "POST" else request.GET).get("cursor") or ""
    payees = selectors.honoraria_payees(actor)
    if cursor:
        keyset.after(payees, cursor)  # refused before anything is written
    status = 200
    if request.method == "POST":
        status = 422
        try:
            if request.POST.get("op") == "pay" and pay.is_valid():
                d = pay.cleaned_data
                survivor = selectors.payee_for(actor, d["survivor"])
                actions.record_payment(actor, survivor, amount=d["amount"],
                                       currency=d["currency"], method=d["method"], on=d["on"],
                                       account_details=d["account_details"])
                return redirect(_back_to("engagement:honoraria", cursor, "pay"))
            if request.POST.get("op") == "rate" and rate.is_valid():
                if not policy.may_set_honorarium_rates(actor):
                    raise Forbidden("the organisation's administrator sets its rates")
                d = rate.cleaned_data
                actions.set_rate(actor, kind=d["kind"], currency=d["currency"],
                                 per_hour=d["per_hour"])
                return redirect(_back_to("engagement:honoraria", cursor, "rate"))
        except DomainError as exc:
            if isinstance(exc, NotFound | Forbidden):
                raise
            (pay if request.POST.get("op") == "pay" else rate).add_error(None, exc.message)
    # Everyone owed or paid, 50 a page by reference, with a capped count: the list was
    # every payee of the organisation (136-160 ms at 100k); the sums are the page's.
    count, found = selectors.honoraria_page(actor, size=PAGE_SIZE, cursor=cursor or None)
    return render(request, "engagement/honoraria.html", {
        "due": selectors.honoraria_shown(actor, found.rows), "pay": pay, "rate": rate,
        "count": count, "next_cursor": found.next, "cursor": cursor,
        "rates": HonorariumRate.objects.filter(organisation_id=policy.engagement_organisation_id(
            actor)).order_by("kind"),
        "may_set_rates": policy.may_set_honorarium_rates(actor),
        "done": request.GET.get("done", ""),
    }, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def councils(request):
    actor = _coordinator(request)
    form = CouncilForm(request.POST if request.POST.get("op") == "council" else None)
    error = None
    if request.method == "POST":
        try:
            if request.POST.get("op") == "council" and form.is_valid():
                actions.create_council(actor, name=form.cleaned_data["name"],
                                       kind=form.cleaned_data["kind"])
                return redirect(reverse("engagement:councils") + "?done=council")
            if request.POST.get("op") == "member":
                council = policy.one_of(selectors.visible_councils(actor),
                                        request.POST.get("council", ""), "council")
                survivor = selectors.candidate_by_reference(actor,
                                                            request.POST.get("reference", ""))
                term_start = _date(request.POST.get("term_start", ""), "term_start")
                term_end = (_date(request.POST["term_end"], "term_end")
                            if request.POST.get("term_end") else None)
                actions.add_council_member(actor, council, survivor=survivor,
                                           term_start=term_start, term_end=term_end)
                return redirect(reverse("engagement:councils") + "?done=member")
            if request.POST.get("op") == "step_down":
                membership = policy.one_of(
                    CouncilMembership.objects.filter(council__in=selectors.visible_councils(
                        actor)).select_related("council", "survivor"),
                    request.POST.get("membership", ""), "membership")
                actions.end_council_membership(actor, membership)
                return redirect(reverse("engagement:councils") + "?done=step_down")
        except DomainError as exc:
            if isinstance(exc, NotFound | Forbidden):
                raise
            error = exc
    # "Add a member" takes a typed reference (``candidate_by_reference``), with at most
    # ``selectors.SUGGESTIONS`` suggestions from ``candidates``: a list of every consenting
    # survivor (10,002 at 100k) was most of the page's cost and no use to a person.
    member = ({"council": request.POST.get("council", ""),
               "reference": request.POST.get("reference", "")[:40],
               "term_start": request.POST.get("term_start", "")[:10],
               "term_end": request.POST.get("term_end", "")[:10]}
              if request.POST.get("op") == "member" else {})
    return render(request, "engagement/councils.html", {
        **_council_pages(actor, request), "form": form, "error": error, "member": member,
        "may_add_members": selectors.anyone_may_be_invited(actor),
        "done": request.GET.get("done", ""),
    }, status=422 if request.method == "POST" else 200)


@login_required
@require_http_methods(["GET"])
def candidates(request):
    """Suggestions for a typed reference (htmx, into a ``<datalist>``): at most
    ``selectors.SUGGESTIONS`` survivors who may be invited whose reference starts with
    ``?reference=``; fewer than two characters is a 422 naming ``reference``."""
    actor = _coordinator(request)
    try:
        found = selectors.candidates_matching(actor, request.GET.get("reference", ""))
    except DomainError as exc:
        return render(request, "engagement/_candidates.html", {"found": [], "error": exc},
                      status=exc.status)
    return render(request, "engagement/_candidates.html", {"found": found})


def _council_pages(actor, request) -> dict:
    """Each council with one page of its members, their capped count and the cursor of the
    next page; with ``?council=`` only that council (its pages walked by ``cursor``). One
    audited read names the members shown, and only them."""
    chosen = request.GET.get("council")
    councils = ([policy.one_of(selectors.visible_councils(actor), chosen, "council")]
                if chosen else list(selectors.visible_councils(actor)))
    cursor = request.GET.get("cursor") if chosen else None
    pages = []
    for council in councils:
        members = selectors.council_members(actor, council)
        found = keyset.page(members, size=PAGE_SIZE, cursor=cursor)
        pages.append({"council": council, "members": found.rows,
                      "count": keyset.count(members), "next_cursor": found.next,
                      "paged": bool(cursor), "qs": urlencode({"council": council.pk})})
    selectors.council_members_shown(actor, [m for p in pages for m in p["members"]])
    return {"pages": pages, "chosen": bool(chosen)}


def _date(value: str, field: str):
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise DomainError("a date, YYYY-MM-DD", field) from None


@login_required
@require_http_methods(["GET", "POST"])
def consultations(request):
    actor = _coordinator(request)
    activities = list(selectors.visible_activities(actor).order_by("-starts_at")[:100])
    form = ConsultationForm(request.POST if request.POST.get("op") == "new" else None,
                            activities=activities)
    change = ChangeForm(request.POST if request.POST.get("op") == "change" else None)
    if request.method == "POST":
        try:
            if request.POST.get("op") == "new" and form.is_valid():
                d = form.cleaned_data
                act = (selectors.activity_for(actor, d["activity"]) if d["activity"] else None)
                actions.record_consultation(actor, question=d["question"], held_on=d["held_on"],
                                            activity=act,
                                            others_consulted=d["others_consulted"])
                return redirect(reverse("engagement:consultations") + "?done=new")
            if request.POST.get("op") == "change" and change.is_valid():
                d = change.cleaned_data
                consultation = policy.one_of(selectors.visible_consultations(actor),
                                             d["consultation"], "consultation")
                actions.record_change(actor, consultation, what_changed=d["what_changed"],
                                      changed_on=d["changed_on"])
                return redirect(reverse("engagement:consultations") + "?done=change")
        except DomainError as exc:
            if isinstance(exc, NotFound | Forbidden):
                raise
            form.add_error(None, exc.message)
    rows = list(selectors.visible_consultations(actor).select_related("activity")
                .prefetch_related("changes"))
    return render(request, "engagement/consultations.html", {
        "consultations": rows, "form": form, "change": change,
        "done": request.GET.get("done", ""),
    }, status=422 if request.method == "POST" else 200)


@login_required
@require_http_methods(["GET", "POST"])
def outreach(request):
    actor = _coordinator(request)
    form = OutreachForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.record_outreach(actor, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            return redirect(reverse("engagement:outreach") + "?done=new")
    return render(request, "engagement/outreach.html", {
        "sessions": list(selectors.visible_outreach(actor)[:200]), "form": form,
        "done": request.GET.get("done", ""),
    }, status=422 if request.method == "POST" else 200)


# --- The survivor's own page in the portal ------------------------------------------------


def _portal_page(request, *, notice=None, error=None, status=200):
    survivor = request.portal_survivor
    actor = request.portal_actor
    portal_actions.record_view(actor, survivor, page="engagement")
    mine = selectors.my_invitations(actor)
    for group in mine.values():
        for p in group:
            p.kind_text = texts.ENGAGEMENT_KINDS.get(p.activity.kind, "")
            p.time_text = str(texts.ENGAGEMENT_UI["time_given"]) % {
                "hours": f"{p.activity.hours.normalize():f}"}
            p.shown_as_text = str(texts.ENGAGEMENT_UI["shown_as"]) % {"pseudonym": p.pseudonym}
    lines, totals = selectors.my_ledger(actor)
    consenting = bool(may_flow(survivor, ConsentPurpose.ENGAGEMENT))
    return render(request, "portal/engagement.html", portal_views._context(
        request, e=texts.ENGAGEMENT_UI, kinds=texts.ENGAGEMENT_KINDS, mine=mine,
        lines=lines, totals=totals, consenting=consenting,
        explanation=texts.CONSENT_EXPLANATIONS["engagement"], always=texts.CONSENT_ALWAYS,
        is_child=survivor.is_child() is not False, notice=notice, error=error), status=status)


@portal_views.portal_page()
def portal_engagement(request):
    notice = {"joined": texts.ENGAGEMENT_UI["joined_now"],
              "declined": texts.ENGAGEMENT_UI["declined_now"],
              "left": texts.ENGAGEMENT_UI["left_now"],
              "stopped": texts.ENGAGEMENT_UI["stopped_now"]}.get(request.GET.get("saved", ""))
    return _portal_page(request, notice=notice)


@require_POST
@portal_views.portal_page()
def portal_engagement_answer(request):
    """Join, decline, or leave one activity: the survivor's own choice."""
    actor = request.portal_actor
    p = selectors.participation_for(actor, request.POST.get("participation", ""))
    choice = request.POST.get("choice", "")
    try:
        if choice in ("join", "decline"):
            actions.answer(actor, p, accept=choice == "join",
                           tell_own_story=request.POST.get("tell_story") == "on",
                           use_own_name=request.POST.get("own_name") == "on")
            saved = "joined" if choice == "join" else "declined"
        elif choice == "leave":
            actions.withdraw(actor, p, why="the survivor in the portal")
            saved = "left"
        else:
            return _portal_page(request, error=texts.UI["error_generic"], status=422)
    except (Conflict, Forbidden):
        return _portal_page(request, error=texts.UI["changed_elsewhere"], status=409)
    except DomainError:
        return _portal_page(request, error=texts.UI["error_generic"], status=422)
    return redirect(reverse("portal:engagement") + f"?saved={saved}")


@require_POST
@portal_views.portal_page()
def portal_engagement_stop(request):
    """Stop taking part altogether: the engagement consent is withdrawn and every future
    activity left. Nothing else changes."""
    actions.stop_engagement(request.portal_actor, request.portal_survivor)
    return redirect(reverse("portal:engagement") + "?saved=stopped")
