"""The shared-patterns page with REPORTS reviewed reports (issue 13), alternated in one run,
in process through the whole stack on one persistent connection. Each round: a review's
invalidation (the generation raised, the recount job queued and left waiting, as on a
Celery worker that has not reached it), then

- the page while the recount waits (it reads the stale snapshot and the waiting job: what
  every viewer pays now, the first after a review included);
- the recount job run (``jobs.run``: the worker's cost; before branch h-left the first
  viewer after a review paid this inside the page);
- the page on the fresh snapshot.

Wall time, CPU time of this process (PostgreSQL's is apart) and queries of each.

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

from django.db import connection, transaction  # noqa: E402
from django.db.models import F  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from northstar.core import jobs  # noqa: E402
from northstar.core.actor import Actor  # noqa: E402
from northstar.core.models import Job, Membership, Organisation  # noqa: E402
from northstar.core.roles import Role  # noqa: E402
from northstar.intelligence import actions, selectors  # noqa: E402
from northstar.intelligence.models import (  # noqa: E402
    Channel,
    Mention,
    PatternSnapshot,
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
    with transaction.atomic():  # every review submits the same job: one recount at the end
        for org, boss in zip(orgs, bosses, strict=True):
            actor = Actor.for_user(boss, "web")
            for report in Report.objects.filter(organisation=org, status=ReviewStatus.PENDING):
                actions.review_report(actor, report, decision="accept")
    return bosses[0]


def timed(work) -> tuple[float, float, int, object]:
    with CaptureQueriesContext(connection) as q:
        start, cpu = time.perf_counter(), time.process_time()
        out = work()
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    return wall * 1000, cpu * 1000, len(q), out


def view(client, *, says_recount: bool):
    def get():
        response = client.get("/intelligence/patterns/")
        assert response.status_code == 200, response.status_code
        assert (b'id="patterns-recount"' in response.content) == says_recount
        return response
    return timed(get)[:3]


def invalidated_with_a_waiting_job() -> Job:
    """What a review does, with the job left queued (the runner here is inline: dispatching
    would run it at once)."""
    PatternSnapshot.objects.update(generation=F("generation") + 1)
    snapshots = selectors._snapshots()
    version = str(selectors.engine.rules().version)
    counted = min(s.counted_generation for s in snapshots)
    key = f"{selectors.RECOUNT_JOB}:{counted}:{version}"
    if Job.objects.filter(key=key).exists():
        key += f":{max(s.generation for s in snapshots)}"
    return Job.objects.create(kind=selectors.RECOUNT_JOB, key=key)


def main(reports: int, rounds: int) -> None:
    boss = population(reports)
    accepted = Report.objects.filter(status=ReviewStatus.ACCEPTED).count()
    mentions = Mention.objects.filter(report__status=ReviewStatus.ACCEPTED).count()
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(boss)
    print(f"population ready: {accepted} reviewed reports", flush=True)
    selectors.recount()
    view(client, says_recount=False)
    waiting, counting, fresh = [], [], []
    for _ in range(rounds):
        job = invalidated_with_a_waiting_job()
        waiting.append(view(client, says_recount=True))
        counting.append(timed(lambda job=job: jobs.run(job.pk))[:3])
        assert Job.objects.get(pk=job.pk).status == Job.Status.DONE
        fresh.append(view(client, says_recount=False))
        print(f"  round: page while the recount waits {waiting[-1][0]:.1f} ms, recount job "
              f"{counting[-1][0]:.1f} ms, page on the fresh snapshot {fresh[-1][0]:.1f} ms",
              flush=True)
    load = os.getloadavg()
    print(f"shared patterns, {accepted} reviewed reports, {mentions} mentions, {rounds} rounds "
          f"alternated, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    for label, runs in (("page while the recount job waits (every view now)", waiting),
                        ("the recount job (the first view paid this before)", counting),
                        ("page on the fresh snapshot", fresh)):
        walls, cpus = [w for w, _, _ in runs], [c for _, c, _ in runs]
        print(f"  {label}: wall median {statistics.median(walls):.1f} ms (worst "
              f"{max(walls):.1f}), CPU median {statistics.median(cpus):.1f} ms, "
              f"{runs[0][2]} queries")


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 15)
