"""Reflection periods per jurisdiction, read from ``reflection_periods.toml``.

Pure Python. A period is known only where a source gives its length in days;
everywhere else the caseworker records the end as decided.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

PERIODS_FILE = Path(__file__).with_name("reflection_periods.toml")
STATUSES = ("statutory", "practice", "none", "unknown")
ENTRY_KEYS = frozenset({"status", "days", "practice_days", "summary", "source", "checked"})


class PeriodDataError(ValueError):
    """The data file breaks its own format; the message names the entry."""


@dataclass(frozen=True)
class ReflectionPeriod:
    jurisdiction: str
    status: str
    days: int | None
    summary: str
    source: str
    checked: dt.date

    @property
    def known(self) -> bool:
        return self.days is not None

    def ends_on(self, start: dt.date) -> dt.date | None:
        """Last day of a period starting on ``start``, when its length is known."""
        return start + dt.timedelta(days=self.days - 1) if self.days else None


def load(path: Path = PERIODS_FILE) -> dict[str, ReflectionPeriod]:
    with open(path, "rb") as fh:
        data = tomllib.load(fh)
    for key in ("version", "source", "checked", "periods"):
        if key not in data:
            raise PeriodDataError(f"{path.name}: missing {key!r}")
    out: dict[str, ReflectionPeriod] = {}
    for code, entry in data["periods"].items():
        where = f"{path.name} periods.{code}"
        unknown = set(entry) - ENTRY_KEYS
        if unknown:
            raise PeriodDataError(f"{where}: unknown key(s) {sorted(unknown)}")
        for key in ("status", "summary", "source", "checked"):
            if key not in entry:
                raise PeriodDataError(f"{where}: missing {key!r}")
        if entry["status"] not in STATUSES:
            raise PeriodDataError(f"{where}: status must be one of {STATUSES}")
        if not isinstance(entry["checked"], dt.date):
            raise PeriodDataError(f"{where}: checked must be a date")
        days = entry.get("days")
        if (days is None) != (entry["status"] != "statutory"):
            raise PeriodDataError(f"{where}: days is given exactly when status is statutory")
        if days is not None and (not isinstance(days, int) or days <= 0):
            raise PeriodDataError(f"{where}: days must be a whole number > 0")
        out[code] = ReflectionPeriod(code, entry["status"], days, entry["summary"],
                                     entry["source"], entry["checked"])
    return out


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
