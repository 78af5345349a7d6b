"""Figures may be read on a streaming replica; every write, the audit entry of the figure
read included, and every record read stay on the primary (core/db.py, issue 13).

The ``replica`` alias is a TEST MIRROR of ``default`` (tests/conftest.py): the same test
database through a connection of its own, so the queries each alias ran are captured
separately. The tests commit (``transaction=True``) so the mirror's connection sees the
rows the test made."""

from __future__ import annotations

import re

import pytest
from django.db import connections
from django.test import Client
from django.test.utils import CaptureQueriesContext

from northstar.core import db
from northstar.core.models import AuditEntry, Membership
from northstar.core.roles import Role
from northstar.survivors.models import Survivor

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])

FIGURES = [
    ("/api/v1/compensation/figures", Role.SUPERVISOR, "compensation_"),
    ("/api/v1/pathways/delivery", Role.SUPERVISOR, "pathways_"),
    ("/api/v1/insights/figures", Role.RESEARCHER, "survivors_"),
]


@pytest.fixture
def replica(settings):
    settings.NORTHSTAR_FIGURES_DATABASE = "replica"
    return "replica"


def _writes(queries) -> list[str]:
    # The audit entry is a CTE whose INSERT comes after WITH (``audit._INSERT_LINKED``).
    return [q["sql"] for q in queries
            if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
            or re.search(r"\b(INSERT INTO|UPDATE|DELETE FROM)\b", q["sql"], re.I)]


def _capture(path, client_call):
    with CaptureQueriesContext(connections["default"]) as primary, \
            CaptureQueriesContext(connections["replica"]) as copy:
        response = client_call(path)
    return response, primary.captured_queries, copy.captured_queries


@pytest.mark.parametrize("path,role,table", FIGURES)
def test_figures_are_read_on_the_replica_and_audited_on_the_primary(
        replica, api, users, case_a, path, role, table):
    reader = users[("a", role)]
    audit_before = AuditEntry.objects.using("default").count()

    response, primary, copy = _capture(path, api(reader).get)

    assert response.status_code == 200, response.content
    assert any(table in q["sql"] for q in copy), "the figures were not read on the replica"
    assert not _writes(copy), "nothing is written through the replica"
    assert any("core_auditentry" in sql for sql in _writes(primary)), \
        "the audit entry of the figure read is written on the primary"
    assert AuditEntry.objects.using("default").count() > audit_before
    # Who may read which figures is decided on the primary: memberships, tokens.
    assert not any("core_membership" in q["sql"] or "core_apitoken" in q["sql"]
                   for q in copy)


def test_without_a_replica_every_figure_query_runs_on_the_primary(api, supervisor, case_a):
    response, primary, copy = _capture("/api/v1/compensation/figures", api(supervisor).get)
    assert response.status_code == 200
    assert copy == []
    assert any("compensation_" in q["sql"] for q in primary)


def test_a_case_record_read_stays_on_the_primary_with_a_replica(replica, api, caseworker,
                                                                 case_a):
    response, primary, copy = _capture(f"/api/v1/cases/{case_a.pk}", api(caseworker).get)
    assert response.status_code == 200
    assert copy == []
    assert any("survivors_case" in q["sql"] for q in primary)


def test_the_figure_page_says_as_of_when_read_on_a_replica(replica, supervisor, case_a):
    client = Client()
    client.force_login(supervisor)
    with CaptureQueriesContext(connections["replica"]) as copy:
        page = client.get("/compensation/figures/")
    assert page.status_code == 200
    assert copy.captured_queries
    assert 'class="figures-as-of"' in page.content.decode()
    assert "up to date as of" in page.content.decode()


def test_the_figure_page_says_nothing_of_a_replica_without_one(supervisor, case_a):
    client = Client()
    client.force_login(supervisor)
    page = client.get("/compensation/figures/")
    assert page.status_code == 200
    assert 'class="figures-as-of"' not in page.content.decode()


def test_a_replica_too_far_behind_is_passed_over(replica, settings, api, supervisor, case_a):
    settings.NORTHSTAR_REPLICA_MAX_LAG_SECONDS = -1  # any replica is "too far behind"
    response, primary, copy = _capture("/api/v1/compensation/figures", api(supervisor).get)
    assert response.status_code == 200
    assert not any("compensation_" in q["sql"] for q in copy)
    assert any("compensation_" in q["sql"] for q in primary)


def test_the_router_keeps_access_and_audit_tables_on_the_primary(replica, survivor_a):
    router = db.FiguresRouter()
    with db.reading_figures() as alias:
        assert alias == "replica" and db.figures_alias() == "replica"
        assert router.db_for_read(Survivor) == "replica"
        assert router.db_for_read(Membership) == "default"
        assert router.db_for_read(AuditEntry) == "default"
        assert router.db_for_write(Survivor) == "default"
        assert Survivor.objects.filter(pk=survivor_a.pk).db == "replica"
    assert db.figures_alias() == "default"
    assert router.db_for_read(Survivor) is None  # outside: Django's default
    assert Survivor.objects.all().db == "default"
