"""The audit log page, for supervisors."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from northstar import policy
from northstar.core.audit import entries_for_organisation
from northstar.core.models import AuditEntry


@login_required
def audit_log(request):
    actor = request.actor
    if not policy.may_read_audit(actor):
        raise Http404()
    qs = entries_for_organisation(actor.organisation)
    ref = request.GET.get("survivor_ref", "").strip()
    action = request.GET.get("action", "")
    if ref:
        qs = qs.filter(survivor_ref=ref)
    if action in AuditEntry.Action.values:
        qs = qs.filter(action=action)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "core/audit.html", {
        "page": page, "survivor_ref": ref, "action": action,
        "actions": AuditEntry.Action.values,
    })
