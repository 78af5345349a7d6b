"""A/B of the figures, in process: each figure requested N times through the whole stack
(middleware, auth, audit) with the code of the tree given, on one persistent connection.
Run it alternately with two checkouts on the same database (the old code ignores columns
the new one added, so both can read one migrated copy):

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/ns_figures_100000 \\
    NORTHSTAR_VAR_DIR=/work/main/var/bench .venv/bin/python bench/ab_figures.py /work/main 5

A third argument keeps only the figures whose label contains it. Prints the median and the best wall time of each figure, in milliseconds, with its query
count, and a fingerprint of each API answer (equal figures give equal prints). Nothing
is asserted.
"""

from __future__ import annotations

import hashlib
import os
import statistics
import sys
import time

FIGURES = [
    ("GET /api/v1/compensation/figures (supervisor)", "supervisor.th", "api",
     "/api/v1/compensation/figures"),
    ("GET /api/v1/compensation/figures (researcher)", "researcher.th", "api",
     "/api/v1/compensation/figures"),
    ("compensation figures page (researcher)", "researcher.th", "page", "/compensation/figures/"),
    ("GET /api/v1/pathways/delivery (researcher)", "researcher.th", "api",
     "/api/v1/pathways/delivery"),
    ("GET /api/v1/pathways/delivery (supervisor)", "supervisor.th", "api",
     "/api/v1/pathways/delivery"),
]


def main(tree: str, n: int, only: str = "") -> None:
    sys.path.insert(0, tree)
    os.chdir(tree)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.scale_settings")
    os.environ.setdefault("DB_CONN_MAX_AGE", "60")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from northstar.core.tokens import issue_token

    users = get_user_model().objects
    clients = {}
    for _label, username, kind, _url in FIGURES:
        if (username, kind) in clients:
            continue
        if kind == "api":
            _, raw = issue_token(users.get(username=username), name="ab-figures", days=1)
            clients[(username, kind)] = Client(HTTP_AUTHORIZATION=f"Bearer {raw}",
                                               HTTP_HOST="127.0.0.1")
        else:
            client = Client(HTTP_HOST="127.0.0.1")
            client.force_login(users.get(username=username))
            clients[(username, kind)] = client
    for label, username, kind, url in FIGURES:
        if only not in label:
            continue
        client = clients[(username, kind)]
        warm = client.get(url)
        assert warm.status_code == 200, url
        # The API's answer, fingerprinted: the same figures before and after a change.
        answer = (hashlib.sha256(warm.content).hexdigest()[:12] if kind == "api" else "-")
        times = []
        for _ in range(n):
            with CaptureQueriesContext(connection) as captured:
                began = time.perf_counter()
                assert client.get(url).status_code == 200, url
                times.append((time.perf_counter() - began) * 1000)
        print(f"{os.path.basename(tree.rstrip('/'))}\t{label}\tmedian {statistics.median(times):.0f} ms"
              f"\tbest {min(times):.0f} ms\t{len(captured.captured_queries)} queries"
              f"\tanswer {answer}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), *sys.argv[3:4])
