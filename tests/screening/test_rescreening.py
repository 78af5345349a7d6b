"""Re-screening starts from the last answers, shows what changed, and a lower classification
than before needs a confirmed reason: kept, audited, shown on the case page."""

import pytest

from northstar.core.errors import DomainError
from northstar.core.models import AuditEntry
from northstar.screening import actions
from northstar.screening.models import Screening

TRAFFICKING = {
    "age": 24,
    "act": ["recruitment"],
    "means": ["deception"],
    "purpose": ["forced_labour"],
    "involuntary": True,
    "menace_of_penalty": True,
}
LABOUR_RIGHTS_ONLY = {"indicators": {"withholding_of_wages": True}}


def post_data_from(form) -> dict:
    """What a browser submits for the form as shown (its initial values)."""
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is not None:
            data[name] = value
    return data


def test_the_screening_page_starts_from_the_latest_answers(client, case_a, caseworker, actor_for):
    actions.screen_case(actor_for(caseworker), case_a, answers=TRAFFICKING)
    client.force_login(caseworker)
    form = client.get(f"/screening/cases/{case_a.pk}/").context["form"]
    assert form.initial["act"] == ["recruitment"]
    assert form.initial["means"] == ["deception"]
    assert form.initial["involuntary"] == "yes" and form.initial["age"] == 24


def test_adding_one_answer_keeps_human_trafficking(client, case_a, caseworker, actor_for):
    actions.screen_case(actor_for(caseworker), case_a, answers=TRAFFICKING)
    client.force_login(caseworker)
    form = client.get(f"/screening/cases/{case_a.pk}/").context["form"]
    data = post_data_from(form) | {"ind_withholding_of_wages": "yes"}
    response = client.post(f"/screening/cases/{case_a.pk}/", data)
    assert response.status_code == 302
    latest = actions.latest_screening(case_a)
    assert latest.classification == "trafficking"
    assert latest.answers["indicators"] == {"withholding_of_wages": True}
    page = client.get(f"/screening/cases/{case_a.pk}/").content.decode()
    assert "What changed since the screening before" in page
    assert "ILO indicator: Withholding of wages" in page


def test_a_lower_classification_is_refused_without_a_reason(case_a, caseworker, actor_for):
    actor = actor_for(caseworker)
    actions.screen_case(actor, case_a, answers=TRAFFICKING)
    with pytest.raises(DomainError) as err:
        actions.screen_case(actor, case_a, answers=LABOUR_RIGHTS_ONLY)
    assert err.value.field == "confirm_downgrade_reason"
    assert "Human trafficking" in err.value.message
    assert Screening.objects.count() == 1


def test_a_confirmed_downgrade_keeps_its_reason_audits_it_and_shows_it_on_the_case_page(
    client, case_a, caseworker, actor_for
):
    actor = actor_for(caseworker)
    actions.screen_case(actor, case_a, answers=TRAFFICKING)
    screening = actions.screen_case(
        actor, case_a, answers=LABOUR_RIGHTS_ONLY,
        confirm_downgrade_reason="The recruiter turned out to be a licensed agency.",
    )
    assert screening.previous_classification == "trafficking"
    assert screening.downgrade_reason.startswith("The recruiter")
    entry = AuditEntry.objects.filter(record_type="screening").order_by("-id").first()
    assert "confirm_downgrade_reason" in entry.fields and "lowered from trafficking" in entry.note
    client.force_login(caseworker)
    page = client.get(f"/cases/{case_a.pk}/").content.decode()
    assert "Lowered from “Human trafficking”" in page
    assert "licensed agency" in page


def test_the_page_asks_for_the_reason_and_shows_what_changed(client, case_a, caseworker, actor_for):
    actions.screen_case(actor_for(caseworker), case_a, answers=TRAFFICKING)
    client.force_login(caseworker)
    response = client.post(f"/screening/cases/{case_a.pk}/", {"ind_withholding_of_wages": "yes"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Why is the classification lower than before?" in page
    assert "What you changed against the latest screening" in page
    assert Screening.objects.count() == 1
    response = client.post(
        f"/screening/cases/{case_a.pk}/",
        {"ind_withholding_of_wages": "yes", "confirm_downgrade_reason": "Retracted account."},
    )
    assert response.status_code == 302
    assert actions.latest_screening(case_a).downgrade_reason == "Retracted account."


def test_the_api_refuses_a_downgrade_without_a_reason_naming_the_field(api, case_a, caseworker):
    client = api(caseworker)
    url = f"/api/v1/cases/{case_a.pk}/screenings"
    assert client.post(url, TRAFFICKING).status_code == 201
    res = client.post(url, LABOUR_RIGHTS_ONLY)
    assert res.status_code == 422 and res.json()["field"] == "confirm_downgrade_reason"
    res = client.post(url, {**LABOUR_RIGHTS_ONLY, "confirm_downgrade_reason": "Retracted."})
    assert res.status_code == 201, res.content
    body = res.json()
    assert body["previous_classification"] == "trafficking"
    assert body["downgrade_reason"] == "Retracted."
    assert "confirm_downgrade_reason" not in body["answers"]
