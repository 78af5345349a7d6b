"""Pages show human words, never codes: no raw choice value (``domestic_servitude``), field
name (``given_name``) or rule id reaches the visible text of the main staff pages."""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model
from django.db import models
from django.test import Client

from northstar.justice import actions as justice_actions
from northstar.screening import actions as screening_actions
from northstar.survivors import actions
from tests.conftest import PASSWORD

#: Codes that are not choice values but were seen on pages (issue 14).
ALSO_NEVER_SHOWN = {"given_name", "family_name", "date_of_birth", "id_document_numbers",
                    "contact_notes", "ROUND_HALF_UP", "interpreter_needed_for_interview",
                    "preferred_language", "country_of_origin"}


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def enum_codes() -> set[str]:
    """Every project ``TextChoices`` value with an underscore: a code, never a word."""
    codes = set()
    for enum in _subclasses(models.TextChoices):
        if enum.__module__.startswith("northstar."):
            codes |= {v for v in enum.values if "_" in v}
    return codes | ALSO_NEVER_SHOWN


class VisibleText(HTMLParser):
    """The text a person sees: no tags, attributes, scripts or styles."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template"):
            self._hidden += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def visible(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return " ".join(parser.parts)


@pytest.fixture
def rich_case(caseworker, actor_for):
    """A survivor and case covering many choice values with underscores."""
    actor = actor_for(caseworker)
    survivor = actions.create_survivor(actor, data={
        "given_name": "Demo Malai", "family_name": "Sample", "birth_year": 1999,
        "sex": "female", "gender": "woman", "nationality": "MM", "languages": ["my", "th"],
        "preferred_language": "my", "interpreter_needed": True, "family_involved": "unknown"})
    case = actions.create_case(actor, survivor, data={
        "forms_of_exploitation": ["labour", "forced_criminality"],
        "sectors": ["fishing", "domestic_work"] if "domestic_work" in enum_codes() else ["fishing"],
        "country_of_origin": "MM", "country_of_destination": "TH",
        "recruitment_method": "job_offer", "relationship_to_offender": "stranger",
        "coercion": "high", "trial_participation": "undecided",
        "summary": "Kept on a boat."})
    screening_actions.screen_case(actor, case, answers={
        "age": 24, "act": ["recruitment"], "means": ["deception", "abuse_of_power"],
        "purpose": ["domestic_servitude"], "involuntary": True, "menace_of_penalty": True,
        "indicators": {"withholding_of_wages": True, "retention_of_identity_documents": True}})
    justice_actions.record_event(actor, case, kind="shelter_stay",
                                 occurred_on=dt.date(2024, 7, 1),
                                 details={"shelter": "Safe House", "curfew": False,
                                          "movement_restricted": False})
    return case


@pytest.fixture
def cw(caseworker):
    client = Client()
    assert client.login(username=caseworker.get_username(), password=PASSWORD)
    return client


def test_the_main_staff_pages_show_no_codes(cw, rich_case):
    c, s = rich_case.pk, rich_case.survivor_id
    codes = enum_codes()
    assert {"domestic_servitude", "labour_rights_violation"} <= codes
    shown = {}
    for url in ("/", f"/survivors/{s}/", f"/survivors/{s}/?personal=1", f"/cases/{c}/",
                "/intake/new/", f"/screening/cases/{c}/", f"/pathways/cases/{c}/plan/",
                f"/justice/cases/{c}/", f"/justice/cases/{c}/?kind=interview",
                "/justice/tasks/", "/referrals/"):
        response = cw.get(url)
        assert response.status_code == 200, url
        text = visible(response.content.decode())
        for user in get_user_model().objects.all():  # test users are named "legal_officer.a"
            text = text.replace(user.get_username(), " ")
        found = sorted(code for code in codes if code in text)
        if found:
            shown[url] = found
    assert not shown, shown


def test_sources_on_pages_cite_the_law_not_the_projects_notes():
    from northstar.web.templatetags.northstar_web import cite

    shown = cite("Thai Labour Protection Act B.E. 2541 s.61 (jurisdictions.md §2.5); "
                 "ILO C29 via ICLS 2018 (jurisdictions.md §1.3, secondary); DOMAIN.md §8; "
                 "Northstar practice (issue 11 §1); 004_aa8dab4e694234cd.txt")
    assert "Labour Protection Act B.E. 2541 s.61" in shown and "ICLS 2018" in shown
    assert ".md" not in shown and "§" not in shown and "issue 11" not in shown
    assert ".txt" not in shown
