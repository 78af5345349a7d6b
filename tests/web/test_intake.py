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
    "purpose_engagement": "no",
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


SCREENING = {"s-age": "24", "s-act": ["recruitment", "transportation"], "s-means": ["deception"],
             "s-purpose": ["forced_labour"], "s-involuntary": "yes",
             "s-menace_of_penalty": "yes", "s-ind_withholding_of_wages": "yes"}


def through_consent(cw) -> Intake:
    intake = start(cw)
    cw.post(reverse("intake_step", args=[intake.pk, "consent"]), {**CONSENT_FORM, "action": "save"})
    return intake


def through_screening(cw, **case) -> Intake:
    intake = through_consent(cw)
    response = cw.post(reverse("intake_step", args=[intake.pk, "screening"]),
                       {**CASE_FORM, **case, **SCREENING, "action": "save"})
    assert response.status_code == 302, response.content.decode()[:3000]
    return intake


def test_consent_is_explained_in_the_survivors_language_for_reading_aloud(cw):
    intake = start(cw)  # preferred language: km
    html = cw.get(reverse("intake_step", args=[intake.pk, "consent"])).content.decode()
    assert 'lang="km"' in html
    assert any("\u1780" <= ch <= "\u17ff" for ch in html), "no Khmer text on the consent step"


def test_screening_runs_on_the_answers_and_shows_the_classification_with_reasons(cw):
    from northstar.screening.models import Screening

    intake = through_screening(cw)
    screening = Screening.objects.get(case__survivor=intake.survivor)
    assert screening.classification == "trafficking"
    assert screening.answers["means"] == ["deception"]
    assert "involuntary" in screening.answers and "indicators" in screening.answers
    html = cw.get(reverse("intake_step", args=[intake.pk, "screening"])).content.decode()
    assert "Human trafficking" in html and "Palermo" in html


def test_unknown_screening_answers_are_left_unknown_not_false(cw):
    from northstar.screening.models import Screening

    intake = through_consent(cw)
    cw.post(reverse("intake_step", args=[intake.pk, "screening"]),
            {**CASE_FORM, "s-involuntary": "unknown", "action": "save"})
    screening = Screening.objects.get()
    assert "involuntary" not in screening.answers
    assert "involuntary" in screening.result["unknown"]


def test_a_bad_screening_answer_saves_neither_the_case_nor_the_screening(cw):
    intake = through_consent(cw)
    response = cw.post(reverse("intake_step", args=[intake.pk, "screening"]),
                       {**CASE_FORM, **SCREENING, "s-act": ["flying"], "action": "save"})
    assert response.status_code == 422
    assert "flying" in response.content.decode()  # "Select a valid choice. flying is not…"
    assert not Case.objects.exists()


def test_a_rank_given_twice_is_refused_next_to_the_field(cw):
    intake = through_screening(cw)
    response = cw.post(reverse("intake_step", args=[intake.pk, "priorities"]), {
        "rank_monetary_support": "1", "rank_healing": "1", "rank_safety_self_and_others": "2",
        "words": "I want to send money home", "action": "save"})
    assert response.status_code == 422
    assert "this one is taken" in response.content.decode()
    from northstar.pathways.models import Priorities

    assert not Priorities.objects.exists()


def rank(cw, intake):
    response = cw.post(reverse("intake_step", args=[intake.pk, "priorities"]), {
        "rank_monetary_support": "1", "rank_healing": "3", "rank_safety_self_and_others": "2",
        "words": "I want to send money home", "action": "save"})
    assert response.status_code == 302


def test_the_full_intake_ends_with_the_plan_the_survivor_chose(cw):
    from northstar.pathways.models import PlanItem, Priorities

    intake = through_screening(cw)
    rank(cw, intake)
    assert Priorities.objects.get().ranking == ["monetary_support", "safety_self_and_others",
                                                "healing"]
    step = reverse("intake_step", args=[intake.pk, "pathways"])
    assert cw.post(step, {"action": "assess", "reconcile": "no",
                          "advocacy": "none"}).status_code == 302
    html = cw.get(step).content.decode()
    assert 'value="state_compensation"' in html
    assert cw.post(step, {"action": "plan",
                          "intervention": ["state_compensation",
                                           "trauma_informed_support"]}).status_code == 302
    assert sorted(PlanItem.objects.values_list("intervention", flat=True)) == [
        "state_compensation", "trauma_informed_support"]
    done = cw.post(reverse("intake_step", args=[intake.pk, "plan"]))
    intake.refresh_from_db()
    assert done["Location"] == reverse("case", args=[intake.case_id])
    assert intake.step == IntakeStep.DONE and intake.completed_at is not None


def test_an_intervention_not_offered_cannot_be_put_in_the_plan(cw):
    """Out-of-court settlement of a sex-trafficking case is illegal in most countries."""
    from northstar.pathways.models import PlanItem

    intake = through_screening(cw, forms_of_exploitation=["sex"], sectors=["entertainment"])
    rank(cw, intake)
    step = reverse("intake_step", args=[intake.pk, "pathways"])
    cw.post(step, {"action": "assess", "advocacy": "none"})
    assert 'value="out_of_court_compensation"' not in cw.get(step).content.decode()
    response = cw.post(step, {"action": "plan", "intervention": ["out_of_court_compensation",
                                                                 "state_compensation"]})
    assert response.status_code == 422
    assert not PlanItem.objects.exists()


