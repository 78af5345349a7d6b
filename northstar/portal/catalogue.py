"""Reading the gettext catalogues: which translations still wait for a native speaker.

Every translation we write is marked with a translator comment ``# needs-review``
in its ``.po`` entry. A reviewer who has checked a sentence removes that line (and
may add ``# reviewed-by: <name> <date>``). This module reads the ``.po`` files
with ``polib``; the admin page and ``manage.py translation_review`` show the
result.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import polib
from django.conf import settings

from northstar.portal import legal

REVIEW_MARK = "needs-review"

#: Locale directory names (Django's spelling) → language codes in settings.LANGUAGES.
LOCALES = {"km": "km", "th": "th", "vi": "vi", "my": "my", "fil": "fil", "id": "id",
           "lo": "lo", "zh_Hant": "zh-hant"}


@dataclass
class Entry:
    msgid: str = ""
    msgstr: str = ""
    msgctxt: str | None = None
    comments: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)
    plural: bool = False

    @property
    def needs_review(self) -> bool:
        return any(c.strip() == REVIEW_MARK for c in self.comments)

    @property
    def translated(self) -> bool:
        return bool(self.msgstr) and "fuzzy" not in self.flags


def _entry(po_entry: polib.POEntry) -> Entry:
    plural = bool(po_entry.msgid_plural)
    return Entry(
        msgid=po_entry.msgid,
        msgstr=po_entry.msgstr_plural.get(0, "") if plural else po_entry.msgstr,
        msgctxt=po_entry.msgctxt,
        comments=[line.strip() for line in (po_entry.tcomment or "").splitlines()],
        references=[f"{where}:{line}" if line else where
                    for where, line in po_entry.occurrences],
        flags=set(po_entry.flags),
        plural=plural,
    )


#: Parsed catalogues by path, with the digest of the bytes they were read from: the review
#: page parsed all eight on every view (0.35-0.9 s of CPU); reading and hashing a file
#: costs a fraction of a millisecond, and a file whose bytes changed is parsed again.
_PARSED: dict[str, tuple[bytes, tuple[Entry, ...]]] = {}


def parse_po(path: Path) -> list[Entry]:
    """Entries of a .po file (the header entry and obsolete ``#~`` entries left out); parsed
    once per content of the file, so the entries are shared: read them, never change them."""
    digest = hashlib.blake2b(Path(path).read_bytes(), digest_size=20).digest()
    kept = _PARSED.get(str(path))
    if kept is None or kept[0] != digest:
        kept = _PARSED[str(path)] = (digest, tuple(
            _entry(e) for e in polib.pofile(str(path), encoding="utf-8")
            if not e.obsolete and e.msgid))
    return list(kept[1])


def locale_dir() -> Path:
    return Path(settings.LOCALE_PATHS[0])


def po_path(locale: str) -> Path:
    return locale_dir() / locale / "LC_MESSAGES" / "django.po"


def review_report() -> list[dict]:
    """Per language: how many strings are translated, and each one still needing review."""
    report = []
    for locale, code in LOCALES.items():
        path = po_path(locale)
        entries = parse_po(path) if path.exists() else []
        translated = [e for e in entries if e.translated]
        pending = [e for e in translated if e.needs_review]
        # The rights page's legal-position statements are translated in the law package,
        # each with its own needs_review mark: listed here so no one misses them.
        legal_pending = legal.review_entries(code)
        report.append({
            "language": code,
            "locale": locale,
            "name": dict(settings.LANGUAGES).get(code, code),
            "total": len(entries),
            "translated": len(translated),
            "untranslated": len(entries) - len(translated),
            "unreviewed": [
                {"msgid": e.msgid, "msgstr": e.msgstr, "context": e.msgctxt,
                 "where": e.references[:3]}
                for e in pending
            ] + legal_pending,
        })
    return report
