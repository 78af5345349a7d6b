"""Every list endpoint pages the same way (Ninja's pagination, ``apiutils.Pages``): by a
signed keyset cursor (``next``), or by page number for compatibility, with a count that
stops at ``NORTHSTAR_LIST_COUNT_CAP`` unless an exact one is asked for."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from northstar.survivors import actions

LISTS = ["/api/v1/survivors", "/api/v1/cases", "/api/v1/referrals", "/api/v1/services",
         "/api/v1/audit"]


@pytest.fixture
def lists_client(api, supervisor, case_a):
    return api(supervisor)


@pytest.mark.parametrize("path", LISTS)
def test_a_page_answers_items_count_page_and_page_size(lists_client, path):
    body = lists_client.get(path, {"page": 1, "page_size": 5}).json()
    assert set(body) == {"items", "count", "count_is_exact", "page", "page_size", "next"}
    assert body["page"] == 1 and body["page_size"] == 5 and len(body["items"]) <= 5


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize("query,field", [
    ({"page": 0}, "page"), ({"page": "666802526539624063434752"}, "page"),
    ({"page": "two"}, "page"), ({"page_size": 0}, "page_size"), ({"page_size": 201}, "page_size"),
])
def test_a_page_out_of_range_is_a_422_naming_the_field(lists_client, path, query, field):
    response = lists_client.get(path, query)
    assert response.status_code == 422 and response.json()["field"] == field


@pytest.mark.parametrize("path", LISTS)
def test_a_page_past_the_end_is_empty_not_an_error(lists_client, path):
    body = lists_client.get(path, {"page": 1000}).json()
    assert body["items"] == [] and body["page"] == 1000


@pytest.fixture
def seven_survivors(supervisor, actor_for, case_a):
    actor = actor_for(supervisor)
    made = [actions.create_survivor(actor, data={"nationality": "KH" if n % 2 else "MM"})
            for n in range(6)]
    return [case_a.survivor, *made]


def walk(client, path, **query):
    """Every item of a list, following ``next`` from the first page."""
    seen, body = [], client.get(path, {"page_size": 3, **query}).json()
    seen += body["items"]
    while body["next"]:
        body = client.get(path, {"page_size": 3, "cursor": body["next"], **query}).json()
        assert body["page"] is None
        seen += body["items"]
    return seen


def test_following_next_lists_every_survivor_once_newest_first(lists_client, seven_survivors):
    seen = walk(lists_client, "/api/v1/survivors")
    assert [item["id"] for item in seen] == [s.pk for s in sorted(
        seven_survivors, key=lambda s: (s.created_at, s.pk), reverse=True)]


def test_the_cursor_keeps_the_filter(lists_client, seven_survivors):
    seen = walk(lists_client, "/api/v1/survivors", nationality="MM")
    assert len(seen) == 3 and {item["nationality"] for item in seen} == {"MM"}


def test_the_last_page_has_no_next(lists_client, seven_survivors):
    body = lists_client.get("/api/v1/survivors", {"page_size": 7}).json()
    assert len(body["items"]) == 7 and body["next"] is None


@pytest.mark.parametrize("spoil", [
    lambda c: c[:-2] + ("AA" if not c.endswith("AA") else "BB"),  # signature altered
    lambda c: "x" + c,                                              # value altered
    lambda c: "not a cursor at all",
    lambda c: "\u00e9:::",
])
def test_a_tampered_cursor_is_a_422_naming_it(lists_client, seven_survivors, spoil):
    cursor = lists_client.get("/api/v1/survivors", {"page_size": 3}).json()["next"]
    response = lists_client.get("/api/v1/survivors", {"cursor": spoil(cursor)})
    assert response.status_code == 422 and response.json()["field"] == "cursor"


def test_a_cursor_from_another_list_is_a_422(lists_client, seven_survivors):
    cursor = lists_client.get("/api/v1/survivors", {"page_size": 3}).json()["next"]
    response = lists_client.get("/api/v1/cases", {"cursor": cursor})
    assert response.status_code == 422 and response.json()["field"] == "cursor"


@pytest.mark.parametrize("path", ["/api/v1/survivors", "/api/v1/cases"])
def test_the_count_stops_at_the_cap_unless_an_exact_one_is_asked(
        lists_client, seven_survivors, supervisor, actor_for, settings, path):
    settings.NORTHSTAR_LIST_COUNT_CAP = 5
    for survivor in seven_survivors[1:]:  # the first has ``case_a``: seven cases too
        actions.create_case(actor_for(supervisor), survivor,
                            data={"forms_of_exploitation": ["labour"]})
    with CaptureQueriesContext(connection) as captured:
        capped = lists_client.get(path, {"page_size": 3}).json()
    assert capped["count"] == 5 and capped["count_is_exact"] is False
    counts = [q["sql"] for q in captured.captured_queries if "COUNT(" in q["sql"].upper()]
    assert counts and all("LIMIT 6" in sql for sql in counts), counts  # reads cap + 1 at most
    carried = lists_client.get(path, {"page_size": 3, "cursor": capped["next"]}).json()
    assert carried["count"] == 5 and carried["count_is_exact"] is False
    exact = lists_client.get(path, {"exact_count": "true"}).json()
    assert exact["count"] == 7 and exact["count_is_exact"] is True
    # Another cap (a redeploy, another process) is another statement, not the one kept.
    settings.NORTHSTAR_LIST_COUNT_CAP = 3
    with CaptureQueriesContext(connection) as captured:
        again = lists_client.get(path).json()
    assert again["count"] == 3 and again["count_is_exact"] is False
    counts = [q["sql"] for q in captured.captured_queries if "COUNT(" in q["sql"].upper()]
    assert counts and all("LIMIT 4" in sql for sql in counts), counts


def test_a_count_under_the_cap_is_exact(lists_client, seven_survivors):
    body = lists_client.get("/api/v1/survivors").json()
    assert body["count"] == 7 and body["count_is_exact"] is True
