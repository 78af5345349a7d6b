"""A survivor's field limits are defined once: the API, the pages and the actions agree."""

import pytest

from northstar.survivors.schemas import PersonalIn
from northstar.survivors.validation import PERSONAL_TEXT, SUMMARY_MAX
from northstar.web.forms import CaseForm, SurvivorForm


@pytest.mark.parametrize("name,limit", sorted(PERSONAL_TEXT.items()))
def test_the_page_form_refuses_what_the_actions_refuse(name, limit):
    form = SurvivorForm(data={name: "x" * (limit + 1), "sex": "unknown", "gender": "unknown",
                              "preferred_language": "en", "birth_year": "1990"})
    assert not form.is_valid() and name in form.errors
    form = SurvivorForm(data={name: "x" * limit, "sex": "unknown", "gender": "unknown",
                              "preferred_language": "en", "birth_year": "1990"})
    assert form.is_valid(), form.errors


@pytest.mark.parametrize("name,limit", sorted(PERSONAL_TEXT.items()))
def test_the_api_answers_422_naming_the_field_one_past_the_limit(api, caseworker, name, limit):
    client = api(caseworker)
    too_long = client.post("/api/v1/survivors", {name: "x" * (limit + 1)})
    assert too_long.status_code == 422 and too_long.json()["field"] == name
    assert PersonalIn.model_fields[name].metadata[0].max_length == limit


def test_the_case_summary_limit_is_the_same_on_the_page():
    assert CaseForm.base_fields["summary"].max_length == SUMMARY_MAX
