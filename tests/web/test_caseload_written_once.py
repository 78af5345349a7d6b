"""The caseload's "my cases" read by statements written once (issue 13, h-caseload5).

When the reader sees their organisation's live survivors alone (``policy.own_survivors_alone``),
the overdue survivors leading the page, the page's two index halves, the page's rows and
the shown survivors' cases are read by ``core.prepared.Rows`` statements whose lists of ids
or references are one parameter (``core.prepared.AnyOf``): nothing about survivors or cases
is compiled once warm, and the page (HTML, English and Khmer, cursor pages included) and
its audit entries are those the Django-written path gives (``own_survivors_alone``
answering ``None``, as it does for an organisation that receives referrals)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone, translation

from northstar import policy
from northstar.core.audit import AuditEntry
from northstar.core.prepared import AnyOf
from northstar.justice.models import TimelineEvent, refresh_tasks
from northstar.survivors import actions
from northstar.survivors.models import Case, Survivor
from northstar.web import mine, views
from tests.query_counts import grow_caseload
from tests.web.test_intake import client_for


def _overdue_task(actor, case, days: int) -> None:
    today = timezone.localdate()
    TimelineEvent.objects.create(
        case=case, kind="follow_up_planned", stage="investigation",
        occurred_on=today - dt.timedelta(days=40),
        details={"due_on": (today - dt.timedelta(days=days)).isoformat(), "what": "call"},
        organisation=actor.organisation, recorded_by_label="test")
    refresh_tasks([case.pk])


@pytest.fixture
def my_caseload(caseworker, actor_for, case_a):
    """Eight survivors with a case of mine (three of them overdue, leading the page), two I
    recorded without a case, one of a colleague's case (not mine), one archived."""
    me = actor_for(caseworker)
    survivors = grow_caseload(me, 8)
    for days, survivor in zip((3, 9, 5), survivors[1::3], strict=True):
        _overdue_task(me, survivor.cases.get(), days)
    for _ in range(2):
        actions.create_survivor(me, data={"nationality": "KH"})
    gone = actions.create_survivor(me, data={"nationality": "VN"})
    actions.archive_survivor(me, gone)
    return me


