"""The compensation calculator: plain data in, an itemised statement out.

Pure Python (no Django) so the arithmetic can be read, tested and re-run by a
lawyer. Money is ``Decimal`` with an ISO 4217 currency; floats are refused at
the door. Each head of loss is rounded ROUND_HALF_UP to the currency's minor
unit; the total is the sum of the rounded lines, so the statement adds up on
paper. Wage figures come from ``rules/wages.toml``; what the data does not
know, the calculator asks for (a ``CalculationError`` naming the field).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from babel.numbers import get_currency_precision

from northstar.compensation.rules import (
    Jurisdiction,
    MinimumWage,
    OvertimeTier,
    WageRules,
    default_rules,
    hours,
)
from northstar.law.position import greater_of_is_entitlement

# 1.1: minor units from CLDR (IDR, MMK, LAK in whole units). 1.2: normal hours, overtime and
# sector exclusions from hours.toml; "greater of" labelled an argument outside the US.
CALCULATOR_VERSION = "1.2.0"
METHODS = ("statutory", "greater_of")
ROUNDING = "ROUND_HALF_UP"

# Heads of loss; the labels are user-facing and translated at the edge.


def gettext_noop(message: str) -> str:
    """Marks a string for the translation catalogue without translating it here."""
    return message


HEADS = {
    "unpaid_wages": gettext_noop("Unpaid and under-paid wages, including overtime"),
    "labour_value_greater_of": gettext_noop(
        "Value of the labour: the greater of the statutory value and the offender's gain"),
    "labour_value_greater_of_argument": gettext_noop(
        "Value of the labour (an argument for negotiation, not an entitlement in this "
        "jurisdiction): the greater of the statutory value and the offender's gain"),
    "recruitment_fees": gettext_noop("Unlawful recruitment fees"),
    "debts_imposed": gettext_noop("Debts imposed"),
    "unlawful_deductions": gettext_noop("Unlawful deductions"),
    "medical_costs": gettext_noop("Medical and psychological care (past)"),
    "future_medical_costs": gettext_noop("Medical and psychological care (estimated future)"),
    "travel_costs": gettext_noop("Travel and return costs"),
    "lost_earnings": gettext_noop("Lost earnings"),
    "non_pecuniary": gettext_noop("Non-pecuniary harm (entered and justified by the lawyer)"),
}
SIMPLE_HEADS = ("recruitment_fees", "debts_imposed", "unlawful_deductions", "medical_costs",
                "future_medical_costs", "travel_costs", "lost_earnings")
USER_SOURCE = "entered by the user"


class CalculationError(ValueError):
    """Input the calculator cannot use or data it lacks; names the field to fix (answered 422)."""

    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.message = message
        self.field = field


def minor_unit(currency: str) -> int:
    """The currency's decimal places, from CLDR via Babel: the one definition every module uses."""
    return get_currency_precision(currency)


@dataclass(frozen=True)
class Line:
    """One head of loss on the statement: what went in, the formula with its numbers, the sources."""

    head: str
    label: str
    amount: Decimal  # rounded to the currency's minor unit
    formula: str
    inputs: dict
    sources: tuple[str, ...]
    conversions: tuple[dict, ...] = ()
    segments: tuple[dict, ...] | None = None  # wage lines only

    def as_dict(self) -> dict:
        """The line as the API and the stored statement show it."""
        out = {"head": self.head, "label": self.label, "amount": str(self.amount),
               "formula": self.formula, "inputs": self.inputs, "sources": list(self.sources)}
        if self.segments is not None:
            out["segments"] = list(self.segments)
        out["conversions"] = list(self.conversions)
        return out


@dataclass(frozen=True)
class WagePeriod:
    """One work period's wage line, and the unrounded sums the "greater of" method needs."""

    line: Line
    due: Decimal
    paid: Decimal
    statutory_value: Decimal


