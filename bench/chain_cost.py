"""What one audit entry costs PostgreSQL and this process, with the code of the tree given:
run it alternately with two checkouts on a COPY of a bench database (it writes entries).

    createdb -h 127.0.0.1 -U postgres -T ns_bench_10000 ns_mine_10000
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/ns_mine_10000 \\
      NORTHSTAR_VAR_DIR=/work/main/var/bench .venv/bin/python bench/chain_cost.py TREE explain 200
    ... bench/chain_cost.py TREE reads 1000     # read entries alone (a detail read's)
    ... bench/chain_cost.py TREE writes 1000    # write entries in an action's transaction

``explain``: the linked INSERT of a read entry under ``EXPLAIN (ANALYZE, BUFFERS, SUMMARY)``
(rolled back), median planning and execution time, shared buffers touched and the relations
its plan reads. ``reads``/``writes``: CPU milliseconds per entry in this process and in its
PostgreSQL backend (/proc, same machine), and wall time, beside the load average.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path


def backend_cpu(connection) -> float:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def relations(plan: dict) -> list[str]:
    found = [plan["Relation Name"]] if "Relation Name" in plan else []
    for child in plan.get("Plans", []):
        found += relations(child)
    return found


def main(tree: str, mode: str, n: int) -> None:
    sys.path.insert(0, tree)
    os.chdir(tree)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.scale_settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from northstar.core import audit
    from northstar.core.actor import Actor
    from northstar.survivors.models import Survivor

    user = get_user_model().objects.get(username="caseworker.th")
    actor = Actor.for_user(user, channel="api")
    survivors = list(Survivor.objects.filter(organisation=user.membership.organisation)
                     .order_by("-id")[:25])
    with connection.cursor() as cursor:  # another tree's entries may have left it behind
        cursor.execute("SELECT to_regclass('core_auditchainhead') IS NOT NULL")
        if cursor.fetchone()[0]:
            cursor.execute("UPDATE core_auditchainhead SET prev_hash = e.prev_hash, "
                           "entry_hash = e.entry_hash FROM (SELECT prev_hash, entry_hash "
                           "FROM core_auditentry ORDER BY id DESC LIMIT 1) e")
    load = Path("/proc/loadavg").read_text().split()[0]

    def read(k):
        s = survivors[k % len(survivors)]
        return audit.record_read(actor, s, survivor_ref=s.reference, fields=["given_name"])

    def write(k):
        s = survivors[k % len(survivors)]
        with transaction.atomic():
            return audit.record(actor, "update", "survivor", s.pk, survivor_ref=s.reference,
                                fields=["phone"], note="version 2")

    if mode == "explain":
        s = survivors[0]
        entry = audit._new_entry(actor, None, dict(
            action="read", record_type="survivor", record_id=str(s.pk), record_ids=[str(s.pk)],
            survivor_ref=s.reference, fields=["given_name"], note=""))
        sql, params = audit._insert_statement(entry)
        planning, execution, buffers, rels = [], [], [], None
        for _ in range(n):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS, SUMMARY, FORMAT JSON) " + sql, params)
                (raw,) = cursor.fetchone()
                transaction.set_rollback(True)
            out = (json.loads(raw) if isinstance(raw, str) else raw)[0]
            planning.append(out["Planning Time"])
            execution.append(out["Execution Time"])
            plan = out["Plan"]
            buffers.append(plan.get("Shared Hit Blocks", 0) + plan.get("Shared Read Blocks", 0)
                           + out.get("Planning", {}).get("Shared Hit Blocks", 0))
            rels = rels or sorted(set(relations(plan)))
        print(f"{tree}: linked INSERT, median of {n}: planning {statistics.median(planning):.3f} ms, "
              f"execution {statistics.median(execution):.3f} ms, buffers {statistics.median(buffers):.0f} "
              f"(plan + planning), reads {rels} (load {load})")
        return
    call = read if mode == "reads" else write
    for k in range(20):
        call(k)  # warm: imports, plans, caches
    server, wall, cpu = backend_cpu(connection), time.perf_counter(), time.process_time()
    for k in range(n):
        call(k)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    server = backend_cpu(connection) - server
    load_after = Path("/proc/loadavg").read_text().split()[0]
    print(f"{tree}: {mode} {n}: {cpu / n * 1000:.3f} ms CPU here + {server / n * 1000:.3f} ms "
          f"in PostgreSQL per entry, {wall / n * 1000:.2f} ms wall (load {load}–{load_after})")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
