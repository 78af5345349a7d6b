"""The instruments are data with a source on every entry, and the texts translators see are
exactly the texts survivors are asked."""

import datetime as dt

import pytest
from django.utils import translation

from northstar.outcomes import texts
from northstar.outcomes.rules import instruments
from northstar.rules.errors import RuleDataError
from northstar.rules.loader import load


def test_every_item_and_scale_label_is_listed_for_translation():
    with translation.override("en"):
        listed = {str(t) for t in texts.INSTRUMENT_TEXTS}
    asked = {text for _key, text in instruments.texts()}
    assert asked == listed


def test_who5_has_five_items_on_a_zero_to_five_scale_and_fairness_four_dimensions():
    who5 = instruments.instrument("who5")
    assert len(who5.items) == 5
    assert instruments.scale(who5.scale).values == frozenset(range(6))
    fairness = instruments.instrument("fairness")
    assert fairness.dimensions == ("voice", "neutrality", "respect", "trust")
    assert 4 <= len(fairness.items) <= 6
    assert all(item.source and item.checked for item in who5.items + fairness.items)


def test_the_who5_score_is_the_raw_sum_times_four_and_only_when_all_items_are_answered():
    ids = [i.id for i in instruments.instrument("who5").items]
    assert instruments.who5_score(dict.fromkeys(ids, 5)) == 100
    assert instruments.who5_score(dict(zip(ids, [3, 2, 4, 1, 0], strict=True))) == 40
    assert instruments.who5_score({**dict.fromkeys(ids, 5), ids[0]: None}) is None


def test_score_bands_follow_the_published_cut_offs():
    assert [instruments.band_of(s) for s in (0, 28, 29, 50, 51, 100)] == [
        "low", "low", "poor", "poor", "good", "good"]


def test_check_ins_fall_due_at_3_6_12_and_24_months_after_closing():
    assert [m.months for m in instruments.check_in_marks()] == [3, 6, 12, 24]
    assert instruments.add_months(dt.date(2026, 11, 30), 3) == dt.date(2027, 2, 28)
    assert instruments.add_months(dt.date(2026, 1, 15), 24) == dt.date(2028, 1, 15)


def test_an_item_without_its_checked_date_is_refused_naming_it(tmp_path):
    text = instruments.INSTRUMENTS_FILE.read_text(encoding="utf-8")
    broken = text.replace('source = "WHO-5 (1998), item 2, wording unchanged"\n'
                          'checked = 2026-12-06\n',
                          'source = "WHO-5 (1998), item 2, wording unchanged"\n', 1)
    assert broken != text
    path = tmp_path / "instruments.toml"
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(RuleDataError, match="who5_calm: missing 'checked'"):
        load(path, instruments.InstrumentsFile)
