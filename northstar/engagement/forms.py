"""The coordinator's forms. Every select starts on "—": nothing is chosen for anyone."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from northstar.engagement.models import (
    ActivityKind,
    OutreachKind,
    OutreachLeader,
    OutreachTopic,
    PaymentMethod,
)

BLANK = [("", "—")]
YES_NO_UNKNOWN = [("", _("Not asked yet")), ("no", _("No")), ("yes", _("Yes"))]


class ActivityForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of activity"), choices=BLANK + ActivityKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    starts_at = forms.DateTimeField(label=_("Starts at"),
                                    widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    hours = forms.DecimalField(label=_("Hours"), min_value=0.25, max_value=24, decimal_places=2,
                               initial=2)
    place = forms.CharField(label=_("Place (a venue, never a survivor's address)"),
                            max_length=200, required=False)
    council = forms.TypedChoiceField(label=_("Council or committee"), required=False,
                                     coerce=int, empty_value=None, choices=BLANK)
    public = forms.BooleanField(label=_("Open to the public or the media"), required=False)
    asks_for_own_story = forms.BooleanField(
        label=_("Participants are asked to tell their own story"), required=False)
    offender_may_be_present = forms.ChoiceField(
        label=_("Could a participant's offender, or people close to them, be present?"),
        choices=YES_NO_UNKNOWN, required=False)

    def __init__(self, *args, councils=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["council"].choices = BLANK + [(c.pk, c.name) for c in councils]


class CouncilForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=BLANK + [
        (ActivityKind.ADVISORY_COUNCIL.value, ActivityKind.ADVISORY_COUNCIL.label),
        (ActivityKind.NATIONAL_COMMITTEE.value, ActivityKind.NATIONAL_COMMITTEE.label)])


class PaymentForm(forms.Form):
    survivor = forms.IntegerField(widget=forms.HiddenInput)
    amount = forms.DecimalField(label=_("Amount"), min_value=0.01, decimal_places=4,
                                max_value=Decimal("9999999999.9999"))
    currency = forms.CharField(label=_("Currency"), max_length=3, min_length=3)
    method = forms.ChoiceField(label=_("Paid by"), choices=BLANK + PaymentMethod.choices)
    account_details = forms.CharField(
        label=_("Phone or account number (sealed; leave empty for cash)"), max_length=200,
        required=False)
    on = forms.DateField(label=_("Paid on"), widget=forms.DateInput(attrs={"type": "date"}))


class RateForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of activity"), choices=BLANK + ActivityKind.choices)
    currency = forms.CharField(label=_("Currency"), max_length=3, min_length=3)
    per_hour = forms.DecimalField(label=_("Per hour"), min_value=0, decimal_places=4,
                                  max_value=Decimal("99999999.9999"))


class ConsultationForm(forms.Form):
    question = forms.CharField(label=_("What was asked"), max_length=500,
                               widget=forms.Textarea(attrs={"rows": 2}))
    held_on = forms.DateField(label=_("When"), widget=forms.DateInput(attrs={"type": "date"}))
    activity = forms.TypedChoiceField(label=_("At which activity"), required=False, coerce=int,
                                      empty_value=None, choices=BLANK)
    others_consulted = forms.IntegerField(
        label=_("Others consulted otherwise (a count, e.g. a survey)"), min_value=0,
        max_value=100000, initial=0)

    def __init__(self, *args, activities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["activity"].choices = BLANK + [(a.pk, str(a)) for a in activities]


class ChangeForm(forms.Form):
    consultation = forms.IntegerField(widget=forms.HiddenInput)
    what_changed = forms.CharField(label=_("What changed because of it"), max_length=500)
    changed_on = forms.DateField(label=_("When"), widget=forms.DateInput(attrs={"type": "date"}))


class OutreachForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of session"), choices=BLANK + OutreachKind.choices)
    held_on = forms.DateField(label=_("When"), widget=forms.DateInput(attrs={"type": "date"}))
    place = forms.CharField(label=_("Place (village, district or venue)"), max_length=200)
    topics = forms.MultipleChoiceField(label=_("Topics"), choices=OutreachTopic.choices,
                                       widget=forms.CheckboxSelectMultiple, required=False)
    audience_women = forms.IntegerField(label=_("Women reached"), min_value=0, initial=0)
    audience_men = forms.IntegerField(label=_("Men reached"), min_value=0, initial=0)
    audience_children = forms.IntegerField(label=_("Children reached"), min_value=0, initial=0)
    at_risk_families = forms.IntegerField(label=_("At-risk families counselled"), min_value=0,
                                          initial=0)
    led_by = forms.ChoiceField(label=_("Led by"), choices=BLANK + OutreachLeader.choices)
    leader_pseudonym = forms.CharField(
        label=_("The survivor changemaker's chosen name (pseudonym)"), max_length=60,
        required=False)