def test_a_likely_duplicate_is_shown_before_a_second_record_is_made(cw, survivor_a):
    data = {**SURVIVOR_FORM, "given_name": "Demo Sokha", "family_name": "Testperson",
            "date_of_birth": "1998-04-12", "birth_year": "", "action": "save"}
    response = cw.post(reverse("intake_new"), data)
    assert response.status_code == 422
    assert survivor_a.reference in response.content.decode()
    assert Survivor.objects.count() == 1 and not Intake.objects.exists()
    response = cw.post(reverse("intake_new"), {**data, "not_duplicate": "1"})
    assert response.status_code == 302
    assert Survivor.objects.count() == 2


def test_stopping_a_half_typed_intake_destroys_its_draft(cw):
    cw.post(reverse("intake_new"), {"given_name": "Demo Half", "action": "later"})
    intake = Intake.objects.get()
    response = cw.post(reverse("intake_discard", args=[intake.pk]))
    assert response.status_code == 302
    assert not Intake.objects.exists()
    assert AuditEntry.objects.filter(record_type="intake", action="delete",
                                     record_id=str(intake.pk)).exists()


def test_stopping_an_intake_keeps_what_was_already_recorded(cw, other_caseworker):
    intake = start(cw)
    assert client_for(other_caseworker).post(
        reverse("intake_discard", args=[intake.pk])).status_code == 404
    cw.post(reverse("intake_discard", args=[intake.pk]))
    intake.refresh_from_db()
    assert intake.completed_at is not None and Survivor.objects.filter(pk=intake.survivor_id)
    assert reverse("intake_resume", args=[intake.pk]) not in cw.get(
        reverse("intake_list")).content.decode()


def test_pages_with_survivor_data_are_never_kept_in_a_shared_browsers_cache(cw, case_a):
    intake = start(cw)
    for url in (reverse("caseload"), reverse("case", args=[case_a.pk]),
                reverse("survivor", args=[case_a.survivor_id]),
                reverse("intake_step", args=[intake.pk, "consent"])):
        assert "no-store" in cw.get(url)["Cache-Control"], url


def test_the_caseworker_can_read_what_the_khmer_explanation_says(cw):
    intake = start(cw)  # survivor reads Khmer; the caseworker's interface is English
    html = cw.get(reverse("intake_step", args=[intake.pk, "consent"])).content.decode()
    from django.utils import translation
    from django.utils.html import escape

    from northstar.portal.texts import CONSENT_EXPLANATIONS

    with translation.override("en"):
        english = str(CONSENT_EXPLANATIONS["case_management"]["what"])
    with translation.override("km"):
        khmer = str(CONSENT_EXPLANATIONS["case_management"]["what"])
    assert "What this says, in your language" in html
    assert escape(english) in html and escape(khmer) in html and english != khmer


def test_two_caseworkers_cannot_record_two_cases_for_one_intake(cw, caseworker, actor_for):
    """The second, stale submission is refused and its case is rolled back."""
    from northstar.core.errors import Conflict
    from northstar.web import actions as intake_actions

    intake = through_consent(cw)
    stale = Intake.objects.get(pk=intake.pk)
    cw.post(reverse("intake_step", args=[intake.pk, "screening"]),
            {**CASE_FORM, **SCREENING, "action": "save"})
    actor = actor_for(caseworker)
    other_case = actions_create_case(actor, stale.survivor)
    with pytest.raises(Conflict):
        intake_actions.complete_intake_step(actor, stale, step="screening", case=other_case)
    intake.refresh_from_db()
    assert intake.case_id != other_case.pk


def actions_create_case(actor, survivor):
    from northstar.survivors import actions as survivor_actions

    return survivor_actions.create_case(actor, survivor, data={"forms_of_exploitation": ["sex"]})


def test_the_survivor_page_offers_to_continue_an_unfinished_intake(cw):
    intake = start(cw)
    html = cw.get(reverse("survivor", args=[intake.survivor_id])).content.decode()
    assert reverse("intake_resume", args=[intake.pk]) in html


def test_the_explanations_can_be_shown_in_another_language_for_the_survivor(cw):
    intake = start(cw)  # prefers Khmer; asks to hear it in Thai
    html = cw.get(reverse("intake_step", args=[intake.pk, "consent"]), {"lang": "th"}).content
    html = html.decode()
    from django.utils import translation
    from django.utils.html import escape

    from northstar.portal.texts import CONSENT_EXPLANATIONS

    with translation.override("th"):
        thai = str(CONSENT_EXPLANATIONS["statistics"]["what"])
    assert any("\u0e00" <= ch <= "\u0e7f" for ch in thai), "the Thai catalogue lost this text"
    assert '<option value="th" selected>' in html and escape(thai) in html


def test_an_empty_first_step_creates_no_survivor_and_says_why_in_a_sentence(cw):
    response = cw.post(reverse("intake_new"), {"sex": "unknown", "gender": "unknown",
                                               "preferred_language": "en", "action": "save"})
    assert response.status_code == 422
    assert "Enter at least a name" in response.content.decode()
    assert not Survivor.objects.exists() and not Intake.objects.exists()
