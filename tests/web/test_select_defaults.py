"""No select starts on somebody's outcome: every form's select without an initial value
starts on the empty "—" choice, or on a safe default documented here."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest
from django import forms

import northstar

#: (form, field) → the value it may start on, and why that is safe.
SAFE_DEFAULTS = {
    ("CalculatorForm", "method"): ("statutory", "the amount the law itself gives"),
    ("RoleForm", "role"): ("caseworker", "the view always starts it on the person's own role"),
    ("OrganisationForm", "kind"): ("ngo", "the view always starts it on the organisation's own kind"),
    ("ReferralForm", "urgency"): ("routine", "an urgent referral is chosen, never assumed"),
    ("ConsentForm", "given_by"): ("survivor", "consent is the survivor's own unless a "
                                             "guardian is named"),
    ("ConsentForm", "method"): ("verbal", "how consent was explained, not what was decided"),
    ("IntakeConsentForm", "given_by"): ("survivor", "as ConsentForm"),
    ("IntakeConsentForm", "method"): ("verbal", "as ConsentForm"),
    ("ExportForm", "format"): ("xlsx", "a file format, not an outcome"),
    ("SummaryLanguageForm", "language"): ("survivor", "the survivor's own language first"),
    ("CaseloadFilterForm", "whose"): ("mine", "a filter; the view sets it by role"),
}
#: Values that record what happened: a select must never start on one of them.
OUTCOMES = {
    "defaulted", "closed", "withdrawn", "resolved", "overridden", "declined", "rejected",
    "dismissed", "refused", "agreement", "no_agreement", "progress", "postponed", "awarded",
    "paid", "paid_in_full", "completed", "done", "failed", "accepted", "trafficking",
    "deleted", "archived", "revoked", "expired",
}
SAFE_EVERYWHERE = {"", None, "unknown", "undecided", "not_asked"}


def project_form_classes() -> list[type[forms.BaseForm]]:
    found = set()
    for info in pkgutil.walk_packages(northstar.__path__, "northstar."):
        if ".migrations" in info.name or ".management" in info.name:
            continue
        try:
            module = importlib.import_module(info.name)
        except ImportError:
            continue
        for obj in vars(module).values():
            if (inspect.isclass(obj) and issubclass(obj, forms.BaseForm)
                    and obj.__module__ == module.__name__):
                found.add(obj)
    return sorted(found, key=lambda c: (c.__module__, c.__name__))


def build(form_class, org):
    params = inspect.signature(form_class.__init__).parameters
    kwargs = {}
    if "organisation" in params:
        kwargs["organisation"] = org
    if "allowed" in params:  # the claim's next statuses, as the claim page offers them
        kwargs["allowed"] = ["defaulted", "paid_in_full", "settled"]
    if "reasons" in params:  # a close/reopen/archive reason list, as the case pages give it
        from northstar.survivors.models import CloseReason
        kwargs["reasons"] = CloseReason
    if "own" in params:  # the transfer form leaves out the sender's own organisation
        kwargs["own"] = org
    if "offered" in params:
        kwargs["offered"] = [{"key": "state_compensation", "title": "State compensation",
                              "eligibility": "eligible"}]
    return form_class(**kwargs)


def starting_value(form, name, field):
    initial = form.initial.get(name, field.initial)
    if callable(initial):
        initial = initial()
    if initial is not None:
        return str(initial)
    choices = list(field.choices)
    if not choices:
        return None
    first = choices[0][0]
    return "" if first in ("", None) else str(getattr(first, "value", first))


def single_selects(form):
    for name, field in form.fields.items():
        widget = field.widget
        if isinstance(widget, forms.Select) and not isinstance(
                widget, (forms.RadioSelect, forms.SelectMultiple)):
            yield name, field


def test_the_project_has_forms_with_selects_to_check():
    names = {c.__name__ for c in project_form_classes()}
    assert {"TransitionForm", "ClaimForm", "SurvivorForm", "SafeguardForm"} <= names


@pytest.mark.django_db
def test_no_select_starts_on_an_outcome_or_an_undocumented_value(org_a):
    wrong = []
    for form_class in project_form_classes():
        form = build(form_class, org_a)
        for name, field in single_selects(form):
            start = starting_value(form, name, field)
            documented = SAFE_DEFAULTS.get((form_class.__name__, name))
            if start in OUTCOMES:
                wrong.append(f"{form_class.__name__}.{name} starts on the outcome {start!r}")
            elif start not in SAFE_EVERYWHERE and not (
                    documented and documented[0] == start):
                wrong.append(f"{form_class.__name__}.{name} starts on {start!r}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.django_db
def test_the_claim_status_select_starts_empty_and_shows_words(org_a):
    from northstar.compensation.forms import TransitionForm

    form = TransitionForm(allowed=["defaulted", "paid_in_full"])
    choices = list(form.fields["to"].choices)
    assert choices[0] == ("", "—")
    assert "defaulted" not in str(form["to"]).split("selected")[0].rsplit("<option", 1)[-1]
    assert all("_" not in str(label) for _, label in choices)
    refused = TransitionForm(data={"on": "2026-01-01"}, allowed=["defaulted"])
    assert not refused.is_valid()
    assert refused.errors["to"] == ["Choose the new status."]
