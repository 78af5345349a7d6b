"""A/B of the detail read, in process: N ``GET /api/v1/survivors/{id}`` through the whole
stack on one persistent connection, with the code of the tree given (run it alternately
with two checkouts on the same bench database):

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/ns_bench_10000 NORTHSTAR_VAR_DIR=var/bench \\
      .venv/bin/python bench/ab_detail.py /work/main 300
    ... .venv/bin/python bench/ab_detail.py /work/wt/scale13 300

Prints wall and CPU time per read.
"""

from __future__ import annotations

import os
import sys
import time


def main(tree: str, n: int) -> None:
    sys.path.insert(0, tree)
    os.chdir(tree)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.scale_settings")
    os.environ.setdefault("DB_CONN_MAX_AGE", "60")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client

    from northstar.core.tokens import issue_token
    from northstar.survivors.models import Survivor

    user = get_user_model().objects.get(username="caseworker.th")
    _, raw = issue_token(user, name="ab", days=1)
    ids = list(Survivor.objects.filter(organisation=user.membership.organisation)
               .order_by("-created_at", "-id").values_list("pk", flat=True)[:25])
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_HOST="127.0.0.1")
    for pk in ids[:3]:
        client.get(f"/api/v1/survivors/{pk}")  # warm: imports, connection
    wall, cpu = time.perf_counter(), time.process_time()
    for k in range(n):
        assert client.get(f"/api/v1/survivors/{ids[k % len(ids)]}").status_code == 200
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(f"{tree}: {wall / n * 1000:.1f} ms wall, {cpu / n * 1000:.1f} ms CPU per detail "
          f"read (n={n})")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
