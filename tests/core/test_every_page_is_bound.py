"""Every GET page and endpoint is bound by a query-count test (issue 13), so an N+1 fails CI.

- ``ROUTES`` is every GET URL the resolver knows (pages, ``api/`` and ``admin/`` aside) and
  every GET operation of the API's OpenAPI document. Each is in exactly one of:
  ``MEASURED_HERE`` (read below with 2 and with 12 survivors, each with a record of every
  kind: ``tests/records.build_records``), ``BOUND_ELSEWHERE`` (a few-vs-many test in the
  file named, which must spell the URL), or ``NOT_A_LIST`` (a form, a redirect, a POST-only
  URL or one fixed thing: nothing whose cost could grow with N). A new GET URL fails
  ``test_every_get_url_is_bound_or_said_why`` until it is put in one of them.
- The printed and exported documents (the case summary, statement and referral letter PDFs,
  the insights table CSV, the caseload export form) are measured here too, and ``BODIES``
  checks what each holds with 2 and with 12 survivors (pypdf reads the PDFs' pages and
  text); the caseload export job and the insights report job their forms submit are run
  with both and must cost the same queries (a row per case; the same report pages).
- ``KNOWN_TO_GROW`` names the measured URLs that still cost more with more records (pages
  other helpers own): the test fails if one is fixed without being taken off the list, like
  a strict xfail, and if any other URL grows.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import URLResolver, get_resolver
from django.utils import timezone
from pypdf import PdfReader

from northstar.api import api as ninja_api
from northstar.core.models import ApiToken, Organisation, ReadTally
from northstar.core.roles import Role
from northstar.documents.exports import COLUMNS
from tests.conftest import ApiClient, make_user
from tests.query_counts import queries_for
from tests.records import build_records

ROOT = Path(__file__).resolve().parents[2]


def _pages(patterns=None, prefix: str = "") -> list[str]:
    found = []
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if not route.startswith(("api/", "admin/")):
                found += _pages(entry.url_patterns, route)
        else:
            found.append(route)
    return found


def _api_reads() -> list[str]:
    schema = ninja_api.get_openapi_schema()
    return [f"GET {path}" for path, ops in schema["paths"].items() if "get" in ops]


ROUTES = sorted(set(_pages()) | set(_api_reads()))

#: Read here, in one world of 2 then 12 survivors with every kind of record.
MEASURED_HERE = [
    "advocacy/", "audit/", "intake/", "transfers/", "transfers/<int:transfer_id>/",
    "people/merges/", "organisation/", "organisation/people/",
    "organisation/people/<int:member_id>/", "organisation/services/",
    "organisation/profile/", "organisation/provider/", "organisation/figures/sharing/",
    "referrals/<int:referral_id>/", "referrals/services/", "justice/tasks/overdue/",
    "compensation/claims/<int:claim_id>/", "compensation/calculations/<int:calculation_id>/",
    "compensation/mediations/<int:mediation_id>/", "compensation/fund/",
    "compensation/survivors/<int:survivor_id>/assistance/",
    "compensation/cases/<int:case_id>/calculator/",
    "pathways/cases/<int:case_id>/priorities/",
    "portal/staff/survivors/<int:survivor_id>/access/", "portal/staff/translations/",
    "insights/",
    "GET /api/v1/auth/tokens", "GET /api/v1/me", "GET /api/v1/audit/alerts",
    "GET /api/v1/survivors/search", "GET /api/v1/merge-requests",
    "GET /api/v1/survivors/{survivor_id}", "GET /api/v1/cases/{case_id}",
    "GET /api/v1/transfers", "GET /api/v1/transfers/{transfer_id}",
    "GET /api/v1/consents/{consent_id}", "GET /api/v1/cases/{case_id}/priorities",
    "GET /api/v1/cases/{case_id}/calculations",
    "GET /api/v1/compensation/calculations/{calculation_id}",
    "GET /api/v1/cases/{case_id}/claims", "GET /api/v1/compensation/claims/{claim_id}",
    "GET /api/v1/cases/{case_id}/mediation-eligibility", "GET /api/v1/cases/{case_id}/mediations",
    "GET /api/v1/compensation/mediations/{mediation_id}", "GET /api/v1/compensation/fund",
    "GET /api/v1/survivors/{survivor_id}/disbursements", "GET /api/v1/compensation/fund/approvals",
    "GET /api/v1/services/{service_id}", "GET /api/v1/referrals/{referral_id}",
    "GET /api/v1/justice/reflection-periods", "GET /api/v1/case-tasks",
    "GET /api/v1/survivors/{survivor_id}/portal-access", "GET /api/v1/translations/review",
    "GET /api/v1/survivors/{survivor_id}/documents", "GET /api/v1/insights/measures",
    "GET /api/v1/insights/figures",
    # Documents: printed or exported, each checked for what it must hold (``BODIES``).
    "documents/exports/caseload/", "documents/cases/<int:case_id>/summary.pdf",
    "compensation/calculations/<int:calculation_id>/statement.pdf",
    "referrals/<int:referral_id>/letter.pdf", "GET /api/v1/referrals/{referral_id}/letter.pdf",
    "insights/tables/<str:measure>.csv", "insights/report/",
]

#: A few-vs-many test elsewhere: the file must spell the URL (up to its first parameter).
BOUND_ELSEWHERE = {
    "": "tests/web/test_query_counts.py",
    "survivors/<int:survivor_id>/": "tests/web/test_query_counts.py",
    "cases/<int:case_id>/": "tests/web/test_query_counts.py",
    "referrals/": "tests/web/test_query_counts.py",
    "screening/cases/<int:case_id>/": "tests/pathways/test_query_counts.py",
    "pathways/cases/<int:case_id>/": "tests/pathways/test_query_counts.py",
    "pathways/cases/<int:case_id>/plan/": "tests/pathways/test_query_counts.py",
    "safeguards/cases/<int:case_id>/": "tests/pathways/test_query_counts.py",
    "safeguards/findings/": "tests/pathways/test_query_counts.py",
    "justice/cases/<int:case_id>/": "tests/pathways/test_query_counts.py",
    "justice/tasks/": "tests/pathways/test_query_counts.py",
    "compensation/figures/": "tests/web/test_flat_in_cases.py",
    "engagement/": "tests/engagement/test_query_counts.py",
    "engagement/activities/<int:activity_id>/": "tests/engagement/test_query_counts.py",
    "engagement/honoraria/": "tests/engagement/test_query_counts.py",
    "engagement/councils/": "tests/engagement/test_query_counts.py",
    "engagement/candidates/": "tests/engagement/test_query_counts.py",
    "engagement/consultations/": "tests/engagement/test_query_counts.py",
    "engagement/outreach/": "tests/engagement/test_query_counts.py",
    "intelligence/report/": "tests/intelligence/test_query_counts.py",
    "intelligence/cases/<int:case_id>/report/": "tests/intelligence/test_query_counts.py",
    "intelligence/reports/": "tests/intelligence/test_query_counts.py",
    "intelligence/reports/<int:report_id>/": "tests/intelligence/test_query_counts.py",
    "intelligence/patterns/": "tests/intelligence/test_query_counts.py",
    "intelligence/sharing/": "tests/intelligence/test_query_counts.py",
    "outcomes/cases/<int:case_id>/": "tests/outcomes/test_query_counts.py",
    "outcomes/cases/<int:case_id>/survey/": "tests/outcomes/test_query_counts.py",
    "outcomes/check-ins/<int:check_in_id>/": "tests/outcomes/test_query_counts.py",
    "insights/htcds/": "tests/insights/test_htcds_query_counts.py",
    "insights/htcds/jobs/<int:htcds_job_id>/": "tests/insights/test_htcds_query_counts.py",
    "jobs/<int:job_id>/": "tests/insights/test_htcds_query_counts.py",
    "portal/home/": "tests/portal/test_query_counts.py",
    "portal/plan/": "tests/portal/test_query_counts.py",
    "portal/rights/": "tests/portal/test_query_counts.py",
    "portal/money/": "tests/portal/test_query_counts.py",
    "portal/choices/": "tests/portal/test_query_counts.py",
    "portal/surveys/": "tests/portal/test_query_counts.py",
    "portal/engagement/": "tests/portal/test_query_counts.py",
    "portal/tell/": "tests/portal/test_query_counts.py",
    "GET /api/v1/survivors": "tests/survivors/test_query_counts.py",
    "GET /api/v1/cases": "tests/survivors/test_query_counts.py",
    "GET /api/v1/referrals": "tests/survivors/test_query_counts.py",
    "GET /api/v1/services": "tests/survivors/test_query_counts.py",
    "GET /api/v1/survivors/{survivor_id}/consents": "tests/survivors/test_query_counts.py",
    "GET /api/v1/audit": "tests/survivors/test_query_counts.py",
    "audit/<int:entry_id>/": "tests/core/test_audit_search.py",
    "GET /api/v1/audit/{entry_id}": "tests/core/test_audit_search.py",
    "GET /api/v1/cases/{case_id}/screenings": "tests/pathways/test_query_counts.py",
    "GET /api/v1/cases/{case_id}/pathway-assessments": "tests/pathways/test_query_counts.py",
    "GET /api/v1/cases/{case_id}/plan": "tests/pathways/test_query_counts.py",
    "GET /api/v1/cases/{case_id}/findings": "tests/pathways/test_query_counts.py",
    "GET /api/v1/findings": "tests/pathways/test_query_counts.py",
    "GET /api/v1/cases/{case_id}/events": "tests/pathways/test_query_counts.py",
    "GET /api/v1/cases/{case_id}/timeline": "tests/pathways/test_query_counts.py",
    "GET /api/v1/timeline/tasks": "tests/pathways/test_query_counts.py",
    "GET /api/v1/pathways/delivery": "tests/web/test_flat_in_cases.py",
    "GET /api/v1/compensation/figures": "tests/web/test_flat_in_cases.py",
    "GET /api/v1/engagement/activities": "tests/engagement/test_query_counts.py",
    "GET /api/v1/engagement/activities/{activity_id}": "tests/engagement/test_query_counts.py",
    "GET /api/v1/engagement/figures": "tests/engagement/test_query_counts.py",
    "GET /api/v1/intelligence/patterns": "tests/intelligence/test_query_counts.py",
    "GET /api/v1/outcomes/cases/{case_id}/surveys": "tests/outcomes/test_query_counts.py",
    "GET /api/v1/outcomes/cases/{case_id}/check-ins": "tests/outcomes/test_query_counts.py",
    "GET /api/v1/insights/htcds/jobs": "tests/insights/test_htcds_query_counts.py",
    "GET /api/v1/insights/htcds/jobs/{htcds_job_id}": "tests/insights/test_htcds_query_counts.py",
}

_POST = "POST only (GET answers 404 or 405)"
_FORM = "an empty form: nothing listed"
_FILE = "one stored file streamed: no list"
_REDIRECT = "a redirect or a sign-in step: no list"
#: GET URLs whose cost cannot grow with the number of records, and why.
NOT_A_LIST = {
    "login/": _REDIRECT, "login/verify/": _REDIRECT, "logout/": _REDIRECT,
    "language/": _REDIRECT, "account/two-factor/": _FORM,
    "account/two-factor/recovery-codes/": _FORM, "account/password/": _FORM,
    "jobs/<int:job_id>/download": _FILE, "documents/<int:document_id>/": _FILE,
    "GET /api/v1/documents/{document_id}": _FILE,
    "GET /api/v1/insights/htcds/jobs/{htcds_job_id}/file": _FILE,
    "GET /api/v1/health": "a fixed answer, no record",
    "GET /api/v1/justice/vocabulary": "the rule files' words, no record",
    "portal/": _REDIRECT, "portal/exit/": _REDIRECT, "portal/sign-out/": _REDIRECT,
    "portal/language/<str:code>/": _REDIRECT, "portal/choices/consent/": _POST,
    "portal/choices/advocacy/": _POST, "portal/surveys/answer/": _POST,
    "portal/surveys/check-in/": _POST, "portal/surveys/withdraw/": _POST,
    "portal/engagement/answer/": _POST, "portal/engagement/stop/": _POST,
    "survivors/new/": _FORM, "survivors/<int:survivor_id>/cases/new/": _FORM,
    "survivors/<int:survivor_id>/consents/new/": _FORM,
    "survivors/<int:survivor_id>/edit/": _FORM, "survivors/<int:survivor_id>/archive/": _FORM,
    "cases/<int:case_id>/edit/": _FORM, "cases/<int:case_id>/close/": _FORM,
    "cases/<int:case_id>/reopen/": _FORM, "cases/<int:case_id>/archive/": _FORM,
    "cases/<int:case_id>/transfer/": _FORM, "cases/<int:case_id>/assign/": _POST,
    "consents/<int:consent_id>/withdraw/": _POST,
    "transfers/<int:transfer_id>/<str:decision>/": _POST,
    "intake/new/": _FORM, "intake/<int:intake_id>/": _REDIRECT,
    "intake/<int:intake_id>/discard/": _POST, "intake/<int:intake_id>/<str:step>/": _FORM,
    "people/search/": _FORM + " until searched (search cost: bench/search_latency.py)",
    "people/merges/new/": _FORM, "people/merges/<int:merge_id>/decide/": _POST,
    "organisation/services/new/": _FORM, "organisation/services/<int:our_service_id>/": _FORM,
    "organisation/people/new/": _FORM,
    "referrals/new/": _FORM, "referrals/services/import/": _FORM,
    "referrals/<int:referral_id>/<str:step>/": _POST,
    "documents/survivors/<int:survivor_id>/new/": _FORM,
    "pathways/cases/<int:case_id>/plan/add/": _POST, "pathways/items/<int:item_id>/status/": _POST,
    "safeguards/findings/<int:finding_id>/resolve/": _POST,
    "justice/tasks/<int:task_id>/done/": _POST, "justice/cases/<int:case_id>/tasks/": _POST,
    "justice/cases/<int:case_id>/events/<int:event_id>/void/": _POST,
    "compensation/calculations/<int:calculation_id>/statement.pdf/job": _POST,
    "compensation/fund/disbursements/<int:disbursement_id>/decide/": _POST,
    "compensation/cases/<int:case_id>/claims/new/": _FORM,
    "compensation/cases/<int:case_id>/mediation/new/": _FORM,
    "insights/htcds/export": _POST, "insights/htcds/release": _POST,
    "insights/htcds/import": _FORM,
    "insights/report.pdf": _REDIRECT + " (to insights/report/: the report is a job)",
}

#: Measured here and still growing with the number of records: (who owns the page).
KNOWN_TO_GROW: dict[str, str] = {}


def test_every_get_url_is_bound_or_said_why():
    said = [*MEASURED_HERE, *BOUND_ELSEWHERE, *NOT_A_LIST]
    assert len(said) == len(set(said)), "a URL is listed twice"
    assert sorted(set(ROUTES) - set(said)) == [], (
        "a GET URL with no query-count test: add a few-vs-many test and list it here")
    assert sorted(set(said) - set(ROUTES)) == [], "listed URLs that no longer exist"
    assert set(KNOWN_TO_GROW) <= set(MEASURED_HERE)


def _needle(route: str) -> str:
    path = route.removeprefix("GET ")
    path = path if path.startswith("/") else "/" + path
    return re.split(r"[<{]", path)[0]


@pytest.mark.parametrize("route", sorted(BOUND_ELSEWHERE))
def test_the_file_that_binds_a_url_spells_it(route):
    text = (ROOT / BOUND_ELSEWHERE[route]).read_text()
    assert "few" in text or "3 and" in text or "ceiling" in text or "one_row" in text
    assert _needle(route) in text, (route, BOUND_ELSEWHERE[route])


# --- The world: 2, then 12, survivors with a record of every kind --------------------------

_names = itertools.count(1)
ORDER = (Role.CASEWORKER, Role.SUPERVISOR, Role.ORG_ADMIN, Role.LEGAL_OFFICER, Role.RESEARCHER,
         Role.COUNCIL_COORDINATOR)
WORDS = {"measure": "own_outcome_delivered.trial"}
#: What a URL needs to answer 200: a search needs something to search for.
QUERIES = {"GET /api/v1/survivors/search": "?q=Demo"}


def _url(route: str, world: dict) -> str:
    path = route.removeprefix("GET ")
    path = re.sub(r"\{(\w+)\}", lambda m: str(world[m.group(1)]), path)
    path = re.sub(r"<(?:(\w+):)?(\w+)>", lambda m: WORDS.get(m.group(2))
                  or str(world[m.group(2)]), path)
    path = path if path.startswith("/") else "/" + path
    return path + QUERIES.get(route, "")


def _counted(client, url, seen: dict | None = None) -> int:
    """One read's queries, with the per-minute tally of the reader's reads emptied first:
    the unusual-reads check adds a query once one user reads many records within minutes,
    which this test (one user reading every page) would reach part-way through. The API
    tokens are marked used just now for the same reason: a token's last-used time is written
    once a minute, and this test runs for minutes, so a request could pay that write."""
    ReadTally.objects.all().delete()
    ApiToken.objects.update(last_used_at=timezone.now())
    seen = {} if seen is None else seen

    def read():
        seen["response"] = client.get(url)
        return seen["response"]

    return queries_for(read)


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _pdf(body: bytes) -> tuple[int, str]:
    """A PDF's number of pages and its text (pypdf); fails if the bytes are not a PDF."""
    assert body.startswith(b"%PDF-"), body[:40]
    reader = PdfReader(io.BytesIO(body))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


