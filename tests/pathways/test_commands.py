"""manage.py assess and manage.py rules: the engines from the command line."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from northstar.justice.rules import periods as reflection_periods
from northstar.pathways.rules import engine as pathways
from northstar.safeguards.rules import engine as safeguards
from northstar.screening.rules import engine as screening

PROFILE = {
    "screening": {
        "age": 24,
        "act": ["recruitment"],
        "means": ["deception"],
        "purpose": ["forced_labour"],
    },
    "pathways": {"jurisdiction": "KH", "age": 30, "exploitation": ["labour"], "coercion": "low"},
    "safeguards": [
        {"action": "return_home", "context": {"age": 15}},
        {"action": "refer", "context": {"consents": ["referral"]}},
    ],
}


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_assess_prints_the_same_results_as_the_api(tmp_path):
    path = tmp_path / "profile.json"
    path.write_text(json.dumps(PROFILE))
    result = json.loads(run("assess", str(path), "--json"))
    assert result["screening"] == screening.assess(PROFILE["screening"])
    assert result["pathways"] == pathways.assess(PROFILE["pathways"])
    assert result["safeguards"][1] == {
        "action": "refer",
        **safeguards.check("refer", {"consents": ["referral"]}),
    }
    text = run("assess", str(path))
    assert "SCREENING" in text and "trafficking" in text
    assert "BLOCK physical [return_only_with_informed_consent]" in text


def test_assess_names_the_bad_field(tmp_path):
    path = tmp_path / "profile.json"
    path.write_text(json.dumps({"pathways": {"jurisdiction": "KH", "coercion": "medium"}}))
    with pytest.raises(CommandError, match="pathways.coercion"):
        run("assess", str(path))
    path.write_text(json.dumps({"screen": {}}))
    with pytest.raises(CommandError, match="screen: unknown key"):
        run("assess", str(path))
    path.write_text("{not json")
    with pytest.raises(CommandError, match="not valid JSON"):
        run("assess", str(path))


def test_rules_lists_every_rule_with_source_and_date():
    rows = json.loads(run("rules", "--json"))
    engines = {"screening", "pathways", "safeguards", "reflection_periods"}
    ids = {r["id"] for r in rows if r["rule_set"] in engines}
    periods = {f"reflection_period_{code}" for code in reflection_periods.periods()}
    assert ids == screening.rule_ids() | pathways.rule_ids() | safeguards.rule_ids() | periods
    assert all(r["source"] and r["checked"] for r in rows)
    text = run("rules", "--set", "safeguards")
    assert "never_detain_a_victim" in text and "source:" in text and "checked 2026-" in text


def test_rules_lists_the_wage_hours_reflection_disclosure_and_legal_position_data_with_sources():
    rows = json.loads(run("rules", "--json"))
    sets = {row["rule_set"] for row in rows}
    assert {"wages", "hours", "reflection_periods", "disclosure", "legal_position"} <= sets
    assert all(row["source"] and row["checked"] for row in rows)
    ids = {row["id"] for row in rows}
    assert {"HK.domestic_work.minimum_wage", "TH.general.hours", "min_cell"} <= ids
    text = run("rules", "--set", "legal_position")
    assert "source:" in text and "TH" in text
