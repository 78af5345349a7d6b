"""Where a detail read's time goes, part by part, in process (issue 13, h-detail).

    BENCH_DB=ns_detail_100000 NORTHSTAR_VAR_DIR=/work/main/var/bench \\
      .venv/bin/python bench/detail_parts.py TREE [N]

With the code of ``TREE`` on a *copy* of a bench database (reads write audit entries):
each part of ``GET /api/v1/survivors/{id}`` called alone ``N`` times (default 2,000) after
200 warming calls, app CPU (``process_time``) and the PostgreSQL backend's CPU per call, ms:
the whole request through the WSGI application; ``GET /api/v1/me`` (middleware, Ninja, the
token); the token lookup (``user_for_token``); the record's read (``policy.survivor_for``);
the audit entry (``audit.record_read`` as the detail writes it); opening the sealed fields;
``survivor_out`` (policy fields + audit + opening). What is left of the whole request after
the parts is middleware, Ninja and serialisation. One JSON line per part.
"""

from __future__ import annotations

import json
import os
import sys
import time


def main(tree: str, n: int) -> None:
    sys.path.insert(0, tree)
    os.chdir(tree)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.scale_settings")
    os.environ["DB_CONN_MAX_AGE"] = "3600"
    db = os.environ.get("BENCH_DB", "ns_detail_100000")
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{db}"
    import django

    django.setup()
    sys.path.append(os.path.dirname(os.path.abspath(__file__)))
    from django.contrib.auth import get_user_model
    from django.db import connection
    from spend import backend_clock, backend_pid, wsgi_call

    from northstar import policy
    from northstar.core import audit
    from northstar.core.actor import Actor
    from northstar.core.fields import reveal
    from northstar.core.tokens import issue_token, user_for_token
    from northstar.survivors import api as survivors_api
    from northstar.survivors.models import Survivor
    from northstar.wsgi import application as app

    user = get_user_model().objects.get(username="caseworker.th")
    org = user.membership.organisation
    _, raw = issue_token(user, name="detail-parts", days=1)
    token = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    survivor = (Survivor.objects.filter(organisation=org, archived_at__isnull=True)
                .order_by("-created_at", "-id")[10])
    url = f"/api/v1/survivors/{survivor.pk}"
    actor = Actor.for_user(user_for_token(raw, "GET", url), "api")
    found = policy.survivor_for(actor, survivor.pk)
    names = list(Survivor.PERSONAL_FIELDS)

    parts = {
        "request": lambda: wsgi_call(app, "GET", url, token),
        "me": lambda: wsgi_call(app, "GET", "/api/v1/me", token),
        "token": lambda: Actor.for_user(user_for_token(raw, "GET", url), "api"),
        "record": lambda: policy.survivor_for(actor, survivor.pk),
        "audit": lambda: audit.record_read(actor, found, survivor_ref=found.reference,
                                           fields=names),
        "open": lambda: {name: reveal(getattr(found, name)) for name in names},
        "survivor_out": lambda: survivors_api.survivor_out(actor, found, personal=True),
    }
    only = os.environ.get("PARTS")
    for name, call in parts.items():
        if only and name not in only.split(","):
            continue
        for _ in range(200):
            call()
        read = backend_clock(backend_pid(connection))
        server, cpu = read(), time.process_time()
        for _ in range(n):
            call()
        server, cpu = read() - server, time.process_time() - cpu
        print(json.dumps({"tree": tree, "part": name, "n": n,
                          "app_cpu_ms": round(cpu / n * 1000, 3),
                          "pg_cpu_ms": round(server / n / 1e6, 3),
                          "load": open("/proc/loadavg").read().split()[0]}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 2000)
