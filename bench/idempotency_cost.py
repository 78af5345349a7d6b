"""What an ``Idempotency-Key`` costs a create: POST /api/v1/survivors with and without
the header, alternated, in-process (Django test client) on a PostgreSQL database that
``bench/instances.py`` built (it writes survivors there; never point it at a shared
bench population).

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench_instances \\
    NORTHSTAR_VAR_DIR=/tmp/bench-instances-… .venv/bin/python bench/idempotency_cost.py [--rounds 40]

Prints the median and p90 milliseconds of each, and the queries each sends.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "northstar.settings")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=40)
    args = parser.parse_args()
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from northstar.core.tokens import issue_token

    user = get_user_model().objects.get(username="caseworker.th")
    _token, raw = issue_token(user, name="idempotency-cost")
    client = Client()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    times: dict[str, list[float]] = {"without key": [], "with key": [], "replay": []}
    queries: dict[str, int] = {}
    for _round in range(args.rounds):
        for label in ("without key", "with key"):
            body = json.dumps({"given_name": f"Cost {uuid.uuid4().hex[:8]}", "sex": "unknown"})
            extra = dict(headers)
            key = str(uuid.uuid4())
            if label == "with key":
                extra["HTTP_IDEMPOTENCY_KEY"] = key
            with CaptureQueriesContext(connection) as captured:
                start = time.perf_counter()
                r = client.post("/api/v1/survivors", body, content_type="application/json",
                                **extra)
                times[label].append((time.perf_counter() - start) * 1000)
            assert r.status_code == 201, r.content
            queries[label] = len(captured.captured_queries)
            if label == "with key":
                with CaptureQueriesContext(connection) as captured:
                    start = time.perf_counter()
                    again = client.post("/api/v1/survivors", body,
                                        content_type="application/json", **extra)
                    times["replay"].append((time.perf_counter() - start) * 1000)
                assert again.json()["id"] == r.json()["id"]
                queries["replay"] = len(captured.captured_queries)
    load = os.getloadavg()[0]
    for label, values in times.items():
        values.sort()
        print(f"{label:12} median {statistics.median(values):6.1f} ms, p90 "
              f"{values[int(len(values) * 0.9) - 1]:6.1f} ms, {queries[label]} queries "
              f"({len(values)} requests, load average {load:.1f})")


if __name__ == "__main__":
    main()