@dataclass(frozen=True)
class Calculation:
    """The itemised statement: lines, their total, and the versions that produced them."""

    currency: str
    lines: tuple[Line, ...]
    total: Decimal
    method: str
    jurisdiction: str
    calculator_version: str
    rule_set_version: str
    rounding: str
    total_formula: str

    def as_dict(self) -> dict:
        """The contract of POST /api/v1/compensation/calculate (and of a saved calculation)."""
        return {"currency": self.currency, "lines": [line.as_dict() for line in self.lines],
                "total": str(self.total), "method": self.method,
                "jurisdiction": self.jurisdiction, "calculator_version": self.calculator_version,
                "rule_set_version": self.rule_set_version, "rounding": self.rounding,
                "total_formula": self.total_formula}


def quantize(amount: Decimal, minor_unit: int) -> Decimal:
    """Round half up to the currency's minor unit (the rounding stated on every statement)."""
    return amount.quantize(Decimal(1).scaleb(-minor_unit), rounding=ROUND_HALF_UP)


def fmt(amount: Decimal) -> str:
    """A decimal for a formula: grouped thousands, no exponent, no trailing zeros."""
    if amount == amount.to_integral_value():
        return f"{amount.quantize(Decimal(1)):,f}"
    return f"{amount.normalize():,f}"


# ------------------------------------------------------------------ input parsing


def _parse_decimal(raw, field: str, *, allow_zero: bool = True, allow_none: bool = False):
    if raw is None or raw == "":
        if allow_none:
            return None
        raise CalculationError("This amount is required.", field)
    if isinstance(raw, bool) or isinstance(raw, float):
        raise CalculationError("Amounts must be decimal strings (e.g. \"300.50\"), not floating-point numbers.", field)
    if isinstance(raw, Decimal):
        value = raw
    elif isinstance(raw, (int, str)):
        try:
            value = Decimal(str(raw).strip())
        except InvalidOperation:
            raise CalculationError(f"{raw!r} is not a number.", field) from None
    else:
        raise CalculationError("Expected a decimal string.", field)
    if not value.is_finite():
        raise CalculationError("The amount must be a finite number.", field)
    if value < 0 or (value == 0 and not allow_zero):
        raise CalculationError("The amount must be positive." if not allow_zero
                               else "The amount cannot be negative.", field)
    return value


def _parse_date(raw, field: str) -> dt.date:
    if isinstance(raw, dt.date) and not isinstance(raw, dt.datetime):
        return raw
    try:
        return dt.date.fromisoformat(str(raw))
    except (TypeError, ValueError):
        raise CalculationError("Expected a date as YYYY-MM-DD.", field) from None


@dataclass(frozen=True)
class Converted:
    """An entered amount in the statement currency, and how it got there."""

    amount: Decimal  # unrounded, statement currency
    entered: str
    conversion: dict | None


def _money_input(raw, field: str, currency: str, *, allow_none: bool = False) -> Converted | None:
    """A decimal string in the statement currency, or a foreign amount with the user's rate.

    Foreign: ``{"amount": "100", "currency": "USD", "rate": "36.50", "rate_date": "2025-01-31"}``
    where ``rate`` is statement-currency units per one unit of ``currency``.
    """
    if isinstance(raw, dict):
        unknown = set(raw) - {"amount", "currency", "rate", "rate_date"}
        if unknown:
            raise CalculationError(f"Unexpected key {sorted(unknown)[0]!r}.", f"{field}.{sorted(unknown)[0]}")
        amount = _parse_decimal(raw.get("amount"), f"{field}.amount")
        code = str(raw.get("currency") or "").upper()
        if len(code) != 3 or not code.isalpha():
            raise CalculationError("An ISO 4217 currency code is required.", f"{field}.currency")
        if code == currency:
            return Converted(amount, f"{fmt(amount)} {code}", None)
        rate = _parse_decimal(raw.get("rate"), f"{field}.rate", allow_zero=False)
        if raw.get("rate_date") in (None, ""):
            raise CalculationError("The date of the exchange rate is required.", f"{field}.rate_date")
        rate_date = _parse_date(raw.get("rate_date"), f"{field}.rate_date")
        return Converted(
            amount * rate,
            f"{fmt(amount)} {code} × {fmt(rate)} {currency}/{code} (rate of {rate_date.isoformat()})",
            {"amount": str(amount), "currency": code, "rate": str(rate),
             "rate_date": rate_date.isoformat(), "rate_source": USER_SOURCE},
        )
    value = _parse_decimal(raw, field, allow_none=allow_none)
    if value is None:
        return None
    return Converted(value, f"{fmt(value)} {currency}", None)


