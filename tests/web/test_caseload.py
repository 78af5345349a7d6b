"""The caseload: overdue first, filters that say what is wrong, pages that keep the filter."""

from __future__ import annotations

import datetime as dt

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


def test_pages_keep_the_filter_and_show_every_survivor_once(caseworker, actor_for):
    survivors = make_survivors(actor_for(caseworker), 27)
    cw = client_for(caseworker)
    first = cw.get(reverse("caseload"), {"nationality": "KH"}).content.decode()
    assert "nationality=KH&amp;page=2" in first
    second = cw.get(reverse("caseload"), {"nationality": "KH", "page": 2}).content.decode()
    seen = references_in_order(first, survivors) + references_in_order(second, survivors)
    assert sorted(seen) == sorted(s.reference for s in survivors)


def test_the_caseload_never_lists_another_organisations_survivors(other_caseworker, survivor_a):
    html = client_for(other_caseworker).get(reverse("caseload")).content.decode()
    assert survivor_a.reference not in html
