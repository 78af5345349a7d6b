"""The intelligence pages cost the same number of queries with 2 reports as with 12 (issue
13): the analysts' list and a report's page, the report forms, and the shared patterns,
which read one stored snapshot per audience instead of every reviewed mention; a review or a
sharing change makes the snapshot stale and submits the recount job (once for many changes);
the page never counts, it says when its figures were counted and that a recount is under
way."""

from __future__ import annotations

import itertools

import pytest
from django.db.models import F
from django.test import Client

from northstar.core.actor import Actor
from northstar.core.models import Job, Organisation
from northstar.core.roles import Role
from northstar.intelligence import actions, selectors
from northstar.intelligence.models import Mention, PatternSnapshot, Report, ReviewStatus
from tests.conftest import ApiClient
from tests.intelligence.conftest import committed, send
from tests.query_counts import few_and_many, queries_for, rows_built
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
    with committed():  # the recount job runs when the reviews commit, as in ``make run``
        review_pending(bosses)


def review_pending(bosses, decision: str = "accept") -> None:
    for boss in bosses:
        actor = Actor.for_user(boss, "web")
        for report in Report.objects.filter(organisation=actor.organisation,
                                            status=ReviewStatus.PENDING):
            actions.review_report(actor, report, decision=decision,
                                  note="Made up." if decision == "remove" else "")


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
    reviewed_reports(12, (org_a, org_b), bosses)  # the recount job ran on the reviews
    client = client_for(bosses[0])
    first = client.get("/intelligence/patterns/")
    assert "Golden Star Recruitment" in first.content.decode()
    built = rows_built([Mention, Report], lambda: client.get("/intelligence/patterns/"))
    assert built == {}
    assert PatternSnapshot.objects.get(law_enforcement=False).data  # sealed, not empty


def _recounts() -> list[Job]:
    return list(Job.objects.filter(kind=selectors.RECOUNT_JOB).order_by("pk"))


def test_reviews_submit_the_recount_job_once_and_it_runs_once(org_a, org_b, sharing, bosses):
    before = len(_recounts())
    for org in (org_a, org_a, org_b):
        send(org, agencies="Silver Moon Manpower", address=f"203.0.113.{next(_names) % 250}")
    with committed():  # three reviews in one transaction: three invalidations
        review_pending(bosses)
        queued = _recounts()[before:]
        assert len(queued) == 1 and queued[0].status == Job.Status.QUEUED
    ran = _recounts()[before:]
    assert len(ran) == 1 and ran[0].status == Job.Status.DONE and ran[0].attempts == 1
    assert ran[0].result["counted"] == {"organisations": PatternSnapshot.objects.get(
        law_enforcement=False).generation, "law_enforcement": PatternSnapshot.objects.get(
        law_enforcement=True).generation}
    # Reviews while a recount waits find the waiting job, whichever request makes them.
    for org in (org_a, org_b):
        send(org, agencies="Blue River Agency", address=f"203.0.113.{next(_names) % 250}")
    review_pending(bosses[:1])  # not committed here: its job waits
    waiting = _recounts()[before + 1:]
    review_pending(bosses[1:])
    assert _recounts()[before + 1:] == waiting and len(waiting) == 1
    assert waiting[0].status == Job.Status.QUEUED


def test_the_patterns_page_never_counts_and_says_a_recount_is_under_way(org_a, org_b, sharing,
                                                                          bosses):
    reviewed_reports(3, (org_a, org_b), bosses)
    client = client_for(bosses[0])
    warm = client.get("/intelligence/patterns/").content.decode()
    assert "Golden Star" in warm and 'id="patterns-recount"' not in warm
    assert 'id="patterns-counted"' in warm and "out of date" not in warm
    snapshot_view = queries_for(lambda: client.get("/intelligence/patterns/"))
    for org in (org_a, org_b):
        send(org, agencies="Silver Moon Manpower", address=f"203.0.113.{next(_names) % 250}")
    review_pending(bosses)  # the job is queued and does not run (no commit)
    job = _recounts()[-1]
    assert job.status == Job.Status.QUEUED
    built = rows_built([Mention, Report], lambda: client.get("/intelligence/patterns/"))
    assert built == {}  # no mention read: nothing counted in the request
    stale_view = queries_for(lambda: client.get("/intelligence/patterns/"))
    assert stale_view <= snapshot_view + 2  # the two snapshot rows and the waiting job
    page = client.get("/intelligence/patterns/").content.decode()
    assert 'id="patterns-recount"' in page and "recount is under way" in page
    assert "out of date" in page and "Golden Star" in page  # the last figures, said to be old
    assert _recounts()[-1] == job and Job.objects.get(pk=job.pk).status == Job.Status.QUEUED
    body = ApiClient(bosses[0]).get("/api/v1/intelligence/patterns").json()
    assert body["current"] is False and body["recount"] == "under_way" and body["counted_at"]
    from northstar.core import jobs
    jobs.run(job.pk)  # the worker
    page = client.get("/intelligence/patterns/").content.decode()
    assert 'id="patterns-recount"' not in page and "out of date" not in page
    assert queries_for(lambda: client.get("/intelligence/patterns/")) == snapshot_view