# ------------------------------------------------------------------ wage rules


@dataclass(frozen=True)
class Rate:
    """The statutory rate for one stretch of days."""

    start: dt.date
    end: dt.date
    daily: Decimal | None  # for a day-based minimum
    hourly: Decimal | None  # for an hour-based minimum (or one the data converts)
    overtime_hourly: Decimal | None  # set where overtime has its own base (Myanmar)
    description: str
    source: str


def _wage_field(index: int, name: str) -> str:
    return f"work_periods.{index}.{name}"


def _candidates(jur: Jurisdiction, region: str | None, sector: str | None, index: int,
                ) -> list[MinimumWage]:
    """Minimum-wage entries that could apply to this period; asks for region/sector if needed."""
    wages = list(jur.minimum_wages)
    if not wages:
        note = next((n.source for n in jur.notes), "no minimum wage is recorded")
        raise CalculationError(
            f"The wage data for {jur.name} holds no statutory minimum wage ({note}). "
            "Enter the statutory daily wage that applies.",
            _wage_field(index, "statutory_daily_wage"))
    regions = jur.regions()
    if regions and region is None and not any(w.region == "all" for w in wages):
        raise CalculationError(
            f"Minimum wages in {jur.name} differ by region; give the region "
            f"({', '.join(regions)}) or enter the statutory daily wage.",
            _wage_field(index, "region"))
    if region is not None:
        wages = [w for w in wages if w.region in (region, "all")]
        if not wages:
            raise CalculationError(
                f"No minimum wage is recorded for region {region!r} of {jur.name} "
                f"(recorded: {', '.join(regions) or 'none'}). Enter the statutory daily wage.",
                _wage_field(index, "statutory_daily_wage"))
    if sector is None:
        general = [w for w in wages if w.sector == "all"]
        if not general:
            raise CalculationError(
                f"Minimum wages in {jur.name} are recorded only for particular sectors "
                f"({', '.join(jur.sectors())}); give the sector or enter the statutory daily wage.",
                _wage_field(index, "sector"))
        return general
    return [w for w in wages if w.sector in (sector, "all")]


def _entry_at(wages: list[MinimumWage], sector: str | None, day: dt.date) -> MinimumWage | None:
    """The entry in force on ``day``; an entry for the named sector beats a general one."""
    in_force = [w for w in wages if w.effective_from <= day]
    if not in_force:
        return None
    specific = [w for w in in_force if sector is not None and w.sector == sector]
    pool = specific or in_force
    return max(pool, key=lambda w: (w.effective_from, w.region != "all"))


