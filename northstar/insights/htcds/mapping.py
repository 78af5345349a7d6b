"""Northstar ↔ HTCDS value maps, withheld fields and export columns, read from
``rules/mapping.toml`` (every entry with ``source`` and ``checked``). Pure Python.

Loading checks the data against the standard itself: every mapped value must be a value
of its field's picklist, every export column a field of HTCDS v2.0 (or a declared
extension), and every core field must be an export column. A wrong value in the data is
a ``RuleDataError`` naming the map, never a silently invalid file.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pydantic import Field as PydanticField

from northstar.insights.htcds import fields as htcds
from northstar.rules.errors import RuleDataError
from northstar.rules.loader import Checked, RuleFile, Sourced, Strict, Text, load

MAPPING_FILE = Path(__file__).parent / "rules" / "mapping.toml"


class ConsentEntry(Sourced):
    purpose: Text
    explanation: Text


class ExportEntry(Sourced):
    columns: list[str]


class Extension(Sourced):
    field: Text
    format: Text
    explanation: Text


class Withheld(Sourced):
    fields: list[str]
    reason: Text


class ValueMap(Sourced):
    id: Text
    field: Text
    northstar: Text
    unknown: str
    values: dict[str, str]
    reverse: dict[str, str] = PydanticField(default_factory=dict)


class MappingFile(RuleFile):
    consent: ConsentEntry
    export: ExportEntry
    formats: dict[str, str | Checked]
    extension: list[Extension]
    withheld: list[Withheld]
    map: list[ValueMap]


class _Formats(Strict):
    source: Text
    checked: Checked


@dataclass(frozen=True)
class Mapping:
    consent_purpose: str
    columns: tuple[str, ...]
    formats: dict[str, str]
    extensions: dict[str, str]
    withheld: dict[str, str]  # field → reason
    maps: dict[str, ValueMap]

    def value(self, map_id: str, code: str | None) -> str:
        """The HTCDS value for a Northstar code: the map's value, else its unknown value."""
        entry = self.maps[map_id]
        return entry.values.get(code or "", entry.unknown)

    def values(self, map_id: str, codes) -> str:
        """A multiselect cell: each code's value, once each, in picklist order."""
        entry = self.maps[map_id]
        got = {entry.values[c] for c in codes or () if c in entry.values}
        order = htcds.standard().fields[entry.field].values
        return htcds.MULTI_SEPARATOR.join(v for v in order if v in got)

    def reverse(self, map_id: str, value: str) -> str | None:
        """The Northstar code for an HTCDS value (``reverse`` first, else the inverse of a
        map where exactly one code has that value); None when there is none."""
        entry = self.maps[map_id]
        if value in entry.reverse:
            return entry.reverse[value]
        codes = [c for c, v in entry.values.items() if v == value]
        return codes[0] if len(codes) == 1 else None


def _check(data: MappingFile) -> Mapping:
    std = htcds.standard()
    name = MAPPING_FILE.name
    extensions = {e.field: e.format for e in data.extension}
    for ext, fmt in extensions.items():
        if not ext.startswith("ext_"):
            raise RuleDataError(f"{name}: extension {ext}: must start with ext_")
        if fmt not in htcds.FORMATS:
            raise RuleDataError(f"{name}: extension {ext}: format must be one of {htcds.FORMATS}")
    formats = {k: v for k, v in data.formats.items() if k not in ("source", "checked")}
    _Formats(source=data.formats.get("source", ""), checked=data.formats.get("checked"))
    for fname, fmt in formats.items():
        if fmt not in htcds.FORMATS or (fname not in std.fields and fname not in extensions):
            raise RuleDataError(f"{name}: formats.{fname}: unknown field or format {fmt!r}")
    columns = tuple(data.export.columns)
    for col in columns:
        if col not in std.fields and col not in extensions:
            raise RuleDataError(f"{name}: export: {col} is not a field of HTCDS v{htcds.VERSION}")
    missing = [f.name for f in std.core if f.name not in columns]
    if missing:
        raise RuleDataError(f"{name}: export: core fields missing: {', '.join(missing)}")
    withheld = {}
    for entry in data.withheld:
        for fname in entry.fields:
            if fname not in columns:
                raise RuleDataError(f"{name}: withheld {fname}: not an export column")
            withheld[fname] = entry.reason
    maps = {}
    for entry in data.map:
        if entry.field not in std.fields:
            raise RuleDataError(f"{name}: map {entry.id}: {entry.field} is not an HTCDS field")
        allowed = std.fields[entry.field].values
        for value in [*entry.values.values(), *([entry.unknown] if entry.unknown else [])]:
            if value not in allowed:
                raise RuleDataError(f"{name}: map {entry.id}: {value!r} is not a value of "
                                    f"{entry.field}")
        for value in entry.reverse:
            if value not in allowed:
                raise RuleDataError(f"{name}: map {entry.id}: reverse {value!r} is not a value "
                                    f"of {entry.field}")
        maps[entry.id] = entry
    return Mapping(consent_purpose=data.consent.purpose, columns=columns, formats=formats,
                   extensions=extensions, withheld=withheld, maps=maps)


@lru_cache(maxsize=1)
def mapping(path: Path = MAPPING_FILE) -> Mapping:
    return _check(load(path, MappingFile))


def validate(header: list[str], rows: list[dict[str, str]], **kwargs) -> list[htcds.Problem]:
    """``fields.validate`` with this mapping's extensions and formats."""
    m = mapping()
    return htcds.validate(header, rows, extensions=m.extensions, formats=m.formats, **kwargs)
