"""Follow-up check-ins after a case closes: scheduled at 3, 6, 12 and 24 months, each due one
a task in "My tasks", missed when its window passes unrecorded — and counted so."""

import datetime as dt

import pytest
from django.utils import timezone

from northstar.core import jobs
from northstar.justice import tasks as case_tasks
from northstar.outcomes import actions
from northstar.outcomes.models import CheckIn
from northstar.survivors import actions as survivors
from northstar.survivors.models import StatusChange

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed_case(case_a, staff, caseworker):
    """case_a (its caseworker's: they opened it), closed 100 days ago."""
    assert case_a.caseworker == caseworker
    case = survivors.close_case(staff, case_a, version=case_a.version, reason="goals_met")
    StatusChange.objects.filter(case=case).update(
        at=timezone.now() - dt.timedelta(days=100))
    return case


def test_closing_a_case_schedules_four_check_ins_by_the_daily_job(closed_case):
    assert jobs.SCHEDULES["outcome_check_ins"].every == "day"
    job = jobs.submit_scheduled("outcome_check_ins")
    jobs.run(job.pk)
    job.refresh_from_db()
    assert job.status == "done", job.result
    assert job.result["scheduled"] == 4
    closed_on = timezone.localdate() - dt.timedelta(days=100)
    rows = list(CheckIn.objects.filter(case=closed_case).order_by("months"))
    assert [(c.months, c.closed_on) for c in rows] == [(m, closed_on) for m in (3, 6, 12, 24)]
    assert rows[0].window_ends == rows[0].due_on + dt.timedelta(days=30)
    assert rows[3].window_ends == rows[3].due_on + dt.timedelta(days=60)


def test_a_due_check_in_appears_as_a_task_in_my_tasks(closed_case, caseworker, client, staff):
    actions.keep_check_ins()  # 100 days after closing: the 3-month check-in is due
    three = CheckIn.objects.get(case=closed_case, months=3)
    assert three.status() == "due" and three.task is not None
    assert three.task.assignee == caseworker and three.task.due_on == three.window_ends
    assert not CheckIn.objects.filter(case=closed_case, months=6, task__isnull=False).exists()
    assert three.task in list(case_tasks.my_open_tasks(staff))
    client.force_login(caseworker)
    html = client.get("/justice/tasks/").content.decode()
    assert "Follow-up check-in 3 months after case" in html
    actions.keep_check_ins()  # run again: no second task
    assert CheckIn.objects.get(pk=three.pk).task_id == three.task_id


def test_recording_the_check_in_marks_its_task_done(closed_case, caseworker, client):
    actions.keep_check_ins()
    three = CheckIn.objects.get(case=closed_case, months=3)
    client.force_login(caseworker)
    assert client.get(f"/outcomes/check-ins/{three.pk}/").status_code == 200
    response = client.post(f"/outcomes/check-ins/{three.pk}/", {
        "safe": "yes", "housing": "unstable", "income": "less", "reexploited": "",
        "note": "Lives with her aunt for now."})
    assert response.status_code == 302
    three.refresh_from_db()
    assert three.status() == "done" and three.channel == "read_aloud"
    assert (three.safe, three.housing, three.income, three.reexploited) == (
        "yes", "unstable", "less", "")
    assert three.task.done_at is not None


def test_a_check_in_not_done_by_its_window_end_is_missed_and_counted(closed_case, counted):
    from northstar.outcomes import counting

    counted(closed_case.survivor)
    actions.keep_check_ins()
    three = CheckIn.objects.get(case=closed_case, months=3)
    later = three.window_ends + dt.timedelta(days=1)
    assert three.status(today=later) == "missed"
    CheckIn.objects.filter(pk=three.pk).update(
        due_on=three.due_on - dt.timedelta(days=200),
        window_ends=timezone.localdate() - dt.timedelta(days=1))
    grid = counting.follow_up(closed_case.organisation_id)[0]
    assert grid.get("missed", "3").people == 1 and grid.get("missed", "3").of == 1
    assert grid.get("done", "3").people == 0


