"""The calculator form: works without JavaScript; up to three work periods."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from northstar.compensation.calculator import METHODS
from northstar.compensation.models import ClaimStatus, PartyRole, Payer, Purpose, Route
from northstar.compensation.rules import default_rules

#: A select starts on this empty choice: nobody's outcome is chosen for them.
EMPTY = [("", _("—"))]

PERIODS = 3
PERIOD_FIELDS = ("start", "end", "days_worked", "hours_per_day", "normal_daily_hours",
                 "agreed_daily_wage", "statutory_daily_wage", "amount_paid", "region", "sector",
                 "overtime_multiplier")
HEAD_FIELDS = ("recruitment_fees", "debts_imposed", "unlawful_deductions", "medical_costs",
               "future_medical_costs", "travel_costs", "lost_earnings", "offender_gain")
LABELS = {
    "start": _("Start"), "end": _("End"), "days_worked": _("Days worked"),
    "hours_per_day": _("Hours per day"),
    "normal_daily_hours": _("Normal daily hours (if not in the wage data)"),
    "agreed_daily_wage": _("Agreed daily wage"),
    "statutory_daily_wage": _("Statutory daily wage (overrides the data)"),
    "amount_paid": _("Amount paid"), "region": _("Region"), "sector": _("Sector"),
    "overtime_multiplier": _("Overtime multiplier (if not in the wage data)"),
    "recruitment_fees": _("Recruitment fees"), "debts_imposed": _("Debts imposed"),
    "unlawful_deductions": _("Unlawful deductions"), "medical_costs": _("Medical costs (past)"),
    "future_medical_costs": _("Medical costs (estimated future)"),
    "travel_costs": _("Travel and return costs"), "lost_earnings": _("Lost earnings"),
    "offender_gain": _("Offender's gross gain (for \"greater of\")"),
}


def _text(label, *, kind="text") -> forms.CharField:
    widget = forms.DateInput(attrs={"type": "date"}) if kind == "date" else forms.TextInput(
        attrs={"inputmode": "decimal"} if kind == "amount" else {})
    return forms.CharField(label=label, required=False, max_length=40, widget=widget)


class CalculatorForm(forms.Form):
    jurisdiction = forms.ChoiceField(label=_("Jurisdiction"))
    currency = forms.CharField(label=_("Currency (ISO 4217, blank for the local one)"),
                               required=False, max_length=3)
    #: Safe default: the statutory method is what every jurisdiction's law gives.
    method = forms.ChoiceField(label=_("Method"), choices=[
        ("statutory", _("The statutory amount")),
        ("greater_of", _("The greater of the statutory value and the offender's gain")),
    ], initial="statutory")
    assert {m for m, _label in method.choices} == set(METHODS)
    non_pecuniary_amount = _text(_("Non-pecuniary harm (amount)"), kind="amount")
    non_pecuniary_justification = forms.CharField(
        label=_("Justification of the non-pecuniary amount"), required=False,
        widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)
    label = forms.CharField(label=_("Label (when saving)"), required=False, max_length=120)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        rules = default_rules()
        self.fields["jurisdiction"].choices = [("", _("—"))] + [
            (code, f"{j.name} ({j.currency})") for code, j in sorted(rules.jurisdictions.items())]
        for head in HEAD_FIELDS:
            self.fields[head] = _text(LABELS[head], kind="amount")
        for i in range(PERIODS):
            for name in PERIOD_FIELDS:
                kind = "date" if name in ("start", "end") else "amount"
                self.fields[f"p{i}_{name}"] = _text(f"{LABELS[name]} ({_('period')} {i + 1})",
                                                    kind=kind)

    def period_rows(self):
        return [[self[f"p{i}_{name}"] for name in PERIOD_FIELDS] for i in range(PERIODS)]

    def head_fields(self):
        return [self[h] for h in HEAD_FIELDS]

    def calculator_input(self) -> dict:
        """The form as the calculator's contract; blank period rows are skipped."""
        data = self.cleaned_data
        periods = []
        for i in range(PERIODS):
            row = {name: (data.get(f"p{i}_{name}") or "").strip() or None for name in PERIOD_FIELDS}
            if not any(row.values()):
                continue
            periods.append(row)
        out = {"jurisdiction": data["jurisdiction"], "currency": data.get("currency") or None,
               "method": data["method"], "work_periods": periods,
               "non_pecuniary": {"amount": data.get("non_pecuniary_amount") or "0",
                                 "justification": data.get("non_pecuniary_justification") or ""}}
        for head in HEAD_FIELDS:
            out[head] = (data.get(head) or "").strip() or None
        return out

    def field_for(self, calculator_field: str) -> str | None:
        """The form field that a calculator error names, e.g. work_periods.0.region → p0_region."""
        parts = calculator_field.split(".")
        if parts[0] == "work_periods" and len(parts) >= 3:
            return f"p{parts[1]}_{parts[2]}"
        if parts[0] == "non_pecuniary" and len(parts) == 2:
            return f"non_pecuniary_{parts[1]}"
        return parts[0] if parts[0] in self.fields else None


