"""The whole insights dashboard as a PDF report, prepared as a job (``core/jobs.py``).

Drawn in the request until December 2026 (~2.7 s of CPU at 100,000 survivors, most of it
WeasyPrint): now the page answers at once with the job's page, a worker reads the figures
and prints them, and the reader downloads the file from the job (an export in the audit
log). The job draws exactly what the request drew: the same ``tables_for`` call as the
asking reader, in their language, for the same quarter, so the same suppression, rounding
and notes, and the same aggregate audit entry (an ``export`` of ``insights_figures``,
through the channel the reader asked from). Access is asked again when the job runs: a
reader who lost the insights since is told so and nothing is counted.

Submitting twice with one form (its ``request_key``) starts one job: the idempotency key
names the reader, the quarter, the language and the form's key. A report's file is kept
``NORTHSTAR_REPORT_KEEP_DAYS`` (30) days, then removed by the daily pruning (audited; the
job's page says so and the download is a 404).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import translation
from django.utils.translation import gettext_noop

from northstar import policy
from northstar.core import jobs
from northstar.core.actor import Actor
from northstar.core.db import reading_figures
from northstar.core.models import Job

REPORT_JOB = "insights.report_pdf"
#: The job's steps, stored in English and shown in the reader's language (``job_page``).
READING = gettext_noop("Reading the figures")
DRAWING = gettext_noop("Drawing the charts")
PRINTING = gettext_noop("Printing the PDF")
NO_LONGER = gettext_noop("You may no longer see these figures, so no report was made. Ask "
                         "your organisation's administrator.")
STEPS = 3


def key_for(actor: Actor, *, period: str, language: str, request_key: str) -> str:
    return f"{REPORT_JOB}:{actor.user.pk}:{period or 'all'}:{language}:{request_key}"


def submit(actor: Actor, *, period: str = "", language: str = "en",
           request_key: str | None = None) -> Job:
    """Start (or, with a ``request_key`` already sent, find) the reader's report job."""
    if not policy.may_see_insights(actor) or actor.user is None:
        from northstar.core.errors import NotFound

        raise NotFound("No such page")
    key = key_for(actor, period=period, language=language,
                  request_key=request_key) if request_key else None
    return jobs.submit(REPORT_JOB, key=key, owner=actor.user, organisation=actor.organisation,
                       user_id=actor.user.pk, channel=actor.channel, period=period,
                       language=language)


def past_reports(actor: Actor, limit: int = 10) -> list[Job]:
    """The reader's own recent reports (``policy.own_jobs``), newest first."""
    return list(policy.own_jobs(actor).filter(kind=REPORT_JOB)
                .defer("result_file").order_by("-created_at", "-pk")[:limit])


def file_name(period: str, language: str) -> str:
    suffix = f"-{period}" if period else ""
    return f"insights{suffix}-{language}.pdf"


def keep_days() -> int:
    """How long a report's PDF stays downloadable (``NORTHSTAR_REPORT_KEEP_DAYS``, 30)."""
    return settings.NORTHSTAR_REPORT_KEEP_DAYS


jobs.keep_files(REPORT_JOB, days=keep_days)


@jobs.task(REPORT_JOB, idempotent=True)
@reading_figures()
def report_pdf(job: Job, *, user_id: int, channel: str = "web", period: str = "",
               language: str = "en") -> jobs.FileResult:
    """Read the figures as the reader, draw the charts, print the PDF (three steps)."""
    from northstar.insights import pdf, views

    user = get_user_model().objects.get(pk=user_id)
    actor = Actor.for_user(user, channel)
    if not policy.may_see_insights(actor) or \
            getattr(actor.organisation, "pk", None) != job.organisation_id:
        raise jobs.Failed(NO_LONGER)
    with translation.override(language):
        jobs.report(job, 0, STEPS, READING)
        code, period_bounds = period, (views.quarter_bounds(period) if period else None)
        shown = views.shown_tables(actor, period_bounds, export=True, with_charts=False)
        jobs.report(job, 1, STEPS, DRAWING)
        views.draw(shown)
        context = views.figures_context(actor, code, shown=shown)
        jobs.report(job, 2, STEPS, PRINTING)
        data = pdf.render(context, language=language)
    jobs.report(job, STEPS, STEPS)
    return jobs.FileResult(file_name(period, language), "application/pdf", data,
                           summary={"period": period, "language": language})
