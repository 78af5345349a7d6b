"""Every read of survivor data writes an audit entry — found by walking every route.

The routes are not listed by hand: the API's GET operations come from the Ninja OpenAPI
schema and the pages from Django's URL resolver, so a new endpoint is walked the day it
is added. Each is called by the owning organisation's caseworker and supervisor (portal
pages by the survivor, signed in) with the ids of a survivor who has a record of every
kind (``tests/records.py``). A route that answers 200 and writes no ``read``/``export``
entry fails; so does an entry whose ids are not whole ids of real rows.

Routes that touch no survivor data are in ``NO_SURVIVOR_DATA`` with the reason; the list
is checked to name only routes that exist, so it stays true.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from northstar.api import api as ninja_api
from northstar.core.models import AuditEntry
from northstar.core.roles import Role
from tests.conftest import ApiClient
from tests.records import PIN, build_records, every_id_in_the_database, start_ids_far_apart

API_PREFIX = "/api/v1"

#: Routes that show no survivor's data, so no read is audited — each with why.
NO_SURVIVOR_DATA = {
    "jobs/<int:job_id>/": "a job's status and progress (its file is the download, walked)",
    # --- API ---
    "GET /api/v1/health": "liveness probe; no data at all",
    "GET /api/v1/me": "the signed-in staff member and their organisation",
    "GET /api/v1/auth/tokens": "the caller's own API tokens",
    "GET /api/v1/services": "the public service directory (organisations, not people)",
    "GET /api/v1/services/{service_id}": "one entry of the service directory",
    "GET /api/v1/justice/reflection-periods": "rule data: each jurisdiction's reflection period",
    "GET /api/v1/justice/vocabulary": "rule data: event kinds and stages of the justice chain",
    "GET /api/v1/translations/review": "portal strings awaiting a native speaker's review",
    # The audit log shows references and ids of who read or changed what, never a survivor's
    # personal or case data; it is the record of reads, and is not itself recorded.
    "GET /api/v1/audit": "the audit log (supervisors): references and ids, no survivor data",
    "GET /api/v1/audit/alerts": "unusual-read alerts: which staff account read how many records",
    "GET /api/v1/audit/{entry_id}": "one entry of the audit log: the ids it names and, for "
                                    "survivors the supervisor may see, their references",
    # --- pages ---
    "audit/": "the audit log page; same reason as GET /api/v1/audit",
    "audit/<int:entry_id>/": "one entry of the audit log; same reason as GET /api/v1/audit",
    "login/": "sign-in form",
    "login/verify/": "the second-factor prompt at sign-in",
    "account/two-factor/": "the staff member's own two-factor enrolment",
    "logout/": "sign-out",
    "language/": "switch the interface language",
    "referrals/services/": "the service directory",
    "referrals/services/import/": "form to import the service directory",
    "intake/new/": "empty form for the first intake step; no survivor yet",
    "survivors/new/": "empty form for a new survivor",
    # Blank forms for a new record of a survivor: they show the reference (and the preferred
    # language or jurisdiction as a default), nothing recorded about the person; the write
    # they lead to is audited. (The new-claim form is walked: it lists saved calculations.)
    "survivors/<int:survivor_id>/cases/new/": "blank new-case form",
    "survivors/<int:survivor_id>/consents/new/": "blank new-consent form",
    "compensation/cases/<int:case_id>/calculator/": "blank calculator for the case",
    "portal/home/": "the portal's menu: four links, nothing about the survivor",
    "portal/": "portal sign-in form",
    "portal/exit/": "quick exit: ends the session and leaves",
    "portal/sign-out/": "ends the portal session",
    "portal/language/<str:code>/": "switch the portal language",
    "portal/staff/translations/": "portal strings awaiting review",
    "account/password/": "the staff member's own password form",
    # An org admin's pages about their organisation: its profile, its directory entry and
    # its staff (usernames and roles). No survivor appears on any of them.
    "organisation/": "the organisation's profile, directory entry and head-counts",
    "organisation/profile/": "form for the organisation's name, contact and 2FA setting",
    "organisation/provider/": "form for the organisation's entry in the service directory",
    "organisation/services/": "the organisation's own services (directory entries)",
    "organisation/services/new/": "blank form for a new service",
    "organisation/services/<int:our_service_id>/": "one of the organisation's services",
    "organisation/people/": "the organisation's staff: usernames and roles",
    "organisation/people/new/": "blank form for a new staff member",
    "organisation/people/<int:member_id>/": "one staff member: username, role, active or not",
    "documents/survivors/<int:survivor_id>/new/": "blank form to attach a document",
    "documents/exports/caseload/": "the export form: a format and a tick box",
    "engagement/": "the engagement calendar: activities and head-counts, no survivor",
    "engagement/consultations/": "what was asked, counts consulted and what changed; no survivor",
    "engagement/outreach/": "outreach sessions: places, topics and audience counts",
    "GET /api/v1/engagement/activities": "the engagement calendar: activities and head-counts",
    "GET /api/v1/insights/measures": "rule data: the insights measures' definitions and sources",
    "organisation/figures/sharing/": "form: whether the organisation's counts go to its "
                                     "country's roll-up and which funders see its figures",
    # Intelligence (issue 16): the report forms are blank, and the sharing setting is the
    # organisation's; reports themselves name no survivor (their reads are audited anyway).
    "intelligence/report/": "the anonymous report form: no account, no survivor",
    "intelligence/cases/<int:case_id>/report/": "blank report form showing the case reference",
    "intelligence/sharing/": "the organisation's intelligence sharing setting: three ticks",
    "portal/tell/": "the survivor's blank report form",
    # HTCDS exchange (insights): forms, who started which export when, a job's progress and
    # a release's report (counts and levels); the files are the audited downloads.
    "insights/htcds/": "HTCDS forms and the list of past jobs (who, when, what kind)",
    "insights/htcds/import": "blank upload form for an HTCDS file",
    "insights/htcds/jobs/<int:htcds_job_id>/": "an HTCDS job's progress and report in words",
    # The insights report is a job: the job's read of the figures is the audited export
    # (``tables_for``), and so is its download (``jobs/<id>/download``, walked).
    "insights/report/": "the report form and the reader's own report jobs (when, status)",
    "insights/report.pdf": "the report's old address: a redirect to insights/report/ "
                           "(a supervisor; 404 to a caseworker)",
    "GET /api/v1/insights/htcds/jobs": "the organisation's HTCDS jobs: who, when, what kind",
    "GET /api/v1/insights/htcds/jobs/{htcds_job_id}": "one HTCDS job: progress and report",
}

#: Routes that answer a GET with a redirect to a page that is itself walked.
REDIRECTS_ONLY = {
    "intake/<int:intake_id>/": "resumes an intake by redirecting to its current step page",
}

#: Routes that are not reads although they answer GET: they refuse it.
NOT_READS = {
    "justice/cases/<int:case_id>/events/<int:event_id>/void/": "POST only; a GET answers 404",
    "people/merges/<int:merge_id>/decide/": "POST only; a GET answers 404",
}

#: Route parameters that are not record ids: the value walked for each route.
WORDS = {
    ("intake/<int:intake_id>/<str:step>/", "step"): "consent",
    ("referrals/<int:referral_id>/<str:step>/", "step"): "accept",
    ("portal/language/<str:code>/", "code"): "km",
    ("transfers/<int:transfer_id>/<str:decision>/", "decision"): "accept",
    ("insights/tables/<str:measure>.csv", "measure"): "own_outcome_delivered.trial",
}

#: Pages read by a role other than the case staff.
OTHER_READERS = {"advocacy/": (Role.COUNCIL_COORDINATOR,)}

#: Query parameters a read needs to show anything, filled from the walked records.
QUERY = {
    "GET /api/v1/survivors/search": lambda ids: {"q": "Sokha"},
    "people/search/": lambda ids: {"q": "Sokha"},
    "engagement/candidates/": lambda ids: {"reference": _engaged_prefix()},
    "people/merges/new/": lambda ids: {"kept": ids["survivor_id"], "merged": ids["spare_id"]},
    "referrals/new/": lambda ids: {"survivor": ids["survivor_id"], "case": ids["case_id"]},
    "portal/surveys/answer/": lambda ids: {"case": ids["case_id"], "occasion": "intake"},
    "portal/surveys/check-in/": lambda ids: {"id": ids["check_in_id"]},
}


def _engaged_prefix() -> str:
    """What a coordinator types of a survivor who may be invited: the code, the hyphen and two
    characters (the suggestions' minimum, ``engagement.selectors.TYPED_AFTER_HYPHEN``)."""
    from northstar.survivors.models import Consent
    consent = Consent.objects.filter(purpose="engagement", withdrawn_at__isnull=True,
                                     survivor__organisation__code="ORGA").first()
    return consent.survivor.reference[:7]


def _api_reads() -> list[str]:
    schema = ninja_api.get_openapi_schema()
    return sorted(f"GET {path}" for path, ops in schema["paths"].items() if "get" in ops)


def _pages(patterns=None, prefix: str = "") -> list[str]:
    found = []
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if route.startswith(("api/", "admin/")):
                continue  # the API is walked from its schema; the admin is Django's own
            found += _pages(entry.url_patterns, route)
        elif isinstance(entry, URLPattern):
            found.append(route)
    return sorted(found)


API_READS = _api_reads()
PAGES = _pages()


def _fill(route: str, ids: dict) -> str:
    """The route with every parameter replaced by the walked record's id (or word)."""

    def value(match: re.Match) -> str:
        name = match.group(1) or match.group(2)
        if (route, name) in WORDS:
            return WORDS[(route, name)]
        assert name in ids, (f"{route}: no walked record for parameter {name!r}; "
                             "add one to tests/records.py")
        return str(ids[name])

    return re.sub(r"\{(\w+)\}|<(?:\w+:)?(\w+)>", value, route)


@pytest.fixture
def walked(org_a, org_b, users):
    start_ids_far_apart()
    return build_records(caseworker=users[("a", Role.CASEWORKER)],
                         supervisor=users[("a", Role.SUPERVISOR)], recipient=org_b)


def _audited_reads_since(last_pk: int):
    return list(AuditEntry.objects.filter(pk__gt=last_pk, action__in=("read", "export")))


def _last_pk() -> int:
    return AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def _readers(route: str, users, walked):
    """(who, a function that GETs a URL) for everyone who should be able to read ``route``."""
    if route.startswith("portal/") and not route.startswith("portal/staff/"):
        survivor = walked["obj"]["survivor"]
        client = Client()
        signed_in = client.post("/portal/", {"reference": survivor.reference, "pin": PIN})
        assert signed_in.status_code == 302, "the walked survivor cannot sign in to the portal"
        return [("survivor (portal)", client.get)]
    readers = []
    for role in OTHER_READERS.get(route, (Role.CASEWORKER, Role.SUPERVISOR)):
        user = users[("a", role)]
        if route.startswith("GET /"):
            readers.append((role, ApiClient(user).get))
        else:
            client = Client()
            client.force_login(user)
            readers.append((role, client.get))
    return readers


def _record_named_by(route: str, ids: dict) -> str | None:
    """The id of the one record a detail route shows (``/api/v1/compensation/claims/{claim_id}``,
    ``cases/<int:case_id>/``). An app's page about a case (``screening/cases/<int:case_id>/``)
    shows the case's screenings, not the case, so it names no record here."""
    match = re.search(r"(\w+)/(?:\{(\w+)\}|<int:(\w+)>/)$", route)
    if not match:
        return None
    segment, name = match.group(1), match.group(2) or match.group(3)
    kind = name.removesuffix("_id")
    if not segment.startswith(kind) or name not in ids:
        return None
    page_under_an_app = not route.startswith("GET ") and route.count("/") > 2
    if page_under_an_app and kind in ("case", "survivor"):
        return None
    return str(ids[name])


def _check_route(route: str, users, walked) -> None:
    url = _fill(route.removeprefix("GET "), walked)
    if not route.startswith("GET "):
        url = "/" + url
    query = QUERY[route](walked) if route in QUERY else None
    answered = []
    for who, get in _readers(route, users, walked):
        before = _last_pk()
        response = get(url, query) if query else get(url)
        answered.append((who, response.status_code))
        if response.status_code == 405:
            return  # not a read: the route takes POST only
        if response.status_code != 200:
            continue
        entries = _audited_reads_since(before)
        assert entries, f"{route}: {who} read it (200) and no read/export audit entry was written"
        real_ids = every_id_in_the_database()
        for entry in entries:
            assert isinstance(entry.record_ids, list), (route, entry.record_ids)
            cut = [i for i in entry.record_ids if not isinstance(i, str) or i not in real_ids]
            assert not cut, f"{route}: audit ids {cut} are not whole ids of real rows"
            if entry.record_id:
                assert entry.record_id in entry.record_ids, (route, entry.record_id)
        named = _record_named_by(route, walked)
        if named is not None:
            assert any(named in e.record_ids for e in entries), (
                f"{route}: the read of record {named} does not name it in record_ids "
                f"({[e.record_ids for e in entries]})")
    assert any(status == 200 for _, status in answered), (
        f"{route} ({url}): nobody of the owning organisation could read it: {answered} — "
        "a broken route, or a record missing from tests/records.py")


@pytest.mark.parametrize("route", [r for r in API_READS if r not in NO_SURVIVOR_DATA])
def test_every_api_read_of_survivor_data_writes_an_audit_entry(route, users, walked):
    _check_route(route, users, walked)


@pytest.mark.parametrize("route", [r for r in PAGES
                                   if r not in NO_SURVIVOR_DATA and r not in REDIRECTS_ONLY
                                   and r not in NOT_READS])
def test_every_page_showing_survivor_data_writes_an_audit_entry(route, users, walked):
    _check_route(route, users, walked)


def test_the_lists_of_exceptions_name_only_routes_that_exist():
    routes = set(API_READS) | set(PAGES)
    stale = sorted((set(NO_SURVIVOR_DATA) | set(REDIRECTS_ONLY) | set(NOT_READS)
                    | set(QUERY)) - routes)
    assert not stale, f"exceptions for routes that no longer exist: {stale}"
    assert {route for route, _ in WORDS} <= routes


def test_the_walk_finds_the_routes_it_is_meant_to_find():
    """A guard on the walker itself: if discovery broke, every test above would vanish."""
    assert "GET /api/v1/survivors/{survivor_id}" in API_READS
    assert "GET /api/v1/compensation/claims/{claim_id}" in API_READS
    assert "cases/<int:case_id>/" in PAGES
    assert "portal/home/" in PAGES
    assert len(API_READS) > 30 and len(PAGES) > 40


@pytest.mark.parametrize("route", sorted(REDIRECTS_ONLY))
def test_routes_that_only_redirect_still_redirect(route, users, walked):
    client = Client()
    client.force_login(users[("a", Role.CASEWORKER)])
    response = client.get("/" + _fill(route, walked))
    assert response.status_code == 302, (route, response.status_code)
