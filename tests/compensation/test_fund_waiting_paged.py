"""The approver's waiting list, a page at a time, on the fund page and in the API (issue 13).

At 100,000 survivors one supervisor had 10,002 disbursements waiting: the fund page rendered
every one with its two forms (2.4 s of CPU) and named them all in one audit entry, and the
API answered all of them. Now 50 a page (25 by default in the API), oldest first, with a
capped count and a cursor to the next page; only the rows shown are audited, and the
totals above the list are still summed over every row.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from html import unescape

import pytest
from django.utils import timezone

from northstar.compensation.models import Disbursement, VictimFund
from northstar.core.models import AuditEntry
from tests.compensation.test_victim_fund import fund_with
from tests.query_counts import few_and_many, rows_built

WAITING = 53
DEPOSIT = 100_000


def _wait(supervisor, survivor, n: int) -> list[int]:
    """``n`` disbursements waiting for ``supervisor``, each recorded a minute *before* the
    one made before it (so oldest-first is not id order); their ids, in the order made."""
    fund = VictimFund.objects.get(organisation=survivor.organisation)
    start = timezone.now() - dt.timedelta(days=1) - dt.timedelta(
        minutes=Disbursement.objects.count())
    made = Disbursement.objects.bulk_create(
        Disbursement(fund=fund, survivor=survivor, purpose="medical", amount=Decimal(10 + i),
                     paid_on=dt.date(2025, 9, 5), approver=supervisor,
                     recorded_at=start - dt.timedelta(minutes=i))
        for i in range(n))
    return [d.pk for d in made]


@pytest.fixture
def waiting(api, supervisor, survivor_a):
    """The ids of 53 disbursements waiting for the supervisor, oldest first."""
    fund_with(api, supervisor, str(DEPOSIT))
    return _wait(supervisor, survivor_a, WAITING)[::-1]


def _decide_ids(html: str) -> list[int]:
    """The disbursements the page offers to decide, in page order."""
    found = re.findall(r'/compensation/fund/disbursements/(\d+)/decide/', html)
    return [int(pk) for pk in dict.fromkeys(found)]


def _next(html: str) -> str:
    link = re.search(r'href="(\?cursor=[^"]+)" rel="next"', html)
    assert link, "no next page link"
    return unescape(link.group(1))


def _shown_entries(user) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(actor=user, action="read",
                                          record_type="victim_fund_disbursement",
                                          note__endswith="awaiting approval").order_by("id"))


def test_the_fund_page_shows_the_fifty_oldest_with_their_forms_a_count_and_a_next_page(
        client, supervisor, waiting, survivor_a):
    client.force_login(supervisor)
    html = client.get("/compensation/fund/").content.decode()
    assert _decide_ids(html) == waiting[:50]
    assert "Waiting for your approval" in html and "(53)" in html
    # every row keeps what it showed: reference, purpose, amount, date and both forms
    assert html.count(f"<strong>{survivor_a.reference}</strong>") == 50
    assert html.count('value="approve"') == html.count('value="decline"') == 50
    assert html.count('name="reason" required') == 50
    assert 'rel="next"' in html and 'rel="first"' not in html
    # the audit entry names the rows shown, no other
    entry, = _shown_entries(supervisor)
    assert entry.record_ids == [str(pk) for pk in waiting[:50]]
    assert entry.owner_organisation_id == survivor_a.organisation_id


def test_the_next_page_shows_the_rest_and_a_decision_there_returns_to_it(
        client, supervisor, waiting):
    client.force_login(supervisor)
    following = _next(client.get("/compensation/fund/").content.decode())
    html = client.get(f"/compensation/fund/{following}").content.decode()
    assert _decide_ids(html) == waiting[50:]
    assert 'rel="next"' not in html and 'rel="first"' in html and "(53)" in html
    assert _shown_entries(supervisor)[-1].record_ids == [str(pk) for pk in waiting[50:]]
    cursor = re.search(r'name="cursor" value="([^"]+)"', html).group(1)
    answer = client.post(f"/compensation/fund/disbursements/{waiting[50]}/decide/",
                         {"decision": "approve", "cursor": unescape(cursor)})
    assert answer.status_code == 302 and answer.url == f"/compensation/fund/{following}"
    assert Disbursement.objects.get(pk=waiting[50]).status == "approved"
    assert _decide_ids(client.get(answer.url).content.decode()) == waiting[51:]
    client.cookies["django_language"] = "km"  # the pager, in Khmer
    khmer = client.get("/compensation/fund/").content.decode()
    assert "ទំព័របន្ទាប់" in khmer and "(52)" in khmer


def test_the_totals_are_over_every_waiting_row_not_the_page(client, api, supervisor,
                                                              caseworker, waiting):
    pending = sum(Decimal(10 + i) for i in range(WAITING))
    report = api(caseworker).get("/api/v1/compensation/fund").json()
    assert report["awaiting_approval"] == f"{pending:.2f}"
    assert report["balance"] == f"{DEPOSIT - pending:.2f}"
    client.force_login(supervisor)
    html = client.get("/compensation/fund/").content.decode()
    assert f"{pending:.2f} THB" in html and f"Balance: {DEPOSIT - pending:.2f} THB" in html


def test_the_count_stops_at_the_cap(client, supervisor, waiting, settings):
    settings.NORTHSTAR_LIST_COUNT_CAP = 20
    client.force_login(supervisor)
    html = client.get("/compensation/fund/").content.decode()
    assert "(20+)" in html and len(_decide_ids(html)) == 50


def test_an_altered_cursor_is_refused_not_a_different_page(client, supervisor, waiting):
    client.force_login(supervisor)
    following = _next(client.get("/compensation/fund/").content.decode())
    answer = client.get(f"/compensation/fund/{following[:-3]}abc")
    assert answer.status_code == 422
    assert not set(_decide_ids(answer.content.decode())) & set(waiting)


def test_the_fund_page_costs_the_same_queries_and_builds_one_page_with_more_waiting(
        client, api, supervisor, survivor_a):
    fund_with(api, supervisor, str(DEPOSIT))
    client.force_login(supervisor)
    few, many = few_and_many(lambda: client.get("/compensation/fund/"),
                             lambda n: _wait(supervisor, survivor_a, n), few=2, many=60)
    assert few == many
    built = rows_built([Disbursement], lambda: client.get("/compensation/fund/"))
    assert built == {"Disbursement": 50 + 1}  # the page, and the row that says more follow


def test_the_api_answers_a_page_with_its_paging_facts_oldest_first(api, supervisor, waiting,
                                                                   survivor_a):
    client = api(supervisor)
    first = client.get("/api/v1/compensation/fund/approvals").json()
    assert [d["id"] for d in first["items"]] == waiting[:25]
    assert first["count"] == WAITING and first["count_is_exact"] is True
    assert first["page"] == 1 and first["page_size"] == 25 and first["next"]
    assert _shown_entries(supervisor)[-1].record_ids == [str(pk) for pk in waiting[:25]]
    second = client.get("/api/v1/compensation/fund/approvals",
                        {"page_size": 50, "cursor": first["next"]}).json()
    assert [d["id"] for d in second["items"]] == waiting[25:]
    assert second["page"] is None and second["next"] is None and second["count"] == WAITING
    by_number = client.get("/api/v1/compensation/fund/approvals",
                           {"page": 2, "page_size": 25}).json()
    assert [d["id"] for d in by_number["items"]] == waiting[25:50]
    assert first["items"][0] == {
        "id": waiting[0], "survivor_id": survivor_a.pk, "case_id": None,
        "purpose": "medical", "amount": f"{10 + WAITING - 1}.00", "currency": "THB",
        "paid_on": "2025-09-05", "approver": supervisor.get_username(), "status": "pending"}
    assert client.get("/api/v1/compensation/fund/approvals",
                      {"cursor": "not-a-cursor"}).status_code == 422


def test_the_api_costs_the_same_queries_with_more_waiting(api, supervisor, survivor_a):
    fund_with(api, supervisor, str(DEPOSIT))
    client = api(supervisor)
    few, many = few_and_many(lambda: client.get("/api/v1/compensation/fund/approvals"),
                             lambda n: _wait(supervisor, survivor_a, n), few=2, many=40)
    assert few == many
    built = rows_built([Disbursement],
                       lambda: client.get("/api/v1/compensation/fund/approvals"))
    assert built == {"Disbursement": 25 + 1}  # the page, and the row that says more follow


def test_only_the_named_approver_sees_the_list(api, users, caseworker, waiting):
    assert api(caseworker).get("/api/v1/compensation/fund/approvals").status_code == 403
    other = api(users[("b", "supervisor")]).get("/api/v1/compensation/fund/approvals").json()
    assert other["items"] == [] and other["count"] == 0
