"""A referral's needs and urgency are words in the reader's language, never codes.

A Khmer caseworker reading a referral met ``legal_aid, mental_health`` (issue 13, h-phone):
the kinds of service were English words not marked for translation, and the pages joined
the codes. The codes stay what the API and the CSV importer speak (stable identifiers).
"""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.utils import translation

from northstar.referrals import actions, letter
from tests.conftest import PASSWORD

NEEDS = ["legal_aid", "mental_health"]
KHMER = {"legal_aid": "ជំនួយផ្លូវច្បាប់", "mental_health": "សុខភាពផ្លូវចិត្ត / ការប្រឹក្សា",
         "urgent": "បន្ទាន់ (ក្នុងរយៈពេល 24 ម៉ោង)"}
ENGLISH = {"legal_aid": "Legal aid", "mental_health": "Mental health / counselling",
           "urgent": "Urgent (within 24 hours)"}



@pytest.fixture
def referral(caseworker, actor_for, survivor_a, org_b, referral_consent):
    return actions.create_referral(actor_for(caseworker), survivor=survivor_a, recipient=org_b,
                                   needs=NEEDS, urgency="urgent",
                                   shared_fields=["given_name", "needs"])


def _reader(user, language: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    assert client.login(username=user.username, password=PASSWORD)
    client.cookies["django_language"] = language
    return client


def _text(html: str) -> str:
    """What a person reads: the page without its tags and attributes."""
    return re.sub(r"<[^>]+>", " ", html)


@pytest.mark.parametrize("language,names", [("km", KHMER), ("en", ENGLISH)])
def test_the_referral_page_names_the_needs_and_urgency_in_the_readers_language(
        caseworker, referral, language, names):
    page = _text(_reader(caseworker, language).get(f"/referrals/{referral.pk}/")
                 .content.decode())
    assert f"{names['legal_aid']}, {names['mental_health']}" in page
    assert names["urgent"] in page
    for code in NEEDS:
        assert code not in page


def test_the_referral_list_and_the_case_page_name_the_needs_in_khmer(caseworker, referral,
                                                                    case_a):
    reader = _reader(caseworker, "km")
    listed = _text(reader.get("/referrals/").content.decode())
    panel = reader.get(f"/cases/{case_a.pk}/").content.decode().split(
        'id="panel-referrals"')[1].split("</section>")[0]
    for text in (listed, _text(panel)):
        assert KHMER["legal_aid"] in text and KHMER["mental_health"] in text
        for code in NEEDS:
            assert code not in text


def test_the_letter_names_the_needs_in_its_language(referral):
    with translation.override("km"):
        assert letter.shared_values(referral)["needs"] == \
            f"{KHMER['legal_aid']}, {KHMER['mental_health']}"
        assert KHMER["urgent"] in letter.render_html(referral, letter.shared_values(referral))


def test_the_api_keeps_the_codes(api, caseworker, referral):
    body = api(caseworker).get(f"/api/v1/referrals/{referral.pk}",
                               HTTP_ACCEPT_LANGUAGE="km").json()
    assert body["needs"] == NEEDS and body["urgency"] == "urgent"
