"""The per-request health check of a kept PostgreSQL connection, without a round trip when
the connection shows no sign of trouble (issue 13, fixed cost of every request).

With persistent connections (``CONN_MAX_AGE``) and ``CONN_HEALTH_CHECKS``, Django sends
``SELECT 1`` before the first query of every request, so that a connection the server has
dropped (a restart, a fail-over, ``pg_terminate_backend``, an idle timeout, a proxy closing
it) is replaced instead of failing the request. That is a round trip to the server on every
request, which the framework floor does not pay.

A server that ends a session says so on its socket: it sends its last message (``FATAL:
terminating connection…``) and closes it, and either makes the socket readable. Between
requests a sound connection in autocommit has nothing to read. So, when a request starts
and Django has just asked for the check (``close_old_connections``), the check is taken
as done if psycopg sees the connection open and idle (no transaction open or failed) and
its socket has nothing waiting (a zero-timeout ``poll``: a system call, no round trip).
Anything else — data waiting, the socket hung up or in error, psycopg's own state not
sound, a platform without ``poll`` — leaves the check to Django, which sends its
``SELECT 1`` and replaces the connection if that fails, as before. A connection that
failed in a request (``errors_occurred``) is checked by Django itself either way.
"""

from __future__ import annotations

import select

from django.db import connections


def _quiet(wrapper) -> bool:
    """Whether a kept PostgreSQL connection shows no sign of having been dropped."""
    if wrapper.vendor != "postgresql" or wrapper.connection is None:
        return False
    from psycopg import pq

    try:
        pgconn = wrapper.connection.pgconn
        if (pgconn.status != pq.ConnStatus.OK
                or pgconn.transaction_status != pq.TransactionStatus.IDLE):
            return False
        poller = select.poll()
        poller.register(pgconn.socket, select.POLLIN | select.POLLPRI)
        return not poller.poll(0)  # hang-ups and errors are always reported too
    except Exception:  # noqa: BLE001 - any doubt: Django's own check decides
        return False


def skip_needless_health_checks(**kwargs) -> None:
    """``request_started`` receiver, after Django's ``close_old_connections``: marks each
    kept connection that shows no sign of trouble as checked for this request."""
    for wrapper in connections.all(initialized_only=True):
        if (wrapper.health_check_enabled and not wrapper.health_check_done
                and not wrapper.errors_occurred and getattr(wrapper, "pool", None) is None
                and _quiet(wrapper)):
            wrapper.health_check_done = True
