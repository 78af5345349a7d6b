"""Cross-organisation access is denied on every endpoint, for every role."""

import pytest

from northstar import policy
from northstar.core.errors import NotFound
from northstar.core.roles import Role
from northstar.referrals import actions as referral_actions
from northstar.referrals import selectors as referral_selectors
from northstar.survivors import actions as survivor_actions

ENDPOINTS = [
    ("get", "/api/v1/survivors/{survivor}"),
    ("patch", "/api/v1/survivors/{survivor}"),
    ("delete", "/api/v1/survivors/{survivor}"),
    ("get", "/api/v1/survivors/{survivor}/consents"),
    ("post", "/api/v1/survivors/{survivor}/consents"),
    ("post", "/api/v1/survivors/{survivor}/cases"),
    ("get", "/api/v1/cases/{case}"),
    ("patch", "/api/v1/cases/{case}"),
    ("delete", "/api/v1/cases/{case}"),
    ("get", "/api/v1/consents/{consent}"),
    ("post", "/api/v1/consents/{consent}/withdraw"),
]
BODIES = {
    ("patch", "survivor"): {"version": 1, "phone": "000"},
    ("post", "consents"): {"purpose": "statistics", "language": "km", "method": "verbal"},
    ("post", "cases"): {"forms_of_exploitation": ["labour"]},
    ("patch", "case"): {"version": 1, "status": "closed"},
    ("post", "withdraw"): {},
}


@pytest.fixture
def consent_a(survivor_a, caseworker, actor_for):
    from northstar.survivors.actions import record_consent

    return record_consent(actor_for(caseworker), survivor_a, purpose="case_management",
                          language="km", method="verbal")


def _body(method, path):
    for (m, part), body in BODIES.items():
        if m == method and (path.endswith(part) or path.endswith("{" + part + "}")):
            return body
    return None


@pytest.mark.parametrize("method,template", ENDPOINTS)
@pytest.mark.parametrize("role", Role.values)
def test_another_organisation_gets_404_on_every_survivor_endpoint(
    api, users, case_a, consent_a, method, template, role
):
    path = template.format(survivor=case_a.survivor_id, case=case_a.pk, consent=consent_a.pk)
    client = api(users[("b", role)])
    body = _body(method, template)
    response = getattr(client, method)(path, body) if body is not None else (
        client.delete(path) if method == "delete" else getattr(client, method)(path)
    )
    assert response.status_code == 404, (role, method, path, response.content)


@pytest.mark.parametrize("method,template", ENDPOINTS)
@pytest.mark.parametrize("role", [Role.RESEARCHER, Role.ORG_ADMIN, Role.COUNCIL_COORDINATOR])
def test_roles_without_casework_see_no_individual_record_even_in_their_own_organisation(
    api, users, case_a, consent_a, method, template, role
):
    path = template.format(survivor=case_a.survivor_id, case=case_a.pk, consent=consent_a.pk)
    client = api(users[("a", role)])
    body = _body(method, template)
    response = getattr(client, method)(path, body) if body is not None else (
        client.delete(path) if method == "delete" else getattr(client, method)(path)
    )
    assert response.status_code == 404


def test_a_researcher_lists_no_survivor_and_no_case(api, users, case_a):
    researcher = api(users[("a", Role.RESEARCHER)])
    assert researcher.get("/api/v1/survivors").json()["count"] == 0
    assert researcher.get("/api/v1/cases").json()["count"] == 0


def test_lists_show_only_the_own_organisations_records(api, caseworker, other_caseworker,
                                                        case_a):
    assert api(caseworker).get("/api/v1/survivors").json()["count"] == 1
    assert api(other_caseworker).get("/api/v1/survivors").json()["count"] == 0
    assert api(other_caseworker).get("/api/v1/cases").json()["count"] == 0


def test_a_missing_record_and_a_forbidden_one_look_the_same(api, other_caseworker, case_a):
    forbidden = api(other_caseworker).get(f"/api/v1/survivors/{case_a.survivor_id}")
    missing = api(other_caseworker).get("/api/v1/survivors/999999")
    assert forbidden.status_code == missing.status_code == 404
    assert forbidden.json() == missing.json()


def test_the_pages_refuse_another_organisation_with_404(client, other_caseworker, case_a):
    client.force_login(other_caseworker)
    assert client.get(f"/survivors/{case_a.survivor_id}/").status_code == 404
    assert client.get(f"/cases/{case_a.pk}/").status_code == 404
    assert client.get(f"/survivors/{case_a.survivor_id}/consents/new/").status_code == 404


def test_only_a_supervisor_archives_a_survivor(api, caseworker, supervisor, survivor_a):
    assert api(caseworker).delete(f"/api/v1/survivors/{survivor_a.pk}").status_code == 403
    assert api(supervisor).delete(f"/api/v1/survivors/{survivor_a.pk}").status_code == 204
    assert api(caseworker).get(f"/api/v1/survivors/{survivor_a.pk}").status_code == 404


def test_a_page_of_survivors_gets_the_same_fields_as_one_at_a_time(
        caseworker, other_caseworker, actor_for, survivor_a, org_b):
    own = actor_for(caseworker)
    survivor_actions.record_consent(own, survivor_a, purpose="referral", recipient=org_b,
                                    language="km", method="written")
    referral = referral_actions.create_referral(own, survivor=survivor_a, recipient=org_b,
                                                needs=["legal_aid"])
    recipient = actor_for(other_caseworker)
    referral_actions.take_step(recipient, referral_selectors.referral_for(recipient, referral.pk),
                               step="accept")
    assert policy.survivors_fields(own, [survivor_a]) == {
        survivor_a.pk: policy.survivor_fields(own, survivor_a)} == {survivor_a.pk: None}
    shared = policy.survivors_fields(recipient, [survivor_a])[survivor_a.pk]
    assert shared == policy.survivor_fields(recipient, survivor_a) and shared
    assert "phone" not in shared and "address" not in shared  # only the default shared fields


def test_a_page_naming_a_survivor_outside_reach_is_refused(other_caseworker, actor_for,
                                                           survivor_a):
    with pytest.raises(NotFound):
        policy.survivors_fields(actor_for(other_caseworker), [survivor_a])
