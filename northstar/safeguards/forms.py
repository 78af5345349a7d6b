"""The Do No Harm form: the action and what only the person recording it knows.

Facts the case record holds (age, consents, interpreter need, exploitation…)
are filled from the record; fields here add to it.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from northstar.safeguards.rules import engine

TRI = [("", _("Unknown")), ("yes", _("Yes")), ("no", _("No"))]
#: Context keys the case record supplies; not asked on the form.
FROM_RECORD = frozenset(
    {
        "age",
        "consents",
        "exploitation",
        "coercion",
        "fears_retaliation_at_home",
        "preferred_language",
        "screening",
    }
)


#: Actions and context keys of survivor engagement (issue 16): checked per participant by
#: ``northstar.engagement.participation`` before each activity, not proposed on a case.
ENGAGEMENT_ONLY_ACTIONS = frozenset({"engage_in_activity", "publish_testimony"})
ENGAGEMENT_ONLY_KEYS = frozenset({
    "support_person_named", "briefing_done", "debriefing_planned", "right_to_withdraw_stated",
    "offender_may_be_present", "asked_to_tell_own_story", "chose_to_tell_own_story",
    "chose_to_be_named", "public", "guardian_consent", "best_interest_recorded"})


class SafeguardForm(forms.Form):
    action = forms.ChoiceField(choices=[])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", _("—"))] + [
            (k, v) for k, v in engine.actions().items() if k not in ENGAGEMENT_ONLY_ACTIONS
        ]
        for name, spec in engine.context_keys().items():
            if name in FROM_RECORD or name in ENGAGEMENT_ONLY_KEYS:
                continue
            label = name.replace("_", " ").capitalize()
            if spec["type"] == "bool":
                field = forms.ChoiceField(choices=TRI, required=False, label=label)
            elif spec["type"] == "int":
                field = forms.IntegerField(required=False, min_value=0, label=label)
            elif spec["type"] == "list":
                field = forms.MultipleChoiceField(
                    choices=[(c, c) for c in spec.get("choices", [])],
                    required=False,
                    widget=forms.CheckboxSelectMultiple,
                    label=label,
                )
            elif spec.get("choices"):
                field = forms.ChoiceField(
                    choices=[("", _("unknown"))] + [(c, c.replace("_", " ")) for c in spec["choices"]],
                    required=False,
                    label=label,
                )
            else:
                field = forms.CharField(required=False, max_length=20, label=label)
            field.help_text = spec["description"]
            self.fields[f"ctx_{name}"] = field
        self.fields["justification"] = forms.CharField(
            required=False,
            max_length=4000,
            widget=forms.Textarea(attrs={"rows": 3}),
            help_text=_("Only a supervisor can record an action a safeguard blocks, and must say "
            "why; some blocks ask for a longer reason, and some can be overridden by nobody."),
        )
        self.fields["second_supervisor_id"] = forms.IntegerField(
            required=False,
            min_value=1,
            label=_("Second supervisor (user id)"),
            help_text=_("Only where a block needs two supervisors: another supervisor of your "
            "organisation who confirms the override."),
        )

    def context(self) -> dict:
        out: dict = {}
        for name, spec in engine.context_keys().items():
            key = f"ctx_{name}"
            if key not in self.fields:
                continue
            value = self.cleaned_data.get(key)
            if value in (None, "", []):
                continue
            out[name] = (value == "yes") if spec["type"] == "bool" else value
        return out


class ResolveForm(forms.Form):
    status = forms.ChoiceField(
        choices=[
            ("", _("—")),
            ("resolved", _("Resolved: the risk was dealt with")),
            ("overridden", _("Overridden (supervisor)")),
        ]
    )
    justification = forms.CharField(max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))
    second_supervisor_id = forms.IntegerField(required=False, min_value=1)
