"""Every insights measure counted by one set-based statement (``insights/counting.py``) gives
the very grids the previous per-row ORM counting gave (``reference_counting.py``), on varied
populations, for all time and for a period: same rows, columns, cells, units."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command

from northstar.core.models import Organisation
from northstar.insights import counting
from tests.insights import reference_counting
from tests.populations import build

FUNCTIONS = ("own_outcome_delivered", "identification_funnel", "time_to_first_support",
             "do_no_harm", "compensation", "held_to_account")
PERIODS = (None, (dt.date(2024, 1, 1), dt.date(2025, 6, 30)))


def _shape(grids) -> dict:
    return {g.measure: (g.rows, g.columns, g.additive_rows, g.additive_columns, g.unit,
                        {k: (c.people, c.of) for k, c in g.cells.items()}) for g in grids}


def _check(organisation_ids) -> int:
    """Every function against the reference, counting the consent-gated set in each
    statement and then from ``counted_once``'s table (all the organisations at once)."""
    cells = _check_each(organisation_ids)
    with counting.counted_once(organisation_ids):
        assert _check_each(organisation_ids) == cells
    return cells


def _check_each(organisation_ids) -> int:
    cells = 0
    for org in organisation_ids:
        for name in FUNCTIONS:
            for period in PERIODS:
                now = _shape(getattr(counting, name)(org, period=period))
                before = _shape(getattr(reference_counting, name)(org, period=period))
                assert now == before, (name, org, period)
                cells += sum(len(shape[-1]) for shape in now.values())
    return cells


def test_the_statements_count_what_the_per_row_counting_counted(caseworker, actor_for, org_a):
    build(actor_for(caseworker), 28)
    assert _check([org_a.pk]) > 20, "the population must fill cells"


@pytest.mark.django_db
def test_the_statements_agree_over_the_insights_population():
    call_command("insights_population", stdout=io.StringIO(), cases=400, organisations=4,
                 jurisdictions=2, batch=200)
    orgs = list(Organisation.objects.filter(code__startswith="IP").values_list("pk", flat=True))
    assert _check(orgs) > 200, "the population must fill cells"


def test_an_organisation_with_nobody_counted_gets_empty_grids(org_a):
    for name in FUNCTIONS:
        assert _shape(getattr(counting, name)(org_a.pk)) == \
            _shape(getattr(reference_counting, name)(org_a.pk))


def _queries(name: str, org) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        getattr(counting, name)(org.pk)
    return len(ctx.captured_queries)


def test_each_measure_costs_the_same_queries_for_3_survivors_as_for_30(org_a, caseworker,
                                                                        actor_for):
    from tests.insights.people import survivors

    actor = actor_for(caseworker)
    survivors(actor, 3, delivered=True)
    few = {name: _queries(name, org_a) for name in FUNCTIONS}
    survivors(actor, 27, trial="yes")
    many = {name: _queries(name, org_a) for name in FUNCTIONS}
    assert few == many
    assert max(many.values()) <= 4, many  # one statement (BEGIN, work_mem, COMMIT on PostgreSQL)


def test_within_counted_once_the_consent_gate_is_read_once_for_every_measure(org_a,
                                                                           caseworker,
                                                                           actor_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from northstar.survivors.models import Consent
    from tests.insights.people import survivors

    survivors(actor_for(caseworker), 5, delivered=True)
    consents = Consent._meta.db_table
    with CaptureQueriesContext(connection) as ctx:
        with counting.counted_once([org_a.pk]):
            grids = [getattr(counting, name)(org_a.pk) for name in FUNCTIONS]
    gate = [q["sql"] for q in ctx.captured_queries if consents in q["sql"]]
    assert len(gate) == 1 and "CREATE TEMPORARY TABLE" in gate[0], gate
    assert [_shape(g) for g in grids] == \
        [_shape(getattr(reference_counting, name)(org_a.pk)) for name in FUNCTIONS]
    # Left, the table is gone and each statement computes the gate again.
    with CaptureQueriesContext(connection) as ctx:
        counting.held_to_account(org_a.pk)
    assert any(consents in q["sql"] for q in ctx.captured_queries)
