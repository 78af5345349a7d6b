"""The small checks every compensation action shares: amounts, currencies, dates, choices.

Each refusal is a ``DomainError`` naming the field (answered 422).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.utils import timezone

from northstar.compensation.calculator import minor_unit
from northstar.compensation.rules import default_rules
from northstar.core.errors import DomainError


def currency(value, field: str = "currency") -> str:
    """An upper-case ISO 4217 code the wage data supports."""
    code = str(value or "").upper()
    if code not in default_rules().currencies:
        known = ", ".join(sorted(default_rules().currencies))
        raise DomainError(f"unsupported currency {value!r}; use one of {known}", field)
    return code


def money(value, field: str, code: str, *, allow_zero: bool = False) -> Decimal:
    """A positive Decimal with no more decimals than the currency has."""
    if isinstance(value, float | bool) or value is None or value == "":
        raise DomainError("an amount is required as a decimal string, e.g. \"1500.00\"", field)
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise DomainError(f"{value!r} is not an amount", field) from None
    if not amount.is_finite():
        raise DomainError(f"{value!r} is not an amount", field)
    if amount < 0 or (amount == 0 and not allow_zero):
        raise DomainError("the amount must be greater than zero", field)
    minor = minor_unit(currency(code))
    if -amount.as_tuple().exponent > minor:
        raise DomainError(f"{code} has {minor} decimal place(s)", field)
    if amount >= Decimal(10) ** 14:
        raise DomainError("the amount is too large", field)
    return amount


def day(value, field: str, *, not_future: bool = True) -> dt.date:
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        try:
            value = dt.date.fromisoformat(str(value))
        except (TypeError, ValueError):
            raise DomainError("a date as YYYY-MM-DD is required", field) from None
    if not_future and value > timezone.localdate():
        raise DomainError("this date is in the future", field)
    return value


def choice(value, field: str, choices) -> str:
    if value not in choices.values:
        raise DomainError(f"must be one of {', '.join(choices.values)}", field)
    return value
