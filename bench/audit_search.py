"""The audit log's search by survivor reference at scale ("who read this survivor?"), with
the tree to measure in ``NORTHSTAR_ROOT`` (default: this tree). Run on a COPY of a bench
database: ``populate`` writes entries.

    createdb -h 127.0.0.1 -U postgres -T ns_bench_100000 ns_mine_100000
    export DATABASE_URL=postgresql://postgres@127.0.0.1:5432/ns_mine_100000 \\
      NORTHSTAR_VAR_DIR=/work/main/var/bench
    .venv/bin/python bench/audit_search.py populate 2100000   # once: synthetic history
    NORTHSTAR_ROOT=/path/to/tree .venv/bin/python bench/audit_search.py page 20
    .venv/bin/python bench/audit_search.py explain

``populate N``: N entries of the first organisation over the six months before today (the
monthly partitions created first), in id order of time: 40 % single survivor reads and
20 % single case reads (each with the survivor's reference), 25 % survivor list reads of 50
ids with no reference (a page of the caseload, newest first: page 1 half the time, page 2
a quarter, …, as people mostly read the first page) and 15 % case list reads of 50 ids.
The hashes are made up (``verify_audit`` fails on the copy; the chain is not what this
measures): the search and its index are.

``page R``: the supervisor's ``/audit/`` (the whole log) and ``/audit/?survivor_ref=…`` through the tree's own view (Django's
test client, one process), for a survivor on the caseload's first page (in half the list
reads: the worst case), one on page 40, and one never listed; R rounds each, median wall
and CPU ms, statements, and the entries the first page shows. ``explain``: the page's
statements under ``EXPLAIN (ANALYZE, BUFFERS)`` for the same three survivors.
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

POPULATE = """
INSERT INTO core_auditentry (at, actor_id, actor_label, organisation_id, owner_organisation_id,
                             action, channel, record_type, record_id, record_ids, survivor_ref,
                             fields, note, prev_hash, entry_hash)
SELECT g.at, %(actor)s, %(label)s, %(org)s, %(org)s, 'read', 'web',
       CASE WHEN g.r < 0.40 OR (g.r >= 0.60 AND g.r < 0.85) THEN 'survivor' ELSE 'case' END,
       CASE WHEN g.r < 0.60 THEN g.sid::text ELSE '' END,
       CASE WHEN g.r < 0.60 THEN jsonb_build_array(g.sid::text)
            ELSE (SELECT jsonb_agg((%(top)s - g.page * 50 - k)::text)
                    FROM generate_series(0, 49) k) END,
       CASE WHEN g.r < 0.60 THEN s.reference ELSE '' END,
       CASE WHEN g.r < 0.40 THEN '["given_name"]'::jsonb ELSE '[]'::jsonb END,
       CASE WHEN g.r < 0.60 THEN '' ELSE 'listed 50' END,
       md5(g.i::text) || md5('p' || g.i), md5(g.i::text || 'e') || md5('q' || g.i)
  FROM (SELECT i, %(start)s::timestamptz + (i::float / %(n)s) * %(span)s * interval '1 second' AS at,
               random() AS r, 1 + floor(random() * %(top)s)::int AS sid,
               least(1999, floor(-ln(1 - random()) / ln(2)))::int AS page
          FROM generate_series(1, %(n)s) i) g
  LEFT JOIN survivors_survivor s ON s.id = g.sid
 ORDER BY g.i
