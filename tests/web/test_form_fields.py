"""``{% form_fields %}`` writes each field as ``web/_field.html`` does (issue 13).

``web/_form.html`` writes its fields in Python (``northstar_web.form_fields``) instead of
including ``web/_field.html`` once per field. Every form the project defines that can be
made without arguments, and a form of every kind of widget, unbound and bound to awkward
values (with errors), in English and Khmer: the same characters as the template, and the
whole of ``_form.html`` the same as the include it replaced.
"""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from django import forms
from django.template import Template
from django.template.context import Context
from django.template.loader import get_template
from django.test.signals import template_rendered
from django.utils.translation import override

import northstar
from northstar.web.templatetags.northstar_web import field_html
from tests.core.test_widgets import BOUND, Everything

#: ``web/_form.html`` as it was: the field template included once per field.
FORM_BY_INCLUDE = Template(
    '{% if form.non_field_errors %}<p class="error" role="alert">'
    '{{ form.non_field_errors|join:" " }}</p>{% endif %}\n'
    '{% for field in form %}{% include "web/_field.html" %}{% endfor %}\n')


def _project_forms() -> list[type[forms.Form]]:
    found = []
    for info in pkgutil.walk_packages(northstar.__path__, "northstar."):
        if info.name.endswith(".forms"):
            module = importlib.import_module(info.name)
            found += [v for v in vars(module).values() if isinstance(v, type)
                      and issubclass(v, forms.BaseForm) and v.__module__ == info.name]
    return found


def _made(form_class, data):
    try:
        return form_class(data)
    except (TypeError, AttributeError, KeyError):  # needs arguments (an organisation, choices): covered by the pages
        return None


class WithErrors(Everything):
    def clean(self):
        raise forms.ValidationError("The whole form <is> wrong & so on.")


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "km"])
def test_every_field_is_written_as_the_field_template_writes_it(language):
    template = get_template("web/_field.html")
    forms_made = []
    with override(language):
        for form_class in [Everything, WithErrors, *_project_forms()]:
            for data in BOUND:
                form = _made(form_class, data or None)
                if form is None:
                    continue
                forms_made.append(form_class)
                if form.is_bound:
                    form.is_valid()
                for field in form:
                    assert field_html(field) == template.render({"field": field}), (
                        form_class, field.name)
                page = get_template("web/_form.html").render({"form": form})
                assert page == FORM_BY_INCLUDE.render(Context({"form": form}))
    assert len(set(forms_made)) > 10  # the project's own forms were among them


def test_a_form_no_longer_includes_the_field_template_once_per_field():
    rendered = []

    def seen(sender, template, **kwargs):
        rendered.append(template.name)

    template_rendered.connect(seen)
    try:
        get_template("web/_form.html").render({"form": Everything()})
    finally:
        template_rendered.disconnect(seen)
    assert "web/_field.html" not in rendered
