"""Caseworker pages. Thin: ask the policy, call an action, render."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape as html_escape

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.models import Exists, OuterRef
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import get_language, gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from northstar import policy
from northstar.core import ahead, audit, keyset, places
from northstar.core.errors import DomainError, Forbidden, NotFound
from northstar.core.redirects import safe_next
from northstar.survivors import actions
from northstar.survivors import selectors as survivor_selectors
from northstar.survivors.models import Case as SurvivorCase
from northstar.ui import panels
from northstar.ui.paging import query_without
from northstar.web import casework, mine, selectors
from northstar.web.forms import (
    CaseForm,
    CaseloadFilterForm,
    ConsentForm,
    SurvivorForm,
    WithdrawForm,
)


def _apply_error(form, exc: DomainError) -> None:
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)


#: Rows of the caseload table per page.
CASELOAD_PAGE = 25
#: The most urgent alerts the "Needs attention" filters narrow the table to.
ATTENTION_ALERTS = 200


@never_cache
@login_required
@audit.reads_written_together()
def caseload(request):
    """Survivors of the organisation, newest first, filterable and paged by cursor.

    The table is read in the order of the ``survivor_org_live_recent`` index, one page
    at a time ("next page" carries a cursor, not an offset) with a count that stops at
    ``NORTHSTAR_LIST_COUNT_CAP`` ("1,000+"): its cost does not grow with the organisation.
    "My cases" alone (a caseworker's default) is read from the two "mine" indexes
    instead (``web.mine``); with other filters it is a condition on the survivors. The
    most urgent overdue survivors (one page of them at most, looked up by reference from
    the alerts) lead the first page; the alerts narrow the table only when the "Needs
    attention" filter is chosen. A role with no records here lands where it has something
    (``policy.landing_page``). Its audited reads (the overdue claims behind the alerts,
    the survivors listed) are written together when the page is done: one transaction,
    one commit.
    """
    actor = request.actor
    landing = policy.landing_page(actor)
    if landing is not None:
        return redirect(landing)
    organisation_id = getattr(actor.organisation, "pk", None)
    now = timezone.now()
    # The page's reads, sent together (``core.ahead``): what the last caseload of this kind
    # of reader with these filters asked, with this reader's values (the alerts compare
    # with the page's "now", ``ahead.now()``).
    with ahead.reading_ahead(
            ("caseload", organisation_id, actor.role, _caseload_shape(request)),
            organisation=organisation_id, user=getattr(actor.user, "pk", None),
            today=timezone.localdate(now), now=now):
        return _caseload_page(request, actor)


#: The caseload's query parameters whose values change which statements it makes (the
#: others, a cursor or a search's text, change only the values).
_SHAPING = frozenset({"whose", "attention", "status", "apage"})


def _caseload_shape(request) -> tuple:
    """What shapes the caseload's reads in its query: each parameter's name, and the value
    of those that choose a path or a cut (a few values each; free text is not kept)."""
    return tuple(sorted((name, request.GET.get(name)[:20] if name in _SHAPING else "")
                        for name in request.GET))


def _caseload_page(request, actor):
    mine_by_default = policy.my_cases_by_default(actor)
    form = CaseloadFilterForm(request.GET or None,
                              initial={"whose": "mine" if mine_by_default else "all"})
    # The most urgent alerts, each source cut in SQL: enough for this page of "Needs
    # attention" and a few after it, and to lead the table with a page of overdue survivors;
    # a few hundred when the table is narrowed to those needing attention.
    attention = form.data.get("attention") if form.is_bound else ""
    alert_page = panels.AlertPage(actor, request.GET.get("apage"),
                                  at_least=ATTENTION_ALERTS if attention else 2 * CASELOAD_PAGE)
    alerts = alert_page.alerts
    overdue_refs = {a.survivor_reference for a in alerts
                    if a.severity == "overdue" and a.survivor_reference}
    visible = policy.visible_survivors(actor)
    # The reader sees their organisation's live survivors alone (no referral shares one):
    # "my cases" is then read by statements written once (``web.mine``).
    own_org = policy.own_survivors_alone(visible)
    whose = form.cleaned_data.get("whose") if form.is_bound and form.is_valid() else ""
    only_mine = ((whose or ("mine" if mine_by_default else "all")) == "mine"
                 and actor.user is not None and actor.organisation is not None)
    # "My cases" and nothing else narrowing the table: read from the two "mine" indexes
    # (``web.mine``), not by asking the organisation's survivors one by one.
    from_mine_indexes = only_mine and not (form.is_bound and (
        not form.is_valid() or any(form.cleaned_data.get(name) for name in (
            "q", "nationality", "exploitation", "status", "attention"))))
    # ... and by statements written once when the reader sees their organisation's alone:
    # no queryset of survivors is built at all.
    written_once = from_mine_indexes and own_org is not None
    qs = None
    if not written_once:
        visible = visible.only("id", "reference", "nationality", "created_at", "organisation_id")
        qs = _filtered(actor, form, visible, only_mine=only_mine, alerts=alerts,
                       overdue_refs=overdue_refs, mine_listed=not from_mine_indexes)
    if from_mine_indexes:  # with the reader's unfinished intakes: one statement
        count, open_intakes = selectors.mine_and_open_intakes(actor)
    else:
        count, open_intakes = keyset.count(qs), selectors.open_intakes_started_by(actor)
    # Overdue first: the survivors of the most urgent overdue alerts (at most one page of
    # them, looked up by reference) lead the first page and are left out of the rest.
    urgent = list(dict.fromkeys(a.survivor_reference for a in alerts
                                if a.severity == "overdue" and a.survivor_reference))
    leading: list = []
    if urgent:
        if written_once:
            by_ref = {r["reference"]: _Shown(r) for r in mine.mine_by_reference(
                actor, own_org, urgent[:CASELOAD_PAGE])}
        else:
            by_ref = {s.reference: s for s in qs.filter(reference__in=urgent[:CASELOAD_PAGE])}
        leading = [by_ref[r] for r in urgent[:CASELOAD_PAGE] if r in by_ref]
        if not written_once:
            qs = qs.exclude(pk__in=[s.pk for s in leading])
    above = [s.pk for s in leading]  # left out of every page after them too
    cursor = request.GET.get("cursor")
    if cursor:
        leading = []
    size = max(1, CASELOAD_PAGE - len(leading))
    if from_mine_indexes:
        found = mine.page(actor, size=size, cursor=cursor, exclude=above)
        # The page's rows through the reader's own visibility, by primary key, in page order
        # (mine, and none of those above, by how ``mine.page`` read them: the two conditions
        # are not asked again).
        if written_once:
            by_pk = {r["id"]: _Shown(r) for r in mine.survivors_by_id(own_org, found.rows)}
        else:
            by_pk = visible.filter(pk__in=found.rows).in_bulk()
        found = keyset.Page([by_pk[pk] for pk in found.rows if pk in by_pk], found.next)
    else:
        found = keyset.page(qs, size=size, cursor=cursor)
    shown = leading + found.rows
    rows = survivor_selectors.listed(actor, shown, record_type="survivor",
                                     owners=[s.organisation_id for s in shown])
    # Every shown survivor's live cases in one query (the leading ones and the page's alike),
    # as plain rows, by a statement written once.
    cases: dict[int, list[tuple]] = {}
    for case in selectors.live_cases_of_survivors([s.pk for s in rows]):
        cases.setdefault(case[3], []).append(case)
    return render(request, "web/caseload.html", {
        "rows_html": _rows_html(_table_rows(rows, cases, overdue_refs)),
        "next_cursor": found.next,
        "count": count,
        "paged": bool(request.GET.get("cursor")),
        "form": form, "filter_fields": _filter_fields(form),
        "qs": query_without(request, "cursor"),
        "alert_page": alert_page, "alerts_html": _alerts_html(alert_page),
        "alert_qs": query_without(request, "apage"),
        "overdue_refs": overdue_refs,
        "may_record": policy.may_record(actor),
        "open_intakes": open_intakes,
    })


def _filtered(actor, form: CaseloadFilterForm, visible, *, only_mine: bool, alerts,
              overdue_refs: set[str], mine_listed: bool = False):
    """The caseload's survivors as the filter narrows them, newest first. ``mine_listed``:
    "my cases" is narrowed by other filters (this queryset lists the page and counts it),
    so a reader with few survivors of their own has them named (``mine.few_ids``)."""
    qs = visible
    if only_mine:
        # Survivors with a live case of mine, and those I recorded who have no case yet:
        # named when they are few (each probed by primary key, the filters checked on it),
        # else asked of each survivor of the organisation in the caseload's order.
        ids = mine.few_ids(actor) if mine_listed and form.is_valid() else None
        qs = qs.filter(mine.condition(actor) if ids is None else mine.AmongFew("pk", ids))
    if form.is_valid():
        f = form.cleaned_data
        if f["q"]:
            qs = qs.filter(reference__icontains=f["q"])
        if f["nationality"]:
            qs = qs.filter(nationality=f["nationality"])
        if f["exploitation"]:
            qs = qs.filter(Exists(policy.visible_cases(actor).filter(
                survivor=OuterRef("pk"), forms_of_exploitation__has_element=f["exploitation"])))
        if f["status"]:
            qs = qs.filter(Exists(SurvivorCase.objects.filter(
                archived_at__isnull=True, survivor=OuterRef("pk"), status=f["status"])))
        if f["attention"] == "overdue":
            qs = qs.filter(reference__in=overdue_refs)
        elif f["attention"] == "any":
            qs = qs.filter(reference__in={a.survivor_reference for a in alerts
                                          if a.survivor_reference})
    elif form.is_bound:
        qs = qs.none()  # a filter that does not parse shows its error, not everyone
    return qs.order_by("-created_at", "-id")


#: The caseload filter's fields as rendered, by language and the values they show (see
#: ``_filter_fields``).
_FILTER_FIELDS: dict[tuple, str] = {}
#: At most this many kept (languages × the choice fields' combinations is a few thousand).
FILTER_FIELDS_KEPT = 4096


def _filter_fields(form: CaseloadFilterForm):
    """The filter form's fields as HTML, rendered through Django's widget templates only the
    first time a process shows them in a language with these values: the same text every
    time (no token, no per-reader value), and rendering six fields' widgets was a fifth of
    the page's template time. Kept only when nothing typed is shown (the form unbound, or
    bound and valid with the two free-text fields empty) and nothing is wrong; anything
    else is rendered each time."""
    key = None
    if not form.is_bound:
        key = (get_language(), False, form.initial.get("whose"))
    elif form.is_valid() and not form.data.get("q") and not form.data.get("nationality"):
        key = (get_language(), True, *(form.data.get(name) for name in form.fields))
    html = _FILTER_FIELDS.get(key) if key is not None else None
    if html is None:
        html = render_to_string("web/_caseload_filter_fields.html", {"form": form})
        if key is not None:
            if len(_FILTER_FIELDS) >= FILTER_FIELDS_KEPT:
                _FILTER_FIELDS.clear()
            _FILTER_FIELDS[key] = html
    return html


class _Shown:
    """A survivor as the caseload shows it (``mine.SHOWN``), from a row read as values."""

    __slots__ = ("created_at", "nationality", "organisation_id", "pk", "reference")

    def __init__(self, row: dict):
        self.pk = row["id"]
        self.organisation_id = row["organisation_id"]
        self.reference = row["reference"]
        self.nationality = row["nationality"]
        self.created_at = row["created_at"]


@dataclass(frozen=True)
class _TableRow:
    reference: str
    url: str
    nationality: str
    overdue: bool
    cases: list[tuple[str, str, str]]  # (url, reference, status in words)
    recorded: str


def _table_rows(survivors, cases_of: dict[int, list[tuple]],
                overdue_refs: set[str]) -> list[_TableRow]:
    """The caseload table's rows as shown, worked out here rather than in the template: each
    URL from one reversal per view (``panels.url_for_each``), each country's name and case
    status's words once a page, the date in the reader's time zone (as ``|date`` does).
    The template then only prints (a ``{% url %}`` and filters per row were ~half the page's
    rendering). ``cases_of``: each survivor's live cases, rows starting (id, reference,
    status), in the order read."""
    survivor_url = panels.url_for_each("survivor")
    case_url = panels.url_for_each("case")
    language = get_language()
    countries: dict[str, str] = {}
    statuses: dict[str, str] = {}
    out = []
    for s in survivors:
        code = s.nationality or ""
        if code not in countries:
            countries[code] = places.country_name(code, language)
        cases = []
        for pk, reference, status, *_rest in cases_of.get(s.pk, ()):
            if status not in statuses:
                statuses[status] = SurvivorCase(status=status).get_status_display()
            cases.append((case_url(pk), reference, statuses[status]))
        out.append(_TableRow(
            reference=s.reference, url=survivor_url(s.pk), nationality=countries[code],
            overdue=s.reference in overdue_refs, cases=cases,
            recorded=timezone.localtime(s.created_at).date().isoformat()
            if s.created_at else ""))
    return out


def _escape(value) -> str:
    """``django.utils.html.escape(value)`` as text: the same characters, without Django's
    lazy wrapper and ``SafeString`` around each call (~3 µs against ~0.4 µs a value on this
    machine; the caseload escapes ~250 values a view)."""
    return html_escape(str(value))


def _escaped(value) -> str:
    """``conditional_escape(value)`` as text, likewise (a value marked safe kept as is)."""
    if isinstance(value, Promise):
        value = str(value)
    if hasattr(value, "__html__"):
        return value.__html__()
    return html_escape(str(value))


def _rows_html(rows: list[_TableRow]) -> SafeString:
    """The table's rows as the caseload template printed them (each value escaped as
    ``{{ }}`` escapes it, the same spaces and line breaks), written here in one pass: the
    template engine's loops, conditions and lookups over 25 rows and their cases were over
    half of the page's rendering. Empty when there are no rows (the template says so)."""
    overdue = f' <strong class="tag bad">{_escape(gettext("overdue"))}</strong>'
    overdue_row = ' class="overdue"'
    out = []
    for row in rows:
        cases = ", ".join(f'<a href="{_escape(url)}">{_escape(reference)}</a> '
                          f'<small>{_escape(status)}</small>'
                          for url, reference, status in row.cases) or "—"
        out.append(
            f'\n  <tr{overdue_row if row.overdue else ""}><td><a href="{_escape(row.url)}">'
            f'{_escape(row.reference)}</a>{overdue if row.overdue else ""}</td>'
            f'<td>{_escape(row.nationality or "—")}</td>\n  <td>{cases}</td>'
            f'<td>{_escape(row.recorded)}</td></tr>\n  ')
    return mark_safe("".join(out))  # noqa: S308 (every value escaped above)


