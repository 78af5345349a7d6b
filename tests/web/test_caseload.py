"""The caseload: overdue first, filters that say what is wrong, pages that keep the filter."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest
from django.urls import reverse

from northstar.survivors import actions
from northstar.ui import panels
from tests.web.test_intake import client_for


@pytest.fixture
def registry(monkeypatch):
    monkeypatch.setattr(panels, "_alert_sources", {})
    return panels


def make_survivors(actor, n, **extra):
    return [actions.create_survivor(actor, data={"nationality": "KH", **extra}) for _ in range(n)]


def references_in_order(html: str, survivors) -> list[str]:
    return sorted((s.reference for s in survivors if s.reference in html), key=html.index)


def test_survivors_with_overdue_items_come_first(registry, caseworker, actor_for):
    actor = actor_for(caseworker)
    older, *_, newest = make_survivors(actor, 4)
    registry.register_alert_source("t", lambda a: [panels.Alert(
        dt.date.today() - dt.timedelta(days=3), "Statement overdue", severity="overdue",
        survivor_reference=older.reference)])
    html = client_for(caseworker).get(reverse("caseload")).content.decode()
    table = html[html.index("<tbody>"):]
    assert table.index(older.reference) < table.index(newest.reference)
    assert "Statement overdue" in html


def test_overdue_filter_shows_only_survivors_with_overdue_items(registry, caseworker, actor_for):
    a, b = make_survivors(actor_for(caseworker), 2)
    registry.register_alert_source("t", lambda actor: [
        panels.Alert(dt.date.today(), "late", severity="overdue", survivor_reference=a.reference),
        panels.Alert(dt.date.today(), "soon", severity="info", survivor_reference=b.reference)])
    html = client_for(caseworker).get(reverse("caseload"), {"attention": "overdue"}).content
    table = html.decode()[html.decode().index("<tbody>"):]
    assert a.reference in table and b.reference not in table


def test_a_bad_filter_is_explained_next_to_the_field_and_lists_nobody(caseworker, survivor_a):
    html = client_for(caseworker).get(reverse("caseload"), {"nationality": "K1"}).content.decode()
    assert "Use the two-letter country code" in html
    assert 'class="field invalid"' in html
    assert survivor_a.reference not in html


def test_exploitation_filter_keeps_only_matching_cases(caseworker, actor_for, case_a):
    actor = actor_for(caseworker)
    other = actions.create_survivor(actor, data={"nationality": "MM"})
    actions.create_case(actor, other, data={"forms_of_exploitation": ["sex"]})
    html = client_for(caseworker).get(reverse("caseload"), {"exploitation": "labour"}).content
    html = html.decode()
    assert case_a.survivor.reference in html and other.reference not in html


def next_link(html: str) -> str:
    """The "Next page" link's query string, as a browser would follow it."""
    found = re.search(r'href="\?([^"]*)" rel="next"', html)
    assert found, "no next page link"
    return unescape(found.group(1))


def test_pages_keep_the_filter_and_show_every_survivor_once(caseworker, actor_for):
    survivors = make_survivors(actor_for(caseworker), 27)
    cw = client_for(caseworker)
    first = cw.get(reverse("caseload"), {"nationality": "KH"}).content.decode()
    following = next_link(first)
    assert following.startswith("nationality=KH&cursor=")
    second = cw.get(f"{reverse('caseload')}?{following}").content.decode()
    seen = references_in_order(first, survivors) + references_in_order(second, survivors)
    assert sorted(seen) == sorted(s.reference for s in survivors)
    assert 'rel="next"' not in second and 'rel="first"' in second


def test_the_caseload_counts_its_survivors(caseworker, actor_for):
    make_survivors(actor_for(caseworker), 3)
    html = client_for(caseworker).get(reverse("caseload")).content.decode()
    assert "3 survivors" in html


def test_a_cursor_that_was_tampered_with_is_refused_not_a_crash(caseworker, actor_for):
    make_survivors(actor_for(caseworker), 27)
    cw = client_for(caseworker)
    following = next_link(cw.get(reverse("caseload")).content.decode())
    response = cw.get(f"{reverse('caseload')}?{following[:-3]}xyz")
    assert response.status_code == 422


def test_overdue_survivors_lead_only_the_first_page(registry, caseworker, actor_for):
    actor = actor_for(caseworker)
    older, *rest = make_survivors(actor, 27)
    registry.register_alert_source("t", lambda a: [panels.Alert(
        dt.date.today(), "late", severity="overdue", survivor_reference=older.reference)])
    cw = client_for(caseworker)
    first = cw.get(reverse("caseload")).content.decode()
    second = cw.get(f"{reverse('caseload')}?{next_link(first)}").content.decode()
    seen = references_in_order(first, [older, *rest]) + references_in_order(
        second[second.index("<tbody>"):], [older, *rest])
    assert seen.count(older.reference) == 1
    assert len(seen) == 27


def test_the_caseload_never_lists_another_organisations_survivors(other_caseworker, survivor_a):
    html = client_for(other_caseworker).get(reverse("caseload")).content.decode()
    assert survivor_a.reference not in html
