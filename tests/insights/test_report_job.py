"""The insights report prepared as a job (issue 13): the page answers at once with the job's
page, the job draws the figures the request drew, for the reader who asked alone.

The world is ``tests/insights/conftest.py``'s (the dashboard's tests'): two organisations sharing with one funder, real
survivors, consents and plan items, counted by ``insights.figures.tables_for``.
"""

from __future__ import annotations

import io
import re

from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from northstar.core import jobs
from northstar.core.models import AuditEntry, Job, Membership
from northstar.insights import pdf, report
from northstar.insights.views import figures_context
from tests.insights.people import member
from tests.insights.test_dashboard import client_of

KEY = "a1b2c3d4e5f6a7b8"


def _job_of(response) -> Job:
    assert response.status_code == 302, response.content[:500]
    match = re.fullmatch(r"/jobs/(\d+)/", response["Location"])
    assert match, response["Location"]
    return Job.objects.get(pk=int(match.group(1)))


def _text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _figures_audited() -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(record_type="insights_figures").order_by("pk"))


def test_prepare_the_report_answers_with_the_job_page_and_draws_no_figure_in_the_request(
        world):
    client = client_of(world["funder_user"])
    dashboard = client.get("/insights/").content.decode()
    assert 'action="/insights/report/"' in dashboard and "Prepare the report" in dashboard
    before = len(_figures_audited())
    job = _job_of(client.post("/insights/report/", {"period": "", "request_key": KEY}))
    # The request only queued it (the test's transaction never commits: the inline runner
    # has not started it): nothing was counted or audited yet.
    assert (job.kind, job.status, job.owner_id) == (report.REPORT_JOB, "queued",
                                                    world["funder_user"].user.pk)
    assert job.organisation_id == world["funder"].pk
    assert len(_figures_audited()) == before
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "Waiting to start" in page and 'hx-trigger="every 2s"' in page


def test_the_jobs_pdf_holds_the_figures_the_request_drew(world):
    """The text of the job's PDF is the text of the PDF the request drew (``report_pdf``
    until December 2026: ``pdf.render`` of the dashboard's context, read for export), for
    a funder (rounded, suppressed) and a researcher (own organisation), all time and one
    quarter; and the same one aggregate export entry of the figures."""
    quarter = re.search(r'<option value="(\d{4}Q[1-4])"', client_of(world["funder_user"]).get(
        "/insights/").content.decode()).group(1)
    for who, period in (("funder_user", ""), ("researcher_a", ""), ("funder_user", quarter)):
        actor = world[who]
        with translation.override("en"):
            drawn = _text(pdf.render(figures_context(actor, period, export=True),
                                     language="en"))
        synchronous = _figures_audited()[-1]
        client = client_of(actor)
        job = _job_of(client.post("/insights/report/", {"period": period}))
        done = jobs.run(job.pk)
        assert (done.status, done.done, done.total) == ("done", 3, 3), done.message
        entry = _figures_audited()[-1]
        assert entry.pk != synchronous.pk
        assert (entry.action, entry.channel, entry.record_ids, entry.note) == (
            synchronous.action, synchronous.channel, synchronous.record_ids, synchronous.note)
        exports = AuditEntry.objects.filter(action="export", record_type="job_result")
        assert not exports.filter(record_id=str(job.pk)).exists()  # not handed out yet
        download = client.get(reverse("jobs:download", args=[job.pk]))
        assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
        name = f"insights-{period}-en.pdf" if period else "insights-en.pdf"
        assert f'filename="{name}"' in download["Content-Disposition"]
        assert _text(download.content) == drawn, who
        assert exports.filter(record_id=str(job.pk), actor=actor.user).count() == 1
    # The funder's headline as the dashboard shows it: rounded, and the small cells hidden.
    assert "34% (15 of 50)" in drawn and "hidden (fewer than 11 people)" in drawn


def test_sending_the_form_twice_starts_one_job(world):
    client = client_of(world["researcher_a"])
    first = _job_of(client.post("/insights/report/", {"period": "", "request_key": KEY}))
    again = _job_of(client.post("/insights/report/", {"period": "", "request_key": KEY}))
    assert again.pk == first.pk and Job.objects.filter(kind=report.REPORT_JOB).count() == 1
    jobs.run(first.pk)
    assert jobs.run(first.pk) is None  # delivered twice to the runner: run once
    assert AuditEntry.objects.filter(record_type="insights_figures").count() == 1
    # Another form (another key) is another report; another reader's same key is theirs.
    other = _job_of(client.post("/insights/report/", {"period": "", "request_key": KEY + "x"}))
    assert other.pk != first.pk
    mine = _job_of(client_of(member(world["a"], "researcher")).post(
        "/insights/report/", {"period": "", "request_key": KEY}))
    assert mine.pk not in (first.pk, other.pk)


