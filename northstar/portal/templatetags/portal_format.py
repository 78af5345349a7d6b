"""Template filters for the portal: dates and money in the active language."""

from django import template
from django.utils import translation

from northstar.portal import localformat

register = template.Library()


@register.filter
def local_date(value):
    return localformat.format_date(value, translation.get_language())


@register.filter
def money(amount, currency):
    if amount is None:
        return "—"
    return localformat.format_money(amount, currency, translation.get_language())