def _alerts_html(alerts) -> SafeString:
    """The page's alerts as the caseload template's loop printed them (each value escaped as
    ``{{ }}`` escapes it, the dates through ``|date``'s own formatting, the same spaces and
    line breaks): ten alerts' conditions and filters in the template engine were a fifth
    of the page's rendering."""
    due = _escaped(gettext("due")).replace("%%", "%")
    written: dict = {}
    out = []
    for alert in alerts:
        severity = _escaped(alert.severity)
        title = _escaped(alert.title)
        shown = f'<a href="{_escaped(alert.url)}">{title}</a>' if alert.url else title
        reference = (f"· {_escaped(alert.survivor_reference)}"
                     if alert.survivor_reference else "")
        when = ""
        if alert.due:
            day = template_localtime(alert.due)
            when = written.get(day)
            if when is None:  # several alerts fall due the same day: written once a view
                when = written[day] = (
                    f'<span class="due">{due} <time datetime="'
                    f'{_escaped(formats.date_format(day, "Y-m-d"))}">'
                    f'{_escaped(formats.date_format(day, "j M Y"))}</time></span>')
        out.append(f'\n    <li class="alert {severity}"><span class="tag">{severity}</span>'
                   f'\n      {shown}\n      {reference}\n      {when}</li>\n  ')
    return mark_safe("".join(out))  # noqa: S308 (every value escaped above)


