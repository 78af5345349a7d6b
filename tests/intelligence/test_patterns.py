"""What leaves an organisation: corroborated patterns only, after review."""

from __future__ import annotations

import pytest
from django.test import Client

from northstar.core.actor import Actor
from northstar.core.errors import DomainError
from northstar.core.models import Organisation
from northstar.core.roles import Role
from northstar.intelligence import actions
from northstar.intelligence.models import Mention, Report, ReviewStatus
from tests.conftest import make_user
from tests.intelligence.conftest import committed, send


def _accept_all(*supervisors):
    with committed():
        _accept(*supervisors)


def _accept(*supervisors):
    for boss in supervisors:
        actor = Actor.for_user(boss, "web")
        for report in Report.objects.filter(organisation=actor.organisation,
                                            status=ReviewStatus.PENDING):
            actions.review_report(actor, report, decision="accept")


def _patterns(user) -> str:
    client = Client()
    client.force_login(user)
    response = client.get("/intelligence/patterns/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def bosses(users):
    return users[("a", Role.SUPERVISOR)], users[("b", Role.SUPERVISOR)]


def test_an_agency_named_in_three_independent_reports_across_two_organisations_is_shared_and_one_named_once_is_not(  # noqa: E501
        org_a, org_b, sharing, bosses):
    send(org_a, agencies="Golden Star Recruitment", from_country="MM", to_country="TH")
    send(org_a, agencies="Golden Star Recruitment Co., Ltd\nSilver Moon Manpower")
    send(org_b, agencies="Goldenstar")
    _accept_all(*bosses)
    for boss in bosses:
        page = _patterns(boss)
        assert "Golden Star Recruitment" in page
        assert "Silver Moon" not in page
    assert '<td>3</td><td>2</td>' in _patterns(bosses[0]).replace("\n", "")


def test_a_name_reaches_no_one_outside_its_organisation_until_reviewed(org_a, org_b, sharing,
                                                                        bosses):
    for _ in range(3):
        send(org_a, recruiters="Mr Somchai Broker")
    assert "Somchai" not in _patterns(bosses[1])
    _accept_all(bosses[0])
    assert "Somchai" in _patterns(bosses[1])


def test_one_device_naming_an_agency_three_times_is_one_report(org_a, sharing, bosses):
    for _ in range(3):
        send(org_a, device="same-phone", agencies="Golden Star")
    assert list(Mention.objects.values_list("independent", flat=True)) == [True, False, False]
    _accept_all(bosses[0])
    assert "Golden Star" not in _patterns(bosses[0])
    send(org_a, agencies="Golden Star")
    send(org_a, agencies="Golden Star")
    _accept_all(bosses[0])
    assert "Golden Star" in _patterns(bosses[0])


def test_a_removed_report_keeps_no_names_and_counts_nowhere(org_a, sharing, bosses):
    for _ in range(3):
        send(org_a, recruiters="An Innocent Neighbour", details="He did it.")
    actor = Actor.for_user(bosses[0], "web")
    first = Report.objects.first()
    with committed():
        actions.review_report(actor, first, decision="remove", note="A feud between neighbours.")
    _accept_all(bosses[0])
    first.refresh_from_db()
    assert first.status == ReviewStatus.REMOVED and not first.mentions.exists()
    assert first.details == ""
    assert "Innocent Neighbour" not in _patterns(bosses[0])
    with pytest.raises(DomainError):
        actions.review_report(actor, first, decision="accept")


def test_removing_needs_a_reason(org_a, sharing, bosses):
    send(org_a, agencies="Golden Star")
    client = Client()
    client.force_login(bosses[0])
    report = Report.objects.get()
    response = client.post(f"/intelligence/reports/{report.pk}/", {"decision": "remove"})
    assert response.status_code == 422
    assert Report.objects.get().status == ReviewStatus.PENDING


def test_an_organisation_that_does_not_share_sees_no_one_elses_and_gives_none(
        org_a, org_b, sharing, bosses):
    sharing(org_b, with_organisations=False)
    for org in (org_a, org_a, org_b, org_b):
        send(org, agencies="Golden Star")
    _accept_all(*bosses)
    page = _patterns(bosses[1])
    assert 'id="patterns-not-sharing"' in page and "Golden Star" not in page
    # Organisation B's two reports do not count for A: A's own two are not enough.
    assert "Golden Star" not in _patterns(bosses[0])


def test_law_enforcement_sees_only_what_is_corroborated_more_strictly(org_a, org_b, sharing,
                                                                     bosses):
    police = Organisation.objects.create(name="Police TH", kind="law_enforcement",
                                         jurisdiction="TH", code="POL")
    officer = make_user("officer", police, Role.CASEWORKER)
    sharing(org_a, with_law_enforcement=True)
    for _ in range(3):
        send(org_a, agencies="Golden Star")
    send(org_b, agencies="Golden Star")
    send(org_b, agencies="Golden Star")
    _accept_all(*bosses)
    assert "Golden Star" in _patterns(bosses[0])  # 5 reports between organisations
    assert "Golden Star" not in _patterns(officer)  # B does not share with the police
    sharing(org_b, with_law_enforcement=True)
    assert "Golden Star" in _patterns(officer)


def test_a_route_used_in_a_month_is_shared_on_the_map_and_a_rare_one_is_not(org_a, org_b,
                                                                          sharing, bosses):
    for org in (org_a, org_a, org_b):
        send(org, from_country="KH", to_country="TH", details="By bus at night.")
    send(org_b, from_country="LA", to_country="MY", details="By boat.")
    _accept_all(*bosses)
    page = _patterns(bosses[0])
    assert 'id="route-map"' in page and "<line" in page
    assert page.count("<line") == 1
    assert "Cambodia → Thailand: 3" in page
    assert 'id="timeline"' in page and "<rect" in page


def test_reports_are_404_to_another_organisation_and_to_staff_who_are_not_analysts(
        org_a, sharing, users):
    send(org_a, agencies="Golden Star", details="They took our passports.")
    report = Report.objects.get()
    for role in Role.values:
        client = Client()
        client.force_login(users[("b", role)])
        assert client.get(f"/intelligence/reports/{report.pk}/").status_code == 404, role
        assert client.post(f"/intelligence/reports/{report.pk}/",
                           {"decision": "accept"}).status_code == 404, role
        client.force_login(users[("a", role)])
        expected = 200 if role == Role.SUPERVISOR else 404
        assert client.get(f"/intelligence/reports/{report.pk}/").status_code == expected, role
        assert client.get("/intelligence/reports/").status_code == expected, role
    assert Report.objects.get().status == ReviewStatus.PENDING


def test_an_analyst_reads_the_report_and_the_read_is_audited(org_a, sharing, supervisor):
    send(org_a, agencies="Golden Star", details="They took our passports.")
    report = Report.objects.get()
    client = Client()
    client.force_login(supervisor)
    page = client.get(f"/intelligence/reports/{report.pk}/").content.decode()
    assert "Golden Star" in page and "They took our passports." in page
    from northstar.core.models import AuditEntry
    assert AuditEntry.objects.filter(action="read", record_type="intelligence_report",
                                     record_ids=[str(report.pk)]).exists()
    assert client.post(f"/intelligence/reports/{report.pk}/",
                       {"decision": "accept"}).status_code == 302
    assert Report.objects.get().status == ReviewStatus.ACCEPTED


def test_sharing_is_set_by_supervisors_and_org_admins_only(org_a, users):
    for role in Role.values:
        client = Client()
        client.force_login(users[("a", role)])
        response = client.post("/intelligence/sharing/", {"with_organisations": "1"})
        allowed = role in (Role.SUPERVISOR, Role.ORG_ADMIN)
        assert response.status_code == (302 if allowed else 404), role


def test_the_api_gives_patterns_only_and_404_to_others(org_a, org_b, sharing, bosses, users,
                                                      api):
    for org in (org_a, org_a, org_b):
        send(org, agencies="Golden Star", from_country="KH", to_country="TH")
    _accept_all(*bosses)
    body = api(bosses[1]).get("/api/v1/intelligence/patterns").json()
    assert [p["name"] for p in body["entities"]] == ["Golden Star"]
    assert body["entities"][0]["reports"] == 3 and body["routes"][0]["reports"] == 3
    assert "details" not in str(body) and "id" not in body["entities"][0]
    for role in (Role.CASEWORKER, Role.ORG_ADMIN, Role.RESEARCHER, Role.FUNDER):
        assert api(users[("a", role)]).get("/api/v1/intelligence/patterns").status_code == 404
