"""HTCDS over the API, for an organisation's supervisors and org admins: start the export
(CSV or XLSX), the k-anonymous release and an import as jobs, read a job (its progress,
the release's report, the import's errors by row and field) and download its file.
Anyone else, and another person's job, is 404 (``policy.may_exchange_htcds``,
``policy.job_for``)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpResponse
from django.urls import reverse
from ninja import Field, File, Router, Schema, UploadedFile

from northstar import policy
from northstar.apiutils import StrictSchema, actor_of
from northstar.core import jobs
from northstar.core.errors import NotFound
from northstar.insights.htcds import export, work

router = Router(tags=["insights"])

KIND_NAMES = {export.HTCDS_EXPORT: "export", work.HTCDS_RELEASE: "release",
              work.HTCDS_IMPORT: "import"}


class ExportIn(StrictSchema):
    format: Literal["csv", "xlsx"] = Field(
        "csv", description="csv (UTF-8, a header of field names) or xlsx (the standard's "
                           "Excel toolkit layout)")


class ReleaseIn(StrictSchema):
    k: int | None = Field(None, ge=2, le=1000,
                          description="the fewest records any published combination of the "
                                      "quasi-identifiers describes; default rules/release.toml "
                                      "(11)")


class ImportOutcome(Schema):
    file: str
    imported: int
    cases: int
    errors: list[str]
    not_imported: list[str]


class HtcdsJobOut(Schema):
    id: int
    kind: Literal["export", "release", "import"]
    status: str
    done: int
    total: int | None
    message: str
    created_at: dt.datetime
    finished_at: dt.datetime | None
    started_by: str
    page: str
    file: str | None = Field(None, description="the download, once done (audited as an export)")
    file_name: str | None = None
    report: dict | None = Field(None, description="a release's report (k, records, suppressed "
                                                  "share, level per quasi-identifier, loss)")
    report_in_words: list[str] | None = None
    outcome: ImportOutcome | None = None


def _actor(request):
    actor = actor_of(request)
    if not policy.may_exchange_htcds(actor):
        raise NotFound()
    return actor


def _out(job) -> dict:
    result = job.result or {}
    done = job.status == job.Status.DONE
    owner = job.owner
    return {
        "id": job.pk, "kind": KIND_NAMES[job.kind], "status": job.status, "done": job.done,
        "total": job.total, "message": job.message, "created_at": job.created_at,
        "finished_at": job.finished_at,
        "started_by": (owner.get_full_name() or owner.username) if owner else "",
        "page": reverse("insights:htcds_job", args=[job.pk]),
        "file": (reverse("api:htcds_job_file", args=[job.pk])
                 if done and job.result_name else None),
        "file_name": job.result_name or None,
        "report": result.get("report"),
        "report_in_words": work.report_in_words(result["report"]) if result.get("report") else None,
        "outcome": result if job.kind == work.HTCDS_IMPORT and done and "errors" in result
        else None,
    }


@router.post("/insights/htcds/exports", response={202: HtcdsJobOut})
def start_export(request, body: ExportIn):
    """The organisation's HTCDS v2.0 case-level file, made by a job."""
    job = export.submit_export(_actor(request), format=body.format)
    job.refresh_from_db()
    return 202, _out(job)


@router.post("/insights/htcds/releases", response={202: HtcdsJobOut})
def start_release(request, body: ReleaseIn):
    """The k-anonymous release of the organisation's file, made by a job; the job's
    ``report`` says what was suppressed and generalised."""
    job = work.submit_release(_actor(request), k=body.k)
    job.refresh_from_db()
    return 202, _out(job)


@router.post("/insights/htcds/imports", response={202: HtcdsJobOut})
def start_import(request, file: File[UploadedFile]):
    """Import an HTCDS file or spreadsheet (multipart ``file``, CSV or XLSX) as a job: all
    rows or none; the job's ``outcome.errors`` lists every problem by row and field."""
    actor = _actor(request)
    work.check_upload(file.name or "", file.size or 0)
    job = work.submit_import(actor, file.read(), file.name)
    job.refresh_from_db()
    return 202, _out(job)


@router.get("/insights/htcds/jobs", response=list[HtcdsJobOut])
def list_jobs(request):
    """The organisation's past HTCDS exports, releases and imports (who, when), newest first."""
    return [_out(j) for j in work.past_jobs(_actor(request))]


@router.get("/insights/htcds/jobs/{htcds_job_id}", response=HtcdsJobOut)
def get_job(request, htcds_job_id: int):
    return _out(work.htcds_job_for(_actor(request), htcds_job_id))


@router.get("/insights/htcds/jobs/{htcds_job_id}/file", url_name="htcds_job_file")
def job_file(request, htcds_job_id: int):
    """The job's file (its starter's alone); the download is an export in the audit log."""
    actor = _actor(request)
    job = work.htcds_job_for(actor, htcds_job_id)
    if job.status != job.Status.DONE or job.result_file is None:
        raise NotFound()
    response = HttpResponse(jobs.open_result(actor, job), content_type=job.result_type)
    response["Content-Disposition"] = f'attachment; filename="{job.result_name}"'
    return response
