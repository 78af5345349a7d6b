"""``{% url %}`` and ``{% translate %}`` as Django writes them, without redoing the same work.

Every page writes ~30 ``{% url %}`` and ~90 ``{% translate "…" %}`` tags (issue 13: the case
page). Django reverses each URL from scratch (namespace walk, candidate patterns, a regular
expression match: ~20–30 µs) and looks each literal up in the catalogue again (two context
locals, the catalogue, escaping: ~10 µs), for the same answer every time.

- ``url`` (a builtin of the engine, ``TEMPLATES[...]["OPTIONS"]["builtins"]``, so it
  replaces Django's tag everywhere): the URL of a view for given arguments is reversed once
  per process and its shape kept. A whole-number argument (a key) is reversed as a stand-in
  number and put in its place afterwards, as ``ui.panels.url_for_each`` does, so one
  shape serves every record; the project's converters (``int``, ``str``) print a
  non-negative whole number as given, and a shape where the stand-in does not come out
  whole is not kept. The key holds everything ``reverse`` reads: the view name, the other
  arguments, the current application, the URL configuration, the script prefix and the
  language (no URL is translated today; one under ``i18n_patterns`` would be).
- ``translate``/``trans`` (the ``i18n`` library, ``OPTIONS["libraries"]``): a literal
  without filters, noop or context keeps its output per language and escaping, forgotten
  when the language settings change (tests) and not kept at all under ``DEBUG`` (the
  development server reloads catalogues).

Everything else is Django's own node, and a tag that does not fit is left to it: the
output is the same, character for character (``tests/core/test_template_tags.py``).
"""

from __future__ import annotations

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template import Library, defaulttags
from django.template.base import render_value_in_context
from django.templatetags import i18n as django_i18n
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, mark_safe
from django.utils.translation import get_language

register = Library()

#: Kept URL shapes, at most this many (a key with a text argument is one shape per value).
URL_SHAPES_KEPT = 4096
#: A stand-in key: larger than any real one, so it cannot be mistaken for part of a URL.
_STAND_IN = 987654321987654000

_shapes: dict = {}
#: A shape that could not be kept (the stand-in did not come out whole): reverse each time.
_NOT_KEPT = object()


def _shape_of(view_name, args, kwargs, current_app):
    """The URL's text around each whole-number argument (``None``: not reversible)."""
    stand_ins = {}
    shaped_args = []
    for i, arg in enumerate(args):
        if type(arg) is int and arg >= 0:
            stand_ins[i] = str(_STAND_IN + i)
            shaped_args.append(_STAND_IN + i)
        else:
            shaped_args.append(arg)
    shaped_kwargs = {}
    for j, (name, value) in enumerate(kwargs.items()):
        if type(value) is int and value >= 0:
            stand_ins[name] = str(_STAND_IN + 100 + j)
            shaped_kwargs[name] = _STAND_IN + 100 + j
        else:
            shaped_kwargs[name] = value
    try:
        url = reverse(view_name, args=shaped_args, kwargs=shaped_kwargs, current_app=current_app)
    except NoReverseMatch:
        return None
    pieces = []  # (text before, which argument)
    rest = url
    for which, text in stand_ins.items():
        if url.count(text) != 1:
            return _NOT_KEPT
        before, found, rest = rest.partition(text)
        if not found:
            return _NOT_KEPT  # not in the order given: reversed each time
        pieces.append((before, which))
    return tuple(pieces), rest


def _kept_key(view_name, args, kwargs, current_app):
    """The shape's key, or ``None`` when an argument is neither a whole number nor text."""
    shaped = []
    for arg in args:
        kind = type(arg)
        if kind is int:
            shaped.append(int if arg >= 0 else arg)
        elif isinstance(arg, str):  # a template's literal is a SafeString
            shaped.append(str(arg))
        else:
            return None
    named = []
    for name, value in kwargs.items():
        kind = type(value)
        if kind is int:
            named.append((name, int if value >= 0 else value))
        elif isinstance(value, str):
            named.append((name, str(value)))
        else:
            return None
    if not isinstance(view_name, str):
        return None
    return (str(view_name), tuple(shaped), tuple(named), current_app, get_urlconf(),
            get_script_prefix(), get_language())


