"""Statements the app runs often keep a good plan once PostgreSQL plans them generically
(issue 13, h-generic; ``bench/generic_plans.py`` finds them).

With server-side binding a statement run a few times on a kept connection is prepared, and
PostgreSQL may then keep one *generic* plan made without the parameters' values, whichever
organisation the connection serves next. Each test takes the statement as the app sends
it, prepares it, and explains it under ``plan_cache_mode = force_generic_plan`` with the
values of the call.
"""

from __future__ import annotations

import copy

import pytest
from django.db import connection

from northstar.core.actor import Actor
from northstar.core.prepared import Constant, planned_each_run
from northstar.safeguards import actions as safeguard_actions
from northstar.safeguards.models import Finding
from northstar.survivors.models import Case

on_postgres = pytest.mark.skipif(connection.vendor != "postgresql",
                                 reason="prepared statements' plans are PostgreSQL's")


def sent_by(run) -> list[tuple[str, list]]:
    """The statements ``run()`` sends, with their parameters."""
    sent = []

    def keep(execute, sql, params, many, context):
        sent.append((sql, list(params or ())))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(keep):
        run()
    return sent


def generic_plan(sql: str, params: list) -> str:
    """``EXPLAIN EXECUTE`` of ``sql`` prepared, with PostgreSQL made to use its generic plan
    (the one it keeps after five runs when it judges it no worse)."""
    numbered, n = sql.replace("%%", "\x00"), 0
    while "%s" in numbered:
        n += 1
        numbered = numbered.replace("%s", f"${n}", 1)
    numbered = numbered.replace("\x00", "%")
    values = ", ".join(connection.ops.compose_sql("%s", [p]) for p in params)
    with connection.cursor() as cursor:
        cursor.execute(f"PREPARE generic_check AS {numbered}")
        try:
            cursor.execute("SET plan_cache_mode = force_generic_plan")
            cursor.execute(f"EXPLAIN EXECUTE generic_check({values})" if params
                           else "EXPLAIN EXECUTE generic_check")
            return "\n".join(row[0] for row in cursor.fetchall())
        finally:
            cursor.execute("RESET plan_cache_mode")
            cursor.execute("DEALLOCATE generic_check")


# --- Constant --------------------------------------------------------------------------


def test_a_constant_is_written_into_the_sql_and_gives_the_same_rows(db, case_a):
    Finding.objects.create(case=case_a, action="refer", rule="t", severity="block",
                           harm="physical", explanation="x", source="check",
                           rule_set_version="t", status="open")
    by_param = Finding.objects.filter(status="open")
    by_constant = Finding.objects.filter(status=Constant("open"))
    sql, params = by_constant.query.sql_with_params()
    assert "'open'" in sql and "open" not in params
    assert list(by_constant) == list(by_param) != []
    assert not Finding.objects.filter(status=Constant("resolved")).exists()


@pytest.mark.parametrize("value", ["it's", "a%b", "", "x" * 65, 1.5, True, None, b"open"])
def test_a_constant_is_plain_text_or_an_integer(value):
    with pytest.raises(ValueError):
        Constant(value)


# --- The open findings work list -------------------------------------------------------


@on_postgres
def test_open_findings_generic_plan_reads_the_open_findings_index(case_a, supervisor):
    """``/api/v1/findings`` and ``/safeguards/findings/``: "open" as a parameter left the
    generic plan no use of the partial index ``finding_open_order`` (``WHERE status =
    'open'``): it read every finding and every case and sorted them (10k: 1.6 -> 23 ms)."""
    cases = [case_a]
    for n in range(600):
        clone = copy.copy(case_a)
        clone.pk, clone.reference = None, f"{case_a.reference}-{n}"
        cases.append(clone)
    Case.objects.bulk_create(cases[1:])
    Finding.objects.bulk_create(
        Finding(case=cases[n % len(cases)], action="refer", rule="test", severity=severity,
                harm="physical", explanation=f"finding {n}", source="check",
                rule_set_version="test", status="open" if n % 5 else "resolved")
        for n in range(1500) for severity in ("block", "warn"))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE safeguards_finding")
        cursor.execute("ANALYZE survivors_case")
    actor = Actor.for_user(supervisor, "test")
    [(sql, params)] = sent_by(lambda: list(safeguard_actions.open_findings(actor)[:26]))
    plan = generic_plan(sql, params)
    assert "finding_open_order" in plan, plan
    assert "Seq Scan on safeguards_finding" not in plan, plan


# --- Planned for each organisation: the timeline's task lists --------------------------


