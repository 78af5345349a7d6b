"""Timeline pages: a case's justice chain with a form to record an event, and my tasks.

The form works without JavaScript and shows only what the chosen kind of event needs:
first the kind is chosen (a GET form, ``?kind=hearing``), then the page shows that kind's
fields alone. Errors are shown as sentences naming the field in words.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from northstar import policy
from northstar.core import keyset
from northstar.core.errors import DomainError, NotFound
from northstar.core.redirects import safe_next
from northstar.justice import actions, selectors, tasks, timeline
from northstar.justice.forms import TaskForm
from northstar.survivors import actions as survivor_actions
from northstar.ui.paging import query_without


def _case(actor, case_id, *, change: bool = False):
    """The case, for staff who work with records only (a survivor has the portal);
    changing it needs a survivor record the actor may change (403 when shared read-only)."""
    if not policy.works_with_records(actor):
        raise NotFound("No such case")
    case = policy.case_for(actor, case_id)
    if change:
        policy.survivor_for(actor, case.survivor_id, change=True)
    return case


def _kind_fieldsets() -> list[dict]:
    return [
        {"kind": kind, "label": _(spec["label"]),
         "fields": [{"name": name, "input": f"{kind}.{name}", "type": typ, "required": req,
                     "choices": [(c, c.replace("_", " ").capitalize()) for c in choices or ()],
                     "label": name.replace("_", " ").capitalize()}
                    for name, (typ, req, choices) in spec["fields"].items()]}
        for kind, spec in timeline.EVENT_KINDS.items()
    ]


def details_from_post(kind: str, post) -> dict:
    """The chosen kind's fields from the form; yes/no selects become booleans."""
    spec = timeline.EVENT_KINDS.get(kind, {"fields": {}})["fields"]
    out = {}
    for name, (typ, _req, _choices) in spec.items():
        raw = (post.get(f"{kind}.{name}") or "").strip()
        if raw == "":
            continue
        if typ == "bool":
            out[name] = {"yes": True, "no": False}.get(raw, raw)
        else:
            out[name] = raw
    return out


def error_sentence(exc: DomainError) -> str:
    """``details.interviewer: required for a interview event`` → "Enter the interviewer." """
    field = (exc.field or "").split(".", 1)[-1]
    words = field.replace("_", " ")
    message = str(exc.message).strip()
    if field and message.startswith("required"):
        return _("Enter the %(field)s.") % {"field": words}
    if field == "kind":
        return _("Choose what happened.")
    if field:
        return f"{words.capitalize()}: {message.rstrip('.')}."
    return message


@login_required
def case_timeline(request, case_id: int):
    actor = request.actor
    case = _case(actor, case_id, change=request.method == "POST")
    may_change = policy.changeable_survivors(actor).filter(pk=case.survivor_id).exists()
    error, posted = None, {}
    if request.method == "POST":
        posted = request.POST
        kind = posted.get("kind", "")
        try:
            try:
                occurred_on = dt.date.fromisoformat(posted.get("occurred_on", ""))
            except ValueError:
                raise DomainError(_("must be a date (YYYY-MM-DD)"), "occurred_on") from None
            event = actions.record_event(
                actor, case, kind=kind, occurred_on=occurred_on,
                details=details_from_post(kind, posted), stage=posted.get("stage") or None,
                note=posted.get("note", ""))
        except DomainError as exc:
            error = exc
        else:
            if event.finding_rules:
                messages.warning(request, _("Recorded. Do No Harm findings raised: %(rules)s") % {
                    "rules": ", ".join(event.finding_rules)})
            else:
                messages.success(request, _("Recorded."))
            return redirect("justice:timeline", case_id=case.pk)
    events = selectors.timeline_of(actor, case, include_void=True)
    opening = request.GET.get("notes") == "1"
    notes = selectors.notes_of(actor, case, events) if opening else None
    void_reasons = selectors.void_reasons_of(actor, case, events) if opening else {}
    info = selectors.summary(case)
    kinds = _kind_fieldsets()
    chosen_kind = posted.get("kind") or request.GET.get("kind") or ""
    chosen = next((k for k in kinds if k["kind"] == chosen_kind), None)
    return render(request, "justice/timeline.html", {
        "case": case, "events": events, "notes": notes, "void_reasons": void_reasons, "info": info,
        "stages": {k: _(v) for k, v in timeline.STAGES.items()}, "kinds": kinds,
        "chosen": chosen, "may_change": may_change,
        "error": error, "error_text": error_sentence(error) if error else "",
        "posted": posted, "today": timezone.localdate().isoformat(),
        "status_changes": survivor_actions.status_history(actor, case),
    }, status=422 if error else 200)


