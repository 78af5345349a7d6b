"""A Khmer-speaking caseworker reads staff pages in Khmer, not in English.

Before the staff strings were translated, Khmer pages were 70–99 % Latin script.
Names, reference codes and numbers stay as recorded; everything the platform
itself says is in the reader's language.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from tests.web.test_intake import client_for


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    # Skipped: code, and text marked as another language (the language menu names each
    # language in its own script, as it should).
    def _skipped(self, tag, attrs) -> bool:
        lang = dict(attrs).get("lang")
        return tag in ("script", "style", "code") or (lang is not None and not lang.startswith("km"))

    def handle_starttag(self, tag, attrs):
        if self._skip or self._skipped(tag, attrs):
            self._skip += 1

    def handle_startendtag(self, tag, attrs):
        pass

    def handle_endtag(self, tag):
        if self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def khmer_share(html: str, *, ignore: tuple[str, ...] = ()) -> float:
    parser = _Text()
    parser.feed(html)
    text = " ".join(parser.parts)
    for recorded in ignore:  # what the caseworker typed stays as typed
        text = text.replace(recorded, " ")
    khmer = len(re.findall(r"[\u1780-\u17FF]", text))
    latin = len(re.findall(r"[A-Za-z]", text))
    return khmer / max(1, khmer + latin)


@pytest.fixture
def khmer_client(caseworker):
    client = client_for(caseworker)
    client.cookies["django_language"] = "km"
    return client


def test_the_caseload_case_and_survivor_pages_are_mostly_khmer(khmer_client, case_a, survivor_a):
    recorded = (survivor_a.reference, case_a.reference, "Northstar")
    for url in (reverse("caseload"), reverse("case", args=[case_a.pk]),
                reverse("survivor", args=[survivor_a.pk]), reverse("intake_new")):
        html = khmer_client.get(url).content.decode()
        assert khmer_share(html, ignore=recorded) > 0.8, url

