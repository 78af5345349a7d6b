"""The caseload's filter form's fields are rendered once per process,
language and shown values, then reused (issue 13, branch h-caseload3): the same HTML as a
fresh render, in every language, and never a reader's typed text or a form with errors."""

from __future__ import annotations

import re

import pytest

from northstar.web import views
from tests.web.test_intake import client_for

#: Rendered each time the fields are written afresh (their widgets are written in Python since
#: h-pages2, so no widget template shows it any more).
FIELDS = "web/_caseload_filter_fields.html"


def _filter_form(html: str) -> str:
    return re.search(r'<form method="get" class="filters" role="search" aria-label="[^"]*" '
                     r'novalidate>.*?</form>', html, re.S).group(0)


def _widget_templates(response) -> list[str]:
    return [t.name for t in response.templates if t.name == FIELDS]


@pytest.fixture
def fresh(monkeypatch):
    monkeypatch.setattr(views, "_FILTER_FIELDS", {})


@pytest.mark.parametrize("query", ["", "?whose=all&status=open&attention=overdue", "?apage=2"])
def test_the_filter_form_is_rendered_once_and_shown_the_same(fresh, caseworker, survivor_a,
                                                             query):
    client = client_for(caseworker)
    first = client.get("/" + query)
    again = client.get("/" + query)
    assert _widget_templates(first), "the first view renders the widgets"
    assert _widget_templates(again) == []
    assert _filter_form(again.content.decode()) == _filter_form(first.content.decode())


def test_each_language_has_its_own(fresh, caseworker, survivor_a):
    client = client_for(caseworker)
    english = _filter_form(client.get("/").content.decode())
    client.cookies["django_language"] = "km"
    khmer = client.get("/", HTTP_ACCEPT_LANGUAGE="km")
    assert _widget_templates(khmer), "Khmer is rendered, not the English kept"
    assert _filter_form(khmer.content.decode()) != english
    assert 'lang="km"' in khmer.content.decode()


@pytest.mark.parametrize("query", ["?q=SRV-1", "?nationality=KH", "?nationality=zzz",
                                   "?status=nonsense"])
def test_typed_text_and_errors_are_rendered_each_time(fresh, caseworker, survivor_a, query):
    client = client_for(caseworker)
    for _ in range(2):
        response = client.get("/" + query)
        assert _widget_templates(response)
    assert views._FILTER_FIELDS == {}
    if "zzz" in query:
        assert 'class="field invalid"' in _filter_form(response.content.decode())