@login_required
def void(request, case_id: int, event_id: int):
    actor = request.actor
    if request.method != "POST":
        raise NotFound()
    case = _case(actor, case_id, change=True)
    event = selectors.event_for(actor, case, event_id)
    try:
        actions.void_event(actor, event, reason=request.POST.get("reason", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("justice:timeline", case_id=case.pk)


TASKS_PER_PAGE = 50
MINE_PER_PAGE = 25


@never_cache
@login_required
def my_tasks(request):
    """The tasks set for me (paged), beside the timeline tasks of the cases I see."""
    actor = request.actor
    if not policy.works_with_records(actor):
        raise NotFound()
    try:
        page = max(1, int(request.GET.get("tpage", "1")))
    except ValueError:
        page = 1
    page = min(page, 10_000)
    size = TASKS_PER_PAGE
    # One row more than the page tells whether there is a next page, without a count.
    rows = selectors.tasks_read(actor, limit=size + 1, offset=(page - 1) * size)
    # The tasks set for me, 25 a page by cursor in their order (``casetask_mine_order``):
    # no count (it was an exact one, "Page 1 of 134", reading every open task of mine with
    # its case: 43 ms at 100,000 survivors, and the page sorted them all: 70 ms; issue 13).
    cursor = request.GET.get("cursor") or None
    found = keyset.page(tasks.my_open_tasks(actor), size=MINE_PER_PAGE, cursor=cursor)
    mine = tasks.shown(actor, found.rows, note="my tasks")
    return render(request, "justice/tasks.html", {
        "rows": rows[:size], "page": page, "has_next": len(rows) > size,
        "previous": page - 1 if page > 1 else None,
        "mine": mine, "mine_next": found.next, "mine_paged": bool(cursor),
        "today": timezone.localdate(), "qs": query_without(request, "cursor", "page")})



@never_cache
@login_required
def overdue_tasks(request):
    """Every overdue task in the organisation, both kinds, for a supervisor: paged."""
    actor = request.actor
    if not policy.sees_overdue_tasks_of_organisation(actor):
        raise NotFound()
    # 50 a page by cursor, both kinds merged in one order, with a capped count ("1,000+"):
    # it was the whole list built in Python and counted exactly (issue 13, h-smallreads).
    cursor = request.GET.get("cursor") or None
    found = tasks.overdue_page(actor, cursor=cursor)
    return render(request, "justice/overdue.html", {
        "rows": tasks.overdue_page_read(actor, found.rows), "count": found.count,
        "next": found.next, "paged": bool(cursor), "qs": query_without(request, "cursor")})


@login_required
@require_POST
def task_add(request, case_id: int):
    actor = request.actor
    case = _case(actor, case_id, change=True)
    if not policy.may_manage_tasks(actor):
        raise NotFound()
    form = TaskForm(request.POST, organisation=actor.organisation)
    if not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        raise DomainError(" ".join(errors), field)
    data = form.cleaned_data
    if not policy.may_assign_case_to(case.survivor.organisation, data["assignee"]):
        raise DomainError(_("Choose someone of your organisation who works with cases."),
                          "assignee")
    assignee = policy.staff_who_work_with_records(case.survivor.organisation).get(
        pk=data["assignee"])
    tasks.add_task(actor, case, title=data["title"], assignee=assignee, due_on=data["due_on"])
    messages.success(request, _("Task added."))
    return redirect("case", case_id=case.pk)


@login_required
@require_POST
def task_done(request, task_id: int):
    actor = request.actor
    if not policy.may_manage_tasks(actor):
        raise NotFound()
    task = tasks.task_for(actor, task_id)
    policy.survivor_for(actor, task.case.survivor_id, change=True)
    try:
        tasks.set_done(actor, task, done=request.POST.get("done", "1") != "0")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect(safe_next(request, reverse("case", args=[task.case_id])))
