"""Reflection periods per jurisdiction, read from ``reflection_periods.toml``.

Pure Python. A period is known only where a source gives its length in days;
everywhere else the caseworker records the end as decided.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import model_validator

from northstar.rules import loader

PERIODS_FILE = Path(__file__).with_name("reflection_periods.toml")
STATUSES = ("statutory", "guideline", "practice", "none", "unknown")


class PeriodEntry(loader.Sourced):
    """One jurisdiction's period: ``days`` is given exactly when the period is statutory."""

    status: Literal[STATUSES]
    days: int | None = None
    #: A guideline's cap in days (e.g. Thailand's NRM wait before the identification
    #: interview): shown, never used to end a survivor's reflection.
    guideline_days: int | None = None
    practice_days: int | None = None
    summary: loader.Text

    @model_validator(mode="after")
    def _days_when_statutory(self) -> PeriodEntry:
        if (self.days is None) != (self.status != "statutory"):
            raise ValueError("days is given exactly when status is statutory")
        if self.days is not None and self.days <= 0:
            raise ValueError("days must be a whole number > 0")
        if (self.guideline_days is None) != (self.status != "guideline"):
            raise ValueError("guideline_days is given exactly when status is guideline")
        if self.guideline_days is not None and self.guideline_days <= 0:
            raise ValueError("guideline_days must be a whole number > 0")
        return self


class PeriodsFile(loader.RuleFile):
    """``reflection_periods.toml``."""

    periods: dict[str, PeriodEntry]


@dataclass(frozen=True)
class ReflectionPeriod:
    jurisdiction: str
    status: str
    days: int | None
    summary: str
    source: str
    checked: dt.date
    guideline_days: int | None = None

    @property
    def known(self) -> bool:
        return self.days is not None

    def ends_on(self, start: dt.date) -> dt.date | None:
        """Last day of a period starting on ``start``, when its length is known."""
        return start + dt.timedelta(days=self.days - 1) if self.days else None


def load(path: Path = PERIODS_FILE) -> dict[str, ReflectionPeriod]:
    """Read and validate the periods file; ``RuleDataError`` names the entry at fault."""
    data = loader.load(path, PeriodsFile)
    return {
        code: ReflectionPeriod(
            code, e.status, e.days, e.summary, e.source, e.checked, e.guideline_days
        )
        for code, e in data.periods.items()
    }


def list_rules(path: Path = PERIODS_FILE) -> list[dict]:
    """Every period with its source and date, for ``manage.py rules``."""
    data = loader.load(path, PeriodsFile)
    return [
        {
            "rule_set": "reflection_periods",
            "rule_set_version": data.version,
            "id": f"reflection_period_{code}",
            "explanation": f"{code} ({e.status}): {e.summary}",
            "source": e.source,
            "checked": e.checked.isoformat(),
        }
        for code, e in data.periods.items()
    ]


@lru_cache(maxsize=1)
def periods() -> dict[str, ReflectionPeriod]:
    return load()


def period_for(jurisdiction: str) -> ReflectionPeriod:
    """The period for a jurisdiction; one not in the file is reported as unknown."""
    found = periods().get((jurisdiction or "").upper())
    if found is not None:
        return found
    return ReflectionPeriod(jurisdiction, "unknown", None, "No data for this jurisdiction.",
                            PERIODS_FILE.name, dt.date(1970, 1, 1))
