"""A referral page names its shared fields, its step buttons and the populations a service
serves in the reader's language, never as codes.

A Khmer caseworker reading a referral met ``given_name, date_of_birth`` and buttons named
``Accept``/``Revoke`` (issue 13, h-phone2's "left alone"): the field labels and the
populations were English words not marked for translation, and the buttons were the step
codes capitalised. The API keeps the codes (stable identifiers).
"""

from __future__ import annotations

import re

import pytest
from django.utils import translation

from northstar.referrals import actions, letter
from northstar.referrals.models import Service
from tests.referrals.test_needs_in_the_readers_language import _reader, _text

SHARED = ["given_name", "date_of_birth"]
KHMER = {"given_name": "នាមខ្លួន", "date_of_birth": "ថ្ងៃខែឆ្នាំកំណើត",
         "accept": "ទទួលយក", "decline": "បដិសេធ", "close": "បិទ", "revoke": "ដកហូត",
         "children": "កុមារ", "labour_trafficking": "ជនរងគ្រោះពីការជួញដូរពលកម្ម"}
ENGLISH = {"given_name": "First name", "date_of_birth": "Date of birth",
           "accept": "Accept", "decline": "Decline", "close": "Close", "revoke": "Revoke",
           "children": "Children", "labour_trafficking": "Labour trafficking survivors"}


@pytest.fixture
def referral(caseworker, actor_for, survivor_a, org_b, referral_consent):
    return actions.create_referral(actor_for(caseworker), survivor=survivor_a, recipient=org_b,
                                   needs=["legal_aid"], shared_fields=SHARED)




def _buttons(html: str) -> list[str]:
    return [b.strip() for b in re.findall(r"<button[^>]*name=\"step\"[^>]*>([^<]*)</button>",
                                          html)]


@pytest.mark.parametrize("language,words", [("km", KHMER), ("en", ENGLISH)])
def test_the_recipient_reads_the_shared_fields_and_its_steps_in_its_language(
        other_caseworker, referral, language, words):
    html = _reader(other_caseworker, language).get(f"/referrals/{referral.pk}/").content.decode()
    page = _text(html)
    # "reference" is always shared: it comes first, as the form lists the fields.
    assert f"{words['given_name']}, {words['date_of_birth']}" in page
    assert _buttons(html) == [words["accept"], words["decline"], words["close"]]
    for code in (*SHARED, "Given_name", "accept"):
        assert code not in page


@pytest.mark.parametrize("language,words", [("km", KHMER), ("en", ENGLISH)])
def test_the_sender_reads_its_steps_in_its_language(caseworker, referral, language, words):
    html = _reader(caseworker, language).get(f"/referrals/{referral.pk}/").content.decode()
    assert _buttons(html) == [words["close"], words["revoke"]]
    assert "date_of_birth" not in _text(html)


def test_the_buttons_still_send_the_step_codes(other_caseworker, referral):
    """A guard: only the words on the buttons changed, not what they send."""
    html = _reader(other_caseworker, "km").get(f"/referrals/{referral.pk}/").content.decode()
    assert re.findall(r'<button[^>]*name="step" value="([a-z_]+)"', html) == \
        ["accept", "decline", "close"]


def test_the_directory_names_who_a_service_serves_in_khmer(caseworker, org_b):
    Service.objects.create(provider=org_b, kind="shelter", name="Safe House Phnom Penh",
                           jurisdictions=["KH"], languages=["km"],
                           serves=["children", "labour_trafficking"])
    reader = _reader(caseworker, "km")
    page = _text(reader.get("/referrals/services/").content.decode())
    assert f"{KHMER['children']}, {KHMER['labour_trafficking']}" in page
    assert "labour_trafficking" not in page
    form = reader.get("/referrals/services/").content.decode()
    assert f'<option value="children">{KHMER["children"]}</option>' in form


def test_the_letter_labels_the_shared_fields_in_its_language(caseworker, actor_for, survivor_a,
                                                             org_b, referral_consent):
    referral = actions.create_referral(actor_for(caseworker), survivor=survivor_a,
                                       recipient=org_b, needs=["legal_aid"],
                                       shared_fields=[*SHARED, "interpreter_needed"])
    with translation.override("km"):
        html = letter.render_html(referral, letter.shared_values(referral))
    assert KHMER["date_of_birth"] in html and "ត្រូវការអ្នកបកប្រែ" in html
    assert "Date of birth" not in html and "Needs an interpreter" not in html


def test_the_api_keeps_the_codes(api, other_caseworker, referral):
    body = api(other_caseworker).get(f"/api/v1/referrals/{referral.pk}",
                                     HTTP_ACCEPT_LANGUAGE="km").json()
    assert body["shared_fields"] == sorted(["reference", *SHARED])
    assert body["actions"] == ["accept", "decline", "close"]
