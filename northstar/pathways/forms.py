"""Pathway forms. Meaning is checked in the actions; these parse and label.

The wishes and priorities forms are defined here once: the pathways pages and
the guided intake ask the survivor the same questions in the same words.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from northstar.pathways.models import Outcome, PlanStatus

OUTCOMES = Outcome.choices
TRI = [("unknown", _("Not known yet")), ("yes", _("Yes")), ("no", _("No"))]
ADVOCACY = [
    ("", _("Not asked yet")),
    ("none", _("Does not want to take part")),
    ("anonymous", _("Anonymously")),
    ("public", _("Under their own name")),
]
RANKS = [("", _("—")), ("1", _("1 (most important)")), ("2", _("2")), ("3", _("3"))]


class WishesForm(forms.Form):
    """What the survivor wants that decides which pathways fit them; unasked stays unknown."""

    reconcile = forms.ChoiceField(
        choices=TRI,
        initial="unknown",
        required=False,
        label=_("Do they want to reconcile with family or community members involved?"),
        help_text=_("Only ask if they raise it themselves."),
    )
    advocacy = forms.ChoiceField(
        choices=ADVOCACY, required=False, label=_("Taking part in advocacy")
    )
    livelihood_interests = forms.CharField(
        label=_("Work or skills they are interested in"),
        required=False,
        max_length=300,
        help_text=_("Comma-separated, in their words: e.g. tailoring, cooking"),
    )

    def wishes(self) -> dict:
        c = self.cleaned_data
        out: dict = {}
        if c.get("reconcile") in ("yes", "no"):
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
    """The survivor ranks the three outcomes and says, in their words, what matters."""

    words = forms.CharField(
        label=_("In the survivor's own words"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What they want, written as they said it. Sealed; opening it later is logged."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        ranks = {
            f"rank_{key}": forms.ChoiceField(
                label=f"Rank of “{label}”",
                choices=RANKS,
                error_messages={"required": "Give each outcome a rank from 1 to 3."},
            )
            for key, label in OUTCOMES
        }
        self.fields = {**ranks, "words": self.fields["words"]}

    @staticmethod
    def initial_for(ranking: list[str]) -> dict:
        """The form's initial ranks for a ranking already recorded."""
        return {f"rank_{key}": str(i) for i, key in enumerate(ranking, start=1)}

    def clean(self):
        data = super().clean()
        seen: dict[str, str] = {}
        for key, _label in OUTCOMES:
            rank = data.get(f"rank_{key}")
            if rank and rank in seen:
                self.add_error(f"rank_{key}", "Each rank can be used once; this one is taken.")
            elif rank:
                seen[rank] = key
        return data

    def ranking(self) -> list[str]:
        return [
            key
            for key, _ in sorted(OUTCOMES, key=lambda o: int(self.cleaned_data[f"rank_{o[0]}"]))
        ]


class PlanItemForm(forms.Form):
    intervention = forms.ChoiceField(choices=[])
    note = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, offered: list[dict] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["intervention"].choices = [("", "—")] + [
            (i["key"], f"{i.get('title') or i['key'].replace('_', ' ').capitalize()} "
                       f"({i['eligibility'].replace('_', ' ')})")
            for i in offered
        ]


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=[("", "—"), *PlanStatus.choices])
    note = forms.CharField(required=False, max_length=2000)
