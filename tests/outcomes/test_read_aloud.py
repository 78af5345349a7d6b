"""A caseworker reads the survey aloud in the survivor's language and records the answers."""

import pytest
from django.utils import translation

from northstar.core.fields import reveal
from northstar.core.models import AuditEntry
from northstar.outcomes.models import SurveyResponse
from northstar.outcomes.rules import instruments

pytestmark = pytest.mark.django_db


def test_the_read_aloud_page_shows_the_questions_in_the_survivors_language(
        client, caseworker, case_a):
    client.force_login(caseworker)
    response = client.get(f"/outcomes/cases/{case_a.pk}/survey/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="occasion" value="intake"' in html
    with translation.override("km"):
        for _key, item in instruments.items_of("intake"):
            assert translation.gettext(item.text) in html
    assert 'id="not-conditional"' in html


def test_recorded_answers_are_stored_as_read_aloud_with_a_sealed_note_and_audited(
        client, caseworker, case_a):
    client.force_login(caseworker)
    who5 = [i.id for i in instruments.instrument("who5").items]
    response = client.post(f"/outcomes/cases/{case_a.pk}/survey/", {
        "occasion": "intake", **dict.fromkeys(who5, "2"), "pj_respect": "5",
        "note": "She asked to do it with her sister present."})
    assert response.status_code == 302
    stored = SurveyResponse.objects.get(case=case_a)
    assert stored.channel == "read_aloud" and stored.recorded_by == caseworker
    assert stored.who5_score == 40
    assert reveal(stored.note) == "She asked to do it with her sister present."
    raw = SurveyResponse.objects.filter(pk=stored.pk).values_list("note", flat=True).get()
    assert "sister" not in str(raw)  # sealed at rest
    entry = AuditEntry.objects.get(action="create", record_type="survey_response")
    assert "note" in entry.fields and "pj_respect" in entry.fields
    # The case's outcome page lists it; reading it is audited.
    before = AuditEntry.objects.filter(action="read", record_type="survey_response").count()
    page = client.get(f"/outcomes/cases/{case_a.pk}/").content.decode()
    assert "40" in page
    assert AuditEntry.objects.filter(action="read", record_type="survey_response"
                                     ).count() == before + 1


def test_a_value_outside_the_scale_is_422_naming_the_question(client, caseworker, case_a):
    client.force_login(caseworker)
    response = client.post(f"/outcomes/cases/{case_a.pk}/survey/",
                           {"occasion": "intake", "who5_rested": "seven"})
    assert response.status_code == 422
    assert 'id="q-who5_rested"' in response.content.decode()
    assert not SurveyResponse.objects.exists()


def test_a_hearing_on_the_timeline_makes_a_fairness_survey_due(client, caseworker, case_a,
                                                              staff):
    import datetime as dt

    from django.utils import timezone

    from northstar.justice import actions as justice

    event = justice.record_event(staff, case_a, kind="hearing",
                                 occurred_on=timezone.localdate() - dt.timedelta(days=3),
                                 details={"testimony": "in_person"})
    client.force_login(caseworker)
    html = client.get(f"/outcomes/cases/{case_a.pk}/").content.decode()
    assert f"occasion=hearing%3A{event.pk}" in html
    page = client.get(f"/outcomes/cases/{case_a.pk}/survey/?occasion=hearing:{event.pk}")
    assert page.status_code == 200
    html = page.content.decode()
    assert f'value="hearing:{event.pk}"' in html
    assert html.index('id="instrument-fairness"') < html.index('id="instrument-who5"')


def test_another_organisation_gets_404_on_every_outcomes_page(client, other_caseworker,
                                                              case_a):
    client.force_login(other_caseworker)
    assert client.get(f"/outcomes/cases/{case_a.pk}/").status_code == 404
    assert client.get(f"/outcomes/cases/{case_a.pk}/survey/").status_code == 404
    assert client.post(f"/outcomes/cases/{case_a.pk}/survey/",
                       {"occasion": "intake", "who5_calm": "3"}).status_code == 404
    assert not SurveyResponse.objects.exists()


def test_the_case_page_shows_the_outcomes_card_with_the_survey_due(client, caseworker,
                                                                   case_a):
    client.force_login(caseworker)
    html = client.get(f"/cases/{case_a.pk}/").content.decode()
    assert 'id="panel-outcomes-h"' in html
    assert f"/outcomes/cases/{case_a.pk}/survey/?occasion=intake" in html
