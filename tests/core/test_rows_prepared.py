"""``core.prepared.Rows``: a ``values()`` list with today or now in it, its SQL written once
per process and cut (issue 13, branch h-caseload3: the caseload's alert sources).

The rows are those Django's own queryset gives for every value and cut (dates and times
adapted as the lookups adapt them, on SQLite and PostgreSQL), a later call's day is never
the first call's, and a query keeping a date of its own is refused."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone, translation

from northstar.compensation.models import CompensationAlert
from northstar.core import keyset
from northstar.core.prepared import Rows
from northstar.justice.models import TimelineEvent
from northstar.referrals.models import Referral
from northstar.safeguards.models import Finding
from northstar.survivors import actions
from northstar.survivors.models import Survivor
from northstar.ui import panels
from northstar.web import mine
from tests.web.test_flat_in_alerts import add_alerts
from tests.web.test_intake import client_for

STAND_IN_TIME = dt.datetime(1901, 1, 2, 3, 4, 5, 6, tzinfo=dt.UTC)


def _recorded_since(org_id, since):
    return Survivor.objects.filter(organisation_id=org_id, created_at__gte=since).order_by(
        "created_at", "id").values("id", "reference", "created_at", "nationality")


def test_the_rows_are_djangos_for_every_value_and_cut(caseworker, actor_for):
    actor = actor_for(caseworker)
    made = [actions.create_survivor(actor, data={"nationality": "KH"}) for _ in range(5)]
    org_id = actor.organisation.pk
    base = timezone.now() - dt.timedelta(days=3)
    times = iter([base + dt.timedelta(days=1, minutes=i) for i in range(len(made))])
    for survivor in made:
        Survivor.objects.filter(pk=survivor.pk).update(created_at=next(times))
    rows = Rows(_recorded_since, -9_200_000_001, STAND_IN_TIME)
    for since in (base, base + dt.timedelta(days=1, minutes=2), base + dt.timedelta(days=5)):
        for offset, limit in ((0, None), (0, 2), (2, 2)):
            expected = list(_recorded_since(org_id, since)[
                offset:None if limit is None else offset + limit])
            assert rows.rows(org_id, since, offset=offset, limit=limit) == expected
    assert len(rows.rows(org_id, base)) == 5
    assert rows.rows(org_id + 1, base) == []


def test_a_date_kept_in_the_query_is_refused(db):
    tomorrow = Rows(lambda org_id, day: Survivor.objects.filter(
        organisation_id=org_id, created_at__date__gte=day,
        created_at__date__lte=day + dt.timedelta(days=1)).values("id"),
        -9_200_000_002, dt.date(1901, 1, 2))
    with pytest.raises(ValueError, match="kept"):
        tomorrow.rows(1, dt.date(2026, 1, 1))
    clock = Rows(lambda org_id: Survivor.objects.filter(
        organisation_id=org_id, created_at__lte=timezone.now()).values("id"), -9_200_000_003)
    with pytest.raises(ValueError, match="clock|kept"):
        clock.rows(1)
    missing = Rows(lambda org_id: Survivor.objects.filter(organisation_id=5).values("id"),
                   -9_200_000_004)
    with pytest.raises(ValueError, match="stand-in"):
        missing.rows(1)


def test_the_caseloads_alert_sources_write_their_fixed_sql_once(
        caseworker, actor_for, case_a, org_b, count_sql_compiled):
    actor = actor_for(caseworker)
    add_alerts(actor, case_a, 5, partner=org_b)
    first = [(a.due, a.severity, a.title, a.url) for a in panels.alerts_for(actor, limit=20)]
    compiled = count_sql_compiled()
    again = [(a.due, a.severity, a.title, a.url) for a in panels.alerts_for(actor, limit=20)]
    assert again == first and {a[1] for a in again} >= {"overdue", "warning"}
    # Referrals (three queries), timeline tasks (two), Do No Harm blocks and overdue
    # instalments (one each, their visible cases and claims as a condition since
    # h-caseload4): nothing written again.
    assert compiled.count(Referral) == 0 and compiled.count(TimelineEvent) == 0, compiled
    assert compiled.count(Finding) == 0, compiled
    assert compiled.count(CompensationAlert) == 0, compiled
    # (The audited read naming the claims shown is core.audit's own statement.)
    assert [m for m in compiled if m._meta.app_label != "core"] == [], compiled


def test_my_cases_are_counted_as_django_counts_them_their_sql_written_once(
        caseworker, supervisor, actor_for, count_sql_compiled):
    me, colleague = actor_for(caseworker), actor_for(supervisor)
    for _ in range(2):
        actions.create_survivor(me, data={"nationality": "KH"})  # recorded, no case yet
    twice = actions.create_survivor(colleague, data={"nationality": "KH"})
    for _ in range(2):
        actions.create_case(colleague, twice, data={"forms_of_exploitation": ["labour"],
                                                    "caseworker_id": caseworker.pk})
    actions.create_survivor(colleague, data={"nationality": "KH"})  # not mine
    by_django = (mine._by_survivor(mine._my_live_cases(me)).count()
                 + mine._recorded(mine._recorded_without_case(me)).count())
    assert mine.count(me) == keyset.Count(by_django, True) == keyset.Count(3, True)
    assert mine.count(colleague) == keyset.Count(1, True)  # recorded the survivor not mine
    compiled = count_sql_compiled()
    assert mine.count(me) == keyset.Count(3, True)
    assert compiled == []


def _django_rows(self, *values, offset=0, limit=None, using="default"):
    """``Rows.rows`` the plain way: Django writes the queryset's SQL for these values."""
    return list(self._build(*values)[offset:None if limit is None else offset + limit])


def _page(client, path, language):
    client.cookies["django_language"] = language
    # The request leaves its language active in this thread; the tests after this one in the
    # same process expect the one before it (they failed after it, in English, h-caseload4).
    with translation.override(translation.get_language()):
        html = client.get(path, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return re.sub(r"cursor=[^\"&]+", "cursor=", html)


@pytest.mark.parametrize("path", ["/", "/?apage=2", "/?whose=all&attention=any"])
def test_the_caseload_page_is_the_page_django_writes_every_query_for(
        caseworker, actor_for, case_a, org_b, monkeypatch, path):
    """The whole page (alerts, filter, table rows) with the SQL written once and the filter
    kept, against the same page with every query written by Django and the filter rendered
    each time."""
    from northstar.web import views

    actor = actor_for(caseworker)
    add_alerts(actor, case_a, 30, partner=org_b)
    for _ in range(3):
        actions.create_survivor(actor, data={"nationality": "KH"})
    client = client_for(caseworker)
    kept = {lang: _page(client, path, lang) for lang in ("en", "km")}
    monkeypatch.setattr(Rows, "rows", _django_rows)
    monkeypatch.setattr(views, "_FILTER_FIELDS", {})
    monkeypatch.setattr(views, "FILTER_FIELDS_KEPT", 0)
    for lang in ("en", "km"):
        plain = _page(client, path, lang)
        assert 'class="alert ' in plain and "<tbody>" in plain
        assert kept[lang] == plain
