"""The screening questions, defined once: the screening page and the guided intake use this form.

Nothing ticked is *unknown*, never "no"; "None of these" is an answer.
"""

from __future__ import annotations

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from northstar.screening.rules import engine

NONE = "__none__"
TRI = [("unknown", _("Not known yet")), ("yes", _("Yes")), ("no", _("No"))]


#: The words of ``screening.toml``'s codes, to translate; a code added to the rules and not
#: here still shows, in English words made from the code.
WORDS = {
    "recruitment": _("Recruitment"), "transportation": _("Transportation"),
    "transfer": _("Transfer"), "harbouring": _("Harbouring"), "receipt": _("Receipt"),
    "threat": _("Threat"), "force": _("Force"), "coercion": _("Coercion"),
    "abduction": _("Abduction"), "fraud": _("Fraud"), "deception": _("Deception"),
    "abuse_of_power": _("Abuse of power"),
    "abuse_of_vulnerability": _("Abuse of vulnerability"),
    "payments_to_person_in_control": _("Payments to a person in control of the victim"),
    "sexual_exploitation": _("Sexual exploitation"), "forced_labour": _("Forced labour"),
    "forced_services": _("Forced services"), "slavery": _("Slavery"),
    "servitude": _("Servitude"), "removal_of_organs": _("Removal of organs"),
    "forced_criminality": _("Forced criminality"), "forced_marriage": _("Forced marriage"),
    "domestic_servitude": _("Domestic servitude"), "other_exploitation": _("Other exploitation"),
    "restriction_of_movement": _("Restriction of movement"), "isolation": _("Isolation"),
    "physical_and_sexual_violence": _("Physical and sexual violence"),
    "intimidation_and_threats": _("Intimidation and threats"),
    "retention_of_identity_documents": _("Retention of identity documents"),
    "withholding_of_wages": _("Withholding of wages"), "debt_bondage": _("Debt bondage"),
    "abusive_working_and_living_conditions": _("Abusive working and living conditions"),
    "excessive_overtime": _("Excessive overtime"),
    "entry": _("Entry into the country"),
    "visa_tied_to_employer": _("Visa or permit tied to one employer"),
    "documents_held_by_employer": _("Passport or papers held by the employer"),
    "recruitment_debt": _("Owes a recruitment debt"),
    "regular": _("Regular (with the papers the law asks for)"),
    "irregular": _("Irregular (without them)"), "yes": _("Yes"), "no": _("No"),
}


def _label(name: str) -> str:
    """The code's words in the active language (a plain string: callers join them)."""
    return str(WORDS[name]) if name in WORDS else name.replace("_", " ").capitalize()


def _choices(names: list[str]) -> list[tuple[str, str]]:
    return [(n, _label(n)) for n in names] + [(NONE, _("None of these (answered)"))]


