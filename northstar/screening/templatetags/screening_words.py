"""Screening answers in words on pages: never an engine key such as ``indicators.isolation``."""

from django import template

from northstar.screening.forms import _question_label, answer_words

register = template.Library()


@register.filter
def answer_in_words(line) -> str:
    return answer_words(line)


@register.filter
def questions_in_words(keys) -> str:
    return "; ".join(_question_label(str(k)) for k in keys or ())
