"""The audit log page for supervisors, and staff sign-in: password, then second factor."""

from __future__ import annotations

import contextlib
import re

from django import forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login

from northstar import policy
from northstar.core import jobs, keyset, two_factor
from northstar.core.audit import (
    entries_for_organisation,
    log_parts,
    records_named,
)
from northstar.core.errors import DomainError
from northstar.core.models import AuditEntry
from northstar.core.prepared import planned_each_run
from northstar.core.redirects import safe_next
from northstar.core.unusual_reads import alerts_for
from northstar.ui.paging import query_without

#: What a survivor reference may be made of ("MHF-XN6SZT"); the column holds 32.
REFERENCE = re.compile(r"[\w.-]{1,32}", re.ASCII)
#: Entries a page of the audit log shows; the rest are a cursor away.
AUDIT_PAGE_SIZE = 50
#: The records of a list entry named on the log's page (its own page names every one), so
#: what one page reads does not grow with the ids its entries hold.
NAMED_ON_THE_PAGE = 20


#: A record type as the log names them ("case", "compensation_claim"), and a record's id.
RECORD_TYPE = re.compile(r"[a-z_]{1,64}", re.ASCII)
RECORD_ID = re.compile(r"[\w.-]{1,64}", re.ASCII)


def _audit_filters(query) -> dict[str, str]:
    """The survivor reference, record and action asked for, checked: a bad one is a 422
    naming it."""
    ref = query.get("survivor_ref", "").strip()
    if ref and not REFERENCE.fullmatch(ref):
        raise DomainError(_("Not a survivor reference: at most 32 letters, digits and "
                            "dashes."), "survivor_ref")
    action = query.get("action", "")
    if action and action not in AuditEntry.Action.values:
        raise DomainError(_("Not an action of the audit log."), "action")
    record_type = query.get("record_type", "").strip()
    record_id = query.get("record_id", "").strip()
    if record_type and not RECORD_TYPE.fullmatch(record_type):
        raise DomainError(_("Not a kind of record: lower-case letters and underscores, as "
                            "the log names them (case, compensation_claim)."), "record_type")
    if record_id and not RECORD_ID.fullmatch(record_id):
        raise DomainError(_("Not a record's id: at most 64 letters, digits and dashes."),
                          "record_id")
    if record_id and not record_type:
        raise DomainError(_("Say which kind of record the id is (case, "
                            "compensation_claim…)."), "record_type")
    return {"survivor_ref": ref, "action": action, "record_type": record_type,
            "record_id": record_id}


def searched(asked) -> bool:
    """Whether the log is searched by survivor or record (each search planned on its own)."""
    return bool(asked.get("survivor_ref") or asked.get("record_type")
                or asked.get("record_id"))


def _references_for(actor):
    return lambda ids: policy.audit_references(actor, ids)


@login_required
def audit_log(request):
    """The organisation's log, newest first, a page at a time (by cursor, with a capped
    count); ``survivor_ref`` finds every entry naming that survivor, the lists that showed
    one of their records included (cases, claims…); ``record_type`` with ``record_id``
    every entry naming that one record."""
    actor = request.actor
    if not policy.may_read_audit(actor):
        raise Http404()
    asked = _audit_filters(request.GET)
    named = policy.audit_search(actor, survivor_ref=asked["survivor_ref"],
                                record_type=asked["record_type"], record_id=asked["record_id"])
    if asked["action"]:
        named &= Q(action=asked["action"])
    parts = log_parts(actor.organisation, named)
    cursor = request.GET.get("cursor") or None
    # A search is planned for its own values: one survivor is in 400,000 lists, the next in
    # none, and a kept generic plan for the first read the whole log for the second (11 s
    # at 2.1 M entries; bench/README.md, h-auditjobs).
    with planned_each_run() if searched(asked) else contextlib.nullcontext():
        count = keyset.carried(parts[0], cursor) if cursor else None
        count = count or keyset.count_of_parts(parts)
        found = keyset.page_of_parts(parts, size=AUDIT_PAGE_SIZE, cursor=cursor, count=count)
    records_named(found.rows, NAMED_ON_THE_PAGE, _references_for(actor))
    return render(request, "core/audit.html", {
        "entries": found.rows, "count": count, "next_cursor": found.next,
        "paged": bool(cursor), "qs": query_without(request, "cursor", "page"),
        **asked, "actions": AuditEntry.Action.values,
        "alerts": list(alerts_for(actor.organisation)[:20]),
    })


