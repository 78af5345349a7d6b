"""Page forms. Validation of meaning lives in the actions; these parse and label."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from northstar.core.models import Organisation
from northstar.core.place_fields import country_field, language_field, languages_field
from northstar.survivors import models as m
from northstar.survivors.validation import (
    EARLIEST_BIRTH_YEAR,
    PERSONAL_TEXT,
    SUMMARY_MAX,
)


def _personal(name: str, **kwargs) -> forms.CharField:
    """A sealed personal text field, its limit taken from ``survivors.validation``."""
    return forms.CharField(max_length=PERSONAL_TEXT[name], required=False, **kwargs)


def _unknown_first(choices, **kwargs) -> forms.ChoiceField:
    """A yes/no/unknown question: "not known yet" is chosen until someone answers.

    Not required, so an older form without it still posts; blank stays "unknown".
    """
    return forms.ChoiceField(choices=choices.choices, initial="unknown", required=False, **kwargs)


class SurvivorForm(forms.Form):
    given_name = _personal("given_name")
    family_name = _personal("family_name")
    aliases = _personal("aliases")
    date_of_birth = forms.DateField(required=False, help_text=_("YYYY-MM-DD"),
                                    widget=forms.DateInput(attrs={"type": "date"}))
    birth_year = forms.IntegerField(required=False, min_value=EARLIEST_BIRTH_YEAR,
                                    help_text=_("if the exact date is not known"))
    sex = forms.ChoiceField(choices=m.Sex.choices, initial=m.Sex.UNKNOWN)
    gender = forms.ChoiceField(choices=m.Gender.choices, initial=m.Gender.UNKNOWN)
    nationality = country_field(label=_("Nationality"))
    languages = languages_field(label=_("Languages spoken"),
                                help_text=_("Hold Ctrl (or Cmd) to choose more than one."))
    preferred_language = language_field(label=_("Preferred language"), required=True)
    interpreter_needed = forms.BooleanField(required=False)
    phone = _personal("phone")
    address = _personal("address", widget=forms.Textarea(attrs={"rows": 2}))
    id_document_numbers = _personal("id_document_numbers")
    contact_notes = _personal("contact_notes", widget=forms.Textarea(attrs={"rows": 3}))
    family_involved = _unknown_first(
        m.YesNoUnknown, label=_("Is a family member involved in the trafficking?"),
        help_text=_("Ask. Until someone answers, a parent or relative cannot consent for a "
                    "child."))

    #: Something by which the survivor can be told apart and found again.
    IDENTIFYING = ("given_name", "family_name", "aliases", "date_of_birth", "birth_year",
                   "phone", "id_document_numbers")

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not any(cleaned.get(name) not in (None, "")
                                       for name in self.IDENTIFYING):
            raise forms.ValidationError(
                _("Enter at least a name, an alias, a phone number or a date or year of birth: "
                  "a record with none of them cannot be found again."),
                code="blank_record")
        return cleaned

    def data_for_action(self) -> dict:
        data = dict(self.cleaned_data)
        if not data.get("family_involved"):
            data.pop("family_involved", None)
        data["languages"] = list(data.get("languages") or [])
        data["nationality"] = data.get("nationality") or ""
        if data.get("date_of_birth"):
            data["date_of_birth"] = data["date_of_birth"].isoformat()
        else:
            data.pop("date_of_birth", None)
        if data.get("birth_year") is None:
            data.pop("birth_year", None)
        return data


class CaseForm(forms.Form):
    forms_of_exploitation = forms.MultipleChoiceField(
        choices=m.ExploitationForm.choices, widget=forms.CheckboxSelectMultiple
    )
    sectors = forms.MultipleChoiceField(choices=m.Sector.choices, required=False,
                                        widget=forms.CheckboxSelectMultiple)
    country_of_origin = country_field(label=_("Country of origin"))
    country_of_destination = country_field(label=_("Country of destination"))
    period_start = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    period_end = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    recruitment_method = forms.ChoiceField(choices=m.RecruitmentMethod.choices,
                                           initial=m.RecruitmentMethod.UNKNOWN)
    relationship_to_offender = forms.ChoiceField(choices=m.Relationship.choices,
                                                 initial=m.Relationship.UNKNOWN)
    coercion = forms.ChoiceField(choices=m.Coercion.choices, initial=m.Coercion.UNKNOWN)
    trial_participation = forms.ChoiceField(choices=m.TrialParticipation.choices,
                                            initial=m.TrialParticipation.UNDECIDED)
    # Migration status (issue 11 §7): non-identifying facts the engines read.
    entry = _unknown_first(m.Entry, label=_("How did they enter the country?"))
    visa_tied_to_employer = _unknown_first(
        m.YesNoUnknown, label=_("Is their visa or work permit tied to one employer?"))
    documents_held_by_employer = _unknown_first(
        m.YesNoUnknown, label=_("Does the employer hold their passport or papers?"))
    recruitment_debt = _unknown_first(
        m.YesNoUnknown, label=_("Do they owe a debt for their recruitment or travel?"))
    summary = forms.CharField(required=False, max_length=SUMMARY_MAX,
                              widget=forms.Textarea(attrs={"rows": 4}))

    def data_for_action(self) -> dict:
        data = dict(self.cleaned_data)
        return {k: v for k, v in data.items() if v not in (None, "") or k == "summary"}


class ConsentForm(forms.Form):
    purpose = forms.ChoiceField(choices=[("", _("—")), *m.ConsentPurpose.choices])
    recipient = forms.ModelChoiceField(queryset=Organisation.objects.all(), required=False,
                                       help_text=_("required for a referral consent; for "
                                                   "sharing with law enforcement, name the "
                                                   "police or prosecution office"))
    language = language_field(required=True, help_text=_("the language it was explained in"))
    interpreter_used = forms.BooleanField(required=False)
    method = forms.ChoiceField(choices=[c for c in m.ConsentMethod.choices if c[0] != "portal"])
    given_by = forms.ChoiceField(choices=m.ConsentGivenBy.choices)
    guardian_relationship = forms.ChoiceField(
        label=_("If a parent or guardian gave it: who are they to the child?"),
        choices=[("", _("—")), *m.GuardianRelationship.choices], required=False,
        help_text=_("A family member cannot consent while the family may be involved in the "
                    "trafficking; ask a guardian ad litem or the social worker."))
    guardian_name = forms.CharField(label=_("Name of the parent or guardian"), max_length=200,
                                    required=False, help_text=_("Sealed like personal data."))
    scope_note = forms.CharField(max_length=500, required=False)


class WithdrawForm(forms.Form):
    reason = forms.CharField(max_length=500, required=False)


#: Purposes asked about at intake. A referral consent names its recipient, so it
#: is asked when a referral is made, not here; engagement (councils, training, peer
#: support) is asked when an activity is offered, later in recovery, never in the first
#: conversation (seed 002: survivors engage when they are ready); linking an intelligence
#: report to the case is asked only when she has told something worth reporting.
INTAKE_CONSENT_PURPOSES = [p for p in m.ConsentPurpose.values
                           if p not in m.PURPOSES_NEEDING_RECIPIENT
                           and p not in (m.ConsentPurpose.ENGAGEMENT,
                                         m.ConsentPurpose.INTELLIGENCE_LINK)]
AGREES = [("yes", _("Agrees")), ("no", _("Does not agree"))]


class IntakeConsentForm(forms.Form):
    """One yes/no per purpose, each after its explanation was read aloud."""

    language = language_field(required=True, help_text=_("the language it was explained in"))
    interpreter_used = forms.BooleanField(required=False)
    method = forms.ChoiceField(choices=[c for c in m.ConsentMethod.choices if c[0] != "portal"])
    given_by = forms.ChoiceField(choices=m.ConsentGivenBy.choices)
    guardian_relationship = forms.ChoiceField(
        label=_("If a parent or guardian gave it: who are they to the child?"),
        choices=[("", _("—")), *m.GuardianRelationship.choices], required=False,
        help_text=_("A family member cannot consent while the family may be involved in the "
                    "trafficking; ask a guardian ad litem or the social worker."))
    guardian_name = forms.CharField(label=_("Name of the parent or guardian"), max_length=200,
                                    required=False, help_text=_("Sealed like personal data."))

    def __init__(self, *args, purposes=(), **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(m.ConsentPurpose.choices)
        for purpose in purposes:
            self.fields[f"purpose_{purpose}"] = forms.ChoiceField(
                label=labels[purpose], choices=AGREES, widget=forms.RadioSelect,
                error_messages={"required": "Ask the survivor and record their answer."},
            )

    def purpose_fields(self):
        return [self[name] for name in self.fields if name.startswith("purpose_")]

    def detail_fields(self):
        return [self[name] for name in self.fields if not name.startswith("purpose_")]

    def clean(self):
        data = super().clean()
        if "purpose_case_management" in self.fields and \
                data.get("purpose_case_management") == "no":
            self.add_error("purpose_case_management",
                           "Without consent to case management the organisation may not keep "
                           "this record. Stop here, or explain again if it was misunderstood.")
        return data

    def agreed_purposes(self) -> list[str]:
        return [name.removeprefix("purpose_") for name, value in self.cleaned_data.items()
                if name.startswith("purpose_") and value == "yes"]


class CaseloadFilterForm(forms.Form):
    whose = forms.ChoiceField(label=_("Whose"), required=False, choices=[
        ("mine", _("My cases")), ("all", _("Everyone's in the organisation"))])
    q = forms.CharField(label=_("Reference"), required=False, max_length=40)
    nationality = forms.CharField(label=_("Nationality"), required=False, max_length=2,
                                  help_text=_("ISO code, e.g. KH"))
    exploitation = forms.ChoiceField(label=_("Exploitation"), required=False,
                                     choices=[("", _("any"))] + list(m.ExploitationForm.choices))
    status = forms.ChoiceField(label=_("Case status"), required=False,
                               choices=[("", _("any"))] + list(m.CaseStatus.choices))
    attention = forms.ChoiceField(label=_("Needs attention"), required=False, choices=[
        ("", _("all survivors")), ("any", _("with something to do")), ("overdue", _("with overdue items"))])

    def clean_nationality(self):
        value = (self.cleaned_data.get("nationality") or "").strip().upper()
        if value and not (len(value) == 2 and value.isalpha()):
            raise forms.ValidationError("Use the two-letter country code, e.g. KH.")
        return value
