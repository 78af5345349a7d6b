"""The HTCDS v2.0 field list, read from the standard's own sheet, and a validator for files.

Pure Python (no Django): ``python -c "from northstar.insights.htcds import fields"`` checks
the data. The field list is ``data/HTCDS_Field_Standards_2.0_Field_Standards.csv`` (the
standard's "Field_Standards" sheet, CC BY 4.0, IOM); nothing about a field is restated here.

A file is a header of field names and rows of text cells:

- picklists take one of the standard's value names; multiselect picklists take several,
  separated by ``;`` (the separator of the standard's Salesforce and XLSForm toolkits);
- fields whose values are "ISO 3166" codes take ISO 3166-1 alpha-2 country codes, "ISO 639"
  fields take ISO 639 language codes (the standard: "two-letter country codes optional");
- Date is ``YYYY-MM-DD``, Number a number, Checkbox ``TRUE`` or ``FALSE`` (the values of
  the standard's XLSForm "consent" choice list); phone numbers
  match the E.164 expression the standard gives;
- a few fields are typed "Lookup" in the standard; the mapping (``mapping.toml``) may say
  how Northstar fills one (``formats``), and the validator then checks that format;
- columns starting ``ext_`` are extensions the mapping declares; anything else unknown is
  an error (a typo would silently drop data).
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pycountry

FIELD_LIST = Path(__file__).parent / "data" / "HTCDS_Field_Standards_2.0_Field_Standards.csv"
VERSION = "2.0"
MULTI_SEPARATOR = ";"
TRUE, FALSE = "TRUE", "FALSE"
E164 = re.compile(r"^\+?[1-9]\d{1,14}$")
NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
#: Formats a mapping may give a Lookup or Text field (``formats`` in mapping.toml).
FORMATS = ("country", "language", "text", "year")


@dataclass(frozen=True)
class Field:
    name: str  # with prefix, e.g. prs_Gender
    label: str
    section: str
    status: str  # DRAFT or DEPRECATED
    core: bool
    type: str  # Text, Picklist, Multiselect Picklist, Date, Number, Checkbox, Lookup [...], ...
    values: tuple[str, ...] = ()  # picklist value names
    format: str = ""  # country / language for ISO-coded fields, else ""

    @property
    def multi(self) -> bool:
        return self.type.startswith("Multiselect")

    @property
    def picklist(self) -> bool:
        return "Picklist" in self.type and bool(self.values)


@dataclass(frozen=True)
class Problem:
    row: int  # 1 = the header; data rows count from 2, as a spreadsheet shows them
    field: str
    message: str

    def __str__(self) -> str:
        where = "Header" if self.row == 1 else f"Row {self.row}"
        return f"{where}, field {self.field}: {self.message}"


@dataclass
class Standard:
    fields: dict[str, Field] = field(default_factory=dict)

    @property
    def core(self) -> list[Field]:
        """The core fields in force (deprecated ones are not asked for)."""
        return [f for f in self.fields.values() if f.core and f.status != "DEPRECATED"]

    def by_label(self) -> dict[str, str]:
        """Field label → field name, for spreadsheets headed by labels (the Excel toolkit)."""
        out: dict[str, str] = {}
        for f in self.fields.values():
            out.setdefault(f.label.strip().lower(), f.name)
        return out


def _iso_format(values_text: str) -> str:
    if "ISO 3166" in values_text:
        return "country"
    if "ISO 639" in values_text:
        return "language"
    return ""


@lru_cache(maxsize=1)
def standard(path: Path = FIELD_LIST) -> Standard:
    """The field list (DRAFT and DEPRECATED fields; the N/A example questions skipped)."""
    out = Standard()
    section = ""
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    for row in rows[1:]:
        row = row + [""] * (13 - len(row))
        if row[0].strip() and not row[1].strip():
            section = " ".join(row[0].split())
            continue
        status, core, name, label, ftype = row[1], row[2], row[6], row[5], row[7]
        if status not in ("DRAFT", "DEPRECATED") or not name or name == "N/A":
            continue
        values_text = row[9]
        fmt = _iso_format(values_text) or _iso_format(row[10])
        values = () if fmt else tuple(v.strip() for v in values_text.splitlines() if v.strip())
        out.fields[name] = Field(name=name, label=label.strip(), section=section, status=status,
                                 core=core.strip() == "Core", type=ftype.strip(), values=values,
                                 format=fmt)
    return out


@lru_cache(maxsize=1)
def _countries() -> frozenset[str]:
    return frozenset(c.alpha_2 for c in pycountry.countries)


@lru_cache(maxsize=1)
def _language_table() -> dict[str, str]:
    """Every ISO 639 code (639-1, 639-2/T and /B, 639-3) → the two-letter code where there
    is one, else the three-letter code."""
    table: dict[str, str] = {}
    for lang in pycountry.languages:
        short = getattr(lang, "alpha_2", None) or lang.alpha_3
        for attr in ("alpha_2", "alpha_3", "bibliographic"):
            if hasattr(lang, attr):
                table[getattr(lang, attr)] = short
    return table


def _languages() -> frozenset[str]:
    return frozenset(_language_table())


def language_code(code: str) -> str:
    """An ISO 639 code as Northstar stores it: two letters where ISO 639-1 has them
    (``khm`` and ``km`` → ``km``; Burmese ``bur``/``mya`` → ``my``), else three."""
    code = (code or "").strip().split("-")[0].lower()
    return _language_table().get(code, code)


def check_cell(f: Field, value: str, fmt: str = "") -> str | None:
    """What is wrong with ``value`` in field ``f`` (None when nothing)."""
    if value == "":
        return None
    fmt = fmt or f.format
    parts = value.split(MULTI_SEPARATOR) if f.multi else [value]
    if fmt == "country":
        bad = [p for p in parts if p not in _countries()]
        return f"{', '.join(bad)} is not an ISO 3166-1 alpha-2 country code" if bad else None
    if fmt == "language":
        bad = [p for p in parts if p.lower() not in _languages()]
        return f"{', '.join(bad)} is not an ISO 639 language code" if bad else None
    if fmt == "year":
        return None if re.fullmatch(r"\d{4}", value) else "must be a year (YYYY)"
    if f.picklist:
        bad = [p for p in parts if p not in f.values]
        if bad:
            return (f"{', '.join(repr(b) for b in bad)} is not a value of the picklist "
                    f"({', '.join(f.values)})")
        if len(parts) != len(set(parts)):
            return "a value is repeated"
        return None
    if f.type == "Date":
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            return "must be a date as YYYY-MM-DD"
        return None if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) else "must be YYYY-MM-DD"
    if f.type in ("Number", "Geolocation"):
        return None if NUMBER.match(value) else "must be a number"
    if f.type == "Checkbox":
        return None if value in (TRUE, FALSE) else f"must be {TRUE} or {FALSE}"
    if f.name.endswith("Phone"):
        return None if E164.match(value) else "must be an E.164 phone number (+855…)"
    return None


def validate(header: list[str], rows: list[dict[str, str]], *,
             extensions: dict[str, str] | None = None, formats: dict[str, str] | None = None,
             require_core: bool = True, max_problems: int = 200,
             first_row: int = 2) -> list[Problem]:
    """Every problem of a file against the field list and its picklists (empty: valid).

    ``extensions`` maps each allowed ``ext_`` column to its format; ``formats`` gives the
    format Northstar uses for a Lookup field. ``require_core``: every core field in force
    must be a column (an export must carry them all, even when a cell is withheld).
    ``first_row``: the spreadsheet row number of ``rows[0]`` (errors name that row).
    """
    std = standard()
    extensions = extensions or {}
    formats = formats or {}
    problems: list[Problem] = []
    for name in header:
        if name not in std.fields and name not in extensions:
            problems.append(Problem(1, name, "not a field of HTCDS v2.0"))
    if len(set(header)) != len(header):
        problems.append(Problem(1, "?", "a column is repeated"))
    if require_core:
        problems += [Problem(1, f.name, "core field missing") for f in std.core
                     if f.name not in header]
    checks = []
    for name in header:
        if name in std.fields:
            checks.append((name, std.fields[name], formats.get(name, "")))
        elif name in extensions:
            checks.append((name, Field(name, name, "extension", "DRAFT", False, "Text"),
                           extensions[name]))
    for number, row in enumerate(rows, start=first_row):
        for name, f, fmt in checks:
            message = check_cell(f, row.get(name) or "", fmt)
            if message:
                problems.append(Problem(number, name, message))
                if len(problems) >= max_problems:
                    return problems
    return problems
