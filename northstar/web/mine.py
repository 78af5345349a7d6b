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
from northstar.core.prepared import AnyOf, Recipe, Rows, count_sql, list_parameter
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
    return _condition_of(actor.organisation.pk, actor.user.pk)


def _condition_of(org_id: int, user_id: int) -> Q:
    """The same "mine" as a filter on survivors (for a few rows, or with other filters).

    The case's copy of its survivor's creation time is compared with the survivor's own
    (``<=``: always true of a kept copy) so that PostgreSQL cannot turn the ``EXISTS`` into
    a hashed set of every case of mine: it did, for a search in "my cases", reading all of
    a caseworker's 100,000 cases to show 25 rows (130 ms a statement, twice a view); asked
    per survivor, one index probe each, the page took 0.8 ms (h-caseload4)."""
    return (Exists(_live_cases_of(org_id, user_id).filter(
        survivor=OuterRef("pk"), survivor_created_at__lte=OuterRef("created_at")))
            | Q(organisation_id=org_id, created_by_id=user_id, has_cases=False))


#: "My cases" with another filter is asked as "one of these survivors" when the reader has at
#: most this many (``few_ids``); with more, as ``condition`` (a probe per survivor).
FEW = 1000


class AmongFew(AnyOf):
    """``AnyOf`` whose list PostgreSQL reads only when the statement runs (``= ANY(ARRAY(
    SELECT unnest(…)))``, an InitPlan), so it plans for a few rows: each probed by primary
    key, then sorted. With the list in sight it planned for its length and walked the
    organisation's survivors in the caseload's order instead, filtering each by the list:
    for a reader whose 800 survivors are the oldest, 99,926 buffers and 148 ms a page
    against 5,572 and 11 ms probed (issue 13, h-filters). Elsewhere ``AnyOf``."""

    def as_sql(self, compiler, connection):
        if connection.vendor != "postgresql":
            return super().as_sql(compiler, connection)
        lhs_sql, lhs_params = self.process_lhs(compiler, connection)
        db_type = self.lhs.output_field.cast_db_type(connection)
        return (f"{lhs_sql} = ANY(ARRAY(SELECT unnest(%s::{db_type}[])))",
                (*lhs_params, list_parameter(connection, self.rhs)))


def few_ids(actor: Actor) -> list[int] | None:
    """The ids of my survivors, read from the two "mine" indexes (at most ``FEW + 1``
    entries each), when they are at most ``FEW``; ``None`` when more.

    For "my cases" with a search or another filter: asked as ``condition``, PostgreSQL walks
    the whole organisation's survivors in the caseload's order and probes each for a case
    of mine, so a reader with few or none (a legal officer's "my cases" by default) had the
    page and its capped count read all 100,000 survivors, 0.4-0.6 s a view (issue 13,
    h-filters). As a list, each of the few is probed by primary key and the filter checked
    on it; a reader with many (the whole organisation's caseworker) keeps ``condition``,
    whose walk then finds a page at once. Whether the reader may see them stays the
    caller's (``policy.visible_survivors``)."""
    org_id, user_id = actor.organisation.pk, actor.user.pk
    with_case = [pk for _when, pk in _by_survivor(_live_cases_of(org_id, user_id))[:FEW + 1]]
    if len(with_case) > FEW:
        return None
    recorded = [pk for _when, pk in _recorded(_recorded_without_case_of(org_id, user_id))[
        :FEW + 1 - len(with_case)]]
    ids = with_case + recorded
    return ids if len(ids) <= FEW else None


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


def counted_halves(org_id: int, user_id: int) -> tuple[QuerySet, QuerySet]:
    """The two halves, each cut at ``count_cap() + 1``: what the capped count counts."""
    return (_by_survivor(_live_cases_of(org_id, user_id))[:keyset.count_cap() + 1],
            _recorded(_recorded_without_case_of(org_id, user_id))[:keyset.count_cap() + 1])


#: The two capped counts (each index read to at most ``count_cap() + 1`` entries) in one
#: statement, its SQL written once per process and cap (``core.prepared``; the cap is the
#: ``LIMIT`` written into it, so the shape names the cap): the caseload counts on every view
#: (with the reader's unfinished intakes: ``selectors.mine_and_open_intakes``).
_COUNTED = Recipe(counted_halves, -7_330_000_041, -7_330_000_042)


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


#: The two halves of a page of my survivors, from the top or after a cursor: SQL written
#: once per process and cut (``core.prepared.Rows``; the cut is ``size + 1`` and the rows
#: shown above the page, left out here in Python, not in the SQL: a list of ids in the
#: ``WHERE`` made the statement new on every view).
_STAND_IN_TIME = dt.datetime(1901, 1, 2, 3, 4, 5, 6, tzinfo=dt.UTC)
def _as_rows(halves: QuerySet) -> QuerySet:
    """A half (``_by_survivor``, ``_recorded``) as ``values()``: what ``Rows`` reads."""
    return halves.values(*halves.query.values_select)


