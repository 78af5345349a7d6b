"""Compensation's long and scheduled work (``core/jobs.py``): the daily overdue-instalment
alerts, and a statement printed as PDF in the background."""

from __future__ import annotations

from django.utils import timezone

from northstar.core import jobs
from northstar.core.actor import Actor


@jobs.task("compensation.alerts")
def overdue_alerts(job, *, as_of: str):
    import datetime as dt

    from northstar.compensation.alerts import raise_overdue_alerts

    jobs.report(job, 0, 1, "Checking every owing claim's instalments")
    result = raise_overdue_alerts(as_of=dt.date.fromisoformat(as_of))
    jobs.report(job, 1, 1)
    return result


jobs.schedule("compensation_alerts", "compensation.alerts", every="day",
              params=lambda now: {"as_of": timezone.localdate(now).isoformat()})


@jobs.task("compensation.statement_pdf")
def statement_pdf(job, *, calculation_id: int, lang: str = "en"):
    """The calculation's statement as a PDF, for the person who asked (their access is
    checked again now: it may have changed since). Opening the calculation is an audited
    read; downloading the file later is audited as the export."""
    from weasyprint import HTML  # heavy native library: loaded only here

    from northstar.compensation import calculations, selectors
    from northstar.compensation.views import prepared_statement, statement_html

    actor = Actor.for_user(job.owner, "web")
    jobs.report(job, 0, 3, "Opening the calculation")
    calc = selectors.calculation_for(actor, calculation_id)
    opened = calculations.open_calculation(actor, calc)
    jobs.report(job, 1, 3, "Writing the statement")
    statement = prepared_statement(calc, opened, lang)
    html = statement_html(statement, lang)
    jobs.report(job, 2, 3, "Printing the PDF")
    pdf = HTML(string=html).write_pdf()
    jobs.report(job, 3, 3)
    return jobs.FileResult(
        name=f"compensation-{calc.case.reference}-{calc.pk}-{lang}.pdf",
        content_type="application/pdf", data=pdf,
        summary={"survivor_ref": calc.case.survivor.reference})
