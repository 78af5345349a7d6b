"""Show the engines' enum values (``not_eligible``, ``needs_research``) as words."""

from django import template

register = template.Library()


@register.filter
def words(value) -> str:
    return str(value or "").replace("_", " ")
