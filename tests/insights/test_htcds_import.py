"""Importing an HTCDS file or spreadsheet: checked row by row, all or nothing, then sealed,
indexed for name search, audited, with cases."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from openpyxl import Workbook

from northstar.core.models import AuditEntry
from northstar.core.roles import Role
from northstar.insights.htcds import fields as htcds
from northstar.survivors.models import Case, NameToken, Survivor

HEADER = ["prs_FirstName", "prs_SecondName", "prs_Birthdate", "prs_Gender", "prs_Citizenship",
          "prs_MobilePhone", "prs_MailingStreet", "prs_MailingCity", "prs_PrimaryLanguage",
          "vic_TypeOfExploitation", "vic_ForcedLabourIndustry", "vic_LocationOfExploitation",
          "vic_RelationshipToTrafficker", "vic_MethodsOfControl", "vic_TraffickingStatus",
          "cas_Status", "cco_CaseComment"]
GOOD = [
    ["Sokha", "Chan", "1998-04-12", "Feminine", "KH", "+85512345678", "12 River Rd",
     "Phnom Penh", "khm", "ForcedLabour", "F_Construction", "TH", "Unaquainted",
     "WithholdsDocuments;DebtBondage", "ActualVictimOfTrafficking", "Active",
     "Met at the shelter in March."],
    ["Thị Lan", "Nguyễn", "", "TransgenderFeminine", "VN;KH", "", "", "", "vi",
     "SexualExploitation;ForcedLabour", "", "MY", "", "", "", "Closed", ""],
    ["Aung", "Kyaw", "1990-01-01", "Masculine", "MM", "+959123456", "", "", "bur", "", "", "",
     "", "", "", "", ""],
]


def csv_bytes(rows, header=HEADER) -> bytes:
    lines = [",".join(header)] + [",".join(f'"{c}"' for c in row) for row in rows]
    return ("\n".join(lines) + "\n").encode()


def _import(tmp_path, user, data: bytes, name="people.csv"):
    path = tmp_path / name
    path.write_bytes(data)
    out, err = io.StringIO(), io.StringIO()
    call_command("htcds_import", str(path), "--as", user.username, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def admin_a(users):
    return users[("a", Role.ORG_ADMIN)]


def test_a_good_file_creates_sealed_indexed_audited_survivors_and_their_cases(
        tmp_path, admin_a, caseworker, org_a, api):
    out, err = _import(tmp_path, admin_a, csv_bytes(GOOD))
    assert "3 survivor(s) and 2 case(s) imported into ORGA" in out
    assert "vic_TraffickingStatus" in out  # said not imported, not silently dropped
    assert "checking " in err and "importing [" in err and "3/3 (100%)" in err  # the bars
    people = {s.nationality: s for s in Survivor.objects.filter(organisation=org_a)}
    sokha = people["KH"]
    assert str(sokha.given_name) == "•••" and sokha.gender == "woman"
    assert sokha.birth_year == 1998 and sokha.preferred_language == "km"  # from ISO 639-2 khm
    assert people["MM"].languages == ["my"]  # from the bibliographic code bur
    with connection.cursor() as cursor:
        cursor.execute("SELECT given_name, phone, address FROM survivors_survivor WHERE id = %s",
                       [sokha.pk])
        sealed = cursor.fetchone()
    assert all(v.startswith("ns1.") and "Sokha" not in v and "River" not in v for v in sealed)
    assert NameToken.objects.filter(survivor=sokha).exists()
    case = Case.objects.get(survivor=sokha)
    assert case.forms_of_exploitation == ["labour"] and case.sectors == ["construction"]
    assert case.country_of_destination == "TH" and case.relationship_to_offender == "stranger"
    assert case.documents_held_by_employer == "yes" and case.jurisdiction == "TH"
    assert case.reference == f"{sokha.reference}-C1"
    with connection.cursor() as cursor:
        cursor.execute("SELECT summary FROM survivors_case WHERE id = %s", [case.pk])
        assert cursor.fetchone()[0].startswith("ns1.")
    lan = people["VN"]
    assert lan.gender == "transgender_woman"
    assert Case.objects.get(survivor=lan).forms_of_exploitation == ["sex", "labour"]
    assert Case.objects.get(survivor=lan).status == "closed"
    assert not Case.objects.filter(survivor=people["MM"]).exists()  # no type: no case
    survivors_entry = AuditEntry.objects.get(record_type="survivor", note__startswith="bulk")
    assert sorted(survivors_entry.record_ids) == sorted(str(p.pk) for p in people.values())
    cases_entry = AuditEntry.objects.get(record_type="case", note__startswith="bulk import")
    assert len(cases_entry.record_ids) == 2
    hits = api(caseworker).get("/api/v1/survivors/search?q=Nguyen Lan").json()
    assert hits[0]["id"] == lan.pk


def test_one_bad_row_writes_nothing_and_every_error_names_its_row_and_field(tmp_path, admin_a):
    bad = [*GOOD,
           ["Dara", "Meas", "12/04/1998", "Female", "KH", "", "", "", "km", "ForcedLabour", "",
            "Thailand", "", "", "", "Active", ""],
           ["", "", "", "Feminine", "KH", "", "", "", "km", "", "", "", "", "", "", "", ""]]
    with pytest.raises(CommandError) as refused:
        _import(tmp_path, admin_a, csv_bytes(bad))
    message = str(refused.value)
    assert message.startswith("Nothing was imported:")
    assert "Row 5, field prs_Birthdate: must be a date as YYYY-MM-DD." in message
    assert "Row 5, field prs_Gender: 'Female' is not a value of the picklist" in message
    assert "Row 5, field vic_LocationOfExploitation: Thailand is not an ISO 3166-1" in message
    assert "Row 6, field prs_FirstName: a record needs a name or a phone number." in message
    assert Survivor.objects.count() == 0 and Case.objects.count() == 0
    assert NameToken.objects.count() == 0
    assert not AuditEntry.objects.filter(note__startswith="bulk import").exists()


def test_a_kobo_export_of_the_standards_survey_form_is_imported(tmp_path, admin_a, org_a):
    """ODK/KoBo: the XLSForm's own column names, space-separated multiple choices, and the
    tool's bookkeeping columns."""
    header = ["start", "end", "prs_First_Name", "prs_Second_Name", "prs_Gender",
              "vic_TypeOfExploitation", "vic_Methods_of_Control", "_id", "_uuid",
              "_submission_time"]
    row = ["2024-05-01T10:00:00", "2024-05-01T10:20:00", "Sokha", "Chan", "Feminine",
           "SexualExploitation ForcedLabour", "WithholdsDocuments DebtBondage", "17",
           "6f1c", "2024-05-01T10:21:00"]
    out, _err = _import(tmp_path, admin_a, csv_bytes([row], header), "kobo.csv")
    assert "1 survivor(s) and 1 case(s) imported" in out
    case = Case.objects.get(organisation=org_a)
    assert case.forms_of_exploitation == ["sex", "labour"]
    assert case.documents_held_by_employer == "yes"
    assert "_uuid" in out  # said not imported


