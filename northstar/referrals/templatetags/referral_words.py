"""A referral's needs as people read them: ``legal_aid`` → "Legal aid", in their language."""

from django import template

from northstar.referrals.vocabulary import service_kind_names

register = template.Library()


@register.filter
def service_kinds(codes, sep: str = ", ") -> str:
    """Codes of ``vocabulary.SERVICE_KINDS`` as their translated names, joined."""
    return service_kind_names(codes or (), sep)
