"""The caseload as CSV/XLSX (a job; personal fields only on explicit choice; audited; no
formula can run) and the case summary as PDF in the survivor's or the reader's language."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from northstar.core.models import AuditEntry, Job
from northstar.core.roles import Role
from northstar.documents import exports
from northstar.survivors import actions as survivor_actions


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _export(client, capture, **form):
    with capture(execute=True):
        response = client.post("/documents/exports/caseload/", form)
    assert response.status_code == 302, response.content[:300]
    job = Job.objects.get(pk=int(response.url.rstrip("/").rsplit("/", 1)[-1]))
    page = client.get(response.url).content.decode()
    assert 'data-status="done"' in page, page[:500]
    return client.get(f"/jobs/{job.pk}/download"), job


def _rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_a_caseload_export_holds_no_personal_data_unless_chosen(
        case_a, survivor_a, caseworker, django_capture_on_commit_callbacks):
    client = _signed_in(caseworker)
    response, job = _export(client, django_capture_on_commit_callbacks, format="csv")
    assert response["Content-Disposition"].startswith("attachment")
    rows = _rows(response)
    assert rows[0][:3] == ["Case", "Survivor", "Status"]
    assert [case_a.reference, survivor_a.reference] == rows[1][:2]
    text = response.content.decode("utf-8-sig")
    assert "Demo Sokha" not in text and "+855" not in text and "1998-04-12" not in text
    assert "Labour exploitation" in text or "labour" not in text  # labels, not codes
    entry = AuditEntry.objects.filter(action="export", record_type="case").get()
    assert entry.record_ids == [str(case_a.pk)]


def test_personal_fields_only_with_the_explicit_choice_and_each_survivor_is_named_in_the_log(
        case_a, survivor_a, caseworker, django_capture_on_commit_callbacks):
    response, _ = _export(_signed_in(caseworker), django_capture_on_commit_callbacks,
                          format="csv", personal="on")
    rows = _rows(response)
    assert "First name" in rows[0] and "Demo Sokha" in rows[1]
    entry = AuditEntry.objects.filter(action="export", record_type="survivor").get()
    assert entry.record_ids == [str(survivor_a.pk)]
    assert {"given_name", "phone"} <= set(entry.fields)


def test_the_xlsx_export_opens_with_every_cell_as_text(case_a, caseworker,
                                                         django_capture_on_commit_callbacks):
    response, _ = _export(_signed_in(caseworker), django_capture_on_commit_callbacks,
                          format="xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A1"].value == "Case" and sheet["A2"].value == case_a.reference
    assert all(cell.data_type == "s" for cell in sheet[2] if cell.value is not None)


@pytest.mark.parametrize("typed", ["=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)",
                                   "\t=1"])
def test_a_cell_that_would_run_as_a_formula_is_made_text(typed):
    assert exports.safe_cell(typed) == "'" + typed
    assert exports.safe_cell("Sokha") == "Sokha"


def test_a_formula_typed_into_a_record_reaches_the_csv_as_text(
        survivor_a, caseworker, actor_for, django_capture_on_commit_callbacks):
    survivor_actions.create_case(actor_for(caseworker), survivor_a, data={
        "forms_of_exploitation": ["labour"]})
    survivor = survivor_actions.create_survivor(actor_for(caseworker), data={
        "given_name": "=cmd|' /C calc'!A0", "family_name": "X", "sex": "female"})
    survivor_actions.create_case(actor_for(caseworker), survivor,
                                 data={"forms_of_exploitation": ["labour"]})
    response, _ = _export(_signed_in(caseworker), django_capture_on_commit_callbacks,
                          format="csv", personal="on")
    assert "'=cmd|' /C calc'!A0" in response.content.decode("utf-8-sig")


def test_another_user_cannot_open_someone_elses_export(case_a, caseworker, supervisor,
                                                      django_capture_on_commit_callbacks):
    _, job = _export(_signed_in(caseworker), django_capture_on_commit_callbacks, format="csv")
    assert _signed_in(supervisor).get(f"/jobs/{job.pk}/download").status_code == 404


@pytest.mark.parametrize("role", [Role.RESEARCHER, Role.COUNCIL_COORDINATOR, Role.ORG_ADMIN])
def test_roles_without_records_cannot_export_the_caseload(role, users):
    assert _signed_in(users[("a", role)]).get("/documents/exports/caseload/").status_code == 403


def test_the_case_summary_pdf_in_the_survivors_language_is_an_audited_export(case_a,
                                                                            caseworker):
    response = _signed_in(caseworker).get(f"/documents/cases/{case_a.pk}/summary.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert response["Content-Disposition"].startswith("attachment")
    assert f"-{case_a.survivor.preferred_language}.pdf" in response["Content-Disposition"]
    entry = AuditEntry.objects.filter(action="export", record_type="case").get()
    assert entry.record_ids == [str(case_a.pk)] and "summary" in entry.fields


def test_the_case_summary_in_the_staff_language_and_404_for_another_organisation(
        case_a, caseworker, other_caseworker):
    client = _signed_in(caseworker)
    response = client.get(f"/documents/cases/{case_a.pk}/summary.pdf?language=staff")
    assert response.status_code == 200 and "-en.pdf" in response["Content-Disposition"]
    assert client.get(f"/documents/cases/{case_a.pk}/summary.pdf?language=xx").status_code == 422
    other = _signed_in(other_caseworker)
    assert other.get(f"/documents/cases/{case_a.pk}/summary.pdf").status_code == 404