def _rate_of(entry: MinimumWage, jur: Jurisdiction, currency: str, index: int,
             start: dt.date, end: dt.date) -> Rate:
    field = _wage_field(index, "statutory_daily_wage")
    if entry.currency != currency:
        raise CalculationError(
            f"The recorded minimum wage ({fmt(entry.amount)} {entry.currency}/{entry.unit}) is in "
            f"{entry.currency}, not {currency}; enter the statutory daily wage in {currency}.", field)
    described = f"{fmt(entry.amount)} {entry.currency}/{entry.unit} from {entry.effective_from.isoformat()}"
    if entry.region != "all":
        described += f", {entry.region}"
    if entry.sector != "all":
        described += f", sector {entry.sector}"
    overtime_hourly = None
    if entry.unit == "day":
        if entry.overtime_base is not None:
            hours = jur.normal_daily_hours.value
            if hours is None:
                raise CalculationError("Normal daily hours are unknown for this jurisdiction.",
                                       _wage_field(index, "normal_daily_hours"))
            overtime_hourly = entry.overtime_base / hours
            described += f" (overtime on the base {fmt(entry.overtime_base)}/day)"
        return Rate(start, end, entry.amount, None, overtime_hourly, described, entry.source)
    if entry.unit == "hour":
        return Rate(start, end, None, entry.amount, None, described, entry.source)
    if entry.hourly is not None:
        return Rate(start, end, None, entry.hourly, None,
                    described + f" ({fmt(entry.hourly)}/hour as stated)", entry.source)
    if entry.hourly_divisor is not None:
        hourly = entry.amount / entry.hourly_divisor
        return Rate(start, end, None, hourly, None,
                    described + f" (hourly = monthly ÷ {fmt(entry.hourly_divisor)})", entry.source)
    raise CalculationError(
        f"The recorded minimum wage for {jur.name} is monthly ({described}) and the data states no "
        "conversion to a daily wage; enter the statutory daily wage.", field)


def statutory_rates(jur: Jurisdiction, currency: str, start: dt.date, end: dt.date,
                    region: str | None, sector: str | None, index: int) -> list[Rate]:
    """The statutory rates in force over [start, end], split at every effective date."""
    wages = _candidates(jur, region, sector, index)
    cuts = sorted({w.effective_from for w in wages if start < w.effective_from <= end})
    bounds = [start, *cuts]
    rates: list[Rate] = []
    for i, seg_start in enumerate(bounds):
        seg_end = bounds[i + 1] - dt.timedelta(days=1) if i + 1 < len(bounds) else end
        entry = _entry_at(wages, sector, seg_start)
        if entry is None:
            earliest = min(w.effective_from for w in wages)
            raise CalculationError(
                f"No statutory minimum wage for {jur.name} in force on {seg_start.isoformat()} is "
                f"recorded (the data starts on {earliest.isoformat()}); enter the statutory daily wage "
                "that applied.", _wage_field(index, "statutory_daily_wage"))
        rate = _rate_of(entry, jur, currency, index, seg_start, seg_end)
        if rates and rates[-1].description == rate.description:
            rates[-1] = Rate(rates[-1].start, seg_end, rate.daily, rate.hourly, rate.overtime_hourly,
                             rate.description, rate.source)
        else:
            rates.append(rate)
    return rates


def overtime_pay(hours: Decimal, hourly: Decimal, tiers: tuple[OvertimeTier, ...]) -> tuple[Decimal, str]:
    """Pay for ``hours`` of overtime in one day under tiered multipliers, with its formula."""
    remaining, total, parts = hours, Decimal(0), []
    for tier in tiers:
        if remaining <= 0:
            break
        in_tier = remaining if tier.hours is None else min(remaining, tier.hours)
        total += in_tier * hourly * tier.multiplier
        parts.append(f"{fmt(in_tier)} h × {fmt(tier.multiplier)}")
        remaining -= in_tier
    return total, " + ".join(parts)


# ------------------------------------------------------------------ the calculation


def _words(sector: str | None) -> str:
    return (sector or "").replace("_", " ")


def _for(sector: str | None) -> str:
    return f" ({_words(sector)})" if sector else ""


def _hours_sector(sector: str | None) -> str | None:
    """The sector in the hours rules' vocabulary, or None where it has no entry there."""
    return sector if sector in hours.rules().sectors else None


def _statutory_normal_hours(jur: Jurisdiction, sector: str | None) -> tuple[Decimal | None, str]:
    """Normal daily hours from hours.toml (by sector), else from wages.toml, with the source."""
    answer = hours.normal_hours(jur.code, _hours_sector(sector))
    if answer.known and answer.daily is not None:
        return answer.daily, answer.source
    if answer.excluded:
        return None, f"working-hours rules do not cover this sector: {answer.source}"
    general = hours.rules().jurisdictions.get(jur.code)
    if sector is None and general is not None and general.general.hours.status == "known" \
            and general.general.hours.daily is not None:
        rule = general.general.hours
        return rule.daily, f"{rule.source} (the general rule; give the sector where it differs)"
    if jur.normal_daily_hours.value is not None:
        return jur.normal_daily_hours.value, jur.normal_daily_hours.source
    return None, answer.source or jur.normal_daily_hours.source


