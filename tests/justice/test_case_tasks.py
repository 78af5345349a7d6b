"""Tasks set on a case, with an assignee, a due date and done or not (issue 14).

Beside the timeline's own tasks: "My tasks" for a caseworker, and a supervisor's view of
every overdue task in the organisation (both kinds), paged and flat in the number of
queries however many there are.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from northstar.core.actor import Actor
from northstar.core.models import AuditEntry
from northstar.core.roles import Role
from northstar.justice import actions as justice
from northstar.justice import tasks as case_tasks
from northstar.justice.models import CaseTask
from northstar.survivors import actions
from tests.web.test_intake import client_for

YESTERDAY = timezone.localdate() - dt.timedelta(days=1)


def test_a_task_added_on_the_case_page_is_sealed_listed_as_mine_and_marked_done(
        case_a, caseworker):
    client = client_for(caseworker)
    response = client.post(f"/justice/cases/{case_a.pk}/tasks/", {
        "title": "Ask Dara about the passport", "assignee": caseworker.pk,
        "due_on": "2030-01-15"})
    assert response.status_code == 302
    task = CaseTask.objects.get()
    assert "Dara" not in str(task.title)  # sealed at rest
    assert "Ask Dara about the passport" in client.get(f"/cases/{case_a.pk}/").content.decode()
    mine = client.get("/justice/tasks/").content.decode()
    assert "Ask Dara about the passport" in mine and case_a.reference in mine
    reads = AuditEntry.objects.filter(action="read", record_type="case_task")
    assert any(str(task.pk) in e.record_ids for e in reads)
    assert client.post(f"/justice/tasks/{task.pk}/done/", {"done": "1"}).status_code == 302
    task.refresh_from_db()
    assert task.done_at is not None
    assert "Ask Dara about the passport" not in client.get("/justice/tasks/").content.decode()


def test_a_task_needs_words_and_a_date(case_a, caseworker):
    response = client_for(caseworker).post(f"/justice/cases/{case_a.pk}/tasks/", {
        "title": "", "assignee": caseworker.pk, "due_on": "2030-01-15"})
    assert response.status_code == 422
    assert not CaseTask.objects.exists()


def test_another_organisation_cannot_see_or_tick_off_a_task(case_a, caseworker, users):
    task = case_tasks.add_task(Actor.for_user(caseworker, "cli"), case_a, title="Call her",
                               assignee=caseworker, due_on=YESTERDAY)
    stranger = client_for(users[("b", Role.SUPERVISOR)])
    assert stranger.post(f"/justice/tasks/{task.pk}/done/", {"done": "1"}).status_code == 404
    assert stranger.post(f"/justice/cases/{case_a.pk}/tasks/", {
        "title": "x", "assignee": caseworker.pk, "due_on": "2030-01-01"}).status_code == 404
    task.refresh_from_db()
    assert task.done_at is None
    assert "Call her" not in stranger.get("/justice/tasks/overdue/").content.decode()


def test_the_supervisor_sees_every_overdue_task_of_both_kinds_and_a_caseworker_gets_404(
        case_a, caseworker, supervisor, users):
    actor = Actor.for_user(caseworker, "cli")
    colleague = users[("a", Role.LEGAL_OFFICER)]
    case_tasks.add_task(actor, case_a, title="Chase the embassy letter", assignee=colleague,
                        due_on=YESTERDAY)
    case_tasks.add_task(actor, case_a, title="Not due yet", assignee=colleague,
                        due_on=timezone.localdate() + dt.timedelta(days=3))
    # A reflection period with no end agreed: the timeline raises an overdue task.
    justice.record_event(actor, case_a, kind="reflection_period_start",
                         occurred_on=timezone.localdate() - dt.timedelta(days=40), details={})
    assert client_for(caseworker).get("/justice/tasks/overdue/").status_code == 404
    page = client_for(supervisor).get("/justice/tasks/overdue/").content.decode()
    assert "Chase the embassy letter" in page and "legal_officer.a" in page
    assert "Not due yet" not in page
    assert "from the timeline" in page and "set by staff" in page


def _grow(caseworker, n: int) -> None:
    actor = Actor.for_user(caseworker, "cli")
    for _ in range(n):
        survivor = actions.create_survivor(actor, data={"nationality": "KH"})
        case = actions.create_case(actor, survivor, data={"forms_of_exploitation": ["labour"]})
        case_tasks.add_task(actor, case, title="Overdue call", assignee=caseworker,
                            due_on=YESTERDAY)
        justice.record_event(actor, case, kind="reflection_period_start",
                             occurred_on=timezone.localdate() - dt.timedelta(days=40),
                             details={})


def test_the_overdue_view_costs_the_same_queries_for_2_or_20_cases(
        caseworker, supervisor, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(supervisor)
    _grow(caseworker, 2)
    with CaptureQueriesContext(connection) as small:
        assert client.get("/justice/tasks/overdue/").status_code == 200
    _grow(caseworker, 18)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get("/justice/tasks/overdue/")
    assert response.content.decode().count("Overdue call") == 20


def test_my_tasks_costs_the_same_queries_for_2_or_20_tasks(caseworker,
                                                            django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(caseworker)
    _grow(caseworker, 2)
    with CaptureQueriesContext(connection) as small:
        assert client.get("/justice/tasks/").status_code == 200
    _grow(caseworker, 18)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get("/justice/tasks/")
    assert response.content.decode().count("Overdue call") == 20