"""


def populate(n: int) -> None:
    import datetime as dt

    from django.contrib.auth import get_user_model
    from django.db import connection

    from northstar.core import auditparts

    user = get_user_model().objects.get(username="caseworker.th")
    org = user.membership.organisation
    from northstar.survivors.models import Survivor

    top = Survivor.objects.filter(organisation=org).order_by("-id").values_list(
        "id", flat=True).first()
    now = dt.datetime.now(dt.UTC)
    start = now - dt.timedelta(days=182)
    with connection.cursor() as cursor:
        auditparts.ensure_partitions(cursor, start=start.date(), months_ahead=0,
                                     today=now.date())
        began = time.perf_counter()
        cursor.execute("SELECT setseed(0.1307)")
        cursor.execute(POPULATE, {"actor": user.pk, "label": user.username, "org": org.pk,
                                  "top": top, "start": start, "n": n,
                                  "span": (now - start).total_seconds() - 60})
        print(f"inserted {n:,} entries in {time.perf_counter() - began:.1f} s")
        cursor.execute("ANALYZE core_auditentry")


def _targets():
    from django.contrib.auth import get_user_model

    from northstar.survivors.models import Case, Survivor

    user = get_user_model().objects.get(username="supervisor.th")
    org = user.membership.organisation
    newest = Survivor.objects.filter(organisation=org).order_by("-id")
    # The synthetic case lists name ids counted down from the newest survivor's id (h-auditjobs):
    # the survivor whose case has the id of list page 1's fourth is in half the case lists.
    case = Case.objects.filter(pk=newest[3].pk).select_related("survivor").first()
    found = {"page 1": newest[3].reference, "page 40": newest[40 * 50 + 3].reference,
             "never listed": newest[99_000].reference}
    if case is not None:
        found["case on page 1"] = case.survivor.reference
    return user, found


def page(rounds: int) -> None:
    import re

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    user, targets = _targets()
    client = Client()
    client.force_login(user)
    asked = {label: {"survivor_ref": ref} for label, ref in targets.items()}
    newest_case = _newest_case(user)
    if len(sys.argv) > 3 and sys.argv[3] == "records":  # this tree only: search by record
        asked = {"case (record)": {"record_type": "case", "record_id": str(newest_case)},
                 "case never listed (record)": {"record_type": "case", "record_id": "1"}}
    for label, ref in {"whole log": {}, **asked}.items():
        walls, cpus, statements, shown = [], [], 0, 0
        for _ in range(rounds):
            with CaptureQueriesContext(connection) as queries:
                w, c = time.perf_counter(), time.process_time()
                response = client.get("/audit/", ref, HTTP_HOST="localhost")
                walls.append((time.perf_counter() - w) * 1000)
                cpus.append((time.process_time() - c) * 1000)
            assert response.status_code == 200, response.status_code
            statements = len(queries)
            html = response.content.decode()
            shown = len(re.findall(r"<tr><td>", html))
        print(f"{label:13} {ref}: wall {statistics.median(walls):8.1f} ms  cpu "
              f"{statistics.median(cpus):6.1f} ms  statements {statements}  rows {shown}  "
              f"(load {os.getloadavg()[0]:.1f})")


def _newest_case(user) -> int:
    from northstar.survivors.models import Case, Survivor

    top = Survivor.objects.filter(organisation=user.membership.organisation).order_by(
        "-id").values_list("id", flat=True).first()
    return Case.objects.filter(pk=top - 3).values_list("pk", flat=True).first() or top - 3


def explain() -> None:
    from django.db import connection

    from northstar import policy
    from northstar.core.actor import Actor
    from northstar.core.audit import entries_for_organisation

    user, targets = _targets()
    actor = Actor.for_user(user, "web")
    for label, ref in targets.items():
        try:  # this tree: the log in two parts, each through its own index
            from northstar.core.audit import log_parts, naming_survivor

            if hasattr(policy, "audit_search"):  # h-auditjobs: every record type's lists
                named = policy.audit_search(actor, survivor_ref=ref)
            else:
                named = naming_survivor(ref, policy.audit_survivor_id(actor, ref))
            parts = list(log_parts(actor.organisation, named))
        except ImportError:  # the tree before: one OR, the reference alone
            parts = [entries_for_organisation(actor.organisation).filter(survivor_ref=ref)]
        for n, entries in enumerate(parts, 1):
            for what, qs in (("page", entries.order_by("-at", "-id")[:51]),
                             ("capped count", entries.order_by().values("pk")[:1001])):
                sql, params = qs.query.sql_with_params()
                if what == "capped count":
                    sql = f"SELECT count(*) FROM ({sql}) t"
                with connection.cursor() as cursor:
                    cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
                    plan = [r[0] for r in cursor.fetchall()]
                print(f"--- {label} ({ref}) part {n} {what}: {plan[-1]}")
                print("\n".join(line for line in plan if "Index" in line or "Scan" in line
                                or "Sort" in line or "Append" in line)[:1200])


if __name__ == "__main__":
    {"populate": lambda: populate(int(sys.argv[2])), "page": lambda: page(int(sys.argv[2])),
     "explain": explain}[sys.argv[1]]()
