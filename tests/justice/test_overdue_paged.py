"""A supervisor's overdue tasks, both kinds, a page at a time (issue 13, h-smallreads).

The list was every overdue task of the organisation built in Python (and its timeline part
stopped silently at the first 200), counted exactly and cut by a ``Paginator``. It is now
two ordered reads of 50 after a cursor, merged by (due date, case, set-by-staff first, id),
with a count capped at ``NORTHSTAR_LIST_COUNT_CAP``. Walked page by page it gives the same
tasks in the same order as the old list (other organisations', archived cases', done,
voided and not-yet-due rows mixed in); on PostgreSQL each kind is read from the index that
holds its order, and the capped counts probe each row's case from an index alone.
"""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from northstar.core.roles import Role
from northstar.justice import selectors as justice_selectors
from northstar.justice import tasks as case_tasks
from northstar.justice import timeline
from northstar.justice.models import CaseTask, TimelineEvent
from tests.core.test_slow_reads import _survivors

on_postgres = pytest.mark.skipif(connection.vendor != "postgresql",
                                 reason="query plans are PostgreSQL's")

TODAY = timezone.localdate()
N = 1500


def _events(cases, every: int, start_days: int) -> None:
    """Reflection periods begun with no end agreed (their task due 7 days after) on every
    ``every``-th case, some voided; due dates that tie with the set tasks'."""
    made = []
    for i, case in enumerate(cases[::every]):
        on = TODAY - dt.timedelta(days=start_days + i % 9)
        made.append(TimelineEvent(
            case=case, organisation_id=case.organisation_id, kind="reflection_period_start",
            stage="identification", occurred_on=on, details={},
            task_due=timeline.task_due("reflection_period_start", on, {}),
            voided_at=timezone.now() if i % 11 == 3 else None))
    TimelineEvent.objects.bulk_create(made)