_PAGE_CASES = Rows(lambda org_id, user_id: _as_rows(_by_survivor(
    _live_cases_of(org_id, user_id))), -7_330_000_071, -7_330_000_072)
_PAGE_RECORDED = Rows(lambda org_id, user_id: _as_rows(_recorded(
    _recorded_without_case_of(org_id, user_id))), -7_330_000_073, -7_330_000_074)
# The bound on the first column lets the index range start at the cursor.
_PAGE_CASES_AFTER = Rows(lambda org_id, user_id, when, pk: _as_rows(_by_survivor(
    _live_cases_of(org_id, user_id).filter(
        Q(survivor_created_at__lt=when) | Q(survivor_created_at=when, survivor_id__lt=pk),
        survivor_created_at__lte=when))),
    -7_330_000_075, -7_330_000_076, _STAND_IN_TIME, -7_330_000_077)
_PAGE_RECORDED_AFTER = Rows(lambda org_id, user_id, when, pk: _as_rows(_recorded(
    _recorded_without_case_of(org_id, user_id).filter(
        Q(created_at__lt=when) | Q(created_at=when, pk__lt=pk), created_at__lte=when))),
    -7_330_000_078, -7_330_000_079, _STAND_IN_TIME, -7_330_000_080)


def page(actor: Actor, *, size: int, cursor: str | None = None,
         exclude: list[int] | tuple = ()) -> keyset.Page:
    """The ids of one page of my survivors, newest first (``rows``), and a cursor to the next
    page (``next``, or ``None`` on the last). ``exclude``: ids already shown above the page.

    Each half reads ``size + 1`` entries more than it may leave out (``exclude``), so what
    is left of it holds its first ``size + 1`` not left out: the same page as the
    ``NOT IN (…)`` Django wrote, by statements written once."""
    values: tuple = (actor.organisation.pk, actor.user.pk)
    halves = (_PAGE_CASES, _PAGE_RECORDED)
    if cursor:
        values = (*values, *_decode(cursor))
        halves = (_PAGE_CASES_AFTER, _PAGE_RECORDED_AFTER)
    left_out = set(exclude)
    read = size + 1 + len(left_out)
    cases, recorded = (half.rows(*values, limit=read) for half in halves)
    rows = sorted({*((r["survivor_created_at"], r["survivor_id"]) for r in cases
                     if r["survivor_id"] not in left_out),
                   *((r["created_at"], r["id"]) for r in recorded if r["id"] not in left_out)},
                  reverse=True)
    shown = rows[:size]
    following = _encode(shown[-1]) if len(rows) > size and shown else None
    return keyset.Page([pk for _when, pk in shown], following)


#: What the caseload shows of a survivor (and the organisation its audit entry names).
SHOWN = ("id", "organisation_id", "reference", "nationality", "created_at")

#: Survivors of one organisation by id, live ("my cases" page's rows through the reader's
#: visibility when that is the organisation's live survivors alone): written once; on
#: PostgreSQL the organisation and the ids are written in (``Rows(written_in=…)``): the
#: same page from one view to the next is one statement with one plan, where a parameter
#: list kept PostgreSQL planning it afresh each time.
_SURVIVORS_BY_ID = Rows(lambda org_id, ids: Survivor.objects.filter(
    AnyOf("pk", ids), archived_at__isnull=True, organisation_id=org_id).order_by().values(*SHOWN),
    -7_330_000_081, [-7_330_000_082], written_in=(0, 1))

#: Mine of one organisation's live survivors by reference (the overdue survivors leading
#: the first page of "my cases"): written once, the values written in on PostgreSQL (as
#: ``_SURVIVORS_BY_ID``; the most urgent alerts' survivors change seldom).
_MINE_BY_REFERENCE = Rows(lambda org_id, user_id, references: Survivor.objects.filter(
    _condition_of(org_id, user_id), AnyOf("reference", references),
    archived_at__isnull=True, organisation_id=org_id).order_by("-created_at", "-id").values(*SHOWN),
    -7_330_000_083, -7_330_000_084, ["~stand-in reference~"], written_in=(0, 1, 2))


def survivors_by_id(org_id: int, ids: list[int]) -> list[dict]:
    """``SHOWN`` of the live survivors of ``org_id`` among ``ids`` (in no given order)."""
    return _SURVIVORS_BY_ID.rows(org_id, list(ids)) if ids else []


def mine_by_reference(actor: Actor, org_id: int, references: list[str]) -> list[dict]:
    """``SHOWN`` of my survivors among the live ones of ``org_id`` named by ``references``,
    newest first."""
    if not references:
        return []
    return _MINE_BY_REFERENCE.rows(org_id, actor.user.pk, list(references))
