"""On the consent page a parent's consent for a child names who gave it, and is refused with
the way forward where the family may be involved in the trafficking (issue 11 §3)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from northstar.survivors import actions
from northstar.survivors.models import Consent
from tests.web.test_intake import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def child(caseworker, actor_for):
    return actions.create_survivor(actor_for(caseworker), data={
        "given_name": "Demo Child", "birth_year": 2013, "family_involved": "yes"})


def test_a_mother_is_refused_where_the_family_trafficked_the_child(caseworker, child):
    client = client_for(caseworker)
    page = client.get(reverse("consent_new", args=[child.pk])).content.decode()
    assert "who are they to the child?" in page
    response = client.post(reverse("consent_new", args=[child.pk]), {
        "purpose": "case_management", "language": "km", "method": "verbal",
        "given_by": "guardian", "guardian_relationship": "mother",
        "guardian_name": "Demo Mother"})
    html = response.content.decode()
    assert response.status_code == 422
    assert "guardian ad litem" in html and 'class="field invalid"' in html
    assert not Consent.objects.exists()


def test_the_survivor_form_asks_whether_the_family_is_involved(caseworker):
    html = client_for(caseworker).get(reverse("survivor_new")).content.decode()
    assert "Is a family member involved in the trafficking?" in html


def test_at_intake_a_father_cannot_consent_while_nobody_has_asked_about_the_family(caseworker):
    from northstar.web.models import Intake
    from tests.web.test_intake import CONSENT_FORM, SURVIVOR_FORM

    client = client_for(caseworker)
    response = client.post(reverse("intake_new"), {**SURVIVOR_FORM, "birth_year": "2012",
                                                   "action": "save"})
    assert response.status_code == 302, response.content[:500]
    intake = Intake.objects.get()
    assert intake.survivor.family_involved == "unknown"
    response = client.post(reverse("intake_step", args=[intake.pk, "consent"]), {
        **CONSENT_FORM, "given_by": "guardian", "guardian_relationship": "father",
        "guardian_name": "Demo Father", "action": "save"})
    assert response.status_code == 422
    assert "whether the family is involved" in response.content.decode()
    assert not Consent.objects.exists()
