"""The task list is one bounded query over a stored due date; it must list exactly the tasks
``timeline.derive_tasks`` works out from every case's events (the Python it replaced), on a
population with every event kind, answered and unanswered, voided, past and coming."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from northstar import policy
from northstar.justice import selectors, timeline
from northstar.justice.models import TimelineEvent
from tests import populations


def python_tasks(actor, today):
    """Every case's events into Python and ``derive_tasks`` on each, as before."""
    out = []
    for case in policy.visible_cases(actor):
        facts = [e.facts() for e in TimelineEvent.objects.filter(case=case,
                                                                 voided_at__isnull=True)]
        out += [(case.pk, t) for t in timeline.derive_tasks(facts, today)]
    return out


def key(rows):
    return sorted((case_id, t.due, t.kind, t.title, t.severity, t.event_id)
                  for case_id, t in rows)


@pytest.fixture
def population(caseworker, actor_for):
    return populations.build(actor_for(caseworker), 18)


@pytest.mark.parametrize("days", [-30, -3, 0, 1, 10, 45])
def test_the_query_lists_the_tasks_derive_tasks_works_out(population, caseworker, actor_for,
                                                          days):
    actor = actor_for(caseworker)
    today = timezone.localdate() + dt.timedelta(days=days)
    rows = selectors.tasks_for(actor, today=today, limit=None)
    expected = python_tasks(actor, today)
    assert key((c.pk, t) for c, t in rows) == key(expected)
    assert [t.due for _c, t in rows] == sorted(t.due for _c, t in rows)
    if days == 0:
        kinds = {t.kind for _c, t in rows}
        assert kinds >= {"reflection_period_end_unset", "hearing", "follow_up_due"}
        # some events' tasks were answered by a later event, so the filter is exercised
        answered = [e for e in TimelineEvent.objects.filter(kind="return", voided_at=None)
                    if e.pk not in {t.event_id for _c, t in rows}]
        assert answered


def test_pages_of_tasks_add_up_to_the_whole_list(population, caseworker, actor_for):
    actor = actor_for(caseworker)
    today = timezone.localdate()
    whole = selectors.tasks_for(actor, today=today, limit=None)
    assert len(whole) > 10
    paged = []
    for offset in range(0, len(whole) + 7, 7):
        paged += selectors.tasks_for(actor, today=today, limit=7, offset=offset)
    assert key((c.pk, t) for c, t in paged) == key((c.pk, t) for c, t in whole)


def test_one_survivors_tasks_are_those_of_their_cases(population, caseworker, actor_for):
    actor = actor_for(caseworker)
    today = timezone.localdate()
    whole = selectors.tasks_for(actor, today=today, limit=None)
    survivor = next(c.survivor for c, _t in whole)
    mine = selectors.tasks_for(actor, today=today, survivor=survivor, limit=None)
    assert mine and key((c.pk, t) for c, t in mine) == key(
        (c.pk, t) for c, t in whole if c.survivor_id == survivor.pk)


def test_the_due_date_is_stored_when_an_event_is_written(case_a, caseworker, actor_for):
    from northstar.justice import actions

    event = actions.record_event(
        actor_for(caseworker), case_a, kind="return", occurred_on=timezone.localdate(),
        details={"destination_country": "KH", "voluntary": True, "informed_consent": True},
        stage=None, note="")
    event.refresh_from_db()
    assert event.task_due == timezone.localdate() + dt.timedelta(
        days=timeline.RETURN_FOLLOW_UP_DAYS)


def test_the_migration_fills_the_dates_the_timeline_keeps(population):
    """Events recorded before the task dates were stored get the dates a save would give."""
    import importlib

    from django.apps import apps

    kept = dict(TimelineEvent.objects.values_list("pk", "task_due"))
    windows = dict(TimelineEvent.objects.values_list("pk", "window_on"))
    assert any(kept.values()) and any(windows.values())
    TimelineEvent.objects.update(task_due=None, window_on=None)
    migration = importlib.import_module("northstar.justice.migrations.0003_event_task_dates")
    migration.fill_task_dates(apps, None)
    assert dict(TimelineEvent.objects.values_list("pk", "task_due")) == kept
    assert dict(TimelineEvent.objects.values_list("pk", "window_on")) == windows
