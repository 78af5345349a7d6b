"""Reading a service directory from CSV: every row checked before anything is kept.

Pure Python. ``parse`` returns validated records or a list of row-numbered
errors; the caller imports only when there are no errors, so a file with one
bad row imports nothing half-way. Row numbers count the header as row 1, as a
spreadsheet shows them.

Columns (header names, case-insensitive): ``provider`` (organisation name),
``provider_jurisdiction``, ``service`` (a kind from ``SERVICE_KINDS``), ``name``,
``jurisdictions``, ``areas``, ``languages``, ``serves``, ``trauma_informed``,
``curfew``, ``movement_restrictions``, ``capacity``, ``waiting_days``,
``contact``, ``on_platform``. Lists are separated by ``;`` or ``|``.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from django.utils import translation

from northstar.referrals.vocabulary import JURISDICTIONS, POPULATIONS, SERVICE_KINDS


def _english(name) -> str:
    """A kind's name as stored for a service the file names not: in English, as before the
    names were translated (the stored name is the provider's, shown as it is to everyone)."""
    with translation.override("en"):
        return str(name)


REQUIRED = ("provider", "provider_jurisdiction", "service", "jurisdictions", "languages")
OPTIONAL = ("name", "areas", "serves", "trauma_informed", "curfew", "movement_restrictions",
            "capacity", "waiting_days", "contact", "on_platform")
COLUMNS = REQUIRED + OPTIONAL
MAX_ROWS = 5000
_LANG = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")
_TRUE = {"yes", "y", "true", "1"}
_FALSE = {"no", "n", "false", "0", ""}


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row}, {self.column}: {self.message}"


@dataclass(frozen=True)
class ServiceRecord:
    row: int
    provider: str
    provider_jurisdiction: str
    kind: str
    name: str
    jurisdictions: tuple[str, ...]
    areas: tuple[str, ...]
    languages: tuple[str, ...]
    serves: tuple[str, ...]
    trauma_informed: bool
    curfew: bool
    movement_restrictions: str
    capacity: int | None
    waiting_days: int | None
    contact: str
    on_platform: bool


@dataclass
class ImportResult:
    records: list[ServiceRecord] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _list(value: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in re.split(r"[;|]", value or "") if p.strip())


def _bool(value: str, row: int, column: str, errors: list[RowError]) -> bool:
    v = (value or "").strip().lower()
    if v in _TRUE:
        return True
    if v in _FALSE:
        return False
    errors.append(RowError(row, column, f"expected yes or no, got {value!r}"))
    return False


def _count(value: str, row: int, column: str, errors: list[RowError]) -> int | None:
    v = (value or "").strip()
    if not v:
        return None
    if not v.isdigit() or int(v) > 100000:
        errors.append(RowError(row, column, f"expected a whole number ≥ 0, got {value!r}"))
        return None
    return int(v)


def parse_row(raw: dict[str, str], row: int) -> tuple[ServiceRecord | None, list[RowError]]:
    """One CSV row to a record, or the errors that keep it out."""
    errors: list[RowError] = []
    get = {k: (raw.get(k) or "").strip() for k in COLUMNS}
    for column in REQUIRED:
        if not get[column]:
            errors.append(RowError(row, column, "required"))
    if len(get["provider"]) > 200:
        errors.append(RowError(row, "provider", "at most 200 characters"))
    pj = get["provider_jurisdiction"].upper()
    if pj and pj not in JURISDICTIONS:
        errors.append(RowError(row, "provider_jurisdiction",
                               f"unknown jurisdiction {pj!r}; expected one of {', '.join(JURISDICTIONS)}"))
    kind = get["service"].lower()
    if kind and kind not in SERVICE_KINDS:
        errors.append(RowError(row, "service",
                               f"unknown service {kind!r}; expected one of {', '.join(SERVICE_KINDS)}"))
    jurisdictions = tuple(j.upper() for j in _list(get["jurisdictions"]))
    bad = [j for j in jurisdictions if j not in JURISDICTIONS]
    if bad:
        errors.append(RowError(row, "jurisdictions", f"unknown jurisdiction(s) {', '.join(bad)}"))
    languages = tuple(lang.lower() for lang in _list(get["languages"]))
    bad = [lang for lang in languages if not _LANG.match(lang)]
    if bad:
        errors.append(RowError(row, "languages",
                               f"not ISO 639 code(s): {', '.join(bad)} (e.g. th; km; my)"))
    serves = tuple(s.lower() for s in _list(get["serves"]))
    bad = [s for s in serves if s not in POPULATIONS]
    if bad:
        errors.append(RowError(row, "serves",
                               f"unknown group(s) {', '.join(bad)}; expected {', '.join(POPULATIONS)}"))
    trauma = _bool(get["trauma_informed"], row, "trauma_informed", errors)
    curfew = _bool(get["curfew"], row, "curfew", errors)
    on_platform = _bool(get["on_platform"], row, "on_platform", errors)
    capacity = _count(get["capacity"], row, "capacity", errors)
    waiting = _count(get["waiting_days"], row, "waiting_days", errors)
    if len(get["contact"]) > 300:
        errors.append(RowError(row, "contact", "at most 300 characters"))
    if errors:
        return None, errors
    return ServiceRecord(
        row=row, provider=get["provider"], provider_jurisdiction=pj, kind=kind,
        name=get["name"][:200] or _english(SERVICE_KINDS[kind]), jurisdictions=jurisdictions,
        areas=_list(get["areas"]), languages=languages, serves=serves,
        trauma_informed=trauma, curfew=curfew,
        movement_restrictions=get["movement_restrictions"][:300], capacity=capacity,
        waiting_days=waiting, contact=get["contact"], on_platform=on_platform,
    ), []


def parse(text: str) -> ImportResult:
    """All rows of a CSV text; any error anywhere means nothing should be imported."""
    result = ImportResult()
    text = text.lstrip("\ufeff")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in (reader.fieldnames or [])]
    except csv.Error as exc:
        result.errors.append(RowError(1, "header", f"not valid CSV: {exc}"))
        return result
    if not header:
        result.errors.append(RowError(1, "header", "the file is empty"))
        return result
    reader.fieldnames = header
    unknown = [h for h in header if h not in COLUMNS]
    if unknown:
        result.errors.append(RowError(1, "header", f"unknown column(s) {', '.join(unknown)}"))
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        result.errors.append(RowError(1, "header", f"missing column(s) {', '.join(missing)}"))
    if result.errors:
        return result
    seen: dict[tuple[str, str, str], int] = {}
    try:
        for number, raw in enumerate(reader, start=2):
            if number - 1 > MAX_ROWS:
                result.errors.append(RowError(number, "file", f"more than {MAX_ROWS} rows"))
                break
            if None in raw:
                result.errors.append(RowError(number, "row", "more values than columns"))
                continue
            if not any((v or "").strip() for v in raw.values()):
                continue
            record, errors = parse_row(raw, number)
            result.errors.extend(errors)
            if record is not None:
                key = (record.provider.lower(), record.kind, record.name.lower())
                if key in seen:
                    result.errors.append(RowError(number, "service",
                                                  f"repeats row {seen[key]} (same provider, service and name)"))
                else:
                    seen[key] = number
                    result.records.append(record)
    except csv.Error as exc:
        result.errors.append(RowError(reader.line_num, "file", f"not valid CSV: {exc}"))
    if not result.records and not result.errors:
        result.errors.append(RowError(2, "file", "no rows to import"))
    return result
