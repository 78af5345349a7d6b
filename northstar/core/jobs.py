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

Runners (``settings.NORTHSTAR_JOBS_RUNNER``): ``inline`` runs the job in the submitting
process once its transaction commits; ``celery`` sends the job's id to a worker
(``core/worker.py``) through Redis. A task that raises ``Retryable`` is tried again
with a growing wait, up to ``NORTHSTAR_JOBS_MAX_ATTEMPTS`` tries, then recorded failed;
any other exception fails the job at once (``Failed`` with a sentence the person who
asked reads on the job's page; anything else with the exception's name, the trace in the log).

A running job beats (``heartbeat_at``: when claimed, at each ``report``, or ``beat``); one
silent for longer than ``NORTHSTAR_JOBS_LEASE_SECONDS`` (15 minutes) lost its worker, and
``sweep`` (every ``manage.py run_scheduled``, and the hourly ``sweep_jobs`` schedule)
records it failed, or queues it again when its kind is registered ``idempotent=True``.

Scheduled work (``schedule``) is submitted with an idempotency key per period
(``compensation_alerts:2026-12-06``), by Celery beat or ``manage.py run_scheduled``
from cron: however many schedulers or instances submit it, each period runs once.
Apps register their tasks and schedules in a ``jobs`` module of their own, found
when the app registry is ready (``core/apps.py``).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone

from northstar.core.crypto import keyring
from northstar.core.models import Job

log = logging.getLogger(__name__)

REGISTRY: dict[str, Callable] = {}
#: Kinds whose work is safe to start again from the beginning (``@task(idempotent=True)``):
#: a run whose worker died is re-queued instead of recorded failed.
IDEMPOTENT: set[str] = set()


@dataclass(frozen=True)
class FileResult:
    name: str
    content_type: str
    data: bytes
    summary: dict | None = None


class Failed(Exception):  # noqa: N818 - it names what happened to the job
    """Raise from a task to end the job failed with a plain sentence (no personal data,
    marked with ``gettext_noop``: the job's page shows it in the reader's language) instead
    of the exception's name: the person who asked reads why, e.g. that they may no longer
    see what they asked for."""


class Retryable(Exception):  # noqa: N818 - it names what the failure is, not that it is one
    """Raise from a task for a failure worth another try later (a remote service or a
    lock briefly unavailable); the job goes back to the queue until its tries run out."""


@dataclass(frozen=True)
class Schedule:
    """Work submitted once per period: ``every`` is "day" or "hour"."""

    name: str
    kind: str
    every: str
    params: Callable[[dt.datetime], dict] | None = None

    def period(self, now: dt.datetime) -> str:
        local = timezone.localtime(now)
        return local.strftime("%Y-%m-%d") if self.every == "day" else local.strftime("%Y-%m-%dT%H")

    def key(self, now: dt.datetime) -> str:
        return f"{self.name}:{self.period(now)}"


SCHEDULES: dict[str, Schedule] = {}


def schedule(name: str, kind: str, *, every: str = "day",
             params: Callable[[dt.datetime], dict] | None = None) -> Schedule:
    if every not in ("day", "hour"):
        raise ValueError("every must be 'day' or 'hour'")
    SCHEDULES[name] = entry = Schedule(name, kind, every, params)
    return entry


def submit_scheduled(name: str, now: dt.datetime | None = None) -> Job:
    """Submit this period's run of one schedule; a second call in the period returns it."""
    entry = SCHEDULES[name]
    now = now or timezone.now()
    params = entry.params(now) if entry.params else {}
    return submit(entry.kind, key=entry.key(now), **params)


def submit_due(now: dt.datetime | None = None) -> list[Job]:
    """Every schedule's run for the current period (the ones already submitted are returned)."""
    now = now or timezone.now()
    return [submit_scheduled(name, now) for name in sorted(SCHEDULES)]


def task(kind: str, *, idempotent: bool = False):
    def register(fn: Callable) -> Callable:
        REGISTRY[kind] = fn
        if idempotent:
            IDEMPOTENT.add(kind)
        else:
            IDEMPOTENT.discard(kind)
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
    try:
        # Its own savepoint: two instances submitting one key at once meet at the unique
        # index, and the loser returns the winner's job instead of failing.
        with transaction.atomic():
            job = Job.objects.create(kind=kind, key=key, params=params, owner=owner,
                                     organisation=organisation)
    except IntegrityError:
        if key is None:
            raise
        return Job.objects.get(key=key)
    transaction.on_commit(lambda: dispatch(job.pk))
    return job


def runner() -> str:
    return getattr(settings, "NORTHSTAR_JOBS_RUNNER", "inline")


def dispatch(job_id: int, *, countdown: float = 0) -> None:
    """Hand a job to the configured runner: a Celery worker, or this process now."""
    if runner() == "celery":
        from northstar.core.worker import run_job  # Celery is loaded only when it is used

        run_job.apply_async(args=[job_id], countdown=countdown)
        return
    job = run(job_id)
    while job is not None and job.status == Job.Status.QUEUED:  # a Retryable failure
        time.sleep(min(backoff(job.attempts), 1))  # in a request: never long
        job = run(job_id)


def max_attempts() -> int:
    return max(1, getattr(settings, "NORTHSTAR_JOBS_MAX_ATTEMPTS", 4))