@never_cache
@login_required
def survivor_new(request):
    actor = request.actor
    if not policy.may_record(actor):
        raise NotFound()
    form = SurvivorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            survivor = actions.create_survivor(actor, data=form.data_for_action())
        except DomainError as exc:
            _apply_error(form, exc)
        else:
            return redirect("survivor", survivor_id=survivor.pk)
    return render(request, "web/survivor_form.html", {"form": form},
                  status=422 if request.method == "POST" else 200)


@never_cache
@login_required
@audit.reads_written_together()
def survivor_detail(request, survivor_id: int):
    actor = request.actor
    survivor = policy.survivor_for(actor, survivor_id)
    fields = policy.survivor_fields(actor, survivor)
    full = fields is policy.ALL_FIELDS
    personal = None
    if request.GET.get("personal") == "1" or not full:
        personal = actions.reveal_personal_data(actor, survivor, fields=fields)
    else:
        survivor_selectors.survivor_seen(actor, survivor)
    context = {
        "survivor": survivor, "full": full, "personal": personal,
        "shared_fields": sorted(fields) if not full else None,
        "cases": panels.once_per_request(request, ("cases_of_survivor", survivor.pk),
                                         lambda: policy.cases_of_survivor(actor, survivor))
        if full else [],
        "consents": policy.consents_of_survivor(actor, survivor) if full else [],
        "panels": panels.render_panels(panels.survivor_panels(recipient=not full), request,
                                       survivor),
        "open_intake": selectors.open_intake_of_survivor(actor, survivor) if full else None,
        "may_edit": full and policy.may_edit_records(actor)
        and policy.may_change_survivor(actor, survivor),
        "may_archive": full and policy.may_archive(actor),
    }
    return render(request, "web/survivor_detail.html", context)