def _prepared_on_this_connection(text: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE NOT from_sql")
        return [row[0] for row in cursor.fetchall() if text in row[0]]


@on_postgres
def test_planned_each_run_prepares_nothing_and_restores_the_threshold(db):
    from django.conf import settings

    threshold = settings.DATABASES["default"]["OPTIONS"]["prepare_threshold"]
    with planned_each_run():
        for _ in range(threshold + 3):
            list(Finding.objects.filter(rule="planned-each-run"))
        assert connection.connection.prepare_threshold is None
    assert connection.connection.prepare_threshold == threshold
    assert _prepared_on_this_connection("planned-each-run") == []
    assert _prepared_on_this_connection('"safeguards_finding"."rule" = $1') == []
    for _ in range(threshold + 1):  # outside the block, prepared as usual
        list(Finding.objects.filter(rule="planned-each-run"))
    assert _prepared_on_this_connection('"safeguards_finding"."rule" = $1') != []


def test_planned_each_run_changes_nothing_elsewhere(db):
    with planned_each_run():
        assert list(Finding.objects.filter(rule="x")) == []


def _prepared_with_parameters(text: str) -> list[tuple[str, list[str]]]:
    """Statements prepared on this connection that contain ``text`` and still bind a
    parameter: those PostgreSQL may answer with one generic plan for every organisation."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement, parameter_types::text[] FROM pg_prepared_statements "
                       "WHERE NOT from_sql")
        return [(sql, types) for sql, types in cursor.fetchall() if text in sql and types]


@on_postgres
def test_the_task_lists_never_keep_a_plan_shared_by_organisations(case_a, caseworker,
                                                                   actor_for):
    """``/justice/tasks/``, ``/api/v1/timeline/tasks`` (``open_task_events``) and the
    caseload's task alerts (``task_rows_for``, ``Rows``): either planned on every run (the
    task lists, ``planned_each_run``) or prepared with the organisation written in (the
    caseload's ``Rows``, h-caseload5), never prepared with the organisation a parameter,
    whose generic plan, kept for another organisation, cost 35-60 ms for a small one at
    100k."""
    from django.utils import timezone

    from northstar.justice import selectors as justice_selectors

    actor = actor_for(caseworker)
    today = timezone.localdate()
    for _ in range(8):
        justice_selectors.tasks_for(actor, today=today)
        justice_selectors.task_rows_for(actor, today=today, limit=50)
    assert _prepared_with_parameters("justice_timelineevent") == []


@on_postgres
def test_the_caseload_blocks_never_keep_a_plan_shared_by_organisations(case_a, caseworker,
                                                                        actor_for):
    """The caseload's open Do No Harm blocks (``_OLDEST_STAFF_BLOCKS``): prepared with the
    organisation written in, so never the generic plan that walks every organisation's open
    blocks (100k: 35-65 ms for a small organisation, 0.5-0.8 planned for it)."""
    from northstar.safeguards import panels as safeguard_panels

    Finding.objects.create(case=case_a, action="refer", rule="t", severity="block",
                           harm="physical", explanation="x", source="check",
                           rule_set_version="t", status="open")
    actor = actor_for(caseworker)
    for _ in range(8):
        assert len(safeguard_panels.open_block_alerts(actor, limit=50)) == 1
    assert _prepared_with_parameters("\"severity\" = 'block'") == []
    kept = _prepared_on_this_connection("\"severity\" = 'block'")
    assert all(f"{actor.organisation.pk}" in sql for sql in kept), kept


# --- The caseload's search by part of a reference --------------------------------------


@pytest.mark.parametrize("term", ["a", "0", "%", "_", "'", "\\", "it's 50%_off\\"])
def test_a_reference_search_finds_what_icontains_finds(survivor_a, term):
    from northstar.survivors.models import Survivor

    Survivor.objects.filter(pk=survivor_a.pk).update(reference=f"X{term.upper()}y-{term}")
    found = list(Survivor.objects.filter(reference__icontains=term).values_list("pk", flat=True))
    assert found == [survivor_a.pk]
    assert not Survivor.objects.filter(reference__icontains=f"{term}nowhere").exists()


@on_postgres
def test_the_caseload_search_carries_its_term_in_the_sql(survivor_a, caseworker, client):
    """``/?q=``: the term is no parameter, so a prepared search statement is one term's and
    never runs a generic plan made without it (100k: 0.2-19 ms planned for the term,
    140-900 ms generic)."""
    client.force_login(caseworker)
    term = "ZQX'%"
    sent = sent_by(lambda: client.get("/", {"q": term, "whose": "all"}))
    searched = [(sql, params) for sql, params in sent if "LIKE UPPER(" in sql]
    assert searched, [sql for sql, _ in sent]
    for sql, params in searched:
        assert not any(isinstance(p, str) and "ZQX" in p for p in params), params
        assert "ZQX''\\%%" in sql or "ZQX''\\\\%%" in sql, sql


@on_postgres
def test_the_open_findings_work_list_is_planned_for_the_organisation_each_run(
        case_a, supervisor, api, client):
    """With "open" written in, the generic plan walks ``finding_open_order`` through every
    organisation's open findings: right for the largest, 60 ms for one with 20 survivors
    (1 ms planned for it), and PostgreSQL kept it for the small one. The API's and the
    page's count and page are never prepared."""
    Finding.objects.create(case=case_a, action="refer", rule="t", severity="block",
                           harm="physical", explanation="x", source="check",
                           rule_set_version="t", status="open")
    by_api = api(supervisor)
    client.force_login(supervisor)
    for _ in range(8):
        assert by_api.get("/api/v1/findings").status_code == 200
        assert client.get("/safeguards/findings/").status_code == 200
    assert _prepared_on_this_connection("\"safeguards_finding\".\"status\" = 'open'") == []
