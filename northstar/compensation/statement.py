"""The itemised statement a lawyer files: the calculation plus everything needed to check it.

Pure Python. Strings are marked with ``gettext_noop`` and translated at the
edge (the page/PDF view activates the survivor's language); the survivor-facing
plain summary is a separate, short block so translators can keep it simple.
"""

from __future__ import annotations

import datetime as dt

from northstar.compensation.calculator import HEADS, gettext_noop

#: The rounding rule in words (the calculator records the ``decimal`` constant's name).
ROUNDING_WORDS = {
    "ROUND_HALF_UP": gettext_noop("to the smallest unit of the currency, halves rounded up"),
    "ROUND_HALF_EVEN": gettext_noop("to the smallest unit of the currency, halves to even"),
}
TITLE = gettext_noop("Itemised compensation statement")
PLAIN_SUMMARY = gettext_noop(
    "Based on what was recorded, the money you may be owed adds up to about %(total)s %(currency)s. "
    "Each amount below shows how it was worked out. This is an estimate for your lawyer to check; "
    "it is not a promise that anyone will pay it. You can ask for any line to be explained.")
DISCLAIMER = gettext_noop(
    "Wage figures come from public sources with the dates shown; re-check them before filing. "
    "Where a figure was not in the data it was entered by the user, as marked.")
COLUMN_LABELS = {
    "head": gettext_noop("Head of loss"),
    "inputs": gettext_noop("Inputs"),
    "formula": gettext_noop("Formula"),
    "amount": gettext_noop("Amount"),
    "sources": gettext_noop("Sources"),
    "total": gettext_noop("Total"),
    "method": gettext_noop("Method"),
    "rounding": gettext_noop("Rounding"),
    "calculator_version": gettext_noop("Calculator version"),
    "rule_set_version": gettext_noop("Rule-set version"),
    "prepared": gettext_noop("Prepared"),
    "conversions": gettext_noop("Currency conversions (rates entered by the user)"),
}
METHOD_LABELS = {
    "statutory": gettext_noop("Statutory: wages at the greater of the agreed and the statutory rate"),
    "greater_of": gettext_noop(
        "Greater of: the value of the labour at statutory rates, or the offender's gain"),
}


def build_statement(result: dict, *, prepared_on: dt.date, reference: str = "",
                    language: str = "en") -> dict:
    """Everything a screen, JSON or PDF rendering of a calculation needs, untranslated."""
    return {
        "title": TITLE,
        "reference": reference,
        "language": language,
        "prepared_on": prepared_on.isoformat(),
        "plain_summary": {"text": PLAIN_SUMMARY,
                          "params": {"total": result["total"], "currency": result["currency"]}},
        "disclaimer": DISCLAIMER,
        "labels": COLUMN_LABELS,
        "method_label": METHOD_LABELS.get(result.get("method", ""), result.get("method", "")),
        "lines": [dict(line, label=line.get("label") or HEADS.get(line["head"], line["head"]))
                  for line in result["lines"]],
        "conversions": [c for line in result["lines"] for c in line.get("conversions", [])],
        "total": result["total"],
        "total_formula": result.get("total_formula", ""),
        "currency": result["currency"],
        "jurisdiction": result.get("jurisdiction", ""),
        "method": result.get("method", ""),
        "rounding": ROUNDING_WORDS.get(result.get("rounding", ""), result.get("rounding", "")),
        "calculator_version": result["calculator_version"],
        "rule_set_version": result["rule_set_version"],
    }
