"""Jobs on Celery workers through a real Redis (127.0.0.1:6379, or NORTHSTAR_TEST_REDIS_URL).

The workers run embedded, in threads of this process, on a queue of their own, so
the test database is theirs too and other suites sharing the Redis are untouched.
Skipped, loudly, when no Redis answers; CI has one.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from contextlib import contextmanager

import pytest

from northstar.core import jobs
from northstar.core.models import Job

REDIS_URL = os.environ.get("NORTHSTAR_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
#: One queue for this run (Celery keeps the queues it declared): nobody else's worker reads it.
QUEUE = f"northstar-test-{uuid.uuid4().hex[:12]}"


def _redis_answers() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except Exception:
        return False


pytestmark = [
    pytest.mark.skipif(not _redis_answers(), reason=(
        f"!!! NO REDIS AT {REDIS_URL}: the Celery job runner is NOT TESTED. "
        "Start redis-server (apt-get install redis-server) or set NORTHSTAR_TEST_REDIS_URL.")),
    pytest.mark.django_db(transaction=True),
]

RUNS: list[tuple[int, str]] = []
LOCK = threading.Lock()


@jobs.task("tests.worker.slow_count")
def slow_count(job, *, n: int):
    for i in range(n):
        time.sleep(0.05)
        jobs.report(job, i + 1, n)
    with LOCK:
        RUNS.append((job.pk, threading.current_thread().name))
    return {"counted": n}


@jobs.task("tests.worker.flaky")
def always_flaky(job):
    with LOCK:
        RUNS.append((job.pk, "try"))
    raise jobs.Retryable("the remote service did not answer")


@pytest.fixture
def celery_app(settings):
    from django.db import connection

    if connection.vendor != "postgresql":
        # Worker threads writing while the test writes: SQLite's one-writer lock answers
        # "table is locked" at random. Several instances and workers mean PostgreSQL in
        # production, and these run in the PostgreSQL half of make test.
        pytest.skip("Celery workers are tested against PostgreSQL, as they run in production")
    import redis

    from northstar.core.worker import app

    redis.Redis.from_url(REDIS_URL).delete(QUEUE)
    app.conf.update(broker_url=REDIS_URL, task_default_queue=QUEUE, task_acks_late=True,
                    worker_prefetch_multiplier=1, task_ignore_result=True,
                    broker_connection_retry_on_startup=True)
    settings.NORTHSTAR_JOBS_RUNNER = "celery"
    settings.NORTHSTAR_JOBS_RETRY_BASE_SECONDS = 0
    settings.NORTHSTAR_JOBS_MAX_ATTEMPTS = 3
    RUNS.clear()
    yield app
    redis.Redis.from_url(REDIS_URL).delete(QUEUE)


def _terminate_worker():
    """Queued on one worker's own event loop: it stops as a terminated worker does,
    in its own thread, once any task it is running returns."""
    from celery.exceptions import WorkerTerminate

    raise WorkerTerminate(0)


@contextmanager
def workers(app, count: int, *, stop_seconds: float = 30):
    """``count`` Celery workers consuming the queue, each in its own thread (solo pool).

    Each worker gets an event loop (kombu hub) of its own and is stopped through it. A
    worker process has one hub; embedded, kombu would hand every worker of the process
    the same global one, so a worker's broker polling ran in the others' loops, in later
    tests too, and Celery's one shared stop flag, set back for the next test, let a worker
    still stopping resume on the queue and take the next test's messages (queued for good).
    Stopped through its own hub, a worker slow to stop never comes back to the queue.
    Yields the worker threads, named after the workers.
    """
    from celery.contrib.testing.worker import TestWorkController, setup_app_for_worker
    from kombu.asynchronous import set_event_loop

    setup_app_for_worker(app, "error", None)
    started = []
    try:
        for i in range(count):
            set_event_loop(None)  # no hub to share: the worker builds its own
            worker = TestWorkController(
                app=app, concurrency=1, pool="solo", loglevel="error", logfile=None,
                hostname=f"w{i}-{uuid.uuid4().hex[:6]}@test", ready_callback=None,
                without_heartbeat=True, without_mingle=True, without_gossip=True)
            assert worker.hub is not None, "Redis workers run an event loop"
            thread = threading.Thread(target=worker.start, daemon=True, name=worker.hostname)
            thread.start()
            started.append((worker, thread))
            worker.ensure_started()
        yield [thread for _, thread in started]
    finally:
        set_event_loop(None)
        for worker, _ in started:
            worker.hub.call_soon(_terminate_worker)
        deadline = time.monotonic() + stop_seconds
        for _, thread in started:
            thread.join(max(0.1, deadline - time.monotonic()))
        stopping = [thread for _, thread in started if thread.is_alive()]
        if stopping:
            # Harmless to later tests (it stops when it is back in its loop), but say where
            # it is, so a slow stop can be told from a stuck one.
            import sys
            import traceback
            import warnings

            frame = sys._current_frames().get(stopping[0].ident)
            where = "".join(traceback.format_stack(frame)) if frame else "(it just stopped)"
            warnings.warn(f"an embedded Celery worker was still stopping, at:\n{where}",
                          stacklevel=1)


def _wait_for(job_id: int, *statuses: str, seconds: float = 120) -> Job:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job = Job.objects.get(pk=job_id)
        if job.status in statuses:
            return job
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} still {Job.objects.get(pk=job_id).status}")


def test_a_worker_slow_to_stop_takes_no_work_from_the_next_workers(celery_app):
    """A worker busy past its stop wait (a loaded machine) must not come back to the
    queue when it is free: the next workers' jobs are theirs, and it stops."""
    release = threading.Event()

    @jobs.task("tests.worker.held")
    def held(job):
        release.wait(60)  # the test releases it; never a hung suite
        return {}

    try:
        with workers(celery_app, 1, stop_seconds=0.5) as (slow,):  # warns, to the log
            busy = jobs.submit("tests.worker.held")
            _wait_for(busy.pk, "running")
        assert slow.is_alive()  # still in its task: the stop wait ran out
        with workers(celery_app, 1) as (fresh,):
            job = jobs.submit("tests.worker.slow_count", n=1)
            _wait_for(job.pk, "done")
            release.set()
            _wait_for(busy.pk, "done")
            slow.join(30)
            assert not slow.is_alive()  # free again, it stopped instead of polling the queue
            later = jobs.submit("tests.worker.slow_count", n=1)
            _wait_for(later.pk, "done")
        assert RUNS == [(job.pk, fresh.name), (later.pk, fresh.name)]
    finally:
        release.set()
        jobs.REGISTRY.pop("tests.worker.held", None)


