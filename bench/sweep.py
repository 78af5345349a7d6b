"""Every GET URL of the UI and the API, one request at a time, as each demo role (issue 13).

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/ns_sweep_100000 \\
      NORTHSTAR_VAR_DIR=/work/main/var/bench .venv/bin/python bench/sweep.py --out sweep.json

Walks the URL resolver (the Ninja routers' paths included), fills each path id from the
population's own rows (of the first organisation: a row of the kind the page shows), and
requests it through the WSGI application as ``spend.py`` does, with a signed-in session
(pages) or a token (API) of each role, plus a portal session of one survivor. Each URL is
warmed once, then timed ``--repeat`` times (median wall and CPU) with its queries counted.
Requests write audit entries: run it on a copy of a bench database. Asserts nothing.
``--url /engagement/activities/1/ --url '/engagement/candidates/?reference=MHF-2A'`` measures
those URLs (with their query) instead of the walked ones.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, os.environ.get("NORTHSTAR_ROOT") or str(ROOT))
sys.path.insert(1, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.scale_settings")
os.environ.setdefault("DB_CONN_MAX_AGE", "60")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import URLResolver, get_resolver  # noqa: E402

ORG = 1
#: Path parameter → the SQL that picks a row of the first organisation (newest of its kind).
IDS = {
    "survivor_id": "SELECT survivor_id FROM survivors_case c JOIN survivors_survivor s ON "
                   "s.id = c.survivor_id WHERE s.organisation_id = %s "
                   "AND c.id IN (SELECT case_id FROM compensation_claim) ORDER BY c.id DESC",
    "consent_id": "SELECT x.id FROM survivors_consent x JOIN survivors_survivor s ON "
                  "s.id = x.survivor_id WHERE s.organisation_id = %s ORDER BY x.id DESC",
    "transfer_id": "SELECT x.id FROM survivors_transfer x ORDER BY x.id DESC",
    "entry_id": "SELECT x.id FROM core_auditentry x WHERE x.organisation_id = %s "
                "ORDER BY x.id DESC",
    "merge_id": "SELECT x.id FROM survivors_mergerequest x ORDER BY x.id DESC",
    "calculation_id": "SELECT x.id FROM compensation_savedcalculation x JOIN survivors_case c "
                      "ON c.id = x.case_id JOIN survivors_survivor s ON s.id = c.survivor_id "
                      "WHERE s.organisation_id = %s ORDER BY x.id DESC",
    "claim_id": "SELECT x.id FROM compensation_claim x JOIN survivors_case c ON c.id = x.case_id"
                " JOIN survivors_survivor s ON s.id = c.survivor_id WHERE s.organisation_id = %s"
                " ORDER BY x.id DESC",
    "mediation_id": "SELECT x.id FROM compensation_mediation x JOIN survivors_case c ON "
                    "c.id = x.case_id JOIN survivors_survivor s ON s.id = c.survivor_id "
                    "WHERE s.organisation_id = %s ORDER BY x.id DESC",
    "disbursement_id": "SELECT x.id FROM compensation_disbursement x JOIN survivors_survivor s"
                       " ON s.id = x.survivor_id WHERE s.organisation_id = %s ORDER BY x.id DESC",
    "referral_id": "SELECT x.id FROM referrals_referral x JOIN survivors_case c ON "
                   "c.id = x.case_id JOIN survivors_survivor s ON s.id = c.survivor_id "
                   "WHERE s.organisation_id = %s ORDER BY x.id DESC",
    "event_id": "SELECT x.id FROM justice_timelineevent x JOIN survivors_case c ON "
                "c.id = x.case_id JOIN survivors_survivor s ON s.id = c.survivor_id "
                "WHERE s.organisation_id = %s ORDER BY x.id DESC",
    "task_id": "SELECT x.id FROM justice_casetask x JOIN survivors_case c ON c.id = x.case_id "
               "JOIN survivors_survivor s ON s.id = c.survivor_id WHERE s.organisation_id = %s "
               "ORDER BY x.id DESC",
    "item_id": "SELECT x.id FROM pathways_planitem x JOIN survivors_case c ON c.id = x.case_id "
               "JOIN survivors_survivor s ON s.id = c.survivor_id WHERE s.organisation_id = %s "
               "ORDER BY x.id DESC",
    "finding_id": "SELECT x.id FROM safeguards_finding x JOIN survivors_case c ON "
                  "c.id = x.case_id JOIN survivors_survivor s ON s.id = c.survivor_id "
                  "WHERE s.organisation_id = %s ORDER BY x.id DESC",
    "document_id": "SELECT x.id FROM documents_document x JOIN survivors_survivor s ON "
                   "s.id = x.survivor_id WHERE s.organisation_id = %s ORDER BY x.id DESC",
    "check_in_id": "SELECT x.id FROM outcomes_checkin x JOIN survivors_case c ON "
                   "c.id = x.case_id JOIN survivors_survivor s ON s.id = c.survivor_id "
                   "WHERE s.organisation_id = %s ORDER BY x.id DESC",
    "activity_id": "SELECT id FROM engagement_activity WHERE organisation_id = %s "
                   "ORDER BY id DESC",
    "report_id": "SELECT id FROM intelligence_report WHERE organisation_id = %s ORDER BY id DESC",
    "job_id": "SELECT id FROM core_job ORDER BY id DESC",
    "htcds_job_id": "SELECT id FROM core_job ORDER BY id DESC",
    "intake_id": "SELECT id FROM web_intake ORDER BY id DESC",
    "member_id": "SELECT id FROM core_membership WHERE organisation_id = %s ORDER BY id",
    "our_service_id": "SELECT id FROM referrals_service ORDER BY id DESC",
    "service_id": "SELECT id FROM referrals_service ORDER BY id DESC",
    "token_id": "SELECT id FROM core_apitoken ORDER BY id DESC",
}
#: The case of a URL: one that has a row of what the page shows (by the URL's prefix).
CASE_BY_PREFIX = [
    ("compensation/", "compensation_claim"), ("api/v1/cases/<case_id>/claims", "compensation_claim"),
    ("api/v1/cases/<case_id>/calculations", "compensation_savedcalculation"),
    ("api/v1/cases/<case_id>/mediation", "compensation_mediation"),
    ("justice/", "justice_timelineevent"), ("api/v1/cases/<case_id>/events", "justice_timelineevent"),
    ("api/v1/cases/<case_id>/timeline", "justice_timelineevent"),
    ("pathways/", "pathways_planitem"), ("api/v1/cases/<case_id>/plan", "pathways_planitem"),
    ("api/v1/cases/<case_id>/pathway", "pathways_pathwayassessment"),
    ("api/v1/cases/<case_id>/priorities", "pathways_planitem"),
    ("safeguards/", "safeguards_finding"), ("api/v1/cases/<case_id>/findings", "safeguards_finding"),
    ("screening/", "screening_screening"), ("api/v1/cases/<case_id>/screenings", "screening_screening"),
    ("outcomes/", "outcomes_checkin"), ("api/v1/outcomes/", "outcomes_checkin"),
    ("", "compensation_claim"),
]
STR = {"code": "km", "step": "consent", "decision": "accept"}
ROLES = ["caseworker", "supervisor", "legal_officer", "org_admin", "researcher",
         "council_coordinator", "funder", "government"]


def walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from walk(p.url_patterns, prefix + str(p.pattern))
        else:
            yield prefix + str(p.pattern), p.name


def one(sql: str):
    with connection.cursor() as cursor:
        cursor.execute(sql + " LIMIT 1", [ORG] if "%s" in sql else [])
        row = cursor.fetchone()
    return row[0] if row else None


def fill(pattern: str, measure: str) -> str | None:
    import re

    url = pattern
    table = next(t for p, t in CASE_BY_PREFIX if pattern.startswith(p))
    for name in re.findall(r"<(?:\w+:)?(\w+)>", pattern):
        if name == "case_id":
            value = one(f"SELECT x.case_id FROM {table} x JOIN survivors_case c ON c.id = x.case_id "
                        "JOIN survivors_survivor s ON s.id = c.survivor_id "
                        "WHERE s.organisation_id = %s ORDER BY x.id DESC")
        elif name == "measure":
            value = measure
        elif name in STR:
            value = STR[name]
        else:
            value = one(IDS[name])
        if value is None:
            return None
        url = re.sub(r"<(?:\w+:)?" + name + ">", str(value), url, count=1)
    return "/" + url


def main() -> None:
    from django.contrib.auth import get_user_model
    from prepare import session_for
    from spend import wsgi_call

    from northstar.core.tokens import issue_token
    from northstar.wsgi import application as app

    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--roles", default=",".join(ROLES + ["portal"]))
    parser.add_argument("--only", default="", help="substring a URL must contain")
    parser.add_argument("--out", default=None)
    parser.add_argument("--url", action="append", default=[],
                        help="measure this URL (path and query, as given) instead of the "
                             "walked ones; repeatable")
    args = parser.parse_args()

    from northstar.insights import measures
    measure = f"{measures.all_measures()[0].key}.total"
    seen, urls = set(), []
    for pattern, _name in walk(get_resolver().url_patterns):
        if pattern.startswith("admin/") or pattern in seen:
            continue
        seen.add(pattern)
        url = fill(pattern, measure)
        if url is None:
            print(f"-- no row for {pattern}", file=sys.stderr)
            continue
        if args.only and args.only not in url:
            continue
        urls.append(url)
    if args.url:
        urls = list(args.url)

    User = get_user_model()
    results = []
    for role in args.roles.split(","):
        if role == "portal":
            headers = portal_headers(app, wsgi_call)
            role_urls = [u for u in urls if u.startswith("/portal/")]
            if headers is None:
                continue
        else:
            user = User.objects.get(username=f"{role}.th")
            _, raw = issue_token(user, name="sweep", days=1)
            session = session_for(user)
            role_urls = [u for u in urls if not u.startswith("/portal/") or "/staff/" in u]
        for url in role_urls:
            if role != "portal":
                headers = ({"HTTP_AUTHORIZATION": f"Bearer {raw}"} if url.startswith("/api/")
                           else {"HTTP_COOKIE": f"sessionid={session}"})
            if any(s in url for s in ("/exit/", "/sign-out/", "/logout/", "/revoke")):
                continue
            try:
                status = wsgi_call(app, "GET", url, headers)
            except Exception as error:  # noqa: BLE001 - a sweep records what fails
                results.append({"role": role, "url": url, "error": repr(error)})
                print(f"{role:20} {url:70} ERROR {error!r}", flush=True)
                continue
            walls, cpus, queries = [], [], 0
            for _ in range(args.repeat):
                with CaptureQueriesContext(connection) as captured:
                    w0, c0 = time.perf_counter(), time.process_time()
                    status = wsgi_call(app, "GET", url, headers)
                    walls.append((time.perf_counter() - w0) * 1000)
                    cpus.append((time.process_time() - c0) * 1000)
                queries = len(captured)
            row = {"role": role, "url": url, "status": status,
                   "wall_ms": round(statistics.median(walls), 1),
                   "cpu_ms": round(statistics.median(cpus), 1), "queries": queries,
                   "load": round(os.getloadavg()[0], 1)}
            results.append(row)
            print(f"{role:20} {url:70} {status:>4} {row['wall_ms']:8.1f} {row['cpu_ms']:8.1f} "
                  f"{queries:4} load {row['load']}", flush=True)
    if args.out:
        Path(args.out).write_text(json.dumps(results, indent=1))


def portal_headers(app, wsgi_call):
    """A portal session of the survivor the sweep uses (a PIN set through the API first)."""
    from django.contrib.sessions.backends.db import SessionStore

    from northstar.portal.models import PortalAccess
    from northstar.portal.session import COOKIE_NAME
    from northstar.survivors.models import Survivor

    survivor = Survivor.objects.get(pk=one(IDS["survivor_id"]))
    access = PortalAccess.objects.filter(survivor=survivor).first()
    if access is None:
        from django.contrib.auth import get_user_model

        from northstar.core.tokens import issue_token

        _, raw = issue_token(get_user_model().objects.get(username="caseworker.th"),
                             name="sweep-portal", days=1)
        status = wsgi_call(app, "POST", f"/api/v1/survivors/{survivor.pk}/portal-access",
                           {"HTTP_AUTHORIZATION": f"Bearer {raw}"},
                           json.dumps({"pin": "482913"}).encode())
        access = PortalAccess.objects.filter(survivor=survivor).first()
        if access is None:
            print(f"-- portal access not set ({status})", file=sys.stderr)
            return None
    store = SessionStore()
    now = time.time() + 3600  # stays "recent" through the sweep
    store.update({"survivor_id": survivor.pk, "pin_epoch": access.pin_set_at.isoformat(),
                  "started": now, "last_seen": now})
    store.create()
    return {"HTTP_COOKIE": f"{COOKIE_NAME}={store.session_key}"}


if __name__ == "__main__":
    main()
