"""``get_FOO_display()`` without building every choice's label again on each call.

Django's ``Model._get_FIELD_display`` makes ``dict(make_hashable(field.flatchoices))`` on
every call: it hashes each choice's label, and a label is a lazy translation, so each
hash translates it. The case page shows a dozen such values (status, recruitment,
coercion, trial participation, the facts…), ~40 labels translated to be thrown away on
every view (issue 13). ``QuickDisplay`` keeps each field's choices as a dict (keys made
hashable as Django makes them, labels still lazy, so they are translated when shown, in
the reader's language) and answers as Django does."""

from __future__ import annotations

from django.utils.encoding import force_str
from django.utils.hashable import make_hashable

_choices_of: dict = {}


def _labels(field) -> dict:
    labels = _choices_of.get(field)
    if labels is None:
        labels = _choices_of[field] = {make_hashable(key): label
                                       for key, label in field.flatchoices}
    return labels


class QuickDisplay:
    """A model mixin: ``get_FOO_display()`` as Django's, its choices dict kept per field."""

    def _get_FIELD_display(self, field):
        value = getattr(self, field.attname)
        return force_str(_labels(field).get(make_hashable(value), value), strings_only=True)
