"""Running a caseload (issue 14): correct a survivor's or a case's facts, close and reopen a
case, archive a record made by mistake, assign a case, transfer it to another organisation.

Thin like every page: ask the policy, call an action, render. Every GET that names a
record writes an audited read (``survivor_seen``/``case_seen`` or the opening of sealed
fields); every POST goes through an audited action. All of it works without JavaScript.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from northstar import policy
from northstar.core.errors import Conflict, DomainError, Forbidden, NotFound
from northstar.core.models import Organisation
from northstar.core.prepared import Prepared
from northstar.justice import tasks as case_tasks
from northstar.survivors import actions
from northstar.survivors import selectors as survivor_selectors
from northstar.survivors.models import (
    ArchiveReason,
    CaseStatus,
    CloseReason,
    ReopenReason,
    Survivor,
    Transfer,
    TransferStatus,
)
from northstar.ui import panels
from northstar.web.forms import CaseForm, SurvivorForm

# --- Forms ------------------------------------------------------------------------


class SurvivorEditForm(SurvivorForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class CaseEditForm(CaseForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class ReasonForm(forms.Form):
    """A reason from a list, and words (sealed) when the list has none that fits."""

    reason = forms.ChoiceField(label=gettext_lazy("Reason"), widget=forms.RadioSelect)
    note = forms.CharField(label=gettext_lazy("In a few words (needed for “another reason”)"),
                           max_length=500, required=False,
                           widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=gettext_lazy("Sealed like personal data; the opening of "
                                                  "it is logged."))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, reasons, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].choices = reasons.choices


class AssignForm(forms.Form):
    caseworker = forms.TypedChoiceField(label=gettext_lazy("Responsible caseworker"), coerce=int)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, organisation, staff_choices=None, **kwargs):
        """``staff_choices``: the organisation's staff as choices when already read
        (``ui.panels.staff_choices``), else read here."""
        super().__init__(*args, **kwargs)
        if staff_choices is None:
            staff = policy.staff_who_work_with_records(organisation).order_by("username")
            staff_choices = [(u.pk, u.get_full_name() or u.get_username()) for u in staff]
        self.fields["caseworker"].choices = list(staff_choices)


class TransferForm(forms.Form):
    to_organisation = forms.TypedChoiceField(
        label=gettext_lazy("Organisation that takes over"), coerce=int)
    reason = forms.CharField(label=gettext_lazy("Why (for the receiving organisation)"),
                             max_length=1000, required=False,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=gettext_lazy("Sealed like personal data."))

    def __init__(self, *args, own, **kwargs):
        super().__init__(*args, **kwargs)
        orgs = Organisation.objects.filter(on_platform=True).exclude(pk=own.pk).order_by("name")
        self.fields["to_organisation"].choices = [(o.pk, o.name) for o in orgs]


class DeclineForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Why you cannot take it"), max_length=1000,
                             widget=forms.Textarea(attrs={"rows": 3}))


class AcceptForm(forms.Form):
    caseworker = forms.TypedChoiceField(label=gettext_lazy("Who will be responsible"),
                                        coerce=int)

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        staff = policy.staff_who_work_with_records(organisation).order_by("username")
        self.fields["caseworker"].choices = [
            (u.pk, u.get_full_name() or u.get_username()) for u in staff]


# --- Helpers ----------------------------------------------------------------------


def _apply_error(form, exc: DomainError) -> None:
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)


def _shown(form, name: str, value) -> str:
    """A value as people read it: choice labels, not codes; "—" for nothing."""
    field = form.fields.get(name)
    labels = {str(k): str(v) for k, v in (getattr(field, "choices", None) or [])}
    if isinstance(value, list | tuple):
        return ", ".join(labels.get(str(v), str(v)) for v in value) or "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if value in (None, ""):
        return "—"
    if isinstance(value, dt.date):
        return value.isoformat()
    return labels.get(str(value), str(value))


def _differs(current, new) -> bool:
    def norm(v):
        if v is None:
            return ""
        if isinstance(v, dt.date):
            return v.isoformat()
        if isinstance(v, list | tuple):
            return sorted(str(x) for x in v)
        return v if isinstance(v, bool | int) else str(v)
    return norm(current) != norm(new)


def _label(form, name: str) -> str:
    field = form.fields.get(name)
    if field is not None and field.label:
        return str(field.label)
    return name.replace("_", " ").capitalize()


def _stale_list(form, changed: list[str], current: dict, yours: dict) -> list[dict]:
    """Field by field: what someone else saved against what this user typed."""
    return [{"label": _label(form, name), "theirs": _shown(form, name, current.get(name)),
             "yours": _shown(form, name, yours.get(name, current.get(name)))}
            for name in changed if name in form.fields and name != "version"]


def _rebound(form_class, request, version: int, **kwargs):
    """The form as the user typed it, with the version they now have seen."""
    data = request.POST.copy()
    data["version"] = str(version)
    return form_class(data, **kwargs)


# --- Correct a survivor's facts -----------------------------------------------------

SURVIVOR_CLEAR = ("birth_year", "sex", "gender", "nationality", "languages",
                  "preferred_language", "interpreter_needed", "family_involved")


def _survivor_values(actor, survivor: Survivor) -> dict:
    """Every value the survivor form edits, the sealed ones opened (an audited read)."""
    values = {name: getattr(survivor, name) for name in SURVIVOR_CLEAR}
    values.update(actions.reveal_personal_data(actor, survivor))
    return values


def _survivor_initial(values: dict) -> dict:
    initial = dict(values)
    initial["languages"] = ", ".join(values.get("languages") or [])
    return initial


def _correct(request, form_class, record, *, values, update, reload, initial):
    """The one flow of both correction pages: save only what changed; on a stale version
    answer 409 with what the other person changed, keeping what this person typed.

    Returns ``(form, stale, status, saved)``; ``values(record)`` reads the record's current
    values (revealing sealed ones through the audited path), ``reload()`` reads it again."""
    if request.method != "POST":
        return form_class(initial={**initial(values(record)), "version": record.version}), \
            None, 200, False
    form = form_class(request.POST)
    if not form.is_valid():
        return form, None, 422, False
    data = form.data_for_action()
    version = data.pop("version")
    current = values(record)
    changes = {k: v for k, v in data.items() if _differs(current.get(k), v)}
    try:
        if changes:
            update(record, version=version, changes=changes)
    except Conflict as exc:
        if exc.field != "version":
            raise
        record = reload()
        stale = _stale_list(form, exc.extra.get("changed_fields") or [], values(record), data)
        return _rebound(form_class, request, record.version), stale, 409, False
    except DomainError as exc:
        _apply_error(form, exc)
        return form, None, 422, False
    return form, None, 200, True


@never_cache
@login_required
def survivor_edit(request, survivor_id: int):
    actor = request.actor
    survivor = policy.survivor_for(actor, survivor_id, change=True)
    if not policy.may_edit_records(actor):
        raise NotFound()
    form, stale, status, saved = _correct(
        request, SurvivorEditForm, survivor,
        values=lambda record: _survivor_values(actor, record),
        update=lambda record, **kw: actions.update_survivor(actor, record, **kw),
        reload=lambda: policy.survivor_for(actor, survivor_id, change=True),
        initial=_survivor_initial)
    if saved:
        return redirect("survivor", survivor_id=survivor.pk)
    return render(request, "web/survivor_edit.html",
                  {"form": form, "survivor": survivor, "stale": stale}, status=status)


# --- Correct a case's facts --------------------------------------------------------

CASE_FIELDS = tuple(name for name in CaseForm.base_fields if name != "summary")


def _case_values(actor, case) -> dict:
    values = {name: getattr(case, name) for name in CASE_FIELDS}
    values["summary"] = actions.reveal_case_summary(actor, case)
    return values


def _case(actor, case_id, *, change: bool = True):
    if not policy.works_with_records(actor):
        raise NotFound("No such case")
    case = policy.case_for(actor, case_id, change=change)
    if change:
        policy.survivor_for(actor, case.survivor_id, change=True)
    return case


@never_cache
@login_required
def case_edit(request, case_id: int):
    actor = request.actor
    case = _case(actor, case_id)
    if not policy.may_edit_records(actor):
        raise NotFound()
    form, stale, status, saved = _correct(
        request, CaseEditForm, case,
        values=lambda record: _case_values(actor, record),
        update=lambda record, **kw: actions.update_case(actor, record, **kw),
        reload=lambda: _case(actor, case_id),
        initial=dict)
    if saved:
        return redirect("case", case_id=case.pk)
    return render(request, "web/case_edit.html",
                  {"form": form, "case": case, "survivor": case.survivor, "stale": stale},
                  status=status)


# --- Close, reopen, archive -------------------------------------------------------


def _reason_page(request, *, case, reasons, title: str, action, template_extra: dict,
                 done_url: str, version: int | None, allowed: bool, not_allowed: str):
    form = ReasonForm(request.POST or None, reasons=reasons,
                      initial={"version": version})
    status = 200
    if request.method == "POST":
        if not allowed:
            raise Conflict(not_allowed, "status")
        status = 422
        if form.is_valid():
            try:
                action(form.cleaned_data)
            except DomainError as exc:
                if isinstance(exc, Conflict) and exc.field == "version":
                    form.add_error(None, _("Someone else changed this case while you were "
                                           "deciding: check it again before you go on."))
                    status = 409
                else:
                    _apply_error(form, exc)
                    status = exc.status
            else:
                return redirect(done_url)
        elif form.has_error("version"):
            form.add_error(None, _("This form is out of date: reload the page and try again."))
    return render(request, "web/case_reason.html", {
        "form": form, "case": case, "survivor": case.survivor if case else None,
        "title": title, "allowed": allowed, "not_allowed": not_allowed, **template_extra,
    }, status=status)


@never_cache
@login_required
def case_close(request, case_id: int):
    actor = request.actor
    case = _case(actor, case_id)
    if not policy.may_close_case(actor):
        raise NotFound()
    survivor_selectors.case_seen(actor, case)
    return _reason_page(
        request, case=case, reasons=CloseReason, title=_("Close this case"),
        action=lambda d: actions.close_case(actor, case, version=d["version"] or case.version,
                                            reason=d["reason"], note=d["note"]),
        template_extra={"button": _("Close the case")}, done_url=f"/cases/{case.pk}/",
        version=case.version, allowed=case.status != CaseStatus.CLOSED,
        not_allowed=_("This case is already closed."))


@never_cache
@login_required
def case_reopen(request, case_id: int):
    actor = request.actor
    case = _case(actor, case_id)
    if not policy.may_close_case(actor):
        raise NotFound()
    survivor_selectors.case_seen(actor, case)
    return _reason_page(
        request, case=case, reasons=ReopenReason, title=_("Reopen this case"),
        action=lambda d: actions.reopen_case(actor, case, version=d["version"] or case.version,
                                             reason=d["reason"], note=d["note"]),
        template_extra={"button": _("Reopen the case")}, done_url=f"/cases/{case.pk}/",
        version=case.version, allowed=case.status == CaseStatus.CLOSED,
        not_allowed=_("This case is not closed, so it cannot be reopened."))


@never_cache
@login_required
def case_archive(request, case_id: int):
    actor = request.actor
    case = _case(actor, case_id)
    if not policy.may_archive(actor):
        raise Forbidden(_("Only a supervisor archives a case created by mistake."))
    survivor_selectors.case_seen(actor, case)
    return _reason_page(
        request, case=case, reasons=ArchiveReason, title=_("Archive a case created by mistake"),
        action=lambda d: actions.archive_case(actor, case, reason=d["reason"], note=d["note"]),
        template_extra={"button": _("Archive the case"), "archiving": True},
        done_url=f"/survivors/{case.survivor_id}/", version=None, allowed=True, not_allowed="")


@never_cache
@login_required
def survivor_archive(request, survivor_id: int):
    actor = request.actor
    survivor = policy.survivor_for(actor, survivor_id, change=True)
    if not policy.may_archive(actor):
        raise Forbidden(_("Only a supervisor archives a survivor record created by mistake."))
    survivor_selectors.survivor_seen(actor, survivor)
    form = ReasonForm(request.POST or None, reasons=ArchiveReason)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                actions.archive_survivor(actor, survivor, reason=form.cleaned_data["reason"],
                                         note=form.cleaned_data["note"])
            except DomainError as exc:
                _apply_error(form, exc)
            else:
                return redirect("caseload")
        status = 422
    return render(request, "web/case_reason.html", {
        "form": form, "case": None, "survivor": survivor, "archiving": True,
        "title": _("Archive a survivor record created by mistake"),
        "button": _("Archive the record"), "allowed": True}, status=status)


# --- Assignment -------------------------------------------------------------------


@login_required
@require_POST
def case_assign(request, case_id: int):
    actor = request.actor
    case = _case(actor, case_id)
    if not policy.may_assign_cases(actor):
        raise NotFound()
    form = AssignForm(request.POST, organisation=actor.organisation)
    if not form.is_valid():
        raise DomainError(_("Choose a caseworker of your organisation."), "caseworker")
    user_id = form.cleaned_data["caseworker"]
    if not policy.may_assign_case_to(case.survivor.organisation, user_id):
        raise DomainError(_("Choose an active caseworker, legal officer or supervisor of "
                            "your organisation."), "caseworker")
    caseworker = policy.staff_who_work_with_records(case.survivor.organisation).get(pk=user_id)
    try:
        case_tasks.reassign_case(actor, case, caseworker=caseworker,
                                 version=form.cleaned_data["version"])
    except Conflict as exc:
        if exc.field != "version":
            raise
        raise Conflict(_("Someone else changed this case while you were choosing; look at it "
                         "again and choose once more."), "version") from None
    return redirect("case", case_id=case.pk)


#: A case's open transfer request, if any (the case page): SQL written once per process.
_OPEN_TRANSFER_OF_CASE = Prepared(lambda case_id: Transfer.objects.filter(
    case_id=case_id, status=TransferStatus.REQUESTED.value)[:1], -7_320_000_141,
    constants=(TransferStatus.REQUESTED.value,))


def case_panel_context(request, case) -> dict:
    """What the case page shows of casework: who is responsible and who it may go to, the
    status history (sealed words opened, audited) and the actions this actor may take."""
    actor = request.actor
    own = policy.may_change_survivor(actor, case.survivor)
    return {
        "assign_form": AssignForm(initial={"caseworker": case.caseworker_id,
                                           "version": case.version},
                                  organisation=actor.organisation,
                                  staff_choices=panels.staff_choices(request))
        if own and policy.may_assign_cases(actor) else None,
        "history": actions.status_history(actor, case),
        "may_edit": own and policy.may_edit_records(actor),
        "may_close": own and policy.may_close_case(actor),
        "may_archive": own and policy.may_archive(actor),
        "may_transfer": own and policy.may_request_transfer(actor),
        "open_transfer": _OPEN_TRANSFER_OF_CASE.first(case.pk),
    }


# --- Transfer -----------------------------------------------------------------------


@never_cache
@login_required
def case_transfer(request, case_id: int):
    actor = request.actor
    case = _case(actor, case_id)
    if not policy.may_request_transfer(actor):
        raise NotFound()
    survivor_selectors.case_seen(actor, case)
    form = TransferForm(request.POST or None, own=actor.organisation)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            to = Organisation.objects.get(pk=form.cleaned_data["to_organisation"])
            try:
                if not policy.may_receive_transfers(to):
                    raise DomainError(_("That organisation has no caseworkers on the platform "
                                        "to take the case."), "to_organisation")
                transfer = actions.request_transfer(actor, case, to_organisation=to,
                                                    reason=form.cleaned_data["reason"])
            except DomainError as exc:
                _apply_error(form, exc)
            else:
                return redirect("transfer", transfer_id=transfer.pk)
        status = 422
    return render(request, "web/transfer_form.html",
                  {"form": form, "case": case, "survivor": case.survivor}, status=status)


@never_cache
@login_required
def transfer_list(request):
    actor = request.actor
    if not policy.works_with_records(actor):
        raise NotFound()
    rows = list(policy.visible_transfers(actor).select_related(
        "survivor", "case", "from_organisation", "to_organisation")[:100])
    survivor_selectors.listed(actor, rows, record_type="transfer")
    org = actor.organisation
    return render(request, "web/transfer_list.html", {
        "incoming": [t for t in rows if t.to_organisation_id == org.pk],
        "outgoing": [t for t in rows if t.from_organisation_id == org.pk],
    })


@never_cache
@login_required
def transfer_detail(request, transfer_id: int):
    actor = request.actor
    transfer = policy.transfer_for(actor, transfer_id)
    texts = actions.transfer_seen(actor, transfer, reasons=True)
    return render(request, "web/transfer_detail.html", {
        "transfer": transfer, "texts": texts,
        "may_decide": policy.may_decide_transfer(actor, transfer),
        "may_cancel": policy.may_cancel_transfer(actor, transfer),
        "accept_form": AcceptForm(organisation=actor.organisation,
                                  initial={"caseworker": actor.user.pk if actor.user else None}),
        "decline_form": DeclineForm(),
    })


@login_required
@require_POST
def transfer_decide(request, transfer_id: int, decision: str):
    actor = request.actor
    transfer = policy.transfer_for(actor, transfer_id)
    if decision == "cancel":
        if not policy.may_cancel_transfer(actor, transfer):
            raise Forbidden(_("Only the sending organisation withdraws an open transfer."))
        actions.cancel_transfer(actor, transfer)
        return redirect("transfer", transfer_id=transfer.pk)
    if decision not in ("accept", "decline"):
        raise NotFound()
    if not policy.may_decide_transfer(actor, transfer):
        raise Forbidden(_("A supervisor of the receiving organisation accepts or declines an "
                          "open transfer."))
    if decision == "decline":
        form = DeclineForm(request.POST)
        if not form.is_valid():
            raise DomainError(_("Say why, so the sending organisation can find another way."),
                              "reason")
        actions.decline_transfer(actor, transfer, reason=form.cleaned_data["reason"])
        return redirect("transfer", transfer_id=transfer.pk)
    form = AcceptForm(request.POST, organisation=actor.organisation)
    caseworker = None
    if form.is_valid():
        user_id = form.cleaned_data["caseworker"]
        if not policy.may_assign_case_to(actor.organisation, user_id):
            raise DomainError(_("Choose an active caseworker of your organisation."),
                              "caseworker")
        caseworker = policy.staff_who_work_with_records(actor.organisation).get(pk=user_id)
    case_tasks.accept_transfer(actor, transfer, caseworker=caseworker)
    return redirect("case", case_id=transfer.case_id)
