"""Where a read's audit entry spends PostgreSQL's CPU: the entry's transaction taken apart,
statement by statement, each variant run alone on one connection and timed by the backend's
own CPU clock (``/proc/<pid>/schedstat``, same machine). Run on a COPY of a bench database
(it writes entries and, with ``--schema``, drops and restores constraints and indexes):

    createdb -h 127.0.0.1 -U postgres -T ns_bench_100000 ns_mine_100000
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/ns_mine_100000 \\
      NORTHSTAR_VAR_DIR=/work/main/var/bench PYTHONPATH=. \\
      .venv/bin/python bench/audit_parts.py 2000 3

Variants (every one a transaction of its own sent in one pipelined round trip, as
``audit._append_alone`` sends a read's entry; ``SET LOCAL synchronous_commit TO OFF`` in each):

- ``empty``: BEGIN, SET LOCAL, SELECT 1, COMMIT (no xid: the round trip and protocol alone)
- ``head``: the chain head's upsert alone (the CTE's first half)
- ``insert``: a plain INSERT of the entry with its hashes given (no head, no CTE)
- ``linked``: the linked INSERT (``audit._INSERT_LINKED``), as a plain read's entry
- ``linked+tally``: the linked INSERT and the reader's tally, as a full read's entry
- ``prepared``: the same two statements bound on the server and kept prepared
- ``app-unprepared`` / ``app-prepared``: a full read's entry written by ``audit._append_alone``
  with ``NORTHSTAR_AUDIT_PREPARED`` off / on (the code of the tree on ``PYTHONPATH``)

Rounds alternate the variants; the output is the median ms of backend CPU per transaction
and this process's CPU per transaction, with the load average.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

import psycopg


def backend_ns(pid: int) -> int:
    return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0])


def main(n: int, rounds: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.scale_settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection

    from northstar.core import audit, unusual_reads
    from northstar.core.actor import Actor
    from northstar.survivors.models import Survivor

    user = get_user_model().objects.get(username="caseworker.th")
    actor = Actor.for_user(user, channel="api")
    survivors = list(Survivor.objects.filter(organisation=user.membership.organisation)
                     .order_by("-id")[:25])
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]

    def entry_for(k):
        s = survivors[k % len(survivors)]
        return audit._new_entry(actor, s.organisation_id, dict(
            action="read", record_type="survivor", record_id=str(s.pk), record_ids=[str(s.pk)],
            survivor_ref=s.reference, fields=["given_name"], note=""))

    cols = ", ".join(audit._COLUMNS) + ", prev_hash, entry_hash"
    marks = ", ".join(["%s"] * (len(audit._COLUMNS) + 2))
    plain_insert = f"INSERT INTO core_auditentry ({cols}) VALUES ({marks}) RETURNING id"
    head_sql = audit._INSERT_LINKED.split("RETURNING prev_hash, entry_hash)")[0].replace(
        "WITH link AS (", "") + "RETURNING prev_hash, entry_hash"

    def run(statements, prepare=False):
        pg = connection.connection
        with pg.pipeline(), connection.cursor() as cursor:
            cursor.execute("BEGIN")
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
            if prepare:
                pg.prepare_threshold = 2**31  # only what is asked with prepare=True
                with psycopg.Cursor(pg) as server:
                    for sql, params in statements:
                        server.execute(sql, params, prepare=True)
            else:
                for sql, params in statements:
                    cursor.execute(sql, params)
            cursor.execute("COMMIT")

    def v_empty(k):
        run([("SELECT 1", None)])

    def v_head(k):
        sql, params = audit._insert_statement(entry_for(k))
        run([(head_sql, params[:6])])

    def v_insert(k):
        e = entry_for(k)
        values = audit.chain_values(e)
        params = [audit.json.dumps(values[c]) if c in audit._JSON else values[c]
                  for c in audit._COLUMNS]
        run([(plain_insert, [*params, "0" * 64, "f" * 64])])

    def v_linked(k):
        run([audit._insert_statement(entry_for(k))])

    def v_linked_tally(k):
        e = entry_for(k)
        run([audit._insert_statement(e), unusual_reads.tally_statement(e)])

    def typed(sql):
        return sql.replace("SELECT %s, %s, %s, %s, %s, %s, %s, %s, %s, %s::jsonb, %s, %s::jsonb, %s,",
                           "SELECT %s::timestamptz, %s::integer, %s::text, %s::integer, %s::integer, "
                           "%s::text, %s::text, %s::text, %s::text, %s::jsonb, %s::text, %s::jsonb, "
                           "%s::text,")

    def v_prepared(k):
        e = entry_for(k)
        sql, params = audit._insert_statement(e)
        tsql, tparams = unusual_reads.tally_statement(e)
        run([(typed(sql), params), (tsql.replace("%(minute)s", "%(minute)s::bigint"), tparams)],
            prepare=True)

    from django.conf import settings

    def v_app(prepared):
        def call(k):
            settings.NORTHSTAR_AUDIT_PREPARED = prepared
            audit._append_alone(entry_for(k), full_read=True)
        return call

    variants = {"empty": v_empty, "head": v_head, "insert": v_insert, "linked": v_linked,
                "linked+tally": v_linked_tally, "prepared": v_prepared,
                "app-unprepared": v_app(False), "app-prepared": v_app(True)}
    only = os.environ.get("VARIANTS")
    if only:
        variants = {k: v for k, v in variants.items() if k in only.split(",")}
    results: dict[str, list] = {name: [] for name in variants}
    load = Path("/proc/loadavg").read_text().split()[0]
    for _ in range(rounds):
        for name, call in variants.items():
            for k in range(50):
                call(k)
            server, cpu = backend_ns(pid), time.process_time()
            for k in range(n):
                call(k)
            results[name].append(((backend_ns(pid) - server) / n / 1e6,
                                  (time.process_time() - cpu) / n * 1000))
    load_after = Path("/proc/loadavg").read_text().split()[0]
    label = os.environ.get("LABEL", "")
    for name, runs in results.items():
        server = [r[0] for r in runs]
        client = [r[1] for r in runs]
        print(f"{label:14} {name:13} server {statistics.median(server):.3f} ms "
              f"({' / '.join(f'{s:.3f}' for s in server)}), client "
              f"{statistics.median(client):.3f} ms")
    print(f"load {load}-{load_after}, {n} a round, {rounds} rounds")


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]))
