"""The caseload's "my cases": who is on it, page after page, and its count (issue 13).

"Mine" is read from two indexes (``web.mine``): my live cases' survivors, and the survivors
I recorded who have no case yet. These tests hold it to the rule the caseworker sees: the
right survivors, each once, newest first, across pages, with the count the table shows.
"""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

from django.urls import reverse
from django.utils import timezone

from northstar.core import keyset
from northstar.survivors import actions
from northstar.survivors.models import Survivor
from northstar.web import mine
from tests.query_counts import queries_for
from tests.web.test_intake import client_for


def _case(actor, survivor, caseworker=None):
    data = {"forms_of_exploitation": ["labour"]}
    if caseworker is not None:
        data["caseworker_id"] = caseworker.pk
    return actions.create_case(actor, survivor, data=data)


def _survivor(actor, minutes_ago: int | None = None):
    s = actions.create_survivor(actor, data={"nationality": "KH"})
    if minutes_ago is not None:
        Survivor.objects.filter(pk=s.pk).update(
            created_at=timezone.now() - dt.timedelta(minutes=minutes_ago))
        s.refresh_from_db()
    return s


def _next_link(html: str) -> str | None:
    found = re.search(r'href="\?([^"]*)" rel="next"', html)
    return unescape(found.group(1)) if found else None


def _all_pages(client) -> list[str]:
    pages = [client.get(reverse("caseload")).content.decode()]
    while (following := _next_link(pages[-1])) is not None:
        pages.append(client.get(f"{reverse('caseload')}?{following}").content.decode())
        assert len(pages) < 10
    return pages


def test_my_cases_are_my_live_cases_and_what_i_recorded_without_a_case(
        caseworker, other_caseworker, supervisor, users, actor_for):
    me, colleague_user = actor_for(caseworker), actor_for(supervisor)
    mine_by_case = _survivor(colleague_user)
    _case(colleague_user, mine_by_case, caseworker=caseworker)
    recorded_no_case = _survivor(me)
    recorded_given_away = _survivor(me)
    _case(me, recorded_given_away, caseworker=supervisor)
    my_case_archived = _survivor(colleague_user)
    gone = _case(colleague_user, my_case_archived, caseworker=caseworker)
    actions.archive_case(colleague_user, gone)
    survivor_archived = _survivor(me)
    _case(me, survivor_archived)
    actions.archive_survivor(colleague_user, survivor_archived)
    twice_mine = _survivor(me)
    _case(me, twice_mine)
    _case(me, twice_mine)

    html = client_for(caseworker).get(reverse("caseload")).content.decode()
    table = html[html.index("<tbody>"):]
    for shown in (mine_by_case, recorded_no_case, twice_mine):
        assert shown.reference in table
    for hidden in (recorded_given_away, my_case_archived, survivor_archived):
        assert hidden.reference not in table
    assert table.count(f">{twice_mine.reference}<") == 1
    assert "3 survivors" in html
    assert mine.count(me) == keyset.Count(3, True)


def test_my_cases_page_through_both_kinds_newest_first_each_once(caseworker, actor_for):
    me = actor_for(caseworker)
    # Alternate: one with my case, one recorded without a case, 31 in all (two pages).
    survivors = []
    for n in range(31):
        s = _survivor(me, minutes_ago=n)
        if n % 2:
            _case(me, s)
        survivors.append(s)
    pages = _all_pages(client_for(caseworker))
    assert len(pages) == 2
    seen = []
    for page in pages:
        table = page[page.index("<tbody>"):]
        seen += sorted((s.reference for s in survivors if s.reference in table), key=table.index)
    assert seen == [s.reference for s in survivors]  # newest first, each once, none missing
    assert "31 survivors" in pages[0]


def test_the_cursor_of_my_cases_survives_a_tie_in_creation_time(caseworker, actor_for):
    me = actor_for(caseworker)
    survivors = [_survivor(me) for _ in range(27)]
    same = timezone.now() - dt.timedelta(hours=1)
    Survivor.objects.filter(pk__in=[s.pk for s in survivors]).update(created_at=same)
    for s in survivors[::3]:
        s.refresh_from_db()
        _case(me, s)
    first = mine.page(me, size=25)
    rest = mine.page(me, size=25, cursor=first.next)
    assert rest.next is None
    assert sorted(first.rows + rest.rows) == sorted(s.pk for s in survivors)


def test_a_cursor_of_my_cases_that_was_altered_is_refused_not_a_crash(caseworker, actor_for):
    me = actor_for(caseworker)
    for _ in range(27):
        _survivor(me)
    cw = client_for(caseworker)
    following = _next_link(cw.get(reverse("caseload")).content.decode())
    assert following is not None
    assert cw.get(f"{reverse('caseload')}?{following[:-3]}xyz").status_code == 422


def test_someone_elses_caseload_is_not_mine(caseworker, other_caseworker, actor_for, org_b):
    # other_caseworker works in another organisation: nothing of mine shows there.
    me = actor_for(caseworker)
    s = _survivor(me)
    _case(me, s)
    assert mine.page(actor_for(other_caseworker), size=25).rows == []
    assert mine.count(actor_for(other_caseworker)) == keyset.Count(0, True)


def test_the_next_page_of_my_cases_costs_what_the_first_does(caseworker, actor_for):
    me = actor_for(caseworker)
    for n in range(60):
        s = _survivor(me, minutes_ago=n)
        if n % 2:
            _case(me, s)
    cw = client_for(caseworker)
    first = cw.get(reverse("caseload")).content.decode()
    second_link = _next_link(first)
    one = queries_for(lambda: cw.get(reverse("caseload")))
    two = queries_for(lambda: cw.get(f"{reverse('caseload')}?{second_link}"))
    assert two == one


def test_the_caseload_count_stops_at_the_cap_setting(caseworker, actor_for, settings):
    """``NORTHSTAR_LIST_COUNT_CAP`` is where the caseload's count stops, for "my cases"
    (read from the two "mine" indexes) and for the whole organisation alike: "2+"."""
    me = actor_for(caseworker)
    for n in range(3):
        s = _survivor(me, minutes_ago=n)
        if n % 2:
            _case(me, s)
    settings.NORTHSTAR_LIST_COUNT_CAP = 2
    assert mine.count(me) == keyset.Count(2, False)
    client = client_for(caseworker)
    assert "2+ survivors" in client.get(reverse("caseload")).content.decode()
    assert "2+ survivors" in client.get(reverse("caseload"), {"whose": "all"}).content.decode()
    settings.NORTHSTAR_LIST_COUNT_CAP = 3
    assert mine.count(me) == keyset.Count(3, True)
    assert "3 survivors" in client.get(reverse("caseload")).content.decode()
