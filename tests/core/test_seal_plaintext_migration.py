"""The migrations that sealed free-text columns turn plaintext already stored into tokens the
field opens again, and leave tokens alone: nothing stored is lost, running twice is harmless."""

from __future__ import annotations

import datetime as dt

from django.db import connection

from northstar.core.fields import reveal, seal_stored_plaintext
from northstar.justice import actions as justice_actions
from northstar.justice.models import TimelineEvent
from northstar.survivors import actions
from tests.raw import raw_column


def test_rows_stored_in_plain_text_are_sealed_and_still_read_back(caseworker, survivor_a,
                                                                  actor_for):
    actor = actor_for(caseworker)
    case = actions.create_case(actor, survivor_a, data={"forms_of_exploitation": ["labour"]})
    event = justice_actions.record_event(actor, case, kind="stage_change", stage="adjudication",
                                         occurred_on=dt.date(2025, 1, 1), details={})
    with connection.cursor() as cursor:  # as the column held it before it was sealed
        cursor.execute("UPDATE justice_timelineevent SET void_reason = %s WHERE id = %s",
                       ["wrong case: it was her sister Dara's", event.pk])
    assert seal_stored_plaintext(connection, TimelineEvent, "void_reason") == 1
    sealed_once = raw_column("justice_timelineevent", "void_reason")
    assert seal_stored_plaintext(connection, TimelineEvent, "void_reason") == 0
    assert sealed_once == raw_column("justice_timelineevent", "void_reason")
    assert "Dara" not in sealed_once[0]
    assert reveal(TimelineEvent.objects.get(pk=event.pk).void_reason) == \
        "wrong case: it was her sister Dara's"
