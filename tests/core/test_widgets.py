"""``northstar.core.widgets.WidgetRenderer`` writes each widget as Django's templates do.

Every field of a form of many kinds (inputs, a checkbox, textareas, selects with groups and
several chosen, a file input), unbound, bound to awkward values (markup, quotes, zero,
empty) and with errors, is written by both renderers and compared character for
character; and the renderer really writes them itself (no widget template rendered).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.test.signals import template_rendered
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy, override

from northstar.core.widgets import WidgetRenderer

GROUPS = [("", "—"), (gettext_lazy("Staff"), [(1, "Ann <b>"), (2, 'Bo "Q"')]),
          ("Other", [(3, mark_safe("<i>safe</i>")), (0, "zero")]), (4, "four & more")]


class Everything(forms.Form):
    text = forms.CharField(label=gettext_lazy("Name"), max_length=20,
                           help_text="help", widget=forms.TextInput(attrs={
                               "placeholder": 'a "b" <c>', "autofocus": True, "hidden": False,
                               "data-n": 5, "data-safe": mark_safe("<x>")}))
    number = forms.IntegerField(required=False)
    amount = forms.DecimalField(required=False, decimal_places=2)
    email = forms.EmailField(required=False)
    when = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    hidden = forms.IntegerField(widget=forms.HiddenInput, required=False)
    password = forms.CharField(widget=forms.PasswordInput, required=False)
    agree = forms.BooleanField(required=False)
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    empty_notes = forms.CharField(widget=forms.Textarea, required=False)
    choice = forms.TypedChoiceField(choices=GROUPS, coerce=int, required=False)
    many = forms.MultipleChoiceField(choices=[(1, "one"), (2, "two"), (3, "three")],
                                     required=False)
    upload = forms.FileField(required=False)
    url = forms.URLField(required=False, assume_scheme="https")


BOUND = [
    {},
    {"text": '<script>"x"</script> & \'y\'', "number": "0", "amount": "1.50",
     "email": "a@b", "when": "2026-02-30", "hidden": "7", "password": "secret", "agree": "on",
     "notes": "line 1\n<b>line 2</b>", "choice": "3", "many": ["1", "3"], "url": "javascript:x"},
    {"text": "", "number": "not a number", "choice": "0", "many": ["2"], "agree": ""},
]


def _written(form) -> list[str]:
    return [str(bound_field) for bound_field in form]


@pytest.mark.parametrize("data", BOUND)
@pytest.mark.parametrize("language", ["en", "km"])
def test_every_widget_is_written_as_the_templates_write_it(data, language):
    rendered: set[str] = set()

    def seen(sender, template, **kwargs):
        rendered.add(template.name)

    initial = {"text": "start", "number": 0, "when": dt.date(2026, 1, 2), "choice": 2,
               "many": [2], "notes": "", "hidden": 1}
    with override(language):
        theirs = _written(Everything(data or None, initial=initial, renderer=DjangoTemplates()))
        template_rendered.connect(seen)
        try:
            ours = _written(Everything(data or None, initial=initial, renderer=WidgetRenderer()))
        finally:
            template_rendered.disconnect(seen)
    assert ours == theirs
    assert not {name for name in rendered if name.startswith("django/forms/widgets/")}


def test_other_widgets_still_go_through_their_templates():
    class Other(forms.Form):
        pick = forms.ChoiceField(choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect)
        ticks = forms.MultipleChoiceField(choices=[("a", "A")],
                                          widget=forms.CheckboxSelectMultiple)
        born = forms.DateField(widget=forms.SelectDateWidget(years=[2000, 2001]))

    assert _written(Other(renderer=WidgetRenderer())) == _written(Other(renderer=DjangoTemplates()))
