"""Survivor-facing text exists in every language, compiles, and is marked for review."""

import re
import subprocess

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from northstar.portal import catalogue, texts
from northstar.portal.management.commands import translation_review

#: A letter of each language's script, to prove a page is really in that language.
SCRIPTS = {
    "km": r"[\u1780-\u17FF]", "th": r"[\u0E00-\u0E7F]", "lo": r"[\u0E80-\u0EFF]",
    "my": r"[\u1000-\u109F]", "zh-hant": r"[\u4E00-\u9FFF]",
    "vi": r"[ạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹđ]",
}
#: Words that only the translation would contain, for languages in Latin script.
WORDS = {"fil": "Mag-sign in", "id": "Masuk", "vi": "Đăng nhập"}


@pytest.mark.parametrize("locale", list(catalogue.LOCALES))
def test_every_catalogue_compiles_and_the_committed_mo_is_up_to_date(locale, tmp_path):
    po = catalogue.po_path(locale)
    fresh = tmp_path / "django.mo"
    result = subprocess.run(["msgfmt", "--check-format", "-o", str(fresh), str(po)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    committed = po.with_suffix(".mo")
    assert committed.exists(), f"{committed} missing: run manage.py compile_translations"
    assert committed.read_bytes() == fresh.read_bytes(), (
        f"{committed} is older than its .po: run manage.py compile_translations")


@pytest.mark.parametrize("locale,code", list(catalogue.LOCALES.items()))
def test_every_survivor_facing_string_is_translated_and_marked_for_review(locale, code):
    entries = {e.msgid: e for e in catalogue.parse_po(catalogue.po_path(locale))}
    with translation.override("en"):
        msgids = {str(text) for _, text in texts.all_messages()}
    missing = sorted(m for m in msgids if m not in entries or not entries[m].translated)
    assert not missing, f"{code}: untranslated survivor-facing strings: {missing[:5]}"
    # A native speaker has not reviewed them yet: each must say so until they have.
    unmarked = sorted(m for m in msgids if not entries[m].needs_review)
    assert not unmarked, f"{code}: translations without '# needs-review': {unmarked[:5]}"


@pytest.mark.parametrize("code", [c for c, _ in settings.LANGUAGES if c != "en"])
def test_translations_keep_their_placeholders(code):
    with translation.override(code):
        text = str(texts.UI["consent_referral_to"]) % {"organisation": "ORG"}
    assert "ORG" in text


def test_the_machine_readable_review_list_is_up_to_date():
    path = translation_review.review_file()
    assert path.read_text(encoding="utf-8") == translation_review.render(), (
        "run manage.py translation_review --write")


def test_no_translation_of_sign_in_text_mentions_trafficking():
    for code, _ in settings.LANGUAGES:
        with translation.override(code):
            for key, text in texts.sign_in_messages():
                assert "traffick" not in str(text).lower(), (code, key)


@pytest.mark.django_db
@pytest.mark.parametrize("code", [c for c, _ in settings.LANGUAGES if c != "en"])
def test_the_portal_renders_in_each_language_with_text_from_the_catalogue(code, survivor_a,
                                                                         portal_client):
    client = portal_client(survivor_a)
    client.get(f"/portal/language/{code}/?next=/portal/home/")
    for url in ("/portal/home/", "/portal/rights/", "/portal/choices/", "/portal/plan/"):
        response = client.get(url)
        html = response.content.decode()
        assert f'<html lang="{code}">' in html
        assert response["Content-Language"] == code
        with translation.override(code):
            assert str(texts.UI["quick_exit"]) in html
            assert str(texts.UI["quick_exit"]) != "Quick exit"
        if code in SCRIPTS:
            assert re.search(SCRIPTS[code], html), (code, url)


@pytest.mark.django_db
def test_the_portal_opens_in_the_survivors_preferred_language(survivor_a, portal_client):
    html = portal_client(survivor_a).get("/portal/home/").content.decode()
    assert '<html lang="km">' in html  # survivor_a prefers Khmer
    assert re.search(SCRIPTS["km"], html)
    assert "សូមស្វាគមន៍" in html  # "Welcome"


@pytest.mark.django_db
@pytest.mark.parametrize("code", list(WORDS))
def test_the_sign_in_page_can_be_read_before_signing_in(code):
    client = Client()
    client.get(f"/portal/language/{code}/")
    html = client.get("/portal/").content.decode()
    assert WORDS[code] in html


@pytest.mark.django_db
def test_an_unknown_language_is_refused_and_changes_nothing():
    client = Client()
    assert client.get("/portal/language/xx/").status_code == 404
    assert '<html lang="en">' in client.get("/portal/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


@pytest.mark.django_db
def test_the_language_switch_never_redirects_off_the_portal():
    response = Client().get("/portal/language/th/?next=https://evil.example/")
    assert response["Location"] == "/portal/"


@pytest.mark.parametrize("locale", list(catalogue.LOCALES))
def test_no_translation_is_in_use_without_a_review_mark_or_a_named_reviewer(locale):
    """A reviewer removes '# needs-review' and signs with '# reviewed-by: <name> <date>'."""
    for entry in catalogue.parse_po(catalogue.po_path(locale)):
        if entry.translated:
            assert entry.needs_review or any(c.startswith("reviewed-by:")
                                             for c in entry.comments), (locale, entry.msgid)


def test_the_review_parser_reads_marks_flags_and_multiline_entries(tmp_path):
    po = tmp_path / "django.po"
    po.write_text('msgid ""\nmsgstr ""\n"Language: km\\n"\n\n'
                  '# needs-review\n#: a.py:1\n#, python-format\nmsgid "Hello "\n"%(name)s"\n'
                  'msgstr "ជំរាបសួរ %(name)s"\n\n'
                  '#, fuzzy\nmsgid "Guess"\nmsgstr "Wrong"\n\n'
                  '# reviewed-by: Dara 2026-11-29\nmsgid "Yes"\nmsgstr "បាទ/ចាស"\n',
                  encoding="utf-8")
    entries = {e.msgid: e for e in catalogue.parse_po(po)}
    assert set(entries) == {"Hello %(name)s", "Guess", "Yes"}
    assert entries["Hello %(name)s"].needs_review and entries["Hello %(name)s"].translated
    assert "python-format" in entries["Hello %(name)s"].flags
    assert not entries["Guess"].translated  # fuzzy guesses are not translations
    assert entries["Yes"].translated and not entries["Yes"].needs_review