def _one_page_naming(*words):
    def check(body, world, n):
        pages, text = _pdf(body)
        assert pages == 1, pages
        for word in words:
            expected = word(world) if callable(word) else word
            assert expected in text, (expected, text[:500])
        assert "Counted" not in text  # no survivor's family name: references only
    return check


def _caseload_form(body, world, n):
    page = body.decode()
    assert 'name="format"' in page and 'name="personal"' in page, page[:300]


#: The trial-participation rows of ``own_outcome_delivered.trial``, for the reader's
#: organisation: the CSV has these and no other (each cell hidden under 3 people).
TRIAL_ROWS = ["With a trial", "Without a trial", "Trial undecided", "Total"]


def _figure_table(body, world, n):
    assert body.startswith("\ufeff".encode())  # the BOM: Excel reads Khmer
    lines = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert lines[0][0] == "Measure" and "by trial participation" in lines[0][1]
    head = [i for i, line in enumerate(lines) if line[:1] == ["Whose figures"]]
    assert len(head) == 1
    rows = lines[head[0] + 1:]
    assert [(r[0], r[1]) for r in rows] == [(world["org"].name, label) for label in TRIAL_ROWS]
    assert all(len(r) == len(lines[head[0]]) for r in rows)


_report_pages: list[int] = []


