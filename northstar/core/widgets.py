"""Form widgets written out in Python, character for character as Django's templates would.

Django renders every field of a form through the widget templates of a second template
engine (``input.html`` including ``attrs.html``; ``select.html`` including
``select_option.html`` once per choice). On the case page that was about a tenth of the
request's CPU (issue 13: three forms, a staff ``<select>``), for markup that is a few
string joins. ``WidgetRenderer`` (``settings.FORM_RENDERER``) writes the plain input,
textarea, select and empty file-input templates itself, printing every value as a template would
(``render_value_in_context``: localised, escaped unless already safe) and every
``|stringformat:'s'`` as that filter does; any other template, and a widget whose options
use another template, goes through the templates as before. ``tests/core/test_widgets.py``
compares the two outputs.
"""

from __future__ import annotations

from html import escape as _escape

from django.forms.renderers import DjangoTemplates
from django.template.base import render_value_in_context
from django.utils.functional import Promise
from django.utils.safestring import SafeData, SafeString, mark_safe

_W = "django/forms/widgets/"
#: The widget templates that are ``input.html`` (directly or by one include).
_INPUTS = frozenset(_W + name for name in (
    "input.html", "text.html", "number.html", "email.html", "url.html", "password.html",
    "hidden.html", "date.html", "datetime.html", "time.html", "search.html", "tel.html",
    "color.html", "checkbox.html", "file.html"))
_SELECT = _W + "select.html"
_OPTION = _W + "select_option.html"
_TEXTAREA = _W + "textarea.html"
_FILE = _W + "clearable_file_input.html"


class _Printing:
    """What ``render_value_in_context`` reads of a template context: the defaults of the
    form renderer's engine (autoescape on; localisation and time zone as the settings say)."""

    autoescape = True
    use_l10n = None
    use_tz = None


_PRINT = _Printing()


def printed(value) -> str:
    """``{{ value }}`` in an autoescaping template (``render_value_in_context``)."""
    return _out(value)


def _out(value) -> str:
    """``{{ value }}``: a plain string (most names, values and labels) or a lazy translation
    only escaped, as ``render_value_in_context`` does with them, without its other steps."""
    kind = type(value)
    if kind is str:
        return SafeString(_escape(value))
    if isinstance(value, Promise) and not hasattr(value, "__html__"):
        return SafeString(_escape(str(value)))
    return render_value_in_context(value, _PRINT)


def _formatted(value) -> str:
    """``{{ value|stringformat:'s' }}`` (the filter keeps a safe value safe)."""
    given = value
    if isinstance(value, tuple):
        value = str(value)
    try:
        text = "%s" % value  # noqa: UP031 - the filter's own formatting
    except (ValueError, TypeError):
        text = ""
    if isinstance(given, SafeData):
        text = mark_safe(text)
    return _out(text)


def _attrs(attrs) -> str:
    """``attrs.html``."""
    out = []
    for name, value in attrs.items():
        if value is not False:
            out.append(" " + _out(name))
            if value is not True:
                out.append('="' + _formatted(value) + '"')
    return "".join(out)


def _input(widget) -> str:
    value = widget["value"]
    shown = ' value="' + _formatted(value) + '"' if value != None else ""  # noqa: E711 - as the template compares
    return ('<input type="' + _out(widget["type"]) + '" name="' + _out(widget["name"]) + '"'
            + shown + _attrs(widget["attrs"]) + ">\n")


def _file(widget) -> str | None:
    """``clearable_file_input.html`` with no file yet (an upload form); a file already
    there (its link, the "clear" box) is left to the template."""
    if widget["is_initial"]:
        return None
    return ('\n<input type="' + _out(widget["type"]) + '" name="' + _out(widget["name"]) + '"'
            + _attrs(widget["attrs"]) + ">\n")


def _textarea(widget) -> str:
    value = widget["value"]
    return ('<textarea name="' + _out(widget["name"]) + '"' + _attrs(widget["attrs"]) + ">\n"
            + (_out(value) if value else "") + "</textarea>\n")


def _select(widget) -> str | None:
    out = ['<select name="', _out(widget["name"]), '"', _attrs(widget["attrs"]), ">"]
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            out.append('\n  <optgroup label="' + _out(group_name) + '">')
        for option in group_choices:
            if option.get("template_name") != _OPTION:
                return None  # an option template of its own: the templates write it
            out.append('\n  <option value="' + _formatted(option["value"]) + '"'
                       + _attrs(option["attrs"]) + ">" + _out(option["label"]) + "</option>\n")
        if group_name:
            out.append("\n  </optgroup>")
    out.append("\n</select>\n")
    return "".join(out)


class WidgetRenderer(DjangoTemplates):
    """Django's template form renderer, with the common widgets written in Python."""

    def render(self, template_name, context, request=None):
        widget = context.get("widget") if isinstance(context, dict) else None
        if widget is not None:
            html = None
            if template_name in _INPUTS:
                html = _input(widget)
            elif template_name == _TEXTAREA:
                html = _textarea(widget)
            elif template_name == _SELECT:
                html = _select(widget)
            elif template_name == _FILE:
                html = _file(widget)
            if html is not None:
                return html.strip()
        return super().render(template_name, context, request=request)