def reverse_kept(view_name, args, kwargs, current_app):
    """``reverse(view_name, args=args, kwargs=kwargs, current_app=current_app)``, its shape
    kept: raises ``NoReverseMatch`` as ``reverse`` does."""
    key = _kept_key(view_name, args, kwargs, current_app)
    if key is None:
        return reverse(view_name, args=args, kwargs=kwargs, current_app=current_app)
    shape = _shapes.get(key)
    if shape is None:
        shape = _shape_of(view_name, args, kwargs, current_app)
        if shape is None:  # no such URL: Django's error, every time
            shape = _NOT_KEPT
        if len(_shapes) >= URL_SHAPES_KEPT:
            _shapes.clear()
        _shapes[key] = shape
    if shape is _NOT_KEPT:
        return reverse(view_name, args=args, kwargs=kwargs, current_app=current_app)
    pieces, tail = shape
    if not pieces:
        return tail
    out = []
    for before, which in pieces:
        out.append(before)
        out.append(str(args[which] if type(which) is int else kwargs[which]))
    out.append(tail)
    return "".join(out)


def url_of(view_name: str, *args) -> str:
    """``reverse(view_name, args=args)`` for Python code (a panel's links), its shape kept
    as ``{% url %}``'s is (``reverse_kept``): reversed once per process and shape, the
    whole-number keys put in their places. Raises ``NoReverseMatch`` as ``reverse`` does."""
    return reverse_kept(view_name, args, {}, None)


class KeptURLNode(defaulttags.URLNode):
    """Django's ``URLNode``, reversing through ``reverse_kept``."""

    def render(self, context):
        args = [arg.resolve(context) for arg in self.args]
        kwargs = {k: v.resolve(context) for k, v in self.kwargs.items()}
        view_name = self.view_name.resolve(context)
        try:
            current_app = context.request.current_app
        except AttributeError:
            try:
                current_app = context.request.resolver_match.namespace
            except AttributeError:
                current_app = None
        url = ""
        try:
            url = reverse_kept(view_name, args, kwargs, current_app)
        except NoReverseMatch:
            if self.asvar is None:
                raise
        if self.asvar:
            context[self.asvar] = url
            return ""
        if context.autoescape:
            url = conditional_escape(url)
        return url


@register.tag
def url(parser, token):
    """Django's ``{% url %}``, its URLs reversed once per shape (``reverse_kept``)."""
    node = defaulttags.url(parser, token)
    node.__class__ = KeptURLNode
    return node


# --- translate ---------------------------------------------------------------------------

#: Bumped when the language settings change: every kept translation is forgotten.
_catalogue_generation = [0]


def catalogue_generation() -> int:
    """Changes whenever the language settings do: part of the key of anything kept per
    language (``web``'s navigation too)."""
    return _catalogue_generation[0]


@receiver(setting_changed)
def _forget_translations(*, setting, **kwargs):
    if setting in {"LANGUAGES", "LANGUAGE_CODE", "LOCALE_PATHS", "INSTALLED_APPS", "DEBUG",
                   "USE_I18N"}:
        _catalogue_generation[0] += 1
    if setting in {"ROOT_URLCONF", "FORCE_SCRIPT_NAME", "INSTALLED_APPS"}:
        _shapes.clear()


class KeptTranslateNode(django_i18n.TranslateNode):
    """Django's ``TranslateNode`` for a plain literal, its output kept per language."""

    kept: dict

    def render(self, context):
        if settings.DEBUG:
            return super().render(context)
        key = (_catalogue_generation[0], get_language(), context.autoescape)
        try:
            value = self.kept[key]
        except KeyError:
            value = self._translated(context)
            if len(self.kept) > 16:
                self.kept.clear()
            self.kept[key] = value
        if self.asvar:
            context[self.asvar] = value
            return ""
        return value

    def _translated(self, context):
        """``TranslateNode.render``'s value, before it is returned or set ``as`` a variable."""
        self.filter_expression.var.translate = True
        value = render_value_in_context(self.filter_expression.resolve(context), context)
        # Restore percent signs, as Django does (doubled in template text).
        is_safe = isinstance(value, SafeData)
        value = value.replace("%%", "%")
        return mark_safe(value) if is_safe else value


def _keeps(node) -> bool:
    """A literal message, no filters, not noop, no context: its output is the catalogue's."""
    expression = node.filter_expression
    return (not node.noop and node.message_context is None and not expression.filters
            and getattr(expression.var, "literal", None) is not None
            and not getattr(expression.var, "lookups", None))


def do_translate(parser, token):
    node = django_i18n.do_translate(parser, token)
    if _keeps(node):
        node.__class__ = KeptTranslateNode
        node.kept = {}
    return node


#: Django's ``i18n`` library with ``translate`` and ``trans`` replaced.
i18n = Library()
i18n.tags.update(django_i18n.register.tags)
i18n.filters.update(django_i18n.register.filters)
i18n.tags["translate"] = do_translate
i18n.tags["trans"] = do_translate
