"""The statement PDF printed in the background: a job with progress, then a download for
its owner alone, audited as an export."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from northstar.compensation import calculations
from northstar.core.models import AuditEntry, Job
from tests.compensation.conftest import CALC


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_statement_pdf_runs_as_a_job_and_its_download_is_an_audited_export(
        caseworker, supervisor, case_a, actor_for, django_capture_on_commit_callbacks):
    calc = calculations.save_calculation(actor_for(caseworker), case_a, data=CALC)
    client = logged_in(caseworker)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("compensation:calculation_pdf_job", args=[calc.pk]),
                               {"lang": "en"})
    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("jobs:job", args=[job.pk])
    assert (job.kind, job.status, job.done, job.total) == ("compensation.statement_pdf",
                                                          "done", 3, 3)
    page = client.get(response["Location"]).content.decode()
    assert "Finished" in page and reverse("jobs:download", args=[job.pk]) in page
    assert "hx-trigger" not in page  # finished: the page stops asking
    exports = AuditEntry.objects.filter(action="export", record_type="job_result")
    assert not exports.exists()  # printing it is not yet handing it out
    pdf = client.get(reverse("jobs:download", args=[job.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert f"compensation-{case_a.reference}-{calc.pk}-en.pdf" in pdf["Content-Disposition"]
    entry = exports.get()
    assert (entry.record_id, entry.survivor_ref) == (str(job.pk), case_a.survivor.reference)
    # Someone else, even the supervisor who may see the case, cannot follow or fetch it.
    assert logged_in(supervisor).get(reverse("jobs:job", args=[job.pk])).status_code == 404
    assert logged_in(supervisor).get(reverse("jobs:download", args=[job.pk])).status_code == 404
    assert exports.count() == 1


def test_a_calculation_of_another_organisation_cannot_be_printed_as_a_job(
        caseworker, other_caseworker, case_b, actor_for):
    calc = calculations.save_calculation(actor_for(other_caseworker), case_b, data=CALC)
    response = logged_in(caseworker).post(
        reverse("compensation:calculation_pdf_job", args=[calc.pk]))
    assert response.status_code == 404
    assert not Job.objects.exists()
