"""The safeguards context a stored case already knows, so callers need not retype it.

Facts from the record (age, interpreter need, language, consents in force,
forms of exploitation, coercion, fear of retaliation) win over what a caller
passes when the record knows them: a form cannot make a child an adult or
invent a consent. Unknown coercion stays "unknown" (the engine warns on it);
the latest screening and the migration facts (``entry``,
``visa_tied_to_employer``, ``documents_held_by_employer``,
``recruitment_debt``: "unknown" until recorded) come from the case too.
What only the caller knows (interpreter present, number of
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


#: Migration facts on the case (issue 11 §7); read with getattr so this runs before they exist.
MIGRATION_FACTS = ("entry", "visa_tied_to_employer", "documents_held_by_employer", "recruitment_debt")


def _recorded(value):
    """A stored migration fact, or None when the record does not know it (so a caller may)."""
    return None if value in (None, "", "unknown") else value


def latest_screening_class(case: Case) -> str | None:
    """The classification of the case's latest screening, through the reverse relation
    (safeguards does not import screening: the two stand alone)."""
    latest = case.screenings.order_by("-created_at", "-id").values_list(
        "classification", flat=True
    ).first()
    return latest or None


def context_for_case(case: Case, given: dict | None = None) -> dict:
    survivor = case.survivor
    known = {
        "age": survivor.age_on(),
        "interpreter_needed": survivor.interpreter_needed or None,
        "preferred_language": survivor.preferred_language or None,
        "consents": active_purposes(survivor),
        "exploitation": list(case.forms_of_exploitation or []) or None,
        "coercion": case.coercion or "unknown",
        "fears_retaliation_at_home": case.fears_retaliation_at_home,
        "screening": latest_screening_class(case),
        "jurisdiction": case.jurisdiction or None,
        **{name: _recorded(getattr(case, name, None)) for name in MIGRATION_FACTS},
    }
    context = dict(given or {})
    for key, value in known.items():
        if key == "consents":
            context[key] = value  # only consents actually recorded count
        elif value is not None:
            context[key] = value
    return context
