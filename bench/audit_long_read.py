"""What auditing one long read costs: ``audit.record_read`` of N ids (the supervisor's fund
waiting list at 100k is 10,002), outside any transaction as an API read writes it, timed by
this process's CPU and the PostgreSQL backend's own CPU clock (``/proc/<pid>/schedstat``,
same machine). Run on a COPY of a bench database (it writes entries), with the tree to
measure in ``NORTHSTAR_ROOT`` (default: this tree):

    createdb -h 127.0.0.1 -U postgres -T ns_bench_1000 ns_mine_1000
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/ns_mine_1000 \\
      NORTHSTAR_VAR_DIR=/work/main/var/bench NORTHSTAR_ROOT=. \\
      .venv/bin/python bench/audit_long_read.py 10002 30

A third argument names the record type (default ``victim_fund_disbursement``); ``survivor``
writes a list of survivors, which the GIN index ``audit_survivor_lists`` indexes (h-auditview).

Prints the median ms per read (app CPU, backend CPU), the entries one read writes, and the
load average.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.scale_settings")
sys.path.insert(0, os.environ.get("NORTHSTAR_ROOT") or str(Path(__file__).resolve().parent.parent))

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402

from northstar.core import audit  # noqa: E402
from northstar.core.actor import Actor  # noqa: E402
from northstar.core.models import AuditEntry  # noqa: E402


def backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def main() -> None:
    n, rounds = int(sys.argv[1]), int(sys.argv[2])
    record_type = sys.argv[3] if len(sys.argv) > 3 else "victim_fund_disbursement"
    actor = Actor.for_user(get_user_model().objects.get(username="supervisor.th"), "api")
    ids = list(range(1, n + 1))
    clock = Path(f"/proc/{backend_pid()}/schedstat")
    app, server = [], []
    for _ in range(3):  # warm: prepared statements, imports
        audit.record_read(actor, ids, record_type=record_type, note="bench")
    before = AuditEntry.objects.count()
    for _ in range(rounds):
        b0, c0 = int(clock.read_text().split()[0]), time.process_time()
        audit.record_read(actor, ids, record_type=record_type, note="bench")
        c1, b1 = time.process_time(), int(clock.read_text().split()[0])
        app.append((c1 - c0) * 1000)
        server.append((b1 - b0) / 1e6)
    written = (AuditEntry.objects.count() - before) / rounds
    load = os.getloadavg()[0]
    print(f"{n} ids: app CPU {statistics.median(app):.2f} ms, backend CPU "
          f"{statistics.median(server):.2f} ms (mean {statistics.mean(server):.3f}, max "
          f"{max(server):.1f}), {written:g} entries per read, load {load:.1f}")


if __name__ == "__main__":
    main()
