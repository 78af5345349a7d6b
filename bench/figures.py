"""Issue 13's pages and figures at N survivors, one request at a time, on PostgreSQL.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/ns_figures \\
        .venv/bin/python bench/figures.py generate --survivors 10000
    DATABASE_URL=... .venv/bin/python bench/figures.py measure

``generate`` migrates, loads the demo, then adds N survivors to the demo NGO with
``bulk_create`` (a throw-away population: one case each, statistics consent for most,
about five timeline events per case, priorities, plan items, and compensation claims with
schedules and payments on a fifth of the cases). ``measure`` times each page or figure in
process (Django's test client, no server: the median of 3 after a warm-up) with its query
count, the ``compensation_alerts`` job, and a floor: a 50-row indexed query turned into
JSON. It prints figures and asserts nothing. It only uses models both the old and the new
code have, so the same script measures before and after a change.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "northstar.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from northstar.compensation.models import Claim, Instalment, Payment  # noqa: E402
from northstar.core.models import Organisation  # noqa: E402

try:  # the claims' kept summary (h-figures); the code before it has none
    from northstar.compensation import summary  # noqa: E402
except ImportError:  # pragma: no cover - measuring the code before the change
    summary = None
from northstar.core.tokens import issue_token  # noqa: E402
from northstar.justice import models as justice_models  # noqa: E402
from northstar.justice.models import TimelineEvent  # noqa: E402
from northstar.pathways.models import (  # noqa: E402
    PathwayAssessment,
    PlanItem,
    Priorities,
)
from northstar.survivors.models import Case, Consent, Survivor  # noqa: E402

BATCH = 2000
ROUTES = ("criminal_restitution", "civil_suit", "state_fund", "labour_tribunal",
          "out_of_court_mediation")
OUTCOMES = ["monetary_support", "healing", "safety_self_and_others"]
KINDS = ["reflection_period_start", "reflection_period_end", "hearing", "follow_up_planned",
         "follow_up_done", "return", "shelter_stay", "interview"]


def _bulk(model, rows):
    return model.objects.bulk_create(rows, batch_size=BATCH)


def generate(n: int) -> None:
    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0)
    org = Organisation.objects.get(code="MHF")
    worker = get_user_model().objects.get(username="caseworker.th")
    rng = random.Random(13)  # noqa: S311 - synthetic data
    today = timezone.localdate()
    now = timezone.now()
    start = Survivor.objects.count()
    for first in range(0, n, BATCH):
        with transaction.atomic():
            size = min(BATCH, n - first)
            survivors = _bulk(Survivor, [Survivor(
                organisation=org, reference=f"BENCH{start + first + i:07d}", nationality="KH",
                languages=["km"], created_by=worker) for i in range(size)])
            cases = _bulk(Case, [Case(
                survivor=s, reference=f"{s.reference}-C1", jurisdiction="TH",
                forms_of_exploitation=["labour"], created_by=worker,
                trial_participation=rng.choice(["yes", "no", "undecided"])) for s in survivors])
            consents = []
            for s in survivors:
                if rng.random() < 0.7:
                    consents.append(Consent(
                        survivor=s, purpose="statistics", explained_by_label="bench",
                        language="km", method="verbal",
                        withdrawn_at=now if rng.random() < 0.1 else None))
            _bulk(Consent, consents)
            events, priorities, assessments = [], [], []
            for case in cases:
                for _ in range(rng.randint(2, 7)):
                    kind = rng.choice(KINDS)
                    on = today - dt.timedelta(days=rng.randint(0, 400))
                    details = {}
                    if kind == "reflection_period_start" and rng.random() < 0.5:
                        details["ends_on"] = (on + dt.timedelta(days=rng.randint(5, 60))).isoformat()
                    elif kind == "hearing":
                        on = today + dt.timedelta(days=rng.randint(-300, 30))
                        details = {"testimony": "video", "faced_offender": rng.random() < 0.3}
                    elif kind == "follow_up_planned":
                        details = {"due_on": (on + dt.timedelta(days=rng.randint(1, 30))).isoformat(),
                                   "what": "call"}
                    elif kind == "shelter_stay":
                        details = {"shelter": "S", "curfew": False, "movement_restricted": False,
                                   "ends_on": (on + dt.timedelta(days=rng.randint(1, 90))).isoformat()}
                    events.append(TimelineEvent(
                        case=case, kind=kind, stage="investigation", occurred_on=on,
                        details=details, organisation=org, recorded_by_label="bench"))
                if rng.random() < 0.6:
                    ranking = OUTCOMES[:]
                    rng.shuffle(ranking)
                    priorities.append(Priorities(case=case, ranking=ranking))
                assessments.append(PathwayAssessment(case=case, rule_set_version="bench"))
            _bulk(TimelineEvent, events)
            if hasattr(justice_models, "refresh_tasks"):  # the stored task dates, if any
                justice_models.refresh_tasks({e.case_id for e in events})
            _bulk(Priorities, priorities)
            assessments = _bulk(PathwayAssessment, assessments)
            _bulk(PlanItem, [PlanItem(
                case_id=a.case_id, intervention="x", pathway="p", outcome=rng.choice(OUTCOMES),
                assessment=a, eligibility_when_chosen="eligible",
                status=rng.choice(["proposed", "agreed", "in_progress", "delivered"]))
                for a in assessments for _ in range(rng.randint(0, 2))])
            claims = _bulk(Claim, [Claim(
                case=c, route=rng.choice(ROUTES), payer="employer", currency="THB",
                status=rng.choice(["filed", "awarded", "settled", "paying", "paid_in_full",
                                   "defaulted"]),
                amount_claimed=Decimal(1000), amount_awarded=Decimal(rng.randint(1, 20) * 100),
                filed_on=today - dt.timedelta(days=rng.randint(100, 600)),
                decided_on=today - dt.timedelta(days=rng.randint(10, 90)))
                for c in cases if rng.random() < 0.2])
            _bulk(Instalment, [Instalment(
                claim=cl, number=k, amount=Decimal(100),
                due_on=cl.filed_on + dt.timedelta(days=60 * k))
                for cl in claims for k in range(1, rng.randint(1, 5))])
            _bulk(Payment, [Payment(
                claim=cl, amount=Decimal(100),
                received_on=cl.filed_on + dt.timedelta(days=rng.randint(30, 300)))
                for cl in claims for _ in range(rng.randint(0, 3))])
            if summary is not None:  # written without the actions: recompute what they keep
                summary.refresh([cl.pk for cl in claims])
        print(f"· {first + size} survivors", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _time(call, runs: int = 3) -> tuple[float, int]:
    call()  # warm-up
    times, queries = [], 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            began = time.perf_counter()
            call()
            times.append((time.perf_counter() - began) * 1000)
        queries = len(captured)
    return statistics.median(times), queries


def measure() -> None:
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.NORTHSTAR_REQUIRE_TWO_FACTOR = False
    users = {u.username: u for u in get_user_model().objects.filter(username__endswith=".th")}
    org = Organisation.objects.get(code="MHF")

    def page(username):
        client = Client()
        client.force_login(users[username])
        return client

    def api(username):
        _, raw = issue_token(users[username], name="bench")
        client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
        return client

    case = Case.objects.filter(survivor__organisation=org, timeline_events__isnull=False) \
        .order_by("-pk").first()
    rows = [
        ("floor: 50 survivors as JSON", lambda: json.dumps(list(
            Survivor.objects.filter(organisation=org).order_by("-id")
            .values("id", "reference")[:50]))),
    ]
    worker, research = page("caseworker.th"), page("researcher.th")
    worker_api, boss_api, research_api = (api("caseworker.th"), api("supervisor.th"),
                                          api("researcher.th"))
    for label, client, url in [
        ("caseload page (caseworker)", worker, "/"),
        ("case page (caseworker)", worker, f"/cases/{case.pk}/"),
        ("GET /api/v1/timeline/tasks (caseworker)", worker_api, "/api/v1/timeline/tasks"),
        ("GET /api/v1/pathways/delivery (researcher)", research_api, "/api/v1/pathways/delivery"),
        ("GET /api/v1/pathways/delivery (supervisor)", boss_api, "/api/v1/pathways/delivery"),
        ("compensation figures page (researcher)", research, "/compensation/figures/"),
        ("GET /api/v1/compensation/figures (supervisor)", boss_api,
         "/api/v1/compensation/figures"),
        ("GET /api/v1/compensation/figures (researcher)", research_api,
         "/api/v1/compensation/figures"),
    ]:
        def call(client=client, url=url):
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
        rows.append((label, call))

    def alerts():
        from northstar.compensation.alerts import raise_overdue_alerts
        raise_overdue_alerts(as_of=timezone.localdate())

    rows.append(("compensation_alerts job", alerts))
    survivors = Survivor.objects.filter(organisation=org).count()
    print(f"{survivors} survivors in the organisation, "
          f"{TimelineEvent.objects.count()} timeline events, {Claim.objects.count()} claims")
    print(f"{'what':50} {'ms':>10} {'queries':>8}")
    for label, call in rows:
        ms, queries = _time(call, runs=1 if "job" in label else 3)
        print(f"{label:50} {ms:10.1f} {queries:8}", flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate")
    gen.add_argument("--survivors", type=int, default=10_000)
    sub.add_parser("measure")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("set DATABASE_URL to a throw-away PostgreSQL database")
    generate(args.survivors) if args.command == "generate" else measure()
