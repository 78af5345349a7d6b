"""The insights API's answers: measure definitions and disclosure-controlled tables."""

from __future__ import annotations

import datetime as dt

from ninja import Schema


class MeasureOut(Schema):
    key: str
    section: str
    name: str
    definition: str
    numerator: str
    denominator: str
    unit: str
    splits: list[str]
    period_date: str
    #: Upper bounds (days) of the bands of a time measure; empty otherwise.
    bands: list[int]
    source: str
    checked: str


class MeasuresOut(Schema):
    measures: list[MeasureOut]


class CellOut(Schema):
    row: str
    column: str
    #: A share (0–1) or a count of survivors; null when hidden (or, for a share, when
    #: nobody is there to count: ``base`` is 0).
    value: float | int | None
    #: For a share: survivors counted and out of how many, as shown (rounded); null if hidden.
    count: int | None = None
    base: int | None = None


class TableOut(Schema):
    measure: str
    scope: str
    scope_label: str
    unit: str
    threshold: int
    rounded_to: int
    hidden: int
    rows: list[str]
    columns: list[str]
    cells: list[CellOut]
    notes: list[str]


class SectionOut(Schema):
    measure: MeasureOut
    audience: str
    tables: list[TableOut]


class FiguresOut(Schema):
    audience: str
    period_start: dt.date | None
    period_end: dt.date | None
    sections: list[SectionOut]
