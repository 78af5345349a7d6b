"""Python function calls, model instances built and queries of one request of each page.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/ns_pages_1000 \\
      NORTHSTAR_VAR_DIR=/work/main/var/bench .venv/bin/python bench/pages_calls.py

The CPU time of a page on a machine at load 15–28 moves by ±10 % from run to run; these
three counts do not move with the load (cProfile counts calls, Django's ``post_init``
counts instances), so a before/after of a small change is read here. The demo caseworker
is signed in and the pages are those of ``pages_once.py``; each is warmed twice, then one
request counted. ``NORTHSTAR_ROOT`` runs another checkout's code (the "before"). A page
view writes its audit entries: run it on a copy of a bench database. Asserts nothing.
"""

from __future__ import annotations

import cProfile
import os
import pstats
import sys
from pathlib import Path

sys.path.insert(0, os.environ.get("NORTHSTAR_ROOT") or str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.scale_settings")
os.environ.setdefault("DB_CONN_MAX_AGE", "60")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models.signals import post_init  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from northstar.survivors.models import Case, Survivor  # noqa: E402


def main() -> None:
    user = get_user_model().objects.get(username=os.environ.get("BENCH_USER", "caseworker.th"))
    org = user.membership.organisation
    survivor = Survivor.objects.filter(organisation=org, cases__isnull=False).order_by(
        "-created_at", "-id").first()
    case = Case.objects.filter(survivor=survivor).order_by("pk").first()
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    built = [0]

    def count(sender, **kwargs):
        built[0] += 1

    post_init.connect(count, weak=False)
    print(f"code from {sys.path[0]}; load average {os.getloadavg()[0]:.1f}")
    for name, path in [("caseload", "/"), ("case page", f"/cases/{case.pk}/"),
                       ("survivor page", f"/survivors/{survivor.pk}/")]:
        for _ in range(2):
            client.get(path)
        built[0] = 0
        profile = cProfile.Profile()
        with CaptureQueriesContext(connection) as ctx:
            profile.enable()
            status = client.get(path).status_code
            profile.disable()
        calls = pstats.Stats(profile).total_calls
        print(f"{name}: HTTP {status}, {calls} Python calls, {built[0]} model instances, "
              f"{len(ctx.captured_queries)} queries")


if __name__ == "__main__":
    main()
