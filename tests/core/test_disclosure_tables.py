"""Disclosure control of whole tables (``disclosure.protect``): thresholds and rounding
as data, primary and complementary suppression across rows, columns and published
neighbours, and the exact test of what can be worked out (``recoverable``)."""

from __future__ import annotations

import pytest

from northstar.core import disclosure
from northstar.core.disclosure import EXTERNAL, INTERNAL, TOTAL, Audience
from northstar.core.tables import Count, Grid, add


def _grid(cells: dict, *, share=False, measure="m.split", **flags) -> Grid:
    rows = tuple(dict.fromkeys(r for r, _ in cells))
    cols = tuple(dict.fromkeys(c for _, c in cells))
    made = {k: Count(*v) if share else Count(v) for k, v in cells.items()}
    return Grid(measure, rows, cols, made, **flags)


def test_the_external_threshold_and_the_rounding_are_data_with_sources():
    for name in ("external_min_cell", "rounding"):
        assert disclosure.RULES[name]["source"] and disclosure.RULES[name]["checked"]
    assert EXTERNAL.threshold == disclosure.RULES["external_min_cell"]["value"] == 11
    assert EXTERNAL.round_to == 5 and INTERNAL.round_to == 1
    assert INTERNAL.threshold == disclosure.MIN_CELL


def test_an_external_threshold_below_the_internal_one_is_refused(tmp_path):
    bad = tmp_path / "d.toml"
    bad.write_text('version = "x"\n[min_cell]\nvalue = 3\nsource = "s"\nchecked = "2026-12-06"\n'
                   '[external_min_cell]\nvalue = 2\nsource = "s"\nchecked = "2026-12-06"\n')
    with pytest.raises(ValueError, match="external_min_cell"):
        disclosure._load(bad)


def test_one_small_cell_of_a_table_with_margins_hides_a_rectangle_not_a_line():
    grid = _grid({("a", "x"): 20, ("a", "y"): 2, ("b", "x"): 30, ("b", "y"): 25,
                  ("c", "x"): 15, ("c", "y"): 40})
    table = disclosure.protect({"own": grid}, INTERNAL)["own"]
    hidden = {k for k, v in table.values.items() if v is None}
    # The 2, and three more closing a cycle through rows and columns: neither row a's nor
    # column y's total gives it away, and every margin stays shown.
    assert ("a", "y") in hidden and len(hidden) == 4
    assert all(table.values[(r, TOTAL)] is not None for r in ("a", "b", "c"))
    assert table.values[(TOTAL, TOTAL)] == 132
    eqs = disclosure.equations({"own": (table.rows, table.columns)}, None)
    assert disclosure.recoverable(eqs, {("own", *k) for k in hidden}) == set()


def test_two_hidden_per_line_is_not_enough_and_the_exact_test_knows_it():
    rows, cols = ("r1", "r2", "r3", TOTAL), ("c1", "c2", "c3", TOTAL)
    eqs = disclosure.equations({"t": (rows, cols)}, None)
    hidden = {("t", *k) for k in [("r1", "c1"), ("r1", "c2"), ("r2", "c1"), ("r2", "c2"),
                                  ("r3", "c3"), ("r3", TOTAL), (TOTAL, "c3"), (TOTAL, TOTAL),
                                  ("r2", "c3")]}
    # Every row and column holds 0 or at least 2 hidden cells, yet (r2, c3) joins two
    # separate cycles: rows r1 + r2 minus columns c1 + c2 give it.
    assert disclosure.recoverable(eqs, hidden) == {("t", "r2", "c3")}
    assert disclosure.recoverable(eqs, hidden, exact=True) == {("t", "r2", "c3")}
    # Hide (r1, c3) as well and the two cycles join: nothing can be worked out.
    assert disclosure.recoverable(eqs, hidden | {("t", "r1", "c3")}, exact=True) == set()


def test_subtracting_one_organisation_from_the_sum_is_guarded():
    a = _grid({("yes", "x"): 30, ("no", "x"): 4})
    b = _grid({("yes", "x"): 25, ("no", "x"): 40})
    tables = disclosure.protect({"org:1": a, "org:2": b, "total": add([a, b])}, EXTERNAL,
                                total="total")
    assert tables["org:1"].values[("no", "x")] is None
    # Shown org 2 and total would give org 1's 4 as 44 − 40: one of them is hidden too.
    assert tables["org:2"].values[("no", "x")] is None or tables["total"].values[("no", "x")] is None


def test_a_share_hides_small_numerators_small_bases_and_small_complements():
    grid = _grid({("a", "x"): (12, 40), ("b", "x"): (2, 40), ("c", "x"): (35, 40),
                  ("d", "x"): (6, 6), ("e", "x"): (30, 40)}, share=True)
    table = disclosure.protect({"own": grid}, EXTERNAL, unit="share")["own"]
    assert table.values[("a", "x")] == 0.3
    for row in ("b", "c", "d"):  # 2 counted; 5 not counted; 6 in all
        assert table.values[(row, "x")] is None and table.counts[(row, "x")] is None
    assert table.bases[("a", "x")] == 40 and table.counts[("a", "x")] == 10  # 12 → 10


def test_counts_are_rounded_to_the_base_each_on_its_own():
    assert [disclosure.rounded(n, 5) for n in (0, 2, 3, 12, 13, 15)] == [0, 0, 5, 10, 15, 15]
    grid = _grid({("a", "x"): 12, ("b", "x"): 13})
    table = disclosure.protect({"own": grid}, Audience("t", 11, 5))["own"]
    assert table.values == {("a", "x"): 10, ("b", "x"): 15, (TOTAL, "x"): 25}
    assert table.rounded_to == 5


def test_a_split_where_one_person_sits_in_several_rows_has_no_total_and_no_complement():
    grid = _grid({("p1", "x"): 2, ("p2", "x"): 30, ("p3", "x"): 25}, additive_rows=False)
    table = disclosure.protect({"own": grid}, INTERNAL)["own"]
    assert TOTAL not in table.rows
    assert table.values == {("p1", "x"): None, ("p2", "x"): 30, ("p3", "x"): 25}
