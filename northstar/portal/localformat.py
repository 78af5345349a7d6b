"""Dates, numbers and money as people in each of the portal's languages write them.

Babel (CLDR) knows each language's separators, grouping and month names; digits
are Latin everywhere, as on the documents survivors are given. Two things are
ours, not CLDR's: Thai dates use the Buddhist Era year (as on Thai documents),
and money is rounded half-up to the currency's ISO 4217 minor units and shown
with the symbol used in the region, both from ``data/currencies.toml`` (with
source and date), so an amount reads the same on every page and every document.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache
from pathlib import Path

from babel.dates import format_date as babel_format_date
from babel.numbers import format_decimal

from northstar.core.i18n import base_language

CURRENCIES_FILE = Path(__file__).parent / "data" / "currencies.toml"

#: Portal language → Babel locale. English dates are written day first in the region.
BABEL_LOCALES = {"en": "en_GB", "zh-hant": "zh_Hant"}

#: Buddhist Era = Gregorian year + 543 (Thai official documents).
BUDDHIST_ERA_OFFSET = 543


def babel_locale(language: str | None) -> str:
    lang = base_language(language)
    return BABEL_LOCALES.get(lang, lang)


def format_date(value: dt.date | dt.datetime | None, language: str) -> str:
    """A date written out in words, e.g. ``12 April 2025``, ``2025年4月12日``."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.date()
    if base_language(language) == "th":
        day_month = babel_format_date(value, "d MMMM", locale="th")
        return f"{day_month} {value.year + BUDDHIST_ERA_OFFSET}"
    return babel_format_date(value, "long", locale=babel_locale(language))


def format_number(value, language: str, decimals: int = 0) -> str:
    """``value`` rounded half-up to ``decimals`` places with the language's separators."""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValueError(f"not a number: {value!r}") from None
    if not number.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    rounded = number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    return format_decimal(rounded, format=pattern, locale=babel_locale(language),
                          numbering_system="latn")


@cache
def currencies() -> dict[str, dict]:
    with CURRENCIES_FILE.open("rb") as fh:
        return tomllib.load(fh)


def minor_units(currency: str) -> int:
    return int(currencies().get((currency or "").upper(), {}).get("minor_units", 2))


def format_money(amount, currency: str, language: str) -> str:
    """An amount in its currency's minor units, e.g. ``฿1,234.50``, ``1.234.567 ₫``."""
    code = (currency or "").upper()
    info = currencies().get(code)
    number = format_number(amount, language, minor_units(code))
    if info is None:
        return f"{number} {code}".strip()
    sign, digits = ("-", number[1:]) if number.startswith("-") else ("", number)
    symbol = info["symbol"]
    if info["position"] == "suffix":
        return f"{sign}{digits} {symbol}"
    spacer = " " if symbol[-1].isalpha() else ""
    return f"{sign}{symbol}{spacer}{digits}"
