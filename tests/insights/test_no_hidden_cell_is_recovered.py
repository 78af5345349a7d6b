"""The attack: with small cells in two organisations that share with one funder, try every
subtraction an onlooker can make between published figures — each organisation's table
against the funder's total, each row and column against its margin, one period against
another — repeated until nothing new is learnt, and fail if any hidden cell comes out.

Counts are attacked as published. Where they are rounded (base 5, for a funder) a shown
count is known only to within ±2, so the attack works on intervals; the same tables are
also attacked unrounded (``protect`` with rounding off) and for an organisation's own
researcher (threshold 3, no rounding), where one subtraction would give a cell exactly."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from northstar.core import disclosure
from northstar.core.disclosure import TOTAL
from northstar.core.tables import add
from northstar.insights import sharing
from northstar.insights.figures import grids_of, tables_for
from northstar.insights.measures import all_measures
from tests.insights.people import member, organisation, survivors

LAST_YEAR = timezone.now() - dt.timedelta(days=400)


@pytest.fixture
def world(db):
    funder = organisation("Fund for Survivors", kind="funder")
    ngo_a, ngo_b = organisation("Shelter North"), organisation("Legal Aid South")
    a, b = member(ngo_a, "caseworker"), member(ngo_b, "caseworker")
    recipe = [  # (staff, n, trial, first outcome, delivered, opened)
        (a, 14, "yes", "monetary_support", True, None), (a, 3, "yes", "monetary_support", False, None),
        (a, 25, "no", "monetary_support", True, None), (a, 13, "no", "monetary_support", False, None),
        (a, 2, "no", "healing", True, None), (a, 12, "undecided", "healing", False, LAST_YEAR),
        (a, 12, "undecided", "healing", True, LAST_YEAR), (a, 1, "yes", "safety_self_and_others", True, None),
        (b, 20, "no", "monetary_support", True, None), (b, 12, "no", "monetary_support", False, None),
        (b, 4, "yes", "healing", True, None), (b, 13, "yes", "monetary_support", True, LAST_YEAR),
        (b, 11, "yes", "monetary_support", False, LAST_YEAR), (b, 6, "undecided", "healing", False, None),
        (b, 1, "no", "monetary_support", True, None),
    ]
    for staff, n, trial, first, delivered, opened in recipe:
        survivors(staff, n, trial=trial, first=first, delivered=delivered, opened=opened,
                  birth_year=None if n < 5 else 1990)
    for org in (ngo_a, ngo_b):
        sharing.set_sharing(member(org, "org_admin"), contributes=True, funder_ids=[funder.pk])
    return {"funder": member(funder, "funder"), "orgs": (ngo_a, ngo_b),
            "researcher": member(ngo_a, "researcher")}


def _known(table, key, *, share: bool):
    """What a table shows of a cell's people (and base), or None where hidden."""
    if share:
        return table.counts.get(key), table.bases.get(key)
    return table.values.get(key), None


def attack(tables, *, slack: int = 0) -> dict:
    """Every subtraction an onlooker can make among ``tables`` (the scopes of one split),
    repeated until nothing new is learnt. Each shown count is an interval [v−slack,
    v+slack]; an equation with one unknown gives that unknown an interval. Returns the
    cells pinned to one value that were hidden: {(scope, row, column, part): value}."""
    share = tables[0].unit == "share"
    recovered = {}
    for part in (0, 1) if share else (0,):
        lo, hi, hidden = {}, {}, set()
        for t in tables:
            for r in t.rows:
                for c in t.columns:
                    v = _known(t, (r, c), share=share)[part]
                    cell = (t.scope, r, c)
                    if v is None and not (share and t.bases.get((r, c)) == 0):
                        hidden.add(cell)
                    else:
                        v = v or 0
                        lo[cell], hi[cell] = max(0, v - slack), v + slack
        eqs = []
        for t in tables:
            inner_r = [r for r in t.rows if r != TOTAL]
            inner_c = [c for c in t.columns if c != TOTAL]
            if TOTAL in t.columns:
                eqs += [[((t.scope, r, c), 1) for c in inner_c] + [((t.scope, r, TOTAL), -1)]
                        for r in t.rows]
            if TOTAL in t.rows:
                eqs += [[((t.scope, r, c), 1) for r in inner_r] + [((t.scope, TOTAL, c), -1)]
                        for c in t.columns]
        parts = [t for t in tables if t.scope != "total"]
        for t in tables:
            if t.scope == "total" and parts:
                for r in t.rows:
                    for c in t.columns:
                        eqs.append([((p.scope, r, c), 1) for p in parts]
                                   + [(("total", r, c), -1)])
        changed = True
        while changed:
            changed = False
            for eq in eqs:
                unknown = [(cell, k) for cell, k in eq if cell not in lo]
                if len(unknown) != 1:
                    continue
                (cell, k), = unknown
                # k * x = -(sum of the others): bounds from the others' intervals.
                rest_lo = sum(kk * (lo[c] if kk > 0 else hi[c]) for c, kk in eq if c != cell)
                rest_hi = sum(kk * (hi[c] if kk > 0 else lo[c]) for c, kk in eq if c != cell)
                lo[cell], hi[cell] = sorted((-rest_hi * k, -rest_lo * k))
                lo[cell] = max(0, lo[cell])
                changed = True
        for cell in hidden:
            if cell in lo and lo[cell] == hi[cell]:
                recovered[(*cell, part)] = lo[cell]
    return recovered


