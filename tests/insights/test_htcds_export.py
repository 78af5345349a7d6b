"""The HTCDS v2.0 case file: every core field, valid picklist values, no identifier, only
consented survivors, audited, for supervisors and org admins, also as a job."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from northstar.core import jobs
from northstar.core.models import AuditEntry, Job
from northstar.core.roles import Role
from northstar.insights.htcds import export, files
from northstar.insights.htcds import fields as htcds
from northstar.insights.htcds.mapping import mapping, validate
from northstar.screening.actions import screen_case
from northstar.survivors import actions

PEOPLE = [
    # given, family, dob, phone, gender, nationality, forms, sectors, destination
    ("Sokha", "Chanthavong", "1998-04-12", "+85512345678", "woman", "KH", ["labour"],
     ["fishing"], "TH"),
    ("Thida", "Wiriyakul", "2001-11-30", "+66812345678", "transgender_woman", "MM",
     ["sex", "labour"], ["entertainment", "manufacturing"], "TH"),
    ("Bopharath", "Keomanivong", "", "+85598765432", "man", "LA", ["forced_criminality"],
     ["online_scam"], "KH"),
    ("Maricel", "Dumaguete", "1990-02-03", "", "non_binary", "PH", ["domestic_servitude"],
     ["domestic_work"], "MY"),
]
SUMMARY = "Kept on the Lucky Star boat by Captain Somchai near Ranong pier."
ADDRESS = "House 12, Preah Sisowath Quay"


def _person(actor, org, i, given, family, dob, phone, gender, nationality, forms, sectors,
            destination, *, consent="statistics"):
    survivor = actions.create_survivor(actor, data={
        "given_name": given, "family_name": family, "date_of_birth": dob, "phone": phone,
        "address": ADDRESS, "aliases": f"{given}ie", "contact_notes": "Call after 6pm at Mama Noy",
        "sex": "female", "gender": gender, "nationality": nationality,
        "languages": ["km"], "preferred_language": "km"})
    case = actions.create_case(actor, survivor, data={
        "forms_of_exploitation": forms, "sectors": sectors, "country_of_origin": nationality,
        "country_of_destination": destination, "period_start": dt.date(2024, 3, 1 + i),
        "relationship_to_offender": ["stranger", "family", "community", "unknown"][i % 4],
        "recruitment_method": ["job_offer", "recruitment_agency", "online", "unknown"][i % 4],
        "documents_held_by_employer": "yes" if i % 2 else "unknown",
        "summary": SUMMARY})
    if consent:
        actions.record_consent(actor, survivor, purpose=consent, language="km", method="verbal",
                               scope_note="Told by Auntie Noy in Phnom Penh")
    return survivor, case


@pytest.fixture
def population(caseworker, actor_for, org_a):
    actor = actor_for(caseworker)
    made = [_person(actor, org_a, i, *p) for i, p in enumerate(PEOPLE)]
    screen_case(actor, made[0][1], answers={
        "act": ["recruitment"], "means": ["deception"], "purpose": ["forced_labour"],
        "indicators": {}})
    # Consented to research only, and one who withdrew statistics: neither is exported.
    _person(actor, org_a, 5, "Research", "Onlyperson", "1995-01-01", "+85511111111", "woman",
            "KH", ["labour"], [], "TH", consent="research")
    gone, _ = _person(actor, org_a, 6, "Withdrawn", "Personname", "1994-01-01", "+85522222222",
                      "woman", "KH", ["labour"], [], "TH")
    consent = gone.consents.get(purpose="statistics")
    consent.withdrawn_at = timezone.now()
    consent.save()
    return made


def _export(tmp_path, user, name="out.csv", *extra):
    out = tmp_path / name
    call_command("htcds_export", "--as", user.username, "--out", str(out), *extra)
    return out.read_bytes()


def _rows(data: bytes):
    reader = csv.DictReader(io.StringIO(data.decode()))
    return reader.fieldnames, list(reader)


def test_the_export_validates_against_the_field_list_and_every_picklist(population, supervisor,
                                                                        tmp_path):
    header, rows = _rows(_export(tmp_path, supervisor))
    std = htcds.standard()
    assert {f.name for f in std.core} <= set(header)
    assert len(rows) == len(PEOPLE)
    assert validate(header, rows) == []
    # Checked again here, not through the validator: each picklist cell is a value name.
    for row in rows:
        for name, value in row.items():
            f = std.fields.get(name)
            if value and f is not None and f.picklist:
                parts = value.split(";") if f.multi else [value]
                assert set(parts) <= set(f.values), (name, value)
    first = next(r for r in rows if r["prs_Citizenship"] == "KH")
    assert first["prs_Gender"] == "Feminine"
    assert first["vic_TypeOfExploitation"] == "ForcedLabour"
    assert first["vic_ForcedLabourIndustry"] == "A_AgricultureForestryAndFishing"
    assert first["vic_LocationOfExploitation"] == "TH"
    assert first["vic_AgeWhenTrafficked"] == "25"
    assert first["vic_TraffickingStatus"] == "ActualVictimOfTrafficking"
    assert first["vic_TraffickingStatusDecisionMakingOrg"] == "NGO"
    assert first["con_Consent"] == "TRUE"
    assert first["prs_PrimaryLanguage"] == "km"
    two = next(r for r in rows if r["prs_Citizenship"] == "MM")
    assert two["vic_TypeOfExploitation"] == "ForcedLabour;SexualExploitation"
    assert two["vic_ForcedLabourIndustry"] == ""  # two ISIC sections: no single answer
    assert two["vic_MethodsOfControl"] == "WithholdsDocuments"
    laos = next(r for r in rows if r["prs_Citizenship"] == "LA")
    assert laos["vic_AgeWhenTrafficked"] == ""  # no date of birth: no age, never a guess
    assert laos["vic_TraffickingStatus"] == ""  # not screened


def test_a_picklist_value_outside_the_standard_is_named_by_row_and_field():
    std = htcds.standard()
    header = [f.name for f in std.core]
    good = dict.fromkeys(header, "")
    bad = {**good, "prs_Gender": "Female", "prs_Citizenship": "XX", "cas_IncomingReferralDate":
           "12/04/2024", "vic_TypeOfExploitation": "ForcedLabour;Trafficking"}
    problems = [str(p) for p in validate(header, [good, bad])]
    assert "Row 3, field prs_Gender: 'Female' is not a value of the picklist" in problems[0]
    assert any(p.startswith("Row 3, field prs_Citizenship: XX") for p in problems)
    assert any(p.startswith("Row 3, field cas_IncomingReferralDate: must be a date")
               for p in problems)
    assert any("'Trafficking' is not a value" in p for p in problems)
    missing = validate(header[1:], [])
    assert [str(p) for p in missing] == [f"Header, field {header[0]}: core field missing"]


def _xlsx_text(data: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return b"".join(z.read(name) for name in z.namelist())


def test_no_name_date_of_birth_phone_address_or_free_text_in_the_file(population, supervisor,
                                                                      caseworker, tmp_path):
    csv_bytes = _export(tmp_path, supervisor)
    xlsx_bytes = _xlsx_text(_export(tmp_path, supervisor, "out.xlsx"))
    secrets = [ADDRESS, SUMMARY, "Lucky Star", "Mama Noy", "Auntie Noy", caseworker.username,
               supervisor.username]
    for given, family, dob, phone, *_rest in PEOPLE:
        secrets += [given, family, f"{given}ie", phone, phone.lstrip("+")]
        if dob:
            secrets += [dob, dob.replace("-", "/"), dob[5:]]
    for data in (csv_bytes, xlsx_bytes):
        for secret in filter(None, secrets):
            assert secret.encode() not in data, secret
    # The withheld columns are there (every core field is) and always empty.
    header, rows = _rows(csv_bytes)
    for name in mapping().withheld:
        assert name in header and all(r[name] == "" for r in rows)


def test_only_survivors_consenting_to_statistics_are_exported(population, supervisor, tmp_path):
    header, rows = _rows(_export(tmp_path, supervisor))
    assert len(rows) == len(PEOPLE)  # not the research-only one, not the withdrawn one


def test_the_xlsx_is_laid_out_as_the_standards_excel_toolkit(population, supervisor, tmp_path):
    data = _export(tmp_path, supervisor, "out.xlsx")
    table = files.read(data, "out.xlsx")
    assert table.first_row == 3  # field names (hidden) in row 1, labels in row 2
    assert len(table.rows) == len(PEOPLE)
    assert validate(table.header, table.rows) == []


def test_the_export_is_audited_and_only_for_supervisors_and_org_admins(
        population, supervisor, caseworker, users, tmp_path):
    with pytest.raises(CommandError, match="only an organisation's supervisors and org admins"):
        _export(tmp_path, caseworker)
    with pytest.raises(CommandError):
        _export(tmp_path, users[("a", Role.RESEARCHER)])
    _export(tmp_path, users[("a", Role.ORG_ADMIN)])
    entry = AuditEntry.objects.filter(action="export", record_type="case").latest("id")
    assert sorted(entry.record_ids) == sorted(str(case.pk) for _s, case in population)
    assert "HTCDS" in entry.note and "prs_FirstName" not in entry.fields
    ages = AuditEntry.objects.filter(action="export", record_type="survivor").latest("id")
    assert ages.fields == ["date_of_birth"]
    assert len(ages.record_ids) == 3  # three of the four have a date of birth


def test_another_organisations_supervisor_exports_none_of_these(population, users, tmp_path):
    header, rows = _rows(_export(tmp_path, users[("b", Role.SUPERVISOR)]))
    assert rows == []


def test_the_export_runs_as_a_job_whose_file_is_sealed(population, supervisor, actor_for,
                                                        django_capture_on_commit_callbacks):
    actor = actor_for(supervisor, "cli")
    with django_capture_on_commit_callbacks(execute=True):
        submitted = export.submit_export(actor, format="csv")
    job = Job.objects.get(pk=submitted.pk)
    assert job.status == Job.Status.DONE and job.result["rows"] == len(PEOPLE)
    assert b"prs_Gender" not in bytes(job.result_file)  # sealed at rest
    header, rows = _rows(jobs.open_result(actor, job))
    assert validate(header, rows) == [] and len(rows) == len(PEOPLE)
    assert AuditEntry.objects.filter(action="export", record_type="job_result").exists()


def test_a_mapped_value_outside_the_picklist_is_a_rule_data_error(tmp_path):
    from northstar.insights.htcds import mapping as mapping_module
    from northstar.rules.errors import RuleDataError

    text = mapping_module.MAPPING_FILE.read_text(encoding="utf-8")
    broken = tmp_path / "mapping.toml"
    broken.write_text(text.replace('woman = "Feminine"', 'woman = "Female"', 1), encoding="utf-8")
    with pytest.raises(RuleDataError, match="map gender: 'Female' is not a value of prs_Gender"):
        mapping_module._check(mapping_module.load(broken, mapping_module.MappingFile))


def test_a_release_of_a_small_organisation_publishes_no_one(population, supervisor, tmp_path):
    out = tmp_path / "release.csv"
    printed = io.StringIO()
    call_command("htcds_release", "--as", supervisor.username, "--out", str(out), stdout=printed)
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1  # the header only: four people cannot hide among eleven
    assert "0 of 4 record(s) released, 4 suppressed (100.0 %)" in printed.getvalue()
    assert AuditEntry.objects.filter(action="export", record_type="case").exists()
