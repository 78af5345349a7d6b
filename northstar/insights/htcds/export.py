"""The organisation's case-level HTCDS v2.0 file (CSV, or XLSX laid out as the standard's
Excel toolkit), as a job for a supervisor or org admin; and its k-anonymous release.

What goes in is decided by data (``rules/mapping.toml``): the columns (every core field
of the standard in force, a few safe non-core ones, one declared extension), the value
maps, and the withheld fields — every name, date of birth, contact detail, address,
free-text note, staff name and exact date stays empty whatever the record holds. Only
cases of survivors whose consent for the mapping's purpose (``statistics``) is in force
are exported (``consent.flows_q``, one query). The file is validated against the
standard's field list and picklists before it is written: an invalid file is an error,
never a download.

Organisation names (the only free-form text in the file) go through ``safe_cell``, so a
spreadsheet never runs one as a formula.

Audit: one ``export`` entry naming every case and the columns filled; the dates of birth
opened to compute the age when trafficked (only the age leaves) are one more ``export``
entry naming those survivors and ``date_of_birth``.
"""

from __future__ import annotations

import csv
import io

from django.contrib.auth import get_user_model
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from northstar import policy
from northstar.core import audit, jobs
from northstar.core.actor import Actor
from northstar.core.db import reading_figures
from northstar.core.errors import DomainError, Forbidden
from northstar.core.fields import reveal
from northstar.documents.exports import safe_cell
from northstar.insights.htcds import fields as htcds
from northstar.insights.htcds import release as releasing
from northstar.insights.htcds.mapping import mapping, validate
from northstar.referrals.models import Referral, ReferralStatus
from northstar.screening.models import Screening
from northstar.survivors.consent import flows_q
from northstar.survivors.models import (
    Case,
    CaseStatus,
    StatusChange,
    StatusChangeKind,
    Transfer,
    TransferStatus,
    YesNoUnknown,
)

HTCDS_EXPORT = "insights.htcds_export"
FORMATS = {"csv": ("text/csv; charset=utf-8", "csv"),
           "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx")}
#: A referral the recipient took on: the case was referred to it.
TAKEN_ON = (ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS, ReferralStatus.COMPLETED)


class ExportInvalid(DomainError):
    """The file built does not validate against HTCDS v2.0 (a mapping error): not written."""

    status = 500

    def __init__(self, problems: list[htcds.Problem]):
        self.problems = problems
        super().__init__("The HTCDS file did not validate: "
                         + "; ".join(str(p) for p in problems[:5]), "file")


def exported_cases(actor: Actor):
    """The cases the actor's export holds: own organisation's, consented, oldest first."""
    purpose = mapping().consent_purpose
    latest = Screening.objects.filter(case=OuterRef("pk")).order_by("-created_at", "-id")
    closed = StatusChange.objects.filter(case=OuterRef("pk"), kind=StatusChangeKind.CLOSED
                                         ).order_by("-at", "-id")
    return (policy.htcds_cases(actor).filter(flows_q(purpose, survivor="survivor"))
            .select_related("survivor")
            .annotate(classification=Subquery(latest.values("classification")[:1]),
                      close_reason=Subquery(closed.values("reason")[:1]))
            .order_by("created_at", "pk"))


def _language(survivor) -> str:
    """The survivor's primary language: the preferred one when it is among the languages
    they speak, else the first they speak; none recorded, none exported (the preferred
    language alone may be the platform's default, "en", never asked)."""
    spoken = [(c or "").split("-")[0].lower() for c in survivor.languages or [] if c]
    preferred = (survivor.preferred_language or "").split("-")[0].lower()
    if preferred in spoken:
        return preferred
    return spoken[0] if spoken else ""


def _referrals(cases: list[Case], organisation) -> tuple[dict, dict]:
    """Per case: the organisations it was referred to (out), and the one it came from
    (an accepted transfer in)."""
    out: dict[int, list[str]] = {}
    by_survivor: dict[int, list[int]] = {}
    for case in cases:
        by_survivor.setdefault(case.survivor_id, []).append(case.pk)
    for survivor_id, case_id, name in (Referral.objects
                                       .filter(sender=organisation, status__in=TAKEN_ON,
                                               survivor_id__in=list(by_survivor))
                                       .order_by("sent_at", "pk")
                                       .values_list("survivor_id", "case_id", "recipient__name")):
        for pk in ([case_id] if case_id else by_survivor.get(survivor_id, [])):
            names = out.setdefault(pk, [])
            if name not in names:
                names.append(name)
    incoming = dict(Transfer.objects.filter(to_organisation=organisation,
                                            status=TransferStatus.ACCEPTED,
                                            case_id__in=[c.pk for c in cases])
                    .values_list("case_id", "from_organisation__name"))
    return out, incoming


