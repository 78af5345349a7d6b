"""Bulk import from CSV: checked row by row, all or nothing, sealed, indexed, audited per batch."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from northstar.core.actor import Actor
from northstar.core.models import AuditEntry, Job
from northstar.survivors import importer
from northstar.survivors.models import NameToken, Survivor

GOOD = (
    "given_name,family_name,date_of_birth,phone,sex,nationality,languages,interpreter_needed\n"
    "Sokha,Chan,1998-04-12,+855 12 345 678,female,KH,km,yes\n"
    "Thị Lan,Nguyễn,,0912 345 678,female,VN,vi;en,no\n"
)


def test_a_good_file_is_imported_sealed_indexed_and_audited_per_batch(api, caseworker, org_a,
                                                                       tmp_path):
    path = tmp_path / "people.csv"
    path.write_text(GOOD, encoding="utf-8")
    call_command("import_survivors", str(path), "--organisation", org_a.code,
                 "--as", caseworker.username)
    people = list(Survivor.objects.filter(organisation=org_a))
    assert len(people) == 2
    lan = next(p for p in people if p.nationality == "VN")
    assert lan.languages == ["vi", "en"] and lan.interpreter_needed is False
    assert str(lan.given_name) == "•••"  # sealed, opened only on purpose
    assert NameToken.objects.filter(survivor=lan).exists()
    entry = AuditEntry.objects.get(note__startswith="bulk import")
    assert sorted(entry.record_ids) == sorted(str(p.pk) for p in people)
    # Found by name at once, through the same index as every other record.
    hits = api(caseworker).get("/api/v1/survivors/search?q=Nguyen Lan").json()
    assert hits[0]["id"] == lan.pk


def test_a_bad_row_names_its_row_and_column_and_nothing_is_written(org_a, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text(GOOD + "Dara,Meas,12/04/1998,,female,KH,km,no\n"
                    "Bopha,Kim,,,alien,KH,km,no\n", encoding="utf-8")
    with pytest.raises(CommandError) as refused:
        call_command("import_survivors", str(path), "--organisation", org_a.code)
    message = str(refused.value)
    assert "Row 4, column date_of_birth: must be a date as YYYY-MM-DD." in message
    assert "Row 5, column sex" in message
    assert Survivor.objects.count() == 0 and NameToken.objects.count() == 0


def test_an_unknown_column_is_refused_by_name(org_a):
    with pytest.raises(importer.ImportRefused) as refused:
        importer.read_rows("given_name,surname\nSokha,Chan\n")
    assert "Column “surname”" in refused.value.errors[0]


def test_the_import_runs_as_a_job_with_progress_and_keeps_the_file_sealed(
        caseworker, org_a, django_capture_on_commit_callbacks):
    rows = [{"given_name": f"Person{i}", "family_name": "Demo", "sex": "female"}
            for i in range(importer.BATCH + 5)]
    with django_capture_on_commit_callbacks(execute=True):
        job = importer.submit_import(Actor.for_user(caseworker, "web"), org_a,
                                     importer.rows_to_csv(rows))
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.message
    assert job.result == {"imported": importer.BATCH + 5, "errors": []}
    assert job.done == job.total == importer.BATCH + 5
    assert "Person1" not in str(job.params)
    assert AuditEntry.objects.filter(note__startswith="bulk import").count() == 2


def test_a_refused_file_in_a_job_reports_its_errors(caseworker, org_a,
                                                     django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = importer.submit_import(Actor.for_user(caseworker, "web"), org_a,
                                     "given_name,date_of_birth\nSokha,tomorrow\n")
    job.refresh_from_db()
    assert job.result["imported"] == 0
    assert job.result["errors"] == ["Row 2, column date_of_birth: must be a date as YYYY-MM-DD."]
    assert Survivor.objects.count() == 0


@pytest.mark.parametrize("birth", ["2015-03-01", ""], ids=["child", "age unknown"])
def test_an_imported_child_is_never_named_in_public_advocacy(birth):
    """The same rule as every other channel: a child, or someone whose age is unknown,
    takes part in advocacy only anonymously."""
    with pytest.raises(importer.ImportRefused) as refused:
        importer.read_rows("given_name,family_name,date_of_birth,advocacy_visibility\n"
                           f"Dara,Kim,{birth},public\n")
    assert refused.value.errors[0].startswith("Row 2, column advocacy_visibility: a child")
    assert importer.read_rows("given_name,family_name,date_of_birth,advocacy_visibility\n"
                              "Dara,Kim,1990-03-01,public\n")