def _figures_report(body, world, n):
    pages, text = _pdf(body)
    assert "Did survivors get what they wanted?" in text and "Own outcome delivered" in text
    assert "Counted" not in text and "Demo" not in text  # no one named
    _report_pages.append(pages)
    assert pages > 1 and len(set(_report_pages)) == 1  # the same pages with 2 as with 12


#: What each printed or exported document must hold, checked with 2 and with 12 survivors
#: (the bytes, the world of the survivor whose records the URL names, the survivors).
BODIES = {
    "documents/exports/caseload/": _caseload_form,
    "documents/cases/<int:case_id>/summary.pdf": _one_page_naming(
        lambda w: w["obj"]["case"].reference, lambda w: w["obj"]["survivor"].reference),
    "compensation/calculations/<int:calculation_id>/statement.pdf": _one_page_naming(
        "Itemised compensation statement", lambda w: w["obj"]["case"].reference, "THB"),
    "referrals/<int:referral_id>/letter.pdf": _one_page_naming(
        "Referral for services", lambda w: f"Referral number: {w['referral_id']}",
        lambda w: w["obj"]["referral"].recipient.name),
    "GET /api/v1/referrals/{referral_id}/letter.pdf": _one_page_naming(
        "Referral for services", lambda w: f"Referral number: {w['referral_id']}",
        lambda w: w["obj"]["referral"].recipient.name),
    "insights/tables/<str:measure>.csv": _figure_table,
}


