"""The Celery application: workers run Northstar's jobs, beat submits the scheduled ones.

Used only when ``NORTHSTAR_REDIS_URL`` is set (``NORTHSTAR_JOBS_RUNNER=celery``);
``make run`` and the tests never import it. Start (docs/deploy.md)::

    celery -A northstar.core.worker worker --concurrency 2 --queues northstar
    celery -A northstar.core.worker beat        # exactly one, though two do no harm

The queue carries job ids only, never parameters or personal data: the job row is
the truth, and ``jobs.run`` claims it (queued → running) before running, so a
message delivered twice, or to two workers, runs the job once.
"""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "northstar.settings")

app = Celery("northstar")
app.config_from_object("django.conf:settings", namespace="CELERY")

#: Beat asks every ten minutes; the idempotency key per period makes each period run once,
#: and a beat that was down at midnight still submits the day's run when it is back.
SUBMIT_EVERY_SECONDS = 600


@app.on_after_finalize.connect
def _beat_schedule(sender, **kwargs):
    import django

    django.setup()
    from northstar.core import jobs

    for name in sorted(jobs.SCHEDULES):
        sender.add_periodic_task(SUBMIT_EVERY_SECONDS, submit_scheduled.s(name),
                                 name=f"northstar: {name}")


@app.task(bind=True, name="northstar.run_job", max_retries=None)
def run_job(self, job_id: int) -> str:
    """Run one job; a ``Retryable`` failure comes back later, with a growing wait."""
    from northstar.core import jobs
    from northstar.core.models import Job

    job = jobs.run(job_id)
    if job is None:
        return "already claimed"
    if job.status == Job.Status.QUEUED:
        raise self.retry(countdown=jobs.backoff(job.attempts))
    return job.status


@app.task(name="northstar.submit_scheduled")
def submit_scheduled(name: str) -> int:
    from northstar.core import jobs

    return jobs.submit_scheduled(name).pk