class ClaimForm(forms.Form):
    route = forms.ChoiceField(label=_("Route"))
    payer = forms.ChoiceField(label=_("Payer"))
    amount_claimed = forms.CharField(label=_("Amount claimed"), max_length=20)
    currency = forms.CharField(label=_("Currency (ISO 4217)"), max_length=3)
    calculation_id = forms.TypedChoiceField(label=_("Based on calculation"), required=False,
                                            coerce=int, empty_value=None)
    payer_name = forms.CharField(label=_("Payer's name (kept sealed)"), required=False,
                                 max_length=300)
    forum_reference = forms.CharField(label=_("Court, tribunal or fund file number"),
                                      required=False, max_length=120)
    filed_on = forms.DateField(label=_("Filed on (blank: still a draft)"), required=False,
                               widget=forms.DateInput(attrs={"type": "date"}))
    conditions_confirmed = forms.BooleanField(
        label=_("For out-of-court mediation: I confirm the conditions shown are met"),
        required=False)

    def __init__(self, *args, calculations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["route"].choices = EMPTY + Route.choices
        self.fields["payer"].choices = EMPTY + Payer.choices
        self.fields["calculation_id"].choices = [("", _("—"))] + [
            (c.pk, f"{c.label or c.created_at:%Y-%m-%d} · {c.total} {c.currency}"
             if not c.label else f"{c.label} · {c.total} {c.currency}") for c in calculations]


class TransitionForm(forms.Form):
    to = forms.ChoiceField(label=_("New status"))
    on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    amount = forms.CharField(label=_("Amount awarded or agreed"), required=False, max_length=20)
    note = forms.CharField(label=_("Note"), required=False, max_length=300)

    def __init__(self, *args, allowed=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].choices = EMPTY + [(s, ClaimStatus(s).label) for s in allowed]
        self.fields["to"].error_messages["required"] = _("Choose the new status.")


class PaymentForm(forms.Form):
    received_on = forms.DateField(label=_("Received on"),
                                  widget=forms.DateInput(attrs={"type": "date"}))
    amount = forms.CharField(label=_("Amount"), max_length=20)
    proof_reference = forms.CharField(label=_("Proof reference (receipt, transfer, court record)"),
                                      max_length=200)


class ScheduleForm(forms.Form):
    instalments = forms.CharField(
        label=_("Instalments, one per line: due date and amount (e.g. 2026-03-01 5000)"),
        widget=forms.Textarea(attrs={"rows": 4}), max_length=8000)

    def rows(self) -> list[dict]:
        rows = []
        for line in self.cleaned_data["instalments"].splitlines():
            parts = line.split()
            if not parts:
                continue
            if len(parts) != 2:
                raise forms.ValidationError(_("Each line needs a date and an amount."))
            rows.append({"due_on": parts[0], "amount": parts[1]})
        return rows


def _date(label) -> forms.DateField:
    return forms.DateField(label=label, widget=forms.DateInput(attrs={"type": "date"}))


def _party_choices():
    return [("", _("—"))] + list(PartyRole.choices)


class MediationForm(forms.Form):
    opened_on = _date(_("Opened on"))
    mediator = forms.CharField(label=_("Mediator"), required=False, max_length=200)
    conditions_confirmed = forms.BooleanField(
        label=_("I confirm the conditions shown above are met"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for i in range(4):
            self.fields[f"party{i}_role"] = forms.ChoiceField(
                label=_("Party %(n)s: role") % {"n": i + 1}, choices=_party_choices(),
                required=False)
            self.fields[f"party{i}_name"] = forms.CharField(
                label=_("Party %(n)s: name (kept sealed)") % {"n": i + 1}, required=False,
                max_length=300)

    def parties(self) -> list[dict]:
        data = self.cleaned_data
        return [{"role": data[f"party{i}_role"], "name": data[f"party{i}_name"]}
                for i in range(4) if data.get(f"party{i}_role") or data.get(f"party{i}_name")]


class PartyForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=_party_choices)
    name = forms.CharField(label=_("Name (kept sealed)"), max_length=300)
    represented_by = forms.CharField(label=_("Represented by"), required=False, max_length=200)


class SessionForm(forms.Form):
    held_on = _date(_("Held on"))
    outcome = forms.ChoiceField(label=_("Outcome"), choices=[
        ("", _("—")), ("progress", _("Progress")), ("agreement", _("Agreement")),
        ("no_agreement", _("No agreement")), ("postponed", _("Postponed"))])
    summary = forms.CharField(label=_("Summary (kept sealed)"), required=False,
                              widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)


def _yes_no_unknown(label) -> forms.TypedChoiceField:
    """Yes / No / Not known, as True / False / None: unknown is never read as no."""
    return forms.TypedChoiceField(
        label=label, required=False,
        choices=[("", _("Not known")), ("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda v: {"yes": True, "no": False}.get(v), empty_value=None)


class AgreementForm(ScheduleForm):
    agreed_on = _date(_("Agreed on"))
    amount = forms.CharField(label=_("Amount agreed"), max_length=20)
    currency = forms.CharField(label=_("Currency (ISO 4217)"), max_length=3)
    payer = forms.ChoiceField(label=_("Payer"))
    terms = forms.CharField(label=_("Terms agreed (kept sealed)"),
                            widget=forms.Textarea(attrs={"rows": 4}), max_length=8000)
    term_kinds = forms.MultipleChoiceField(
        label=_("The terms require her to…"), required=False,
        widget=forms.CheckboxSelectMultiple, choices=[
            ("withdraw_complaint", _("withdraw a complaint")),
            ("withdraw_testimony", _("withdraw her testimony")),
            ("refuse_to_testify", _("not testify")),
            ("confidentiality", _("keep the agreement confidential")),
            ("payment_in_instalments", _("accept payment in instalments")),
            ("other", _("something else"))])
    voluntary = _yes_no_unknown(_("Did she agree freely, without pressure?"))
    interpreter_needed = _yes_no_unknown(_("Does she need an interpreter?"))
    interpreter_present = _yes_no_unknown(_("Was a qualified interpreter present?"))
    justification = forms.CharField(
        label=_("Supervisor's written reason to override a block (only where allowed)"),
        required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["payer"].choices = EMPTY + Payer.choices
        self.fields["instalments"].required = False
        self.order_fields(["agreed_on", "amount", "currency", "payer", "terms", "term_kinds",
                           "voluntary", "interpreter_needed", "interpreter_present",
                           "instalments", "justification"])


class EscalationForm(forms.Form):
    route = forms.ChoiceField(label=_("Go to"))
    amount_claimed = forms.CharField(label=_("Amount claimed"), max_length=20)
    payer = forms.ChoiceField(label=_("Payer"))
    reason = forms.CharField(label=_("Why the mediation failed"), max_length=300)
    on = _date(_("Decided on"))
    filed_on = forms.DateField(label=_("Filed on (blank: draft)"), required=False,
                               widget=forms.DateInput(attrs={"type": "date"}))
    forum_reference = forms.CharField(label=_("File number"), required=False, max_length=120)
    currency = forms.CharField(label=_("Currency (blank: as agreed, or the local one)"),
                               required=False, max_length=3)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["route"].choices = EMPTY + [c for c in Route.choices
                                                if c[0] != Route.OUT_OF_COURT_MEDIATION]
        self.fields["payer"].choices = EMPTY + Payer.choices


class DisbursementForm(forms.Form):
    purpose = forms.ChoiceField(label=_("Purpose"))
    amount = forms.CharField(label=_("Amount"), max_length=20)
    paid_on = _date(_("Paid on"))
    approver_id = forms.TypedChoiceField(label=_("Approved by"), coerce=int)
    case_id = forms.TypedChoiceField(label=_("Case (optional)"), coerce=int, required=False,
                                     empty_value=None)
    note = forms.CharField(label=_("Note (kept sealed)"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, approvers=(), cases=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["purpose"].choices = EMPTY + Purpose.choices
        self.fields["approver_id"].choices = EMPTY + [(u.pk, u.get_username()) for u in approvers]
        self.fields["case_id"].choices = [("", _("—"))] + [(c.pk, c.reference) for c in cases]


class DepositForm(forms.Form):
    amount = forms.CharField(label=_("Amount"), max_length=20)
    received_on = _date(_("Received on"))
    source = forms.CharField(label=_("Source of the money"), max_length=200)
    currency = forms.CharField(label=_("Currency (first deposit only)"), required=False,
                               max_length=3)