@pytest.fixture
def overdue(org_a, org_b, caseworker, supervisor, other_caseworker, users):
    """Org A: open tasks past due (two assignees, several on one case and day), done ones,
    ones not yet due; timeline tasks overdue, voided, and not yet due; cases archived and
    of archived survivors. Org B: its own of each."""
    cases_a = _survivors(org_a, "OA", N, staff=caseworker)
    cases_b = _survivors(org_b, "OB", N // 5, staff=other_caseworker)
    legal = users[("a", Role.LEGAL_OFFICER)]
    tasks = []
    for i, case in enumerate(cases_a[::4]):
        due = TODAY + dt.timedelta(days=(i % 13) - 10)  # 10 days ago to 2 days ahead
        for k in range(1 + (i % 5 == 0)):
            tasks.append(CaseTask(case=case, title=f"Call {i}-{k}", due_on=due,
                                  assignee=legal if k else caseworker,
                                  done_at=timezone.now() if i % 7 == 2 else None))
    for i, case in enumerate(cases_b[::3]):
        tasks.append(CaseTask(case=case, title=f"B call {i}", assignee=other_caseworker,
                              due_on=TODAY - dt.timedelta(days=3)))
    CaseTask.objects.bulk_create(tasks)
    _events(cases_a, 3, 12)  # due 5 to 13 days ago: ties with the tasks'
    _events(cases_a[1:], 50, 2)  # due in 1 to 5 days, or earlier: not all overdue
    _events(cases_b, 4, 15)
    with connection.cursor() as cursor:
        for table in ("survivors_case", "justice_casetask", "justice_timelineevent"):
            cursor.execute(f"ANALYZE {table}")


def _before(actor) -> list[tuple[str, int]]:
    """The old list (``overdue_in_organisation`` as it was, without its cut at 200 timeline
    tasks): set tasks (by due date and id), then timeline tasks (by due date, case and
    event), stably sorted by (due date, case)."""
    rows = [("set", t.pk, t.due_on, t.case_id)
            for t in case_tasks.visible_tasks(actor).filter(done_at__isnull=True,
                                                            due_on__lt=TODAY)]
    rows += [("timeline", task.event_id, task.due, case.pk)
             for case, task in justice_selectors.tasks_for(actor, today=TODAY, limit=None)
             if task.due < TODAY]
    rows.sort(key=lambda r: (r[2], r[3]))
    return [(kind, pk) for kind, pk, *_ in rows]


def _ids(rows) -> list[tuple[str, int]]:
    return [(r["kind"], r["task"].pk if r["task"] else r["derived"].event_id) for r in rows]


def _walk(actor, size: int) -> list[tuple[str, int]]:
    shown, cursor = [], None
    while True:
        page = case_tasks.overdue_page(actor, cursor=cursor, size=size, today=TODAY)
        shown += _ids(page.rows)
        if page.next is None:
            return shown
        cursor = page.next


def test_the_overdue_list_is_the_same_tasks_in_the_same_order_page_by_page(
        overdue, supervisor, users, actor_for):
    for who in (supervisor, users[("b", Role.SUPERVISOR)]):
        actor = actor_for(who)
        expected = _before(actor)
        assert {kind for kind, _pk in expected} == {"set", "timeline"}
        for size in (50, 7):
            assert _walk(actor, size) == expected
    assert len(_before(actor_for(supervisor))) > 200  # past the old cut of the timeline's


def test_the_page_follows_its_next_link_to_the_end_and_a_supervisor_elsewhere_sees_none(
        overdue, supervisor, users, actor_for, settings):
    settings.NORTHSTAR_LIST_COUNT_CAP = 100
    expected = _before(actor_for(supervisor))
    client = Client()
    client.force_login(supervisor)
    url, shown, pages = "/justice/tasks/overdue/", [], 0
    while url:
        response = client.get(url)
        assert response.status_code == 200
        shown += _ids(response.context["rows"])
        html = response.content.decode()
        pages += 1
        # The count as the first page read it, capped, carried by the cursor.
        assert "100+ tasks are overdue" in html
        found = re.search(r'href="\?([^"]*cursor=[^"]*)" rel="next"', html)
        url = f"/justice/tasks/overdue/?{unescape(found.group(1))}" if found else None
        assert pages == 1 or 'rel="first"' in html
    assert shown == expected and pages == -(-len(expected) // case_tasks.OVERDUE_PAGE)
    other = Client()
    other.force_login(users[("b", Role.SUPERVISOR)])
    # Org B's supervisor: none of org A's, on the first page or after org A's cursor.
    for url in ("/justice/tasks/overdue/", "/justice/tasks/overdue/?cursor="
                + found_cursor(client)):
        response = other.get(url)
        assert response.status_code == 200
        html = response.content.decode()
        assert re.search(r"OB\d+-C1", html) and not re.search(r"OA\d+-C1", html)


def found_cursor(client) -> str:
    html = client.get("/justice/tasks/overdue/").content.decode()
    return unescape(re.search(r"cursor=([^\"&]*)", html).group(1)).replace("%3A", ":")


def test_an_altered_cursor_is_refused_naming_it(overdue, supervisor):
    client = Client()
    client.force_login(supervisor)
    cursor = found_cursor(client)
    response = client.get("/justice/tasks/overdue/", {"cursor": cursor[:-2] + "xx"})
    assert response.status_code == 422 and "cursor" in response.content.decode()


def test_the_count_is_exact_below_the_cap(supervisor, case_a, caseworker, actor_for):
    actor = actor_for(caseworker)
    case_tasks.add_task(actor, case_a, title="Chase the embassy letter", assignee=caseworker,
                        due_on=TODAY - dt.timedelta(days=2))
    case_tasks.add_task(actor, case_a, title="Call the shelter", assignee=caseworker,
                        due_on=TODAY - dt.timedelta(days=1))
    client = Client()
    client.force_login(supervisor)
    html = client.get("/justice/tasks/overdue/").content.decode()
    assert "2 tasks are overdue" in html and "+ tasks" not in html
    assert html.index("Chase the embassy letter") < html.index("Call the shelter")
    assert 'rel="next"' not in html


def test_the_overdue_page_in_khmer(supervisor, case_a, caseworker, actor_for, settings):
    settings.NORTHSTAR_LIST_COUNT_CAP = 1
    actor = actor_for(caseworker)
    for title in ("ហៅទៅស្ថានទូត", "Call the shelter"):
        case_tasks.add_task(actor, case_a, title=title, assignee=caseworker,
                            due_on=TODAY - dt.timedelta(days=2))
    client = Client(HTTP_ACCEPT_LANGUAGE="km")
    client.force_login(supervisor)
    client.cookies["django_language"] = "km"
    html = client.get("/justice/tasks/overdue/").content.decode()
    assert "កិច្ចការ 1+ ហួសកំណត់" in html and "ហៅទៅស្ថានទូត" in html
    assert "tasks are overdue" not in html


@on_postgres
def test_each_kind_of_overdue_task_is_read_in_its_order_from_its_index(overdue, supervisor,
                                                                        actor_for):
    actor = actor_for(supervisor)
    org_id = actor.organisation.pk
    first = case_tasks.overdue_page(actor, size=25, today=TODAY)
    position, _count = case_tasks._position(first.next)
    for rows, index, kind, due in (
            (case_tasks._overdue_set_tasks(org_id, TODAY), "casetask_overdue_order",
             case_tasks._SET, "due_on"),
            (case_tasks._overdue_events(org_id, TODAY), "justice_event_task_due_order",
             case_tasks._TIMELINE, "task_due")):
        for page in (rows, case_tasks._after(rows, due, kind, position)):
            plan = page.select_related("case")[:26].explain()
            assert index in plan and "Sort Key" not in plan, plan


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_the_capped_counts_probe_each_case_from_an_index_alone(overdue, supervisor,
                                                                actor_for, settings):
    assert_probed(case_tasks._overdue_set_tasks(actor_for(supervisor).organisation.pk, TODAY),
                  "case_visible_probe", settings)
    assert_probed(case_tasks._overdue_events(actor_for(supervisor).organisation.pk, TODAY),
                  "case_visible_probe", settings)


def assert_probed(rows, index: str, settings) -> None:
    """The plan of ``rows``' capped count reads each row's case (or survivor) from ``index``
    alone. With the cap at 50, as the rows of 1,500 cases are to a cap of 1,000 at 100,000
    survivors, once the tables are vacuumed (an index-only read needs the visibility map;
    in a test's transaction there is none). Without the index each probe read the row
    through its primary key, or PostgreSQL hashed the organisation's cases or survivors."""
    settings.NORTHSTAR_LIST_COUNT_CAP = 50
    table = rows.model._meta.db_table
    with connection.cursor() as cursor:
        for name in ("survivors_case", "survivors_survivor", table):
            cursor.execute(f"VACUUM ANALYZE {name}")
    plan = rows.order_by().values("pk")[:51].explain()
    assert f"Index Only Scan using {index}" in plan, plan
