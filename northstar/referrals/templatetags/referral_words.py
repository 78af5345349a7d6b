"""A referral's codes as people read them: ``legal_aid`` → "Legal aid", in their language.

Needs, the populations a service serves, the shared fields and the step buttons; the codes
themselves stay what the API, the step URLs and the database speak.
"""

from django import template

from northstar.referrals import vocabulary

register = template.Library()


@register.filter
def service_kinds(codes, sep: str = ", ") -> str:
    """Codes of ``vocabulary.SERVICE_KINDS`` as their translated names, joined."""
    return vocabulary.service_kind_names(codes or (), sep)


@register.filter
def populations(codes, sep: str = ", ") -> str:
    """Codes of ``vocabulary.POPULATIONS`` as their translated names, joined."""
    return vocabulary.population_names(codes or (), sep)


@register.filter
def shared_fields(codes, sep: str = ", ") -> str:
    """Codes of ``vocabulary.SHAREABLE_FIELDS`` as their translated names, joined."""
    return vocabulary.shared_field_names(codes or (), sep)


@register.filter
def step_name(code) -> str:
    """A referral step's code (``accept``) as the words on its button."""
    return vocabulary.step_name(code)