def backoff(attempts: int) -> float:
    """Seconds to wait before the next try, after ``attempts`` tries."""
    base = getattr(settings, "NORTHSTAR_JOBS_RETRY_BASE_SECONDS", 30)
    return min(600, base * 2 ** max(0, attempts - 1))


def report(job: Job, done: int, total: int | None = None, message: str = "") -> None:
    """Progress, written at once so another request (the job's page) sees it."""
    job.done = done
    if total is not None:
        job.total = total
    if message:
        job.message = message[:300]
    Job.objects.filter(pk=job.pk).update(done=job.done, total=job.total, message=job.message,
                                         heartbeat_at=timezone.now())


def beat(job: Job) -> None:
    """A sign of life from a long task that reports no progress for a while."""
    Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING).update(heartbeat_at=timezone.now())


def lease() -> dt.timedelta:
    """How long a running job may stay silent before ``sweep`` takes its worker for dead."""
    return dt.timedelta(seconds=getattr(settings, "NORTHSTAR_JOBS_LEASE_SECONDS", 900))


def sweep(now: dt.datetime | None = None) -> list[Job]:
    """Running jobs whose worker died (killed, machine lost: no heartbeat for longer than
    the lease): an idempotent kind with tries left goes back to the queue and is dispatched
    again; any other is recorded failed, saying why. Each row is changed by a conditional
    update on the heartbeat it was seen with, so two sweepers (two instances) never both
    act on one job, and a job that beats in between is left alone."""
    now = now or timezone.now()
    cutoff = now - lease()
    stale = (Job.objects.filter(status=Job.Status.RUNNING)
             .filter(models.Q(heartbeat_at__lt=cutoff)
                     | models.Q(heartbeat_at__isnull=True, started_at__lt=cutoff)))
    swept = []
    for job in stale:
        seen = Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING,
                                  heartbeat_at=job.heartbeat_at, started_at=job.started_at)
        silent = int((now - (job.heartbeat_at or job.started_at)).total_seconds() // 60)
        if job.kind in IDEMPOTENT and job.attempts < max_attempts():
            changed = seen.update(status=Job.Status.QUEUED, heartbeat_at=None, message=(
                f"Try {job.attempts} stopped ({silent} minutes without a sign of life); "
                f"trying again.")[:300])
            if changed:
                transaction.on_commit(lambda pk=job.pk: dispatch(pk))
        else:
            changed = seen.update(status=Job.Status.FAILED, finished_at=now, message=(
                f"The worker running it stopped ({silent} minutes without a sign of life)"
                f"; submit it again.")[:300])
        if changed:
            log.warning("job %s (%s): worker silent %s min, swept", job.pk, job.kind, silent)
            swept.append(Job.objects.get(pk=job.pk))
    return swept


def run(job_id: int) -> Job | None:
    started = timezone.now()
    claimed = Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
        status=Job.Status.RUNNING, started_at=started, heartbeat_at=started)
    if not claimed:
        return None  # already running or finished elsewhere: never twice
    Job.objects.filter(pk=job_id).update(attempts=F("attempts") + 1)
    job = Job.objects.get(pk=job_id)
    try:
        outcome = REGISTRY[job.kind](job, **job.params)
    except Failed as exc:
        log.info("job %s ended failed: %s", job.pk, exc)
        Job.objects.filter(pk=job_id).update(
            status=Job.Status.FAILED, finished_at=timezone.now(), message=str(exc)[:300])
        return Job.objects.get(pk=job_id)
    except Retryable as exc:
        if job.attempts < max_attempts():
            log.warning("job %s: try %s failed, will try again", job.pk, job.attempts)
            Job.objects.filter(pk=job_id).update(
                status=Job.Status.QUEUED,
                message=f"Try {job.attempts} did not finish ({type(exc).__name__}); "
                        f"trying again."[:300])
            return Job.objects.get(pk=job_id)
        log.exception("job %s failed after %s tries", job.pk, job.attempts)
        Job.objects.filter(pk=job_id).update(
            status=Job.Status.FAILED, finished_at=timezone.now(),
            message=f"{type(exc).__name__}: could not finish after {job.attempts} tries"[:300])
        return Job.objects.get(pk=job_id)
    except Exception as exc:  # a failed job is recorded, not lost; the log has the trace
        log.exception("job %s failed", job.pk)
        Job.objects.filter(pk=job_id).update(
            status=Job.Status.FAILED, finished_at=timezone.now(),
            message=f"{type(exc).__name__}: could not finish"[:300])
        return Job.objects.get(pk=job_id)
    fields = {"status": Job.Status.DONE, "finished_at": timezone.now(), "message": ""}
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


def open_result(actor, job: Job) -> bytes:
    """The job's file for its owner (``policy.job_for`` found the job): an export in the
    audit log, naming the survivor when the job was about one."""
    from northstar.core import audit

    data = result_bytes(job)
    audit.record_read(actor, job.pk, record_type="job_result", export=True,
                      survivor_ref=(job.result or {}).get("survivor_ref", ""),
                      note=f"downloaded {job.result_name}"[:300])
    return data


@task("core.sweep_jobs", idempotent=True)
def _sweep_job(job: Job) -> dict:
    return {"swept": [j.pk for j in sweep()]}


schedule("sweep_jobs", "core.sweep_jobs", every="hour")