def test_the_survivor_answers_a_due_check_in_in_the_portal(closed_case, portal_client):
    actions.keep_check_ins()
    three = CheckIn.objects.get(case=closed_case, months=3)
    client = portal_client(closed_case.survivor)
    html = client.get("/portal/surveys/").content.decode()
    assert f'id="check-in-{three.pk}"' in html
    page = client.get(f"/portal/surveys/check-in/?id={three.pk}").content.decode()
    assert '<html lang="km">' in page and 'id="safe-skip"' in page
    response = client.post("/portal/surveys/check-in/", {"id": three.pk, "safe": "unsure",
                                                         "reexploited": "no"})
    assert response.status_code == 302
    three.refresh_from_db()
    assert three.channel == "portal" and three.safe == "unsure" and three.housing == ""
    assert three.task.done_at is not None
    # and may take the answers back
    client.post("/portal/surveys/withdraw/", {"check_in": three.pk})
    three.refresh_from_db()
    assert three.withdrawn_at is not None and three.safe == "" and three.reexploited == ""


def test_reopening_the_case_cancels_the_check_ins_not_yet_due(closed_case, staff):
    actions.keep_check_ins()
    closed_case.refresh_from_db()
    case = survivors.reopen_case(staff, closed_case, version=closed_case.version,
                                 reason="new_need")
    actions.keep_check_ins()
    states = dict(CheckIn.objects.filter(case=case).values_list("months", "cancelled_at"))
    assert states[3] is None  # already due: stays (and is missed if not done)
    assert all(states[m] is not None for m in (6, 12, 24))


def test_another_organisation_gets_404_on_a_check_in(closed_case, other_caseworker, client):
    actions.keep_check_ins()
    three = CheckIn.objects.get(case=closed_case, months=3)
    client.force_login(other_caseworker)
    assert client.get(f"/outcomes/check-ins/{three.pk}/").status_code == 404
    assert client.post(f"/outcomes/check-ins/{three.pk}/", {"safe": "no"}).status_code == 404
    three.refresh_from_db()
    assert three.done_on is None


def test_the_outcomes_pages_show_words_not_codes(closed_case, caseworker, client, staff):
    from tests.web.test_human_words import enum_codes, visible

    actions.keep_check_ins()
    three = CheckIn.objects.get(case=closed_case, months=3)
    actions.record_check_in(staff, three, answers={"income": "much_less", "safe": "unsure"})
    client.force_login(caseworker)
    codes = enum_codes()
    for url in (f"/outcomes/cases/{closed_case.pk}/", f"/outcomes/check-ins/{three.pk}/",
                f"/outcomes/cases/{closed_case.pk}/survey/"):
        response = client.get(url)
        assert response.status_code == 200, url
        text = visible(response.content.decode())
        shown = sorted(code for code in codes if code in text)
        assert not shown, (url, shown)


def test_closing_again_after_a_reopening_schedules_a_new_round(closed_case, staff):
    actions.keep_check_ins()
    closed_case.refresh_from_db()
    case = survivors.reopen_case(staff, closed_case, version=closed_case.version,
                                 reason="new_need")
    actions.keep_check_ins()
    case = survivors.close_case(staff, case, version=case.version, reason="goals_met")
    actions.keep_check_ins()
    today = timezone.localdate()
    fresh = CheckIn.objects.filter(case=case, closed_on=today, cancelled_at__isnull=True)
    assert sorted(fresh.values_list("months", flat=True)) == [3, 6, 12, 24]


def test_a_case_closed_long_before_follow_ups_existed_has_no_check_ins_to_miss(closed_case):
    StatusChange.objects.filter(case=closed_case).update(
        at=timezone.now() - dt.timedelta(days=740))
    actions.keep_check_ins()
    # 740 days ago: the 3-, 6- and 12-month windows had ended; the 24-month one is open.
    assert list(CheckIn.objects.filter(case=closed_case).values_list("months", flat=True)) \
        == [24]


def test_reopened_and_closed_again_the_same_day_leaves_one_round_in_force(closed_case, staff):
    actions.keep_check_ins()
    closed_case.refresh_from_db()
    case = survivors.reopen_case(staff, closed_case, version=closed_case.version,
                                 reason="new_need")
    case = survivors.close_case(staff, case, version=case.version, reason="goals_met")
    actions.keep_check_ins()  # the job did not run between reopening and closing
    live = CheckIn.objects.filter(case=case, cancelled_at__isnull=True, due_on__gt=
                                  timezone.localdate())
    assert set(live.values_list("closed_on", flat=True)) == {timezone.localdate()}
