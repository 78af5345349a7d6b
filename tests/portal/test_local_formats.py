import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from northstar.portal.localformat import (
    base_language,
    currencies,
    format_date,
    format_money,
    format_number,
    minor_units,
)


@pytest.mark.parametrize("language,expected", [
    # km follows CLDR (Babel): "." decimal, "," grouping, as Cambodian banks print amounts.
    ("en", "฿1,234.50"), ("th", "฿1,234.50"), ("vi", "฿1.234,50"), ("km", "฿1,234.50"),
])
def test_baht_is_shown_with_two_minor_units_and_local_separators(language, expected):
    assert format_money(Decimal("1234.5"), "THB", language) == expected


def test_dong_has_no_minor_units_and_rounds_half_up():
    assert minor_units("VND") == 0
    assert format_money(Decimal("1234567.5"), "VND", "vi") == "1.234.568 ₫"


def test_riel_and_kyat_symbols_follow_the_amount():
    assert format_money(400000, "KHR", "km") == "400,000.00 ៛"
    assert format_money(Decimal("15000"), "MMK", "my") == "15,000.00 K"


def test_letter_symbols_are_spaced_and_negatives_keep_their_sign():
    assert format_money(Decimal("2500000"), "IDR", "id") == "Rp 2.500.000,00"
    assert format_money(Decimal("-12.345"), "USD", "en") == "-US$12.35"
    assert format_money(Decimal("99"), "PHP", "fil") == "₱99.00"


def test_an_unknown_currency_shows_its_code():
    assert format_money(Decimal("10"), "XYZ", "en") == "10.00 XYZ"


def test_every_currency_entry_has_a_source_and_a_checked_date():
    for code, entry in currencies().items():
        assert entry["source"] and isinstance(entry["checked"], dt.date), code
        assert entry["position"] in ("prefix", "suffix"), code
        assert isinstance(entry["minor_units"], int), code


@pytest.mark.parametrize("language,expected", [
    ("en", "12 April 2025"), ("th", "12 เมษายน 2568"), ("vi", "12 tháng 4, 2025"),
    ("zh-hant", "2025年4月12日"), ("km", "12 មេសា 2025"), ("lo", "12 ເມສາ 2025"),
    ("my", "2025 ဧပြီ 12"), ("fil", "Abril 12, 2025"), ("id", "12 April 2025"),
])
def test_dates_are_written_as_each_language_writes_them(language, expected):
    assert format_date(dt.date(2025, 4, 12), language) == expected


@pytest.mark.parametrize("tag,expected", [
    ("zh-Hant", "zh-hant"), ("zh_TW", "zh-hant"), ("tl", "fil"), ("km-KH", "km"),
    ("de", "en"), ("", "en"), (None, "en"),
])
def test_language_tags_map_to_portal_languages(tag, expected):
    assert base_language(tag) == expected


def test_non_numbers_are_refused():
    with pytest.raises(ValueError):
        format_number("abc", "en")
    with pytest.raises(ValueError):
        format_number(Decimal("NaN"), "en")


@given(st.decimals(min_value=-10**12, max_value=10**12, places=2, allow_nan=False),
       st.sampled_from(["en", "km", "th", "vi", "my", "fil", "id", "lo", "zh-hant"]))
def test_formatting_round_trips_to_the_same_amount(amount, language):
    text = format_number(amount, language, 2)
    dec, group = {"vi": (",", "."), "id": (",", "."), "lo": (",", ".")}.get(language,
                                                                             (".", ","))
    back = Decimal(text.replace(group, "").replace(dec, "."))
    assert back == amount


def test_digits_stay_latin_where_cldr_defaults_to_native_digits():
    # Burmese defaults to Myanmar digits in CLDR; documents given to survivors use 0-9.
    assert format_number(Decimal("1234"), "my") == "1,234"
    assert format_date(dt.date(2025, 4, 12), "my").startswith("2025")
