"""How long a prepared insights report stays, and what its pages say (issue 13, h-auditjobs):
the daily pruning removes a report's file ``NORTHSTAR_REPORT_KEEP_DAYS`` after it was made
(audited; the download is a 404 and the job's page says the file is gone), and under the
inline runner (``make run``) the pages say the report is made at once, not "in the
background".

The world is ``tests/insights/conftest.py``'s.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext

from northstar.core import jobs
from northstar.core.models import AuditEntry, Job
from northstar.insights import report
from tests.insights.test_dashboard import client_of

BACKGROUND = "It is prepared in the background"
AT_ONCE = "It is prepared as soon as you ask"


@pytest.fixture(autouse=True)
def _language_left_as_found():
    """A page asked for in Khmer or Thai leaves that language active in this thread (the
    locale middleware activates it and nothing resets it): put it back for the next test."""
    yield
    translation.deactivate()


def _prepared(client) -> Job:
    response = client.post("/insights/report/", {"period": ""})
    assert response.status_code == 302, response.content[:300]
    job = Job.objects.get(pk=int(re.fullmatch(r"/jobs/(\d+)/", response["Location"]).group(1)))
    done = jobs.run(job.pk)
    assert done.status == "done" and done.result_file is not None
    return done


def _finished_days_ago(job: Job, days: int) -> None:
    Job.objects.filter(pk=job.pk).update(
        finished_at=timezone.now() - dt.timedelta(days=days, minutes=1))


def _daily_pruning() -> dict:
    """The pruning job as the scheduler submits it each day, run as a worker runs it."""
    pruning = jobs.submit_scheduled("prune_portal_attempts")
    done = jobs.run(pruning.pk)
    assert done is not None and done.status == "done", done and done.message
    return done.result


def test_an_old_reports_file_is_pruned_its_download_is_gone_and_its_page_says_so(world):
    client = client_of(world["researcher_a"])
    old, recent = _prepared(client), _prepared(client)
    _finished_days_ago(old, 31)
    _finished_days_ago(recent, 29)

    assert _daily_pruning()["job_files"] == 1

    assert client.get(f"/jobs/{old.pk}/download").status_code == 404
    page = client.get(f"/jobs/{old.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "The file was removed" in html and f"/jobs/{old.pk}/download" not in html
    listed = client.get("/insights/report/").content.decode()
    assert f"/jobs/{old.pk}/download" not in listed and f"/jobs/{old.pk}/" in listed
    # The recent one is kept, and downloads.
    assert client.get(f"/jobs/{recent.pk}/download").content.startswith(b"%PDF")
    assert Job.objects.get(pk=old.pk).result_file is None
    # The pruning is in the audit log, naming the job whose file went, and only it.
    entry = AuditEntry.objects.get(action="delete", record_type="job_result")
    assert entry.record_ids == [str(old.pk)] and entry.channel == "system"
    assert entry.organisation_id == old.organisation_id  # in that organisation's log
    assert "30 days" in entry.note


def test_the_days_a_report_is_kept_are_a_setting(world, settings):
    settings.NORTHSTAR_REPORT_KEEP_DAYS = 7
    client = client_of(world["researcher_a"])
    job = _prepared(client)
    _finished_days_ago(job, 8)
    assert _daily_pruning()["job_files"] == 1
    assert client.get(f"/jobs/{job.pk}/download").status_code == 404
    assert AuditEntry.objects.filter(action="delete", record_type="job_result").count() == 1


def test_the_removed_files_page_in_khmer(world):
    client = client_of(world["researcher_a"])
    job = _prepared(client)
    _finished_days_ago(job, 40)
    _daily_pruning()
    client.cookies["django_language"] = "km"
    with translation.override("km"):
        said = gettext(jobs.FILE_REMOVED)
    assert said != jobs.FILE_REMOVED
    html = client.get(f"/jobs/{job.pk}/").content.decode()
    assert said in html and "The file was removed" not in html


def test_under_the_inline_runner_the_report_is_ready_when_the_page_answers(
        world, settings, django_capture_on_commit_callbacks):
    """``make run`` (the inline runner) prepares the report within the POST: the pages say
    it is made as soon as asked, and the job's page it lands on has the download already."""
    settings.NORTHSTAR_JOBS_RUNNER = "inline"
    client = client_of(world["researcher_a"])
    for url in ("/insights/", "/insights/report/"):
        html = client.get(url).content.decode()
        assert AT_ONCE in html and BACKGROUND not in html, url
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/insights/report/", {"period": ""})
    job = Job.objects.get(pk=int(re.fullmatch(r"/jobs/(\d+)/", response["Location"]).group(1)))
    assert job.status == "done" and job.kind == report.REPORT_JOB
    page = client.get(response["Location"]).content.decode()
    assert "Work done as you asked" in page and "Work in the background" not in page
    assert "Finished" in page and f"/jobs/{job.pk}/download" in page
    assert 'hx-trigger="every 2s"' not in page


def test_with_workers_the_pages_say_the_report_is_prepared_in_the_background(world, settings):
    settings.NORTHSTAR_JOBS_RUNNER = "celery"
    client = client_of(world["researcher_a"])
    for url in ("/insights/", "/insights/report/"):
        html = client.get(url).content.decode()
        assert BACKGROUND in html and AT_ONCE not in html, url


def test_the_inline_wording_in_khmer(world, settings):
    settings.NORTHSTAR_JOBS_RUNNER = "inline"
    client = client_of(world["researcher_a"])
    client.cookies["django_language"] = "km"
    html = client.get("/insights/report/").content.decode()
    with translation.override("km"):
        at_once = gettext("It is prepared as soon as you ask, which takes a few seconds: the "
                          "next page has it ready to download.")
    assert at_once in html and AT_ONCE not in html and re.search(r"[\u1780-\u17FF]", html)