class ScreeningForm(forms.Form):
    """The engine's questions, with the word lists read from ``screening.toml``."""

    age = forms.IntegerField(
        label=_("Age when it started (years)"),
        required=False,
        min_value=0,
        max_value=130,
        help_text=_("Leave empty if not known. Under 18: no means are needed."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        data = engine.rules()
        for key, label, names in (
            ("act", _("What was done to them (act)"), data["acts"]),
            ("means", _("How (means)"), data["means"]),
            ("purpose", _("For what (purpose)"), data["purposes"]),
        ):
            self.fields[key] = forms.MultipleChoiceField(
                label=label,
                choices=_choices(names),
                required=False,
                widget=forms.CheckboxSelectMultiple,
                help_text=_("Leave empty if not known yet."),
            )
        self.fields["involuntary"] = forms.ChoiceField(
            choices=TRI,
            initial="unknown",
            required=False,
            label=_("Was the work or service involuntary?"),
        )
        self.fields["menace_of_penalty"] = forms.ChoiceField(
            choices=TRI,
            initial="unknown",
            required=False,
            label=_("Was it exacted under threat of a penalty?"),
        )
        for name in engine.MIGRATION_KEYS:
            allowed = engine.MIGRATION_VALUES[name]
            self.fields[f"mig_{name}"] = forms.ChoiceField(
                choices=[("unknown", _("Not known yet"))]
                + [(v, _label(v)) for v in allowed if v != "unknown"],
                initial="unknown",
                required=False,
                label=format_lazy(_("Migration: {}"), _label(name)),
            )
        for name in data["indicators"]:
            self.fields[f"ind_{name}"] = forms.ChoiceField(
                choices=TRI,
                initial="unknown",
                required=False,
                label=format_lazy(_("ILO indicator: {}"), _label(name)),
            )

    def answers(self) -> dict:
        """The engine's answers: only what was actually answered."""
        c = self.cleaned_data
        out: dict = {}
        if c.get("age") is not None:
            out["age"] = c["age"]
        for key in ("act", "means", "purpose"):
            chosen = c.get(key) or []
            if chosen:
                out[key] = [v for v in chosen if v != NONE]
        for key in ("involuntary", "menace_of_penalty"):
            if c.get(key) in ("yes", "no"):
                out[key] = c[key] == "yes"
        indicators = {}
        for name in engine.rules()["indicators"]:
            value = c.get(f"ind_{name}")
            if value in ("yes", "no"):
                indicators[name] = value == "yes"
        if indicators:
            out["indicators"] = indicators
        migration = {
            name: c[f"mig_{name}"]
            for name in engine.MIGRATION_KEYS
            if c.get(f"mig_{name}") not in (None, "", "unknown")
        }
        if migration:
            out["migration"] = migration
        return out


REASON_FIELD = "confirm_downgrade_reason"
NOT_KNOWN = _("Not known yet")


class RescreeningForm(ScreeningForm):
    """The screening page's form: starts from the latest answers (``initial_from``), and asks
    for a reason only when the new classification would be lower than the case's latest."""

    def __init__(self, *args, ask_reason: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if ask_reason or (self.data and self.data.get(REASON_FIELD)):
            self.ask_reason()

    def ask_reason(self) -> None:
        if REASON_FIELD not in self.fields:
            self.fields[REASON_FIELD] = forms.CharField(
                label=_("Why is the classification lower than before?"),
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 3}),
                help_text="Kept on the screening and shown on the case page.",
            )

    def reason(self) -> str:
        return (self.cleaned_data.get(REASON_FIELD) or "").strip()


def initial_from(answers: dict | None) -> dict:
    """The form's initial values for stored ``answers``: a re-screening starts from them."""
    answers = answers or {}
    out: dict = {}
    if answers.get("age") is not None:
        out["age"] = answers["age"]
    for key in ("act", "means", "purpose"):
        if key in answers and answers[key] is not None:
            out[key] = list(answers[key]) or [NONE]
    for key in ("involuntary", "menace_of_penalty"):
        if isinstance(answers.get(key), bool):
            out[key] = "yes" if answers[key] else "no"
    for name, value in (answers.get("indicators") or {}).items():
        if isinstance(value, bool):
            out[f"ind_{name}"] = "yes" if value else "no"
    for name, value in (answers.get("migration") or {}).items():
        if value:
            out[f"mig_{name}"] = value
    return out


def _yes_no(value) -> str:
    if value is True:
        return gettext("Yes")
    if value is False:
        return gettext("No")
    return str(NOT_KNOWN)


def answer_lines(answers: dict | None) -> dict[str, str]:
    """Every question with its answer in words (``NOT_KNOWN`` when not answered)."""
    answers = answers or {}
    data = engine.rules()
    form = ScreeningForm()
    lines: dict[str, str] = {}
    age = answers.get("age")
    lines[str(form.fields["age"].label)] = str(age) if age is not None else str(NOT_KNOWN)
    for key in ("act", "means", "purpose"):
        chosen = answers.get(key)
        if chosen is None:
            text = str(NOT_KNOWN)
        else:
            text = ", ".join(_label(v) for v in chosen) or gettext("None of these")
        lines[str(form.fields[key].label)] = text
    for key in ("involuntary", "menace_of_penalty"):
        lines[str(form.fields[key].label)] = _yes_no(answers.get(key))
    for name in engine.MIGRATION_KEYS:
        value = (answers.get("migration") or {}).get(name)
        text = _label(value) if value and value != "unknown" else str(NOT_KNOWN)
        lines[str(form.fields[f"mig_{name}"].label)] = text
    for name in data["indicators"]:
        value = (answers.get("indicators") or {}).get(name)
        lines[str(form.fields[f"ind_{name}"].label)] = _yes_no(value)
    return lines


def changes(before: dict | None, after: dict | None) -> list[dict]:
    """What changed between two sets of answers: question, before, after — in words."""
    old, new = answer_lines(before), answer_lines(after)
    return [
        {"question": q, "before": old[q], "after": new[q]} for q in new if old.get(q) != new[q]
    ]


def _question_label(key: str) -> str:
    """``act``, ``indicators.isolation``, ``migration.entry`` → the form's question."""
    form = ScreeningForm()
    head, _, name = key.partition(".")
    field = {"indicators": f"ind_{name}", "migration": f"mig_{name}"}.get(head, head)
    if field in form.fields:
        return str(form.fields[field].label)
    return _label(key.replace(".", " "))


def _value_words(value: str) -> str:
    words = {"true": gettext("Yes"), "false": gettext("No"), "unknown": str(NOT_KNOWN)}
    return ", ".join(words.get(v.strip(), _label(v.strip())) for v in value.split(","))


def answer_words(line: str) -> str:
    """One engine reason line (``purpose: domestic_servitude``) in words."""
    key, sep, value = str(line).partition(":")
    if not sep:
        return _question_label(key.strip())
    return f"{_question_label(key.strip())}: {_value_words(value.strip())}"
