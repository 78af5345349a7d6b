"""Open Do No Harm findings are on the case page: the safeguards app's panel shows them.

Every app is installed, so the page has no built-in copy of the card (that copy made
``web`` import ``safeguards`` while ``safeguards`` registered into ``web``); these
tests fail if the safeguards panel stops being registered or stops showing findings.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from northstar.core.actor import Actor
from northstar.safeguards.actions import record_findings
from northstar.ui import panels
from tests.web.test_intake import client_for


@pytest.fixture
def finding(case_a, caseworker):
    found = record_findings(Actor.for_user(caseworker, "web"), case_a, action="detain",
                            context={}, source="check")
    assert found
    return found[0]


def test_the_do_no_harm_panel_is_registered_at_the_top_of_the_case_page():
    keys = {p.key: p for p in panels.case_panels()}
    assert "do_no_harm" in keys and keys["do_no_harm"].order < panels.TOP_BAND_BELOW


def test_supervisor_sees_open_finding_on_the_case_page(finding, case_a, supervisor):
    html = client_for(supervisor).get(reverse("case", args=[case_a.pk])).content.decode()
    assert 'data-panel="do_no_harm"' in html or "panel-dnh-h" in html
    assert finding.explanation[:40] in html


def test_another_organisation_never_sees_the_finding(finding, case_a, other_caseworker):
    response = client_for(other_caseworker).get(reverse("case", args=[case_a.pk]))
    assert response.status_code == 404
    assert finding.explanation[:40] not in response.content.decode()
