"""Page anchors: a page by number as deep as you like costs what the first page costs.

``?page=1901`` means "the 50 rows after the first 95,000 in the list's order". OFFSET
paging reads those 95,000 entries of the list's index and throws them away (7-8 ms of
PostgreSQL's time at 100,000 survivors, growing with the page number), where a page after
a cursor starts at its row. Here a list (one exact statement with its parameters, so one
reader's visibility: two readers share anchors only when their lists are the very same
statement and values) keeps, in Django's cache, its **anchors**: the ordering values of
every K-th row (``NORTHSTAR_PAGE_ANCHOR_EVERY``, 1,000: every 20 pages of 50), read with
one statement (``row_number()`` over the list's own index). Page ``n`` is then a keyset
range from the anchor just before its first row, with an OFFSET below K: the very rows
OFFSET paging gives, reading at most K + size index entries however deep. Pages whose
first row is before the first anchor (the first K rows) are read as before.

Anchors are derived data: losing them (a locmem cache per process, Redis shared by the
instances; ``CACHES``) costs one recomputation, never a wrong page. **A page is never
positioned from anchors of a list that changed since they were read.** Each table the
list's statement reads has a generation (``core.generations``): a sequence moved by a
statement-level trigger after every write, whatever the path (actions, ``bulk_create``,
raw SQL, migrations, ``TRUNCATE``), and a shared advisory lock each writer holds until its
transaction ends. Anchors are stored with the generations they were read at, and used
only if the generations read *after* the page's own statement are the same. Why that is
enough (READ COMMITTED: each statement sees what was committed when it started):

1. Storing. Read the generations ``g``; check no writer of those tables is in flight
   (``generations.in_flight``); read the anchors (statement snapshot ``S``); read the
   generations again. Store only if nothing was in flight and they are still ``g``. Then
   ``S`` holds exactly the writes committed by then: a write whose trigger bumped a
   generation before ``g`` was read had ended by the in-flight check (its lock is taken
   before its bump and held to its end), so it is in ``S`` if it committed; a write
   bumping later bumps before it commits, and so moves the generations past ``g``.
2. Using. A reader takes the anchors stored with ``g`` from the cache, runs the page (its
   snapshot ``P`` starts after the anchors were stored, hence after ``S``), then reads the
   generations. If they are still ``g``, nothing committed between ``S`` and ``P``: such
   a commit would have bumped either before ``g`` was read (then it was in flight at the
   check of step 1: refused) or after (then the reader reads more than ``g``). So the
   page's rows and the anchors come from the same rows, and the page is OFFSET's page.
   If they moved, the page is thrown away, the anchors read again (step 1) and the page
   run again; if the list is being written at that moment (a writer in flight, or the
   generations moving under the anchors' statement), it is read by plain OFFSET.

Reading the generations *before* the anchors' statement (never after) is what keeps a
stale set from being stored under a new generation. A write rolled back still bumped: it
only costs a recomputation. A restore recreates the sequences (their oid is part of the
generation) and starts their values again; anchors also expire after
``ANCHOR_SECONDS``, so a cache that outlived a restore of the tables alone (``pg_restore
--data-only --disable-triggers``) is wrong for ten minutes at most (``docs/deploy.md``:
clear the cache after a restore).

Not anchored, read by plain OFFSET as before: SQLite (the development default, small
data: not the scale target); a list read elsewhere than the ``default`` database (a
streaming replica's sequences move in steps of 32, not on every write); a transaction at
REPEATABLE READ or stricter (its snapshot may be older than the anchors); a list reading a
table without a generation (unknown is never safe); and a list whose statement compares
with a date-time (in practice the clock: a referral-receiving organisation's list names
"now", so its statement, and its anchors' key, is new on every request and the anchors
would never be asked for again).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import F, QuerySet, Window
from django.db.models.functions import RowNumber
from psycopg import IsolationLevel

from northstar.core import generations

#: Anchors kept this long at most (also bounds what a restore bypassing the triggers could
#: leave behind; see the module's docstring).
ANCHOR_SECONDS = 600

#: Per recipe list shape: the SQL its list statement is written with (stand-ins in place
#: of the values), the part of the anchors' key that names the statement.
_RECIPE_SQL: dict[tuple, tuple[str, tuple[str, ...] | None]] = {}


def every() -> int:
    """Rows between two anchors (``NORTHSTAR_PAGE_ANCHOR_EVERY``; 0: no anchors)."""
    return settings.NORTHSTAR_PAGE_ANCHOR_EVERY


class _List:
    """One list as anchors know it: its key, the tables it reads, how to read its anchors."""

    __slots__ = ("key", "order", "rows", "tables", "using")

    def __init__(self, key: str, tables: tuple[str, ...], rows: QuerySet, order,
                 using: str) -> None:
        self.key, self.tables, self.rows, self.order, self.using = (key, tables, rows,
                                                                    order, using)


def _ordered(rows: QuerySet, order) -> QuerySet:
    return rows.order_by().values_list(*(f.attname for f, _ in order)).order_by(
        *(("-" if d else "") + f.attname for f, d in order))


def _statement(rows: QuerySet, order, using: str,
               recipe: tuple | None) -> tuple[str, tuple, tuple[str, ...] | None] | None:
    """The list's statement (its ordering columns) and parameters, and the tables it reads;
    for a recipe list the SQL written with its stand-ins once per process and its values."""
    if recipe is not None:
        made, values = recipe
        shape = (id(made), tuple((f.attname, d) for f, d in order), using)
        written = _RECIPE_SQL.get(shape)
        if written is None:
            sql, _ = _ordered(made._build(*made._stand_ins), order).query.sql_with_params()
            written = _RECIPE_SQL[shape] = (sql, generations.tables_read(sql, using))
        return written[0], tuple(values), written[1]
    try:
        sql, params = _ordered(rows, order).query.sql_with_params()
    except EmptyResultSet:
        return None
    if any(isinstance(p, dt.datetime) for p in params):
        return None  # the clock, in practice: a key never asked for again
    return sql, tuple(params), generations.tables_read(sql, using)


def listed(rows: QuerySet, order, recipe: tuple | None = None) -> _List | None:
    """``rows`` (the list, unjoined) as anchors know it, or ``None`` when it is not anchored
    (see the module's docstring for which)."""
    using = rows.db
    connection = connections[using]
    if every() <= 0 or connection.vendor != "postgresql" or using != DEFAULT_DB_ALIAS:
        return None
    level = connection.settings_dict.get("OPTIONS", {}).get("isolation_level")
    if level is not None and IsolationLevel(level) != IsolationLevel.READ_COMMITTED:
        return None
    found = _statement(rows, order, using, recipe)
    if found is None or found[2] is None:
        return None
    sql, params, tables = found
    db = connection.settings_dict
    named = repr((db.get("NAME"), db.get("HOST"), db.get("PORT"), sql, params, every()))
    key = "northstar:anchors:" + hashlib.sha256(named.encode()).hexdigest()
    return _List(key, tables, rows, order, using)


def _read(target: _List) -> tuple[tuple, list[tuple]] | None:
    """Read and store the list's anchors (step 1 of the module's docstring): the
    generations and the anchors, or ``None`` when the list is being written."""
    before = generations.current(target.tables, target.using)
    busy = generations.in_flight(target.tables, target.using)
    k = every()
    numbered = _ordered(target.rows, target.order).annotate(
        _anchor_n=Window(RowNumber(), order_by=[F(f.attname).desc() if d else F(f.attname).asc()
                                                for f, d in target.order]))
    sql, params = numbered.query.sql_with_params()
    width = len(target.order)
    with connections[target.using].cursor() as cursor:
        # Every K-th row's ordering values (the last row before each anchored page).
        cursor.execute(f"SELECT * FROM ({sql}) numbered WHERE _anchor_n %% %s = 0 "  # noqa: S608 - Django's SQL
                       f"ORDER BY _anchor_n", (*params, k))
        anchors = [tuple(row[:width]) for row in cursor.fetchall()]
    if busy or generations.current(target.tables, target.using) != before:
        return None
    with contextlib.suppress(Exception):  # not kept (the cache is down): read again next time
        cache.set(target.key, (before, anchors), ANCHOR_SECONDS)
    return before, anchors


def page(target: _List, offset: int, run: Callable[[list, int], list]) -> list | None:
    """The page's rows (``size + 1`` of them at most: ``run(anchor_values, skipped)`` reads
    the rows after the anchor's row, ``skipped`` of them skipped), or ``None``: read it by
    plain OFFSET (the page is before the first anchor, or the list is being written)."""
    k = every()
    if offset < k:
        return None
    try:
        stored = cache.get(target.key)
    except Exception:  # noqa: BLE001 - the cache is down: a page by OFFSET, never a 500
        return None
    if not (isinstance(stored, tuple) and len(stored) == 2):
        stored = None  # none, or not one this code stored
    fresh = False
    while True:
        if stored is None:
            if fresh:
                return None
            stored, fresh = _read(target), True
            if stored is None:
                return None
        generation, anchors = stored
        j = min(offset // k, len(anchors))
        if j == 0:
            return None  # a list shorter than K: OFFSET reads fewer than K entries anyway
        rows = run(list(anchors[j - 1]), offset - j * k)
        if generations.current(target.tables, target.using) == generation:
            return rows
        stored = None  # written since: read the anchors again, once
