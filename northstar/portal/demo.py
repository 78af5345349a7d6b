"""Demo: one survivor (with a claim, where there is one) can sign in to the portal."""

from __future__ import annotations

import secrets

from northstar.core.actor import Actor
from northstar.core.errors import DomainError
from northstar.portal import actions
from northstar.portal.models import PortalAccess
from northstar.survivors.models import Survivor


def _pin() -> str:
    """A random PIN that passes the portal's own quality check."""
    while True:
        pin = f"{secrets.randbelow(10**6):06d}"
        try:
            return actions.check_pin_quality(pin)
        except DomainError:
            pass  # too easy to guess: draw again


def seed(context: dict) -> None:
    creds = context["credentials"]
    if any(key.startswith("portal ") for key in creds):
        return
    org = context["organisations"][0]
    survivor = (
        Survivor.objects.filter(organisation=org, cases__compensation_claims__isnull=False)
        .order_by("pk").first()
        or Survivor.objects.filter(organisation=org).order_by("pk").first()
    )
    if survivor is None or PortalAccess.objects.filter(survivor=survivor).exists():
        return
    caseworker = context["users"][f"caseworker.{org.jurisdiction.lower()}"]
    pin = _pin()
    actions.set_pin(Actor.for_user(caseworker, "cli"), survivor, pin=pin)
    creds[f"portal {survivor.reference}"] = pin
