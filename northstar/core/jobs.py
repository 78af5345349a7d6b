"""Long and scheduled work: submitted once, run once, progress visible.

A job is a row (``core.models.Job``) with a kind, an idempotency key, a status and
its progress. Apps register the work with ``@jobs.task("kind")``; the function
takes the ``Job`` and keyword parameters (JSON-able), reports ``job.progress``-style
with ``report(job, done, total)`` and returns a small JSON result, or a file as
``FileResult`` (sealed before it is stored: exports carry personal data).

``submit`` creates the row, or returns the existing one when the same ``key`` was
submitted before, then hands the job's id to the runner. The runner is chosen by
settings: in-process at once (``make run``, the tests: nothing extra to install),
or a queue with workers for several application instances (``docs/deploy.md``).
Whichever runs it, ``run`` first claims the row with a conditional update
(queued → running), so a job delivered twice runs once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from northstar.core.crypto import keyring
from northstar.core.models import Job

log = logging.getLogger(__name__)

REGISTRY: dict[str, Callable] = {}


@dataclass(frozen=True)
class FileResult:
    name: str
    content_type: str
    data: bytes
    summary: dict | None = None


def task(kind: str):
    def register(fn: Callable) -> Callable:
        REGISTRY[kind] = fn
        return fn
    return register


def file_context(job_id: int) -> str:
    return f"core.job.{job_id}.result"


def submit(kind: str, *, key: str | None = None, owner=None, organisation=None,
           **params) -> Job:
    """Create (or find, by ``key``) the job and start it with the configured runner."""
    if kind not in REGISTRY:
        raise LookupError(f"no job kind {kind!r}")
    if key is not None:
        existing = Job.objects.filter(key=key).first()
        if existing is not None:
            return existing
    job = Job.objects.create(kind=kind, key=key, params=params, owner=owner,
                             organisation=organisation)
    transaction.on_commit(lambda: dispatch(job.pk))
    return job


def dispatch(job_id: int) -> None:
    """Hand a job to the runner. In-process here; a queue backend replaces this."""
    run(job_id)


def report(job: Job, done: int, total: int | None = None, message: str = "") -> None:
    """Progress, written at once so another request (the job's page) sees it."""
    job.done = done
    if total is not None:
        job.total = total
    if message:
        job.message = message[:300]
    Job.objects.filter(pk=job.pk).update(done=job.done, total=job.total, message=job.message)


def run(job_id: int) -> Job | None:
    claimed = Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
        status=Job.Status.RUNNING, started_at=timezone.now())
    if not claimed:
        return None  # already running or finished elsewhere: never twice
    job = Job.objects.get(pk=job_id)
    Job.objects.filter(pk=job_id).update(attempts=job.attempts + 1)
    try:
        outcome = REGISTRY[job.kind](job, **job.params)
    except Exception as exc:  # a failed job is recorded, not lost; the log has the trace
        log.exception("job %s failed", job.pk)
        Job.objects.filter(pk=job_id).update(
            status=Job.Status.FAILED, finished_at=timezone.now(),
            message=f"{type(exc).__name__}: could not finish"[:300])
        return Job.objects.get(pk=job_id)
    fields = {"status": Job.Status.DONE, "finished_at": timezone.now()}
    if isinstance(outcome, FileResult):
        fields.update(result_file=keyring().seal_bytes(outcome.data, file_context(job_id)),
                      result_name=outcome.name, result_type=outcome.content_type,
                      result=outcome.summary or {})
    elif outcome is not None:
        fields["result"] = outcome
    Job.objects.filter(pk=job_id).update(**fields)
    return Job.objects.get(pk=job_id)


def result_bytes(job: Job) -> bytes:
    """The job's file, opened. Callers audit the read (it is an export) before this."""
    if job.result_file is None:
        raise LookupError("this job has no file")
    return keyring().open_bytes(job.result_file, file_context(job.pk))
