"""HTCDS pages for an organisation's supervisors and org admins: start the case-level
export (CSV or XLSX) and the k-anonymous release as jobs, list past ones (who, when), read
a release's information loss in words, and import a file (all or nothing, every error by
row and field; a large file as a job). Anyone else gets 404 (``policy.may_exchange_htcds``).
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from northstar import policy
from northstar.core.errors import DomainError
from northstar.insights.htcds import export, work


class HtcdsExportForm(forms.Form):
    format = forms.ChoiceField(label=_("File"), widget=forms.RadioSelect, initial="csv",
                               choices=[("csv", _("CSV")), ("xlsx", _("Excel (XLSX), laid out "
                                                                      "as the standard's toolkit"))])


class HtcdsReleaseForm(forms.Form):
    k = forms.IntegerField(label=_("k: the fewest people any published combination describes"),
                           min_value=2, max_value=1000)


class HtcdsImportForm(forms.Form):
    file = forms.FileField(label=_("HTCDS file or spreadsheet (CSV or XLSX)"))


def _actor(request):
    actor = request.actor
    if not policy.may_exchange_htcds(actor):
        raise Http404()
    return actor


def _page(request, actor, *, export_form=None, release_form=None, status=200):
    return render(request, "insights/htcds/index.html", {
        "export_form": export_form or HtcdsExportForm(),
        "release_form": release_form or HtcdsReleaseForm(initial={"k": work.default_k()}),
        "past": work.past_jobs(actor),
        "kinds": {export.HTCDS_EXPORT: _("Export"), work.HTCDS_RELEASE: _("k-anonymous release"),
                  work.HTCDS_IMPORT: _("Import")},
    }, status=status)


@never_cache
@login_required
def index(request):
    return _page(request, _actor(request))


@never_cache
@login_required
@require_POST
def start_export(request):
    actor = _actor(request)
    form = HtcdsExportForm(request.POST)
    if not form.is_valid():
        return _page(request, actor, export_form=form, status=422)
    job = export.submit_export(actor, format=form.cleaned_data["format"])
    return redirect("insights:htcds_job", htcds_job_id=job.pk)


@never_cache
@login_required
@require_POST
def start_release(request):
    actor = _actor(request)
    form = HtcdsReleaseForm(request.POST)
    if not form.is_valid():
        return _page(request, actor, release_form=form, status=422)
    job = work.submit_release(actor, k=form.cleaned_data["k"])
    return redirect("insights:htcds_job", htcds_job_id=job.pk)


@never_cache
@login_required
def job(request, htcds_job_id: int):
    """One HTCDS job: its progress (htmx asks again while it runs), its download, and what
    it did in words: a release's information loss, an import's errors or counts."""
    actor = _actor(request)
    found = work.htcds_job_for(actor, htcds_job_id)
    result = found.result or {}
    return render(request, "insights/htcds/job.html", {
        "job": found, "running": found.status in ("queued", "running"),
        # Steps and failures are stored in English (``gettext_noop``): shown in the reader's.
        "message": gettext(found.message) if found.message else "",
        "report": work.report_in_words(result["report"]) if result.get("report") else None,
        "outcome": result if found.kind == work.HTCDS_IMPORT and found.status == "done" else None,
    })


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def import_file(request):
    """Upload: a small file is checked and imported at once, a large one as a job; any
    error and nothing is written, every error listed by row and field."""
    actor = _actor(request)
    form = HtcdsImportForm(request.POST or None, request.FILES or None)
    outcome = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                work.check_upload(upload.name, upload.size)
                if upload.size > work.inline_limit():
                    job = work.submit_import(actor, upload.read(), upload.name)
                    return redirect("insights:htcds_job", htcds_job_id=job.pk)
                outcome = work.import_now(actor, upload.read(), upload.name)
            except DomainError as exc:
                form.add_error("file", exc.message)
        if not form.is_valid() or (outcome and outcome["errors"]):
            status = 422
    return render(request, "insights/htcds/import.html",
                  {"form": form, "outcome": outcome, "limit": work.inline_limit()}, status=status)
