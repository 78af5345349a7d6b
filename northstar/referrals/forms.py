"""Forms for the directory search, the CSV upload and a new referral."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from northstar.core.jurisdictions import Jurisdiction
from northstar.core.models import Organisation
from northstar.referrals.models import Service
from northstar.referrals.vocabulary import (
    DEFAULT_SHARED_FIELDS,
    POPULATIONS,
    SERVICE_KINDS,
    SHAREABLE_FIELDS,
    URGENCIES,
)


def _choices(d: dict, blank: str | None = None):
    out = [(k, v) for k, v in d.items()]
    return ([("", blank)] if blank is not None else []) + out


class ServiceSearchForm(forms.Form):
    need = forms.ChoiceField(label=_("Need"), choices=_choices(SERVICE_KINDS, "any"), required=False)
    jurisdiction = forms.ChoiceField(label=_("Country"), required=False,
                                     choices=[("", _("any")), *Jurisdiction.choices])
    area = forms.CharField(label=_("Area"), max_length=100, required=False)
    language = forms.RegexField(label=_("Language (ISO 639)"), regex=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$",
                                required=False, max_length=12)
    serves = forms.ChoiceField(label=_("Serves"), choices=_choices(POPULATIONS, "anyone"),
                               required=False)
    trauma_informed = forms.BooleanField(label=_("Trauma-informed only"), required=False)
    no_curfew = forms.BooleanField(label=_("No curfew or movement restrictions"), required=False)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file"))


class ReferralForm(forms.Form):
    service = forms.ModelChoiceField(label=_("Service"), queryset=None, required=False,
                                     help_text=_("The recipient is the service's provider."))
    recipient = forms.ModelChoiceField(label=_("Recipient organisation"), queryset=None,
                                       required=False,
                                       help_text=_("Only when no service is chosen. A referral "
                                                   "to the police or a prosecutor also needs "
                                                   "the survivor's consent to share with law "
                                                   "enforcement, naming that organisation."))
    urgency = forms.ChoiceField(label=_("Urgency"), choices=_choices(URGENCIES), initial="routine")
    needs = forms.MultipleChoiceField(label=_("Needs"), choices=_choices(SERVICE_KINDS),
                                      widget=forms.CheckboxSelectMultiple, required=False)
    shared_fields = forms.MultipleChoiceField(
        label=_("What the recipient may see"), choices=_choices(SHAREABLE_FIELDS),
        widget=forms.CheckboxSelectMultiple, initial=sorted(DEFAULT_SHARED_FIELDS),
        help_text=_("Share as little as the service needs. The reference code is always shared."))
    message = forms.CharField(label=_("Message to the recipient"), widget=forms.Textarea,
                              max_length=2000, required=False)

    def __init__(self, *args, organisation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipient"].queryset = Organisation.objects.exclude(pk=organisation.pk)
        self.fields["service"].queryset = Service.objects.filter(active=True).select_related(
            "provider")


class StepForm(forms.Form):
    reason = forms.CharField(label=_("Reason or note"), max_length=500, required=False)
