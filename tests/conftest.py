"""Shared fixtures: two organisations in two jurisdictions and a user per role in each.

Like healthchecks' Alice/Bob/Charlie: every test of a survivor endpoint can
prove the *other* organisation is refused. Names:

- ``org_a`` (TH NGO) and ``org_b`` (KH legal aid); ``users[(org_key, role)]``
- ``caseworker`` (org A), ``supervisor`` (org A), ``other_caseworker`` (org B)
- ``actor_for(user, channel="web")`` → ``Actor``
- ``survivor_a`` (org A, adult, with personal data) and ``case_a`` (labour, TH)
- ``api(user)`` → a Django test client sending a real bearer token for ``user``
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from northstar.core.actor import Actor
from northstar.core.models import Membership, Organisation
from northstar.core.roles import Role
from northstar.core.tokens import issue_token
from northstar.survivors import actions

PASSWORD = "correct horse battery staple 42"


def pytest_configure(config):
    """A ``replica`` database alias as a TEST MIRROR of ``default`` (core/db.py), unless the
    environment configures one (then settings mirror it the same way). Nothing reads it
    until a test asks: ``settings.NORTHSTAR_FIGURES_DATABASE = "replica"`` and
    ``django_db(databases=["default", "replica"])`` (tests/core/test_figures_replica.py)."""
    from django.conf import settings

    if "replica" not in settings.DATABASES:
        default = settings.DATABASES["default"]
        settings.DATABASES["replica"] = {
            **default, "OPTIONS": dict(default.get("OPTIONS", {})),
            "TEST": {**default.get("TEST", {}), "NAME": None, "MIRROR": "default"}}


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """PBKDF2 is slow on purpose; tests create many users and need no such cost."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_process_cache():
    """Each test starts with an empty in-process cache: rate-limit counters (the anonymous
    report page, sign-in attempts) must not carry from one test to the next, which they did
    once test files were shared out to workers in another order. Only a process's own
    local-memory cache is emptied, never a Redis other workers share."""
    from django.core.cache import caches

    for cache in caches.all(initialized_only=True):
        if cache.__class__.__name__ == "LocMemCache":
            cache.clear()


@pytest.fixture(autouse=True)
def _nothing_read_ahead_yet():
    """Each test starts with no page's reads noted (``core.ahead``): a page's first view in
    a test asks for its reads one by one, as in a fresh process."""
    from northstar.core import ahead

    ahead.forget()


@pytest.fixture(autouse=True)
def _english_after_each_test():
    """A page asked for in Khmer or Thai leaves that language active in the worker's thread
    (the locale middleware activates it); the next test in the same worker would read its
    messages in that language (one test read "failed" in Khmer). Each test ends in the
    project's default language."""
    from django.utils import translation

    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _two_factor_only_where_tested(settings):
    """Most tests log supervisors in with ``force_login`` and test something else; the
    second factor is tested on its own in ``tests/core/test_two_factor.py``, which turns
    this back on (``settings.NORTHSTAR_REQUIRE_TWO_FACTOR = True``)."""
    settings.NORTHSTAR_REQUIRE_TWO_FACTOR = False


@pytest.fixture
def org_a(db):
    return Organisation.objects.create(name="Org A (TH NGO)", kind="ngo", jurisdiction="TH",
                                       code="ORGA")


@pytest.fixture
def org_b(db):
    return Organisation.objects.create(name="Org B (KH legal aid)", kind="legal_aid",
                                       jurisdiction="KH", code="ORGB")


def make_user(username: str, organisation: Organisation, role: str):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user(username=username, password=PASSWORD)
    Membership.objects.create(user=user, organisation=organisation, role=role)
    return user


@pytest.fixture
def users(org_a, org_b):
    return {
        (key, role): make_user(f"{role}.{key}", org, role)
        for key, org in (("a", org_a), ("b", org_b))
        for role in Role.values
    }


@pytest.fixture
def caseworker(users):
    return users[("a", Role.CASEWORKER)]


@pytest.fixture
def supervisor(users):
    return users[("a", Role.SUPERVISOR)]


@pytest.fixture
def other_caseworker(users):
    return users[("b", Role.CASEWORKER)]


@pytest.fixture
def actor_for():
    def build(user, channel: str = "web") -> Actor:
        return Actor.for_user(user, channel)

    return build


@pytest.fixture
def survivor_a(caseworker, actor_for):
    return actions.create_survivor(actor_for(caseworker), data={
        "given_name": "Demo Sokha", "family_name": "Testperson",
        "date_of_birth": "1998-04-12", "phone": "+855 12 345 678",
        "address": "Demo street 1", "sex": "female", "nationality": "KH",
        "languages": ["km"], "preferred_language": "km", "interpreter_needed": True,
    })


@pytest.fixture
def case_a(survivor_a, caseworker, actor_for):
    return actions.create_case(actor_for(caseworker), survivor_a, data={
        "forms_of_exploitation": ["labour"], "sectors": ["fishing"],
        "country_of_origin": "KH", "country_of_destination": "TH",
        "period_start": dt.date(2024, 1, 1), "period_end": dt.date(2024, 6, 30),
        "relationship_to_offender": "stranger", "coercion": "high",
        "summary": "Worked on a boat for six months without pay.",
    })


class ApiClient:
    """A test client that sends a real bearer token and JSON bodies."""

    def __init__(self, user=None):
        self.client = Client()
        self.headers = {}
        if user is not None:
            token, raw = issue_token(user, name="test")
            # As if just used: the token's last use is written once a minute at most
            # (core/tokens.py), so query counts compare requests as they are in steady use.
            type(token).objects.filter(pk=token.pk).update(last_used_at=timezone.now())
            self.headers["HTTP_AUTHORIZATION"] = f"Bearer {raw}"

    def _call(self, method, path, data=None, **extra):
        kwargs = {**self.headers, **extra}
        if data is not None and method != "get":
            import json

            kwargs["data"] = data if isinstance(data, str | bytes) else json.dumps(data, default=str)
            kwargs["content_type"] = "application/json"
        elif data is not None:
            kwargs["data"] = data
        return getattr(self.client, method)(path, **kwargs)

    def get(self, path, params=None, **extra):
        return self._call("get", path, params, **extra)

    def post(self, path, data=None, **extra):
        return self._call("post", path, data if data is not None else {}, **extra)

    def patch(self, path, data=None, **extra):
        return self._call("patch", path, data if data is not None else {}, **extra)

    def delete(self, path, **extra):
        return self._call("delete", path, None, **extra)


@pytest.fixture
def api():
    def build(user=None) -> ApiClient:
        return ApiClient(user)

    return build


@pytest.fixture
def count_sql_compiled(monkeypatch):
    """``start()`` begins counting the queries Django compiles (``SQLCompiler.as_sql``) and
    returns the list their models are appended to: a query written once per process
    (``core.prepared``) must leave it empty once warm."""
    from django.db.models.sql.compiler import SQLCompiler

    def start() -> list:
        compiled: list = []
        as_sql = SQLCompiler.as_sql

        def counting(self, *args, **kwargs):
            compiled.append(self.query.model)
            return as_sql(self, *args, **kwargs)

        monkeypatch.setattr(SQLCompiler, "as_sql", counting)
        return compiled

    return start
