"""Forms for the organisation's profile, its services and its people. No form lists
another organisation's users: a new person is created here, in this organisation."""

from __future__ import annotations

import re

from django import forms
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from northstar.core import places
from northstar.core.models import Organisation
from northstar.core.place_fields import languages_field
from northstar.core.roles import Role
from northstar.referrals.vocabulary import JURISDICTIONS, POPULATIONS, SERVICE_KINDS


class ListField(forms.CharField):
    """A list typed as text, items separated by ``;`` or ``,``."""

    def __init__(self, *, allowed=None, pattern=None, upper=False, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 1000)
        super().__init__(**kwargs)
        self.allowed, self.pattern, self.upper = allowed, pattern, upper

    def prepare_value(self, value):
        return "; ".join(value) if isinstance(value, list | tuple) else value

    def clean(self, value):
        text = super().clean(value)
        items = [p.strip() for p in re.split(r"[;,|]", text or "") if p.strip()]
        items = list(dict.fromkeys(i.upper() if self.upper else i for i in items))
        bad = [i for i in items if (self.allowed is not None and i not in self.allowed)
               or (self.pattern is not None and not self.pattern.match(i))
               or len(i) > 100]
        if bad:
            raise ValidationError(_("Not recognised: %(items)s"), params={"items": ", ".join(bad)})
        return items


class OrganisationForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=Organisation.Kind.choices)
    contact = forms.CharField(label=_("Contact (phone, address)"), max_length=300,
                              required=False)
    require_two_factor = forms.BooleanField(
        label=_("Everyone signs in with a second factor"), required=False,
        help_text=_("Supervisors and administrators always do."))

    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if Organisation.objects.filter(name__iexact=name).exclude(pk=self.organisation.pk).exists():
            raise ValidationError(_("Another organisation has this name."))
        return name


class ProviderProfileForm(forms.Form):
    areas_served = ListField(label=_("Areas served"), help_text=_("Separate with ;"))
    contact_name = forms.CharField(label=_("Contact person"), max_length=150, required=False)
    contact_email = forms.EmailField(label=_("Contact email"), max_length=200, required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=50, required=False)
    website = forms.URLField(label=_("Website"), max_length=200, required=False,
                             assume_scheme="https")
    notes = forms.CharField(label=_("Notes for people referring"), max_length=500,
                            required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ServiceForm(forms.Form):
    kind = forms.ChoiceField(label=_("Service"), choices=[("", "—"), *SERVICE_KINDS.items()])
    name = forms.CharField(label=_("Name"), max_length=200)
    jurisdictions = forms.MultipleChoiceField(
        label=_("Countries"), widget=forms.CheckboxSelectMultiple,
        choices=lambda: [(j, places.country_name(j, get_language())) for j in JURISDICTIONS],
        error_messages={"invalid_choice": _("Choose a country from the list.")})
    areas = ListField(label=_("Areas"))
    languages = languages_field(label=_("Languages"), required=True,
                                help_text=_("Hold Ctrl (or Cmd) to choose more than one."))
    # Ticked, in the reader's language (it was typed as codes: "children; women"); the
    # service keeps the codes (``referrals.vocabulary.POPULATIONS``).
    serves = forms.MultipleChoiceField(
        label=_("Serves (empty: everyone)"), required=False,
        widget=forms.CheckboxSelectMultiple, choices=lambda: list(POPULATIONS.items()))
    trauma_informed = forms.BooleanField(label=_("Trauma-informed"), required=False)
    curfew = forms.BooleanField(label=_("Curfew"), required=False)
    movement_restrictions = forms.CharField(label=_("Movement restrictions"), max_length=300,
                                            required=False)
    capacity = forms.IntegerField(label=_("Capacity"), min_value=0, max_value=100000,
                                  required=False)
    waiting_days = forms.IntegerField(label=_("Waiting days"), min_value=0, max_value=100000,
                                      required=False)
    contact = forms.CharField(label=_("Contact"), max_length=300, required=False)
    active = forms.BooleanField(label=_("Offered now (untick to withdraw)"), required=False,
                                initial=True)


class NewMemberForm(forms.Form):
    """A new person in this organisation. There is no list of existing users to pick from."""

    username = forms.CharField(label=_("Username"), max_length=150,
                               validators=[UnicodeUsernameValidator()])
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    role = forms.ChoiceField(label=_("Role"), choices=[("", "—"), *Role.choices])


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class FigureSharingForm(forms.Form):
    """Who sees the organisation's figures (counts only, never a record): its jurisdiction's
    roll-up, and funders it names (issue 15 §2)."""

    contributes = forms.BooleanField(
        required=False, label=_("Contribute our counts to our country's roll-up"),
        help_text=_("The government of our country sees the sum of the counts of every "
                    "organisation that contributes, never ours alone and never a record."))
    funders = forms.ModelMultipleChoiceField(
        queryset=Organisation.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Share our figures with these funders"),
        help_text=_("A funder sees our figures beside those of the others that share with "
                    "it. Cells resting on fewer than 11 survivors are hidden, counts are "
                    "rounded to 5, and only survivors who consented to statistics are "
                    "counted."))

    def __init__(self, *args, funders=None, **kwargs):
        super().__init__(*args, **kwargs)
        if funders is not None:
            self.fields["funders"].queryset = funders
