"""The review list as a file a native-speaking volunteer can work through, and back.

A volunteer has no shell and no gettext tools. They download one language's list as
CSV (opens in any spreadsheet) or PO (opens in Poedit), correct the translation,
put their name in ``reviewed_by`` and send it back. Importing a row with a name
writes the corrected text into the catalogue, removes the ``# needs-review`` mark
and records ``# reviewed-by: <name> <date>``. A row whose correction loses or adds a
placeholder (``%(total)s``, ``{name}``) is refused with a sentence: a broken
placeholder would crash the page it is on.

Drafts (a new batch of machine or volunteer drafts for strings still in English)
come in the same way with ``fill``: they are written with the ``needs-review`` mark.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass

import polib

from northstar.portal import catalogue

COLUMNS = ["language", "context", "english", "translation", "corrected", "reviewed_by", "used_in"]
PLACEHOLDER = re.compile(r"%\([a-z_0-9]+\)[sd]|%[sd]|\{[a-z_0-9]*\}")


class ReviewFileError(ValueError):
    """A file or row that cannot be imported, said in a sentence."""


@dataclass
class Outcome:
    reviewed: int = 0
    drafted: int = 0
    refused: list[str] | None = None

    def __post_init__(self):
        self.refused = self.refused or []


def locale_of(language: str) -> str:
    for locale, code in catalogue.LOCALES.items():
        if code == language or locale == language:
            return locale
    raise ReviewFileError(f"There is no catalogue for the language '{language}'.")


def _pending(locale: str) -> list[polib.POEntry]:
    po = polib.pofile(str(catalogue.po_path(locale)), encoding="utf-8")
    return [e for e in po if not e.obsolete and e.msgid and _text(e)
            and catalogue.REVIEW_MARK in (e.tcomment or "").split("\n")]


#: Plural forms travel in one cell, separated by this (form 0 first).
FORMS = " || "


def _text(entry: polib.POEntry) -> str:
    if entry.msgid_plural:
        forms = [entry.msgstr_plural[i] for i in sorted(entry.msgstr_plural)]
        return FORMS.join(forms) if all(forms) else ""
    return entry.msgstr


def export_csv(language: str) -> str:
    locale = locale_of(language)
    code = catalogue.LOCALES[locale]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for e in _pending(locale):
        writer.writerow([code, e.msgctxt or "", e.msgid, _text(e), "", "",
                         " ".join(f"{w}:{n}" if n else w for w, n in e.occurrences[:3])])
    return out.getvalue()


def export_po(language: str) -> str:
    """Only the entries waiting for review, as a PO file Poedit opens."""
    locale = locale_of(language)
    po = polib.POFile()
    po.metadata = {"Language": locale, "Content-Type": "text/plain; charset=UTF-8",
                   "MIME-Version": "1.0", "Content-Transfer-Encoding": "8bit"}
    for e in _pending(locale):
        po.append(polib.POEntry(msgid=e.msgid, msgstr=e.msgstr, msgctxt=e.msgctxt,
                                msgid_plural=e.msgid_plural, msgstr_plural=e.msgstr_plural,
                                tcomment=e.tcomment, occurrences=e.occurrences,
                                flags=["fuzzy"]))
    return str(po)


def _same_placeholders(english: str, text: str) -> bool:
    return sorted(PLACEHOLDER.findall(english)) == sorted(PLACEHOLDER.findall(text))


def _mark_reviewed(entry: polib.POEntry, name: str, today: dt.date) -> None:
    lines = [line for line in (entry.tcomment or "").split("\n")
             if line.strip() and line.strip() != catalogue.REVIEW_MARK
             and not line.startswith("reviewed-by:")]
    lines.append(f"reviewed-by: {name} {today.isoformat()}")
    entry.tcomment = "\n".join(lines)
    if "fuzzy" in entry.flags:
        entry.flags.remove("fuzzy")


def import_rows(language: str, rows: list[dict], *, today: dt.date | None = None) -> Outcome:
    """Apply reviewed rows to the catalogue. Rows without a reviewer's name are skipped."""
    today = today or dt.date.today()
    locale = locale_of(language)
    path = catalogue.po_path(locale)
    po = polib.pofile(str(path), encoding="utf-8")
    outcome = Outcome()
    for number, row in enumerate(rows, start=2):
        name = (row.get("reviewed_by") or "").strip()
        if not name:
            continue
        english = row.get("english") or ""
        entry = po.find(english, msgctxt=(row.get("context") or None))
        if entry is None or entry.obsolete:
            outcome.refused.append(
                f"Row {number}: this English text is no longer in the catalogue.")
            continue
        text = (row.get("corrected") or "").strip() or (row.get("translation") or "").strip()
        if not text:
            outcome.refused.append(f"Row {number}: the translation is empty.")
            continue
        forms = [f.strip() for f in text.split(FORMS)] if entry.msgid_plural else [text]
        if entry.msgid_plural and len(forms) != len(entry.msgstr_plural):
            outcome.refused.append(
                f"Row {number}: give {len(entry.msgstr_plural)} forms separated by '{FORMS.strip()}'.")
            continue
        if not all(_same_placeholders(entry.msgid_plural or english, f) for f in forms):
            outcome.refused.append(
                f"Row {number}: the translation must keep the placeholders of the English "
                f"text exactly ({', '.join(PLACEHOLDER.findall(english)) or 'none'}).")
            continue
        if entry.msgid_plural:
            entry.msgstr_plural = dict(enumerate(forms))
        else:
            entry.msgstr = text
        _mark_reviewed(entry, name[:80], today)
        outcome.reviewed += 1
    if outcome.reviewed:
        po.save(str(path))  # the command recompiles the .mo with msgfmt --check-format
    return outcome


