"""Every statement a Cambodian or Thai survivor can be shown exists in Khmer and Thai."""

from __future__ import annotations

import pytest

from northstar.law import translations as tr
from northstar.law.position import law_statements, survivor_statements
from northstar.law.texts import STATEMENTS


def test_every_statement_key_has_khmer_and_thai_translations():
    loaded = tr.load()
    missing = [(key, lang) for key in STATEMENTS for lang in ("km", "th")
               if not loaded.get(key) or not loaded[key].texts.get(lang)]
    assert missing == []


def test_unreviewed_translations_are_marked_for_review():
    assert all(t.needs_review for t in tr.load().values())


def test_translations_are_not_english_copies():
    for key, entry in tr.load().items():
        for lang, text in entry.texts.items():
            assert text != STATEMENTS[key], (key, lang)


def test_a_cambodian_survivor_reads_her_statements_in_khmer_and_a_thai_survivor_in_thai():
    kh = [tr.text_for(s.key, "km") for s in survivor_statements("KH")]
    th = [tr.text_for(s.key, "th") for s in survivor_statements("TH")]
    assert all(any("\u1780" <= ch <= "\u17ff" for ch in text) for text in kh)
    assert all(any("\u0e00" <= ch <= "\u0e7f" for ch in text) for text in th)
    assert set(kh).isdisjoint(th)


def test_the_thai_reflection_guideline_keeps_its_15_days_in_thai_and_khmer():
    assert "15" in tr.translate("reflection.TH", "th")
    assert "១៥" in tr.translate("reflection.TH", "km")


def test_an_untranslated_language_falls_back_to_english():
    key = law_statements("TH")[0].key
    assert tr.text_for(key, "en") == STATEMENTS[key]


def test_a_translation_for_a_key_that_does_not_exist_is_refused():
    with pytest.raises(tr.TranslationDataError, match="no English statement"):
        tr.parse({"non_punishment.XX": {"needs_review": True, "km": "…"}})


def test_a_translation_without_a_review_mark_is_refused():
    with pytest.raises(tr.TranslationDataError, match="needs_review"):
        tr.parse({"reflection.TH": {"th": "…"}})


@pytest.mark.parametrize("lang", ["vi", "id", "fil", "zh-hant"])
def test_the_other_written_languages_cover_every_statement(lang):
    loaded = tr.load()
    assert [key for key in STATEMENTS if not loaded[key].texts.get(lang)] == []
