"""The k-anonymous release: no class under k, suppression within the limit, the loss and
levels reported, the least-loss generalisation chosen; the command writes the sidecar."""

from __future__ import annotations

import csv
import io
import itertools
import json
import random
from collections import Counter

import pytest
from django.core.management import CommandError, call_command

from northstar.insights.htcds import release as releasing
from northstar.rules.errors import RuleDataError

HEADER = ["vic_AgeWhenTrafficked", "prs_Gender", "prs_Citizenship", "vic_LocationOfExploitation",
          "vic_TypeOfExploitation", "ext_YearOfRegistration", "cas_Status", "prs_FirstName"]
QI_OUT = ["ageBroad", "prs_Gender", "prs_Citizenship", "countryOfExploitation",
          "vic_TypeOfExploitation", "yearOfRegistration"]


def skewed(n: int, seed: int = 7) -> list[list[str]]:
    rng = random.Random(seed)
    nationalities = ["KH", "MM", "LA", "VN", "PH", "ID", "TH", "NP", "BD", "CN", "UA", "NG"]
    destinations = ["TH", "MY", "SA", "AE", "KH", "JP", "TW", "US"]
    kinds = ["ForcedLabour", "SexualExploitation", "ForcedLabour;SexualExploitation",
             "Servitude", "ForcedMarriage", "Other"]
    genders = ["Feminine", "Masculine", "NonSpecifiedUnknown", "TransgenderFeminine"]
    rows = []
    for i in range(n):
        rows.append([
            str(max(5, int(rng.gauss(27, 9)))) if rng.random() < 0.85 else "",
            rng.choices(genders, [62, 33, 4, 1])[0],
            rng.choices(nationalities, [1 / (j + 1) for j in range(len(nationalities))])[0],
            rng.choices(destinations, [1 / (j + 1) ** 1.3 for j in range(len(destinations))])[0],
            rng.choices(kinds, [50, 30, 6, 6, 5, 3])[0],
            str(rng.randint(2016, 2025)), "Active", f"Person{i}"])
    return rows


def classes(result) -> Counter:
    at = [result.header.index(c) for c in QI_OUT]
    return Counter(tuple(r[i] for i in at) for r in result.rows)


def test_the_release_has_no_class_smaller_than_k_and_reports_its_loss():
    rows = skewed(3000)
    result = releasing.anonymise(HEADER, rows)
    report = result.report
    assert report["k"] == 11
    sizes = classes(result)
    assert sizes and min(sizes.values()) >= 11
    assert report["smallest_class"] == min(sizes.values())
    assert report["records"] == 3000
    assert report["released"] == len(result.rows) == 3000 - report["suppressed"]
    assert report["suppressed_share"] == pytest.approx(report["suppressed"] / 3000)
    assert report["suppressed_share"] <= report["max_suppression"]
    assert set(report["levels"]) == {"age", "gender", "citizenship", "exploitation_country",
                                     "exploitation", "year"}
    for level in report["levels"].values():
        assert 0 <= level["level"] <= level["of"] and level["name"]
    assert 0 < report["information_loss"] < 1
    # Only the quasi-identifiers (generalised) and the carried columns: never a name.
    assert "prs_FirstName" not in result.header
    assert not any("Person" in cell for row in result.rows for cell in row)
    # No exact age is released, only bands.
    ages = {r[0] for r in result.rows}
    assert not ages & {str(a) for a in range(120)}


def test_a_stricter_k_generalises_or_suppresses_more():
    rows = skewed(3000)
    loose = releasing.anonymise(HEADER, rows, k=3).report
    strict = releasing.anonymise(HEADER, rows, k=25).report
    assert strict["information_loss"] >= loose["information_loss"]
    assert min(classes(releasing.anonymise(HEADER, rows, k=25)).values()) >= 25


def test_data_already_k_anonymous_is_released_at_its_finest_levels():
    rows = [["30", "Feminine", "KH", "TH", "ForcedLabour", "2024", "Active", ""]] * 20 + \
           [["19", "Masculine", "MM", "TH", "SexualExploitation", "2023", "Closed", ""]] * 12
    result = releasing.anonymise(HEADER, rows)
    assert result.report["suppressed"] == 0 and result.report["information_loss"] == 0
    assert all(level["level"] == 0 for level in result.report["levels"].values())
    assert sorted({r[0] for r in result.rows}) == ["18–20", "30–38"]


