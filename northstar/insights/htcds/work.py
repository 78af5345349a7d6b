"""HTCDS work started from the pages and the API: the export (``export.submit_export``),
the k-anonymous release and the import, each as a job (``core/jobs.py``), and the words a
page shows for a release's report and an import's outcome.

- **Release** (``insights.htcds_release``): the organisation's export (audited as an
  export), released k-anonymously; the job's file is the release CSV (sealed at rest, its
  download audited), its result the report (``release.anonymise``).
- **Import** (``insights.htcds_import``): the uploaded file, sealed in the job's parameters
  (it is personal data, as ``survivors.importer.submit_import`` does), checked whole and
  written all or nothing; the result lists every error by row and field, or the counts.
  A small file is imported in the request instead (``import_now``), with the same result.
"""

from __future__ import annotations

import base64

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from northstar import policy
from northstar.core import jobs
from northstar.core.actor import Actor
from northstar.core.crypto import keyring
from northstar.core.db import reading_figures
from northstar.core.errors import DomainError, Forbidden, TooLarge
from northstar.core.models import Job
from northstar.insights.htcds import export, importing
from northstar.insights.htcds import release as releasing
from northstar.survivors.importer import ImportRefused

HTCDS_RELEASE = "insights.htcds_release"
HTCDS_IMPORT = "insights.htcds_import"
KINDS = (export.HTCDS_EXPORT, HTCDS_RELEASE, HTCDS_IMPORT)
SEAL_CONTEXT = "insights.htcds_import.file"
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
IMPORT_SUFFIXES = (".csv", ".xlsx")
#: The jobs' steps and ends, stored in English (``Job.message``) and shown in the reader's
#: language on the job's page (``htcds_views.job``) and in the API's ``message`` as stored.
EXPORTING = gettext_noop("Exporting the organisation's cases")
RELEASING = gettext_noop("Releasing")
CHECKING = gettext_noop("Checking every row")
IMPORTING = gettext_noop("Importing")


def _refuse(actor: Actor) -> None:
    if not policy.may_exchange_htcds(actor):
        raise Forbidden("Only supervisors and org admins exchange HTCDS files.")


def default_k() -> int:
    """The k of ``rules/release.toml`` (CTDC's 11)."""
    return releasing.rules().k


def clean_k(value) -> int:
    """A k from a form or a request: a whole number of at least 2 (else a field error)."""
    if value in (None, ""):
        return default_k()
    try:
        k = int(value)
    except (TypeError, ValueError):
        raise DomainError("must be a whole number", "k") from None
    if k < 2:
        raise DomainError("must be at least 2", "k")
    if k > 1000:
        raise DomainError("must be at most 1000", "k")
    return k


def inline_limit() -> int:
    """Files up to this many bytes are imported in the request; larger ones as a job."""
    return getattr(settings, "NORTHSTAR_HTCDS_IMPORT_INLINE_BYTES", 256 * 1024)


# --- Release ----------------------------------------------------------------------------

def submit_release(actor: Actor, *, k=None, key: str | None = None) -> Job:
    _refuse(actor)
    k = clean_k(k)
    return jobs.submit(HTCDS_RELEASE, key=key, owner=actor.user, organisation=actor.organisation,
                       user_id=actor.user.pk, k=k)


@jobs.task(HTCDS_RELEASE)
@reading_figures()
def htcds_release(job, *, user_id: int, k: int):
    actor = Actor.for_user(get_user_model().objects.get(pk=user_id), "job")
    jobs.report(job, 0, None, EXPORTING)
    header, rows = export.case_rows(actor)
    jobs.report(job, 0, len(rows), RELEASING)
    result = export.release_of(header, rows, k=k)
    jobs.report(job, len(rows), len(rows))
    stamp = timezone.localdate().isoformat()
    return jobs.FileResult(f"htcds-release-k{k}-{actor.organisation.code}-{stamp}.csv",
                           "text/csv; charset=utf-8", export.release_csv(result),
                           summary={"report": result.report})


