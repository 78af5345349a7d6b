"""Import an HTCDS file or a spreadsheet (CSV/XLSX) into an organisation: a migration from
Excel or another case system. Every row is checked first; any error and nothing is
written, and the refusal lists every error by row and field (up to ``MAX_ERRORS``).

Each row becomes a survivor and, when it says a type of exploitation, one case, written by
``survivors.importer`` (the CSV bulk import: sealed personal fields, the duplicate key, the
name search index, one audit entry per batch, one transaction). Rows are checked twice:
against the standard (``fields.validate``: picklists, dates, country and language codes)
and as every other channel checks a survivor and a case (``importer.check_row``,
``validation.clean_case``), the error naming the HTCDS field.

What maps where (the value maps are ``rules/mapping.toml`` read backwards):

- prs_FirstName (+ prs_MiddleName) → given name; prs_SecondName → family name;
  prs_Birthdate → date of birth; prs_MobilePhone, else prs_HomePhone → phone;
  prs_Mailing* → address (one sealed text); prs_Email → contact notes (sealed);
  prs_Gender → gender; prs_Citizenship → nationality (the first code: Northstar records
  one); prs_PrimaryLanguage and
  prs_SecondaryLanguage → languages (ISO 639-2 codes such as khm or bur read as km, my;
  the primary is the preferred language);
- vic_TypeOfExploitation → the case's forms of exploitation (no type: no case);
  vic_ForcedLabourIndustry → sector (where one Northstar sector matches);
  vic_LocationOfExploitation → country of destination; vic_RelationshipToTrafficker,
  vic_MethodOfRecruitment (the first value) → the case's fields; "WithholdsDocuments" in
  vic_MethodsOfControl → passport held by the employer; cas_Status → status;
  cco_CaseComment, hte_Description, vic_DetailsOfVulnerabilities and the referral and
  closure details → the case summary (sealed), each under its label.

Not imported (listed in the result): a trafficking status (in Northstar a screening
decides it, not a copied label), referral organisations and dates (a referral needs the
survivor's consent naming the recipient), consent (Northstar records each consent per
purpose, as it was explained: ask again), and fields Northstar has no place for.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from northstar.core.actor import Actor
from northstar.core.errors import DomainError
from northstar.core.models import Organisation
from northstar.insights.htcds import fields as htcds
from northstar.insights.htcds import files
from northstar.insights.htcds.mapping import mapping, validate
from northstar.survivors import importer
from northstar.survivors.validation import clean_case

MAX_ERRORS = 200
#: The Northstar column each survivor field comes from (errors name the HTCDS field).
SURVIVOR_SOURCES = {
    "given_name": "prs_FirstName", "family_name": "prs_SecondName",
    "date_of_birth": "prs_Birthdate", "phone": "prs_MobilePhone", "address": "prs_MailingStreet",
    "contact_notes": "prs_Email", "gender": "prs_Gender", "nationality": "prs_Citizenship",
    "languages": "prs_PrimaryLanguage", "preferred_language": "prs_PrimaryLanguage",
    "advocacy_visibility": "prs_Birthdate", "birth_year": "prs_Birthdate",
}
CASE_SOURCES = {
    "forms_of_exploitation": "vic_TypeOfExploitation", "sectors": "vic_ForcedLabourIndustry",
    "country_of_destination": "vic_LocationOfExploitation",
    "relationship_to_offender": "vic_RelationshipToTrafficker",
    "recruitment_method": "vic_MethodOfRecruitment",
    "documents_held_by_employer": "vic_MethodsOfControl", "status": "cas_Status",
    "summary": "cco_CaseComment",
}
ADDRESS = ("prs_MailingStreet", "prs_MailingCity", "prs_MailingState", "prs_MailingPostalCode",
           "prs_MailingCountry")
SUMMARY = ("cco_CaseComment", "hte_Description", "vic_DetailsOfVulnerabilities",
           "cas_IncomingReferralDetails", "cas_OutgoingReferralDetails",
           "cas_ReasonForCaseClosure")
USED = {*SURVIVOR_SOURCES.values(), *CASE_SOURCES.values(), *ADDRESS, *SUMMARY,
        "prs_MiddleName", "prs_HomePhone", "prs_SecondaryLanguage"}


class HtcdsImportRefused(importer.ImportRefused):
    """The file, refused whole; ``errors`` lists every problem by row and field."""


@dataclass
class Plan:
    """What a checked file will write."""

    survivors: list[dict]
    cases: list[dict | None]
    not_imported: list[str] = field(default_factory=list)


def _survivor_raw(row: dict[str, str]) -> dict[str, str]:
    m = mapping()
    first = " ".join(p for p in (row.get("prs_FirstName", ""), row.get("prs_MiddleName", ""))
                     if p)
    languages = [htcds.language_code(c) for c in (row.get("prs_PrimaryLanguage", ""),
                                                   row.get("prs_SecondaryLanguage", "")) if c]
    raw = {
        "given_name": first, "family_name": row.get("prs_SecondName", ""),
        "date_of_birth": row.get("prs_Birthdate", ""),
        "phone": row.get("prs_MobilePhone") or row.get("prs_HomePhone") or "",
        "address": ", ".join(row[k] for k in ADDRESS if row.get(k)),
        "contact_notes": f"Email: {row['prs_Email']}" if row.get("prs_Email") else "",
        "nationality": (row.get("prs_Citizenship") or "").split(htcds.MULTI_SEPARATOR)[0],
        "languages": ";".join(dict.fromkeys(languages)),
    }
    if row.get("prs_Gender"):
        raw["gender"] = m.reverse("gender", row["prs_Gender"]) or "unknown"
    if languages:
        raw["preferred_language"] = languages[0]
    return raw


def _case_values(row: dict[str, str]) -> dict | None:
    m = mapping()
    kinds = [v for v in (row.get("vic_TypeOfExploitation") or "").split(htcds.MULTI_SEPARATOR)
             if v]
    if not kinds:
        return None
    data: dict = {"forms_of_exploitation": list(dict.fromkeys(
        m.reverse("exploitation", k) or "other" for k in kinds))}
    sector = m.reverse("industry", row.get("vic_ForcedLabourIndustry", ""))
    if sector:
        data["sectors"] = [sector]
    if row.get("vic_LocationOfExploitation"):
        data["country_of_destination"] = row["vic_LocationOfExploitation"]
    relationship = m.reverse("relationship", row.get("vic_RelationshipToTrafficker", ""))
    if relationship:
        data["relationship_to_offender"] = relationship
    methods = [v for v in (row.get("vic_MethodOfRecruitment") or "").split(htcds.MULTI_SEPARATOR)
               if v]
    recruitment = m.reverse("recruitment", methods[0]) if methods else None
    if recruitment:
        data["recruitment_method"] = recruitment
    if "WithholdsDocuments" in (row.get("vic_MethodsOfControl") or "").split(
            htcds.MULTI_SEPARATOR):
        data["documents_held_by_employer"] = "yes"
    values = clean_case(data)
    status = m.reverse("closed_referred", row.get("cas_Status", ""))
    if status:
        values["status"] = status
    std = htcds.standard().fields
    summary = "\n".join(f"{std[k].label}: {row[k]}" for k in SUMMARY if row.get(k))
    if summary:
        values["summary"] = summary
    return values


def plan(data: bytes, name: str = "", *,
         progress: Callable[[int, int], None] | None = None) -> Plan:
    """The file checked whole: what it will write, or ``HtcdsImportRefused`` with every error.
    ``progress(done, total)`` is told every 500 rows checked."""
    try:
        table = files.read(data, name)
    except files.FileUnreadable as exc:
        raise HtcdsImportRefused([f"The file cannot be read: {exc}."]) from None
    m = mapping()
    if not table.rows:
        raise HtcdsImportRefused(["The file has a header but no rows."])
    if len(table.rows) > importer.MAX_ROWS:
        raise HtcdsImportRefused([f"The file has more than {importer.MAX_ROWS:,} rows: split it."])
    problems = validate(table.header, table.rows, require_core=False, max_problems=MAX_ERRORS,
                        first_row=table.first_row)
    errors = [f"{p}." for p in problems]
    if any(p.row == 1 for p in problems):  # unknown columns: the rows cannot be read right
        raise HtcdsImportRefused(errors)
    bad_rows = {p.row for p in problems}
    survivors, cases = [], []
    total = len(table.rows)
    for done, (number, row) in enumerate(enumerate(table.rows, start=table.first_row), 1):
        if progress and (done % 500 == 0 or done == total):
            progress(done, total)
        if len(errors) >= MAX_ERRORS:
            errors.append(f"Stopped checking at row {number}: fix these first.")
            break
        if number in bad_rows:
            continue
        if not any(row.values()):  # a blank line between records: nothing to import
            continue
        try:
            survivor = importer.check_row(_survivor_raw(row))
        except DomainError as exc:
            errors.append(f"Row {number}, field {SURVIVOR_SOURCES.get(exc.field or '', '?')}: "
                          f"{exc.message}.")
            continue
        try:
            case = _case_values(row)
        except DomainError as exc:
            errors.append(f"Row {number}, field {CASE_SOURCES.get(exc.field or '', '?')}: "
                          f"{exc.message}.")
            continue
        survivors.append(survivor)
        cases.append(case)
    if errors:
        raise HtcdsImportRefused(errors)
    if not survivors:
        raise HtcdsImportRefused(["The file has a header but no rows."])
    ignored = [*table.skipped, *(h for h in table.header if h not in USED
                                 and h not in m.extensions and any(r.get(h) for r in table.rows))]
    return Plan(survivors, cases, not_imported=ignored)


def import_file(actor: Actor, organisation: Organisation, data: bytes, name: str = "", *,
                progress: Callable[[int, int], None] | None = None,
                checking: Callable[[int, int], None] | None = None) -> tuple[list[int], Plan]:
    """Check the whole file, then write it in one transaction: the survivor ids and the plan.
    ``checking`` and ``progress`` are told how far the checks and the writes are."""
    checked = plan(data, name, progress=checking)
    ids = importer.import_rows(actor, organisation, checked.survivors, cases=checked.cases,
                               progress=progress)
    return ids, checked
