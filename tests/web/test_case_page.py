"""The case page answers at a glance, with whatever the other apps register."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from northstar.core.actor import Actor
from northstar.core.errors import DomainError, NotFound
from northstar.survivors import actions
from northstar.ui import panels
from tests.web.test_intake import client_for


@pytest.fixture
def registry(monkeypatch):
    """An empty panel and alert registry for the test, restored afterwards."""
    monkeypatch.setattr(panels, "_case_panels", {})
    monkeypatch.setattr(panels, "_alert_sources", {})
    return panels


def actor_of(user) -> Actor:
    return Actor.for_user(user, "web")


def list_panel(key, title, *items):
    return lambda request, case: {"key": key, "title": title,
                                  "items": [{"label": i} for i in items]}


def test_registered_panels_sit_in_their_bands_top_grid_then_detail(registry, case_a, caseworker):
    registry.register_case_panel("history", "web/panel_list.html",
                                 list_panel("history", "History of the case", "opened"), order=90)
    registry.register_case_panel("chain", "web/panel_list.html",
                                 list_panel("chain", "Justice chain", "rescue_exit"), order=5)
    registry.register_case_panel("money", "web/panel_list.html",
                                 list_panel("money", "Money claimed", "THB 40,000"), order=40)
    html = client_for(caseworker).get(reverse("case", args=[case_a.pk])).content.decode()
    chain, money, facts, history = (html.index(t) for t in (
        "Justice chain", "Money claimed", "Case facts", "History of the case"))
    assert chain < money < facts < history
    assert "THB 40,000" in html


def test_a_panel_that_hides_itself_is_not_shown(registry, case_a, caseworker):
    registry.register_case_panel("hidden", "web/panel_list.html", lambda r, c: None)
    html = client_for(caseworker).get(reverse("case", args=[case_a.pk])).content.decode()
    assert "panel-hidden-h" not in html


def test_a_panel_that_refuses_does_not_hide_the_case_from_the_caseworker(registry, case_a,
                                                                         caseworker):
    def refusing(request, case):
        raise DomainError("the rule file for this panel could not be read")

    registry.register_case_panel("refusing", "web/panel_list.html", refusing)
    response = client_for(caseworker).get(reverse("case", args=[case_a.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "could not be shown" in html and case_a.reference in html


def test_a_panel_that_finds_nothing_for_this_reader_is_left_out(registry, case_a, caseworker):
    def not_theirs(request, case):
        raise NotFound()

    registry.register_case_panel("not_theirs", "web/panel_list.html", not_theirs)
    html = client_for(caseworker).get(reverse("case", args=[case_a.pk])).content.decode()
    assert "could not be shown" not in html and case_a.reference in html


def test_a_programming_error_in_a_panel_is_not_swallowed(registry, case_a, caseworker):
    def buggy(request, case):
        return {"items": [1]}["title"]  # a KeyError: a bug, not a refusal

    registry.register_case_panel("buggy", "web/panel_list.html", buggy)
    with pytest.raises(KeyError):
        client_for(caseworker).get(reverse("case", args=[case_a.pk]))


def test_an_alert_source_that_refuses_leaves_the_others(registry, caseworker):
    today = dt.date.today()

    def refusing(actor):
        raise DomainError("source unavailable")

    registry.register_alert_source("refusing", refusing)
    registry.register_alert_source("fine", lambda actor: [panels.Alert(today, "Call back")])
    assert [a.title for a in panels.alerts_for(actor_of(caseworker))] == ["Call back"]


def test_next_tasks_are_this_survivors_alerts_only(registry, case_a, survivor_a, caseworker):
    today = dt.date.today()
    registry.register_alert_source("test", lambda actor: [
        panels.Alert(today, "Call the labour inspector", severity="overdue",
                     survivor_reference=survivor_a.reference),
        panels.Alert(today, "Someone else's hearing", survivor_reference="ORGA-ZZZZZZ"),
    ])
    html = client_for(caseworker).get(reverse("case", args=[case_a.pk])).content.decode()
    assert "Call the labour inspector" in html
    assert "Someone else&#x27;s hearing" not in html and "Someone else's hearing" not in html


def test_withdrawn_consent_shows_when_and_by_whom(registry, case_a, survivor_a, caseworker,
                                                  actor_for):
    consent = actions.record_consent(actor_for(caseworker), survivor_a, purpose="statistics",
                                     language="km", method="verbal")
    actions.withdraw_consent(actor_for(caseworker), consent, reason="changed mind")
    html = client_for(caseworker).get(reverse("case", args=[case_a.pk])).content.decode()
    assert "Withdrawn" in html and f"by {caseworker.get_username()}" in html
    assert "No active consent" in html


def test_the_case_page_of_another_organisation_answers_404(registry, case_a, other_caseworker):
    response = client_for(other_caseworker).get(reverse("case", args=[case_a.pk]))
    assert response.status_code == 404
    assert case_a.reference not in response.content.decode()
