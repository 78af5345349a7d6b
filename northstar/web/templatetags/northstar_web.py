"""Small template filters for the caseworker pages."""

from django import template
from django.http import QueryDict

register = template.Library()


@register.filter
def get_item(mapping, key):
    """``mapping[key]`` or None: for dicts keyed by purpose, outcome or intervention."""
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def humanise(value) -> str:
    """``state_compensation`` → ``State compensation``."""
    return str(value or "").replace("_", " ").capitalize()


@register.filter
def drop_param(querystring, name: str = "page") -> str:
    """``querystring`` without ``name``: pager links must not repeat the page number."""
    params = QueryDict(str(querystring or ""), mutable=True)
    params.pop(name, None)
    return params.urlencode()


@register.filter
def actor_label(label: str) -> str:
    """Audit labels as people read them: ``survivor#12`` is the survivor, in their portal."""
    label = str(label or "")
    if label.startswith("survivor#"):
        return "the survivor (portal)"
    if label.startswith("system:"):
        return "the system"
    return label
