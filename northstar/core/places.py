"""Countries and languages: chosen from a list, stored as ISO codes, named in the reader's language.

One module for every country field (nationality, country of origin/destination, transit,
a service's jurisdictions …) and every language field (preferred language, consent language,
interpreter language, a service's languages …):

- the code lists are ISO 3166-1 alpha-2 and ISO 639 (two-letter 639-1, and the three-letter
  639-3 codes of the region's languages that have no two-letter code, such as ``fil``, ``shn``),
  from the maintained ``pycountry`` package;
- the names are Babel's CLDR names in the reader's language (``Locale(lang).territories`` /
  ``.languages``), falling back to English;
- the region's countries and languages come first, then all others in the reader's order.

Pure Python (no Django): forms, API schemas and the actions' validation all call it.
"""

from __future__ import annotations

from functools import lru_cache

import pycountry
from babel import Locale, UnknownLocaleError

#: The region's countries first in every list (ASEAN and Timor-Leste).
REGION_COUNTRIES = ("KH", "TH", "VN", "MM", "PH", "ID", "LA", "MY", "SG", "BN", "TL")
#: The region's languages first: the staff languages, then the region's large minorities.
REGION_LANGUAGES = ("km", "th", "vi", "my", "fil", "id", "lo", "ms", "zh-hant", "zh", "en",
                    "shn", "hmn", "ceb", "jv", "ta")
#: Three-letter ISO 639-3 codes offered beside the two-letter ones (no 639-1 code exists).
EXTRA_LANGUAGES = ("fil", "shn", "hmn", "ceb", "mnw", "kac", "ksw", "pwo", "rhg", "tet", "war",
                   "ilo", "hil", "yue", "nan", "hak")
#: Language tags with a script that the platform's own languages use.
SCRIPT_TAGS = {"zh-hant": ("zh_Hant", "Chinese (Traditional)"),
               "zh-hans": ("zh_Hans", "Chinese (Simplified)")}

COUNTRY_ERROR = "Choose a country from the list."
LANGUAGE_ERROR = "Choose a language from the list."


@lru_cache(maxsize=1)
def country_codes() -> frozenset[str]:
    """Every ISO 3166-1 alpha-2 code."""
    return frozenset(c.alpha_2 for c in pycountry.countries)


@lru_cache(maxsize=1)
def language_codes() -> tuple[str, ...]:
    """Every language code offered: ISO 639-1, the region's 639-3 codes, the script tags."""
    two = sorted(x.alpha_2 for x in pycountry.languages if hasattr(x, "alpha_2"))
    three = [c for c in EXTRA_LANGUAGES if pycountry.languages.get(alpha_3=c) is not None]
    return tuple(dict.fromkeys([*two, *three, *SCRIPT_TAGS]))


def is_country(code: object) -> bool:
    """Whether ``code`` is an ISO 3166-1 alpha-2 code (upper case, as stored)."""
    return isinstance(code, str) and code in country_codes()


def is_language(code: object) -> bool:
    """Whether ``code`` is an ISO 639 code (``km``, ``fil``), optionally with a script or a
    region subtag (``zh-Hant``, ``km-KH``)."""
    if not isinstance(code, str) or not code:
        return False
    return _is_language_tag(code)


@lru_cache(maxsize=4096)
def _is_language_tag(code: str) -> bool:
    """``is_language`` of a non-empty text (cached: a bulk import asks about "km" for
    thousands of rows, and pycountry's lookup is slow)."""
    lowered = code.lower()
    if lowered in SCRIPT_TAGS:
        return True
    base, *subtags = lowered.split("-")
    if len(subtags) > 2 or not all(_subtag_ok(t) for t in subtags):
        return False
    if len(base) == 2:
        return pycountry.languages.get(alpha_2=base) is not None
    if len(base) == 3:
        return pycountry.languages.get(alpha_3=base) is not None
    return False


def _subtag_ok(tag: str) -> bool:
    """A script (``hant``) or a region (``kh``, ``419``) subtag of a BCP 47 language tag."""
    if len(tag) == 4 and tag.isalpha():
        return True
    if len(tag) == 2 and tag.isalpha():
        return is_country(tag.upper())
    return len(tag) == 3 and tag.isdigit()


def normalise_language(code: str) -> str:
    """The stored form of a language code: lower case (``zh-Hant`` → ``zh-hant``)."""
    return code.strip().lower()


@lru_cache(maxsize=32)
def _locale(lang: str | None) -> Locale:
    tag = (lang or "en").replace("-", "_")
    if tag.lower() in ("zh_hant", "zh_hans"):
        tag = "zh_" + tag[3:].capitalize()
    try:
        return Locale.parse(tag)
    except (ValueError, UnknownLocaleError):
        return Locale.parse("en")


@lru_cache(maxsize=4096)
def country_name(code: str, lang: str | None = "en") -> str:
    """The country's name in ``lang`` (CLDR), or the code itself when it is not a country.
    Kept per code and language: the CLDR lookup was ~5 % of the case page's own Python."""
    if not code:
        return ""
    code = code.upper()
    name = _locale(lang).territories.get(code) or _locale("en").territories.get(code)
    if name:
        return name
    found = pycountry.countries.get(alpha_2=code)
    return found.name if found else code


@lru_cache(maxsize=4096)
def language_name(code: str, lang: str | None = "en") -> str:
    """The language's name in ``lang`` (CLDR), or the code itself when it is not a language
    (kept per code and language, as ``country_name``)."""
    if not code:
        return ""
    lowered = code.lower()
    if lowered in SCRIPT_TAGS:
        key, english = SCRIPT_TAGS[lowered]
        return _locale(lang).languages.get(key) or english
    name = _locale(lang).languages.get(lowered) or _locale("en").languages.get(lowered)
    if name:
        return name
    found = (pycountry.languages.get(alpha_2=lowered) if len(lowered) == 2
             else pycountry.languages.get(alpha_3=lowered))
    return found.name if found else code


def _region_first(codes, region, name_of) -> list[tuple[str, str]]:
    named = [(c, name_of(c)) for c in codes]
    first = [pair for r in region for pair in named if pair[0] == r]
    rest = sorted((p for p in named if p[0] not in region), key=lambda p: p[1].casefold())
    return first + rest


@lru_cache(maxsize=32)
def _country_choices(lang: str) -> tuple[tuple[str, str], ...]:
    return tuple(_region_first(sorted(country_codes()), REGION_COUNTRIES,
                               lambda c: country_name(c, lang)))


@lru_cache(maxsize=32)
def _language_choices(lang: str) -> tuple[tuple[str, str], ...]:
    return tuple(_region_first(language_codes(), REGION_LANGUAGES,
                               lambda c: language_name(c, lang)))


def country_choices(lang: str | None = "en") -> list[tuple[str, str]]:
    """(code, name in ``lang``) for every country, the region's first."""
    return list(_country_choices(lang or "en"))


def language_choices(lang: str | None = "en") -> list[tuple[str, str]]:
    """(code, name in ``lang``) for every language, the region's first."""
    return list(_language_choices(lang or "en"))
