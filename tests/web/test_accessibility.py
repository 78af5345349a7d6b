"""WCAG basics every caseworker page must keep: language, skip link, a label for every field."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from tests.web.test_intake import CONSENT_FORM, SURVIVOR_FORM, client_for


class FormAudit(HTMLParser):
    """Collects form controls, labels and the page's language."""

    def __init__(self):
        super().__init__()
        self.lang = None
        self.controls: list[dict] = []
        self.label_for: set[str] = set()
        self.label_depth = 0
        self.skip_link = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang")
        elif tag == "a" and "skip" in (a.get("class") or "") and a.get("href") == "#main":
            self.skip_link = True
        elif tag == "label":
            self.label_depth += 1
            if a.get("for"):
                self.label_for.add(a["for"])
        elif tag in ("input", "select", "textarea"):
            if a.get("type") in ("hidden", "submit", "button"):
                return
            self.controls.append({**a, "_wrapped": self.label_depth > 0, "_tag": tag})

    def handle_endtag(self, tag):
        if tag == "label":
            self.label_depth -= 1

    def unlabelled(self) -> list[str]:
        return [c.get("name") or c["_tag"] for c in self.controls
                if not (c["_wrapped"] or c.get("id") in self.label_for or c.get("aria-label"))]


def audit(html: str) -> FormAudit:
    parser = FormAudit()
    parser.feed(html)
    return parser


@pytest.fixture
def pages(caseworker, case_a):
    cw = client_for(caseworker)
    cw.post(reverse("intake_new"), {**SURVIVOR_FORM, "action": "save"})
    from northstar.web.models import Intake

    intake = Intake.objects.get()
    cw.post(reverse("intake_step", args=[intake.pk, "consent"]), {**CONSENT_FORM,
                                                                  "action": "save"})
    urls = [reverse("caseload"), reverse("survivor", args=[case_a.survivor.pk]),
            reverse("case", args=[case_a.pk]), reverse("intake_new"), reverse("intake_list"),
            reverse("intake_step", args=[intake.pk, "consent"]),
            reverse("intake_step", args=[intake.pk, "screening"]),
            reverse("consent_new", args=[case_a.survivor.pk]),
            reverse("case_new", args=[case_a.survivor.pk])]
    return cw, urls


def test_every_caseworker_page_declares_its_language_and_has_a_skip_link(pages):
    cw, urls = pages
    for url in urls:
        page = audit(cw.get(url).content.decode())
        assert page.lang == "en", url
        assert page.skip_link, url


def test_every_form_field_has_a_label(pages):
    cw, urls = pages
    for url in urls:
        page = audit(cw.get(url).content.decode())
        assert page.controls, f"{url} has no form at all?"
        assert page.unlabelled() == [], url


def test_the_login_page_fields_are_labelled_too(client):
    page = audit(client.get(reverse("login")).content.decode())
    assert page.unlabelled() == [] and len(page.controls) >= 2


def test_the_page_language_follows_the_persons_choice(client, caseworker):
    response = client.post(reverse("set_language"), {"language": "km", "next": "/login/"})
    assert response.status_code == 302 and response["Location"] == "/login/"
    html = client.get(reverse("login")).content.decode()
    assert audit(html).lang == "km"
    assert "រំលងទៅខ្លឹមសារ" in html  # "Skip to content"


def test_an_unknown_language_is_refused_naming_the_field(client):
    response = client.post(reverse("set_language"), {"language": "xx", "next": "/"})
    assert response.status_code == 400 and b"language" in response.content


def test_the_language_switch_never_redirects_off_site(client):
    response = client.post(reverse("set_language"),
                           {"language": "th", "next": "https://evil.example/"})
    assert response["Location"] == "/"