def import_csv(language: str, text: str, **kwargs) -> Outcome:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = {"english", "translation", "corrected", "reviewed_by"} - set(reader.fieldnames or [])
    if missing:
        raise ReviewFileError(
            "This file is not a review list: it has no column " + ", ".join(sorted(missing)) + ".")
    return import_rows(language, list(reader), **kwargs)


def import_po(language: str, text: str, *, reviewer: str, **kwargs) -> Outcome:
    """A PO file back from Poedit: entries the reviewer un-fuzzied count as reviewed."""
    try:
        reviewed = polib.pofile(text)
    except (OSError, ValueError) as exc:
        raise ReviewFileError("This file could not be read as a PO catalogue.") from exc
    rows = [{"english": e.msgid, "context": e.msgctxt or "", "translation": _text(e),
             "corrected": "", "reviewed_by": reviewer}
            for e in reviewed if e.msgid and not e.obsolete and "fuzzy" not in e.flags]
    return import_rows(language, rows, **kwargs)


def _plural_count(po: polib.POFile) -> int:
    match = re.search(r"nplurals\s*=\s*(\d+)", po.metadata.get("Plural-Forms", ""))
    return int(match.group(1)) if match else 2


def fill(language: str, drafts: dict[str, str]) -> Outcome:
    """Write drafts for strings still in English, each marked ``needs-review``."""
    locale = locale_of(language)
    path = catalogue.po_path(locale)
    po = polib.pofile(str(path), encoding="utf-8")
    outcome = Outcome()
    plurals = _plural_count(po)
    for entry in po:
        if entry.obsolete or not entry.msgid or entry.msgstr or any(entry.msgstr_plural.values()):
            continue
        draft = drafts.get(entry.msgid)
        if entry.msgid_plural:
            # A plural entry's draft is a list, one form per plural form of the language.
            forms = [f.strip() for f in (draft if isinstance(draft, list) else [])][:plurals]
            if len(forms) < plurals or not all(forms):
                continue
            if not all(_same_placeholders(entry.msgid_plural, f) for f in forms):
                outcome.refused.append(f"'{entry.msgid[:60]}': placeholders differ")
                continue
            entry.msgstr_plural = dict(enumerate(forms))
        else:
            draft = (draft or "").strip() if isinstance(draft, str) else ""
            if not draft:
                continue
            if not _same_placeholders(entry.msgid, draft):
                outcome.refused.append(f"'{entry.msgid[:60]}': placeholders differ")
                continue
            entry.msgstr = draft
        comments = [c for c in (entry.tcomment or "").split("\n") if c.strip()]
        if catalogue.REVIEW_MARK not in comments:
            comments.append(catalogue.REVIEW_MARK)
        entry.tcomment = "\n".join(comments)
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        outcome.drafted += 1
    if outcome.drafted:
        po.save(str(path))  # the command recompiles the .mo with msgfmt --check-format
    return outcome
