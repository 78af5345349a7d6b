"""A funder reading in Khmer reads the measures in Khmer: every word of measures.toml a
reader sees is a catalogue message, and the dashboard passes it through the catalogue."""

from __future__ import annotations

from django.utils import translation

from northstar.core.tables import Table
from northstar.insights import views
from northstar.insights.measures import all_measures
from northstar.insights.texts import MEASURE_TEXTS


def test_every_word_a_reader_sees_of_a_measure_is_listed_for_translation():
    missing = [getattr(m, name) for m in all_measures() for name in views.TRANSLATED
               if getattr(m, name) and getattr(m, name) not in MEASURE_TEXTS]
    assert not missing, "add to northstar/insights/texts.py:\n" + "\n".join(
        f"    _({text!r})," for text in missing)


def test_a_khmer_reader_reads_every_measures_name_and_definition_in_khmer():
    for measure in all_measures():
        table = Table(measure=f"{measure.key}.x", rows=(), columns=(), values={})
        with translation.override("km"):
            meta = views._measure_meta(measure, table)
        assert not meta["name"].startswith(measure.name), measure.key
        assert meta["definition"] != measure.definition, measure.key
        assert meta["source"] == measure.source  # a citation is never translated
