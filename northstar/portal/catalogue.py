"""Reading the gettext catalogues: which translations still wait for a native speaker.

Every translation we write is marked with a translator comment ``# needs-review``
in its ``.po`` entry. A reviewer who has checked a sentence removes that line (and
may add ``# reviewed-by: <name> <date>``). This module reads the ``.po`` files
with the standard library only; the admin page and ``manage.py
translation_review`` show the result.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

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


def _unquote(text: str) -> str:
    return ast.literal_eval(text) if text.startswith('"') else ""


def parse_po(path: Path) -> list[Entry]:
    """Entries of a .po file (the header entry and obsolete ``#~`` entries left out)."""
    entries: list[Entry] = []
    current = Entry()
    target = None
    started = False

    def flush():
        nonlocal current, started, target
        if started and current.msgid:
            entries.append(current)
        current, started, target = Entry(), False, None

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            flush()
            continue
        if line.startswith("#~"):
            continue
        if line.startswith("#,"):
            current.flags |= {f.strip() for f in line[2:].split(",")}
        elif line.startswith("#:"):
            current.references.extend(line[2:].split())
        elif line.startswith("#.") or line.startswith("#|"):
            pass
        elif line.startswith("#"):
            if started:
                flush()
            current.comments.append(line[1:].strip())
        elif line.startswith("msgctxt "):
            if started and target != "msgctxt":
                flush()
            current.msgctxt = _unquote(line[8:])
            target, started = "msgctxt", True
        elif line.startswith("msgid_plural "):
            current.plural = True
            target = "msgid_plural"
        elif line.startswith("msgid "):
            if started and target not in ("msgctxt",):
                flush()
            current.msgid = _unquote(line[6:])
            target, started = "msgid", True
        elif line.startswith("msgstr[0] "):
            current.msgstr = _unquote(line[10:])
            target = "msgstr"
        elif line.startswith("msgstr["):
            target = "other"
        elif line.startswith("msgstr "):
            current.msgstr = _unquote(line[7:])
            target = "msgstr"
        elif line.startswith('"'):
            piece = _unquote(line)
            if target == "msgid":
                current.msgid += piece
            elif target == "msgstr":
                current.msgstr += piece
            elif target == "msgctxt":
                current.msgctxt = (current.msgctxt or "") + piece
    flush()
    return entries


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
            ],
        })
    return report
