"""Screening a stored case keeps answers, result and rule-set version, audited."""

import pytest

from northstar.core.errors import DomainError
from northstar.core.models import AuditEntry
from northstar.screening import actions
from northstar.screening.forms import ScreeningForm
from northstar.screening.models import Screening


def test_screening_a_case_stores_the_result_with_its_rule_set_version(
    case_a, caseworker, actor_for
):
    screening = actions.screen_case(
        actor_for(caseworker),
        case_a,
        answers={
            "involuntary": True,
            "menace_of_penalty": True,
            "indicators": {"withholding_of_wages": True},
        },
    )
    assert screening.classification == "forced_labour"
    assert screening.rule_set_version == screening.result["rule_set_version"]
    assert actions.latest_screening(case_a) == screening
    entry = AuditEntry.objects.get(record_type="screening")
    assert entry.survivor_ref == case_a.survivor.reference and entry.actor == caseworker


def test_bad_answers_are_refused_naming_the_answer_and_change_nothing(
    case_a, caseworker, actor_for
):
    with pytest.raises(DomainError) as err:
        actions.screen_case(actor_for(caseworker), case_a, answers={"act": ["kidnap"]})
    assert err.value.field == "act"
    assert not Screening.objects.exists()



def test_caseworker_cannot_miss_the_protect_as_a_child_flag_on_the_case_page(
    client, case_a, caseworker, actor_for
):
    actions.screen_case(
        actor_for(caseworker),
        case_a,
        answers={"act": ["recruitment"], "purpose": ["sexual_exploitation"]},
    )
    client.force_login(caseworker)
    page = client.get(f"/screening/cases/{case_a.pk}/").content.decode()
    assert "Possible trafficking — protect as a child until the age is known" in page


def test_the_screening_form_passes_migration_facts_to_the_engine():
    form = ScreeningForm(data={"mig_documents_held_by_employer": "yes", "mig_entry": "unknown",
                               "ind_debt_bondage": "yes"})
    assert form.is_valid(), form.errors
    answers = form.answers()
    assert answers["migration"] == {"documents_held_by_employer": "yes"}
    assert actions.assess(answers)["classification"] == "forced_labour"
