"""The caseload's reads sent together (``core.ahead``, issue 13): the same page.

The first caseload a kind of reader sees (organisation, role, the filters' shape) asks for
each read in turn; the next one sends them to PostgreSQL in one round trip before the page
runs: the ten alert sources (hearings coming and referrals unanswered too: their dates and
times are the page's "today" and "now" moved by whole days and hours), the referral check,
"my cases"' count and the page's two index halves. These hold that the page is the same
HTML, the reads are audited with the same entries, no statement is asked twice, and
another organisation's reader sees only their own as before."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone, translation

from northstar.core.roles import Role
from northstar.justice.models import TimelineEvent, refresh_tasks
from northstar.referrals.models import Referral
from tests.web.test_case_page_read_ahead import _view
from tests.web.test_flat_in_alerts import add_alerts
from tests.web.test_intake import client_for


def _caseload_with_every_alert(actor, case, partner) -> None:
    """Every kind of alert the caseload reads: add_alerts' (follow-ups, blocks, instalments,
    referrals incoming and unanswered), a hearing in a week and a referral whose consent
    ended an hour ago."""
    add_alerts(actor, case, 3, partner=partner)
    today = timezone.localdate()
    TimelineEvent.objects.create(
        case=case, kind="hearing", stage="trial", occurred_on=today + dt.timedelta(days=7),
        details={"testimony": "video", "court": "Criminal Court, Bangkok"},
        organisation=actor.organisation, recorded_by_label="test")
    refresh_tasks([case.pk])
    ended = Referral.objects.filter(sender=actor.organisation).order_by("pk").first()
    Referral.objects.filter(pk=ended.pk).update(
        consent_ends_at=timezone.now() - dt.timedelta(hours=1))


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.LEGAL_OFFICER, Role.SUPERVISOR])
@pytest.mark.parametrize("language", ["en", "km"])
@pytest.mark.parametrize("query", ["", "?whose=all", "?apage=2", "?whose=mine&status=open"])
def test_the_second_caseload_reads_ahead_and_is_the_same_page_with_the_same_audit(
        role, language, query, users, caseworker, actor_for, case_a, org_b):
    _caseload_with_every_alert(actor_for(caseworker), case_a, org_b)
    reader = users[("a", role)]
    client = client_for(reader)
    client.cookies["django_language"] = language
    url = f"/{query}"
    page, entries, sent = _view(client, url)  # noted
    again, entries_again, sent_again = _view(client, url)  # read ahead
    assert again == page
    if role == Role.CASEWORKER and not query and language == "en":
        assert case_a.survivor.reference in page and "consent for referral" in page
    assert entries_again == entries
    # The survivor is the caseworker's, and the supervisor's on "all" (the legal officer
    # has no case, so "my cases" is empty for them).
    if role == Role.CASEWORKER or (role == Role.SUPERVISOR and "mine" not in query):
        assert entries
    asked = [sql for sql, _ in sent_again]
    reads = [sql for sql in asked if sql.startswith("SELECT") and "core_audit" not in sql]
    assert len(reads) == len(set(reads)), "a statement read ahead was asked again"
    assert len(sent_again) == len(sent)  # the same statements, none more
    if connection.vendor == "postgresql":
        together = [sql for sql, in_pipeline in sent_again if in_pipeline
                    and sql.startswith("SELECT")]
        # The ten alert sources (each kind of referral, hearings and shelter stays among
        # them) and, on "my cases", its count and two halves; not the session, the user,
        # nor what needs an earlier answer (the leading survivors, the rows, their cases).
        assert len(together) >= 10, sent_again
        assert any("consent_ends_at" in sql for sql in together)  # "now"
        assert any("answer_due" in sql for sql in together)  # "now" less each wait
        assert sum('"justice_timelineevent"."kind" =' in sql for sql in together) >= 2
        assert not [sql for sql, in_pipeline in sent if in_pipeline
                    and sql.startswith("SELECT")]  # the first view asked one by one
    translation.activate("en")


def test_a_caseload_in_round_trips_on_postgresql(caseworker, actor_for, case_a, org_b):
    """A warm caseload: the session, the user, one round trip of the page's reads, then
    only what needs an earlier answer (the leading survivors, the page's rows, their
    cases), and the audit entries."""
    if connection.vendor != "postgresql":
        pytest.skip("round trips: PostgreSQL's pipeline")
    _caseload_with_every_alert(actor_for(caseworker), case_a, org_b)
    client = client_for(caseworker)
    client.get("/")
    _page, _entries, sent = _view(client, "/")
    alone = [sql for sql, in_pipeline in sent if not in_pipeline and "core_audit" not in sql]
    assert len(alone) <= 5, alone  # every read, without ``reading_ahead``


def test_another_organisation_reads_its_own_caseload_after_ours_was_read_ahead(
        caseworker, other_caseworker, actor_for, case_a, org_b):
    """The same role in another organisation is another kind of reader: nothing noted for
    organisation A is read for B, and B's page shows none of A's survivors."""
    _caseload_with_every_alert(actor_for(caseworker), case_a, org_b)
    ours = client_for(caseworker)
    for _ in range(2):
        assert case_a.survivor.reference in ours.get("/").content.decode()
    theirs = client_for(other_caseworker)
    first, _entries, sent = _view(theirs, "/")
    assert not [sql for sql, in_pipeline in sent if in_pipeline
                and sql.startswith("SELECT")]  # B's first caseload: nothing noted for B yet
    again, _entries, _sent = _view(theirs, "/")
    assert again == first and case_a.survivor.reference not in again
