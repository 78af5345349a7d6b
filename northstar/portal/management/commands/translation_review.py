"""List the translations still waiting for a native speaker's review.

    manage.py translation_review              # counts per language
    manage.py translation_review --json       # the full machine-readable list
    manage.py translation_review --write      # refresh northstar/locale/needs-review.json
    manage.py translation_review --export-csv km > km.csv   # a volunteer's list (also --export-po)
    manage.py translation_review --import-csv km km.csv     # rows with reviewed_by are applied
    manage.py translation_review --import-po km km.po --reviewer "Name"
    manage.py translation_review --fill km drafts.json      # drafts for English-only strings
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from northstar.portal import catalogue, review_exchange
from northstar.portal.management.commands.compile_translations import compile_po


def machine_readable() -> dict:
    return {r["language"]: [e["msgid"] for e in r["unreviewed"]]
            for r in catalogue.review_report()}


def review_file():
    return catalogue.locale_dir() / "needs-review.json"


def render() -> str:
    return json.dumps(machine_readable(), ensure_ascii=False, indent=1, sort_keys=True) + "\n"


class Command(BaseCommand):
    help = "Show (or write) the translations marked '# needs-review', per language."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="print the full list as JSON")
        parser.add_argument("--write", action="store_true",
                            help="write northstar/locale/needs-review.json")
        parser.add_argument("--export-csv", metavar="LANGUAGE")
        parser.add_argument("--export-po", metavar="LANGUAGE")
        parser.add_argument("--import-csv", nargs=2, metavar=("LANGUAGE", "FILE"))
        parser.add_argument("--import-po", nargs=2, metavar=("LANGUAGE", "FILE"))
        parser.add_argument("--reviewer", default="", help="who reviewed an imported PO file")
        parser.add_argument("--fill", nargs=2, metavar=("LANGUAGE", "JSON"),
                            help="drafts {english: translation} for untranslated strings")

    def handle(self, *args, **options):
        try:
            if self._exchange(options):
                return
        except review_exchange.ReviewFileError as exc:
            raise CommandError(str(exc)) from exc
        if options["write"]:
            review_file().write_text(render(), encoding="utf-8")
            self.stdout.write(f"wrote {review_file()}")
            return
        if options["json"]:
            self.stdout.write(render(), ending="")
            return
        for r in catalogue.review_report():
            self.stdout.write(f"{r['language']:8} translated {r['translated']:4}  "
                              f"needs review {len(r['unreviewed']):4}  "
                              f"untranslated {r['untranslated']:4}")

    def _exchange(self, options) -> bool:
        if options["export_csv"]:
            self.stdout.write(review_exchange.export_csv(options["export_csv"]), ending="")
        elif options["export_po"]:
            self.stdout.write(review_exchange.export_po(options["export_po"]), ending="")
        elif options["import_csv"] or options["import_po"]:
            language, name = options["import_csv"] or options["import_po"]
            text = Path(name).read_text(encoding="utf-8")
            if options["import_csv"]:
                outcome = review_exchange.import_csv(language, text)
            else:
                if not options["reviewer"]:
                    raise CommandError("Say who reviewed the file with --reviewer.")
                outcome = review_exchange.import_po(language, text, reviewer=options["reviewer"])
            self._report(f"{outcome.reviewed} reviewed", outcome)
        elif options["fill"]:
            language, name = options["fill"]
            drafts = json.loads(Path(name).read_text(encoding="utf-8"))
            outcome = review_exchange.fill(language, drafts)
            self._report(f"{outcome.drafted} drafts written (marked needs-review)", outcome)
        else:
            return False
        return True

    def _report(self, done: str, outcome) -> None:
        for locale in catalogue.LOCALES:
            po = catalogue.po_path(locale)
            compile_po(po, po.with_suffix(".mo"))
        self.stdout.write(done)
        for line in outcome.refused:
            self.stderr.write(line)
