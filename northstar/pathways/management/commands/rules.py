"""List every rule of the justice engines with its source and the date it was checked.

Also validates the rule files: a file with an unknown key or a rule without
source or checked date makes this command fail, naming the rule.
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from northstar.justice.rules import periods as reflection_periods
from northstar.pathways.rules import engine as pathways
from northstar.rules.errors import RuleDataError
from northstar.safeguards.rules import engine as safeguards
from northstar.screening.rules import engine as screening

ENGINES = {
    "screening": screening,
    "pathways": pathways,
    "safeguards": safeguards,
    "reflection_periods": reflection_periods,
}


class Command(BaseCommand):
    help = (
        "List every screening, pathway, Do No Harm and reflection-period rule with its source "
        "and checked date."
    )

    def add_arguments(self, parser):
        parser.add_argument("--set", choices=sorted(ENGINES), help="only this rule set")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        names = [options["set"]] if options["set"] else list(ENGINES)
        rows = []
        try:
            for name in names:
                module = ENGINES[name]
                module.load()  # validate the file as it is on disk now
                rows.extend(module.list_rules())
        except (RuleDataError, OSError) as exc:
            raise CommandError(str(exc)) from None
        if options["json"]:
            self.stdout.write(json.dumps(rows, indent=2, ensure_ascii=False))
            return
        current = None
        for row in rows:
            if row["rule_set"] != current:
                current = row["rule_set"]
                self.stdout.write(f"{current} (version {row['rule_set_version']})")
            self.stdout.write(f"  {row['id']}  checked {row['checked']}")
            self.stdout.write(f"      {row['explanation']}")
            self.stdout.write(f"      source: {row['source']}")
        self.stdout.write(f"{len(rows)} rules")
