"""The caseload as CSV or XLSX, as a job; the case summary as a PDF.

Without an explicit choice an export holds no personal data: references, status,
jurisdiction, forms of exploitation, dates, year of birth, sex and nationality. With
"include names and contact details" ticked it adds the sealed fields, opened for the
export. Either way the export is one ``export`` audit entry naming every case (and, with
personal fields, one naming every survivor and the fields opened).

Cells that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return) are prefixed with ``'`` (OWASP "CSV injection").
"""

from __future__ import annotations

import csv
import io

from django.contrib.auth import get_user_model
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from northstar import policy
from northstar.core import audit, jobs
from northstar.core.actor import Actor
from northstar.core.fields import reveal
from northstar.survivors.models import Case, ExploitationForm, Sector

CASELOAD_EXPORT = "documents.caseload_export"
FORMATS = {"csv": ("text/csv; charset=utf-8", "csv"),
           "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx")}

#: (column, heading) — no personal data.
COLUMNS = [
    ("case", "Case"), ("survivor", "Survivor"), ("status", "Status"),
    ("jurisdiction", "Jurisdiction"), ("forms", "Forms of exploitation"),
    ("sectors", "Sectors"), ("opened", "Opened"), ("caseworker", "Caseworker"),
    ("birth_year", "Year of birth"), ("sex", "Sex"), ("nationality", "Nationality"),
]
#: Added only on explicit choice; each opening is audited.
PERSONAL_COLUMNS = [("given_name", "First name"), ("family_name", "Family name"),
                    ("date_of_birth", "Date of birth"), ("phone", "Phone")]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    """The text of a cell, never a formula a spreadsheet would run."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _labels(values, choices) -> str:
    names = dict(choices)
    return ", ".join(str(names.get(v, v)) for v in values or [])


def caseload_rows(actor: Actor, *, personal: bool, progress=None) -> tuple[list[str], list[list]]:
    """The header and rows of the actor's caseload (their own organisation's open cases)."""
    cases = list(policy.visible_cases(actor).select_related("survivor", "caseworker")
                 .order_by("reference"))
    columns = COLUMNS + (PERSONAL_COLUMNS if personal else [])
    rows = []
    for i, case in enumerate(cases, 1):
        survivor = case.survivor
        row = [case.reference, survivor.reference, case.get_status_display(),
               case.jurisdiction, _labels(case.forms_of_exploitation, ExploitationForm.choices),
               _labels(case.sectors, Sector.choices), timezone.localtime(case.created_at).date(),
               case.caseworker.get_username() if case.caseworker_id else "",
               survivor.birth_year or "", survivor.get_sex_display(), survivor.nationality]
        if personal:
            row += [reveal(getattr(survivor, name)) for name, _label in PERSONAL_COLUMNS]
        rows.append([safe_cell(v) for v in row])
        if progress and i % 50 == 0:
            progress(i, len(cases))
    audit.record_read(actor, cases, record_type="case", export=True,
                      fields=[name for name, _label in columns],
                      note=f"caseload export: {len(cases)} case(s)"
                           + (", with names and contact details" if personal else ""))
    if personal and cases:
        audit.record_read(actor, sorted({c.survivor for c in cases}, key=lambda s: s.pk),
                          record_type="survivor", export=True,
                          fields=[name for name, _label in PERSONAL_COLUMNS],
                          note="caseload export with names and contact details")
    return [str(_(heading)) for _name, heading in columns], rows


def to_csv(header, rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" + out.getvalue()).encode()  # the BOM: Excel then reads UTF-8 (Khmer, Thai)


def to_xlsx(header, rows) -> bytes:
    from openpyxl import Workbook  # loaded by the export job only

    book = Workbook()
    sheet = book.active
    sheet.title = "Caseload"
    sheet.append(header)
    for row in rows:
        # Every cell as text: a safe_cell string is never read as a formula or a number.
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            cell.data_type = "s"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@jobs.task(CASELOAD_EXPORT)
def caseload_export(job, *, user_id: int, format: str, personal: bool, language: str = "en"):
    user = get_user_model().objects.get(pk=user_id)
    actor = Actor.for_user(user, "job")
    with translation.override(language):
        header, rows = caseload_rows(actor, personal=personal,
                                     progress=lambda done, total: jobs.report(job, done, total))
    jobs.report(job, len(rows), len(rows))
    content_type, extension = FORMATS[format]
    data = to_csv(header, rows) if format == "csv" else to_xlsx(header, rows)
    stamp = timezone.localdate().isoformat()
    return jobs.FileResult(f"caseload-{stamp}.{extension}", content_type, data,
                           summary={"rows": len(rows), "personal": personal})


# --- The case summary as PDF -------------------------------------------------------


def case_summary_pdf(actor: Actor, case: Case, *, language: str) -> bytes:
    """The case at a glance for a funder or a court, in ``language``: an audited export."""
    from weasyprint import HTML  # native libraries: only the PDF export pays for them

    survivor = case.survivor
    audit.record_read(actor, case, survivor_ref=survivor.reference, export=True,
                      fields=["summary", "status", "forms_of_exploitation", "sectors"],
                      note=f"case summary PDF ({language})")
    with translation.override(language):
        html = render_to_string("documents/case_summary.html", {
            "case": case, "survivor": survivor, "summary": reveal(case.summary),
            "forms": _labels(case.forms_of_exploitation, ExploitationForm.choices),
            "sectors": _labels(case.sectors, Sector.choices),
            "today": timezone.localdate(), "language": language,
        })
    return HTML(string=html).write_pdf()
