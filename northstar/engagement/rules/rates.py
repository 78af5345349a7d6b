"""Default honoraria per hour, per activity kind and currency, read from ``honoraria.toml``.

Pure Python (no Django): an organisation's own rates (``engagement.HonorariumRate``) win
over these; ``owed`` is the one formula: hours × rate, rounded half-up to the currency's
minor unit. Nothing but the time given enters it.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path

from pydantic import field_validator

from northstar.compensation.calculator import minor_unit
from northstar.rules import loader

RULES_FILE = Path(__file__).with_name("honoraria.toml")
KINDS = ("advisory_council", "national_committee", "speaking", "training", "peer_support",
         "policy_review", "research")


class Rates(loader.Sourced):
    currency: loader.Text
    per_hour: dict[str, str]

    @field_validator("per_hour")
    @classmethod
    def _amounts(cls, value: dict[str, str]) -> dict[str, str]:
        for kind, amount in value.items():
            if kind not in KINDS:
                raise ValueError(f"unknown activity kind {kind!r}")
            try:
                if Decimal(amount) < 0:
                    raise ValueError(f"{kind}: a rate is never negative")
            except InvalidOperation:
                raise ValueError(f"{kind}: {amount!r} is not a decimal amount") from None
        return value


class HonorariaFile(loader.RuleFile):
    default_currency: dict[str, str]
    rates: list[Rates]


@lru_cache(maxsize=1)
def data() -> HonorariaFile:
    return loader.load(RULES_FILE, HonorariaFile)


def default_currency(jurisdiction: str | None) -> str:
    return data().default_currency.get(jurisdiction or "", "USD")


def default_rate(kind: str, currency: str) -> Decimal | None:
    for entry in data().rates:
        if entry.currency == currency and kind in entry.per_hour:
            return Decimal(entry.per_hour[kind])
    return None


def owed(hours: Decimal, rate: Decimal, currency: str) -> Decimal:
    """What time given is worth: hours × rate, to the currency's minor unit."""
    places = minor_unit(currency)
    return (Decimal(hours) * Decimal(rate)).quantize(Decimal(1).scaleb(-places),
                                                     rounding=ROUND_HALF_UP)


def load() -> HonorariaFile:
    """Read and validate ``honoraria.toml`` as it is on disk now (for ``manage.py rules``)."""
    return loader.load(RULES_FILE, HonorariaFile)


def list_rules() -> list[dict]:
    """Every default rate, in the row shape ``manage.py rules`` lists."""
    file = data()
    return [{"rule_set": "honoraria", "rule_set_version": file.version,
             "id": f"{entry.currency}.{kind}",
             "explanation": f"{amount} {entry.currency} per hour of {kind.replace('_', ' ')}",
             "source": entry.source, "checked": entry.checked.isoformat()}
            for entry in file.rates for kind, amount in entry.per_hour.items()]
