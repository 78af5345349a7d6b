"""Open Do No Harm findings are on the case page whatever the safeguards app registers."""

from __future__ import annotations

import pytest
from django.urls import reverse

from northstar.core.actor import Actor
from northstar.ui import panels
from tests.web.test_intake import client_for


@pytest.fixture
def finding(case_a, caseworker):
    from northstar.safeguards.actions import record_findings

    found = record_findings(Actor.for_user(caseworker, "web"), case_a, action="detain",
                            context={}, source="check")
    assert found
    return found[0]


def test_supervisor_sees_open_finding_on_the_case_page(monkeypatch, finding, case_a, supervisor):
    monkeypatch.setattr(panels, "_case_panels", {})
    html = client_for(supervisor).get(reverse("case", args=[case_a.pk])).content.decode()
    assert "Do No Harm" in html and finding.explanation[:40] in html


def test_the_built_in_card_steps_aside_for_the_safeguards_panel(monkeypatch, finding, case_a,
                                                                 supervisor):
    monkeypatch.setattr(panels, "_case_panels", {})
    panels.register_case_panel("safeguards", "web/panel_list.html", lambda r, c: {
        "key": "safeguards", "title": "Safeguards panel", "items": []}, order=20)
    html = client_for(supervisor).get(reverse("case", args=[case_a.pk])).content.decode()
    assert "Safeguards panel" in html and 'id="harm-h"' not in html


def test_another_organisation_never_sees_the_finding(finding, case_a, other_caseworker):
    response = client_for(other_caseworker).get(reverse("case", args=[case_a.pk]))
    assert response.status_code == 404
    assert finding.explanation[:40] not in response.content.decode()
