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
from django.utils import timezone
from django.utils.translation import gettext as _

from northstar import policy
from northstar.core.errors import DomainError, NotFound
from northstar.justice import actions, selectors, timeline


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
        {"kind": kind, "label": spec["label"],
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
        "stages": timeline.STAGES, "kinds": kinds, "chosen": chosen, "may_change": may_change,
        "error": error, "error_text": error_sentence(error) if error else "",
        "posted": posted, "today": timezone.localdate().isoformat(),
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


@login_required
def my_tasks(request):
    actor = request.actor
    if not policy.works_with_records(actor):
        raise NotFound()
    rows = selectors.tasks_read(actor)
    return render(request, "justice/tasks.html", {"rows": rows})
