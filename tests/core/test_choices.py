"""``core.choices.QuickDisplay``: ``get_FOO_display()`` as Django's, in every language.

The case page calls a dozen of them; Django's own translated every label of the field to
build a dict on each call (issue 13). These hold that every choice of every field of the
models that use it shows the same label as Django's ``Model._get_FIELD_display``, in
English and Khmer, and that a value outside the choices (or none) shows as Django shows it."""

from __future__ import annotations

import pytest
from django.db.models import Model
from django.utils import translation

from northstar.core.choices import QuickDisplay
from northstar.survivors.models import Case, Consent


@pytest.mark.parametrize("model", [Case, Consent])
@pytest.mark.parametrize("language", ["en", "km"])
def test_every_choice_shows_as_djangos_display(model, language):
    assert issubclass(model, QuickDisplay)
    fields = [f for f in model._meta.concrete_fields if f.choices]
    assert fields
    with translation.override(language):
        for field in fields:
            for value in [key for key, _label in field.flatchoices] + ["not-a-choice", None]:
                obj = model()
                setattr(obj, field.attname, value)
                ours = getattr(obj, f"get_{field.name}_display")()
                theirs = Model._get_FIELD_display(obj, field)
                assert ours == theirs and type(ours) is type(theirs), (field.name, value)


def test_the_label_follows_the_language_it_is_shown_in():
    """The kept dict holds the lazy labels, not one language's words."""
    field = Case._meta.get_field("status")
    case = Case(status=field.flatchoices[0][0])
    for language in ("en", "km", "en"):
        with translation.override(language):
            assert case.get_status_display() == str(field.flatchoices[0][1])