def test_only_the_reader_who_asked_sees_the_job_and_downloads_the_report(world):
    owner = world["researcher_a"]
    client = client_of(owner)
    job = _job_of(client.post("/insights/report/", {"period": ""}))
    jobs.run(job.pk)
    urls = (f"/jobs/{job.pk}/", f"/jobs/{job.pk}/download")
    assert [client.get(u).status_code for u in urls] == [200, 200]
    colleague = member(world["a"], "researcher")  # the same organisation and role
    supervisor = member(world["a"], "supervisor")
    admin = member(world["a"], "org_admin")
    for other in (colleague, supervisor, admin, world["funder_user"],
                  world["government_user"], member(world["b"], "researcher")):
        assert [client_of(other).get(u).status_code for u in urls] == [404, 404], other
        assert f'href="/jobs/{job.pk}/' not in client_of(other).get(
            "/insights/report/").content.decode()
    # The owner moved to the other organisation: the first one's figures are no longer theirs.
    Membership.objects.filter(user=owner.user).update(organisation=world["b"])
    moved = Client()
    moved.force_login(owner.user)
    assert [moved.get(u).status_code for u in urls] == [404, 404]
    downloads = AuditEntry.objects.filter(record_type="job_result", record_id=str(job.pk))
    assert downloads.count() == 1  # the owner's one download, before the move


def test_a_reader_who_lost_the_insights_since_gets_a_failed_job_saying_why(world):
    reader = member(world["a"], "researcher")
    client = client_of(reader)
    job = _job_of(client.post("/insights/report/", {"period": ""}))
    Membership.objects.filter(user=reader.user).update(role="caseworker")
    before = len(_figures_audited())
    done = jobs.run(job.pk)
    assert done.status == "failed" and done.message == report.NO_LONGER
    assert len(_figures_audited()) == before  # nothing was counted
    Membership.objects.filter(user=reader.user).update(role="researcher")
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "Failed: You may no longer see these figures, so no report was made." in page
    assert "hx-trigger" not in page and f"/jobs/{job.pk}/download" not in page
    assert client.get(f"/jobs/{job.pk}/download").status_code == 404


def test_the_old_address_leads_to_the_report_page_with_the_same_quarter(world):
    client = client_of(world["funder_user"])
    html = client.get("/insights/").content.decode()
    quarter = re.search(r'<option value="(\d{4}Q[1-4])"', html).group(1)
    before = Job.objects.count()
    plain = client.get("/insights/report.pdf")
    assert (plain.status_code, plain["Location"]) == (302, "/insights/report/")
    chosen = client.get(f"/insights/report.pdf?period={quarter}")
    assert chosen["Location"] == f"/insights/report/?period={quarter}"
    page = client.get(chosen["Location"]).content.decode()
    assert f'<option value="{quarter}" selected>' in page and "Prepare the report" in page
    assert Job.objects.count() == before  # a GET starts no work
    wrong = client.get("/insights/report.pdf?period=1999Q1")
    assert wrong.status_code == 422 and b"Choose a quarter from the list." in wrong.content
    assert client.get("/insights/report/?period=1999Q1").status_code == 422
    refused = client.post("/insights/report/", {"period": "1999Q1"})
    assert refused.status_code == 422 and 'name="period"' in refused.content.decode()
    forged = client.post("/insights/report/", {"period": "", "request_key": "<script>"})
    assert forged.status_code == 422 and b"This form has expired" in forged.content
    assert Job.objects.count() == before


def test_the_report_page_lists_the_readers_reports_with_their_downloads(world):
    client = client_of(world["researcher_a"])
    job = _job_of(client.post("/insights/report/", {"period": ""}))
    jobs.run(job.pk)
    html = client.get("/insights/report/").content.decode()
    assert f'href="/jobs/{job.pk}/download"' in html and "insights-en.pdf" in html


def test_the_report_and_its_job_page_in_khmer(world):
    client = client_of(world["researcher_a"])
    client.cookies["django_language"] = "km"
    page = client.get("/insights/report/")
    assert page.status_code == 200 and 'lang="km"' in page.content.decode()
    with translation.override("km"):
        from django.utils.translation import gettext

        prepare, reading = gettext("Prepare the report"), gettext(report.READING)
    assert prepare != "Prepare the report" and prepare in page.content.decode()
    job = _job_of(client.post("/insights/report/", {"period": ""}))
    assert job.params["language"] == "km"
    Job.objects.filter(pk=job.pk).update(status="running", done=0, total=3,
                                         message=report.READING)
    running = client.get(f"/jobs/{job.pk}/").content.decode()
    assert reading != report.READING and reading in running
    Job.objects.filter(pk=job.pk).update(status="queued", message="")
    done = jobs.run(job.pk)
    assert done.status == "done" and done.result_name == "insights-km.pdf"
    assert client.get(f"/jobs/{job.pk}/download").content.startswith(b"%PDF")


def test_the_jobs_command_line_shows_the_reports_progress(world, capsys):
    client = client_of(world["researcher_a"])
    job = _job_of(client.post("/insights/report/", {"period": ""}))
    Job.objects.filter(pk=job.pk).update(status="running", done=1, total=3,
                                         message=report.DRAWING)
    call_command("jobs", kind=report.REPORT_JOB)
    out = capsys.readouterr().out
    assert f"#{job.pk}" in out and "[##########....................] 1/3" in out
    assert "Drawing the charts" in out
    Job.objects.filter(pk=job.pk).update(status="queued", done=0, message="")
    jobs.run(job.pk)
    call_command("jobs", follow=job.pk)
    assert "[##############################] 3/3" in capsys.readouterr().out