@never_cache
@login_required
def case_new(request, survivor_id: int):
    actor = request.actor
    survivor = policy.survivor_for(actor, survivor_id)
    if policy.survivor_fields(actor, survivor) is not policy.ALL_FIELDS:
        raise NotFound()
    form = CaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            case = actions.create_case(actor, survivor, data=form.data_for_action())
        except DomainError as exc:
            _apply_error(form, exc)
        else:
            return redirect("case", case_id=case.pk)
    return render(request, "web/case_form.html", {"form": form, "survivor": survivor},
                  status=422 if request.method == "POST" else 200)


@never_cache
@login_required
@audit.reads_written_together()
def case_detail(request, case_id: int):
    """The case at a glance: facts, consent, next tasks and every registered panel."""
    actor = request.actor
    case = policy.case_for(actor, case_id)
    organisation_id = getattr(actor.organisation, "pk", None)
    # The panels' reads, sent together (``core.ahead``): what the last case page of this
    # kind of reader asked, with this case's values.
    with ahead.reading_ahead(
            ("case page", organisation_id, actor.role, case.organisation_id == organisation_id),
            case=case.pk, survivor=case.survivor_id, organisation=organisation_id,
            user=getattr(actor.user, "pk", None), today=timezone.localdate()):
        return _case_page(request, actor, case)


