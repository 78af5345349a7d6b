"""A ``core.prepared.Rows`` statement carries its date values as literals on PostgreSQL
(issue 13, h-plans).

Prepared on a kept connection, a statement's generic plan is made without its parameters'
values: for the caseload's coming hearings and shelter stays (``window_on`` between today
and a fortnight on) that plan read every event of the organisation and sorted them
(0.5 -> 100 ms at 100,000 survivors). Dates change once a day, so they are written into
the SQL; the organisation stays a parameter, and date-times ("now") too."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from northstar.justice import actions as justice_actions
from northstar.justice import selectors

on_postgres = pytest.mark.skipif(connection.vendor != "postgresql",
                                 reason="prepared statements are PostgreSQL's")


def _prepared(table_hint: str) -> list[tuple[str, list[str]]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement, parameter_types::text[] FROM pg_prepared_statements "
                       "WHERE statement LIKE %s", [f"%{table_hint}%"])
        return cursor.fetchall()


@on_postgres
def test_the_caseload_task_rows_carry_today_and_their_windows_as_literals(
        caseworker, actor_for, case_a):
    me = actor_for(caseworker)
    today = timezone.localdate()
    justice_actions.record_event(me, case_a, kind="hearing",
                                 occurred_on=today + dt.timedelta(days=3),
                                 details={"testimony": "in_person"})
    expected = selectors.open_task_rows(selectors.policy.visible_cases(me), today=today,
                                        upto=selectors.TASK_LIMIT)
    for _ in range(settings.DATABASES["default"]["OPTIONS"]["prepare_threshold"] + 2):
        assert selectors.task_rows_for(me, today=today) == expected
    assert any(row["kind"] == "hearing" for row in expected)
    coming = [(sql, types) for sql, types in _prepared('"window_on" >=')]
    assert coming, "the coming tasks' statement was not prepared"
    for sql, types in coming:
        assert f"'{today.isoformat()}'::date" in sql, sql
        assert "date" not in types, types  # the organisation alone is bound


@on_postgres
def test_the_caseloads_alert_statements_carry_the_organisation_and_are_planned_once(
        caseworker, actor_for, case_a, org_b):
    """h-caseload5: with the organisation's (and the person's) id a parameter, PostgreSQL
    planned the caseload's blocks, instalments, incoming referrals and tasks afresh on every
    view (a custom plan each time: 0.3-1.9 ms of planning each at 100,000 survivors). Written
    in, the statements have no parameter left and their one plan is kept."""
    from northstar.ui import panels
    from tests.web.test_flat_in_alerts import add_alerts

    me = actor_for(caseworker)
    add_alerts(me, case_a, 3, partner=org_b)
    first = [(a.due, a.severity, a.title) for a in panels.alerts_for(me, limit=20)]
    for _ in range(settings.DATABASES["default"]["OPTIONS"]["prepare_threshold"] + 6):
        assert [(a.due, a.severity, a.title) for a in panels.alerts_for(me, limit=20)] == first
    org = me.organisation.pk
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement, parameter_types::text[], generic_plans, custom_plans "
                       "FROM pg_prepared_statements")
        prepared = cursor.fetchall()
    for table in ('FROM "safeguards_finding"', 'FROM "compensation_compensationalert"',
                  'FROM "justice_timelineevent"', "ORDER BY CASE WHEN"):  # incoming referrals
        found = [p for p in prepared if table in p[0] and "LIMIT" in p[0]]
        assert found, (table, [p[0][:120] for p in prepared])
        for sql, types, generic, custom in found:
            assert types == [], (sql, types)
            assert f'"organisation_id" = {org}' in sql or f'"recipient_id" = {org}' in sql, sql
            assert custom == 0 and generic > 0, (sql, generic, custom)
