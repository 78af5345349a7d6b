"""Small template filters for the caseworker pages."""

import re
from functools import lru_cache

from django import template
from django.conf import settings
from django.db import models
from django.http import QueryDict
from django.urls import get_script_prefix, get_urlconf
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from northstar.core import places
from northstar.core.template_tags import catalogue_generation
from northstar.core.widgets import printed

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


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


@lru_cache(maxsize=1)
def _choice_labels() -> dict[str, object]:
    """Every ``TextChoices`` value of the project with its (lazily translated) label."""
    labels: dict[str, object] = {}
    for enum in _subclasses(models.TextChoices):
        if not enum.__module__.startswith("northstar."):
            continue
        for value, text in enum.choices:
            labels.setdefault(value, text)
    return labels


@register.filter
def label(value) -> str:
    """A stored choice value as the words people read: ``domestic_servitude`` → its label."""
    if value in (None, ""):
        return ""
    found = _choice_labels().get(str(value))
    return str(found) if found is not None else humanise(value)


@register.filter
def labels(values, sep: str = ", ") -> str:
    """A list of stored choice values as their labels, joined."""
    return sep.join(label(v) for v in (values or []))


@register.filter
def country(code) -> str:
    """An ISO 3166-1 code as the country's name in the reader's language."""
    return places.country_name(str(code or ""), get_language())


@register.filter
def countries(codes, sep: str = ", ") -> str:
    return sep.join(country(c) for c in (codes or []))


@register.filter
def language(code) -> str:
    """An ISO 639 code as the language's name in the reader's language."""
    return places.language_name(str(code or ""), get_language())


@register.filter
def languages(codes, sep: str = ", ") -> str:
    return sep.join(language(c) for c in (codes or []))


#: Personal fields as people name them (the keys of the sealed personal data).
FIELD_LABELS = {
    "given_name": _("Given name"), "family_name": _("Family name"), "aliases": _("Aliases"),
    "date_of_birth": _("Date of birth"), "phone": _("Phone"), "address": _("Address"),
    "id_document_numbers": _("ID document numbers"), "contact_notes": _("Contact notes"),
    "languages": _("Languages"), "reference": _("Reference"), "needs": _("Needs"),
    "nationality": _("Nationality"), "birth_year": _("Birth year"),
}


@register.filter
def field_label(name) -> str:
    """``given_name`` → "Given name": a field's name as people read it."""
    found = FIELD_LABELS.get(str(name))
    return str(found) if found is not None else humanise(name)


#: Pointers into the project's own notes ("jurisdictions.md §2.5", "DOMAIN.md §8",
#: "issue 11 §1", a seed's file name): provenance for maintainers, kept whole in the rule
#: files and the API, but not words for a caseworker. The law, article and date stay.
_INTERNAL_CITATION = re.compile(
    r"\s*\(?(?:[\w./-]*\.md\s*§\s*[\d.]+|issue\s+\d+(?:\s*§\s*[\d.]+)?|\d{3}_[0-9a-f]{8,}\.txt)"
    r"(?:,\s*secondary)?\)?", re.I)


@register.filter
def cite(source) -> str:
    """A rule's source as a caseworker should read it: the law and the date, not our notes."""
    text = _INTERNAL_CITATION.sub("", str(source or ""))
    text = re.sub(r"\(\s*\)|;\s*(?=;|$)|^\s*;\s*", "", text)
    return re.sub(r"\s{2,}", " ", re.sub(r"\s*;\s*;", ";", text)).strip(" ;,")


@register.simple_tag
def form_fields(form):
    """Every field of ``form`` as ``web/_field.html`` writes it, written in Python (issue
    13: the template was most of a form's cost after its widgets; each page has a few
    forms). ``tests/web/test_form_fields.py`` holds it to the template, character for
    character: change both together."""
    return mark_safe("".join(field_html(field) for field in form))


def field_html(field) -> str:
    """One bound field as ``web/_field.html`` writes it."""
    errors = field.errors
    for_id = printed(field.id_for_label)
    label = printed(field.label)
    widget = str(field)  # already safe: the widget's own markup
    out = ['<div class="field', " invalid" if errors else "", '">\n  ']
    kind = getattr(field.field.widget, "input_type", None)
    if kind == "checkbox" and getattr(field.field.widget, "allow_multiple_selected", False):
        # A group of boxes is named by its legend (a label "for" no one box named nothing).
        out += ["\n  <fieldset><legend>", label, " *" if field.field.required else "",
                "</legend>\n  ", widget, "\n  </fieldset>\n  "]
    elif kind == "checkbox":
        out += ["\n  ", widget, ' <label for="', for_id, '">', label, "</label>\n  "]
    else:
        out += ['\n  <label for="', for_id, '">', label, " *" if field.field.required else "",
                "</label>\n  ", widget, "\n  "]
    out.append("\n  ")
    if field.help_text:
        out += ['<small id="', for_id, '_help">', printed(field.help_text), "</small>"]
    out.append("\n  ")
    for error in errors:
        out += ['<p class="error" role="alert">', printed(error), "</p>"]
    out.append("\n</div>\n")
    return "".join(out)


#: The navigation's links as written, per language, what the reader may reach, script
#: prefix, URL configuration and current application (``nav_links``); at most this many.
_NAV_KEPT = 256
_nav_written: dict = {}


@register.simple_tag(takes_context=True)
def nav_links(context):
    """``web/_nav_links.html`` (the main navigation's links), written once per process for
    each language and set of ``may`` booleans (issue 13: every page wrote the same ~15
    links and labels again). Nothing of one person is in it: their name, organisation,
    CSRF tokens and counts are written by ``base.html`` around it, every time."""
    may = context.get("may")
    template = context.template.engine.get_template("web/_nav_links.html")
    request = getattr(context, "request", None)
    path = getattr(request, "path", None)
    if settings.DEBUG or not isinstance(may, dict):
        return mark_current(template.render(context.new({"may": may})), path)
    current_app = getattr(request, "current_app", None)
    if current_app is None:
        current_app = getattr(getattr(request, "resolver_match", None), "namespace", None)
    key = (catalogue_generation(), get_language(), tuple(may.items()), get_script_prefix(),
           get_urlconf(), current_app, context.autoescape)
    written = _nav_written.get(key)
    if written is None:
        written = template.render(context.new({"may": may}))
        if len(_nav_written) >= _NAV_KEPT:
            _nav_written.clear()
        _nav_written[key] = written
    return mark_current(written, path)


_NAV_HREF = re.compile(r'<a href="([^"]+)">')


def mark_current(links: str, path: str | None) -> str:
    """The navigation's links with the reader's place marked for screen readers (and the
    eye): ``aria-current="page"`` on the link to this very page, ``aria-current="true"`` on
    the link of the section it is in (the longest link that starts the path; the caseload,
    ``/``, only on itself). Added per page to the links written once per language."""
    best = None
    for found in _NAV_HREF.finditer(links) if path else ():
        href = found.group(1)
        if href == path or (href.endswith("/") and href != "/" and path.startswith(href)):
            if best is None or len(href) > len(best.group(1)):
                best = found
    if best is None:
        return links
    value = "page" if best.group(1) == path else "true"
    at = best.end() - 1
    return mark_safe(f'{links[:at]} aria-current="{value}"{links[at:]}')
