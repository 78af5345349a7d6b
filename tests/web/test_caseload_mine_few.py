""""My cases" with a filter, for a reader with few survivors of their own (issue 13, h-filters).

A legal officer's caseload opens on "my cases". Narrowed by nationality or a search, it was
asked of every survivor of the organisation in the caseload's order, each probed for a case
of the reader's: with few or none, the page and its capped count read the whole organisation
(0.4-0.6 s a view at 100,000 survivors). Now the reader's survivors are named when they are
at most ``mine.FEW`` (read from the two "mine" indexes) and each probed by primary key; a
reader with more keeps the per-survivor condition. Either way the page shows the same rows.
"""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from northstar.core.roles import Role
from northstar.survivors import actions
from northstar.survivors.models import Case, Survivor
from northstar.web import mine
from tests.core.test_slow_reads import _survivors
from tests.web.test_intake import client_for
from tests.web.test_staff_pages_in_khmer import khmer_share

N = 1500
FILTERS = [{"nationality": "kh"}, {"nationality": "th"}, {"q": "MA1"}, {"q": "LO"},
           {"exploitation": "labour"}, {"q": "zzzz"}, {"whose": "all", "nationality": "th"}]


@pytest.fixture
def legal_officer(users):
    return users[("a", Role.LEGAL_OFFICER)]


@pytest.fixture
def organisation(org_a, org_b, caseworker, legal_officer, other_caseworker, actor_for):
    """Org A: 1,500 survivors with a case of the caseworker; the legal officer has the 40
    oldest cases (some archived, some of archived survivors: not theirs to list) and recorded
    three survivors with no case. Org B has its own. Nationalities alternate KH and TH."""
    cases = _survivors(org_a, "MA", N, staff=caseworker)
    _survivors(org_b, "MB", N // 10, staff=other_caseworker)
    Case.objects.filter(pk__in=[c.pk for c in cases[:40]]).update(caseworker=legal_officer)
    Survivor.objects.filter(pk__in=[c.survivor_id for c in cases[::2]]).update(nationality="TH")
    me = actor_for(legal_officer)
    for _ in range(3):
        actions.create_survivor(me, data={"nationality": "TH"})
    with connection.cursor() as cursor:
        for table in ("survivors_survivor", "survivors_case"):
            cursor.execute(f"ANALYZE {table}")
    return cases


def _table(html: str) -> str:
    return html[html.index("<tbody>"):html.index("</tbody>")]


def _shown(html: str) -> list[str]:
    """The references of the survivors listed, in order (not their cases')."""
    return re.findall(r'<tr[^>]*><td><a href="[^"]*">([^<]+)</a>', _table(html))


def test_the_legal_officers_few_survivors_are_named_and_the_caseworkers_many_are_not(
        organisation, legal_officer, caseworker, actor_for):
    ids = mine.few_ids(actor_for(legal_officer))
    assert ids is not None and len(ids) == 40 - 3 - 2 + 3  # 3 archived cases, 2 of archived survivors, 3 recorded
    assert mine.few_ids(actor_for(caseworker)) is None  # 1,400+: more than FEW


@pytest.mark.parametrize("user", ["legal_officer", "caseworker"])
def test_my_filtered_cases_are_the_same_rows_named_or_asked_per_survivor(
        organisation, legal_officer, caseworker, monkeypatch, user):
    client = client_for({"legal_officer": legal_officer, "caseworker": caseworker}[user])
    url = reverse("caseload")
    followed = 0
    for query in FILTERS:
        monkeypatch.setattr(mine, "FEW", 0)  # asked per survivor (``mine.condition``), as before
        per_survivor = client.get(url, query).content.decode()
        monkeypatch.setattr(mine, "FEW", 5000)  # named
        named = client.get(url, query).content.decode()
        assert _table(named) == _table(per_survivor), query
        assert _shown(named) == _shown(per_survivor), query
        count = re.compile(r"(\d[\d,]*\+?) survivors?")
        assert count.findall(named) == count.findall(per_survivor), query
        following = re.search(r'href="\?([^"]*cursor=[^"]*)" rel="next"', named)
        if following:  # the next page too, after the same cursor
            after = f"{url}?{unescape(following.group(1))}"
            monkeypatch.setattr(mine, "FEW", 0)
            per_survivor = client.get(after).content.decode()
            monkeypatch.setattr(mine, "FEW", 5000)
            assert _shown(client.get(after).content.decode()) == _shown(per_survivor), query
            assert _shown(per_survivor), query
            followed += 1
    assert followed or user == "legal_officer"  # the caseworker's lists run to pages
    # Some of them show rows, and only the reader's own with "my cases".
    if user == "legal_officer":
        shown = _shown(client.get(url, {"nationality": "th"}).content.decode())
        assert len(shown) == 3 + 18 and not any(r.startswith("MB") for r in shown)
        assert shown[3:] == [
            f"MA{i}" for i in range(39, -1, -1)
            if i % 2 == 0 and i % 17 != 5 and i % 23 != 7]


def test_my_filtered_cases_in_khmer(organisation, legal_officer):
    client = client_for(legal_officer)
    client.cookies["django_language"] = "km"
    response = client.get(reverse("caseload"), {"nationality": "th"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "MA38" in _table(html)
    assert khmer_share(html) > 0.5


def _explained(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.skipif(connection.vendor != "postgresql", reason="query plans are PostgreSQL's")
def test_the_page_and_its_count_probe_my_few_survivors_by_primary_key(organisation, legal_officer):
    client = client_for(legal_officer)
    for query in ({"nationality": "kh"}, {"q": "MA"}):
        with CaptureQueriesContext(connection) as captured:
            client.get(reverse("caseload"), query)
        listed = [q["sql"] for q in captured.captured_queries
                  if q["sql"].startswith('SELECT "survivors_survivor"."id"')
                  and "LIMIT 26" in q["sql"]]
        counted = [q["sql"] for q in captured.captured_queries
                   if q["sql"].startswith("SELECT COUNT(*)") and '"survivors_survivor"' in q["sql"]
                   and "web_intake" not in q["sql"]]
        assert listed and counted, query
        for sql in (*listed, *counted):
            plan = _explained(sql)
            # Each named survivor probed by its id: not the organisation walked in the
            # caseload's order with a probe of the cases per survivor. Either index keyed by
            # the id serves (the primary key, or h-smallreads' ``survivor_org_probe``: the id
            # with the organisation included), as the planner's estimates fall.
            assert "Index Cond: (id = ANY" in plan, plan
            assert "survivors_survivor_pkey" in plan or "survivor_org_probe" in plan, plan
            assert "survivor_org_live_recent" not in plan and "SubPlan" not in plan, plan
