"""``{% url %}`` and ``{% translate %}`` kept per shape and language (``core.template_tags``):
character for character what Django's own tags write, in English and Khmer, and the second
rendering neither reverses a URL nor looks a literal up again."""

from __future__ import annotations

import pytest
from django.template import Context, Engine, engines
from django.urls import NoReverseMatch
from django.urls.resolvers import URLResolver
from django.utils import translation
from django.utils.translation import trans_real

from northstar.core import template_tags

TAGS = """{% load i18n %}
<a href="{% url 'survivor' pk %}">{% translate "Case facts" %}</a>
{% url 'case' case_pk as u %}[{{ u }}] {% url 'survivor' 0 %} {% url "caseload" %}
{% url 'referrals:list' as u_referrals %}{% if u_referrals %}{{ u_referrals }}{% endif %}
{% url 'no such view' as nothing %}[{{ nothing }}]
{% url 'survivor' survivor_id=pk %} {% url 'intake_step' pk text %} {% url 'referrals:step' referral_id=case_pk step='accept' %} {% url 'survivor' negative as n %}[{{ n }}]
{% translate "Log out" as label %}<b>{{ label }}</b> {% translate "Log out" noop %}
{% translate "Case facts"|upper %} {% translate "May" context "month name" %} {% translate message %}
{% translate "100%% <b>sure</b>" %} {% trans "Caseload" %}
{% autoescape off %}{% translate "100%% <b>sure</b>" %} {% url 'intake_step' 3 text %}{% endautoescape %}
"""


def _django_engine() -> Engine:
    """The same templates written by Django's own ``url`` and ``i18n`` tags."""
    return Engine(app_dirs=True, libraries={"i18n": "django.templatetags.i18n"})


def _ours():
    return engines["django"].engine


def _context(**extra):
    return {"pk": 12345, "case_pk": 7, "text": "a&b <c>", "negative": -3,
            "message": "Caseload", **extra}


@pytest.mark.parametrize("language", ["en", "km"])
def test_the_kept_tags_write_what_djangos_write(language):
    ours, theirs = _ours().from_string(TAGS), _django_engine().from_string(TAGS)
    with translation.override(language):
        first = ours.render(Context(_context()))
        second = ours.render(Context(_context(pk=9, case_pk=10**12)))
        assert first == theirs.render(Context(_context()))
        assert second == theirs.render(Context(_context(pk=9, case_pk=10**12)))
    assert "/survivors/12345/" in first and "/survivors/9/" in second
    assert "/cases/1000000000000/" in second


def test_khmer_and_english_are_kept_apart():
    template = _ours().from_string('{% load i18n %}{% translate "Log out" %}')
    with translation.override("km"):
        khmer = template.render(Context())
    with translation.override("en"):
        english = template.render(Context())
    assert english == "Log out" and khmer != english
    with translation.override("km"):
        assert template.render(Context()) == khmer


def test_a_missing_url_raises_as_djangos_tag_does():
    template = _ours().from_string("{% url 'no such view' %}")
    with pytest.raises(NoReverseMatch):
        template.render(Context())


def test_the_second_rendering_reverses_and_translates_nothing(monkeypatch):
    template = _ours().from_string(TAGS)
    with translation.override("km"):
        template.render(Context(_context()))
        reversals, lookups = [], []
        reverse_with_prefix = URLResolver._reverse_with_prefix
        gettext = trans_real.DjangoTranslation.gettext

        def counted_reverse(self, *args, **kwargs):
            reversals.append(args[0])
            return reverse_with_prefix(self, *args, **kwargs)

        def counted_gettext(self, message):
            lookups.append(message)
            return gettext(self, message)

        monkeypatch.setattr(URLResolver, "_reverse_with_prefix", counted_reverse)
        monkeypatch.setattr(trans_real.DjangoTranslation, "gettext", counted_gettext)
        template.render(Context(_context(pk=4, case_pk=5)))
    # Left to Django: a negative key (its converter refuses it) and a view that is not
    # there. The literals are not looked up again; a literal with a filter, a variable
    # message and a message with a context are, every time.
    assert sorted(map(str, reversals)) == ["no such view", "survivor"], reversals
    assert not {"Log out", "100% <b>sure</b>", "100%% <b>sure</b>"} & set(lookups), lookups
    assert lookups.count("Case facts") == 1 and lookups.count("Caseload") == 1, lookups
    assert "month name\x04May" in lookups


def test_changing_the_language_settings_forgets_kept_translations(settings):
    before = template_tags.catalogue_generation()
    settings.LANGUAGE_CODE = "km"
    assert template_tags.catalogue_generation() != before


def test_i18n_is_the_only_library_label_given_twice(settings):
    """``templates.W003`` is silenced for ``i18n`` alone: no other label names two modules."""
    from django.template.backends.django import get_template_tag_modules

    modules: dict[str, set[str]] = {}
    for name, path in get_template_tag_modules():
        modules.setdefault(name, set()).add(path)
    for engine in settings.TEMPLATES:
        for name, path in engine["OPTIONS"].get("libraries", {}).items():
            modules.setdefault(name, set()).add(path)
    assert [name for name, paths in modules.items() if len(paths) > 1] == ["i18n"]
