"""The caseload's "my cases", read from two index ranges whatever the organisation's size.

"Mine" is: the live survivors of my organisation with a live case of mine (I am its
caseworker), and the live survivors I recorded who have no case yet. Asked of the
organisation's survivors one by one (``EXISTS`` a case of mine, per survivor) it walks the
organisation: a capped count probes up to the cap's number of survivors, and a caseworker with a few cases in
an organisation of 100,000 waits while the page is searched for. Instead each half is one
range of its own index, in the caseload's order (the survivor's creation time, newest
first, then id):

- my live cases, by the case's copy of its survivor's creation time
  (``case_mine_by_survivor``: ``Case.survivor_created_at`` and ``Case.survivor_archived``
  are kept by ``Case.save``, ``archive_survivor`` and ``decide_merge``);
- the survivors I recorded who have no case (``survivor_mine_without_case``:
  ``Survivor.has_cases`` is set by ``Case.save`` and the bulk import).

A page reads at most ``size + 1`` entries of each and merges them; the count reads at most
``keyset.count_cap() + 1`` entries of each index (an index-only scan, no table row). Neither half
can hold a survivor of the other (one has a case, the other none), and a survivor with two
cases of mine is one row (``DISTINCT`` on the ordering, adjacent in the index).

Whether the reader may see a survivor stays ``policy.visible_survivors``: the view loads
the page's rows through it.
"""

from __future__ import annotations

import datetime as dt

from django.core import signing
from django.db.models import Exists, OuterRef, Q, QuerySet

from northstar.core import keyset
from northstar.core.actor import Actor
from northstar.core.errors import DomainError
from northstar.core.prepared import Recipe, count_sql
from northstar.survivors.models import Case, Survivor

_SALT = "northstar.caseload.mine"


def _my_live_cases(actor: Actor) -> QuerySet[Case]:
    return _live_cases_of(actor.organisation.pk, actor.user.pk)


def _live_cases_of(org_id: int, user_id: int) -> QuerySet[Case]:
    # Every case has its copy (``Case.save``, the bulk writers, migration survivors 0012);
    # a row written around them would be left out here rather than break the page.
    return Case.objects.filter(organisation_id=org_id, caseworker_id=user_id,
                               archived_at__isnull=True, survivor_archived=False,
                               survivor_created_at__isnull=False)


def _recorded_without_case(actor: Actor) -> QuerySet[Survivor]:
    return _recorded_without_case_of(actor.organisation.pk, actor.user.pk)


def _recorded_without_case_of(org_id: int, user_id: int) -> QuerySet[Survivor]:
    return Survivor.objects.filter(organisation_id=org_id, created_by_id=user_id,
                                   archived_at__isnull=True, has_cases=False)


def condition(actor: Actor) -> Q:
    """The same "mine" as a filter on survivors (for a few rows, or with other filters).

    The case's copy of its survivor's creation time is compared with the survivor's own
    (``<=``: always true of a kept copy) so that PostgreSQL cannot turn the ``EXISTS`` into
    a hashed set of every case of mine: it did, for a search in "my cases", reading all of
    a caseworker's 100,000 cases to show 25 rows (130 ms a statement, twice a view); asked
    per survivor, one index probe each, the page took 0.8 ms (h-caseload4)."""
    return (Exists(_my_live_cases(actor).filter(
        survivor=OuterRef("pk"), survivor_created_at__lte=OuterRef("created_at")))
            | Q(organisation=actor.organisation, created_by=actor.user, has_cases=False))


def _by_survivor(cases: QuerySet[Case]) -> QuerySet:
    return cases.order_by("-survivor_created_at", "-survivor_id").values_list(
        "survivor_created_at", "survivor_id").distinct()


def _recorded(survivors: QuerySet[Survivor]) -> QuerySet:
    return survivors.order_by("-created_at", "-id").values_list("created_at", "id")


def _both_counted(halves: tuple[QuerySet, QuerySet], using: str) -> tuple[str, tuple]:
    """One statement adding the two halves' capped counts (``prepared.count_sql`` each)."""
    cases_sql, cases_params = count_sql(halves[0], using)
    recorded_sql, recorded_params = count_sql(halves[1], using)
    return f"SELECT ({cases_sql}) + ({recorded_sql})", (*cases_params, *recorded_params)


#: The two capped counts (each index read to at most ``count_cap() + 1`` entries) in one
#: statement, its SQL written once per process and cap (``core.prepared``; the cap is the
#: ``LIMIT`` written into it, so the shape names the cap): the caseload counts on every view.
_COUNTED = Recipe(lambda org_id, user_id: (
    _by_survivor(_live_cases_of(org_id, user_id))[:keyset.count_cap() + 1],
    _recorded(_recorded_without_case_of(org_id, user_id))[:keyset.count_cap() + 1]),
    -7_330_000_041, -7_330_000_042)


def count(actor: Actor) -> keyset.Count:
    """How many survivors are mine, reading at most ``count_cap() + 1`` of each index."""
    cap = keyset.count_cap()
    n = _COUNTED.scalar(("capped count", cap), (actor.organisation.pk, actor.user.pk),
                        _both_counted)
    return keyset.capped(n, cap)


def _encode(row: tuple[dt.datetime, int]) -> str:
    return signing.dumps([row[0].isoformat(), row[1]], salt=_SALT, compress=False)


def _decode(cursor: str) -> tuple[dt.datetime, int]:
    bad = DomainError("is not a cursor this list gave: start again from the first page",
                      "cursor")
    try:
        when, pk = signing.loads(cursor, salt=_SALT)
        return dt.datetime.fromisoformat(when), int(pk)
    except (signing.BadSignature, ValueError, TypeError, UnicodeError, OverflowError):
        raise bad from None


def page(actor: Actor, *, size: int, cursor: str | None = None,
         exclude: list[int] | tuple = ()) -> keyset.Page:
    """The ids of one page of my survivors, newest first (``rows``), and a cursor to the next
    page (``next``, or ``None`` on the last). ``exclude``: ids already shown above the page."""
    cases, recorded = _my_live_cases(actor), _recorded_without_case(actor)
    if exclude:
        cases = cases.exclude(survivor_id__in=exclude)
        recorded = recorded.exclude(pk__in=exclude)
    if cursor:
        when, pk = _decode(cursor)
        # The bound on the first column lets the index range start at the cursor.
        cases = cases.filter(Q(survivor_created_at__lt=when)
                             | Q(survivor_created_at=when, survivor_id__lt=pk),
                             survivor_created_at__lte=when)
        recorded = recorded.filter(Q(created_at__lt=when) | Q(created_at=when, pk__lt=pk),
                                   created_at__lte=when)
    rows = sorted({*_by_survivor(cases)[:size + 1], *_recorded(recorded)[:size + 1]},
                  reverse=True)
    shown = rows[:size]
    following = _encode(shown[-1]) if len(rows) > size and shown else None
    return keyset.Page([pk for _when, pk in shown], following)