def case_rows(actor: Actor, *, progress=None) -> tuple[list[str], list[dict[str, str]]]:
    """The header and rows of the actor's HTCDS file, validated and audited."""
    if not policy.may_exchange_htcds(actor):
        raise Forbidden("Only supervisors and org admins export the HTCDS file.")
    m = mapping()
    cases = list(exported_cases(actor))
    organisation = actor.organisation
    referred, incoming = _referrals(cases, organisation)
    decision_org = m.value("decision_org", organisation.kind)
    ages_opened = []
    rows = []
    for i, case in enumerate(cases, 1):
        survivor = case.survivor
        row = dict.fromkeys(m.columns, "")
        row["prs_Gender"] = m.value("gender", survivor.gender)
        row["prs_Citizenship"] = survivor.nationality or ""
        row["prs_PrimaryLanguage"] = _language(survivor)
        status = m.value("trafficking_status", case.classification)
        row["vic_TraffickingStatus"] = status
        row["vic_TraffickingStatusDecisionMakingOrg"] = decision_org if status else ""
        row["vic_RelationshipToTrafficker"] = m.value("relationship", case.relationship_to_offender)
        if case.period_start and reveal(survivor.date_of_birth):
            ages_opened.append(survivor)
            age = survivor.age_on(case.period_start)
            row["vic_AgeWhenTrafficked"] = str(age) if age is not None and age >= 0 else ""
        row["vic_MethodOfRecruitment"] = m.values("recruitment", [case.recruitment_method])
        row["vic_MethodsOfControl"] = m.values(
            "methods_of_control",
            ["documents_held_by_employer"]
            if case.documents_held_by_employer == YesNoUnknown.YES else [])
        row["vic_TypeOfExploitation"] = m.values("exploitation", case.forms_of_exploitation)
        industries = {m.value("industry", s) for s in case.sectors or []}
        row["vic_ForcedLabourIndustry"] = industries.pop() if len(industries) == 1 else ""
        row["vic_LocationOfExploitation"] = case.country_of_destination or ""
        if case.status == CaseStatus.CLOSED and m.value("closed_referred", case.close_reason):
            row["cas_Status"] = m.value("closed_referred", case.close_reason)
        else:
            row["cas_Status"] = m.value("case_status", case.status)
        if case.pk in incoming:
            row["cas_ReferringOrganisation"] = safe_cell(incoming[case.pk])
            row["cas_ReasonForIncomingReferral"] = m.value("referral_reason", "transfer")
        if referred.get(case.pk):
            row["cas_ReferredOrganisation"] = safe_cell(
                htcds.MULTI_SEPARATOR.join(referred[case.pk]))
            row["cas_ReasonForOutgoingReferral"] = m.value("referral_reason", "referral")
        row["con_Consent"] = htcds.TRUE
        row["ext_YearOfRegistration"] = str(timezone.localtime(case.created_at).year)
        for name in m.withheld:  # whatever was set above, a withheld field leaves empty
            row[name] = ""
        rows.append(row)
        if progress and i % 200 == 0:
            progress(i, len(cases))
    header = list(m.columns)
    problems = validate(header, rows)
    if problems:
        raise ExportInvalid(problems)
    filled = sorted({k for row in rows for k, v in row.items() if v})
    audit.record_read(actor, cases, record_type="case", export=True, fields=filled,
                      note=f"HTCDS v{htcds.VERSION} case file: {len(cases)} case(s) with "
                           f"{m.consent_purpose} consent, no identifiers")
    if ages_opened:
        audit.record_read(actor, sorted(set(ages_opened), key=lambda s: s.pk),
                          record_type="survivor", export=True, fields=["date_of_birth"],
                          note="HTCDS export: date of birth opened to compute the age when "
                               "trafficked; only the age is in the file")
    return header, rows


def to_csv(header: list[str], rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def to_xlsx(header: list[str], rows: list[dict[str, str]]) -> bytes:
    """Laid out as the standard's Excel toolkit: row 1 the field names (hidden), row 2 the
    labels, the records from row 3; every cell text."""
    from openpyxl import Workbook  # loaded by the export job only

    std = htcds.standard().fields
    book = Workbook()
    sheet = book.active
    sheet.title = "HTCDS"
    sheet.append(header)
    sheet.append([std[h].label if h in std else h for h in header])
    sheet.row_dimensions[1].hidden = True
    for row in rows:
        sheet.append([row[h] for h in header])
        for cell in sheet[sheet.max_row]:
            cell.data_type = "s"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def release_of(header: list[str], rows: list[dict[str, str]], *, k: int | None = None):
    """The k-anonymous release of an export (``release.anonymise``)."""
    return releasing.anonymise(header, [[r.get(h, "") for h in header] for r in rows], k=k)


def release_csv(result) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(result.header)
    writer.writerows(result.rows)
    return out.getvalue().encode()


def submit_export(actor: Actor, *, format: str = "csv", key: str | None = None):
    if not policy.may_exchange_htcds(actor):
        raise Forbidden("Only supervisors and org admins export the HTCDS file.")
    if format not in FORMATS:
        raise DomainError(f"must be one of {', '.join(FORMATS)}", "format")
    return jobs.submit(HTCDS_EXPORT, key=key, owner=actor.user, organisation=actor.organisation,
                       user_id=actor.user.pk, format=format)


@jobs.task(HTCDS_EXPORT)
@reading_figures()
def htcds_export(job, *, user_id: int, format: str = "csv"):
    user = get_user_model().objects.get(pk=user_id)
    actor = Actor.for_user(user, "job")
    header, rows = case_rows(actor, progress=lambda done, total: jobs.report(job, done, total))
    jobs.report(job, len(rows), len(rows))
    content_type, extension = FORMATS[format]
    data = to_csv(header, rows) if format == "csv" else to_xlsx(header, rows)
    stamp = timezone.localdate().isoformat()
    return jobs.FileResult(f"htcds-{actor.organisation.code}-{stamp}.{extension}", content_type,
                           data, summary={"rows": len(rows), "standard": f"HTCDS {htcds.VERSION}"})
