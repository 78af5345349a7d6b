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
from django.utils.translation import gettext_noop

from northstar.core.crypto import keyring
from northstar.core.models import Job, Organisation

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


def in_background() -> bool:
    """Whether a submitted job runs after the request that asked (a queue and workers), or
    within it (the ``inline`` runner of ``make run`` and the tests): pages say which, so
    nobody is told "in the background" of work that was done before the page answered."""
    return runner() != "inline"


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


#: Kinds whose files are removed some days after they were made (``keep_files``): kind →
#: a function answering how many days (a setting, read when the pruning runs).
KEEP_FILES: dict[str, Callable[[], int]] = {}
#: What the job's page says of a file removed by ``prune_files`` (in the reader's language).
FILE_REMOVED = gettext_noop("The file was removed when its time to be kept ran out "
                            "(the download is gone); prepare it again if you need it.")


def keep_files(kind: str, *, days: Callable[[], int]) -> None:
    """Remove the file of each finished job of ``kind`` ``days()`` days after it finished
    (``prune_files``, in the daily pruning): a report kept for ever is ~170 KB of sealed
    figures nobody asked to keep."""
    KEEP_FILES[kind] = days


def prune_files(now: dt.datetime | None = None) -> int:
    """Remove the files of finished jobs older than their kind's retention (``keep_files``):
    the row stays (its page says the file is gone and why: ``FILE_REMOVED``; the download is a
    404), the sealed bytes go. One ``delete`` entry of ``job_result`` per kind in the audit
    log names every job whose file went, in the same transaction. Returns how many."""
    from northstar.core import audit
    from northstar.core.actor import Actor

    now = now or timezone.now()
    removed = 0
    for kind, days in sorted(KEEP_FILES.items()):
        keep = max(1, int(days()))
        old = Job.objects.filter(kind=kind, status=Job.Status.DONE, result_file__isnull=False,
                                 finished_at__lt=now - dt.timedelta(days=keep))
        with transaction.atomic():
            rows = list(old.select_for_update().values_list("pk", "organisation_id"))
            if not rows:
                continue
            Job.objects.filter(pk__in=[pk for pk, _ in rows]).update(
                result_file=None, result_name="", message=FILE_REMOVED)
            by_organisation: dict = {}
            for pk, organisation_id in rows:
                by_organisation.setdefault(organisation_id, []).append(pk)
            organisations = Organisation.objects.in_bulk([o for o in by_organisation if o])
            for organisation_id, ids in sorted(by_organisation.items(),
                                               key=lambda item: item[0] or 0):
                # In the log of the organisation the jobs were asked in (its supervisors').
                actor = Actor.system("system", organisation=organisations.get(organisation_id))
                audit.record_many(actor, "delete", "job_result", ids,
                                  note=f"{kind}: files kept {keep} days removed")
        removed += len(rows)
    return removed


@task("core.sweep_jobs", idempotent=True)
def _sweep_job(job: Job) -> dict:
    return {"swept": [j.pk for j in sweep()]}


schedule("sweep_jobs", "core.sweep_jobs", every="hour")
