"""What the portal shows from other apps: plan items, justice stage, claims and payments.

Those apps are built alongside the portal and may be absent or still changing,
so each reader looks for the model and fields it needs and returns plain dicts;
if something is missing it returns nothing rather than breaking the survivor's
page. Every query is scoped to the one survivor the policy returned.
"""

from __future__ import annotations

import logging
from decimal import Decimal

from django.apps import apps
from django.core.exceptions import FieldError
from django.db import DatabaseError

log = logging.getLogger(__name__)

_FAILURES = (LookupError, FieldError, DatabaseError, AttributeError, TypeError, ValueError)


def _model(app_label: str, *names: str):
    for name in names:
        try:
            return apps.get_model(app_label, name)
        except LookupError:
            continue
    return None


def _field_names(model) -> set[str]:
    return {f.name for f in model._meta.get_fields()}


def _scope_to_survivor(model, survivor):
    """A queryset of ``model`` rows belonging to ``survivor``, or None if no path is known."""
    names = _field_names(model)
    qs = model.objects.all()
    if "survivor" in names:
        return qs.filter(survivor=survivor)
    if "case" in names:
        return qs.filter(case__survivor=survivor, case__archived_at__isnull=True)
    for parent in ("plan", "claim"):
        if parent in names:
            related = model._meta.get_field(parent).related_model
            inner = _field_names(related)
            if "survivor" in inner:
                return qs.filter(**{f"{parent}__survivor": survivor})
            if "case" in inner:
                return qs.filter(**{f"{parent}__case__survivor": survivor})
    return None


def _first_attr(obj, *names, default=None):
    for name in names:
        value = getattr(obj, name, None)
        if value not in (None, ""):
            return value
    return default


def plan_items(survivor) -> list[dict]:
    """The survivor's plan items: intervention key, status key, and when it was last changed."""
    model = _model("pathways", "PlanItem")
    if model is None:
        return []
    try:
        qs = _scope_to_survivor(model, survivor)
        if qs is None:
            return []
        items = []
        for item in qs:
            items.append({
                "intervention": str(_first_attr(item, "intervention", "intervention_key",
                                                "key", default="")),
                "status": str(_first_attr(item, "status", "state", default="")),
                "outcome": str(_first_attr(item, "outcome", default="")),
            })
        return items
    except _FAILURES:
        log.warning("portal: could not read plan items", exc_info=True)
        return []


def current_stage(survivor) -> str | None:
    """The latest justice-chain stage recorded for any of the survivor's cases."""
    try:
        config = apps.get_app_config("justice")
    except LookupError:
        return None
    for model in config.get_models():
        names = _field_names(model)
        if "stage" not in names:
            continue
        try:
            qs = _scope_to_survivor(model, survivor)
            if qs is None:
                continue
            order = [f for f in ("entered_at", "started_at", "at", "occurred_on", "date",
                                 "created_at", "id") if f in names or f == "id"]
            row = qs.order_by(*[f"-{f}" for f in order[:2]]).first()
            if row is not None:
                return str(row.stage)
        except _FAILURES:
            log.warning("portal: could not read the justice stage", exc_info=True)
    return None


def _money(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except ArithmeticError:
        return None


def claims(survivor) -> list[dict]:
    """Claims with status, amounts, currency and payments received."""
    model = _model("compensation", "Claim", "CompensationClaim")
    if model is None:
        return []
    try:
        qs = _scope_to_survivor(model, survivor)
        if qs is None:
            return []
        payment_model = _model("compensation", "Payment", "ClaimPayment")
        result = []
        for claim in qs:
            currency = str(_first_attr(claim, "currency", default="") or "")
            payments = []
            if payment_model is not None and "claim" in _field_names(payment_model):
                for p in payment_model.objects.filter(claim=claim):
                    payments.append({
                        "date": _first_attr(p, "received_on", "paid_on", "date", "received_at",
                                            "paid_at", "created_at"),
                        "amount": _money(_first_attr(p, "amount", "amount_paid")),
                        "currency": str(_first_attr(p, "currency", default=currency)),
                    })
            received = sum((p["amount"] for p in payments if p["amount"] is not None),
                           Decimal(0))
            result.append({
                "id": claim.pk,
                "status": str(_first_attr(claim, "status", default="")),
                "currency": currency,
                "claimed": _money(_first_attr(claim, "amount_claimed", "claimed_amount",
                                              "total_claimed", "amount")),
                "awarded": _money(_first_attr(claim, "amount_awarded", "awarded_amount",
                                              "total_awarded")),
                "received": received,
                "payments": payments,
            })
        return result
    except _FAILURES:
        log.warning("portal: could not read claims", exc_info=True)
        return []
