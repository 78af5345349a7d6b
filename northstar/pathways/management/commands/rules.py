"""List every rule of the justice engines with its source and the date it was checked.

Also validates the rule files: a file with an unknown key or a rule without
source or checked date makes this command fail, naming the rule.
"""

from __future__ import annotations

import json
import tomllib

from django.core.management.base import BaseCommand, CommandError

from northstar.compensation import rules as wage_rules
from northstar.compensation.rules import hours
from northstar.core import disclosure
from northstar.engagement.rules import rates as honoraria
from northstar.insights.htcds import rule_list as htcds_rules
from northstar.intelligence.rules import engine as intelligence
from northstar.justice.rules import periods as reflection_periods
from northstar.law import position
from northstar.pathways.rules import engine as pathways
from northstar.rules.errors import RuleDataError
from northstar.safeguards.rules import engine as safeguards
from northstar.screening.rules import engine as screening


class _Wages:
    """The minimum wages, normal hours and overtime of ``wages.toml`` in the rules' row shape."""

    @staticmethod
    def load():
        return wage_rules.load_rules()

    @staticmethod
    def list_rules() -> list[dict]:
        data = wage_rules.load_rules()
        rows = []
        for code, jur in sorted(data.jurisdictions.items()):
            for what, fact in (("normal_daily_hours", jur.normal_daily_hours),
                               ("overtime", jur.overtime)):
                shown = "unknown" if fact.value is None else (
                    ", then ".join(f"{t.multiplier}x" for t in fact.value)
                    if what == "overtime" else f"{fact.value} h")
                rows.append({"rule_set": "wages", "rule_set_version": str(data.version),
                             "id": f"{code}.{what}", "explanation": f"{jur.name}: {shown}",
                             "source": fact.source, "checked": fact.checked.isoformat()})
            for wage in jur.minimum_wages:
                rows.append({
                    "rule_set": "wages", "rule_set_version": str(data.version),
                    "id": f"{code}.minimum_wage.{wage.region}.{wage.sector}.{wage.effective_from}",
                    "explanation": (f"{jur.name}, {wage.region}, {wage.sector}: {wage.amount} "
                                    f"{wage.currency}/{wage.unit} from {wage.effective_from}"),
                    "source": wage.source, "checked": wage.checked.isoformat()})
        return rows


class _Disclosure:
    """The threshold under which aggregate figures are blanked (``core/rules/disclosure.toml``)."""

    @staticmethod
    def load():
        return disclosure.RULES_FILE.read_bytes()

    @staticmethod
    def list_rules() -> list[dict]:
        raw = tomllib.loads(disclosure.RULES_FILE.read_text(encoding="utf-8"))
        entry = raw["min_cell"]
        return [{"rule_set": "disclosure", "rule_set_version": str(raw["version"]),
                 "id": "min_cell", "explanation": f"{entry['value']}: {entry['explanation']}",
                 "source": entry["source"], "checked": str(entry["checked"])}]


ENGINES = {
    "screening": screening,
    "pathways": pathways,
    "safeguards": safeguards,
    "reflection_periods": reflection_periods,
    "legal_position": position,
    "wages": _Wages,
    "hours": hours,
    "disclosure": _Disclosure,
    "honoraria": honoraria,
    "intelligence": intelligence,
    "htcds_mapping": htcds_rules.Mapping,
    "htcds_release": htcds_rules.Release,
}


class Command(BaseCommand):
    help = (
        "List every screening, pathway, Do No Harm, reflection-period, legal-position, wage, "
        "hours and disclosure rule with its source and checked date."
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
