"""HTCDS from the pages and the API: the export and the k-anonymous release as jobs whose
files match the commands', the release's loss in words, past jobs with who and when, the
import all or nothing with every error by row and field (a large file as a job), and 404
to anyone but the organisation's supervisors and org admins."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from northstar.core.models import AuditEntry, Job
from northstar.core.roles import Role
from northstar.survivors.models import Case, Survivor
from tests.conftest import ApiClient
from tests.insights.test_htcds_export import PEOPLE, _person
from tests.insights.test_htcds_import import GOOD, csv_bytes

BAD = [GOOD[0], [*GOOD[1][:2], "30/11/2001", *GOOD[1][3:]], GOOD[2]]  # row 3: a bad date


@pytest.fixture
def population(caseworker, actor_for, org_a):
    actor = actor_for(caseworker)
    return [_person(actor, org_a, i, *p) for i, p in enumerate(PEOPLE)]


@pytest.fixture
def signed_in(client, supervisor):
    client.force_login(supervisor)
    return client


def _command(tmp_path, name, *args) -> bytes:
    out = tmp_path / "out.csv"
    call_command(name, *args, "--out", str(out), stdout=io.StringIO())
    return out.read_bytes()


def _client_of(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _job_of(response) -> Job:
    assert response.status_code == 302, response.content[:500]
    job_id = int(response["Location"].rstrip("/").rsplit("/", 1)[1])
    assert response["Location"] == f"/insights/htcds/jobs/{job_id}/"
    return Job.objects.get(pk=job_id)


def test_the_page_starts_an_export_whose_file_is_the_commands(
        population, signed_in, supervisor, tmp_path, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = _job_of(signed_in.post("/insights/htcds/export", {"format": "csv"}))
    job.refresh_from_db()
    page = signed_in.get(f"/insights/htcds/jobs/{job.pk}/").content.decode()
    assert "Finished" in page and f"/jobs/{job.pk}/download" in page
    downloaded = signed_in.get(f"/jobs/{job.pk}/download").content
    assert downloaded == _command(tmp_path, "htcds_export", "--as", supervisor.username)
    assert downloaded.count(b"\n") == len(PEOPLE) + 1
    assert AuditEntry.objects.filter(action="export", record_type="job_result",
                                     record_id=str(job.pk)).exists()


def test_past_jobs_are_listed_with_who_started_them_and_when(
        population, signed_in, supervisor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = _job_of(signed_in.post("/insights/htcds/export", {"format": "xlsx"}))
    job.refresh_from_db()
    page = signed_in.get("/insights/htcds/").content.decode()
    assert "Export (XLSX)" in page and supervisor.username in page
    # The page shows the time in the server's zone (Asia/Bangkok): after 17:00 UTC that is
    # already the next day, so compare with the local date, not the UTC one.
    assert timezone.localtime(job.created_at).strftime("%Y-%m-%d %H:%M") in page
    assert f"/insights/htcds/jobs/{job.pk}/" in page


def test_the_release_form_starts_at_the_k_of_the_rules(signed_in):
    page = signed_in.get("/insights/htcds/").content.decode()
    assert 'name="k" value="11"' in page


def test_the_release_report_is_shown_in_words_and_its_file_is_the_commands(
        population, signed_in, supervisor, tmp_path, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = _job_of(signed_in.post("/insights/htcds/release", {"k": "2"}))
    job.refresh_from_db()
    report = job.result["report"]
    page = signed_in.get(f"/insights/htcds/jobs/{job.pk}/").content.decode()
    assert "What the release gave up" in page
    assert (f"{report['released']} of 4 records were released." in page)
    assert f"{report['suppressed']} withheld whole (" in page
    assert "at least 2 people" in page and "Information lost: " in page
    for level in report["levels"].values():  # each quasi-identifier, said in words
        assert f"{level['output']}: " in page
    assert '"suppressed_share"' not in page and "{" not in page.split("<main", 1)[-1]
    downloaded = signed_in.get(f"/jobs/{job.pk}/download").content
    assert downloaded == _command(tmp_path, "htcds_release", "--as", supervisor.username,
                                  "--k", "2")


def test_a_release_of_too_few_people_says_nothing_could_be_published(
        population, signed_in, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = _job_of(signed_in.post("/insights/htcds/release", {"k": "11"}))
    job.refresh_from_db()
    page = signed_in.get(f"/insights/htcds/jobs/{job.pk}/").content.decode()
    assert "0 of 4 records were released." in page
    assert "4 withheld whole (100.0 %" in page
    assert "Nothing could be published" in page


def test_a_k_below_two_is_refused_naming_the_field(signed_in):
    response = signed_in.post("/insights/htcds/release", {"k": "1"})
    assert response.status_code == 422
    assert not Job.objects.exists()


def test_a_bad_import_writes_nothing_and_lists_every_error_by_row_and_field(signed_in, org_a):
    upload = SimpleUploadedFile("people.csv", csv_bytes(BAD), content_type="text/csv")
    response = signed_in.post("/insights/htcds/import", {"file": upload})
    assert response.status_code == 422
    page = response.content.decode()
    assert "Nothing was imported" in page
    assert "Row 3, field prs_Birthdate" in page
    assert not Survivor.objects.filter(organisation=org_a).exists()


def test_a_good_import_from_the_page_writes_the_survivors_and_their_cases(signed_in, org_a):
    upload = SimpleUploadedFile("people.csv", csv_bytes(GOOD), content_type="text/csv")
    response = signed_in.post("/insights/htcds/import", {"file": upload})
    assert response.status_code == 200
    page = response.content.decode()
    assert "3 survivor(s) and 2 case(s) imported." in page
    assert "vic_TraffickingStatus" in page  # said not imported
    assert Survivor.objects.filter(organisation=org_a).count() == 3
    assert Case.objects.filter(organisation=org_a).count() == 2


def test_a_file_that_is_not_a_spreadsheet_is_refused_naming_the_field(signed_in):
    upload = SimpleUploadedFile("people.pdf", b"%PDF-1.4", content_type="application/pdf")
    response = signed_in.post("/insights/htcds/import", {"file": upload})
    assert response.status_code == 422 and "must be a .csv or .xlsx file" in response.content.decode()


def test_a_large_import_runs_as_a_job_and_its_page_lists_the_errors(
        signed_in, org_a, settings, django_capture_on_commit_callbacks):
    settings.NORTHSTAR_HTCDS_IMPORT_INLINE_BYTES = 10
    upload = SimpleUploadedFile("people.csv", csv_bytes(BAD), content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        job = _job_of(signed_in.post("/insights/htcds/import", {"file": upload}))
    job.refresh_from_db()
    job.refresh_from_db()
    assert job.status == "done" and "file" not in job.params  # the sealed upload is not kept
    page = signed_in.get(f"/insights/htcds/jobs/{job.pk}/").content.decode()
    assert "Nothing was imported" in page and "Row 3, field prs_Birthdate" in page
    assert not Survivor.objects.filter(organisation=org_a).exists()
    good = SimpleUploadedFile("people.csv", csv_bytes(GOOD), content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        job = _job_of(signed_in.post("/insights/htcds/import", {"file": good}))
    job.refresh_from_db()
    page = signed_in.get(f"/insights/htcds/jobs/{job.pk}/").content.decode()
    assert "3 survivor(s) and 2 case(s) imported." in page
    assert Survivor.objects.filter(organisation=org_a).count() == 3


@pytest.mark.parametrize("who", [("a", Role.CASEWORKER), ("a", Role.RESEARCHER),
                                 ("a", Role.FUNDER), ("a", Role.GOVERNMENT)])
def test_anyone_but_the_organisations_supervisors_and_org_admins_gets_404(
        who, users, client, supervisor, django_capture_on_commit_callbacks):
    owner = _client_of(supervisor)
    with django_capture_on_commit_callbacks(execute=True):
        job = _job_of(owner.post("/insights/htcds/export", {"format": "csv"}))
    job.refresh_from_db()
    client.force_login(users[who])
    for url in ("/insights/htcds/", "/insights/htcds/import", f"/insights/htcds/jobs/{job.pk}/"):
        assert client.get(url).status_code == 404, (who, url)
    assert client.post("/insights/htcds/export", {"format": "csv"}).status_code == 404
    assert client.post("/insights/htcds/release", {"k": "11"}).status_code == 404
    api = ApiClient(users[who])
    assert api.post("/api/v1/insights/htcds/exports", {"format": "csv"}).status_code == 404
    assert api.post("/api/v1/insights/htcds/releases", {}).status_code == 404
    assert api.get(f"/api/v1/insights/htcds/jobs/{job.pk}").status_code == 404
    assert api.get(f"/api/v1/insights/htcds/jobs/{job.pk}/file").status_code == 404
    assert Job.objects.count() == 1


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.ORG_ADMIN])
def test_another_organisations_supervisor_sees_nothing_of_ours(
        role, users, client, supervisor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = _job_of(_client_of(supervisor).post("/insights/htcds/export", {"format": "csv"}))
    stranger = users[("b", role)]
    client.force_login(stranger)
    page = client.get("/insights/htcds/").content.decode()  # their own organisation's page
    assert "Nothing exported, released or imported yet." in page
    assert supervisor.username not in page
    assert client.get(f"/insights/htcds/jobs/{job.pk}/").status_code == 404
    api = ApiClient(stranger)
    assert api.get(f"/api/v1/insights/htcds/jobs/{job.pk}").status_code == 404
    assert api.get(f"/api/v1/insights/htcds/jobs/{job.pk}/file").status_code == 404
    assert api.get("/api/v1/insights/htcds/jobs").json() == []


def test_an_org_admin_may_and_another_supervisors_job_is_not_theirs(
        users, client, supervisor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = _job_of(_client_of(supervisor).post("/insights/htcds/export", {"format": "csv"}))
    job.refresh_from_db()
    client.force_login(users[("a", Role.ORG_ADMIN)])
    page = client.get("/insights/htcds/").content.decode()
    assert supervisor.username in page  # the list shows who exported
    assert client.get(f"/insights/htcds/jobs/{job.pk}/").status_code == 404  # the file is not


# --- API --------------------------------------------------------------------------------

def test_the_api_export_job_and_its_file_match_the_command(
        population, supervisor, tmp_path, django_capture_on_commit_callbacks):
    api = ApiClient(supervisor)
    with django_capture_on_commit_callbacks(execute=True):
        started = api.post("/api/v1/insights/htcds/exports", {"format": "csv"})
    assert started.status_code == 202, started.content
    job_id = started.json()["id"]
    body = api.get(f"/api/v1/insights/htcds/jobs/{job_id}").json()
    assert body["kind"] == "export" and body["status"] == "done"
    assert body["started_by"] == supervisor.username
    assert body["file"] == f"/api/v1/insights/htcds/jobs/{job_id}/file"
    data = api.get(body["file"]).content
    assert data == _command(tmp_path, "htcds_export", "--as", supervisor.username)
    listed = api.get("/api/v1/insights/htcds/jobs").json()
    assert [j["id"] for j in listed] == [job_id]


def test_the_api_release_returns_the_report_in_numbers_and_words(
        population, supervisor, tmp_path, django_capture_on_commit_callbacks):
    api = ApiClient(supervisor)
    with django_capture_on_commit_callbacks(execute=True):
        started = api.post("/api/v1/insights/htcds/releases", {"k": 2})
    body = api.get(f"/api/v1/insights/htcds/jobs/{started.json()['id']}").json()
    assert body["kind"] == "release" and body["report"]["k"] == 2
    assert body["report"]["records"] == 4
    assert any("withheld whole" in line for line in body["report_in_words"])
    assert api.get(body["file"]).content == _command(
        tmp_path, "htcds_release", "--as", supervisor.username, "--k", "2")


def test_the_api_release_defaults_to_the_k_of_the_rules(
        population, supervisor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        api = ApiClient(supervisor)
        started = api.post("/api/v1/insights/htcds/releases", {})
    body = api.get(f"/api/v1/insights/htcds/jobs/{started.json()['id']}").json()
    assert body["report"]["k"] == 11


@pytest.mark.parametrize(("path", "body", "field"), [
    ("/api/v1/insights/htcds/exports", {"format": "pdf"}, "format"),
    ("/api/v1/insights/htcds/releases", {"k": 1}, "k"),
    ("/api/v1/insights/htcds/releases", {"k": "eleven"}, "k"),
])
def test_bad_input_is_422_naming_the_field(path, body, field, supervisor):
    response = ApiClient(supervisor).post(path, body)
    assert response.status_code == 422 and response.json()["field"] == field
    assert not Job.objects.exists()


def test_the_api_import_is_all_or_nothing_with_errors_by_row_and_field(
        supervisor, org_a, django_capture_on_commit_callbacks):
    api = ApiClient(supervisor)
    with django_capture_on_commit_callbacks(execute=True):
        started = api.client.post("/api/v1/insights/htcds/imports",
                                  {"file": SimpleUploadedFile("p.csv", csv_bytes(BAD))},
                                  **api.headers)
    assert started.status_code == 202, started.content
    body = api.get(f"/api/v1/insights/htcds/jobs/{started.json()['id']}").json()
    assert body["outcome"]["imported"] == 0
    assert any(e.startswith("Row 3, field prs_Birthdate") for e in body["outcome"]["errors"])
    assert not Survivor.objects.filter(organisation=org_a).exists()
    refused = api.client.post("/api/v1/insights/htcds/imports",
                              {"file": SimpleUploadedFile("p.txt", b"hello")}, **api.headers)
    assert refused.status_code == 422 and refused.json()["field"] == "file"


def test_the_rules_command_lists_the_htcds_rule_files():
    out = io.StringIO()
    call_command("rules", "--set", "htcds_release", stdout=out)
    assert "k = 11, at most 15 % suppressed" in out.getvalue()
    assert "quasi_identifier.age" in out.getvalue()
    out = io.StringIO()
    call_command("rules", "--set", "htcds_mapping", stdout=out)
    assert "map.gender" in out.getvalue() and "withheld." in out.getvalue()