def report_in_words(report: dict) -> list[str]:
    """A release's report as sentences a supervisor reads (never JSON)."""
    records, released = report.get("records", 0), report.get("released", 0)
    share = 100 * report.get("suppressed_share", 0)
    lines = [
        _("Every published combination of the details below describes at least %(k)s "
          "people.") % {"k": report.get("k")},
        ngettext("%(released)s of %(records)s record was released.",
                 "%(released)s of %(records)s records were released.", records)
        % {"released": released, "records": records},
        _("%(suppressed)s withheld whole (%(share)s %% of the records; at most %(limit)s %% "
          "may be).") % {"suppressed": report.get("suppressed", 0), "share": f"{share:.1f}",
                         "limit": f"{100 * report.get('max_suppression', 0):.0f}"},
    ]
    for level in report.get("levels", {}).values():
        if level["level"] == 0:
            lines.append(_("%(column)s: published as recorded (%(name)s).")
                         % {"column": level["output"], "name": level["name"]})
        elif level["level"] == level["of"]:
            lines.append(_("%(column)s: not published at all (every value shown as *).")
                         % {"column": level["output"]})
        else:
            lines.append(_("%(column)s: generalised %(level)s step(s) of %(of)s, to "
                           "%(name)s.") % {"column": level["output"], "level": level["level"],
                                           "of": level["of"], "name": level["name"]})
    lines.append(_("Information lost: %(loss)s %% (0 %% is every value as recorded, 100 %% is "
                   "nothing said).") % {"loss": f"{100 * report.get('information_loss', 0):.1f}"})
    if report.get("classes"):
        lines.append(ngettext("%(classes)s group of alike records; the smallest has "
                              "%(smallest)s.",
                              "%(classes)s groups of alike records; the smallest has "
                              "%(smallest)s.", report["classes"])
                     % {"classes": report["classes"], "smallest": report["smallest_class"]})
    else:
        lines.append(_("Nothing could be published: too few records to hide each person "
                       "among %(k)s.") % {"k": report.get("k")})
    return lines


# --- Import -----------------------------------------------------------------------------

def check_upload(name: str, size: int) -> None:
    if not name or not name.lower().endswith(IMPORT_SUFFIXES):
        raise DomainError("must be a .csv or .xlsx file", "file")
    if size == 0:
        raise DomainError("is empty", "file")
    if size > MAX_UPLOAD_BYTES:
        raise TooLarge(f"must be at most {MAX_UPLOAD_BYTES // (1024 * 1024)} MB", "file")


def _outcome(actor: Actor, data: bytes, name: str, progress=None) -> dict:
    try:
        ids, plan = importing.import_file(actor, actor.organisation, data, name,
                                          progress=progress)
    except ImportRefused as exc:  # the HTCDS checks' refusal, or the writer's
        return {"file": name, "imported": 0, "cases": 0, "errors": list(exc.errors),
                "not_imported": []}
    return {"file": name, "imported": len(ids),
            "cases": sum(1 for c in plan.cases if c is not None), "errors": [],
            "not_imported": list(plan.not_imported)}


def import_now(actor: Actor, data: bytes, name: str) -> dict:
    """Check and import a small file in the request: the outcome (errors or counts)."""
    _refuse(actor)
    check_upload(name, len(data))
    return _outcome(actor, data, name)


def submit_import(actor: Actor, data: bytes, name: str, *, key: str | None = None) -> Job:
    """Start the import as a job; the file is sealed in the job's parameters."""
    _refuse(actor)
    check_upload(name, len(data))
    sealed = keyring().seal(base64.b64encode(data).decode("ascii"), SEAL_CONTEXT)
    return jobs.submit(HTCDS_IMPORT, key=key, owner=actor.user, organisation=actor.organisation,
                       user_id=actor.user.pk, name=name[:200], file=sealed)


@jobs.task(HTCDS_IMPORT)
def htcds_import(job, *, user_id: int, name: str, file: str) -> dict:
    actor = Actor.for_user(get_user_model().objects.get(pk=user_id), "job")
    try:
        data = base64.b64decode(keyring().open(file, SEAL_CONTEXT))
        jobs.report(job, 0, None, CHECKING)
        outcome = _outcome(actor, data, name, progress=lambda done, total: jobs.report(
            job, done, total, IMPORTING))
    finally:  # the sealed file is not kept once read, whatever happened: the outcome only
        Job.objects.filter(pk=job.pk).update(params={"user_id": user_id, "name": name})
    # Errors or not, the job ends done with an empty message (``jobs.run``): the page says
    # what happened from the outcome (its sentence was a step message, overwritten there).
    return outcome


# --- The page's list --------------------------------------------------------------------

def past_jobs(actor: Actor, limit: int = 50):
    """The organisation's HTCDS exports, releases and imports, newest first, with who
    started each (the list names no survivor)."""
    if not policy.may_exchange_htcds(actor):
        return Job.objects.none()
    return (Job.objects.filter(organisation=actor.organisation, kind__in=KINDS)
            .select_related("owner").order_by("-created_at", "-pk")[:limit])


def htcds_job_for(actor: Actor, job_id) -> Job:
    """One of the actor's own HTCDS jobs (``policy.job_for``: 404 to anyone else)."""
    _refuse(actor)
    job = policy.job_for(actor, job_id)
    if job.kind not in KINDS:
        from northstar.core.errors import NotFound

        raise NotFound("No such job")
    return job
