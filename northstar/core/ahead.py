"""A page's reads sent to PostgreSQL together, before the page asks for them (issue 13).

The case page reads ~25 independent things of one case (a panel each, the alerts, the
consents, the casework card), each a statement written once (``core.prepared``) and each
its own round trip: send, wait for PostgreSQL, read the answer, 25 times in a row. Here
they go in one round trip (psycopg's pipeline mode), at the start of the page, and each
panel then takes its answer from what was read instead of asking.

Nobody declares anything: inside ``reading_ahead(key, **known)`` every statement written
once (``Prepared``, ``Rows``, ``Recipe``) whose values are all among the ``known`` ones
(the case's id, the survivor's, the reader's organisation, today…) is noted with the
*names* of those values; the next page of the same ``key`` runs the noted statements with
its own values, together, before anything else. What the page then asks for is taken from
those answers only when it is the very statement with the very parameters (SQL and values
compared whole), once each; anything else, or anything not read ahead, is asked as before.
So a guess that was wrong (a panel that this time reads something else) costs one unused
read in the batch, never a wrong answer.

What makes this safe:

- an answer read ahead is used at most once and only in the page (``reading_ahead``'s
  block) that read it; none outlives it;
- a write in the block (any INSERT, UPDATE or DELETE but the audit log's own entries,
  which change nothing a page reads) throws away every answer not yet taken: nothing is
  answered from before a write;
- the reads are the statements the page itself makes, with values the caller names
  (the case ``policy.case_for`` let this reader see): the batch reads nothing the page
  would not have read; what it reads and does not use is dropped unseen, and the audit
  log records what is shown, as before (each panel still audits its own read);
- on SQLite (no pipeline) and inside another ``reading_ahead`` it does nothing.

A page's clock: a date or time a statement compares with is often worked out from
"today" or "now" (a fortnight ahead, three days back). Such a value, when it is a known
date or date-time (``today=``, ``now=``) moved by whole days (dates, within a year) or
whole hours (date-times, within a year), is noted as that name and that step, and the
next page writes it from its own ``today`` or ``now``: a statement whose value is not
the page's own (a row's date that happened to fall so) is then a read not taken, never a
wrong answer. A time compared with "now" can only be read ahead if the page reads the
same instant everywhere: ``now()`` is the block's ``now`` (the time the page's reads are
taken at), and the clock outside one.

The key says what shapes a page's reads (the page, the reader's organisation and role,
whether the record is their own): pages of one key ask for the same statements.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import logging
import re
from collections import deque
from collections.abc import Callable
from contextlib import contextmanager

from django.db import DatabaseError, connections
from django.utils import timezone

logger = logging.getLogger(__name__)

#: The statements noted per key: each as (SQL as first written, how to write it for other
#: values, the names its values may be). At most ``KEEP`` keys (a few per organisation
#: and role): older ones are forgotten all at once.
_LEARNED: dict[tuple, tuple] = {}
KEEP = 512

#: Tables whose writes change nothing a page reads: the audit log's entries, its chain's
#: head and the readers' tallies (written while a page shows, inside an action's
#: transaction and in tests).
AUDIT_TABLES = frozenset({"core_auditentry", "core_auditchainhead", "core_readtally"})

#: The tables a statement writes (``DO UPDATE SET`` of an upsert names none).
_WRITTEN = re.compile(r'\b(?:INSERT\s+INTO|UPDATE(?!\s+SET\b)|DELETE\s+FROM)\s+"?(\w+)',
                      re.IGNORECASE)
_NOT_A_WRITE = re.compile(r"\s*(?:SELECT|BEGIN|COMMIT|SAVEPOINT|RELEASE\s+SAVEPOINT|SET\s+LOCAL)\b",
                          re.IGNORECASE)


#: How far a date or time may be from the known ``today`` or ``now`` it is noted as moved
#: from (the windows pages compare with: a fortnight ahead, a week back, a year of figures).
CLOCK_REACH = dt.timedelta(days=366)


class _Moved:
    """A value noted as a known date or time (by name) moved by ``step``."""

    __slots__ = ("name", "step")

    def __init__(self, name: str, step: dt.timedelta) -> None:
        self.name, self.step = name, step

    def __eq__(self, other) -> bool:
        return isinstance(other, _Moved) and (self.name, self.step) == (other.name, other.step)

    def __hash__(self) -> int:
        return hash((self.name, self.step))

    def __repr__(self) -> str:
        return f"{self.name} + {self.step}"


def _moved(clocks: list[tuple[str, object]], value) -> _Moved | None:
    """``value`` as a known date (whole days) or date-time (whole hours) moved, within
    ``CLOCK_REACH``; ``None`` if it is not one."""
    for name, known in clocks:
        if type(known) is not type(value):
            continue
        step = value - known
        if abs(step) > CLOCK_REACH:
            continue
        if isinstance(value, dt.datetime) and step % dt.timedelta(hours=1):
            continue
        return _Moved(name, step)
    return None


class _Ahead:
    __slots__ = ("clocks", "known", "names_of", "rows", "seen", "using")

    def __init__(self, using: str, known: dict) -> None:
        self.using = using
        self.known = known
        #: Each known value's names (two names may hold the same value).
        self.names_of: dict[tuple, frozenset] = {}
        for name, value in known.items():
            key = (type(value), value)
            self.names_of[key] = self.names_of.get(key, frozenset()) | {name}
        #: The known dates and date-times (``today``, ``now``): a value a day or an hour
        #: away from one is noted as it moved (``_moved``).
        self.clocks = [(name, value) for name, value in known.items()
                       if isinstance(value, dt.date)]
        #: Answers read ahead, by (SQL, parameters): a queue, as a page may ask twice.
        self.rows: dict[tuple, deque] = {}
        #: What this page asked, in order, to be noted for the next one.
        self.seen: list[tuple] = []

    def take(self, sql: str, params) -> list | None:
        if not self.rows:
            return None
        try:
            queue = self.rows.get((sql, tuple(params)))
        except TypeError:  # a parameter that cannot be a key (a list): never read ahead
            return None
        if not queue:
            return None
        found = queue.popleft()
        if not queue:
            del self.rows[(sql, tuple(params))]
        return found

    def note(self, sql: str, values, write: Callable) -> None:
        names = []
        for value in values:
            try:
                found = self.names_of.get((type(value), value))
            except TypeError:
                return
            if not found and self.clocks and isinstance(value, dt.date):
                found = _moved(self.clocks, value)
            if not found:
                return  # a value of its own (an id read by an earlier statement): not guessed
            names.append(found)
        self.seen.append((sql, write, tuple(names)))

    def watch(self, execute, sql, params, many, context):
        """A write (but the audit log's) throws away the answers not yet taken."""
        if self.rows and not _NOT_A_WRITE.match(sql):
            tables = set(_WRITTEN.findall(sql))
            if not tables or not tables <= AUDIT_TABLES:
                self.rows.clear()
        return execute(sql, params, many, context)


_current: contextvars.ContextVar[_Ahead | None] = contextvars.ContextVar(
    "northstar_read_ahead", default=None)


def now() -> dt.datetime:
    """The time a page's reads are taken at: the ``now`` ``reading_ahead`` knows, so that
    a statement comparing with it is the same statement on every page and can be read
    ahead; ``timezone.now()`` outside such a block (or one that knows no ``now``)."""
    ahead = _current.get()
    if ahead is not None:
        found = ahead.known.get("now")
        if isinstance(found, dt.datetime):
            return found
    return timezone.now()


def fetch(using: str, sql: str, params, values, write: Callable | None) -> list:
    """The rows of ``sql`` with ``params`` (a statement written once, for ``values``):
    taken from what was read ahead when it is there, else asked. ``write(values)`` gives
    the statement's (SQL, parameters) for other values: noted inside ``reading_ahead``
    (``None``: never noted). It is kept across pages and threads, so it must not hold a
    connection."""
    ahead = _current.get()
    if ahead is not None and ahead.using == using:
        if write is not None:
            ahead.note(sql, values, write)
        found = ahead.take(sql, params)
        if found is not None:
            return found
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


@contextmanager
def reading_ahead(key: tuple, *, using: str = "default", **known):
    """Inside: the statements the last page of ``key`` made with these ``known`` values
    (by name) are read first, in one round trip, and answer the page's own. See the
    module's note."""
    connection = connections[using]
    if connection.vendor != "postgresql" or _current.get() is not None:
        yield
        return
    ahead = _Ahead(using, known)
    learned = _LEARNED.get(key)
    if learned:
        _read(ahead, learned, connection)
    token = _current.set(ahead)
    try:
        with connection.execute_wrapper(ahead.watch):
            yield
    finally:
        _current.reset(token)
    _learn(key, learned, ahead.seen)


def _learn(key: tuple, before: tuple | None, seen: list) -> None:
    """Note ``seen`` for ``key``. Where two known values were equal (the first case and
    the first user of a new database), a value's names are narrowed by what the same
    statement had on the pages before; a statement still unsure is read ahead only while
    its names hold one value (``_read``): never a guess between two values."""
    if before:
        names_before = {sql: names for sql, _write, names in before}
        narrowed = []
        for sql, write, names in seen:
            old = names_before.get(sql)
            if old is not None and len(old) == len(names):
                names = tuple(((n & m) or n) if isinstance(n, frozenset)
                              and isinstance(m, frozenset) else n
                              for n, m in zip(names, old, strict=True))
            narrowed.append((sql, write, names))
        seen = narrowed
    if len(_LEARNED) >= KEEP and key not in _LEARNED:
        _LEARNED.clear()
    _LEARNED[key] = tuple(seen)


def forget() -> None:
    """Forget every page's noted reads (tests: each starts with none)."""
    _LEARNED.clear()


def _read(ahead: _Ahead, learned: tuple, connection) -> None:
    statements = []
    for _sql, write, names in learned:
        values = []
        for found in names:
            if isinstance(found, _Moved):
                known = ahead.known.get(found.name)
                if not isinstance(known, dt.date):
                    break  # this page knows no such date or time
                values.append(known + found.step)
                continue
            held = {(type(ahead.known[name]), ahead.known[name]) for name in found}
            if len(held) != 1:
                break  # two names that now hold two values: which one is not known
            values.append(ahead.known[next(iter(found))])
        else:
            statements.append(write(values))
    cursors = []
    try:
        connection.ensure_connection()
        with connection.connection.pipeline():
            for sql, params in statements:
                cursor = connection.cursor()
                cursors.append(cursor)
                cursor.execute(sql, params)
        for (sql, params), cursor in zip(statements, cursors, strict=True):
            rows = cursor.fetchall()
            try:
                ahead.rows.setdefault((sql, tuple(params)), deque()).append(rows)
            except TypeError:  # a parameter that cannot be a key: asked again when needed
                continue
    except DatabaseError:
        if connection.in_atomic_block:
            raise  # the transaction is spoilt: the page could not go on anyway
        logger.warning("reading ahead failed; the page asks for each read itself", exc_info=True)
        ahead.rows.clear()
    finally:
        for cursor in cursors:
            cursor.close()
