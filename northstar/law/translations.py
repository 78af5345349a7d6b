"""Translations of the legal-position statements, read from ``translations.toml``.

Pure Python. A translation is shown only for a key the English texts have; every
entry carries ``needs_review`` so the review page can list what still waits for a
native speaker, exactly like the ``# needs-review`` mark in the gettext catalogues.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from northstar.law.texts import STATEMENTS

TRANSLATIONS_FILE = Path(__file__).with_name("translations.toml")

#: Django's language codes for the nine portal languages (English is the source).
LANGUAGES = ("km", "th", "vi", "my", "fil", "id", "lo", "zh-hant")


class TranslationDataError(ValueError):
    """The translations file breaks its own format; the message names the key."""


@dataclass(frozen=True)
class Translation:
    key: str
    needs_review: bool
    texts: dict[str, str] = field(default_factory=dict)
    reviewed_by: str = ""


def parse(data: dict[str, Any], name: str = TRANSLATIONS_FILE.name) -> dict[str, Translation]:
    out: dict[str, Translation] = {}
    for key, entry in data.items():
        where = f"{name} [{key!r}]"
        if key not in STATEMENTS:
            raise TranslationDataError(f"{where}: no English statement has this key")
        if not isinstance(entry.get("needs_review"), bool):
            raise TranslationDataError(f"{where}: needs_review must be true or false")
        texts = {k: v for k, v in entry.items() if k not in ("needs_review", "reviewed_by")}
        for lang, text in texts.items():
            if lang not in LANGUAGES:
                raise TranslationDataError(f"{where}: unknown language {lang!r}")
            if not isinstance(text, str) or not text.strip():
                raise TranslationDataError(f"{where}.{lang}: empty translation")
        if not entry["needs_review"] and not entry.get("reviewed_by"):
            raise TranslationDataError(f"{where}: a reviewed entry names its reviewer")
        out[key] = Translation(key, entry["needs_review"], texts, entry.get("reviewed_by", ""))
    return out


def load(path: Path = TRANSLATIONS_FILE) -> dict[str, Translation]:
    with open(path, "rb") as fh:
        return parse(tomllib.load(fh), path.name)


@lru_cache(maxsize=1)
def translations() -> dict[str, Translation]:
    return load()


def translate(key: str, language: str) -> str | None:
    """The statement in ``language`` (Django code), or None where not yet translated."""
    entry = translations().get(key)
    return entry.texts.get((language or "").lower()) if entry else None


def text_for(key: str, language: str | None) -> str:
    """The statement in the survivor's language, falling back to the English text."""
    return (translate(key, language) if language else None) or STATEMENTS[key]
