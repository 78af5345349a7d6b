"""Pages to find a person by name and to merge two records of one person.

Thin, like every page: ask the policy, call an action, render. Everything works as
plain GET and POST forms; no JavaScript is needed.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from northstar import policy
from northstar.core.errors import DomainError, Forbidden, NotFound
from northstar.survivors import actions, search, selectors
from northstar.survivors.models import MergeStatus


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Name, alias or phone"), max_length=200,
                        help_text=_("Any spelling: Sokhar finds Sokha, Nguyen finds Nguyễn."))


class MergeForm(forms.Form):
    kept = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**63 - 1)
    merged = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**63 - 1)
    reason = forms.CharField(label=_("Why these two records are the same person"),
                             max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))


def _require_records(actor) -> None:
    if not policy.works_with_records(actor):
        raise NotFound()


@never_cache
@login_required
def find(request):
    """Search by name, alias or phone; results ranked by the blind index, names opened."""
    actor = request.actor
    _require_records(actor)
    form = SearchForm(request.GET or None)
    found = None
    if form.is_valid():
        found = actions.search_survivors(actor, form.cleaned_data["q"],
                                         within=policy.visible_survivors(actor),
                                         limit=search.LIMIT)
    return render(request, "survivors/find.html", {
        "form": form, "found": found, "may_request_merge": policy.may_request_merge(actor),
    }, status=422 if form.is_bound and not form.is_valid() else 200)


def _pair(actor, kept_id, merged_id):
    try:
        kept = policy.survivor_for(actor, kept_id, change=True)
        merged = policy.survivor_for(actor, merged_id, change=True)
    except Forbidden:
        raise NotFound() from None
    return kept, merged


@never_cache
@login_required
def merge_new(request):
    """Ask a supervisor to merge one record (``merged``) into another (``kept``)."""
    actor = request.actor
    if not policy.may_request_merge(actor):
        raise NotFound()
    form = MergeForm(request.POST or request.GET or None)
    if not form.is_bound:
        return redirect("survivors:find")
    pair = None
    if form.is_valid() or (form.has_error("reason") and "kept" in form.cleaned_data
                           and "merged" in form.cleaned_data):
        pair = _pair(actor, form.cleaned_data["kept"], form.cleaned_data["merged"])
    if pair is None:
        raise NotFound()
    if request.method == "POST" and form.is_valid():
        try:
            actions.request_merge(actor, kept=pair[0], merged=pair[1],
                                  reason=form.cleaned_data["reason"])
        except DomainError as exc:
            form.add_error("reason" if exc.field not in form.fields else exc.field, exc.message)
        else:
            return redirect("survivors:merges")
    shown = selectors.listed(actor, pair, record_type="survivor")
    if request.method == "GET":
        form = MergeForm(initial={"kept": pair[0].pk, "merged": pair[1].pk})
    return render(request, "survivors/merge_new.html", {"form": form, "kept": shown[0],
                                                         "merged": shown[1]},
                  status=422 if request.method == "POST" else 200)


@never_cache
@login_required
def merges(request):
    """The organisation's merge requests; a supervisor approves or refuses the waiting ones."""
    actor = request.actor
    _require_records(actor)
    rows = policy.visible_merge_requests(actor).select_related(
        "kept", "merged", "requested_by", "decided_by")[:100]
    return render(request, "survivors/merges.html", {
        "requests": actions.merge_requests_seen(actor, rows),
        "may_approve": policy.may_approve_merge(actor), "waiting": MergeStatus.REQUESTED,
    })


@login_required
def merge_decide(request, merge_id: int):
    actor = request.actor
    if request.method != "POST":
        raise NotFound()
    merge = policy.merge_request_for(actor, merge_id)
    if not policy.may_approve_merge(actor):
        raise Forbidden(_("Only a supervisor approves or refuses a merge."))
    decision = request.POST.get("decision")
    if decision not in ("approve", "refuse"):
        raise DomainError(_("Choose whether to approve or refuse the merge."), "decision")
    actions.decide_merge(actor, merge, approve=decision == "approve")
    return redirect("survivors:merges")