def _case_page(request, actor, case):
    survivor = case.survivor
    if request.GET.get("summary") == "1":
        summary = actions.reveal_case_summary(actor, case)
    else:
        summary = None
        survivor_selectors.case_seen(actor, case)
    rendered = panels.render_panels(panels.case_panels(), request, case)
    consents = policy.consents_of_survivor(actor, survivor)
    tasks = panels.alerts_for(actor, survivor=survivor)
    intake = selectors.open_intake_of_case(actor, case)
    return render(request, "web/case_detail.html", {
        "case": case, "survivor": survivor, "summary": summary,
        "top_panels": [p for p in rendered if p["area"] == "top"],
        "grid_panels": [p for p in rendered if p["area"] == "grid"],
        "detail_panels": [p for p in rendered if p["area"] == "detail"],
        "active_consents": [c for c in consents if c.is_active()],
        "withdrawn_consents": [c for c in consents if c.withdrawn_at],
        "tasks": tasks[:10], "more_tasks": max(0, len(tasks) - 10),
        "open_intake": intake,
        "casework": casework.case_panel_context(request, case),
    })


@require_POST
def set_language(request):
    """The interface language, chosen by the person (kept in Django's language cookie)."""
    code = request.POST.get("language", "")
    target = safe_next(request, "/")
    if code not in dict(settings.LANGUAGES):
        return HttpResponseBadRequest("language: not one of the interface languages")
    response = redirect(target)
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, code, max_age=365 * 24 * 3600,
                        samesite="Lax", secure=request.is_secure(), httponly=True)
    return response


