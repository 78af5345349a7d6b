"""Where a query goes: figures may read a streaming replica, everything else the primary.

With ``DATABASE_REPLICA_URL`` set, settings add a ``replica`` database alias and
``NORTHSTAR_FIGURES_DATABASE = "replica"``. A figure reader (the compensation and delivery
figures, the insights figures and their CSV, the HTCDS exports and releases) runs inside
``reading_figures()`` — a context manager, or a decorator on the view, API handler or job::

    @reading_figures()
    def organisation_figures(request): ...

Inside it, :class:`FiguresRouter` sends the *reads* of the record apps to the replica.
Everything else stays on the primary (``default``):

- every write, the audit entry of the figure read included (``audit.py`` writes on
  ``django.db.connection``, the primary, whatever the router says);
- every read of ``core`` (memberships, roles, organisations, tokens, the audit chain,
  jobs, idempotency keys), ``auth``, sessions and sign-in lockouts: who may read which
  figures is decided on the primary, never on a lagging copy;
- every read outside ``reading_figures()``: a case record, a list, a detail page.

The replica's lag is shown: :func:`figures_as_of` is the time of the last transaction the
replica has replayed (``pg_last_xact_replay_timestamp()``), or ``None`` on the primary; a
figure page says "Figures as of …" (``figures_context``). A replica further behind than
``NORTHSTAR_REPLICA_MAX_LAG_SECONDS`` (default 300), or that does not answer, is passed
over: the figures are read on the primary, as without a replica.

No replica configured (``make run``, ``make test``, one server): ``reading_figures()``
changes nothing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.utils import timezone

log = logging.getLogger(__name__)

#: The apps whose rows figures count. ``core`` (membership, roles, audit, jobs, tokens,
#: idempotency keys), ``auth``, ``sessions`` and the rest are never read from a replica.
RECORD_APPS = frozenset({
    "survivors", "justice", "compensation", "pathways", "insights", "outcomes",
    "referrals", "screening", "safeguards", "engagement", "documents", "intelligence",
    "law", "organisation", "portal",
})

_alias: ContextVar[str | None] = ContextVar("northstar_figures_alias", default=None)
_as_of: ContextVar[dt.datetime | None] = ContextVar("northstar_figures_as_of", default=None)


def configured_alias() -> str:
    """The alias figures are read from when a replica is configured, else ``default``."""
    alias = getattr(settings, "NORTHSTAR_FIGURES_DATABASE", DEFAULT_DB_ALIAS) or DEFAULT_DB_ALIAS
    return alias if alias in settings.DATABASES else DEFAULT_DB_ALIAS


def figures_alias() -> str:
    """The alias the figure reads of this moment go to: the replica inside
    ``reading_figures()`` (when one is configured and usable), else ``default``."""
    return _alias.get() or DEFAULT_DB_ALIAS


def figures_as_of() -> dt.datetime | None:
    """When on a replica: the commit time of the last transaction it has replayed (the
    figures are as of then). ``None`` when the figures are read on the primary."""
    return _as_of.get()


def replica_position(alias: str) -> tuple[bool, dt.datetime | None]:
    """(is a standby, time of the last replayed transaction) of ``alias``. A server that
    is not in recovery (a test mirror, a replica promoted) is current: now."""
    connection = connections[alias]
    if connection.vendor != "postgresql":
        return False, timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_is_in_recovery(), "
            "CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN now() "
            "ELSE pg_last_xact_replay_timestamp() END")
        standby, replayed = cursor.fetchone()
    if not standby:
        return False, timezone.now()
    return True, replayed


def _usable(alias: str) -> tuple[bool, dt.datetime | None]:
    limit = getattr(settings, "NORTHSTAR_REPLICA_MAX_LAG_SECONDS", 300)
    try:
        _standby, replayed = replica_position(alias)
    except DatabaseError:
        log.warning("figures replica %r does not answer: reading figures on the primary", alias)
        return False, None
    if replayed is None or (timezone.now() - replayed).total_seconds() > limit:
        log.warning("figures replica %r is more than %s s behind: reading figures on the "
                    "primary", alias, limit)
        return False, None
    return True, replayed


@contextlib.contextmanager
def reading_figures():
    """Within it, the reads of the record apps go to the figures replica (if configured,
    answering and not too far behind). Nested uses keep the outer choice. Also a
    decorator: ``@reading_figures()``."""
    if _alias.get() is not None:
        yield _alias.get()
        return
    alias, as_of = DEFAULT_DB_ALIAS, None
    wanted = configured_alias()
    if wanted != DEFAULT_DB_ALIAS:
        usable, replayed = _usable(wanted)
        if usable:
            alias, as_of = wanted, replayed
    alias_token, as_of_token = _alias.set(alias), _as_of.set(as_of)
    planned = _plan_each_run(alias)
    try:
        yield alias
    finally:
        _alias.reset(alias_token)
        _as_of.reset(as_of_token)
        if planned:
            _plan_as_usual(alias)


#: PostgreSQL's choice between a prepared statement's generic plan and one planned for its
#: values, while figures are read (``reading_figures``).
FIGURES_PLAN_CACHE_MODE = "force_custom_plan"


def _plan_each_run(alias: str) -> bool:
    """PostgreSQL: the figures' statements planned for their values on every run.

    With server-side binding (settings.py) a statement run often on a connection is
    prepared, and after five runs PostgreSQL may keep a *generic* plan made without the
    values, which it judges no worse on average. The figures' statements are few, long and
    data-dependent (an organisation, a consent purpose, "now"), and a kept connection
    serves one organisation after another: a small organisation's figures then ran the
    generic plan kept for a large one, reading every consent of the table where its own
    plan reads its few (0.5-1 ms -> 9-156 ms a statement at 100,000 survivors;
    bench/README.md, h-plans). Planned each time, as with binding off; the hot statements
    of other requests keep their generic plans."""
    connection = connections[alias]
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute(f"SET plan_cache_mode = {FIGURES_PLAN_CACHE_MODE}")
    return True


def _plan_as_usual(alias: str) -> None:
    """Back to the server's choice for the connection's next request. In a transaction
    that failed, the rollback undoes the SET itself (it ran inside it or is reset after)."""
    connection = connections[alias]
    if connection.needs_rollback or connection.connection is None:
        return
    try:
        with connection.cursor() as cursor:
            cursor.execute("RESET plan_cache_mode")
    except DatabaseError:
        log.warning("figures: plan_cache_mode not reset on %r", alias, exc_info=True)


class FiguresRouter:
    """``DATABASE_ROUTERS``: inside ``reading_figures()``, reads of the record apps go to
    the replica; writes, and every other read, to the primary. Never migrates the replica."""

    def db_for_read(self, model, **hints):
        alias = _alias.get()
        if not alias or alias == DEFAULT_DB_ALIAS:
            return None
        if model._meta.app_label not in RECORD_APPS:
            return DEFAULT_DB_ALIAS
        instance = hints.get("instance")
        if instance is not None and instance._state.db:
            return instance._state.db  # a related read of a row already loaded stays with it
        return alias

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica is a copy of the primary: the same rows

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS


def figures_context(request) -> dict:
    """Template context processor: ``figures_as_of`` for the "Figures as of …" line
    (``web/base.html``), set while a figure page renders from a replica."""
    return {"figures_as_of": figures_as_of()}
