"""Run the justice engines on a profile file and print what they decide, and why.

The file is one JSON object with any of these keys:

    {
      "screening":  { ...answers, as POST /api/v1/screening/assess },
      "pathways":   { ...profile, as POST /api/v1/pathways/assess },
      "safeguards": { "action": "interview", "context": { ... } }
                    or a list of such objects
    }

Unknown keys or values are refused with the field named. Nothing is stored
and no survivor record is read: this is for lawyers and trainers checking
rules against worked examples.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from northstar.pathways.rules import engine as pathways
from northstar.safeguards.rules import engine as safeguards
from northstar.screening.rules import engine as screening

KEYS = ("screening", "pathways", "safeguards")


def run(document: dict) -> dict:
    """The engines' results for a profile document; ``ValueError`` names a bad field."""
    if not isinstance(document, dict) or not document:
        raise ValueError(
            "the file must hold a JSON object with screening, pathways and/or safeguards"
        )
    unknown = set(document) - set(KEYS)
    if unknown:
        raise ValueError(f"{sorted(unknown)[0]}: unknown key; expected {', '.join(KEYS)}")
    out: dict = {}
    try:
        if "screening" in document:
            out["screening"] = screening.assess(document["screening"])
        if "pathways" in document:
            out["pathways"] = pathways.assess(document["pathways"])
        if "safeguards" in document:
            checks = document["safeguards"]
            checks = checks if isinstance(checks, list) else [checks]
            results = []
            for i, check in enumerate(checks):
                if (
                    not isinstance(check, dict)
                    or set(check) - {"action", "context"}
                    or "action" not in check
                ):
                    raise ValueError(f"safeguards[{i}]: needs 'action' and optional 'context' only")
                results.append(
                    {
                        "action": check["action"],
                        **safeguards.check(check["action"], check.get("context") or {}),
                    }
                )
            out["safeguards"] = results
    except (screening.InvalidAnswers, pathways.InvalidProfile, safeguards.InvalidCheck) as exc:
        section = next(k for k in KEYS if k in document and k not in out)
        raise ValueError(f"{section}.{exc.field}: {exc.message}") from None
    return out


class Command(BaseCommand):
    help = "Run screening, pathways and/or safeguards on a JSON profile file and print the results."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--json", action="store_true", help="print the API's JSON bodies")

    def handle(self, *args, **options):
        try:
            document = json.loads(options["file"].read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise CommandError(f"{options['file']}: no such file") from None
        except json.JSONDecodeError as exc:
            raise CommandError(f"{options['file']}: not valid JSON ({exc})") from None
        try:
            results = run(document)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        if options["json"]:
            self.stdout.write(json.dumps(results, indent=2, ensure_ascii=False))
            return
        self._print(results)

    def _print(self, results: dict) -> None:
        w = self.stdout.write
        if "screening" in results:
            r = results["screening"]
            w(f"SCREENING (rules {r['rule_set_version']}): {r['classification']}")
            for reason in r["reasons"]:
                w(f"  - [{reason['rule']}] {reason['explanation']}")
                if reason.get("answers"):
                    w(f"      because: {'; '.join(reason['answers'])}")
            if r["unknown"]:
                w(f"  still unknown: {', '.join(r['unknown'])}")
        if "pathways" in results:
            r = results["pathways"]
            w(f"PATHWAYS (rules {r['rule_set_version']})")
            for item in r["interventions"]:
                w(
                    f"  {item['key']}: {item['eligibility']} ({item['pathway']}, {item['outcome']}, "
                    f"{item['readiness']})"
                )
                for c in item["conditions"]:
                    w(f"      condition: {c}")
                for f in item["feasibility"]:
                    w(f"      here: {f}")
                if item["options"]:
                    w(f"      options: {', '.join(item['options'])}")
                for reason in item["reasons"]:
                    w(f"      [{reason['rule']}] {reason['explanation']}")
        for r in results.get("safeguards", []):
            w(
                f"SAFEGUARDS {r['action']} (rules {r['rule_set_version']}): "
                f"{len(r['findings'])} finding(s)"
            )
            for f in r["findings"]:
                w(f"  - {f['severity'].upper()} {f['harm']} [{f['rule']}] {f['explanation']}")