def _page(client, path: str, language: str) -> str:
    client.cookies["django_language"] = language
    with translation.override(translation.get_language()):
        response = client.get(path, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    html = response.content.decode()
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def _walk(client, language: str) -> tuple[list[str], list[tuple]]:
    """Every page of "my cases" (following "next"), and the audit entries they wrote."""
    before = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
    pages, path = [], "/"
    while path:
        html = _page(client, path, language)
        pages.append(re.sub(r"cursor=[^\"&]+", "cursor=", html))
        found = re.search(r'href="\?([^"]*cursor=[^"&]+)', html)
        path = f"/?{found.group(1).replace('&amp;', '&')}" if found else ""
        assert len(pages) < 10
    entries = list(AuditEntry.objects.filter(id__gt=before).order_by("id").values_list(
        "action", "record_type", "record_id", "record_ids", "owner_organisation_id",
        "survivor_ref", "note"))
    return pages, entries


def test_my_cases_written_once_are_the_page_django_writes(
        my_caseload, caseworker, monkeypatch, count_sql_compiled):
    monkeypatch.setattr(views, "CASELOAD_PAGE", 4)  # a few pages of a small caseload
    client = client_for(caseworker)
    kept = {lang: _walk(client, lang) for lang in ("en", "km")}
    compiled = count_sql_compiled()
    again = _walk(client, "en")
    # Nothing about survivors or cases written again (alerts and counts were already so).
    assert [m for m in compiled if m in (Survivor, Case)] == [], compiled
    assert again[0] == kept["en"][0]
    pages, entries = kept["en"]
    assert len(pages) >= 3 and 'class="overdue"' in pages[0]
    assert [e[1] for e in entries].count("survivor") == len(pages)
    monkeypatch.setattr(policy, "own_survivors_alone", lambda survivors: None)
    for lang in ("en", "km"):
        assert _walk(client, lang) == kept[lang]


def test_own_survivors_alone_only_for_the_plain_own_organisation(
        caseworker, actor_for, case_a, org_b, other_caseworker):
    me = actor_for(caseworker)
    visible = policy.visible_survivors(me)
    assert policy.own_survivors_alone(visible) == me.organisation.pk
    assert policy.own_survivors_alone(visible.filter(nationality="KH")) is None
    # A partner that accepted a referral also sees a shared survivor: not "alone".
    from northstar.referrals import actions as referral_actions
    actions.record_consent(me, case_a.survivor, purpose="referral", recipient=org_b,
                           language="km", method="written")
    referral = referral_actions.create_referral(me, survivor=case_a.survivor, recipient=org_b,
                                                needs=["legal_aid"])
    partner = actor_for(other_caseworker)
    referral_actions.take_step(partner, referral, step="accept")
    assert policy.own_survivors_alone(policy.visible_survivors(partner)) is None


def test_a_page_leaves_out_the_rows_shown_above_it(my_caseload):
    every = mine.page(my_caseload, size=50).rows
    assert len(every) == 11  # case_a's survivor too
    above = [every[0], every[3], every[4], every[9]]
    rest = [pk for pk in every if pk not in above]
    first = mine.page(my_caseload, size=3, exclude=above)
    assert first.rows == rest[:3]
    second = mine.page(my_caseload, size=3, cursor=first.next, exclude=above)
    assert second.rows == rest[3:6] and second.next is not None
    assert mine.page(my_caseload, size=7, exclude=above).rows == rest
    assert mine.page(my_caseload, size=7, exclude=above).next is None


def test_any_of_is_in_for_integers_and_texts(caseworker, actor_for, case_a):
    me = actor_for(caseworker)
    survivors = grow_caseload(me, 3)
    ids = [s.pk for s in survivors[:2]] + [10**12]
    refs = [survivors[2].reference, "NOPE"]
    assert set(Survivor.objects.filter(AnyOf("pk", ids))) == set(survivors[:2])
    assert list(Survivor.objects.filter(AnyOf("reference", refs))) == [survivors[2]]
    assert list(Case.objects.filter(AnyOf("survivor_id", [survivors[1].pk]))) == [
        survivors[1].cases.get()]
    assert not Survivor.objects.filter(AnyOf("pk", [])).exists()
    with pytest.raises(ValueError):
        list(Survivor.objects.filter(AnyOf("pk", [True])))


def test_my_count_and_my_unfinished_intakes_are_one_statement(
        my_caseload, caseworker, supervisor, other_caseworker, actor_for, count_sql_compiled,
        django_assert_num_queries):
    """"My cases"' capped count and the reader's unfinished intakes, asked on every view of
    "my cases", are one statement written once: the same answers as asked apart."""
    from django.utils import timezone

    from northstar.core import keyset
    from northstar.web import selectors
    from northstar.web.models import Intake

    org = my_caseload.organisation
    archived = actions.create_survivor(my_caseload, data={"nationality": "KH"})
    Survivor.objects.filter(pk=archived.pk).update(archived_at=timezone.now())
    for started_by, survivor, done in [
            (caseworker, None, None), (caseworker, archived, None),
            (caseworker, None, timezone.now()), (supervisor, None, None)]:
        Intake.objects.create(organisation=org, started_by=started_by, survivor=survivor,
                              completed_at=done)
    for user in (caseworker, supervisor, other_caseworker):
        actor = actor_for(user)
        apart = (mine.count(actor), selectors.open_intakes_started_by(actor))
        assert selectors.mine_and_open_intakes(actor) == apart
    assert selectors.mine_and_open_intakes(my_caseload) == (keyset.Count(11, True), 1)
    compiled = count_sql_compiled()
    with django_assert_num_queries(1):
        assert selectors.mine_and_open_intakes(my_caseload) == (keyset.Count(11, True), 1)
    assert compiled == []
