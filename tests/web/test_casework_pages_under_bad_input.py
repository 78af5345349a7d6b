"""The casework and merge pages under input a browser would not send (issue 14 review):
a tampered form answers 422 with a sentence, never a silent decision or a false 409."""

from __future__ import annotations

from northstar.survivors import actions
from northstar.survivors.models import MergeRequest
from tests.web.test_intake import client_for


def test_a_tampered_version_on_the_close_form_is_a_422_with_a_sentence(case_a, caseworker):
    response = client_for(caseworker).post(f"/cases/{case_a.pk}/close/",
                                           {"reason": "goals_met", "version": "x"})
    assert response.status_code == 422
    assert "This form is out of date: reload the page and try again." in \
        response.content.decode()
    case_a.refresh_from_db()
    assert case_a.status == "open"


def test_a_stale_version_on_the_close_form_is_still_a_409(case_a, caseworker, actor_for):
    actions.update_case(actor_for(caseworker), case_a, version=1, changes={"sectors": []})
    response = client_for(caseworker).post(f"/cases/{case_a.pk}/close/",
                                           {"reason": "goals_met", "version": 1})
    assert response.status_code == 409
    assert "Someone else changed this case" in response.content.decode()


def test_a_merge_decision_that_is_neither_approve_nor_refuse_decides_nothing(
        caseworker, supervisor, actor_for):
    actor = actor_for(caseworker)
    kept = actions.create_survivor(actor, data={"given_name": "Sokha", "family_name": "Chan"})
    merged = actions.create_survivor(actor, data={"given_name": "Sokhar", "family_name": "Chan"})
    request = actions.request_merge(actor, kept=kept, merged=merged, reason="Same mother.")
    response = client_for(supervisor).post(f"/people/merges/{request.pk}/decide/",
                                           {"decision": "Approve"})
    assert response.status_code == 422
    assert "Choose whether to approve or refuse the merge." in response.content.decode()
    assert MergeRequest.objects.get(pk=request.pk).status == "requested"


def test_the_survivor_page_names_a_cases_status_in_words(case_a, caseworker, actor_for):
    actions.close_case(actor_for(caseworker), case_a, version=1, reason="goals_met")
    page = client_for(caseworker).get(f"/survivors/{case_a.survivor_id}/").content.decode()
    assert f"{case_a.reference}</a>" in page
    line = page.split(f"{case_a.reference}</a>", 1)[1].split("</li>", 1)[0]
    assert "Closed" in line and "closed" not in line
