"""Reading the survey and check-in forms (portal and staff share them): posted values in,
clean answers out, or a ``DomainError`` naming the field."""

from __future__ import annotations

from django.utils.translation import gettext

from northstar.core.errors import DomainError
from northstar.outcomes import texts
from northstar.outcomes.actions import CHECK_IN_FIELDS
from northstar.outcomes.rules import instruments

CHECK_IN_TEXTS = {"safe": texts.SAFE, "housing": texts.HOUSING, "income": texts.INCOME,
                  "reexploited": texts.REEXPLOITED}
CHECK_IN_QUESTIONS = {"safe": "check_in_safe", "housing": "check_in_housing",
                      "income": "check_in_income", "reexploited": "check_in_reexploited"}


def survey_answers(moment: str, post) -> dict[str, int | None]:
    """Each item of the moment's survey: its value, or None for "I'd rather not say"
    (sent as empty) or no answer."""
    answers: dict[str, int | None] = {}
    for _key, item in instruments.items_of(moment):
        raw = (post.get(item.id) or "").strip()
        if not raw:
            answers[item.id] = None
            continue
        try:
            answers[item.id] = int(raw)
        except ValueError:
            raise DomainError("Choose one of the answers shown.", item.id) from None
    return answers


def survey_questions(moment: str, chosen: dict | None = None) -> list[dict]:
    """The moment's instruments, translated into the active language, for a template."""
    chosen = chosen or {}
    out = []
    for key in instruments.moment(moment).instruments:
        inst = instruments.instrument(key)
        points = instruments.scale(inst.scale).points
        out.append({"key": key, "intro": gettext(inst.intro), "items": [
            {"id": item.id, "text": gettext(item.text), "chosen": str(chosen.get(item.id) or ""),
             "points": [{"value": str(p.value), "label": gettext(p.label)} for p in points]}
            for item in inst.items]})
    return out


def check_in_answers(post) -> dict[str, str]:
    return {name: (post.get(name) or "").strip() for name in CHECK_IN_FIELDS}


def check_in_questions(chosen: dict | None = None) -> list[dict]:
    chosen = chosen or {}
    return [{"name": name, "question": texts.UI[CHECK_IN_QUESTIONS[name]],
             "chosen": chosen.get(name, ""),
             "choices": [(value, CHECK_IN_TEXTS[name][value]) for value in choices.values]}
            for name, choices in CHECK_IN_FIELDS.items()]
