"""What a survivor reads or hears in the surveys and check-ins, for gettext.

``INSTRUMENT_TEXTS`` repeats every item text and scale label of
``rules/instruments.toml`` inside ``_()`` so ``makemessages`` finds them (a test keeps
the two equal); pages translate the TOML's text with ``gettext``. ``UI`` holds the
pages' own words. Same rules as ``portal/texts.py``: short sentences, everyday words,
nothing that reads as if help depends on answering.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

INSTRUMENT_TEXTS: tuple[Promise, ...] = (
    _("Over the last two weeks:"),
    _("I have felt cheerful and in good spirits."),
    _("I have felt calm and relaxed."),
    _("I have felt active and vigorous."),
    _("I woke up feeling fresh and rested."),
    _("My daily life has been filled with things that interest me."),
    _("Think about how you were treated by the people who handled your case."),
    _("I could tell my side of the story."),
    _("I could take part in decisions about my case."),
    _("The people deciding about my case were fair and did not take sides."),
    _("What happened in my case was explained so that I understood."),
    _("I was treated with respect and dignity."),
    _("I trust that the people handling my case cared about what happened to me."),
    _("All of the time"),
    _("Most of the time"),
    _("More than half of the time"),
    _("Less than half of the time"),
    _("Some of the time"),
    _("At no time"),
    _("Strongly agree"),
    _("Agree"),
    _("Neither agree nor disagree"),
    _("Disagree"),
    _("Strongly disagree"),
)

#: What each moment is called on the pages ("after your hearing").
MOMENTS: dict[str, Promise] = {
    "intake": _("After we first met"),
    "hearing": _("After a court hearing"),
    "mediation": _("After a mediation meeting"),
    "close": _("When your case was closed"),
    "follow_up": _("Some months later"),
}

#: Check-in answers, in the survivor's words.
SAFE: dict[str, Promise] = {"yes": _("Yes, I feel safe"), "no": _("No, I do not feel safe"),
                            "unsure": _("I am not sure")}
HOUSING: dict[str, Promise] = {
    "stable": _("I have a safe, steady place to live"),
    "unstable": _("My place to live is not steady"),
    "shelter": _("I live in a shelter"),
    "none": _("I have no place to live"),
}
INCOME: dict[str, Promise] = {
    "none": _("I have no income now"),
    "much_less": _("Much less than before"),
    "less": _("A little less than before"),
    "same": _("About the same as before"),
    "more": _("More than before"),
}
REEXPLOITED: dict[str, Promise] = {
    "no": _("No"), "yes": _("Yes"), "unknown": _("I do not know"),
}

UI: dict[str, Promise] = {
    "surveys_title": _("Tell us how you are"),
    "surveys_intro": _(
        "These short questions help us learn if our help works. Every question is optional."),
    "not_conditional": _(
        "Your help does not depend on your answers. You get the same help if you answer, "
        "skip a question or say nothing at all."),
    "rather_not_say": _("I'd rather not say"),
    "surveys_due": _("Questions waiting for you"),
    "surveys_none_due": _("There are no questions for you now."),
    "survey_save": _("Send my answers"),
    "survey_saved": _("Thank you. Your answers are saved."),
    "my_answers": _("My answers"),
    "my_answers_none": _("You have not answered any questions yet."),
    "answered_on": _("Answered on"),
    "withdraw": _("Delete my answers"),
    "withdraw_help": _("If you delete your answers, they are removed and not counted."),
    "withdrawn": _("Deleted. Your answers are removed."),
    "withdrawn_state": _("You deleted these answers."),
    "check_in_title": _("How are you doing now?"),
    "check_in_intro": _("Some months have passed since your case was closed. "
                        "We would like to know how you are."),
    "check_in_safe": _("Do you feel safe from the people who hurt you?"),
    "check_in_housing": _("Where do you live now?"),
    "check_in_income": _("How much money do you earn now, compared with before you were "
                         "exploited?"),
    "check_in_reexploited": _("Since we last talked, has anyone forced or tricked you into "
                              "work or something else again?"),
    "check_in_due": _("A check-in after your case closed"),
    "error": _("That did not work. Please try again or ask your caseworker."),
}


def all_messages() -> Iterator[tuple[str, Promise]]:
    """Every survivor-facing string of the surveys and check-ins, with a stable key."""
    for n, text in enumerate(INSTRUMENT_TEXTS):
        yield f"outcomes.instrument.{n}", text
    for group, table in (("moment", MOMENTS), ("safe", SAFE), ("housing", HOUSING),
                         ("income", INCOME), ("reexploited", REEXPLOITED), ("ui", UI)):
        for key, text in table.items():
            yield f"outcomes.{group}.{key}", text