def _statutory_overtime(jur: Jurisdiction, sector: str | None,
                        ) -> tuple[tuple[OvertimeTier, ...] | None, str]:
    """Overtime tiers from hours.toml (by sector), else from wages.toml, with the source."""
    answer = hours.overtime_multiplier(jur.code, _hours_sector(sector))
    if answer.known and answer.tiers:
        return tuple(OvertimeTier(t.hours, t.multiplier) for t in answer.tiers), answer.source
    if answer.excluded:
        return None, f"overtime rules do not cover this sector: {answer.source}"
    if jur.overtime.value is not None:
        return jur.overtime.value, jur.overtime.source
    return None, answer.source or jur.overtime.source


def _minimum_wage_covers(jur: Jurisdiction, sector: str | None) -> hours.WageAnswer:
    """Whether the general minimum wage applies to the sector (its own source may exclude it)."""
    return hours.minimum_wage_applies(jur.code, _hours_sector(sector)) if sector else \
        hours.WageAnswer(hours.Status.KNOWN, jur.code, None, "", None, "law")


def _wage_line(index: int, period: dict, jur: Jurisdiction, currency: str, minor: int,
               ) -> WagePeriod:
    """One work period: wages due at the greater of agreed and statutory, overtime, less paid."""
    f = lambda name: _wage_field(index, name)  # noqa: E731
    start = _parse_date(period.get("start"), f("start"))
    end = _parse_date(period.get("end"), f("end"))
    if end < start:
        raise CalculationError("The end of the period is before its start.", f("end"))
    calendar_days = Decimal((end - start).days + 1)
    days_worked = _parse_decimal(period.get("days_worked"), f("days_worked"))
    if days_worked > calendar_days:
        raise CalculationError(
            f"{fmt(days_worked)} days worked is more than the {fmt(calendar_days)} days in the period.",
            f("days_worked"))
    hours_per_day = _parse_decimal(period.get("hours_per_day"), f("hours_per_day"), allow_zero=False)
    if hours_per_day > 24:
        raise CalculationError("A day has at most 24 hours.", f("hours_per_day"))
    agreed = _money_input(period.get("agreed_daily_wage"), f("agreed_daily_wage"), currency,
                          allow_none=True)
    paid = _money_input(period.get("amount_paid"), f("amount_paid"), currency, allow_none=True)
    user_statutory = _money_input(period.get("statutory_daily_wage"), f("statutory_daily_wage"),
                                  currency, allow_none=True)

    sources: list[str] = []
    normal = _parse_decimal(period.get("normal_daily_hours"), f("normal_daily_hours"),
                            allow_zero=False, allow_none=True)
    sector = _opt(period.get("sector"))
    if normal is None:
        normal, why = _statutory_normal_hours(jur, sector)
        if normal is None:
            raise CalculationError(
                f"Normal daily working hours for {jur.name}{_for(sector)} are not in the rule "
                f"data ({why}); enter them for this period.", f("normal_daily_hours"))
        sources.append(f"Normal daily hours {fmt(normal)}: {why}")
    else:
        sources.append(f"Normal daily hours {fmt(normal)}: {USER_SOURCE}")
    if normal > 24:
        raise CalculationError("A day has at most 24 hours.", f("normal_daily_hours"))
    overtime_hours = max(hours_per_day - normal, Decimal(0))
    normal_hours = min(hours_per_day, normal)

    tiers = None
    if overtime_hours > 0:
        user_multiplier = _parse_decimal(period.get("overtime_multiplier"), f("overtime_multiplier"),
                                         allow_zero=False, allow_none=True)
        if user_multiplier is not None:
            if user_multiplier < 1:
                raise CalculationError("An overtime multiplier below 1 is not a premium.",
                                       f("overtime_multiplier"))
            tiers = (OvertimeTier(None, user_multiplier),)
            sources.append(f"Overtime multiplier {fmt(user_multiplier)}: {USER_SOURCE}")
        else:
            tiers, why = _statutory_overtime(jur, sector)
            if tiers is None:
                raise CalculationError(
                    f"The statutory overtime premium for {jur.name}{_for(sector)} is not in the "
                    f"rule data ({why}); enter the overtime multiplier for this period.",
                    f("overtime_multiplier"))
            sources.append(f"Overtime: {why}")

    if user_statutory is not None:
        if user_statutory.conversion:
            raise CalculationError("Enter the statutory daily wage in the statement currency.",
                                   f("statutory_daily_wage"))
        rates = [Rate(start, end, user_statutory.amount, None, None,
                      f"{fmt(user_statutory.amount)} {currency}/day as entered", USER_SOURCE)]
        sources.append(f"Statutory daily wage {fmt(user_statutory.amount)} {currency}: {USER_SOURCE}")
    else:
        covered = _minimum_wage_covers(jur, sector)
        if covered.applies is False and agreed is not None:
            # No statutory minimum for this sector: wages are due at the agreed rate.
            rates = [Rate(start, end, Decimal(0), None, None,
                          f"no general minimum wage for {_words(sector)}", covered.source)]
            sources.append(f"The general minimum wage does not apply to {_words(sector)}: "
                           f"{covered.source}")
        elif covered.applies is False:
            instead = covered.instead
            hint = (f" The {instead.name} is {instead.currency} {instead.amount} a {instead.unit}"
                    f"{' ' + instead.allowances if instead.allowances else ''} ({instead.source}):"
                    " enter the daily equivalent owed, or the agreed daily wage." if instead else
                    " Enter the agreed daily wage, or the statutory daily wage that applies.")
            raise CalculationError(
                f"The general minimum wage of {jur.name} does not apply to {_words(sector)} "
                f"({covered.source}).{hint}", f("statutory_daily_wage"))
        else:
            if covered.status == hours.Status.UNKNOWN and sector is not None:
                sources.append(f"Whether the minimum wage covers {_words(sector)} is not known "
                               f"({covered.source}); the general rate is shown")
            rates = statutory_rates(jur, currency, start, end, _opt(period.get("region")),
                                    sector, index)
        sources.extend(f"Minimum wage {r.description}: {r.source}" for r in rates)

    segments, due, statutory_value, steps = [], Decimal(0), Decimal(0), []
    for rate in rates:
        seg_days_cal = Decimal((rate.end - rate.start).days + 1)
        share = days_worked * seg_days_cal / calendar_days  # days worked in this stretch
        share_text = (fmt(days_worked) if len(rates) == 1
                      else f"{fmt(days_worked)} × {fmt(seg_days_cal)}/{fmt(calendar_days)}")
        stat_day = rate.daily if rate.daily is not None else rate.hourly * normal_hours
        stat_hourly = rate.overtime_hourly or (rate.hourly if rate.hourly is not None else rate.daily / normal)
        agreed_day = agreed.amount if agreed else Decimal(0)
        day_rate = max(stat_day, agreed_day)
        ot_hourly = max(stat_hourly, agreed_day / normal)
        ot_day, ot_text = (overtime_pay(overtime_hours, ot_hourly, tiers) if tiers else (Decimal(0), ""))
        stat_ot_day = overtime_pay(overtime_hours, stat_hourly, tiers)[0] if tiers else Decimal(0)
        seg_due = share * (day_rate + ot_day)
        due += seg_due
        statutory_value += share * (stat_day + stat_ot_day)
        basis = "agreed" if agreed_day > stat_day else "statutory"
        text = (f"{rate.start.isoformat()}–{rate.end.isoformat()}: {share_text} days × "
                f"({fmt(quantize(day_rate, minor + 2))} {basis} day")
        if overtime_hours > 0:
            text += f" + ({ot_text}) × {fmt(quantize(ot_hourly, minor + 2))}/h overtime"
        text += f") = {fmt(quantize(seg_due, minor))}"
        steps.append(text)
        segments.append({
            "start": rate.start.isoformat(), "end": rate.end.isoformat(),
            "days_worked": str(share), "statutory_daily_wage": str(stat_day),
            "statutory_rate": rate.description, "agreed_daily_wage": str(agreed_day),
            "applied_daily_wage": str(day_rate), "applied_basis": basis,
            "overtime_hours_per_day": str(overtime_hours), "overtime_hourly_base": str(ot_hourly),
            "overtime_per_day": str(ot_day), "due": str(quantize(seg_due, minor)),
        })
    paid_amount = paid.amount if paid else Decimal(0)
    unpaid = max(due - paid_amount, Decimal(0))
    formula = "; ".join(steps) + (f"; total due {fmt(quantize(due, minor))} − paid "
                                  f"{paid.entered if paid else '0'} = {fmt(quantize(unpaid, minor))}")
    if due - paid_amount < 0:
        formula += " (more was paid than was due: nothing owing for this period)"
    inputs = {
        "period": index, "start": start.isoformat(), "end": end.isoformat(),
        "days_worked": str(days_worked), "hours_per_day": str(hours_per_day),
        "normal_daily_hours": str(normal), "overtime_hours_per_day": str(overtime_hours),
        "agreed_daily_wage": agreed.entered if agreed else None,
        "amount_paid": paid.entered if paid else None,
        "region": _opt(period.get("region")), "sector": _opt(period.get("sector")),
        "statutory_daily_wage": user_statutory.entered if user_statutory else None,
    }
    conversions = [c.conversion for c in (agreed, paid) if c and c.conversion]
    line = Line(head="unpaid_wages", label=HEADS["unpaid_wages"],
                amount=quantize(unpaid, minor), formula=formula, inputs=inputs,
                sources=tuple(sources), conversions=tuple(conversions), segments=tuple(segments))
    return WagePeriod(line=line, due=due, paid=paid_amount, statutory_value=statutory_value)


