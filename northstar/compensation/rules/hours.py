"""Normal hours, overtime premiums and sector exclusions, read from ``hours.toml``.

Pure Python (pydantic for validation, no Django). Every answer says whether the
figure is *known*, whether the law sets *none*, whether this sector is
*excluded* by the rule's own source, or whether it is *unknown* — so the
calculator applies a figure only where a source gives it, never applies a
general minimum wage to a sector its source excludes (Hong Kong's and
Malaysia's domestic workers), and keeps asking the user everywhere else.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    StringConstraints,
    ValidationError,
    model_validator,
)

from northstar.rules.errors import RuleDataError

HOURS_FILE = Path(__file__).with_name("hours.toml")

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Basis = Literal["law", "guideline", "secondary", "not_found"]


class HoursDataError(RuleDataError):
    """The hours file breaks its own format; the message names the jurisdiction and field."""


class UnknownSector(ValueError):
    """A sector the hours file does not know; the message names it."""

    field = "sector"


def _decimal_string(value: Any) -> Decimal:
    """Figures are decimal strings: a TOML float would carry binary rounding onto the money path."""
    if not isinstance(value, str):
        raise ValueError("must be a decimal string such as \"1.5\", not a number")
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise ValueError(f"{value!r} is not a decimal number") from None
    if not number.is_finite() or number <= 0:
        raise ValueError(f"{value!r} must be a positive number")
    return number


DecimalString = Annotated[Decimal, BeforeValidator(_decimal_string)]


class Status(StrEnum):
    KNOWN = "known"
    NONE = "none"
    EXCLUDED = "excluded"
    UNKNOWN = "unknown"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Rule(_Strict):
    status: Status
    basis: Basis
    source: Text
    checked: dt.date
    note: str = ""

    @model_validator(mode="after")
    def _not_found_is_unknown(self) -> _Rule:
        if self.basis == "not_found" and self.status != Status.UNKNOWN:
            raise ValueError('basis "not_found" needs status "unknown" (never guess)')
        return self


class HoursRule(_Rule):
    daily: DecimalString | None = None
    weekly: DecimalString | None = None
    daily_by_week: dict[int, DecimalString] = {}

    @model_validator(mode="after")
    def _figures_only_when_known(self) -> HoursRule:
        has = self.daily is not None or self.weekly is not None or bool(self.daily_by_week)
        if self.status == Status.KNOWN and self.daily is None and not self.daily_by_week:
            raise ValueError('status "known" needs daily or daily_by_week')
        if self.status != Status.KNOWN and has:
            raise ValueError(f'status "{self.status}" carries no hours figures')
        if any(not 1 <= days <= 7 for days in self.daily_by_week):
            raise ValueError("daily_by_week keys are days worked per week, 1 to 7")
        return self


class Tier(_Strict):
    multiplier: DecimalString
    hours: DecimalString | None = None


class OvertimeRule(_Rule):
    tiers: tuple[Tier, ...] = ()
    special: dict[str, DecimalString] = {}

    @model_validator(mode="after")
    def _tiers_only_when_known(self) -> OvertimeRule:
        if (self.status == Status.KNOWN) != bool(self.tiers):
            raise ValueError('tiers are given exactly when status is "known"')
        if self.tiers and self.tiers[-1].hours is not None:
            raise ValueError("the last tier covers the remaining hours (no hours)")
        return self


class WageRule(_Rule):
    pass


class SectorWage(_Strict):
    """A wage the law sets for one sector instead of the general minimum wage."""

    name: Text
    amount: DecimalString
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
    unit: Literal["hour", "day", "month"]
    effective_from: dt.date
    allowances: str = ""
    basis: Basis
    source: Text
    checked: dt.date
    note: str = ""


class SectorRules(_Strict):
    hours: HoursRule | None = None
    overtime: OvertimeRule | None = None
    minimum_wage: WageRule | None = None
    sector_wage: SectorWage | None = None


class GeneralRules(SectorRules):
    hours: HoursRule
    overtime: OvertimeRule
    minimum_wage: WageRule

    @model_validator(mode="after")
    def _no_sector_wage(self) -> GeneralRules:
        if self.sector_wage is not None:
            raise ValueError("sector_wage belongs under a sector")
        return self


class JurisdictionHours(_Strict):
    name: Text
    general: GeneralRules
    sectors: dict[str, SectorRules] = {}


@dataclass(frozen=True)
class HoursRules:
    version: str
    source: str
    checked: dt.date
    sectors: tuple[str, ...]
    jurisdictions: dict[str, JurisdictionHours]


def parse(data: dict[str, Any], name: str = HOURS_FILE.name) -> HoursRules:
    """Validate raw TOML data; any fault raises ``HoursDataError`` naming where."""
    expected = {"version", "source", "checked", "sectors", "jurisdictions"}
    for key in sorted(expected - set(data)):
        raise HoursDataError(f"{name}: missing {key!r}")
    if set(data) - expected:
        raise HoursDataError(f"{name}: unknown key(s) {sorted(set(data) - expected)}")
    sectors = tuple(data["sectors"])
    out: dict[str, JurisdictionHours] = {}
    for code, entry in data["jurisdictions"].items():
        where = f"{name} jurisdictions.{code}"
        try:
            jur = JurisdictionHours.model_validate(entry)
        except ValidationError as exc:
            raise HoursDataError("; ".join(
                f"{where}.{'.'.join(str(p) for p in err['loc'])}: {err['msg']}"
                for err in exc.errors())) from None
        for sector in jur.sectors:
            if sector not in sectors:
                raise HoursDataError(f"{where}.sectors.{sector}: not one of {sectors}")
        out[code] = jur
    return HoursRules(str(data["version"]), str(data["source"]), data["checked"], sectors, out)


def load(path: Path = HOURS_FILE) -> HoursRules:
    with open(path, "rb") as fh:
        return parse(tomllib.load(fh), path.name)


@lru_cache(maxsize=1)
def rules() -> HoursRules:
    return load()


def list_rules() -> list[dict]:
    """One row per rule, in the shape ``manage.py rules`` prints (id, explanation, source, checked)."""
    data = rules()
    rows = []
    for code, jur in data.jurisdictions.items():
        for scope, entry in (("general", jur.general), *jur.sectors.items()):
            for kind in ("hours", "overtime", "minimum_wage", "sector_wage"):
                rule = getattr(entry, kind)
                if rule is None:
                    continue
                if isinstance(rule, SectorWage):
                    what = f"{rule.name}: {rule.currency} {rule.amount}/{rule.unit} {rule.allowances}"
                elif isinstance(rule, HoursRule) and rule.status == Status.KNOWN:
                    what = f"known: {rule.daily or dict(rule.daily_by_week)} h/day, {rule.weekly} h/week"
                elif isinstance(rule, OvertimeRule) and rule.status == Status.KNOWN:
                    what = "known: " + ", then ".join(f"{t.multiplier}x" for t in rule.tiers)
                else:
                    what = str(rule.status)
                rows.append({"rule_set": "hours", "rule_set_version": data.version,
                             "id": f"{code}.{scope}.{kind}",
                             "explanation": what + (f" — {rule.note}" if rule.note else ""),
                             "source": rule.source, "checked": rule.checked.isoformat()})
    return rows


# --- Answers -------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """What the data says for one jurisdiction and sector, with the source it rests on."""

    status: Status
    jurisdiction: str
    sector: str | None
    source: str
    checked: dt.date | None
    basis: str
    note: str = ""

    @property
    def known(self) -> bool:
        return self.status == Status.KNOWN

    @property
    def excluded(self) -> bool:
        return self.status == Status.EXCLUDED


@dataclass(frozen=True)
class HoursAnswer(Answer):
    daily: Decimal | None = None
    weekly: Decimal | None = None


@dataclass(frozen=True)
class OvertimeAnswer(Answer):
    #: The premium for the first overtime hour on a working day, as a multiplier of the hourly rate.
    multiplier: Decimal | None = None
    tiers: tuple[Tier, ...] = ()
    special: dict[str, Decimal] | None = None


@dataclass(frozen=True)
class WageAnswer(Answer):
    #: The sector's own wage to use when the general minimum wage is excluded.
    instead: SectorWage | None = None

    @property
    def applies(self) -> bool | None:
        """True: the general minimum wage applies; False: it must not; None: ask."""
        return {Status.KNOWN: True, Status.EXCLUDED: False, Status.NONE: False}.get(self.status)


def _rule(jurisdiction: str, sector: str | None, kind: str) -> tuple[str, _Rule | None, str]:
    """The rule for a sector (its own entry, else the general one) and a note if unsure."""
    code = (jurisdiction or "").upper()
    jur = rules().jurisdictions.get(code)
    if sector is not None and sector not in rules().sectors:
        raise UnknownSector(f"sector {sector!r} is not one of {rules().sectors}")
    if jur is None:
        return code, None, f"no hours rules recorded for {jurisdiction!r}"
    general = getattr(jur.general, kind)
    if sector is None:
        differs = [s for s, r in jur.sectors.items() if getattr(r, kind) not in (None, general)]
        if differs:
            return code, None, (f"the rule differs for {', '.join(sorted(differs))}: "
                                "give the sector")
        return code, general, ""
    own = jur.sectors.get(sector)
    return code, (getattr(own, kind, None) if own else None) or general, ""


def _unknown(cls: type[Answer], code: str, sector: str | None, why: str) -> Answer:
    return cls(Status.UNKNOWN, code, sector, why, None, "not_found", why)


def normal_hours(jurisdiction: str, sector: str | None = None, *,
                 days_per_week: int | None = None) -> HoursAnswer:
    """Statutory normal daily (and weekly) hours: where overtime begins."""
    code, rule, why = _rule(jurisdiction, sector, "hours")
    if rule is None:
        return _unknown(HoursAnswer, code, sector, why)
    daily = rule.daily
    if rule.daily_by_week:
        daily = rule.daily_by_week.get(days_per_week or 0, rule.daily)
    if rule.status == Status.KNOWN and daily is None:
        return HoursAnswer(Status.UNKNOWN, code, sector, rule.source, rule.checked, rule.basis,
                           "normal daily hours depend on the days worked each week: give them")
    return HoursAnswer(rule.status, code, sector, rule.source, rule.checked, rule.basis,
                       rule.note, daily, rule.weekly)


def overtime_multiplier(jurisdiction: str, sector: str | None = None) -> OvertimeAnswer:
    """The statutory overtime premium(s) as multipliers of the hourly rate."""
    code, rule, why = _rule(jurisdiction, sector, "overtime")
    if rule is None:
        return _unknown(OvertimeAnswer, code, sector, why)
    first = rule.tiers[0].multiplier if rule.tiers else None
    return OvertimeAnswer(rule.status, code, sector, rule.source, rule.checked, rule.basis,
                          rule.note, first, rule.tiers, dict(rule.special))


def minimum_wage_applies(jurisdiction: str, sector: str | None = None) -> WageAnswer:
    """Whether the general minimum wage applies to this sector; if excluded, what instead."""
    code, rule, why = _rule(jurisdiction, sector, "minimum_wage")
    if rule is None:
        return _unknown(WageAnswer, code, sector, why)
    jur = rules().jurisdictions[code]
    own = jur.sectors.get(sector) if sector else None
    instead = own.sector_wage if own else None
    return WageAnswer(rule.status, code, sector, rule.source, rule.checked, rule.basis,
                      rule.note, instead)
