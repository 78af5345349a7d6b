"""PostgreSQL keeps the plans of the statements every request repeats (issue 13, h-binding):
parameters are bound on the server and a statement run often enough on a connection is
prepared there, so the next run skips parsing and planning. Off only when asked for
(``NORTHSTAR_PG_SERVER_SIDE_BINDING=off``, e.g. behind a transaction-mode pooler)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]

on_postgres = pytest.mark.skipif(connection.vendor != "postgresql",
                                 reason="server-side binding is PostgreSQL's")


def _prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


@on_postgres
def test_the_statements_every_api_request_repeats_are_prepared_on_the_server(
        api, caseworker, survivor_a):
    client = api(caseworker)
    url = f"/api/v1/survivors/{survivor_a.pk}"
    for _ in range(settings.DATABASES["default"]["OPTIONS"]["prepare_threshold"] + 2):
        assert client.get(url).status_code == 200
    prepared = _prepared_statements()
    # The token lookup (token, user, membership, organisation) and the audit entry's
    # linked INSERT: the two whose planning was a third of a request's backend CPU.
    assert any("core_apitoken" in sql and "$1" in sql for sql in prepared), prepared
    assert any("INSERT INTO core_auditentry" in sql for sql in prepared), prepared


@on_postgres
def test_parameters_travel_apart_from_the_sql(db):
    assert connection.features.uses_server_side_binding
    with connection.cursor() as cursor:
        # Bound on the client, this would be the literal 2 and pg_typeof "integer";
        # bound on the server, the parameter is typed by psycopg (a small int: smallint).
        cursor.execute("SELECT pg_typeof(%s)::text", [2])
        assert cursor.fetchone()[0] == "smallint"


def _database_options(**env) -> dict:
    """The default database's OPTIONS as the settings module makes them for ``env``."""
    child = {k: v for k, v in os.environ.items()
             if not k.startswith(("NORTHSTAR_PG_", "DJANGO_SETTINGS"))}
    child.update(env)
    code = ("import json; from northstar import settings; "
            "print(json.dumps(settings.DATABASES['default'].get('OPTIONS', {})))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=child, check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def test_postgresql_binds_on_the_server_unless_switched_off():
    url = "postgresql://nobody@127.0.0.1:1/none"
    on = _database_options(DATABASE_URL=url)
    assert on["server_side_binding"] is True and on["prepare_threshold"] == 2
    assert _database_options(DATABASE_URL=url, NORTHSTAR_PG_PREPARE_THRESHOLD="0")[
        "prepare_threshold"] == 0
    off = _database_options(DATABASE_URL=url, NORTHSTAR_PG_SERVER_SIDE_BINDING="off")
    assert "server_side_binding" not in off and "prepare_threshold" not in off
    sqlite = _database_options(DATABASE_URL="sqlite:////tmp/none.sqlite3")
    assert "server_side_binding" not in sqlite


@on_postgres
def test_a_recipe_writes_its_constants_into_the_sql_and_binds_only_its_values(caseworker,
                                                                            actor_for):
    """A prepared statement's generic plan is made without the parameters' values: the
    referral states are literals, so the planner sees from the statistics how few match."""
    from northstar.core.prepared import Recipe, exists_sql
    from northstar.referrals.models import ACCESS_STATES, Referral

    recipe = Recipe(lambda org_id: Referral.objects.filter(recipient_id=org_id,
                                                           status__in=ACCESS_STATES),
                    -7_310_000_077)
    org = actor_for(caseworker).organisation.pk
    sent = []

    def spy(execute, sql, params, many, context):
        sent.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(spy):
        assert recipe.scalar((), (org,), exists_sql) is None
    [(sql, params)] = sent
    assert list(params) == [org]
    assert "IN ('accepted', 'in_progress')" in sql and "SELECT 1 AS" in sql, sql
