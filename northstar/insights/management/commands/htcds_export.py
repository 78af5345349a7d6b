"""Export the organisation's cases as an HTCDS v2.0 case-level file (no identifiers).

    manage.py htcds_export --as USERNAME --out FILE [--format csv|xlsx] [--job]

USERNAME is a supervisor or org admin; their organisation's cases whose survivors consent
to anonymous statistics are exported, validated against the standard before the file is
written, and the export is audited. With ``--job`` it runs as a job (``core/jobs.py``), as
from the pages, and the file is the job's sealed result (its download audited too).
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from northstar.core import jobs
from northstar.core.models import Job
from northstar.insights.htcds import export
from northstar.insights.management.commands._actor import staff_actor


class Command(BaseCommand):
    help = "Export the organisation's cases as an HTCDS v2.0 file (validated, no identifiers)."

    def add_arguments(self, parser):
        parser.add_argument("--as", dest="username", required=True,
                            help="a supervisor or org admin of the organisation")
        parser.add_argument("--out", required=True, help="the file to write")
        parser.add_argument("--format", choices=sorted(export.FORMATS), default=None,
                            help="csv or xlsx (default: from --out's extension, else csv)")
        parser.add_argument("--job", action="store_true", help="run as a job")

    def handle(self, *args, username, out, format=None, job=False, **opts):
        actor = staff_actor(username)
        fmt = format or ("xlsx" if out.lower().endswith(".xlsx") else "csv")
        if job:
            done = export.submit_export(actor, format=fmt)
            done.refresh_from_db()
            if done.status == Job.Status.FAILED:
                raise CommandError(f"job {done.pk} failed: {done.message}")
            if done.status != Job.Status.DONE:  # a worker runs it (NORTHSTAR_JOBS_RUNNER)
                self.stdout.write(f"job {done.pk}: {done.status}; its file is on the job's "
                                  "page when done. Nothing written here.")
                return
            data = jobs.open_result(actor, done)
            rows = (done.result or {}).get("rows", 0)
        else:
            try:
                header, records = export.case_rows(actor)
            except export.ExportInvalid as exc:
                raise CommandError("\n".join(["The file did not validate; nothing written:",
                                              *map(str, exc.problems)])) from None
            data = export.to_csv(header, records) if fmt == "csv" else \
                export.to_xlsx(header, records)
            rows = len(records)
        Path(out).write_bytes(data)
        self.stdout.write(f"{rows} case(s) of {actor.organisation.code} written to {out} "
                          f"(HTCDS v2.0, {fmt}, validated; no names, dates of birth, contact "
                          "details or notes).")
