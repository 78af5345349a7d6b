"""The words of a name as search tokens: a pure engine (no Django), tested without a database.

A name, alias or phone number becomes a set of ``(kind, value)`` pairs in the clear;
``survivors.search`` then keys each one with an HMAC so the database only ever
holds digests. Kinds, strongest first:

- ``word``: the normalised word (Unicode NFKD, accents stripped, lower case, other
  scripts transliterated to Latin by ``anyascii``): "Nguyễn" -> "nguyen";
- ``phon``: the word's phonetic key under ``rules/phonetic.toml`` (each rule with its
  source): "Sokhar" and "Sokha" -> "soka", "Phal" and "Pal" -> "pal";
- ``tri``: character trigrams of the phonetic key, padded ("_so", "sok", ...), whose
  digests are truncated into buckets (see ``TRIGRAM_BUCKET_HEX``) so they leak less;
- ``phone``: the last eight digits of a phone number (country code and spacing dropped).

Also the normalisation used by queries, so a query and a stored name meet.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

from northstar.rules.loader import Rule, RuleFile, Text, load

try:  # a maintained transliteration table (ISC licence); without it other scripts stay as they are
    from anyascii import anyascii as _transliterate
except ImportError:  # pragma: no cover - anyascii is a dependency
    def _transliterate(text: str) -> str:
        return text

RULES_FILE = Path(__file__).parent / "rules" / "phonetic.toml"

#: Weights of a matching token in the ranking: exact word > phonetic key > one trigram.
WEIGHTS = {"word": 4, "phone": 4, "phon": 2, "tri": 1}
#: A trigram digest keeps this many hex digits (16 bits: 65,536 buckets per organisation).
TRIGRAM_BUCKET_HEX = 4
#: Other digests keep 32 hex digits (128 bits): collisions are negligible.
DIGEST_HEX = 32
#: Digits of a phone number compared (national numbers in the region have 8 to 10).
PHONE_DIGITS = 8
#: A word shorter than this gives no trigrams of its own (its word and phonetic tokens remain).
MIN_TRIGRAM_WORD = 2


class PhoneticRule(Rule):
    pattern: Text
    replace: str


class PhoneticRules(RuleFile):
    rules: list[PhoneticRule]


@lru_cache(maxsize=1)
def rules() -> tuple[tuple[re.Pattern, str], ...]:
    """The phonetic rules, compiled, in file order (``RuleDataError`` if the file is wrong)."""
    data = load(RULES_FILE, PhoneticRules)
    return tuple((re.compile(r.pattern), r.replace) for r in data.rules)


def normalise(text: str) -> str:
    """Latin-script, lower-case, accent-free text with only letters, digits and spaces."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    stripped = stripped.replace("đ", "d").replace("Đ", "D")
    latin = _transliterate(stripped).lower()
    return " ".join("".join(c if c.isalnum() else " " for c in latin).split())


def words(text: str) -> list[str]:
    return normalise(text).split()


def phonetic(word: str) -> str:
    """The phonetic key of one normalised word."""
    for pattern, replacement in rules():
        word = pattern.sub(replacement, word)
    return word


def trigrams(word: str) -> set[str]:
    if len(word) < MIN_TRIGRAM_WORD:
        return set()
    padded = f"_{word}_"
    return {padded[i:i + 3] for i in range(len(padded) - 2)}


def phone_key(text: str) -> str | None:
    """The last eight digits of a phone number (any script's digits), or None if too short."""
    text = text or ""
    if text.isascii():  # the usual case, without a Unicode lookup per character
        digits = "".join(filter(str.isdigit, text))
    else:
        digits = "".join(str(unicodedata.digit(c)) for c in text if c.isdigit())
    return digits[-PHONE_DIGITS:] if len(digits) >= PHONE_DIGITS else None


@lru_cache(maxsize=65536)
def word_tokens(word: str) -> frozenset[tuple[str, str]]:
    """Tokens of one normalised word (cached: a register has far fewer names than people)."""
    if word.isdigit():
        return frozenset()
    key = phonetic(word)
    return frozenset({("word", word), ("phon", key), *(("tri", g) for g in trigrams(key))})


def name_tokens(text: str) -> set[tuple[str, str]]:
    """Tokens of a name or of free text holding names (aliases, separated any way)."""
    out: set[tuple[str, str]] = set()
    for word in words(text):
        out |= word_tokens(word)
    return out


def phone_tokens(text: str) -> set[tuple[str, str]]:
    """One token per phone number in ``text`` (several may be separated by , ; or /)."""
    out = set()
    for part in re.split(r"[,;/]", text or ""):
        key = phone_key(part)
        if key:
            out.add(("phone", key))
    return out


def record_tokens(*, given_name: str = "", family_name: str = "", aliases: str = "",
                  phone: str = "") -> set[tuple[str, str]]:
    """Every token of one survivor record. Name order is not kept: registers differ on it."""
    return (name_tokens(given_name) | name_tokens(family_name) | name_tokens(aliases)
            | phone_tokens(phone))


def query_tokens(query: str) -> set[tuple[str, str]]:
    """Tokens of what someone typed in the search box: names, and a phone if it looks like one."""
    tokens = phone_tokens(query)
    letters = re.sub(r"[\d+()\-]", " ", query or "") if tokens else query
    return tokens | name_tokens(letters)
