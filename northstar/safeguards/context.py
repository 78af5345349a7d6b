"""The safeguards context a stored case already knows, so callers need not retype it.

Facts from the record (age, interpreter need, language, consents in force,
forms of exploitation, coercion, fear of retaliation) win over what a caller
passes when the record knows them: a form cannot make a child an adult or
invent a consent. What only the caller knows (interpreter present, number of
interviews, reflection period, consent to return, …) comes from the caller.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from northstar.survivors.models import Case, Consent


def active_purposes(survivor) -> list[str]:
    now = timezone.now()
    return sorted(
        set(
            Consent.objects.filter(survivor=survivor, given_at__lte=now)
            .filter(
                Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gt=now),
                Q(expires_at__isnull=True) | Q(expires_at__gt=now),
            )
            .values_list("purpose", flat=True)
        )
    )


def context_for_case(case: Case, given: dict | None = None) -> dict:
    survivor = case.survivor
    known = {
        "age": survivor.age_on(),
        "interpreter_needed": survivor.interpreter_needed or None,
        "preferred_language": survivor.preferred_language or None,
        "consents": active_purposes(survivor),
        "exploitation": list(case.forms_of_exploitation or []) or None,
        "coercion": case.coercion if case.coercion != "unknown" else None,
        "fears_retaliation_at_home": case.fears_retaliation_at_home,
    }
    context = dict(given or {})
    for key, value in known.items():
        if key == "consents":
            context[key] = value  # only consents actually recorded count
        elif value is not None:
            context[key] = value
    return context