def test_a_report_removed_while_a_recount_waits_takes_the_figures_away(org_a, org_b, sharing,
                                                                        bosses):
    """Figures that may have counted a report judged false are not shown, even as stale."""
    reviewed_reports(2, (org_a, org_b), bosses)
    client = client_for(bosses[0])
    assert "Golden Star" in client.get("/intelligence/patterns/").content.decode()
    send(org_a, agencies="Golden Star Recruitment", address="203.0.113.250")
    review_pending(bosses[:1], decision="remove")  # not committed: the recount waits
    page = client.get("/intelligence/patterns/").content.decode()
    assert "Golden Star" not in page and 'id="patterns-recount"' in page
    assert 'id="patterns-counted"' not in page


def test_an_organisation_that_stops_sharing_takes_its_figures_away_at_once(
        org_a, org_b, sharing, bosses, users):
    from northstar.intelligence.models import SharingSetting

    reviewed_reports(2, (org_a, org_b), bosses)
    client = client_for(bosses[0])
    assert "Golden Star" in client.get("/intelligence/patterns/").content.decode()
    law = PatternSnapshot.objects.get(law_enforcement=True)
    setting = SharingSetting.objects.get(organisation=org_b)
    setting.with_organisations = False
    setting.save()  # not committed: the recount waits
    page = client.get("/intelligence/patterns/").content.decode()
    assert "Golden Star" not in page and 'id="patterns-recount"' in page
    assert PatternSnapshot.objects.get(law_enforcement=True).data == law.data  # not theirs
    setting.receives_anonymous = not setting.receives_anonymous
    generation = PatternSnapshot.objects.get(law_enforcement=False).generation
    setting.save()  # receiving anonymous reports changes no pattern
    assert PatternSnapshot.objects.get(law_enforcement=False).generation == generation


def test_a_review_after_a_view_shows_once_the_recount_ran(org_a, org_b, sharing, bosses):
    client = client_for(bosses[0])
    for org in (org_a, org_a, org_b):
        send(org, agencies="Silver Moon Manpower", address=f"203.0.113.{next(_names) % 250}")
    assert "Silver Moon" not in client.get("/intelligence/patterns/").content.decode()
    reviewed_reports(0, (), bosses)  # accepts the pending three; the job runs on commit
    assert "Silver Moon" in client.get("/intelligence/patterns/").content.decode()


def test_a_sharing_change_after_a_view_shows_once_the_recount_ran(org_a, org_b, sharing,
                                                                  bosses):
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
    reviewed_reports(2, (org_a, org_b), bosses)
    snapshot = PatternSnapshot.objects.get(law_enforcement=False)
    counted = selectors._compute(False)
    selectors.invalidate_patterns()  # a review lands while the count runs
    stored = PatternSnapshot.objects.filter(pk=snapshot.pk, generation=snapshot.generation
                                            ).update(data="stale")
    assert stored == 0 and counted["entities"]
    after = PatternSnapshot.objects.get(pk=snapshot.pk)
    assert after.data == snapshot.data and after.counted_generation < after.generation
    assert selectors.recount()["organisations"] == after.generation  # the job's work
    assert PatternSnapshot.objects.get(pk=snapshot.pk).counted_generation == after.generation


@pytest.mark.django_db(transaction=True)
def test_with_the_inline_runner_a_stale_snapshot_no_review_recounted_is_counted_for_the_page(
        org_a, org_b, sharing, bosses):
    """After a migration or a new rule file nothing was reviewed, so no review ran the job:
    the page submits it, and in ``make run`` (inline, no transaction) it runs there and the
    page shows the new count, not the old one marked out of date."""
    reviewed_reports(2, (org_a, org_b), bosses)
    client = client_for(bosses[0])
    assert 'id="patterns-recount"' not in client.get("/intelligence/patterns/").content.decode()
    PatternSnapshot.objects.update(generation=F("generation") + 1)  # stale, no job submitted
    page = client.get("/intelligence/patterns/").content.decode()
    assert "Golden Star" in page and "out of date" not in page
    assert 'id="patterns-recount"' not in page
    snapshot = PatternSnapshot.objects.get(law_enforcement=False)
    assert snapshot.counted_generation == snapshot.generation
