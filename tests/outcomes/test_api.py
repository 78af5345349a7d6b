"""The outcomes API: the surveys and check-ins of a case, recorded by a caseworker."""

import pytest

from northstar.outcomes.models import SurveyResponse

pytestmark = pytest.mark.django_db


def test_a_caseworker_records_read_aloud_answers_over_the_api(api, caseworker, case_a):
    client = api(caseworker)
    listed = client.get(f"/api/v1/outcomes/cases/{case_a.pk}/surveys").json()
    assert [d["occasion"] for d in listed["due"]] == ["intake"]
    response = client.post(f"/api/v1/outcomes/cases/{case_a.pk}/surveys", {
        "occasion": "intake", "answers": {"who5_calm": 4, "pj_voice_story": None}})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["channel"] == "read_aloud" and body["answers"]["who5_calm"] == 4
    assert body["who5_score"] is None  # four WHO-5 items not answered
    again = client.post(f"/api/v1/outcomes/cases/{case_a.pk}/surveys",
                        {"occasion": "intake", "answers": {}})
    assert again.status_code == 409
    assert SurveyResponse.objects.count() == 1


def test_bad_answers_are_422_naming_the_field(api, caseworker, case_a):
    client = api(caseworker)
    url = f"/api/v1/outcomes/cases/{case_a.pk}/surveys"
    out_of_scale = client.post(url, {"occasion": "intake", "answers": {"who5_calm": 6}})
    assert out_of_scale.status_code == 422 and "who5_calm" in out_of_scale.content.decode()
    unknown = client.post(url, {"occasion": "intake", "answers": {"favourite_colour": 1}})
    assert unknown.status_code == 422 and "favourite_colour" in unknown.content.decode()
    assert not SurveyResponse.objects.exists()


def test_another_organisation_gets_404(api, other_caseworker, case_a):
    client = api(other_caseworker)
    assert client.get(f"/api/v1/outcomes/cases/{case_a.pk}/surveys").status_code == 404
    assert client.post(f"/api/v1/outcomes/cases/{case_a.pk}/surveys",
                       {"occasion": "intake", "answers": {}}).status_code == 404
    assert client.get(f"/api/v1/outcomes/cases/{case_a.pk}/check-ins").status_code == 404
