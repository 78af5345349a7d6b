"""A job's page: its progress (refreshed by htmx while it runs), for its owner only."""

from __future__ import annotations

from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from northstar.core import jobs
from northstar.core.models import Job


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_running_job_shows_its_progress_and_asks_again(caseworker, org_a):
    job = Job.objects.create(kind="tests.count_to", owner=caseworker, organisation=org_a,
                             status="running", done=3, total=10, message="Reading rows")
    html = logged_in(caseworker).get(reverse("jobs:job", args=[job.pk])).content.decode()
    assert "Running: Reading rows" in html
    assert 'value="3" max="10"' in html and "3 of 10 steps" in html
    assert 'hx-trigger="every 2s"' in html  # htmx polls; without JS the Refresh link does
    assert ">Refresh<" in html
    assert "Download" not in html


def test_a_job_answers_404_to_anyone_but_its_owner(caseworker, other_caseworker, supervisor,
                                                   org_a):
    job = Job.objects.create(kind="tests.count_to", owner=caseworker, organisation=org_a)
    for user in (other_caseworker, supervisor):
        assert logged_in(user).get(reverse("jobs:job", args=[job.pk])).status_code == 404
    assert Client().get(reverse("jobs:job", args=[job.pk])).status_code == 302  # sign in first


def test_a_failed_job_says_so_in_a_sentence(caseworker, org_a):
    job = Job.objects.create(kind="tests.count_to", owner=caseworker, organisation=org_a,
                             status="failed", message="RuntimeError: could not finish")
    html = logged_in(caseworker).get(reverse("jobs:job", args=[job.pk])).content.decode()
    assert "This work could not be finished." in html
    assert "hx-trigger" not in html


def test_the_jobs_command_draws_progress_bars(caseworker, capsys, db):
    Job.objects.create(kind="exports.csv", status="running", done=5, total=10)
    Job.objects.create(kind="compensation.alerts", status="done", key="compensation_alerts:x")
    call_command("jobs")
    out = capsys.readouterr().out
    assert "[###############...............] 5/10" in out
    assert "key compensation_alerts:x" in out and "Finished" in out


def test_run_scheduled_submits_each_schedule_once_per_period(db, capsys):
    call_command("run_scheduled")
    call_command("run_scheduled")
    out = capsys.readouterr().out
    for name in ("compensation_alerts", "referral_reminders", "prune_portal_attempts"):
        assert f"{name} " in out
        assert Job.objects.filter(key__startswith=f"{name}:").count() == 1
    assert "already submitted" in out
    assert set(jobs.SCHEDULES) >= {"compensation_alerts", "referral_reminders",
                                   "prune_portal_attempts"}
