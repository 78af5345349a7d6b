"""A kept PostgreSQL connection is checked at the start of each request without a round trip
when nothing shows it dropped (``core.connection_check``), and a connection the server has
ended is still replaced before the request's first query, as Django's SELECT 1 check did."""

import time

import pytest
from django.core.signals import request_started
from django.db import close_old_connections, connection, connections, transaction

from northstar.core.connection_check import _quiet, skip_needless_health_checks

pytestmark = pytest.mark.django_db(transaction=True)
UID = "northstar.skip_needless_health_checks"


@pytest.fixture
def kept_connection():
    if connection.vendor != "postgresql":
        pytest.skip("the check is PostgreSQL's (SQLite has no server to lose)")
    assert connection.health_check_enabled
    # In the order the application connects them (Django's test client disconnects and
    # reconnects close_old_connections around each request, which moves it last).
    request_started.disconnect(close_old_connections)
    request_started.disconnect(dispatch_uid=UID)
    request_started.connect(close_old_connections)
    request_started.connect(skip_needless_health_checks, dispatch_uid=UID)
    connection.close()  # a connection of this test's own, not one an earlier test left behind
    connection.ensure_connection()
    saved = connection.close_at
    connection.close_at = time.monotonic() + 3600  # kept across requests, as in production
    other = connections.create_connection("default")
    yield other
    other.close()
    connection.close_at = saved


def pid_and_last_query(other, pid):
    with other.cursor() as cursor:
        cursor.execute("SELECT query FROM pg_stat_activity WHERE pid = %s", [pid])
        row = cursor.fetchone()
    return row[0] if row else None


def own_pid():
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid() /* before the request */")
        return cursor.fetchone()[0]


def test_a_sound_kept_connection_starts_a_request_without_a_select_1(kept_connection):
    pid = own_pid()
    request_started.send(sender=None)
    assert connection.health_check_done
    with connection.cursor():  # the request's first query: no check sent before it
        pass
    assert "before the request" in pid_and_last_query(kept_connection, pid)

    # Without the receiver Django sends its SELECT 1 (what the test above would catch).
    request_started.disconnect(dispatch_uid=UID)
    try:
        request_started.send(sender=None)
        with connection.cursor():
            pass
    finally:
        request_started.connect(skip_needless_health_checks, dispatch_uid=UID)
    assert pid_and_last_query(kept_connection, pid) == "SELECT 1"


def test_a_connection_the_server_ended_is_replaced_before_the_request_queries(
        kept_connection):
    pid = own_pid()
    with kept_connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        assert cursor.fetchone()[0]
    for _ in range(400):  # until the server has ended it (it answers at once, ends soon after)
        if pid_and_last_query(kept_connection, pid) is None:
            break
        time.sleep(0.05)
    assert not _quiet(connection)  # the server's goodbye and hang-up are on the socket
    request_started.send(sender=None)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        new_pid = cursor.fetchone()[0]
    assert new_pid != pid


def test_an_open_transaction_is_left_to_djangos_own_check(kept_connection):
    own_pid()
    assert _quiet(connection)  # idle in autocommit, nothing waiting on its socket
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 /* a transaction open */")
        inside = _quiet(connection)
    assert not inside
    assert _quiet(connection)