def test_a_job_submitted_twice_with_one_key_runs_once_on_a_worker(celery_app):
    with workers(celery_app, 1):
        first = jobs.submit("tests.worker.slow_count", key="count:2026-12-06", n=3)
        second = jobs.submit("tests.worker.slow_count", key="count:2026-12-06", n=3)
        assert second.pk == first.pk
        job = _wait_for(first.pk, "done")
        time.sleep(0.5)  # room for a wrong second run to show
    assert (job.done, job.total, job.result) == (3, 3, {"counted": 3})
    assert [pk for pk, _ in RUNS] == [first.pk]
    assert Job.objects.filter(key="count:2026-12-06").count() == 1


def test_a_job_delivered_to_two_workers_runs_once(celery_app):
    from northstar.core.worker import run_job

    with workers(celery_app, 2):
        job = Job.objects.create(kind="tests.worker.slow_count", params={"n": 5})
        for _ in range(4):  # the same job id, four messages, two workers taking them
            run_job.apply_async(args=[job.pk])
        done = _wait_for(job.pk, "done")
        time.sleep(1)
    assert [pk for pk, _ in RUNS] == [job.pk]
    assert done.attempts == 1


def test_a_failing_job_is_tried_again_then_recorded_failed(celery_app):
    with workers(celery_app, 1):
        job = jobs.submit("tests.worker.flaky")
        failed = _wait_for(job.pk, "failed")
    assert len(RUNS) == 3  # NORTHSTAR_JOBS_MAX_ATTEMPTS
    assert failed.attempts == 3
    assert "after 3 tries" in failed.message
    assert "did not answer" not in failed.message  # exception text stays in the log


def test_scheduled_work_submitted_by_two_instances_runs_once_per_period(celery_app):
    import datetime as dt

    from django.utils import timezone

    ran: list[int] = []

    @jobs.task("tests.worker.nightly")
    def nightly(job):
        ran.append(job.pk)
        return {}

    jobs.schedule("tests_nightly", "tests.worker.nightly", every="day")
    try:
        noon = timezone.make_aware(dt.datetime(2026, 12, 6, 12, 0))
        with workers(celery_app, 2):
            a = jobs.submit_scheduled("tests_nightly", noon)
            b = jobs.submit_scheduled("tests_nightly", noon + dt.timedelta(hours=3))
            c = jobs.submit_scheduled("tests_nightly", noon + dt.timedelta(days=1))
            _wait_for(a.pk, "done")
            _wait_for(c.pk, "done")
            time.sleep(0.5)
        assert a.pk == b.pk != c.pk
        assert a.key == "tests_nightly:2026-12-06" and c.key == "tests_nightly:2026-12-07"
        assert sorted(ran) == [a.pk, c.pk]
    finally:
        jobs.SCHEDULES.pop("tests_nightly", None)
