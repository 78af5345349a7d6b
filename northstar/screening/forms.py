"""The screening questions, defined once: the screening page and the guided intake use this form.

Nothing ticked is *unknown*, never "no"; "None of these" is an answer.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from northstar.screening.rules import engine

NONE = "__none__"
TRI = [("unknown", _("Not known yet")), ("yes", _("Yes")), ("no", _("No"))]


def _label(name: str) -> str:
    return name.replace("_", " ").capitalize()


def _choices(names: list[str]) -> list[tuple[str, str]]:
    return [(n, _label(n)) for n in names] + [(NONE, "None of these (answered)")]


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
            ("act", "What was done to them (act)", data["acts"]),
            ("means", "How (means)", data["means"]),
            ("purpose", "For what (purpose)", data["purposes"]),
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
                label=f"Migration: {_label(name).lower()}",
            )
        for name in data["indicators"]:
            self.fields[f"ind_{name}"] = forms.ChoiceField(
                choices=TRI,
                initial="unknown",
                required=False,
                label=f"ILO indicator: {_label(name).lower()}",
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
