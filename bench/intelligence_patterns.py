"""The shared-patterns page with REPORTS reviewed reports (issue 13): the page as it was
(every view counts every reviewed mention: the snapshot made stale before each view, so
each view runs the whole count, which is what the page did before the snapshot) against
the page now (the stored snapshot read back), alternated in one run, in process through the
whole stack on one persistent connection.

Needs a database of its own (it writes reports), made and dropped by the caller:

    createdb -h 127.0.0.1 -U postgres ns_qcounts_patterns
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/ns_qcounts_patterns \\
      NORTHSTAR_VAR_DIR=var/bench-patterns .venv/bin/python manage.py migrate --noinput
    DATABASE_URL=... NORTHSTAR_VAR_DIR=var/bench-patterns \\
      .venv/bin/python bench/intelligence_patterns.py 1000 15
    dropdb -h 127.0.0.1 -U postgres ns_qcounts_patterns

Prints, for each way, the median and the worst wall time per view and its queries.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.scale_settings")
os.environ.setdefault("DB_CONN_MAX_AGE", "60")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from northstar.core.actor import Actor  # noqa: E402
from northstar.core.models import Membership, Organisation  # noqa: E402
from northstar.core.roles import Role  # noqa: E402
from northstar.intelligence import actions, selectors  # noqa: E402
from northstar.intelligence.models import (  # noqa: E402
    Channel,
    Mention,
    Report,
    ReviewStatus,
    SharingSetting,
)

AGENCIES = ["Golden Star Recruitment", "Goldenstar Co., Ltd", "Silver Moon Manpower",
            "Blue River Agency", "Mekong Labour Supply", "Sunrise Placement"]
RECRUITERS = ["Mr Somchai Broker", "Ko Aung", "Mrs Dara", "Mr Vannak", "Ma Thida"]


def population(reports: int):
    """Three sharing organisations and ``reports`` reviewed reports among them, each naming
    two agencies, a recruiter and an employer of its own (about 4 mentions a report)."""
    from django.contrib.auth import get_user_model

    orgs, bosses = [], []
    for n in range(3):
        org, _ = Organisation.objects.get_or_create(
            code=f"PAT{n}", defaults={"name": f"Patterns org {n}", "kind": "ngo",
                                      "jurisdiction": "TH"})
        SharingSetting.objects.update_or_create(organisation=org, defaults={
            "with_organisations": True, "with_law_enforcement": True,
            "receives_anonymous": True})
        user, made = get_user_model().objects.get_or_create(username=f"patterns.boss{n}")
        if made:
            Membership.objects.create(user=user, organisation=org, role=Role.SUPERVISOR)
        orgs.append(org)
        bosses.append(user)
    have = Report.objects.filter(organisation__in=orgs, status=ReviewStatus.ACCEPTED).count()
    for k in range(have, reports):
        org = orgs[k % 3]
        actions.receive_report(organisation=org, channel=Channel.ANONYMOUS, source=f"bench:{k}",
                               address=f"10.{k // 60000}.{k // 250 % 240}.{k % 250}", data={
            "agencies": f"{AGENCIES[k % 6]}\n{AGENCIES[(k * 7 + 1) % 6]}",
            "recruiters": RECRUITERS[k % 5], "employers": f"Factory number {k}",
            "from_country": "MM" if k % 2 else "KH", "to_country": "TH"})
    for org, boss in zip(orgs, bosses, strict=True):
        actor = Actor.for_user(boss, "web")
        for report in Report.objects.filter(organisation=org, status=ReviewStatus.PENDING):
            actions.review_report(actor, report, decision="accept")
    return bosses[0]


def view(client) -> tuple[float, int]:
    with CaptureQueriesContext(connection) as q:
        start = time.perf_counter()
        response = client.get("/intelligence/patterns/")
        wall = time.perf_counter() - start
    assert response.status_code == 200, response.status_code
    return wall * 1000, len(q)


def main(reports: int, rounds: int) -> None:
    boss = population(reports)
    accepted = Report.objects.filter(status=ReviewStatus.ACCEPTED).count()
    mentions = Mention.objects.filter(report__status=ReviewStatus.ACCEPTED).count()
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(boss)
    print(f"population ready: {accepted} reviewed reports", flush=True)
    view(client)
    counted, stored = [], []
    for _ in range(rounds):  # alternated: a view that counts, then a view of the snapshot
        selectors.invalidate_patterns()
        counted.append(view(client))
        stored.append(view(client))
        print(f"  round: counted {counted[-1][0]:.1f} ms, snapshot {stored[-1][0]:.1f} ms",
              flush=True)
    load = os.getloadavg()[0]
    print(f"shared patterns page, {accepted} reviewed reports, {mentions} mentions, "
          f"{rounds} rounds alternated, load average {load:.2f}")
    for label, runs in (("counted on every view (before)", counted),
                        ("snapshot read (after)", stored)):
        times = [t for t, _ in runs]
        print(f"  {label}: median {statistics.median(times):.1f} ms, worst "
              f"{max(times):.1f} ms, {runs[0][1]} queries")


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 15)