def _splits(sections):
    out = {}
    for section in sections:
        for table in section.tables:
            out.setdefault(table.measure, []).append(table)
    return out


def test_no_hidden_cell_of_a_funders_tables_is_recovered_by_subtraction(world):
    splits = _splits(tables_for(world["funder"]))
    trial = splits["own_outcome_delivered.trial"]
    assert sum(t.hidden for t in trial) > 0, "the data must have small cells to hide"
    for split, tables in splits.items():
        assert attack(tables, slack=2) == {}, split
        for t in tables:  # every shown count is a multiple of the base
            shown = [v for v in (t.counts or t.values).values() if v is not None]
            assert all(v % 5 == 0 for v in shown if isinstance(v, int)), split


def test_unrounded_the_same_tables_still_give_nothing_away(world):
    """Rounding off, so a subtraction would give a cell exactly: complementary suppression
    alone must hold, across rows, columns and each organisation against the total."""
    exact = disclosure.Audience("external, unrounded", disclosure.EXTERNAL_MIN_CELL, 1)
    hidden_somewhere = 0
    for measure in all_measures():
        per_org = {f"org:{o.pk}": grids_of(measure, o.pk, None) for o in world["orgs"]}
        for split in next(iter(per_org.values())):
            family = {scope: grids[split] for scope, grids in per_org.items()}
            family["total"] = add(family.values())
            tables = list(disclosure.protect(family, exact, total="total").values())
            hidden_somewhere += sum(t.hidden for t in tables)
            assert attack(tables) == {}, split
    assert hidden_somewhere > 0


def test_the_attack_finds_a_cell_when_only_primary_suppression_is_applied(world):
    """The control: hide only the small cells, show the rest, and the attack recovers one."""
    per_org = {f"org:{o.pk}": grids_of(all_measures()[0], o.pk, None) for o in world["orgs"]}
    split = "own_outcome_delivered.trial"
    family = {scope: grids[split] for scope, grids in per_org.items()}
    family["total"] = add(family.values())
    exact = disclosure.Audience("primary only", disclosure.EXTERNAL_MIN_CELL, 1)
    full = disclosure.protect(family, disclosure.Audience("nothing hidden", 1, 1),
                              total="total")
    protected = disclosure.protect(family, exact, total="total")
    primary_only = []
    for table in full.values():
        counts = dict(table.counts)
        for key in table.counts:
            people, base = counts[key], table.bases[key]
            if disclosure._sensitive(people, base, exact.threshold):
                counts[key] = None
        primary_only.append(type(table)(**{**table.__dict__, "counts": counts,
                                           "bases": {k: (None if counts[k] is None else v)
                                                     for k, v in table.bases.items()}}))
    assert attack(primary_only) != {}
    assert attack(list(protected.values())) == {}


def test_an_organisations_own_researcher_gets_nothing_by_subtraction_either(world):
    splits = _splits(tables_for(world["researcher"]))
    assert {t.scope for tables in splits.values() for t in tables} == {"own"}
    assert any(t.hidden for tables in splits.values() for t in tables)
    for split, tables in splits.items():
        assert attack(tables) == {}, split


def test_two_periods_differ_by_multiples_of_the_rounding_base(world):
    """One release for this year, one for all time: a survivor opened last year shows in the
    second only as part of a count rounded to 5, so the difference between the releases
    never reveals one person."""
    today = timezone.localdate()
    this_year = (today - dt.timedelta(days=200), today)
    recent = _splits(tables_for(world["funder"], period=this_year))
    whole = _splits(tables_for(world["funder"]))
    for split, tables in recent.items():
        assert attack(tables, slack=2) == {}, split
        for t_recent, t_whole in zip(tables, whole[split], strict=True):
            for key, v in (t_recent.counts or t_recent.values).items():
                w = (t_whole.counts or t_whole.values).get(key)
                if isinstance(v, int) and isinstance(w, int):
                    assert (w - v) % 5 == 0, (split, key)
