"""The screening form. Nothing ticked is *unknown*; "none of these" is an answer."""

from __future__ import annotations

from django import forms

from northstar.screening.rules import engine

NONE = "__none__"
TRI = [("unknown", "Unknown / not asked"), ("yes", "Yes"), ("no", "No")]


def _label(name: str) -> str:
    return name.replace("_", " ").capitalize()


def _choices(names: list[str]) -> list[tuple[str, str]]:
    return [(n, _label(n)) for n in names] + [(NONE, "None of these (answered)")]


class ScreeningForm(forms.Form):
    age = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=130,
        help_text="Leave empty if unknown. Under 18: no means are needed.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        data = engine.rules()
        for key, names, help_text in (
            ("act", data["acts"], "What was done to the person. Nothing ticked = unknown."),
            ("means", data["means"], "How. Nothing ticked = unknown."),
            ("purpose", data["purposes"], "For what purpose. Nothing ticked = unknown."),
        ):
            self.fields[key] = forms.MultipleChoiceField(
                choices=_choices(names),
                required=False,
                widget=forms.CheckboxSelectMultiple,
                help_text=help_text,
            )
        self.fields["involuntary"] = forms.ChoiceField(
            choices=TRI, initial="unknown", required=False, label="Did not take the work on freely"
        )
        self.fields["menace_of_penalty"] = forms.ChoiceField(
            choices=TRI,
            initial="unknown",
            required=False,
            label="Work exacted under threat of a penalty",
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
        return out
