"""A k-anonymous release of an HTCDS case-level file, with its information loss reported.

    manage.py htcds_release FILE --out RELEASE.csv [--k 11] [--report REPORT.json]
    manage.py htcds_release --as USERNAME --out RELEASE.csv [--k 11]

FILE is an HTCDS file (CSV or XLSX, e.g. from ``htcds_export``), validated against the
standard first (so every carried value is a picklist value); with ``--as`` the
organisation's export is made first (audited as an export). The quasi-identifiers, their
generalisation hierarchies, k and the suppression limit are ``insights/htcds/rules/
release.toml``. The report (share suppressed, level per quasi-identifier, information loss)
is written beside the release (``RELEASE.report.json`` unless ``--report``) and printed.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from northstar.insights.htcds import export, files
from northstar.insights.htcds import release as releasing
from northstar.insights.htcds.mapping import validate
from northstar.insights.management.commands._actor import staff_actor


class Command(BaseCommand):
    help = "Release an HTCDS file k-anonymously (k = 11 by default) and report the loss."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="an HTCDS file (CSV or XLSX)")
        parser.add_argument("--as", dest="username",
                            help="export this supervisor's or org admin's organisation first")
        parser.add_argument("--out", required=True, help="the release to write (CSV)")
        parser.add_argument("--k", type=int, default=None, help="k (default: release.toml)")
        parser.add_argument("--report", help="the sidecar report (default: OUT.report.json)")

    def handle(self, *args, file=None, username=None, out, k=None, report=None, **opts):
        if bool(file) == bool(username):
            raise CommandError("Give either an HTCDS FILE or --as USERNAME.")
        if k is not None and k < 2:
            raise CommandError("--k must be at least 2.")
        if username:
            header, rows = export.case_rows(staff_actor(username))
        else:
            try:
                table = files.read(Path(file).read_bytes(), file)
            except (OSError, files.FileUnreadable) as exc:
                raise CommandError(f"Cannot read {file}: {exc}") from None
            header, rows = table.header, table.rows
            problems = validate(header, rows, require_core=False, first_row=table.first_row)
            if problems:
                raise CommandError("\n".join([f"{file} is not a valid HTCDS v2.0 file:",
                                              *map(str, problems[:20])]))
        try:
            result = export.release_of(header, rows, k=k)
        except releasing.ReleaseError as exc:
            raise CommandError(str(exc)) from None
        Path(out).write_bytes(export.release_csv(result))
        report_path = Path(report or f"{Path(out).with_suffix('')}.report.json")
        report_path.write_text(json.dumps(result.report, indent=2, ensure_ascii=False) + "\n",
                               encoding="utf-8")
        r = result.report
        self.stdout.write(f"k = {r['k']}: {r['released']} of {r['records']} record(s) released, "
                          f"{r['suppressed']} suppressed ({100 * r['suppressed_share']:.1f} %); "
                          f"information loss {r['information_loss']:.3f}; "
                          f"{r['classes']} classes, the smallest of {r['smallest_class']}.")
        for qi, level in r["levels"].items():
            self.stdout.write(f"  {qi}: level {level['level']} of {level['of']} "
                              f"({level['name']})")
        self.stdout.write(f"Release: {out}; report: {report_path}")
