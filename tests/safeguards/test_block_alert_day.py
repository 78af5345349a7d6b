"""A Do No Harm block's caseload alert is due the day it was raised, in the time zone the
page is shown in: the day is now read by the database (``AT TIME ZONE``), not worked out in
Python from the time (``timezone.localdate``). These hold that the two are the same day on
either side of midnight, in the settings' zone (the organisation's, Asia/Bangkok) and in
another zone activated, on every path the alerts take."""

from __future__ import annotations

import contextlib
import datetime as dt
import zoneinfo

import pytest
from django.conf import settings
from django.utils import timezone

from northstar.safeguards import panels
from northstar.safeguards.models import Finding


def _blocks_raised_at(case, times: list[dt.datetime]) -> None:
    for i, when in enumerate(times):
        found = Finding.objects.create(
            case=case, action="refer", rule="test", severity="block", harm="physical",
            explanation=f"block {i}", source="check", rule_set_version="test", status="open")
        Finding.objects.filter(pk=found.pk).update(created_at=when)


@pytest.mark.parametrize("zone", [None, "America/New_York", "Asia/Kolkata"])
def test_a_blocks_alert_is_due_the_day_it_was_raised_on_either_side_of_midnight(
        zone, case_a, caseworker, actor_for):
    local = zoneinfo.ZoneInfo(zone or settings.TIME_ZONE)
    midnight = dt.datetime(2026, 12, 7, tzinfo=local)
    times = [midnight - dt.timedelta(microseconds=1), midnight,
             midnight + dt.timedelta(hours=23, minutes=59, seconds=59, microseconds=999_999)]
    _blocks_raised_at(case_a, [t.astimezone(dt.UTC) for t in times])
    actor = actor_for(caseworker)
    with timezone.override(zone) if zone else contextlib.nullcontext():
        staff = panels.open_block_alerts(actor, limit=50)  # the caseload's statement
        plain = panels.open_block_alerts(actor, limit=None)  # the queryset's path
        by_python = [timezone.localdate(t) for t in times]
    assert by_python == [dt.date(2026, 12, 6), dt.date(2026, 12, 7), dt.date(2026, 12, 7)]
    assert [a.due for a in staff] == by_python
    assert [a.due for a in plain] == by_python
    assert all(type(a.due) is dt.date for a in staff)


def test_the_caseload_reads_each_blocks_day_not_its_time(case_a, caseworker, actor_for):
    _blocks_raised_at(case_a, [timezone.now()])
    rows = panels._OLDEST_STAFF_BLOCKS().rows(actor_for(caseworker).organisation.pk, limit=5)
    assert [set(row) for row in rows] == [set(panels.BLOCK_ROW)]
    assert "created_at" not in panels.BLOCK_ROW
