"""The advisory council's list, a page at a time (issue 13).

At 100,000 survivors the coordinator's page rendered every advocacy participant (1.1-1.4 s
of CPU) and named them all in one audit entry. Now 50 a page in reference order, with a
capped count and a cursor to the next page; only the page shown is audited, and only the
pseudonym-level columns it shows are read.
"""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from northstar.core.fields import EncryptedTextField
from northstar.core.models import AuditEntry
from northstar.core.roles import Role
from northstar.survivors import actions
from northstar.survivors.models import Survivor
from tests.query_counts import few_and_many, rows_built

PARTICIPANTS = 53


def _take_part(actor, n: int) -> list[str]:
    """``n`` survivors who chose to take part anonymously and consented to advocacy."""
    made = []
    for _ in range(n):
        survivor = actions.create_survivor(actor, data={
            "nationality": "KH", "languages": ["km"], "advocacy_visibility": "anonymous"})
        actions.record_consent(actor, survivor, purpose="advocacy", language="km",
                               method="verbal")
        made.append(survivor.reference)
    return made


@pytest.fixture
def coordinator(users) -> Client:
    client = Client()
    client.force_login(users[("a", Role.COUNCIL_COORDINATOR)])
    return client


def _references(html: str) -> list[str]:
    body = html.split('id="advocacy-participants"', 1)[1].split("</table>", 1)[0]
    return re.findall(r"<tr><td>([^<]+)</td>", body)


def _entries(users) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(
        actor=users[("a", Role.COUNCIL_COORDINATOR)], action="read",
        note__startswith="advocacy participants").order_by("id"))


def test_the_first_page_shows_fifty_by_reference_with_a_count_and_a_next_page(
        coordinator, caseworker, actor_for, users):
    references = sorted(_take_part(actor_for(caseworker), PARTICIPANTS))
    html = coordinator.get("/advocacy/").content.decode()
    assert _references(html) == references[:50]
    assert "53 survivors" in html and "Takes part anonymously" in html
    assert 'rel="next"' in html and 'rel="first"' not in html
    entry, = _entries(users)
    assert entry.record_ids == [str(pk) for pk in Survivor.objects.filter(
        reference__in=references[:50]).order_by("reference").values_list("pk", flat=True)]
    assert entry.fields == ["advocacy_visibility", "languages", "reference"]

    link = re.search(r'href="(\?cursor=[^"]+)" rel="next"', html).group(1)
    second = coordinator.get(f"/advocacy/{unescape(link)}").content.decode()
    assert _references(second) == references[50:]
    assert 'rel="next"' not in second and 'rel="first"' in second and "53 survivors" in second
    assert _entries(users)[-1].record_ids == [str(pk) for pk in Survivor.objects.filter(
        reference__in=references[50:]).order_by("reference").values_list("pk", flat=True)]
    coordinator.cookies["django_language"] = "km"  # the count and the pager, in Khmer
    khmer = coordinator.get("/advocacy/").content.decode()
    assert "អ្នករស់រានមានជីវិត 53 នាក់" in khmer and "ទំព័របន្ទាប់" in khmer


def test_the_count_stops_at_the_cap(coordinator, caseworker, actor_for, settings):
    _take_part(actor_for(caseworker), 4)
    settings.NORTHSTAR_LIST_COUNT_CAP = 3
    html = coordinator.get("/advocacy/").content.decode()
    assert "3+ survivors" in html and len(_references(html)) == 4


def test_the_page_reads_no_sealed_column_of_a_participant(coordinator, caseworker, actor_for):
    _take_part(actor_for(caseworker), 2)
    with CaptureQueriesContext(connection) as captured:
        assert coordinator.get("/advocacy/").status_code == 200
    read = " ".join(q["sql"] for q in captured.captured_queries
                    if 'FROM "survivors_survivor"' in q["sql"])
    sealed = [f.column for f in Survivor._meta.concrete_fields
              if isinstance(f, EncryptedTextField)]
    assert read and sealed and not [c for c in sealed if f'"survivors_survivor"."{c}"' in read]


def test_the_page_costs_the_same_queries_and_builds_one_page_with_more_participants(
        coordinator, caseworker, actor_for):
    actor = actor_for(caseworker)
    # 2 and 12 (reading more distinct survivors a minute adds the unusual-read check,
    # ``core.audit``'s, whatever the page)
    few, many = few_and_many(lambda: coordinator.get("/advocacy/"),
                             lambda n: _take_part(actor, n))
    assert few == many
    _take_part(actor, 43)
    assert rows_built([Survivor], lambda: coordinator.get("/advocacy/")) == {"Survivor": 50 + 1}  # and one: more follow


def test_another_organisations_coordinator_sees_none_of_them(users, caseworker, actor_for):
    references = _take_part(actor_for(caseworker), 2)
    other = Client()
    other.force_login(users[("b", Role.COUNCIL_COORDINATOR)])
    html = other.get("/advocacy/").content.decode()
    assert not [r for r in references if r in html] and 'id="advocacy-empty"' in html


def test_a_forged_cursor_is_a_clear_422_naming_the_cursor(coordinator, caseworker, actor_for):
    _take_part(actor_for(caseworker), 3)
    answer = coordinator.get("/advocacy/?cursor=forged")
    assert answer.status_code == 422 and "cursor" in answer.content.decode()