def _caseload_export(caseworker) -> tuple[int, list[list[str]]]:
    """The caseload export job (what ``documents/exports/caseload/`` submits) run here: its
    queries and the rows of its CSV, names included (each opened from its seal)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from northstar.core import jobs
    from northstar.documents.exports import CASELOAD_EXPORT

    job = jobs.submit(CASELOAD_EXPORT, owner=caseworker, organisation=caseworker.membership
                      .organisation, user_id=caseworker.pk, format="csv", personal=True)
    ReadTally.objects.all().delete()
    with CaptureQueriesContext(connection) as captured:
        done = jobs.run(job.pk)
    assert done.status == done.Status.DONE, done.message
    lines = list(csv.reader(io.StringIO(jobs.result_bytes(done).decode("utf-8-sig"))))
    return len(captured), lines[1:]


def _report_job(researcher) -> tuple[int, bytes]:
    """The insights report job (what ``insights/report/``'s button submits) run here: its
    queries and its PDF."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from northstar.core import jobs
    from northstar.core.actor import Actor
    from northstar.insights import report

    job = report.submit(Actor.for_user(researcher, "web"), language="en")
    with CaptureQueriesContext(connection) as captured:
        done = jobs.run(job.pk)
    assert done.status == done.Status.DONE, done.message
    return len(captured), jobs.result_bytes(done)


def test_every_measured_url_costs_the_same_with_2_and_12_survivors_with_every_record(
        users, org_a):
    caseworker, boss = users[("a", Role.CASEWORKER)], users[("a", Role.SUPERVISOR)]

    def grow(n: int) -> dict:
        built = {}
        for _ in range(n):
            k = next(_names)
            recipient = Organisation.objects.create(name=f"Shelter {k}", kind="shelter",
                                                    jurisdiction="KH", code=f"SHC{k}")
            make_user(f"caseworker.c{k}", recipient, Role.CASEWORKER)
            built = build_records(caseworker=caseworker, supervisor=boss, recipient=recipient,
                                  given_name=f"Demo {k}", family_name="Counted")
        return built

    world = grow(2)
    world["member_id"] = caseworker.membership.pk
    world["org"] = org_a
    pages, apis = {}, {}

    def client_of(route: str, role: str):
        store = apis if route.startswith("GET ") else pages
        if role not in store:
            if route.startswith("GET "):
                store[role] = ApiClient(users[("a", role)])
            else:
                store[role] = Client()
                store[role].force_login(users[("a", role)])
        return store[role]

    readers, few, unread, bodies = {}, {}, {}, {}
    for route in MEASURED_HERE:
        url = _url(route, world)
        answers = []
        for role in ORDER:
            client = client_of(route, role)
            answers.append(client.get(url).status_code)
            if answers[-1] == 200:
                readers[route] = (client, url)
                seen = {}
                few[route] = _counted(client, url, seen)
                bodies[route] = [_body(seen["response"])]
                break
        else:
            unread[route] = answers
    assert unread == {}, "no role of organisation A reads these"
    export_few = _caseload_export(caseworker)
    report_few = _report_job(users[("a", Role.RESEARCHER)])
    grow(10)
    grown = {}
    for route, (client, url) in readers.items():
        client.get(url)
        seen = {}
        many = _counted(client, url, seen)
        if route in BODIES:
            bodies[route].append(_body(seen["response"]))
        if many > few[route]:  # fewer is fine: the name search adds a fallback when few match
            grown[route] = (few[route], many)
    assert sorted(grown) == sorted(KNOWN_TO_GROW), grown
    # The caseload export the form submits: the same queries, a row per case, 6 times the rows.
    export_many = _caseload_export(caseworker)
    assert export_many[0] == export_few[0], (export_few[0], export_many[0])
    few_rows, many_rows = export_few[1], export_many[1]
    assert few_rows and len(many_rows) == 6 * len(few_rows)
    given = len(COLUMNS)  # the personal columns follow the plain ones
    assert all(row[given].startswith("Demo ") and row[given + 1] == "Counted"
               for row in many_rows)
    assert len({row[0] for row in many_rows}) == len(many_rows)  # one row per case
    # The insights report the report page submits: the same queries, the same pages.
    report_many = _report_job(users[("a", Role.RESEARCHER)])
    assert report_many[0] == report_few[0], (report_few[0], report_many[0])
    for (_queries, body), n in zip((report_few, report_many), (2, 12), strict=True):
        _figures_report(body, world, n)
    for route, check in BODIES.items():
        assert len(bodies[route]) == 2, route
        for body, n in zip(bodies[route], (2, 12), strict=True):
            check(body, world, n)
