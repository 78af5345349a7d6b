"""Migration status as non-identifying case facts: unknown until asked, never guessed "no",
so the engines can warn of debt on return and of immigration charges (issue 11 §7)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from northstar.survivors import actions
from northstar.survivors.models import MIGRATION_FACTS, Case
from tests.web.test_intake import client_for

pytestmark = pytest.mark.django_db


def test_a_new_case_knows_nothing_of_migration_until_asked(case_a):
    assert case_a.migration_facts() == {name: "unknown" for name in MIGRATION_FACTS}
    for name in MIGRATION_FACTS:
        assert getattr(case_a, name) == "unknown"  # how the engines read them


def test_the_api_records_and_returns_each_migration_fact(api, caseworker, survivor_a):
    client = api(caseworker)
    response = client.post(f"/api/v1/survivors/{survivor_a.pk}/cases", {
        "forms_of_exploitation": ["labour"], "entry": "irregular",
        "visa_tied_to_employer": "yes", "documents_held_by_employer": "yes",
        "recruitment_debt": "no"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["entry"], body["visa_tied_to_employer"], body["documents_held_by_employer"],
            body["recruitment_debt"]) == ("irregular", "yes", "yes", "no")
    case = Case.objects.get(pk=body["id"])
    assert case.migration_facts()["documents_held_by_employer"] == "yes"
    patched = client.patch(f"/api/v1/cases/{case.pk}", {"version": body["version"],
                                                         "recruitment_debt": "yes"})
    assert patched.status_code == 200 and patched.json()["recruitment_debt"] == "yes"


@pytest.mark.parametrize("field,value", [("entry", "illegal"), ("recruitment_debt", True),
                                         ("visa_tied_to_employer", "maybe")])
def test_a_bad_migration_fact_is_refused_naming_the_field(api, caseworker, survivor_a, field,
                                                          value):
    response = api(caseworker).post(f"/api/v1/survivors/{survivor_a.pk}/cases", {
        "forms_of_exploitation": ["labour"], field: value})
    assert response.status_code == 422
    assert response.json()["field"] == field
    assert not Case.objects.exists()


def test_the_action_refuses_a_bad_migration_fact_naming_it(caseworker, actor_for, survivor_a):
    from northstar.core.errors import DomainError

    with pytest.raises(DomainError) as err:
        actions.create_case(actor_for(caseworker), survivor_a, data={
            "forms_of_exploitation": ["labour"], "documents_held_by_employer": "perhaps"})
    assert err.value.field == "documents_held_by_employer"


def test_the_case_form_asks_in_plain_words_and_saves_the_answers(caseworker, survivor_a):
    client = client_for(caseworker)
    form = client.get(reverse("case_new", args=[survivor_a.pk])).content.decode()
    assert "Does the employer hold their passport or papers?" in form
    assert "Not known yet" in form
    response = client.post(reverse("case_new", args=[survivor_a.pk]), {
        "forms_of_exploitation": ["domestic_servitude"], "recruitment_method": "unknown",
        "relationship_to_offender": "unknown", "coercion": "unknown",
        "trial_participation": "undecided", "entry": "regular",
        "visa_tied_to_employer": "yes", "documents_held_by_employer": "yes"})
    assert response.status_code == 302, response.content.decode()[:2000]
    case = Case.objects.get()
    assert case.migration_facts() == {"entry": "regular", "visa_tied_to_employer": "yes",
                                      "documents_held_by_employer": "yes",
                                      "recruitment_debt": "unknown"}


def test_the_case_page_shows_the_migration_facts_in_plain_words(caseworker, survivor_a,
                                                                 actor_for):
    case = actions.create_case(actor_for(caseworker), survivor_a, data={
        "forms_of_exploitation": ["labour"], "entry": "irregular"})
    html = client_for(caseworker).get(reverse("case", args=[case.pk])).content.decode()
    assert 'id="fact-entry">Irregular (without them)' in html
    assert 'id="fact-recruitment_debt">Not known yet' in html
