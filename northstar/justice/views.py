"""Timeline pages: a case's justice chain with a form to record an event, and my tasks.

The form works without JavaScript: one fieldset per kind of event; only the
fieldset of the chosen kind is read.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from northstar import policy
from northstar.core.errors import DomainError, NotFound
from northstar.justice import actions, selectors, timeline
from northstar.justice.models import TimelineEvent


def _case(actor, case_id, *, change=False):
    try:
        return policy.case_for(actor, case_id, change=change)
    except NotFound as exc:
        raise Http404(exc.message) from None


def _kind_fieldsets() -> list[dict]:
    return [
        {"kind": kind, "label": spec["label"],
         "fields": [{"name": name, "input": f"{kind}.{name}", "type": typ, "required": req,
                     "choices": choices, "label": name.replace("_", " ").capitalize()}
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


@login_required
def case_timeline(request, case_id: int):
    actor = request.actor
    if actor.survivor_id is not None:
        raise Http404()
    case = _case(actor, case_id)
    may_change = policy.changeable_survivors(actor).filter(pk=case.survivor_id).exists()
    error, posted = None, {}
    if request.method == "POST":
        if not may_change:
            raise Http404()
        case = _case(actor, case_id, change=True)
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
    events = list(selectors.events_for(case, include_void=True))
    notes = actions.reveal_notes(actor, case, events) if request.GET.get("notes") == "1" else None
    actions.note_timeline_read(actor, case, events)
    info = selectors.summary(case)
    return render(request, "justice/timeline.html", {
        "case": case, "events": events, "notes": notes, "info": info,
        "stages": timeline.STAGES, "kinds": _kind_fieldsets(), "may_change": may_change,
        "error": error, "posted": posted, "today": timezone.localdate().isoformat(),
    }, status=422 if error else 200)


@login_required
def void(request, case_id: int, event_id: int):
    actor = request.actor
    if request.method != "POST":
        raise Http404()
    case = _case(actor, case_id, change=True)
    if not policy.changeable_survivors(actor).filter(pk=case.survivor_id).exists():
        raise Http404()
    event = TimelineEvent.objects.filter(case=case, pk=event_id).first()
    if event is None:
        raise Http404()
    try:
        actions.void_event(actor, event, reason=request.POST.get("reason", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("justice:timeline", case_id=case.pk)


@login_required
def my_tasks(request):
    actor = request.actor
    if actor.survivor_id is not None:
        raise Http404()
    rows = selectors.tasks_for(actor)
    actions.note_tasks_read(actor, rows)
    return render(request, "justice/tasks.html", {"rows": rows})