def test_one_person_unlike_the_rest_is_suppressed_rather_than_generalising_everyone():
    rows = [["30", "Feminine", "KH", "TH", "ForcedLabour", "2024", "Active", ""]] * 200 + \
           [["64", "TransgenderMasculine", "NG", "JP", "OrganRemoval", "2019", "Active", ""]]
    result = releasing.anonymise(HEADER, rows)
    assert result.report["suppressed"] == 1
    assert all(level["level"] == 0 for level in result.report["levels"].values())
    assert not any("NG" in r for r in result.rows)


def test_the_choice_is_the_least_loss_of_every_generalisation_within_the_limit():
    rows = skewed(600, seed=3)
    result = releasing.anonymise(HEADER, rows)
    settings = releasing.rules()
    tops = [len(q.levels) - 1 for q in settings.quasi_identifiers]
    # Brute force, record by record, at every node of the lattice: none loses less.
    hierarchies = [releasing.Hierarchy(q) for q in settings.quasi_identifiers]
    where = [HEADER.index(q.column) for q in settings.quasi_identifiers]
    chosen = result.report["information_loss"]
    for node in itertools.product(*[range(top + 1) for top in tops]):
        keys = [tuple(h.at(level, h.base(r[i]))
                      for h, level, i in zip(hierarchies, node, where, strict=True))
                for r in rows]
        sizes = Counter(keys)
        suppressed = sum(1 for key in keys if sizes[key] < 11)
        if suppressed / len(rows) > settings.max_suppression:
            continue
        g = sum(level / top for level, top in zip(node, tops, strict=True)) / 6
        loss = ((len(rows) - suppressed) * g + suppressed) / len(rows)
        assert chosen <= loss + 1e-6, node  # the report rounds to six places


def test_a_file_without_a_quasi_identifier_column_is_refused():
    with pytest.raises(releasing.ReleaseError, match="ext_YearOfRegistration"):
        releasing.anonymise(HEADER[:5], [r[:5] for r in skewed(20)])


def test_a_hierarchy_without_a_star_at_the_top_is_a_rule_data_error(tmp_path):
    text = releasing.RULES_FILE.read_text(encoding="utf-8")
    broken = tmp_path / "release.toml"
    broken.write_text(text.replace('{ name = "any", other = "*" },\n]\n\n[[quasi_identifier]]\n'
                                   'id = "gender"', '{ name = "any", other = "everyone" },\n]\n\n'
                                   '[[quasi_identifier]]\nid = "gender"', 1), encoding="utf-8")
    with pytest.raises(RuleDataError, match="rule age: the last level must be"):
        releasing._check(releasing.load(broken, releasing.ReleaseFile))


def test_the_command_writes_the_release_and_its_report_beside_it(tmp_path, db):
    source = tmp_path / "htcds.csv"
    with open(source, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        writer.writerows(skewed(1500))
    out = tmp_path / "release.csv"
    printed = io.StringIO()
    call_command("htcds_release", str(source), "--out", str(out), stdout=printed)
    report = json.loads((tmp_path / "release.report.json").read_text(encoding="utf-8"))
    assert report["k"] == 11 and report["records"] == 1500
    released = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert len(released) - 1 == report["released"]
    text = printed.getvalue()
    assert "suppressed" in text and "information loss" in text and "citizenship: level" in text
    with pytest.raises(CommandError, match="at least 2"):
        call_command("htcds_release", str(source), "--out", str(out), "--k", "1")


def test_the_command_refuses_a_file_that_is_not_htcds(tmp_path, db):
    source = tmp_path / "htcds.csv"
    rows = skewed(30)
    rows[4][6] = "=HYPERLINK(\"http://example.invalid\")"  # cas_Status
    with open(source, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        writer.writerows(rows)
    with pytest.raises(CommandError, match="Row 6, field cas_Status: '=HYPERLINK"):
        call_command("htcds_release", str(source), "--out", str(tmp_path / "r.csv"))
    assert not (tmp_path / "r.csv").exists()


def test_a_quasi_identifier_without_a_checked_date_is_a_rule_data_error(tmp_path):
    text = releasing.RULES_FILE.read_text(encoding="utf-8")
    broken = tmp_path / "release.toml"
    broken.write_text(text.replace('source = "CTDC codebook, yearOfRegistration"\nchecked = 2026-12-06',
                                   'source = "CTDC codebook, yearOfRegistration"', 1),
                      encoding="utf-8")
    with pytest.raises(RuleDataError, match="release.toml: rule year: missing 'checked'"):
        releasing.load(broken, releasing.ReleaseFile)
