"""The rights page tells each survivor what the law of THEIR jurisdiction gives, in their
language — never the old promise, made to everyone, that they will not be arrested or
punished, may move freely and return only if they want to (issue 11 §2)."""

from __future__ import annotations

import pytest

from northstar.core.models import AuditEntry
from northstar.law.translations import translate
from northstar.portal import catalogue
from northstar.survivors import actions

pytestmark = pytest.mark.django_db

FALSE_PROMISES = ("You will not be arrested or punished",
                  "You are free to come and go. No one may lock you in.",
                  "You go home only if you want to")


@pytest.fixture
def survivor_in(caseworker, actor_for):
    """A survivor who speaks ``language`` with a case handled in ``jurisdiction``."""

    def build(jurisdiction: str, language: str, *, birth_year: int = 1995):
        actor = actor_for(caseworker)
        survivor = actions.create_survivor(actor, data={
            "given_name": f"Demo {jurisdiction}", "birth_year": birth_year,
            "languages": [language], "preferred_language": language})
        actions.create_case(actor, survivor, data={
            "jurisdiction": jurisdiction, "forms_of_exploitation": ["forced_criminality"],
            "sectors": ["online_scam"]})
        return survivor

    return build


def _rights(client) -> tuple[str, str]:
    response = client.get("/portal/rights/")
    assert response.status_code == 200
    return response.content.decode(), response["Content-Language"]


def test_a_cambodian_and_a_thai_survivor_are_told_their_own_law_in_khmer_and_thai(
        survivor_in, portal_client):
    cambodian = survivor_in("KH", "km")
    thai = survivor_in("TH", "th")
    kh_html, kh_lang = _rights(portal_client(cambodian))
    th_html, th_lang = _rights(portal_client(thai))

    assert (kh_lang, th_lang) == ("km", "th")
    assert 'data-jurisdiction="KH"' in kh_html and 'data-jurisdiction="TH"' in th_html
    # Cambodia: no non-punishment provision was found — the survivor is told it is not known.
    assert translate("non_punishment.unknown", "km") in kh_html
    assert translate("non_punishment.TH", "km") not in kh_html
    # Thailand: what section 41 covers, and that the Minister may still allow a charge.
    assert translate("non_punishment.TH", "th") in th_html
    assert translate("non_punishment.unknown", "th") not in th_html
    assert translate("commitment.services_not_conditional", "th") in th_html
    for html in (kh_html, th_html):
        for promise in FALSE_PROMISES:
            assert promise not in html


def test_no_survivor_is_promised_they_will_not_be_arrested(survivor_a, case_a, portal_client):
    client = portal_client(survivor_a)
    client.get("/portal/language/en/")
    html, _ = _rights(client)
    for promise in FALSE_PROMISES:
        assert promise not in html
    assert 'id="rights-commitment"' in html  # what Northstar's organisations commit to, as ours


def test_a_survivor_whose_age_is_unknown_is_told_supervision_may_be_needed(
        caseworker, actor_for, portal_client):
    actor = actor_for(caseworker)
    survivor = actions.create_survivor(actor, data={"given_name": "Demo no age",
                                                    "preferred_language": "en"})
    actions.create_case(actor, survivor, data={"jurisdiction": "TH",
                                               "forms_of_exploitation": ["sex"]})
    html, _ = _rights(portal_client(survivor))
    assert 'data-key="commitment.free_to_leave_our_shelters_child"' in html
    assert 'data-key="commitment.free_to_leave_our_shelters"' not in html


def test_reading_the_rights_page_is_an_audited_read_naming_the_jurisdiction(
        survivor_in, portal_client):
    survivor = survivor_in("KH", "km")
    _rights(portal_client(survivor))
    assert AuditEntry.objects.filter(survivor_ref=survivor.reference, action="read",
                                     note="viewed rights (legal position KH)").exists()


def test_unreviewed_legal_translations_are_on_the_admins_review_list():
    khmer = next(r for r in catalogue.review_report() if r["language"] == "km")
    keys = {e["context"] for e in khmer["unreviewed"]}
    assert "non_punishment.unknown" in keys
