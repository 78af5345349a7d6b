"""Four reads that were slow at 100,000 survivors whatever the plan (issue 13, h-slowreads):
the referral list, the case-task list (API) and "tasks set for me" (``/justice/tasks/``),
and the timeline's coming tasks. Each gives the same rows in the same order as the query it
replaced (walked page by page, with other organisations' and invisible rows mixed in), and on
PostgreSQL each page is read from the index that matches its order, without a sort.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from northstar import policy
from northstar.core import keyset
from northstar.core.models import Organisation
from northstar.justice import selectors as justice_selectors
from northstar.justice import tasks as case_tasks
from northstar.justice.models import CaseTask, TimelineEvent
from northstar.referrals import selectors as referral_selectors
from northstar.referrals.models import Referral
from northstar.survivors.models import Case, Consent, Survivor

on_postgres = pytest.mark.skipif(connection.vendor != "postgresql",
                                 reason="query plans are PostgreSQL's")

#: Org A's records: enough that PostgreSQL's plan is the one a large organisation gets.
N = 1500


def _survivors(organisation, prefix: str, n: int, staff=None) -> list[Case]:
    start = timezone.now() - dt.timedelta(days=400)
    survivors = Survivor.objects.bulk_create(
        Survivor(organisation=organisation, reference=f"{prefix}{i}", nationality="KH",
                 created_at=start + dt.timedelta(minutes=i), has_cases=True)
        for i in range(n))
    return Case.objects.bulk_create(
        Case(survivor=s, organisation=organisation, reference=f"{s.reference}-C1",
             jurisdiction="KH", forms_of_exploitation=["labour"], created_at=s.created_at,
             survivor_created_at=s.created_at, caseworker=staff,
             archived_at=timezone.now() if i % 17 == 5 else None,
             survivor_archived=i % 23 == 7)
        for i, s in enumerate(survivors))


@pytest.fixture
def referrals(org_a, org_b, caseworker):
    """Referrals org A sent (some about survivors since moved to org C), org B sent to org A,
    and org C sent to org B (none of org A's), with sent times that tie."""
    org_c = Organisation.objects.create(name="Org C", kind="ngo", jurisdiction="TH",
                                        code="ORGC")
    cases_a = _survivors(org_a, "RA", N)
    cases_b = _survivors(org_b, "RB", N // 3)
    cases_c = _survivors(org_c, "RC", N // 3)
    moved = [c.survivor_id for c in cases_a[::9]]
    Survivor.objects.filter(pk__in=moved).update(organisation=org_c)
    base = timezone.now() - dt.timedelta(days=30)
    plan = ([(c.survivor_id, org_a, org_b) for c in cases_a]
            + [(c.survivor_id, org_b, org_a) for c in cases_b]
            + [(c.survivor_id, org_c, org_b) for c in cases_c])
    consents = Consent.objects.bulk_create(
        Consent(survivor_id=s, purpose="referral", recipient=to, language="km",
                method="written", explained_by_label="x") for s, _from, to in plan)
    Referral.objects.bulk_create(
        Referral(survivor_id=s, sender=sender, recipient=to, consent=consent,
                 sender_jurisdiction="TH", recipient_jurisdiction="KH",
                 sent_at=base + dt.timedelta(minutes=i // 3))
        for i, ((s, sender, to), consent) in enumerate(zip(plan, consents, strict=True)))
    with connection.cursor() as cursor:
        for table in ("survivors_survivor", "survivors_case", "survivors_consent",
                      "referrals_referral"):
            cursor.execute(f"ANALYZE {table}")


def _walk(queryset, size: int = 25) -> list[int]:
    ids, cursor = [], None
    while True:
        found = keyset.page(queryset, size=size, cursor=cursor)
        ids += [r.pk for r in found.rows]
        if found.next is None:
            return ids
        cursor = found.next


def test_the_referral_list_is_the_same_rows_in_the_same_order(
        referrals, org_a, org_b, caseworker, other_caseworker, actor_for):
    for who, org in ((caseworker, org_a), (other_caseworker, org_b)):
        actor = actor_for(who)
        before = Referral.objects.filter(Q(sender=org, survivor__organisation=org)
                                         | Q(recipient=org)).order_by("-sent_at", "-id")
        expected = list(before.values_list("pk", flat=True))
        assert len(expected) > 100
        shown = referral_selectors.visible_referrals(actor)
        assert _walk(shown) == expected
        assert _walk(shown, size=7) == expected
        assert keyset.count(shown, exact=True).value == len(expected)
        for direction in ("sent", "received"):
            side = referral_selectors.visible_referrals(actor, direction=direction)
            assert set(_walk(side)) <= set(expected)


@on_postgres
def test_a_page_of_referrals_is_read_newest_first_from_its_index(referrals, caseworker,
                                                                  actor_for):
    shown = referral_selectors.visible_referrals(actor_for(caseworker))
    first = keyset.page(shown, size=25)
    for page in (shown[:26], keyset.after(shown, first.next)[:26]):
        plan = page.explain()
        assert "referral_sent_order" in plan, plan
        assert "Sort Key" not in plan and "Seq Scan on survivors_survivor" not in plan, plan


@pytest.fixture
def case_task_rows(org_a, org_b, caseworker, other_caseworker, supervisor):
    """Tasks on org A's cases (some archived, some of archived survivors), org B's, assigned
    to the caseworker and the supervisor, open and done, due dates that tie."""
    today = timezone.localdate()
    cases = _survivors(org_a, "TA", N) + _survivors(org_b, "TB", N // 4)
    CaseTask.objects.bulk_create(
        CaseTask(case=c, title=f"task {i}",
                 assignee=(other_caseworker if c.organisation_id == org_b.pk
                           else caseworker if i % 3 else supervisor),
                 due_on=today + dt.timedelta(days=i % 11 - 5),
                 done_at=timezone.now() if i % 7 == 3 else None)
        for i, c in enumerate(cases) for _ in range(1 + i % 2))
    with connection.cursor() as cursor:
        for table in ("survivors_survivor", "survivors_case", "justice_casetask"):
            cursor.execute(f"ANALYZE {table}")


def test_the_case_task_lists_are_the_same_rows_in_the_same_order(case_task_rows, org_a,
                                                                   caseworker, actor_for):
    actor = actor_for(caseworker)
    visible = Case.objects.filter(organisation=org_a, archived_at__isnull=True,
                                  survivor_archived=False)
    every = CaseTask.objects.filter(case__in=visible).order_by("due_on", "id")
    mine = every.filter(assignee=caseworker, done_at__isnull=True)
    assert len(every) > 200 and 100 < len(mine) < len(every)
    api_list = case_tasks.visible_tasks(actor).select_related("case").order_by("due_on", "id")
    assert _walk(api_list) == list(every.values_list("pk", flat=True))
    assert _walk(case_tasks.my_open_tasks(actor), size=25) == list(
        mine.values_list("pk", flat=True))


def test_my_tasks_page_walks_by_cursor_through_every_open_task_of_mine(
        case_task_rows, caseworker, client):
    client.force_login(caseworker)
    expected = list(CaseTask.objects.filter(
        assignee=caseworker, done_at__isnull=True, case__archived_at__isnull=True,
        case__survivor_archived=False).order_by("due_on", "id").values_list("pk", flat=True))
    seen, url = [], "/justice/tasks/"
    while url:
        response = client.get(url)
        assert response.status_code == 200
        seen += [t.pk for t in response.context["mine"]]
        following = response.context["mine_next"]
        url = f"/justice/tasks/?cursor={following}" if following else None
    assert seen == expected
    assert client.get("/justice/tasks/?cursor=nonsense").status_code == 422


@on_postgres
def test_a_page_of_case_tasks_is_read_in_order_from_its_index(case_task_rows, caseworker,
                                                               actor_for):
    actor = actor_for(caseworker)
    api_list = case_tasks.visible_tasks(actor).select_related("case").order_by("due_on", "id")
    plan = api_list[:26].explain()
    assert "casetask_due_order" in plan and "Sort Key" not in plan, plan
    plan = case_tasks.my_open_tasks(actor)[:26].explain()
    assert "casetask_mine_order" in plan and "Sort Key" not in plan, plan


@on_postgres
def test_the_case_task_api_list_is_planned_for_the_organisation_each_run(
        case_task_rows, caseworker, api):
    client = api(caseworker)
    for _ in range(8):
        assert client.get("/api/v1/case-tasks").status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE NOT from_sql")
        prepared = [row[0] for row in cursor.fetchall() if "justice_casetask" in row[0]]
    assert prepared == []


@on_postgres
def test_the_referral_lists_are_planned_for_the_organisation_each_run(referrals, caseworker,
                                                                       api, client):
    client.force_login(caseworker)
    token_client = api(caseworker)
    for _ in range(8):
        assert token_client.get("/api/v1/referrals").status_code == 200
        assert client.get("/referrals/").status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE NOT from_sql")
        statements = [row[0] for row in cursor.fetchall()]
    # The list's page and count (not the page's own rows looked up by id afterwards).
    page_or_count = [sql for sql in statements if '"referrals_referral"."id" IN (' not in sql
                     and ('"referrals_referral"."sent_at" DESC' in sql
                          or ("COUNT(*)" in sql and '"referrals_referral"' in sql))]
    assert page_or_count == []


@pytest.fixture
def coming_events(org_a, org_b, caseworker):
    """Hearings and shelter stays coming (and past, and too far off) on org A's and org B's
    cases, many on the same day."""
    today = timezone.localdate()
    cases = _survivors(org_a, "EA", N) + _survivors(org_b, "EB", N // 4)
    events = []
    for i, c in enumerate(cases):
        hearing_on = today + dt.timedelta(days=i % 20 - 3)
        events.append(TimelineEvent(case=c, kind="hearing", stage="trial", occurred_on=hearing_on,
                                    details={}, organisation_id=c.organisation_id,
                                    recorded_by_label="x", window_on=hearing_on))
        stay_ends = today + dt.timedelta(days=i % 6 - 1)
        events.append(TimelineEvent(case=c, kind="shelter_stay", stage="protection",
                                    occurred_on=today - dt.timedelta(days=30),
                                    details={"until": stay_ends.isoformat()},
                                    organisation_id=c.organisation_id, recorded_by_label="x",
                                    window_on=stay_ends,
                                    voided_at=timezone.now() if i % 13 == 4 else None))
    TimelineEvent.objects.bulk_create(events)
    with connection.cursor() as cursor:
        for table in ("survivors_survivor", "survivors_case", "justice_timelineevent"):
            cursor.execute(f"ANALYZE {table}")
    return today


def test_the_coming_tasks_are_the_same_events_in_the_same_order(coming_events, caseworker,
                                                                  actor_for):
    today = coming_events
    hearing_until, shelter_until = justice_selectors._windows_ending(today)
    actor = actor_for(caseworker)
    cases = policy.visible_cases(actor)
    live = TimelineEvent.objects.filter(case__in=cases, voided_at__isnull=True)
    due = list(live.filter(task_due__isnull=False).exclude(
        kind="hearing", occurred_on__gte=today).order_by("task_due", "case_id", "pk"))
    coming = list(live.filter(window_on__gte=today).filter(
        Q(kind="hearing", window_on__lte=hearing_until)
        | Q(kind="shelter_stay", window_on__lte=shelter_until)).order_by(
        "window_on", "case_id", "pk"))
    expected = sorted([((e.task_due, e.case_id, e.pk), 0, e.pk) for e in due]
                      + [((e.window_on, e.case_id, e.pk), 1, e.pk) for e in coming])
    expected = [pk for *_key, pk in expected]
    assert len(coming) > 100
    for upto in (None, 7, 200):
        got = [e.pk for e in justice_selectors.open_task_events(cases, today=today, upto=upto)]
        assert got == expected[:upto]
        rows = justice_selectors.task_rows_for(actor, today=today, limit=upto)
        assert [r["pk"] for r in rows] == expected[:upto]


@on_postgres
def test_the_coming_tasks_are_read_one_kind_at_a_time_in_order(coming_events, caseworker,
                                                                actor_for):
    today = coming_events
    cases = policy.visible_cases(actor_for(caseworker))
    _due, coming = justice_selectors._open_task_queries(cases, today=today)
    assert len(coming) == 2 and justice_selectors.COMING_KINDS[0] == "hearing"
    # Many hearings coming (as at 100k, where every one is tomorrow): read in order from
    # their own range of the index and stopped at 200, no sort. (The shelter stays' query
    # has its range too; with a few hundred rows PostgreSQL may rightly sort them.)
    plan = coming[0][:200].explain()
    assert "justice_event_kind_window" in plan, plan
    assert "Seq Scan on justice_timelineevent" not in plan and "Sort Key" not in plan, plan