def _opt(value):
    return value if value not in (None, "") else None


def calculate(data: dict, rules: WageRules | None = None) -> Calculation:
    """Itemise a claim. ``data`` follows the contract of POST /api/v1/compensation/calculate."""
    rules = rules or default_rules()
    if not isinstance(data, dict):
        raise CalculationError("Expected an object.", "body")
    code = str(data.get("jurisdiction") or "").upper()
    jur = rules.jurisdictions.get(code)
    if jur is None:
        raise CalculationError(
            f"Unknown jurisdiction {code!r}; the wage data covers {', '.join(sorted(rules.jurisdictions))}.",
            "jurisdiction")
    currency = str(data.get("currency") or jur.currency).upper()
    if currency not in rules.currencies:
        raise CalculationError(
            f"Currency {currency!r} is not supported; use one of {', '.join(sorted(rules.currencies))}.",
            "currency")
    minor = minor_unit(currency)
    method = data.get("method") or "statutory"
    if method not in METHODS:
        raise CalculationError(f"Method must be one of {', '.join(METHODS)}.", "method")

    periods = data.get("work_periods") or []
    if not isinstance(periods, list):
        raise CalculationError("Expected a list of work periods.", "work_periods")
    wage_lines = [_wage_line(i, p if isinstance(p, dict) else {}, jur, currency, minor)
                  for i, p in enumerate(periods)]

    lines: list[Line] = []
    if method == "statutory":
        lines.extend(w.line for w in wage_lines)
    else:
        gain = _money_input(data.get("offender_gain"), "offender_gain", currency, allow_none=True)
        if gain is None:
            raise CalculationError(
                "The \"greater of\" method needs the gross income or value the offender gained "
                "from the labour (enter 0 if it is unknown).", "offender_gain")
        due = sum((w.due for w in wage_lines), Decimal(0))
        paid = sum((w.paid for w in wage_lines), Decimal(0))
        wage_side = max(due - paid, Decimal(0))
        chosen = max(wage_side, gain.amount)
        side = "the offender's gain" if gain.amount > wage_side else "the value of the labour"
        entitled = greater_of_is_entitlement(jur.code)
        lines.append(Line(
            head="labour_value_greater_of",
            label=HEADS["labour_value_greater_of" if entitled else
                        "labour_value_greater_of_argument"],
            amount=quantize(chosen, minor),
            formula=(f"greater of (wages due at the greater of agreed and statutory rates incl. "
                     f"overtime {fmt(quantize(due, minor))} − paid {fmt(quantize(paid, minor))} = "
                     f"{fmt(quantize(wage_side, minor))}) and (offender's gross gain {gain.entered}) "
                     f"= {fmt(quantize(chosen, minor))}, {side}"),
            inputs={"labour_value_less_paid": str(quantize(wage_side, minor)),
                    "statutory_value_of_labour": str(quantize(
                        sum((w.statutory_value for w in wage_lines), Decimal(0)), minor)),
                    "offender_gain": gain.entered,
                    "work_periods": [w.line.inputs for w in wage_lines]},
            sources=(
                "18 U.S.C. § 1593 'greater of' formula (jurisdictions.md §1.4), used as restitution practice",
                *(() if entitled else (
                    f"United States law: in {jur.name} no law gives this 'greater of' amount; it is "
                    "an argument for negotiation or advocacy, not an entitlement",)),
                f"Offender's gain: {USER_SOURCE}",
                *[s for w in wage_lines for s in w.line.sources],
            ),
            segments=tuple(s for w in wage_lines for s in w.line.segments or ()),
            conversions=tuple(c for w in wage_lines for c in w.line.conversions)
            + ((gain.conversion,) if gain.conversion else ()),
        ))

    for head in SIMPLE_HEADS:
        entered = _money_input(data.get(head), head, currency, allow_none=True)
        if entered is None or entered.amount == 0:
            continue
        amount = quantize(entered.amount, minor)
        lines.append(Line(
            head=head, label=HEADS[head], amount=amount,
            formula=(f"{entered.entered} = {fmt(amount)} {currency}" if entered.conversion
                     else f"as entered: {fmt(amount)} {currency}"),
            inputs={head: entered.entered}, sources=(USER_SOURCE,),
            conversions=(entered.conversion,) if entered.conversion else (),
        ))

    harm = data.get("non_pecuniary") or {}
    if not isinstance(harm, dict):
        raise CalculationError("Expected {\"amount\": …, \"justification\": …}.", "non_pecuniary")
    harm_amount = _money_input(harm.get("amount"), "non_pecuniary.amount", currency, allow_none=True)
    justification = str(harm.get("justification") or "").strip()
    if harm_amount is not None and harm_amount.amount > 0:
        if not justification:
            raise CalculationError(
                "A non-pecuniary amount must be justified by the lawyer; the calculator never "
                "invents one.", "non_pecuniary.justification")
        amount = quantize(harm_amount.amount, minor)
        lines.append(Line(
            head="non_pecuniary", label=HEADS["non_pecuniary"], amount=amount,
            formula=f"as entered and justified by the lawyer: {harm_amount.entered}",
            inputs={"amount": harm_amount.entered, "justification": justification},
            sources=(f"{USER_SOURCE} (lawyer's justification)",),
            conversions=(harm_amount.conversion,) if harm_amount.conversion else (),
        ))

    total = quantize(sum((line.amount for line in lines), Decimal(0)), minor)
    return Calculation(
        currency=currency, lines=tuple(lines), total=total, method=method, jurisdiction=code,
        calculator_version=CALCULATOR_VERSION, rule_set_version=rules.version,
        rounding=f"{ROUNDING} to {minor} decimal place(s) per line; total = sum of the rounded lines",
        total_formula=(" + ".join(str(line.amount) for line in lines) + f" = {total}"
                       if lines else "0"),
    )
