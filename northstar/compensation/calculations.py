"""Calculations kept on a case: saving one, and opening its stored input and statement."""

from __future__ import annotations

import json
from decimal import Decimal

from django.db import transaction

from northstar.compensation import selectors
from northstar.compensation.calculator import CalculationError, calculate
from northstar.compensation.models import SavedCalculation
from northstar.core import audit
from northstar.core.actor import Actor
from northstar.core.errors import DomainError
from northstar.core.fields import reveal
from northstar.survivors.models import Case


def run_calculator(data: dict) -> dict:
    """The calculator's statement as the API and pages show it; a refusal names the field."""
    try:
        return calculate(data).as_dict()
    except CalculationError as exc:
        raise DomainError(exc.message, exc.field) from None


@transaction.atomic
def save_calculation(actor: Actor, case: Case, *, data: dict, label: str = "") -> SavedCalculation:
    """Run the calculator and keep its input and itemised result on the case."""
    result = run_calculator(data)
    calc = SavedCalculation.objects.create(
        case=case, label=label[:120], inputs=json.dumps(data, default=str),
        result=json.dumps(result), jurisdiction=result["jurisdiction"], method=result["method"],
        currency=result["currency"], total=Decimal(result["total"]),
        calculator_version=result["calculator_version"],
        rule_set_version=result["rule_set_version"], created_by=actor.user,
    )
    audit.record(actor, "create", "compensation_calculation", calc.pk,
                 survivor_ref=case.survivor.reference, fields=["inputs", "result"])
    return calc


def open_calculation(actor: Actor, calc: SavedCalculation, *, export: str = "") -> dict:
    """The stored input and result; opening them is a read (or an export) in the audit log."""
    audit.record_read(actor, calc, record_type="compensation_calculation",
                      survivor_ref=calc.case.survivor.reference, fields=["inputs", "result"],
                      note=f"statement as {export}" if export else "", export=bool(export))
    return {"inputs": json.loads(reveal(calc.inputs)), "result": json.loads(reveal(calc.result))}


def calculations_on_case(actor: Actor, case: Case, *, limit: int | None = None,
                         ) -> list[SavedCalculation]:
    """A case's calculations (labels and totals) as shown: one audited read naming each."""
    items = selectors.calculations_of_case(actor, case, limit=limit)
    audit.record_read(actor, items, record_type="compensation_calculation",
                      survivor_ref=case.survivor.reference)
    return items


def sector_of(case: Case) -> str | None:
    """The case's one sector, for the calculator; domestic servitude is domestic work."""
    sectors = list(case.sectors or [])
    if "domestic_servitude" in (case.forms_of_exploitation or []) and not sectors:
        return "domestic_work"
    return sectors[0] if len(sectors) == 1 else None
