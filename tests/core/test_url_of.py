"""``core.template_tags.url_of``: a panel's links reversed once per shape (issue 13).

The case page's panels reversed a dozen URLs in Python on every view (``reverse``: the
resolver's candidates and a regular expression each); ``url_of`` keeps each shape as
``{% url %}`` does and must give what ``reverse`` gives, in every language, and raise what
it raises."""

from __future__ import annotations

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from northstar.core import template_tags
from northstar.core.template_tags import url_of
from northstar.ui import panels

VIEWS = [("justice:timeline", (7,)), ("outcomes:check_in", (42,)), ("documents:upload", (1,)),
         ("compensation:calculator", (2**40,)), ("referrals:new", ()),
         ("intelligence:case_report", (0,))]


@pytest.mark.parametrize("language", ["en", "km"])
def test_url_of_is_what_reverse_gives(language):
    with translation.override(language):
        for view, args in VIEWS:
            assert url_of(view, *args) == reverse(view, args=list(args))
            assert url_of(view, *args) == reverse(view, args=list(args))  # kept


def test_a_kept_shape_is_not_reversed_again(monkeypatch):
    url_of("justice:timeline", 1)
    panels.url_for_each("safeguards:case")
    asked = []
    real = template_tags.reverse
    monkeypatch.setattr(template_tags, "reverse", lambda *a, **k: asked.append(a) or real(*a, **k))
    assert url_of("justice:timeline", 99) == reverse("justice:timeline", args=[99])
    assert panels.url_for_each("safeguards:case")(5) == reverse("safeguards:case", args=[5])
    assert asked == []


def test_a_missing_view_raises_as_reverse_does():
    with pytest.raises(NoReverseMatch):
        url_of("no_such_view", 1)
