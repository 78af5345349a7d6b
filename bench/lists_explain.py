"""EXPLAIN ANALYZE of the list queries at N survivors on PostgreSQL (issue 13).

Run from a checkout against a throw-away database (created, migrated, filled once):

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/ns_lists_10k \\
        .venv/bin/python bench/lists_explain.py 10000

Prints the execution time PostgreSQL reports for each query a list request runs (the
page, the count, a deep page) and the top plan node. Not a test: timings vary by machine;
the plans (index range vs sequential scan + sort) are what ``tests/survivors/
test_list_plans.py`` asserts.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sys

sys.path.insert(0, os.getcwd())
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "northstar.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from northstar import policy  # noqa: E402
from northstar.core.actor import Actor  # noqa: E402
from northstar.core.models import Membership, Organisation  # noqa: E402
from northstar.survivors.models import Case, Survivor  # noqa: E402

try:  # the keyset paging of issue 13; absent on the code before it
    from northstar.core import keyset
except ImportError:  # pragma: no cover
    keyset = None


def fill(n: int) -> None:
    if Survivor.objects.exists():
        return
    start = timezone.now() - dt.timedelta(days=800)
    orgs = [Organisation.objects.create(name=f"Bench org {i}", kind="ngo", jurisdiction="TH",
                                        code=f"BEN{i}") for i in range(4)]
    has_org = any(f.name == "organisation" for f in Case._meta.fields)
    for i, org in enumerate(orgs):
        size = n if i == 0 else n // 10
        for chunk in range(0, size, 5000):
            survivors = Survivor.objects.bulk_create(
                Survivor(organisation=org, reference=f"B{i}-{k}", nationality="KH",
                         created_at=start + dt.timedelta(minutes=k))
                for k in range(chunk, min(size, chunk + 5000)))
            Case.objects.bulk_create(
                Case(survivor=s, reference=f"{s.reference}-C1", jurisdiction="TH",
                     forms_of_exploitation=["labour"], created_at=s.created_at,
                     **({"organisation": org} if has_org else {}))
                for s in survivors)
    from django.contrib.auth import get_user_model
    user = get_user_model().objects.create_user(username="bench.caseworker", password="x")
    Membership.objects.create(user=user, organisation=orgs[0], role="caseworker")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


RUNS = 5  # the best of five: the machine is shared


def timed(label: str, queryset) -> None:
    ms = 1e9
    for _ in range(RUNS):
        plan = queryset.explain(analyze=True)
        ms = min(ms, float(re.search(r"Execution Time: ([\d.]+) ms", plan).group(1)))
    top = plan.splitlines()[0].split("  (")[0].strip()
    scans = sorted(set(re.findall(r"((?:Seq|Index Only|Index|Bitmap Heap) Scan(?: using \w+)?"
                                  r" on \w+)", plan)))
    print(f"{label:42s} {ms:9.2f} ms   {top}; {'; '.join(scans)}")


def timed_count(label: str, queryset) -> None:
    """``SELECT COUNT(*)`` over the queryset, as Django's ``count()`` of it runs."""
    sql, params = queryset.query.sql_with_params()
    ms = 1e9
    for _ in range(RUNS):
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE) SELECT COUNT(*) FROM ({sql}) counted", params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        ms = min(ms, float(re.search(r"Execution Time: ([\d.]+) ms", plan).group(1)))
    scans = sorted(set(re.findall(r"((?:Seq|Index Only|Index|Bitmap Heap) Scan(?: using \w+)?"
                                  r" on \w+)", plan)))
    print(f"{label:42s} {ms:9.2f} ms   {'; '.join(scans)}")


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    call_command("migrate", verbosity=0)
    fill(n)
    from django.contrib.auth import get_user_model
    actor = Actor.for_user(get_user_model().objects.get(username="bench.caseworker"), "api")
    survivors = policy.visible_survivors(actor)
    cases = policy.visible_cases(actor).select_related("survivor", "caseworker")
    print(f"{Survivor.objects.count():,} survivors, {Case.objects.count():,} cases; "
          f"the caseworker's organisation has {n:,}")
    deep = (n // 25 - 1) * 25
    for name, qs in (("survivors", survivors), ("cases", cases)):
        timed(f"{name}: page 1 (25 rows)", qs[:26] if keyset else qs[:25])
        timed(f"{name}: page {deep // 25 + 1} by OFFSET", qs[deep: deep + 25])
        if keyset:
            last = list(qs[deep - 1: deep])[0]
            cursor = keyset.cursor_after(qs, last, keyset.ordering(qs))
            timed(f"{name}: same page by cursor", keyset.after(qs, cursor)[:26])
            timed_count(f"{name}: capped count",
                        qs.order_by().values("pk")[: keyset.count_cap() + 1])
            timed_count(f"{name}: exact count (?exact_count=true)", qs.order_by().values("pk"))
        else:
            timed_count(f"{name}: count", qs.order_by() if qs.query.distinct
                        else qs.order_by().values("pk"))


if __name__ == "__main__":
    main()
