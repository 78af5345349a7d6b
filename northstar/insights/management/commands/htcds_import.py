"""Import an HTCDS file or a spreadsheet (CSV/XLSX) into an organisation: all rows or none.

    manage.py htcds_import FILE --as USERNAME

USERNAME is a supervisor or org admin of the organisation the records go to. Every row is
checked first (against the standard's field list and picklists, and as every other channel
checks a survivor and a case); any error and nothing is written, and every error is listed
by row and field. Then one transaction writes the survivors (sealed, indexed for name
search, audited per batch) and their cases, with a progress bar.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from northstar.insights.htcds import importing
from northstar.insights.management.commands._actor import staff_actor
from northstar.insights.management.commands._progress import Bar


class Command(BaseCommand):
    help = "Import an HTCDS or spreadsheet file (checked row by row, all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--as", dest="username", required=True,
                            help="a supervisor or org admin of the receiving organisation")

    def handle(self, *args, file, username, **opts):
        actor = staff_actor(username)
        try:
            data = Path(file).read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc}") from None
        checking = Bar("checking ", stream=self.stderr._out)
        bar = Bar("importing", stream=self.stderr._out)

        def written(done: int, total: int) -> None:
            checking.close()  # the checks are over once writing starts
            bar(done, total)

        try:
            ids, plan = importing.import_file(actor, actor.organisation, data, file,
                                              progress=written, checking=checking)
        except importing.HtcdsImportRefused as exc:
            raise CommandError("\n".join(["Nothing was imported:", *exc.errors])) from None
        finally:
            checking.close()
            bar.close()
        cases = sum(1 for c in plan.cases if c is not None)
        self.stdout.write(f"{len(ids)} survivor(s) and {cases} case(s) imported into "
                          f"{actor.organisation.code}.")
        if plan.not_imported:
            self.stdout.write("Not imported (no place in Northstar, or decided there, not "
                              f"copied): {', '.join(plan.not_imported)}.")
