"""Every organisation-wide list, API and page, costs the same number of queries with 3
records in the organisation as with 30 (issue 13): a query per row (an N+1), a count per
row, or a query whose number grows with the caseload fails here — this is how CI catches
them. (Time per query is measured in ``bench/``, never in a test.)
"""

from __future__ import annotations

import pytest

from northstar.referrals import selectors as referral_selectors
from northstar.referrals.actions import take_step
from tests.query_counts import grow_caseload, queries_for
from tests.web.test_intake import client_for

API_LISTS = ["/api/v1/survivors", "/api/v1/cases", "/api/v1/referrals", "/api/v1/findings",
             "/api/v1/services"]
SUPERVISOR_LISTS = [*API_LISTS, "/api/v1/audit"]
PAGES = ["/", "/referrals/"]


def costs(read, paths) -> dict[str, int]:
    read(paths[0])  # first request of a client: sessions, content types, caches
    return {path: queries_for(lambda p=path: read(p)) for path in paths}


@pytest.mark.parametrize("who", ["caseworker", "supervisor"])
def test_api_lists_cost_the_same_with_3_and_30_records(request, who, api, actor_for, org_b,
                                                       caseworker):
    client = api(request.getfixturevalue(who))
    paths = SUPERVISOR_LISTS if who == "supervisor" else API_LISTS
    grow_caseload(actor_for(caseworker), 3, recipient=org_b)
    small = costs(lambda p: client.get(p), paths)
    grow_caseload(actor_for(caseworker), 27, recipient=org_b)
    assert costs(lambda p: client.get(p), paths) == small


def test_the_referral_recipients_survivor_list_is_flat_too(api, actor_for, caseworker,
                                                          other_caseworker, org_b):
    recipient = actor_for(other_caseworker)
    client = api(other_caseworker)

    def grow(n):
        grow_caseload(actor_for(caseworker), n, recipient=org_b)
        for referral in referral_selectors.visible_referrals(recipient).filter(
                status="sent"):
            take_step(recipient, referral, step="accept")

    grow(3)
    small = costs(lambda p: client.get(p), ["/api/v1/survivors", "/api/v1/referrals"])
    grow(27)
    assert costs(lambda p: client.get(p), ["/api/v1/survivors", "/api/v1/referrals"]) == small


def test_pages_cost_the_same_with_3_and_30_records(caseworker, actor_for, org_b):
    client = client_for(caseworker)
    grow_caseload(actor_for(caseworker), 3, recipient=org_b)
    small = costs(lambda p: client.get(p), PAGES)
    grow_caseload(actor_for(caseworker), 27, recipient=org_b)
    assert costs(lambda p: client.get(p), PAGES) == small


def test_the_second_page_by_cursor_costs_what_the_first_does(caseworker, actor_for, api):
    grow_caseload(actor_for(caseworker), 30)
    client = api(caseworker)
    first = client.get("/api/v1/survivors", {"page_size": 10}).json()
    one = queries_for(lambda: client.get("/api/v1/survivors", {"page_size": 10}))
    two = queries_for(lambda: client.get("/api/v1/survivors",
                                         {"page_size": 10, "cursor": first["next"]}))
    # Less, not more: the page after a cursor answers the count the cursor carries.
    assert two == one - 1
    three = queries_for(lambda: client.get("/api/v1/survivors", {
        "page_size": 10, "cursor": first["next"], "exact_count": "true"}))
    assert three == one
