import pytest

from northstar.core import jobs
from northstar.core.crypto import DecryptionError, keyring
from northstar.core.models import Job

RUNS: list[int] = []


@jobs.task("tests.count_to")
def count_to(job, *, n):
    for i in range(n):
        jobs.report(job, i + 1, n)
    RUNS.append(job.pk)
    return {"counted": n}


@jobs.task("tests.file")
def make_file(job):
    return jobs.FileResult("a.csv", "text/csv", b"given_name\nSokha\n")


@jobs.task("tests.fails")
def fails(job):
    raise RuntimeError("boom")


def test_sealed_bytes_open_only_in_their_own_context():
    sealed = keyring().seal_bytes(b"scan of a passport", "documents.1")
    assert b"passport" not in sealed
    assert keyring().open_bytes(sealed, "documents.1") == b"scan of a passport"
    with pytest.raises(DecryptionError):
        keyring().open_bytes(sealed, "documents.2")


@pytest.mark.django_db(transaction=True)
def test_a_job_runs_once_with_its_progress_and_result():
    RUNS.clear()
    job = jobs.submit("tests.count_to", key="count-1", n=3)
    again = jobs.submit("tests.count_to", key="count-1", n=3)
    assert again.pk == job.pk
    job.refresh_from_db()
    assert (job.status, job.done, job.total, job.result) == ("done", 3, 3, {"counted": 3})
    assert RUNS == [job.pk]
    assert jobs.run(job.pk) is None  # delivered twice: runs once
    assert RUNS == [job.pk]


@pytest.mark.django_db(transaction=True)
def test_a_file_result_is_sealed_at_rest():
    job = jobs.submit("tests.file")
    stored = Job.objects.get(pk=job.pk)
    assert b"Sokha" not in bytes(stored.result_file)
    assert jobs.result_bytes(stored) == b"given_name\nSokha\n"


@pytest.mark.django_db(transaction=True)
def test_a_failed_job_is_recorded_without_its_exception_text():
    job = Job.objects.get(pk=jobs.submit("tests.fails").pk)
    assert job.status == "failed"
    assert "boom" not in job.message


TRIES: list[int] = []


@jobs.task("tests.flaky_then_fine")
def flaky_then_fine(job):
    TRIES.append(job.attempts)
    if job.attempts < 2:
        raise jobs.Retryable("the service was busy")
    return {"tries": job.attempts}


@pytest.mark.django_db(transaction=True)
def test_in_process_a_retryable_failure_is_tried_again(settings):
    settings.NORTHSTAR_JOBS_RETRY_BASE_SECONDS = 0
    TRIES.clear()
    job = Job.objects.get(pk=jobs.submit("tests.flaky_then_fine").pk)
    assert (job.status, job.attempts, job.result, TRIES) == ("done", 2, {"tries": 2}, [1, 2])


def test_the_backoff_grows_and_is_capped(settings):
    settings.NORTHSTAR_JOBS_RETRY_BASE_SECONDS = 30
    assert [jobs.backoff(n) for n in (1, 2, 3, 10)] == [30, 60, 120, 600]


def test_celery_beat_asks_for_every_schedule_by_its_name():
    from northstar.core.worker import app

    app.finalize()
    entries = {v["args"]: v["task"] for v in app.conf.beat_schedule.values()}
    for name in ("compensation_alerts", "referral_reminders", "prune_portal_attempts"):
        assert entries[(name,)] == "northstar.submit_scheduled"


class WorkerDied(BaseException):
    """What a killed worker looks like from the job's row: the task never returns, and no
    ``except Exception`` records anything."""


DIES_ONCE: list[int] = []


@jobs.task("tests.dies")
def dies(job):
    raise WorkerDied


@jobs.task("tests.dies_once_idempotent", idempotent=True)
def dies_once(job):
    if job.pk not in DIES_ONCE:
        DIES_ONCE.append(job.pk)
        raise WorkerDied
    return {"finished": True}


def _submit_and_kill(kind):
    job = Job.objects.create(kind=kind)
    with pytest.raises(WorkerDied):
        jobs.run(job.pk)
    job.refresh_from_db()
    assert job.status == "running" and job.heartbeat_at is not None
    return job


def _silent_for(job, minutes):
    import datetime as dt

    from django.utils import timezone

    then = timezone.now() - dt.timedelta(minutes=minutes)
    Job.objects.filter(pk=job.pk).update(started_at=then, heartbeat_at=then)


@pytest.mark.django_db(transaction=True)
def test_a_job_whose_worker_died_is_recorded_failed_once_its_lease_runs_out(settings):
    settings.NORTHSTAR_JOBS_LEASE_SECONDS = 600
    job = _submit_and_kill("tests.dies")
    _silent_for(job, 5)
    assert jobs.sweep() == []  # within the lease: maybe just slow
    job.refresh_from_db()
    assert job.status == "running"
    _silent_for(job, 11)
    assert [j.pk for j in jobs.sweep()] == [job.pk]
    job.refresh_from_db()
    assert job.status == "failed" and job.finished_at is not None
    assert "stopped" in job.message and "11 minutes" in job.message
    assert jobs.sweep() == []  # a second sweeper finds nothing left to do


@pytest.mark.django_db(transaction=True)
def test_an_idempotent_job_whose_worker_died_runs_again(settings):
    settings.NORTHSTAR_JOBS_LEASE_SECONDS = 600
    job = _submit_and_kill("tests.dies_once_idempotent")
    _silent_for(job, 20)
    jobs.sweep()  # re-queued, then dispatched (inline runner: at once)
    job.refresh_from_db()
    assert (job.status, job.result, job.attempts) == ("done", {"finished": True}, 2)


@pytest.mark.django_db(transaction=True)
def test_a_job_that_reports_progress_is_not_swept(settings):
    settings.NORTHSTAR_JOBS_LEASE_SECONDS = 600
    job = _submit_and_kill("tests.dies")
    _silent_for(job, 30)
    jobs.report(job, 5, 10)  # it is alive after all: a sign of life
    assert jobs.sweep() == []
    job.refresh_from_db()
    assert job.status == "running"


@pytest.mark.django_db(transaction=True)
def test_run_scheduled_sweeps_dead_jobs(settings, capsys):
    from django.core.management import call_command

    settings.NORTHSTAR_JOBS_LEASE_SECONDS = 600
    job = _submit_and_kill("tests.dies")
    _silent_for(job, 16)
    call_command("run_scheduled")
    assert f"job #{job.pk} (tests.dies): its worker stopped; failed" in capsys.readouterr().out
    assert Job.objects.get(pk=job.pk).status == "failed"
