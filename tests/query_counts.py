"""Shared helper for query-count tests: a caseload that grows, with everything a list shows."""

from __future__ import annotations

from northstar.referrals import actions as referral_actions
from northstar.survivors import actions


def grow_caseload(actor, n: int, *, recipient=None) -> list:
    """``n`` more survivors, each with a case and a consent (and a referral to
    ``recipient`` when given): enough rows that a query per row would show."""
    survivors = []
    for _ in range(n):
        s = actions.create_survivor(actor, data={"nationality": "KH", "languages": ["km"]})
        case = actions.create_case(actor, s, data={"forms_of_exploitation": ["labour"]})
        actions.record_consent(actor, s, purpose="statistics", language="km", method="verbal")
        if recipient is not None:
            actions.record_consent(actor, s, purpose="referral", recipient=recipient,
                                   language="km", method="written")
            referral_actions.create_referral(actor, survivor=s, recipient=recipient,
                                             case=case, needs=["legal_aid"])
        survivors.append(s)
    return survivors


def queries_for(get) -> int:
    """How many queries one request costs (``get`` makes it; it must answer 200)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = get()
    assert response.status_code == 200, response.content[:300]
    return len(captured)


def few_and_many(read, grow, *, few: int = 2, many: int = 12) -> tuple[int, int]:
    """The queries of one request (``read``, answering 200) with ``few`` records of what it
    lists, then with ``many`` (``grow(n)`` adds ``n`` more, each with its related rows).
    A first request after each growth settles sessions, tokens and caches (and stored
    snapshots) before anything is counted."""
    grow(few)
    read()
    small = queries_for(read)
    grow(many - few)
    read()
    return small, queries_for(read)


def rows_built(model_classes, read) -> dict[str, int]:
    """How many instances of each model one request builds from the database (Django's
    ``post_init``): a list cut in Python after reading every row shows here even when its
    number of queries stays the same."""
    from collections import Counter

    from django.db.models.signals import post_init

    built: Counter = Counter()

    def seen(sender, **kwargs):
        built[sender.__name__] += 1

    for model in model_classes:
        post_init.connect(seen, sender=model, weak=False)
    try:
        response = read()
    finally:
        for model in model_classes:
            post_init.disconnect(seen, sender=model)
    assert response.status_code == 200, response.content[:300]
    return dict(built)
