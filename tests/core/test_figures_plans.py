"""The figures' statements are planned for their values on every run (issue 13, h-plans).

With server-side binding a statement run often on a kept connection is prepared, and
PostgreSQL may then keep a *generic* plan made without the parameters' values. For the
figures (an organisation, a consent purpose, "now") that plan read every consent of the
table where the value's plan reads the few that count: at 100,000 survivors the
compensation figures and the insights tables took several times longer once it set in.
``reading_figures()`` has PostgreSQL plan them for their values each time; the statements
of other requests keep their kept plans."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection

from northstar.core.db import reading_figures
from tests import populations

on_postgres = pytest.mark.skipif(connection.vendor != "postgresql",
                                 reason="prepared statements' plans are PostgreSQL's")


def _plan_cache_mode() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW plan_cache_mode")
        return cursor.fetchone()[0]


@on_postgres
def test_figures_are_planned_for_their_values_and_the_connection_then_plans_as_before(db):
    before = _plan_cache_mode()
    with reading_figures():
        assert _plan_cache_mode() == "force_custom_plan"
    assert _plan_cache_mode() == before == "auto"
    # A figure read that fails leaves the connection as it found it too.
    with pytest.raises(ZeroDivisionError), reading_figures():
        assert _plan_cache_mode() == "force_custom_plan"
        1 / 0  # noqa: B018
    assert _plan_cache_mode() == "auto"


@pytest.fixture
def population(caseworker, actor_for):
    return populations.build(actor_for(caseworker), 21)


@on_postgres
@pytest.mark.parametrize("url, table", [
    ("/api/v1/compensation/figures", "compensation_claim"),
    ("/api/v1/pathways/delivery", "pathways_priorities"),
])
def test_a_researchers_figures_never_run_a_generic_plan(population, users, api, url, table):
    """Requested often enough on one connection for PostgreSQL to prepare the figures'
    statement and weigh its generic plan (after five custom ones): it is never used."""
    client = api(users[("a", "researcher")])
    for _ in range(settings.DATABASES["default"]["OPTIONS"]["prepare_threshold"] + 8):
        assert client.get(url).status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement, generic_plans, custom_plans FROM "
                       "pg_prepared_statements WHERE statement LIKE %s",
                       [f'%FROM "{table}"%'])
        figures = cursor.fetchall()
    assert figures, "the figures' statement was not prepared"
    for statement, generic, custom in figures:
        assert generic == 0 and custom >= 6, (generic, custom, statement[:200])
