"""The case page reads its panels by the case ``policy.case_for`` already checked (issue 13).

Each panel used to filter ``case__in=policy.visible_cases(actor)`` again, a subquery Django
compiled anew in every query (a third of the page's CPU). Now the policy answers "this case
is one the actor may see" once (``policy.visible_case_id``) and the panels read the rows of
that case id. What must hold:

- the case page's queries carry no visible-cases subquery, and still show every panel;
- a case *not* handed out by ``case_for`` to this actor is still checked: another
  organisation's case gives no rows through any of the case selectors, and a check made for
  one actor is never taken for another's;
- the case page's alerts of one survivor, now chosen from queries written once, are the same
  alerts the general sources give for that survivor;
- a prepared query accepts only the constants it names.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from northstar import policy
from northstar.compensation import alerts as compensation_alerts
from northstar.core.prepared import Prepared
from northstar.justice import selectors as justice_selectors
from northstar.justice.models import TimelineEvent, refresh_tasks
from northstar.pathways import selectors as pathways_selectors
from northstar.referrals import panels as referral_panels
from northstar.safeguards import panels as safeguard_panels
from northstar.safeguards import selectors as safeguard_selectors
from northstar.safeguards.models import Finding
from northstar.screening import selectors as screening_selectors
from northstar.survivors import actions
from northstar.survivors.models import Case
from tests.web.test_flat_in_alerts import add_alerts
from tests.web.test_intake import client_for

#: How ``visible_cases`` reads as a subquery of another table's query.
VISIBLE_CASES_SUBQUERY = 'IN (SELECT U0."id" FROM "survivors_case" U0'


def _read(client, url) -> tuple[str, list[str]]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return response.content.decode(), [q["sql"] for q in ctx.captured_queries]


def test_the_case_pages_queries_carry_no_visible_cases_subquery(
        caseworker, actor_for, case_a, org_b):
    add_alerts(actor_for(caseworker), case_a, 2, partner=org_b)
    client = client_for(caseworker)
    url = f"/cases/{case_a.pk}/"
    client.get(url)
    page, queries = _read(client, url)
    assert not [q for q in queries if VISIBLE_CASES_SUBQUERY in q]
    # The panels are all still there, with what they read.
    for key in ("justice_chain", "do_no_harm", "screening", "priorities", "case_tasks", "plan",
                "compensation", "referrals", "outcomes", "documents"):
        assert f'data-panel="{key}"' in page, key
    assert "block 0" in page and "block 1" in page  # the Do No Harm findings, and alerts
    assert f"{case_a.survivor.reference}: referral #" in page
    assert page.count('class="alert overdue"') >= 2


def test_another_organisations_case_gives_no_rows_through_the_case_selectors(
        caseworker, other_caseworker, actor_for, case_a, org_b):
    mine = actor_for(caseworker)
    add_alerts(mine, case_a, 2, partner=org_b)
    outsider = actor_for(other_caseworker)
    case = Case.objects.get(pk=case_a.pk)  # not handed out by ``case_for``: checked again
    assert policy.visible_case_id(outsider, case) is None
    assert safeguard_selectors.findings_for_case(outsider, case, status="open") == []
    assert justice_selectors.timeline_of(outsider, case) == []
    assert screening_selectors.screenings(outsider, case, limit=1) == []
    assert pathways_selectors.priorities(outsider, case) is None
    assert pathways_selectors.plan(outsider, case) == []
    # The owner's caseworker sees them, from the same unchecked instance.
    assert policy.visible_case_id(mine, case) == case.pk
    assert len(safeguard_selectors.findings_for_case(mine, case, status="open")) == 2
    assert len(justice_selectors.timeline_of(mine, case)) == 2


def test_a_case_checked_for_one_actor_is_not_taken_as_checked_for_another(
        caseworker, other_caseworker, actor_for, case_a):
    mine, outsider = actor_for(caseworker), actor_for(other_caseworker)
    case = policy.case_for(mine, case_a.pk)
    assert policy.visible_case_id(mine, case) == case.pk
    with CaptureQueriesContext(connection) as ctx:
        assert policy.visible_case_id(mine, case) == case.pk
    assert len(ctx.captured_queries) == 0  # answered from ``case_for``'s check
    assert policy.visible_case_id(outsider, case) is None
    assert policy.visible_case_id(actor_for(caseworker), Case.objects.get(pk=case.pk)) == case.pk
    # Archived since: a new check says no.
    Case.objects.filter(pk=case.pk).update(archived_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    assert policy.visible_case_id(actor_for(caseworker), Case.objects.get(pk=case.pk)) is None


def test_the_staff_cases_condition_is_the_visible_cases_of_case_staff(
        caseworker, actor_for, case_a, survivor_a):
    actor = actor_for(caseworker)
    archived = actions.create_case(actor, survivor_a, data={"forms_of_exploitation": ["labour"]})
    Case.objects.filter(pk=archived.pk).update(archived_at=timezone.now())
    other = actions.create_case(actor, survivor_a, data={"forms_of_exploitation": ["sex"]})
    Case.objects.filter(pk=other.pk).update(survivor_archived=True)
    seen = set(policy.visible_cases(actor).values_list("pk", flat=True))
    assert seen == {case_a.pk}
    assert set(Case.objects.filter(policy.staff_cases_q(actor.organisation.pk))
               .values_list("pk", flat=True)) == seen
    assert [c.pk for c in policy.cases_of_survivor(actor, survivor_a)] == [case_a.pk]


def test_one_survivors_alerts_are_the_general_sources_alerts_for_them(
        caseworker, actor_for, case_a, org_b):
    actor = actor_for(caseworker)
    add_alerts(actor, case_a, 3, partner=org_b)
    survivor = case_a.survivor
    reference = survivor.reference
    # A hearing ahead besides (shown in the days before it).
    today = timezone.localdate()
    TimelineEvent.objects.create(case=case_a, kind="hearing", stage="trial",
                                 occurred_on=today + dt.timedelta(days=5), details={},
                                 organisation=actor.organisation, recorded_by_label="test")
    refresh_tasks([case_a.pk])

    def same(a, b):
        return [(x.due, x.title, x.url, x.severity, x.survivor_reference) for x in a] == \
            [(x.due, x.title, x.url, x.severity, x.survivor_reference) for x in b]

    cases = policy.visible_cases(actor).filter(survivor=survivor)
    expected_events = justice_selectors.open_task_events(cases, today=today)
    found_events = justice_selectors.open_task_events_of_survivor(actor, survivor, today=today)
    assert [e.pk for e in found_events] == [e.pk for e in expected_events]
    assert len(found_events) >= 4  # three follow-ups and the hearing ahead

    blocks = safeguard_panels.survivor_block_alerts(actor, survivor)
    assert len(blocks) == 3
    assert same(blocks, [a for a in safeguard_panels.open_block_alerts(actor, limit=None)
                         if a.survivor_reference == reference])

    referrals = referral_panels.survivor_referral_alerts(actor, survivor)
    assert len(referrals) == 3  # the unanswered ones (the incoming name no survivor)
    assert same(referrals, referral_panels.referral_alerts(actor, limit=None, survivor=survivor))

    overdue = compensation_alerts.open_alerts_for(actor, survivor=survivor, limit=None)
    general = [a for a in compensation_alerts.open_alerts_for(actor, limit=None)
               if a.instalment.claim.case.survivor_id == survivor.pk]
    assert [a.pk for a in overdue] == [a.pk for a in general] and len(overdue) == 3


def test_a_prepared_query_takes_only_the_constants_it_names(case_a):
    unnamed = Prepared(lambda pk: Finding.objects.filter(case_id=pk, status="open"), -9_100_1)
    with pytest.raises(ValueError):
        unnamed(case_a.pk)
    named = Prepared(lambda pk: Finding.objects.filter(case_id=pk, status="open"), -9_100_2,
                     constants=("open",))
    assert named(case_a.pk) == []
    Finding.objects.create(case=case_a, action="refer", rule="t", severity="block",
                           harm="physical", explanation="x", source="check",
                           rule_set_version="t")
    assert [f.case_id for f in named(case_a.pk)] == [case_a.pk]
