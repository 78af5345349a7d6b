"""The signed-in person read with membership and organisation in one prepared query
(``core.accounts.StaffBackend``), and sessions that name Django's own backend still valid."""

from __future__ import annotations

from django.contrib.auth import BACKEND_SESSION_KEY
from django.db import connection
from django.db.models.sql.compiler import SQLCompiler
from django.test.utils import CaptureQueriesContext

from northstar.core.accounts import StaffBackend
from northstar.core.actor import Actor
from tests.web.test_intake import client_for


def test_the_user_membership_and_organisation_are_one_query_compiled_once(
        caseworker, monkeypatch):
    backend = StaffBackend()
    backend.get_user(caseworker.pk)  # the SQL is written here, once
    compiled = []
    as_sql = SQLCompiler.as_sql
    monkeypatch.setattr(SQLCompiler, "as_sql",
                        lambda c, *a, **k: compiled.append(c) or as_sql(c, *a, **k))
    with CaptureQueriesContext(connection) as ctx:
        user = backend.get_user(str(caseworker.pk))
        actor = Actor.for_user(user, "web")
        assert actor.organisation.pk == caseworker.membership.organisation_id
        assert actor.role == caseworker.membership.role
    assert len(ctx.captured_queries) == 1 and not compiled
    assert user == caseworker


def test_no_such_user_an_inactive_one_and_a_bad_key_are_nobody(caseworker):
    backend = StaffBackend()
    assert backend.get_user(10**30) is None and backend.get_user("x") is None
    type(caseworker).objects.filter(pk=caseworker.pk).update(is_active=False)
    assert backend.get_user(caseworker.pk) is None


def test_signing_in_names_staff_backend_and_an_older_session_still_works(caseworker):
    client = client_for(caseworker)
    assert client.session[BACKEND_SESSION_KEY] == "northstar.core.accounts.StaffBackend"
    session = client.session
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session.save()
    assert client.get("/").status_code == 200  # still signed in
    assert client.session[BACKEND_SESSION_KEY] == "django.contrib.auth.backends.ModelBackend"
