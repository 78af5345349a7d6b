"""Form fields for countries and languages: a select of names in the reader's language that
submits the ISO code (see ``northstar.core.places``). Never a box to type a code into."""

from __future__ import annotations

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from northstar.core import places

EMPTY = ("", "—")


def _countries():
    return [EMPTY, *places.country_choices(get_language())]


def _languages():
    return [EMPTY, *places.language_choices(get_language())]


def _languages_only():
    return places.language_choices(get_language())


def country_field(**kwargs) -> forms.ChoiceField:
    kwargs.setdefault("required", False)
    return forms.ChoiceField(
        choices=_countries,
        error_messages={"invalid_choice": _("Choose a country from the list."),
                        "required": _("Choose a country from the list.")},
        **kwargs)


def language_field(**kwargs) -> forms.ChoiceField:
    kwargs.setdefault("required", False)
    return forms.ChoiceField(
        choices=_languages,
        error_messages={"invalid_choice": _("Choose a language from the list."),
                        "required": _("Choose a language from the list.")},
        **kwargs)


def languages_field(**kwargs) -> forms.MultipleChoiceField:
    kwargs.setdefault("required", False)
    kwargs.setdefault("widget", forms.SelectMultiple(attrs={"size": 6}))
    return forms.MultipleChoiceField(
        choices=_languages_only,
        error_messages={"invalid_choice": _("Choose languages from the list."),
                        "required": _("Choose at least one language from the list.")},
        **kwargs)
