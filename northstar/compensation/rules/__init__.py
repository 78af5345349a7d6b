"""Wage rules as data (``wages.toml``) and the loader that validates them.

Pure Python: imports nothing from Django, so a lawyer's edit of the data can be
checked with ``python -m northstar.compensation.rules``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path

from northstar.rules.errors import RuleDataError
from northstar.rules.loader import read_toml

WAGES_FILE = Path(__file__).with_name("wages.toml")
UNKNOWN = "unknown"
UNITS = ("day", "hour", "month")


@dataclass(frozen=True)
class Sourced:
    """A value with where it came from. ``value`` is None when the data says unknown."""

    value: object
    source: str
    checked: dt.date


@dataclass(frozen=True)
class OvertimeTier:
    hours: Decimal | None  # None: every further overtime hour
    multiplier: Decimal


@dataclass(frozen=True)
class MinimumWage:
    region: str
    sector: str
    unit: str
    amount: Decimal
    currency: str
    effective_from: dt.date
    source: str
    checked: dt.date
    hourly: Decimal | None = None
    hourly_divisor: Decimal | None = None
    overtime_base: Decimal | None = None


@dataclass(frozen=True)
class Jurisdiction:
    code: str
    name: str
    currency: str
    normal_daily_hours: Sourced  # Decimal or None
    overtime: Sourced  # tuple[OvertimeTier, ...] or None
    minimum_wages: tuple[MinimumWage, ...] = field(default=())
    notes: tuple[Sourced, ...] = field(default=())

    def regions(self) -> list[str]:
        return sorted({w.region for w in self.minimum_wages if w.region != "all"})

    def sectors(self) -> list[str]:
        return sorted({w.sector for w in self.minimum_wages if w.sector != "all"})


@dataclass(frozen=True)
class Currency:
    code: str
    source: str
    checked: dt.date


@dataclass(frozen=True)
class WageRules:
    version: str
    source: str
    checked: dt.date
    rounding: str
    currencies: dict[str, Currency]
    jurisdictions: dict[str, Jurisdiction]


def _decimal(raw, where: str, *, positive: bool = True) -> Decimal:
    if not isinstance(raw, str):
        raise RuleDataError(f"{where}: amounts must be decimal strings, not {type(raw).__name__}")
    try:
        value = Decimal(raw)
    except InvalidOperation as exc:
        raise RuleDataError(f"{where}: {raw!r} is not a decimal") from exc
    if not value.is_finite() or (positive and value <= 0):
        raise RuleDataError(f"{where}: {raw!r} must be a positive number")
    return value


def _sourced(entry: dict, where: str) -> tuple[str, dt.date]:
    source, checked = entry.get("source"), entry.get("checked")
    if not isinstance(source, str) or not source.strip():
        raise RuleDataError(f"{where}: every entry needs a non-empty 'source'")
    if not isinstance(checked, dt.date) or isinstance(checked, dt.datetime):
        raise RuleDataError(f"{where}: every entry needs a 'checked' date")
    return source, checked


def parse_rules(data: dict) -> WageRules:
    """Validate the raw TOML table and build typed rules; any flaw is a RuleDataError."""
    source, checked = _sourced(data, "file")
    version = data.get("version")
    if not isinstance(version, str) or not version:
        raise RuleDataError("file: 'version' is required")
    currencies: dict[str, Currency] = {}
    for code, entry in data.get("currencies", {}).items():
        where = f"currencies.{code}"
        c_source, c_checked = _sourced(entry, where)
        if len(code) != 3 or not code.isupper():
            raise RuleDataError(f"{where}: not an ISO 4217 alphabetic code")
        currencies[code] = Currency(code, c_source, c_checked)

    jurisdictions: dict[str, Jurisdiction] = {}
    for code, raw in data.get("jurisdictions", {}).items():
        where = f"jurisdictions.{code}"
        currency = raw.get("currency")
        if currency not in currencies:
            raise RuleDataError(f"{where}: currency {currency!r} is not in [currencies]")
        hours_raw = raw.get("normal_daily_hours")
        if not isinstance(hours_raw, dict):
            raise RuleDataError(f"{where}: normal_daily_hours must be a table with value/source/checked")
        h_source, h_checked = _sourced(hours_raw, f"{where}.normal_daily_hours")
        hours = None if hours_raw.get("value") == UNKNOWN else _decimal(
            hours_raw.get("value"), f"{where}.normal_daily_hours")
        ot_raw = raw.get("overtime")
        if not isinstance(ot_raw, dict):
            raise RuleDataError(f"{where}: overtime must be a table with tiers/source/checked")
        o_source, o_checked = _sourced(ot_raw, f"{where}.overtime")
        tiers_raw = ot_raw.get("tiers")
        tiers = None
        if tiers_raw != UNKNOWN:
            if not isinstance(tiers_raw, list) or not tiers_raw:
                raise RuleDataError(f"{where}.overtime: tiers must be a list or \"unknown\"")
            built = []
            for i, tier in enumerate(tiers_raw):
                t_where = f"{where}.overtime.tiers[{i}]"
                hours_in_tier = tier.get("hours")
                if hours_in_tier is None and i != len(tiers_raw) - 1:
                    raise RuleDataError(f"{t_where}: only the last tier may be open-ended")
                if hours_in_tier is not None and i == len(tiers_raw) - 1:
                    raise RuleDataError(f"{t_where}: the last tier must be open-ended")
                multiplier = _decimal(tier.get("multiplier"), t_where)
                if multiplier < 1:
                    raise RuleDataError(f"{t_where}: an overtime multiplier below 1 is not a premium")
                built.append(OvertimeTier(
                    None if hours_in_tier is None else _decimal(hours_in_tier, t_where), multiplier))
            tiers = tuple(built)
        wages = []
        for i, w in enumerate(raw.get("minimum_wages", [])):
            w_where = f"{where}.minimum_wages[{i}]"
            w_source, w_checked = _sourced(w, w_where)
            unit = w.get("unit")
            if unit not in UNITS:
                raise RuleDataError(f"{w_where}: unit must be one of {UNITS}")
            eff = w.get("effective_from")
            if not isinstance(eff, dt.date) or isinstance(eff, dt.datetime):
                raise RuleDataError(f"{w_where}: effective_from must be a date")
            w_currency = w.get("currency", currency)
            if w_currency not in currencies:
                raise RuleDataError(f"{w_where}: currency {w_currency!r} is not in [currencies]")
            for key in ("region", "sector"):
                if not isinstance(w.get(key), str) or not w[key]:
                    raise RuleDataError(f"{w_where}: {key} is required (\"all\" when it does not vary)")
            wages.append(MinimumWage(
                region=w["region"], sector=w["sector"], unit=unit,
                amount=_decimal(w.get("amount"), w_where), currency=w_currency,
                effective_from=eff, source=w_source, checked=w_checked,
                hourly=_decimal(w["hourly"], w_where) if "hourly" in w else None,
                hourly_divisor=_decimal(w["hourly_divisor"], w_where) if "hourly_divisor" in w else None,
                overtime_base=_decimal(w["overtime_base"], w_where) if "overtime_base" in w else None,
            ))
        keys = [(w.region, w.sector, w.effective_from) for w in wages]
        if len(keys) != len(set(keys)):
            raise RuleDataError(f"{where}: two minimum wages for the same region, sector and date")
        notes = []
        for key in ("general_minimum_wage",):
            if key in raw:
                n_source, n_checked = _sourced(raw[key], f"{where}.{key}")
                notes.append(Sourced(raw[key].get("value"), n_source, n_checked))
        jurisdictions[code] = Jurisdiction(
            code=code, name=raw.get("name", code), currency=currency,
            normal_daily_hours=Sourced(hours, h_source, h_checked),
            overtime=Sourced(tiers, o_source, o_checked),
            minimum_wages=tuple(sorted(wages, key=lambda w: (w.region, w.sector, w.effective_from))),
            notes=tuple(notes),
        )
    return WageRules(
        version=version, source=source, checked=checked,
        rounding=str(data.get("rounding", "")), currencies=currencies,
        jurisdictions=jurisdictions,
    )


def load_rules(path: Path | str = WAGES_FILE) -> WageRules:
    """Read and validate a wage rules file."""
    return parse_rules(read_toml(path))


@lru_cache(maxsize=1)
def default_rules() -> WageRules:
    """The shipped rules, loaded once per process."""
    return load_rules()


if __name__ == "__main__":  # pragma: no cover - a lawyer's check after editing the data
    rules = load_rules()
    print(f"wages.toml {rules.version}: {len(rules.jurisdictions)} jurisdictions OK")
