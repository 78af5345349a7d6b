"""List the translations still waiting for a native speaker's review.

    manage.py translation_review              # counts per language
    manage.py translation_review --json       # the full machine-readable list
    manage.py translation_review --write      # refresh northstar/locale/needs-review.json
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand

from northstar.portal import catalogue


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

    def handle(self, *args, **options):
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
