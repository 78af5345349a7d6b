"""Pathway pages' forms. Meaning is checked in the actions; these parse and label."""

from __future__ import annotations

from django import forms

from northstar.pathways.models import Outcome, PlanStatus

TRI = [("", "Not asked yet"), ("yes", "Yes"), ("no", "No")]
ADVOCACY = [
    ("", "Not asked yet"),
    ("none", "Does not want to take part"),
    ("anonymous", "Anonymously"),
    ("public", "Under their own name"),
]


class WishesForm(forms.Form):
    reconcile = forms.ChoiceField(
        choices=TRI,
        required=False,
        label="Wants to reconcile with the offender",
        help_text="Only ask if they raise it themselves.",
    )
    advocacy = forms.ChoiceField(
        choices=ADVOCACY, required=False, label="Wants to take part in advocacy"
    )
    livelihood_interests = forms.CharField(
        required=False,
        max_length=300,
        help_text="Comma-separated, in their words: e.g. tailoring, cooking",
    )

    def wishes(self) -> dict:
        c = self.cleaned_data
        out: dict = {}
        if c.get("reconcile"):
            out["reconcile"] = c["reconcile"] == "yes"
        if c.get("advocacy"):
            out["advocacy"] = c["advocacy"]
        interests = [
            x.strip() for x in (c.get("livelihood_interests") or "").split(",") if x.strip()
        ]
        if interests:
            out["livelihood_interests"] = interests
        return out


class PrioritiesForm(forms.Form):
    first = forms.ChoiceField(choices=Outcome.choices, label="Matters most")
    second = forms.ChoiceField(choices=Outcome.choices, label="Second")
    third = forms.ChoiceField(choices=Outcome.choices, label="Third")
    words = forms.CharField(
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        label="In their own words",
        help_text="Sealed; opening it later is logged.",
    )

    def ranking(self) -> list[str]:
        return [self.cleaned_data[k] for k in ("first", "second", "third")]


class PlanItemForm(forms.Form):
    intervention = forms.ChoiceField(choices=[])
    note = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, offered: list[dict] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["intervention"].choices = [
            (i["key"], f"{i.get('title', i['key'])} ({i['eligibility']})") for i in offered
        ]


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=PlanStatus.choices)
    note = forms.CharField(required=False, max_length=2000)