@login_required
def audit_entry(request, entry_id: int):
    """One entry of the organisation's log with every record it names (by reference, for
    the survivors the supervisor may see), and its place in the hash chain."""
    actor = request.actor
    if not policy.may_read_audit(actor):
        raise Http404()
    entry = entries_for_organisation(actor.organisation).filter(pk=entry_id).first()
    if entry is None:
        raise Http404()
    records_named([entry], None, _references_for(actor))
    return render(request, "core/audit_entry.html", {"e": entry})


@login_required
def job_page(request, job_id: int):
    """A job's progress, for its owner only; htmx asks again every two seconds while it
    runs (without JavaScript, the page's "Refresh" link does the same)."""
    job = policy.job_for(request.actor, job_id)
    # A task's progress and failure sentences are stored in English (``gettext_noop``) and
    # read here in the reader's language; a sentence with no translation shows as stored.
    message = gettext(job.message) if job.message else ""
    return render(request, "core/job.html", {"job": job, "message": message,
                                             "running": job.status in ("queued", "running"),
                                             "in_background": jobs.in_background()})


@login_required
def job_download(request, job_id: int):
    """The job's file; the download is an export in the audit log."""
    job = policy.job_for(request.actor, job_id)
    if job.status != job.Status.DONE or job.result_file is None:
        raise Http404()
    response = HttpResponse(jobs.open_result(request.actor, job), content_type=job.result_type)
    response["Content-Disposition"] = f'attachment; filename="{job.result_name}"'
    return response


class LoginView(auth_views.LoginView):
    """Password first; ``TwoFactorMiddleware`` then asks for the code where one is needed.
    Wrong passwords are counted by django-axes (per account and per address)."""

    template_name = "web/login.html"
    redirect_authenticated_user = False


class CodeForm(forms.Form):
    code = forms.CharField(max_length=16, strip=True,
                           widget=forms.TextInput(attrs={"autocomplete": "one-time-code",
                                                         "inputmode": "numeric"}))


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_verify(request):
    """The second step of signing in: a code from the authenticator, or a recovery code."""
    if not two_factor.has_device(request.user):
        return redirect("two_factor_enrol")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = two_factor.verify(request.user, form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            return redirect(safe_next(request, "caseload"))
        form.add_error("code", "That code is not right, was already used, or came too soon after a wrong one. Wait a moment and try the next one.")
    return render(request, "core/two_factor_verify.html",
                  {"form": form, "next": safe_next(request, "caseload")},
                  status=422 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_enrol(request):
    """Set up an authenticator: scan the QR code (or type the secret), confirm with a code,
    then keep the recovery codes shown once."""
    if two_factor.has_device(request.user) and not request.user.is_verified():
        return redirect("two_factor_verify")
    device = two_factor.pending_device(request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = two_factor.confirm_enrolment(request.actor, device, form.cleaned_data["code"])
        if codes is not None:
            otp_login(request, device)
            return render(request, "core/recovery_codes.html",
                          {"codes": codes, "next": safe_next(request, "caseload")})
        form.add_error("code", "That code is not right. Check the clock on your phone and try "
                               "the next one.")
    return render(request, "core/two_factor_enrol.html", {
        "form": form, "qr_svg": two_factor.qr_svg(device), "secret": two_factor.secret_of(device),
        "already": two_factor.has_device(request.user), "next": safe_next(request, "caseload"),
    }, status=422 if form.errors else 200)


@login_required
@require_http_methods(["POST"])
def new_recovery_codes(request):
    """Fresh recovery codes (the old ones stop working), for a verified person only."""
    if not request.user.is_verified():
        return redirect("two_factor_verify")
    codes = two_factor.new_recovery_codes(request.actor, request.user)
    return render(request, "core/recovery_codes.html", {"codes": codes, "next": "/"})
