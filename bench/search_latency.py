"""Name search latency at 100,000 survivors, as a ratio to an indexed lookup of a reference code.

    .venv/bin/python bench/search_latency.py [N]      # default N = 100000

Uses the throw-away database of ``bench/import_rate.py`` (``ns_bench_search``), filled
with N generated survivors by the bulk importer the first time (reused afterwards when it
already holds N). Then, in one run, for the same signed-in caseworker and the same
queries (misspelt names, other scripts, phone numbers), it times:

- ``GET /api/v1/survivors/search?q=…`` (token auth, policy, SQL ranking, opening the names
  of up to 30 candidates, the audit entry), against
- ``GET /api/v1/survivors?reference=…`` (the same stack; one indexed lookup);

and, one level down, ``search.candidates`` (the SQL ranking alone) against
``Survivor.objects.filter(reference=…)``. It prints medians and p95 and the ratios.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import import_rate  # noqa: E402

QUERIES = ["Sokhar Chan", "Srei Pal", "nguyen lan", "Somchay", "Vanida Boonmee", "Thida Htun",
           "សុខា", "Phonsavan", "Bopa Kim", "Chenda Ros", "012 345 678", "+855 23 456 001"]
ROUNDS = 5


def timed(fn, rounds: int = ROUNDS) -> list[float]:
    out = []
    for _ in range(rounds):
        started = time.perf_counter()
        fn()
        out.append((time.perf_counter() - started) * 1000)
    return out


def summary(ms: list[float]) -> str:
    ms = sorted(ms)
    return f"p50 {statistics.median(ms):7.2f} ms  p95 {ms[int(len(ms) * 0.95) - 1]:7.2f} ms"


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    import_rate.setup_database(fresh=False)
    from django.db import connection

    from northstar.core.actor import Actor
    from northstar.core.roles import Role
    from northstar.core.tokens import issue_token
    from northstar.survivors import importer, search
    from northstar.survivors.models import Survivor
    from tests.conftest import make_user

    org = import_rate.organisation()
    have = Survivor.objects.filter(organisation=org).count()
    if have != n:
        print(f"generating {n:,} survivors (had {have:,}) ...", flush=True)
        Survivor.objects.filter(organisation=org).delete() if have else None
        started = time.perf_counter()
        rows = importer.read_rows(importer.rows_to_csv(import_rate.generate_rows(n)))
        importer.import_rows(Actor.system("cli", organisation=org), org, rows)
        print(f"  imported in {time.perf_counter() - started:.1f} s", flush=True)
        with connection.cursor() as cursor:  # as autovacuum would: statistics, visibility map
            cursor.execute("VACUUM ANALYZE survivors_nametoken")
            cursor.execute("VACUUM ANALYZE survivors_survivor")
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(username="bench.caseworker").first() or make_user(
        "bench.caseworker", org, Role.CASEWORKER)
    _, token = issue_token(user, name=f"bench {time.time()}")
    from django.test import Client

    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    refs = list(Survivor.objects.filter(organisation=org).order_by("?")
                .values_list("reference", flat=True)[:len(QUERIES)])
    rnd = random.Random(1)

    def api_search(q=None):
        r = client.get("/api/v1/survivors/search", {"q": q or rnd.choice(QUERIES)})
        assert r.status_code == 200, r.content

    def api_reference():
        r = client.get("/api/v1/survivors", {"reference": rnd.choice(refs)})
        assert r.status_code == 200, r.content

    def sql_search():
        search.candidates(org.pk, rnd.choice(QUERIES), within=Survivor.objects.filter(
            organisation=org, archived_at__isnull=True))

    def sql_reference():
        Survivor.objects.filter(reference=rnd.choice(refs)).first()

    for fn in (api_search, api_reference, sql_search, sql_reference):  # warm up
        timed(fn, 3)
    # Interleaved, so both sides see the same load on a shared machine.
    results = {"api_search": [], "api_reference": [], "sql_search": [], "sql_reference": []}
    for _ in range(len(QUERIES) * 2):
        for name, fn in (("api_search", api_search), ("api_reference", api_reference),
                         ("sql_search", sql_search), ("sql_reference", sql_reference)):
            results[name] += timed(fn, 1)
    hits = client.get("/api/v1/survivors/search", {"q": "Sokhar Chan"}).json()
    print(f"{connection.vendor}, {Survivor.objects.filter(organisation=org).count():,} survivors "
          f"in the organisation; 'Sokhar Chan' → {len(hits)} candidates, best: "
          f"{hits[0]['reasons'] if hits else '-'}")
    for name, ms in results.items():
        print(f"{name:14s} {summary(ms)}")
    med = {k: statistics.median(v) for k, v in results.items()}
    print(f"ratio API search / API reference lookup: {med['api_search'] / med['api_reference']:.1f}")
    print(f"ratio SQL ranking / SQL reference lookup: {med['sql_search'] / med['sql_reference']:.1f}")


if __name__ == "__main__":
    main()