def test_the_standards_empty_template_imports_nothing(tmp_path, admin_a):
    book = Workbook()
    book.active.append(HEADER)
    data = io.BytesIO()
    book.save(data)
    with pytest.raises(CommandError, match="The file has a header but no rows"):
        _import(tmp_path, admin_a, data.getvalue(), "empty.xlsx")


def test_an_unknown_column_is_refused_by_name(tmp_path, admin_a):
    with pytest.raises(CommandError, match="Header, field prs_Nickname: not a field of HTCDS"):
        _import(tmp_path, admin_a, csv_bytes([["Sokha", "x"]], ["prs_FirstName", "prs_Nickname"]))


def test_a_spreadsheet_in_the_standards_excel_layout_is_imported(tmp_path, admin_a, org_a):
    """As the toolkit's own template: row numbers in an unnamed column A, field names in row 1
    (one misspelt), labels in row 2 not in the same order, a checkbox and a date typed in
    Excel, and a thousand formatted but empty rows."""
    std = htcds.standard().fields
    book = Workbook()
    sheet = book.active
    header = ["prs_FirstName", "prs_SecondName", "prs_Birthdate", "con_Consent",
              "vic_TraffickinStatusDecisionMakingOrg", "vic_TypeOfExploitation"]
    labels = [std[h].label for h in ["prs_SecondName", "prs_FirstName", "prs_Birthdate",
                                     "con_Consent", "vic_TraffickingStatusDecisionMakingOrg",
                                     "vic_TypeOfExploitation"]]
    sheet.append([None, *header])
    sheet.append([None, *labels])
    sheet.append([1, "Sokha", "Chan", dt.datetime(1998, 4, 12), True, "NGO", "ForcedLabour"])
    sheet.append([2, "Dara", "Meas", None, False, None, None])
    for n in range(3, 1000):
        sheet.append([n])
    data = io.BytesIO()
    book.save(data)
    out, _err = _import(tmp_path, admin_a, data.getvalue(), "people.xlsx")
    assert "2 survivor(s) and 1 case(s) imported" in out
    sokha = next(s for s in Survivor.objects.filter(organisation=org_a) if s.birth_year)
    assert sokha.birth_year == 1998
    assert "vic_TraffickingStatusDecisionMakingOrg" in out  # read, and said not imported


def test_a_spreadsheet_headed_by_labels_names_errors_by_spreadsheet_row(tmp_path, admin_a):
    book = Workbook()
    sheet = book.active
    sheet.append(["First Name", "Second Name", "Gender", "Type of Exploitation"])
    sheet.append(["Sokha", "Chan", "Feminine", "ForcedLabour"])
    sheet.append(["Dara", "Meas", "woman", "ForcedLabour"])
    data = io.BytesIO()
    book.save(data)
    with pytest.raises(CommandError, match="Row 3, field prs_Gender: 'woman' is not a value"):
        _import(tmp_path, admin_a, data.getvalue(), "people.xlsx")
    assert Survivor.objects.count() == 0


def test_only_supervisors_and_org_admins_import(tmp_path, caseworker):
    with pytest.raises(CommandError, match="may not exchange HTCDS files"):
        _import(tmp_path, caseworker, csv_bytes(GOOD))
    assert Survivor.objects.count() == 0
