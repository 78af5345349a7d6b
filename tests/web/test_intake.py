"""The guided intake: each step keeps its work, nothing is lost half-way, nothing leaks."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from northstar.core.models import AuditEntry
from northstar.core.roles import Role
from northstar.survivors.models import Case, Consent, Survivor
from northstar.web.models import Intake, IntakeStep
from tests.conftest import PASSWORD

SURVIVOR_FORM = {
    "given_name": "Demo Malai", "family_name": "Sample", "birth_year": "1999",
    "sex": "female", "gender": "woman", "nationality": "MM", "languages": "my",
    "preferred_language": "km", "interpreter_needed": "on", "phone": "+66 80 000 0000",
}
CONSENT_FORM = {
    "language": "km", "interpreter_used": "on", "method": "verbal", "given_by": "survivor",
    "purpose_case_management": "yes", "purpose_statistics": "yes", "purpose_research": "no",
    "purpose_law_enforcement_sharing": "no", "purpose_advocacy": "no",
}
CASE_FORM = {
    "forms_of_exploitation": ["labour"], "sectors": ["fishing"], "country_of_origin": "MM",
    "country_of_destination": "TH", "recruitment_method": "job_offer",
    "relationship_to_offender": "stranger", "coercion": "high", "trial_participation": "undecided",
    "summary": "Kept on a boat.",
}


def client_for(user) -> Client:
    client = Client()
    assert client.login(username=user.get_username(), password=PASSWORD)
    return client


@pytest.fixture
def cw(caseworker):
    return client_for(caseworker)


def start(cw) -> Intake:
    response = cw.post(reverse("intake_new"), {**SURVIVOR_FORM, "action": "save"})
    assert response.status_code == 302, response.content[:500]
    return Intake.objects.get()


def test_survivor_step_records_the_survivor_and_moves_on_to_consent(cw):
    intake = start(cw)
    assert intake.step == IntakeStep.CONSENT
    assert intake.survivor.preferred_language == "km"
    page = cw.get(reverse("intake_step", args=[intake.pk, "consent"]))
    assert page.status_code == 200
    assert 'aria-current="step"' in page.content.decode()


def test_bad_survivor_input_is_shown_next_to_the_field_and_nothing_is_kept(cw):
    response = cw.post(reverse("intake_new"), {**SURVIVOR_FORM, "nationality": "Myanmar",
                                               "action": "save"})
    assert response.status_code == 422
    html = response.content.decode()
    assert "invalid" in html and "nationality" in html
    assert not Survivor.objects.exists() and not Intake.objects.exists()


def test_leaving_half_way_keeps_what_was_typed_sealed_and_refills_it_on_resume(cw):
    response = cw.post(reverse("intake_new"), {"given_name": "Demo Half", "phone": "+66 81 111",
                                               "action": "later"})
    assert response.status_code == 302 and response["Location"] == reverse("intake_list")
    intake = Intake.objects.get()
    assert intake.survivor is None and intake.draft_step == "survivor"
    with connection.cursor() as cursor:
        cursor.execute("SELECT draft FROM web_intake WHERE id = %s", [intake.pk])
        raw = cursor.fetchone()[0]
    assert "Demo Half" not in raw and "+66 81 111" not in raw
    resume = cw.get(reverse("intake_resume", args=[intake.pk]))
    assert resume["Location"] == reverse("intake_step", args=[intake.pk, "survivor"])
    page = cw.get(resume["Location"]).content.decode()
    assert 'value="Demo Half"' in page
    assert AuditEntry.objects.filter(record_type="intake", action="read").exists()


def test_intake_list_shows_the_half_filled_intake(cw):
    cw.post(reverse("intake_new"), {"given_name": "Demo Half", "action": "later"})
    page = cw.get(reverse("intake_list")).content.decode()
    assert "half-filled" in page


def test_consent_refused_for_case_management_stops_the_intake_and_records_nothing(cw):
    intake = start(cw)
    response = cw.post(reverse("intake_step", args=[intake.pk, "consent"]),
                       {**CONSENT_FORM, "purpose_case_management": "no", "action": "save"})
    assert response.status_code == 422
    assert "Without consent to case management" in response.content.decode()
    assert not Consent.objects.exists()
    intake.refresh_from_db()
    assert intake.step == IntakeStep.CONSENT


def test_unanswered_purpose_is_flagged_next_to_it(cw):
    intake = start(cw)
    data = {**CONSENT_FORM, "action": "save"}
    del data["purpose_research"]
    response = cw.post(reverse("intake_step", args=[intake.pk, "consent"]), data)
    assert response.status_code == 422
    assert 'id="id_purpose_research_err"' in response.content.decode()
    assert not Consent.objects.exists()


def test_consent_step_records_each_agreed_purpose_as_explained(cw):
    intake = start(cw)
    response = cw.post(reverse("intake_step", args=[intake.pk, "consent"]),
                       {**CONSENT_FORM, "action": "save"})
    assert response.status_code == 302
    consents = Consent.objects.filter(survivor=intake.survivor)
    assert sorted(c.purpose for c in consents) == ["case_management", "statistics"]
    assert all(c.language == "km" and c.interpreter_used and c.method == "verbal"
               for c in consents)
    intake.refresh_from_db()
    assert intake.step == IntakeStep.SCREENING


def test_consent_already_given_is_not_asked_again(cw):
    intake = start(cw)
    cw.post(reverse("intake_step", args=[intake.pk, "consent"]), {**CONSENT_FORM, "action": "save"})
    page = cw.get(reverse("intake_step", args=[intake.pk, "consent"])).content.decode()
    assert 'name="purpose_case_management"' not in page
    assert 'name="purpose_research"' in page


def test_case_step_records_the_case_for_the_intakes_survivor(cw):
    intake = start(cw)
    cw.post(reverse("intake_step", args=[intake.pk, "consent"]), {**CONSENT_FORM, "action": "save"})
    response = cw.post(reverse("intake_step", args=[intake.pk, "screening"]),
                       {**CASE_FORM, "action": "save"})
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.survivor == intake.survivor and case.forms_of_exploitation == ["labour"]
    intake.refresh_from_db()
    assert intake.case == case and intake.step == IntakeStep.PRIORITIES


def test_a_later_step_cannot_be_reached_before_the_earlier_ones(cw):
    intake = start(cw)
    response = cw.get(reverse("intake_step", args=[intake.pk, "plan"]))
    assert response["Location"] == reverse("intake_step", args=[intake.pk, "consent"])


def test_another_organisation_cannot_see_or_resume_the_intake(cw, other_caseworker):
    intake = start(cw)
    other = client_for(other_caseworker)
    assert other.get(reverse("intake_resume", args=[intake.pk])).status_code == 404
    assert other.post(reverse("intake_step", args=[intake.pk, "consent"]),
                      {**CONSENT_FORM, "action": "save"}).status_code == 404
    assert not Consent.objects.exists()
    listing = other.get(reverse("intake_list")).content.decode()
    assert reverse("intake_resume", args=[intake.pk]) not in listing


def test_a_researcher_cannot_start_an_intake(users):
    researcher = client_for(users[("a", Role.RESEARCHER)])
    assert researcher.get(reverse("intake_new")).status_code == 404
    assert researcher.post(reverse("intake_new"), {**SURVIVOR_FORM,
                                                   "action": "save"}).status_code == 404
    assert not Survivor.objects.exists()


def test_htmx_step_submission_pushes_the_next_steps_url(cw):
    intake = start(cw)
    response = cw.post(reverse("intake_step", args=[intake.pk, "consent"]),
                       {**CONSENT_FORM, "action": "save"}, HTTP_HX_REQUEST="true", follow=True)
    assert response.status_code == 200
    assert response["HX-Push-Url"] == reverse("intake_step", args=[intake.pk, "screening"])
