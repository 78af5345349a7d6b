"""The capped counts of the referral and case-task lists probe each row's survivor or case
from an index alone (issue 13, h-smallreads).

Counting "1,000+" reads at most 1,001 rows of the list, and each row's visibility is its
survivor's or its case's: PostgreSQL hashed the organisation's cases (30,000 read from
``case_org_visible_recent`` for 1,001 case tasks at 100,000 survivors: 8-13 ms) or the
survivors it read in a pass over the table (the referrals: 32 ms), where 1,001 index-only
probes of ``case_visible_probe`` / ``survivor_org_probe`` take 1.3-2.3 ms. The plan is
checked here (the counts themselves are checked by ``test_slow_reads``' row walks).
"""

from __future__ import annotations

import pytest
from django.db import connection

from northstar.justice import tasks as case_tasks
from northstar.referrals import selectors as referral_selectors
from tests.core.test_slow_reads import case_task_rows, referrals  # noqa: F401 (fixtures)
from tests.justice.test_overdue_paged import assert_probed

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="query plans are PostgreSQL's"),
    pytest.mark.django_db(transaction=True),
]


def test_the_case_task_count_probes_each_case_from_an_index_alone(
        case_task_rows, caseworker, actor_for, settings):  # noqa: F811
    assert_probed(case_tasks.visible_tasks(actor_for(caseworker)), "case_visible_probe",
                  settings)


def test_the_referral_count_probes_each_survivor_from_an_index_alone(
        referrals, caseworker, actor_for, settings):  # noqa: F811
    assert_probed(referral_selectors.visible_referrals(actor_for(caseworker)),
                  "survivor_org_probe", settings)