@never_cache
@login_required
def consent_new(request, survivor_id: int):
    actor = request.actor
    survivor = policy.survivor_for(actor, survivor_id)
    if policy.survivor_fields(actor, survivor) is not policy.ALL_FIELDS:
        raise NotFound()
    form = ConsentForm(request.POST or None,
                       initial={"language": survivor.preferred_language})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.record_consent(
                actor, survivor, purpose=data["purpose"], recipient=data["recipient"],
                language=data["language"], interpreter_used=data["interpreter_used"],
                method=data["method"], given_by=data["given_by"], scope_note=data["scope_note"],
                guardian_relationship=data["guardian_relationship"],
                guardian_name=data["guardian_name"],
            )
        except DomainError as exc:
            _apply_error(form, exc)
        else:
            return redirect("survivor", survivor_id=survivor.pk)
    return render(request, "web/consent_form.html", {"form": form, "survivor": survivor},
                  status=422 if request.method == "POST" else 200)


@login_required
@require_POST
def consent_withdraw(request, consent_id: int):
    actor = request.actor
    consent = policy.consent_for(actor, consent_id)
    policy.survivor_for(actor, consent.survivor_id, change=True)
    form = WithdrawForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        actions.withdraw_consent(actor, consent, reason=reason)
    except DomainError:
        pass  # already withdrawn: the page shows it
    return redirect("survivor", survivor_id=consent.survivor_id)


#: Advocacy participants per page of the council coordinator's page.
ADVOCACY_PAGE = 50


@never_cache
@login_required
def advocacy(request):
    """The council coordinator's page: who chose to take part in advocacy, by reference only.

    A page at a time in reference order, with a capped count: an organisation of 100,000
    survivors had 13,336 participants, every one rendered and named in one audit
    entry. Only the columns shown (and the owner the audit entry is stamped with) are read,
    and only the page shown is audited."""
    actor = request.actor
    if not policy.coordinates_advocacy(actor):
        raise Forbidden("Only the advisory council's coordinator sees this page.")
    participants = policy.advocacy_participants(actor).only(
        "id", "reference", "advocacy_visibility", "languages", "organisation",
    ).order_by("reference")
    cursor = request.GET.get("cursor") or None
    count = keyset.count(participants)
    page = keyset.page(participants, size=ADVOCACY_PAGE, cursor=cursor)
    survivor_selectors.advocacy_participants_seen(actor, page.rows)
    return render(request, "web/advocacy.html", {
        "participants": page.rows, "count": count, "next_cursor": page.next,
        "paged": bool(cursor)})
