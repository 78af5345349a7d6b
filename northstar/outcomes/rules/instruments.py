"""The survey instruments, their moments and the follow-up check-in schedule, read from
``instruments.toml``.

Pure Python (no Django): the pages, the counting and the tests read the same data.
Texts are English msgids; callers translate them with gettext.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterator, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import model_validator

from northstar.rules import loader

INSTRUMENTS_FILE = Path(__file__).with_name("instruments.toml")
AFTER = ("intake", "hearing", "mediation_session", "case_closed", "check_in_due")


class Item(loader.Sourced):
    id: loader.Text
    text: loader.Text
    dimension: str | None = None


class Band(loader.Sourced):
    id: loader.Text
    upto: int
    label: loader.Text


class Instrument(loader.Sourced):
    name: loader.Text
    intro: loader.Text
    scale: loader.Text
    items: list[Item]
    score_multiplier: int | None = None
    score_needs_all_items: bool = False
    bands: list[Band] = []
    agrees_from: int | None = None

    @property
    def dimensions(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(i.dimension for i in self.items if i.dimension))


class Point(loader.Strict):
    value: int
    label: loader.Text


class Scale(loader.Sourced):
    points: list[Point]

    @property
    def values(self) -> frozenset[int]:
        return frozenset(p.value for p in self.points)


class Moment(loader.Sourced):
    id: loader.Text
    after: Literal[AFTER]
    instruments: list[str]
    open_days: int


class CheckInMark(loader.Sourced):
    months: int
    window_days: int


class InstrumentsFile(loader.RuleFile):
    instruments: dict[str, Instrument]
    scales: dict[str, Scale]
    moments: list[Moment]
    check_ins: list[CheckInMark]

    @model_validator(mode="after")
    def _references_hold(self) -> InstrumentsFile:
        for key, instrument in self.instruments.items():
            if instrument.scale not in self.scales:
                raise ValueError(f"instrument {key} names an unknown scale {instrument.scale}")
            if instrument.bands and instrument.bands[-1].upto != 100:
                raise ValueError(f"instrument {key}: the last band must reach 100")
        ids = [i.id for inst in self.instruments.values() for i in inst.items]
        if len(ids) != len(set(ids)):
            raise ValueError("item ids must be unique across instruments")
        for moment in self.moments:
            unknown = set(moment.instruments) - set(self.instruments)
            if unknown:
                raise ValueError(f"moment {moment.id} names unknown instruments {sorted(unknown)}")
        months = [c.months for c in self.check_ins]
        if months != sorted(set(months)):
            raise ValueError("check_ins: months must be different and in order")
        return self


@lru_cache(maxsize=1)
def data() -> InstrumentsFile:
    return loader.load(INSTRUMENTS_FILE, InstrumentsFile)


def instrument(key: str) -> Instrument:
    return data().instruments[key]


def scale(key: str) -> Scale:
    return data().scales[key]


def moments() -> list[Moment]:
    return data().moments


def moment(key: str) -> Moment:
    for m in data().moments:
        if m.id == key:
            return m
    raise KeyError(key)


def moment_after(after: str) -> Moment:
    return next(m for m in data().moments if m.after == after)


def items_of(moment_key: str) -> list[tuple[str, Item]]:
    """(instrument key, item) for every item asked at ``moment_key``, in order."""
    return [(key, item) for key in moment(moment_key).instruments
            for item in instrument(key).items]


def item_index() -> dict[str, tuple[str, Item]]:
    return {item.id: (key, item) for key, inst in data().instruments.items()
            for item in inst.items}


def check_in_marks() -> list[CheckInMark]:
    return data().check_ins


def who5_score(answers: Mapping[str, int | None]) -> int | None:
    """The WHO-5 score (0-100): the raw sum × 4, only when every item is answered."""
    inst = instrument("who5")
    values = [answers.get(item.id) for item in inst.items]
    if inst.score_needs_all_items and any(v is None for v in values):
        return None
    return sum(v for v in values if v is not None) * (inst.score_multiplier or 1)


def band_of(score: int) -> str:
    for band in instrument("who5").bands:
        if score <= band.upto:
            return band.id
    raise ValueError(f"score {score} is above every band")


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus ``months`` calendar months (the 31st becomes the month's last day)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def texts() -> Iterator[tuple[str, str]]:
    """Every text a survivor reads or hears, with a stable key: what must be translated."""
    for key, inst in data().instruments.items():
        yield f"{key}.intro", inst.intro
        for item in inst.items:
            yield f"{key}.{item.id}", item.text
    for key, sc in data().scales.items():
        for point in sc.points:
            yield f"scale.{key}.{point.value}", point.label
