"""Dates, numbers and money as people in each of the portal's languages write them.

Pure Python (no Django): separators and month names follow CLDR 45 for each
language; digits are Latin everywhere, as on the documents survivors are given.
Thai dates use the Buddhist Era year (as on Thai documents). Currencies come from
``data/currencies.toml`` (ISO 4217 minor units, with source and date).
"""

from __future__ import annotations

import datetime as dt
import tomllib
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache
from pathlib import Path

from northstar.core.i18n import base_language

CURRENCIES_FILE = Path(__file__).parent / "data" / "currencies.toml"

#: language → (decimal separator, grouping separator)
SEPARATORS: dict[str, tuple[str, str]] = {
    "en": (".", ","), "km": (",", "."), "th": (".", ","), "vi": (",", "."),
    "my": (".", ","), "fil": (".", ","), "id": (",", "."), "lo": (",", "."),
    "zh-hant": (".", ","),
}

MONTHS: dict[str, tuple[str, ...]] = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
    "km": ("មករា", "កុម្ភៈ", "មីនា", "មេសា", "ឧសភា", "មិថុនា", "កក្កដា", "សីហា", "កញ្ញា",
           "តុលា", "វិច្ឆិកា", "ធ្នូ"),
    "th": ("มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน", "กรกฎาคม",
           "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม"),
    "my": ("ဇန်နဝါရီ", "ဖေဖော်ဝါရီ", "မတ်", "ဧပြီ", "မေ", "ဇွန်", "ဇူလိုင်", "ဩဂုတ်",
           "စက်တင်ဘာ", "အောက်တိုဘာ", "နိုဝင်ဘာ", "ဒီဇင်ဘာ"),
    "fil": ("Enero", "Pebrero", "Marso", "Abril", "Mayo", "Hunyo", "Hulyo", "Agosto",
            "Setyembre", "Oktubre", "Nobyembre", "Disyembre"),
    "id": ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
           "September", "Oktober", "November", "Desember"),
    "lo": ("ມັງກອນ", "ກຸມພາ", "ມີນາ", "ເມສາ", "ພຶດສະພາ", "ມິຖຸນາ", "ກໍລະກົດ", "ສິງຫາ",
           "ກັນຍາ", "ຕຸລາ", "ພະຈິກ", "ທັນວາ"),
}


def format_date(value: dt.date | dt.datetime | None, language: str) -> str:
    """A date written out in words, e.g. ``12 April 2025``, ``2025年4月12日``."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.date()
    lang = base_language(language)
    d, m, y = value.day, value.month, value.year
    if lang == "zh-hant":
        return f"{y}年{m}月{d}日"
    if lang == "vi":
        return f"{d} tháng {m}, {y}"
    if lang == "th":
        return f"{d} {MONTHS['th'][m - 1]} {y + 543}"
    if lang == "my":
        return f"{y}၊ {MONTHS['my'][m - 1]} {d}"
    if lang == "fil":
        return f"{MONTHS['fil'][m - 1]} {d}, {y}"
    return f"{d} {MONTHS[lang][m - 1]} {y}"


def _group(digits: str, sep: str) -> str:
    parts = []
    while len(digits) > 3:
        parts.insert(0, digits[-3:])
        digits = digits[:-3]
    parts.insert(0, digits)
    return sep.join(parts)


def format_number(value, language: str, decimals: int = 0) -> str:
    """``value`` rounded half-up to ``decimals`` places with the language's separators."""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValueError(f"not a number: {value!r}") from None
    if not number.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    dec_sep, group_sep = SEPARATORS[base_language(language)]
    quantum = Decimal(1).scaleb(-decimals)
    rounded = number.quantize(quantum, rounding=ROUND_HALF_UP)
    sign = "-" if rounded < 0 else ""
    whole, _, frac = f"{abs(rounded):f}".partition(".")
    text = _group(whole, group_sep)
    if decimals > 0:
        text += dec_sep + frac.ljust(decimals, "0")
    return sign + text


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
    units = minor_units(code)
    number = format_number(amount, language, units)
    if info is None:
        return f"{number} {code}".strip()
    sign, digits = ("-", number[1:]) if number.startswith("-") else ("", number)
    symbol = info["symbol"]
    if info["position"] == "suffix":
        return f"{sign}{digits} {symbol}"
    spacer = " " if symbol[-1].isalpha() else ""
    return f"{sign}{symbol}{spacer}{digits}"
