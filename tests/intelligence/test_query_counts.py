"""The intelligence pages cost the same number of queries with 2 reports as with 12 (issue
13): the analysts' list and a report's page, the report forms, and the shared patterns,
which read one stored snapshot per audience instead of every reviewed mention; a review or a
sharing change makes the snapshot stale and the next view counts again."""

from __future__ import annotations

import itertools

import pytest
from django.test import Client

from northstar.core.actor import Actor
from northstar.core.models import Organisation
from northstar.core.roles import Role
from northstar.intelligence import actions
from northstar.intelligence.models import Mention, PatternSnapshot, Report, ReviewStatus
from tests.intelligence.conftest import send
from tests.query_counts import few_and_many, rows_built
from tests.web.test_intake import client_for

_names = itertools.count(1)


@pytest.fixture
def bosses(users):
    return users[("a", Role.SUPERVISOR)], users[("b", Role.SUPERVISOR)]


def reviewed_reports(n: int, orgs, bosses) -> None:
    """``n`` reports to each organisation, each naming an agency and a recruiter that others
    name too (so patterns form) and one of its own, all accepted."""
    for _ in range(n):
        own = next(_names)
        for org in orgs:
            send(org, agencies=f"Golden Star Recruitment\nAgency number {own}",
                 recruiters="Mr Somchai Broker", from_country="MM", to_country="TH",
                 address=f"198.51.{own // 200}.{own % 200 + 1}")
    for boss in bosses:
        actor = Actor.for_user(boss, "web")
        for report in Report.objects.filter(organisation=actor.organisation,
                                            status=ReviewStatus.PENDING):
            actions.review_report(actor, report, decision="accept")


@pytest.mark.parametrize("path", ["/intelligence/reports/", "/intelligence/reports/?status=accepted",
                                  "/intelligence/patterns/", "/intelligence/sharing/"])
def test_the_analysts_pages_cost_the_same_with_2_and_12_reviewed_reports(
        org_a, org_b, sharing, bosses, path):
    client = client_for(bosses[0])
    few, many = few_and_many(lambda: client.get(path),
                             lambda n: reviewed_reports(n, (org_a, org_b), bosses))
    assert many == few


def test_a_reports_page_costs_the_same_however_many_reports_its_organisation_has(
        org_a, org_b, sharing, bosses):
    send(org_a, agencies="Golden Star\nSilver Moon\nBlue River", recruiters="Mr Somchai")
    shown = Report.objects.get()
    client = client_for(bosses[0])
    few, many = few_and_many(lambda: client.get(f"/intelligence/reports/{shown.pk}/"),
                             lambda n: reviewed_reports(n, (org_a,), bosses[:1]))
    assert many == few


def test_the_shared_patterns_over_the_api_cost_the_same_with_2_and_12_reports(
        org_a, org_b, sharing, bosses, api):
    client = api(bosses[0])
    few, many = few_and_many(lambda: client.get("/api/v1/intelligence/patterns"),
                             lambda n: reviewed_reports(n, (org_a, org_b), bosses))
    assert many == few
    assert client.get("/api/v1/intelligence/patterns").json()["entities"]


def test_the_report_forms_cost_the_same_however_many_organisations_receive_reports(
        org_a, sharing, caseworker, case_a):
    staff = client_for(caseworker)

    def more_recipients(n):
        for _ in range(n):
            k = next(_names)
            other = Organisation.objects.create(name=f"Shelter {k}", kind="shelter",
                                                jurisdiction="TH", code=f"SH{k}")
            sharing(other)

    anonymous = Client()
    few, many = few_and_many(lambda: anonymous.get("/intelligence/report/"), more_recipients)
    assert many == few
    few, many = few_and_many(lambda: staff.get(f"/intelligence/cases/{case_a.pk}/report/"),
                             more_recipients)
    assert many == few


def test_a_warm_patterns_page_reads_the_snapshot_not_the_mentions(org_a, org_b, sharing,
                                                                  bosses):
    reviewed_reports(12, (org_a, org_b), bosses)
    client = client_for(bosses[0])
    first = client.get("/intelligence/patterns/")  # counts, and stores the snapshot
    assert "Golden Star Recruitment" in first.content.decode()
    built = rows_built([Mention, Report], lambda: client.get("/intelligence/patterns/"))
    assert built == {}
    assert PatternSnapshot.objects.get(law_enforcement=False).data  # sealed, not empty


def test_a_review_after_a_view_shows_at_once(org_a, org_b, sharing, bosses):
    client = client_for(bosses[0])
    for org in (org_a, org_a, org_b):
        send(org, agencies="Silver Moon Manpower", address=f"203.0.113.{next(_names) % 250}")
    assert "Silver Moon" not in client.get("/intelligence/patterns/").content.decode()
    reviewed_reports(0, (), bosses)  # accepts the pending three
    assert "Silver Moon" in client.get("/intelligence/patterns/").content.decode()


def test_a_sharing_change_after_a_view_shows_at_once(org_a, org_b, sharing, bosses):
    reviewed_reports(2, (org_a, org_b), bosses)
    client = client_for(bosses[0])
    assert "Golden Star" in client.get("/intelligence/patterns/").content.decode()
    sharing(org_b, with_organisations=False)
    sharing(org_a, with_organisations=True)
    # Two reports of organisation A alone no longer corroborate enough (3 are needed).
    assert "Golden Star" not in client.get("/intelligence/patterns/").content.decode()


def test_a_snapshot_counted_before_a_review_is_not_stored_over_it(org_a, org_b, sharing,
                                                                  bosses):
    """The compare-and-set: a count that began before a review must not overwrite the
    snapshot the review made stale."""
    from northstar.intelligence import selectors

    reviewed_reports(2, (org_a, org_b), bosses)
    snapshot, _ = PatternSnapshot.objects.get_or_create(law_enforcement=False)
    counted = selectors._compute(False)
    selectors.invalidate_patterns()  # a review lands while the count runs
    stored = PatternSnapshot.objects.filter(pk=snapshot.pk, generation=snapshot.generation
                                            ).update(data="stale")
    assert stored == 0 and counted["entities"]
    assert PatternSnapshot.objects.get(pk=snapshot.pk).data == ""
