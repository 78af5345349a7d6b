"""The insights dashboard as a PDF report, in the reader's language.

WeasyPrint, as the case summary (``documents.exports.case_summary_pdf``): the same
template-to-PDF path and the same Noto font list, so Khmer, Thai, Lao, Myanmar and
Chinese render. Charts are the page's own SVG, drawn by WeasyPrint; every table is beside
its chart with its definition, and the disclosure statement closes the report.
"""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import translation


def render(context: dict, *, language: str) -> bytes:
    from weasyprint import HTML  # native libraries: only the PDF pays for them

    with translation.override(language):
        html = render_to_string("insights/report.html", {**context, "language": language})
    return HTML(string=html).write_pdf()
