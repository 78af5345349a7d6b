"""The 404 matrix with a positive control: every API route that names a record.

For each route that takes a record id (reads from the OpenAPI schema; writes from the
same schema, each with a body below), on the same URL:

1. every role of the other organisation gets 404 — its existence is not leaked;
2. a refused write changes nothing: every row of every table is the same before and
   after, audit entries of writes included;
3. the owner then gets 200/201/204 — so the URL is real and a mistyped one would fail.

The records (``tests/records.py``) belong to organisation A and are referred to a third
organisation C, so that organisation B is a stranger to all of them.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLResolver, get_resolver

from northstar.api import api as ninja_api
from northstar.compensation import claims
from northstar.core.actor import Actor
from northstar.core.models import AuditEntry, Organisation
from northstar.core.roles import Role
from northstar.referrals import actions as referrals
from northstar.referrals.models import Service
from northstar.survivors import actions as survivors
from northstar.survivors.models import Case, Survivor
from tests.conftest import ApiClient, make_user
from tests.records import CALCULATION, PDF_BYTES, build_records, start_ids_far_apart

SUPERVISOR, RECIPIENT, ORG_ADMIN = "supervisor", "recipient", "org_admin"
RECIPIENT_SUPERVISOR = "recipient_supervisor"
REASON = "Discussed with her and her lawyer; recorded at the case meeting."


def _accepted(w):
    referrals.take_step(Actor.for_user(w["users"][RECIPIENT], "cli"), w["obj"]["referral"],
                        step="accept")


def _awarded(w):
    claims.transition_claim(Actor.for_user(w["users"]["caseworker"], "cli"),
                                  w["obj"]["claim"], to="awarded", on="2025-10-01",
                                  amount="1000")


def _version(model, pk):
    return model.objects.get(pk=pk).version


def _closed(w):
    survivors.close_case(Actor.for_user(w["users"]["caseworker"], "cli"), w["obj"]["case"],
                         version=_version(Case, w["case_id"]), reason="goals_met")


def _no_open_transfer(w):
    survivors.cancel_transfer(Actor.for_user(w["users"]["caseworker"], "cli"),
                              w["obj"]["transfer"])


#: Every write that names a record: a body that the owner's request succeeds with, who the
#: owner is (the case's caseworker unless named), and what must be true first.
WRITES = {
    "POST /api/v1/compensation/fund/disbursements/{disbursement_id}/approve": (
        {}, SUPERVISOR, None),
    "POST /api/v1/compensation/fund/disbursements/{disbursement_id}/decline": (
        {"reason": "Paid by the shelter already."}, SUPERVISOR, None),
    "POST /api/v1/auth/tokens/{token_id}/revoke": ({}, None, None),
    "PATCH /api/v1/survivors/{survivor_id}": (
        lambda w: {"version": _version(Survivor, w["survivor_id"]), "phone": "+855 000"},
        None, None),
    "DELETE /api/v1/survivors/{survivor_id}": (None, SUPERVISOR, None),
    "POST /api/v1/survivors/{survivor_id}/merge-requests": (
        lambda w: {"merged_id": w["obj"]["spare"].pk, "reason": "Same phone and village."},
        None, None),
    "POST /api/v1/merge-requests/{merge_id}/approve": ({}, SUPERVISOR, None),
    "POST /api/v1/merge-requests/{merge_id}/refuse": ({}, SUPERVISOR, None),
    "POST /api/v1/survivors/{survivor_id}/cases": ({"forms_of_exploitation": ["labour"]},
                                                   None, None),
    "PATCH /api/v1/cases/{case_id}": (
        lambda w: {"version": _version(Case, w["case_id"]), "summary": "Updated summary."},
        None, None),
    "DELETE /api/v1/cases/{case_id}": (None, SUPERVISOR, None),
    "POST /api/v1/survivors/{survivor_id}/consents": (
        {"purpose": "statistics", "language": "km", "method": "verbal"}, None, None),
    "POST /api/v1/consents/{consent_id}/withdraw": ({"reason": "She changed her mind."},
                                                    None, None),
    "POST /api/v1/cases/{case_id}/screenings": (
        {"act": ["recruitment"], "means": ["deception"], "purpose": ["forced_labour"],
         "involuntary": True}, None, None),
    "POST /api/v1/cases/{case_id}/pathway-assessments": ({}, None, None),
    "POST /api/v1/cases/{case_id}/priorities": (
        {"ranking": ["healing", "monetary_support", "safety_self_and_others"],
         "words": "Sleep first."}, None, None),
    "POST /api/v1/cases/{case_id}/plan": ({"intervention": "state_compensation"}, None, None),
    "POST /api/v1/plan-items/{item_id}/status": ({"status": "agreed"}, None, None),
    "POST /api/v1/cases/{case_id}/safeguard-checks": ({"action": "detain", "context": {}},
                                                      None, None),
    "POST /api/v1/cases/{case_id}/proposed-actions": (
        {"action": "restrict_movement", "context": {}, "justification": REASON}, SUPERVISOR, None),
    "POST /api/v1/findings/{finding_id}/resolve": (
        {"status": "resolved", "justification": REASON}, None, None),
    "POST /api/v1/cases/{case_id}/calculations": (CALCULATION, None, None),
    "POST /api/v1/cases/{case_id}/claims": (
        {"route": "civil_suit", "payer": "employer", "amount_claimed": "1", "currency": "THB"},
        None, None),
    "POST /api/v1/compensation/claims/{claim_id}/transitions": (
        {"to": "awarded", "on": "2025-10-01", "amount": "1000"}, None, None),
    "POST /api/v1/compensation/claims/{claim_id}/schedule": (
        {"instalments": [{"due_on": "2025-11-01", "amount": "1000"}]}, None, _awarded),
    "POST /api/v1/compensation/claims/{claim_id}/payments": (
        {"received_on": "2025-11-02", "amount": "10", "proof_reference": "Deposit slip"},
        None, _awarded),
    "POST /api/v1/cases/{case_id}/mediations": (
        {"opened_on": "2025-09-02", "conditions_confirmed": True}, None, None),
    "POST /api/v1/compensation/mediations/{mediation_id}/parties": (
        {"role": "employer", "name": "Demo Co."}, None, None),
    "POST /api/v1/compensation/mediations/{mediation_id}/sessions": (
        {"held_on": "2025-09-03", "outcome": "progress"}, None, None),
    "POST /api/v1/compensation/mediations/{mediation_id}/agreement": (
        {"agreed_on": "2025-09-04", "amount": "1", "currency": "THB", "payer": "employer",
         "terms": "One payment.", "voluntary": True, "interpreter_needed": True,
         "interpreter_present": True}, None, None),
    "POST /api/v1/compensation/mediations/{mediation_id}/escalation": (
        {"route": "civil_suit", "amount_claimed": "1", "payer": "employer",
         "reason": "No agreement.", "on": "2025-09-05"}, None, None),
    "POST /api/v1/survivors/{survivor_id}/disbursements": (
        lambda w: {"purpose": "medical", "amount": "1", "paid_on": "2025-02-02",
                   "approver_id": w["users"][SUPERVISOR].pk}, None, None),
    "POST /api/v1/referrals/{referral_id}/accept": ({}, RECIPIENT, None),
    "POST /api/v1/referrals/{referral_id}/decline": ({"reason": "No bed free this month."}, RECIPIENT, None),
    "POST /api/v1/referrals/{referral_id}/start": ({}, RECIPIENT, _accepted),
    "POST /api/v1/referrals/{referral_id}/complete": ({}, RECIPIENT, _accepted),
    "POST /api/v1/referrals/{referral_id}/close": ({}, None, None),
    "POST /api/v1/referrals/{referral_id}/revoke": ({"reason": "She asked to stop."}, None,
                                                    None),
    "POST /api/v1/cases/{case_id}/events": (
        {"kind": "interview", "occurred_on": "2025-08-02",
         "details": {"interviewer": "Investigator", "interviewer_role": "police",
                     "language": "th", "interpreter_present": True, "video_recorded": False}},
        None, None),
    "POST /api/v1/cases/{case_id}/events/{event_id}/void": ({"reason": "Entered twice."},
                                                            None, None),
    "POST /api/v1/survivors/{survivor_id}/portal-access": ({"pin": "582047"}, None, None),
    "DELETE /api/v1/survivors/{survivor_id}/portal-access": (None, None, None),
    "POST /api/v1/cases/{case_id}/close": (
        lambda w: {"version": _version(Case, w["case_id"]), "reason": "goals_met"}, None, None),
    "POST /api/v1/cases/{case_id}/reopen": (
        lambda w: {"version": _version(Case, w["case_id"]), "reason": "new_need"}, None,
        _closed),
    "POST /api/v1/cases/{case_id}/assign": (
        lambda w: {"caseworker_id": w["users"][SUPERVISOR].pk}, None, None),
    "POST /api/v1/cases/{case_id}/transfers": (
        lambda w: {"to_organisation_id": w["obj"]["transfer"].to_organisation_id,
                   "reason": "She is moving home."}, None, _no_open_transfer),
    "POST /api/v1/transfers/{transfer_id}/accept": ({}, RECIPIENT_SUPERVISOR, None),
    "POST /api/v1/transfers/{transfer_id}/decline": (
        {"reason": "No Khmer-speaking staff this month."}, RECIPIENT_SUPERVISOR, None),
    "POST /api/v1/transfers/{transfer_id}/cancel": ({}, None, None),
    "POST /api/v1/cases/{case_id}/case-tasks": (
        lambda w: {"title": "Call about the hearing", "assignee_id": w["users"][SUPERVISOR].pk,
                   "due_on": "2025-10-01"}, None, None),
    "POST /api/v1/case-tasks/{task_id}/done": ({"done": True}, None, None),
    "POST /api/v1/survivors/{survivor_id}/portal-access/lift-wait": ({}, None, None),
    "POST /api/v1/outcomes/cases/{case_id}/surveys": (
        {"occasion": "intake", "answers": {"who5_calm": 3, "pj_respect": None}}, None, None),
    "POST /api/v1/outcomes/check-ins/{check_in_id}": ({"safe": "yes", "housing": "stable"},
                                                      None, None),
    "POST /api/v1/survivors/{survivor_id}/documents": (
        lambda w: Multipart(kind="medical_report", file=SimpleUploadedFile(
            "report.pdf", PDF_BYTES, content_type="application/pdf")), None, None),
}

class Multipart(dict):
    """A body sent as multipart/form-data (an upload), not JSON."""


#: Records that everyone may read: no organisation owns them.
PUBLIC = {"GET /api/v1/services/{service_id}": "the service directory is shared by all"}


def _routes_naming_a_record() -> list[str]:
    schema = ninja_api.get_openapi_schema()
    return sorted(f"{method.upper()} {path}" for path, ops in schema["paths"].items()
                  for method in ops if "{" in path)


ROUTES = _routes_naming_a_record()
READS = [r for r in ROUTES if r.startswith("GET ") and r not in PUBLIC]


def test_every_write_that_names_a_record_is_in_the_matrix():
    writes = {r for r in ROUTES if not r.startswith("GET ")}
    assert writes - set(WRITES) == set(), "add a body for the new write to WRITES"
    assert set(WRITES) - writes == set(), "WRITES names a route that no longer exists"
    assert set(PUBLIC) <= set(ROUTES)


@pytest.fixture
def world(org_a, org_b, users):
    start_ids_far_apart()
    org_c = Organisation.objects.create(name="Org C (KH shelter)", kind="shelter",
                                        jurisdiction="KH", code="ORGC")
    recipient = make_user("caseworker.c", org_c, Role.CASEWORKER)
    recipient_supervisor = make_user("supervisor.c", org_c, Role.SUPERVISOR)
    built = build_records(caseworker=users[("a", Role.CASEWORKER)],
                          supervisor=users[("a", Role.SUPERVISOR)], recipient=org_c)
    built["users"] = {"caseworker": users[("a", Role.CASEWORKER)],
                      SUPERVISOR: users[("a", Role.SUPERVISOR)], RECIPIENT: recipient,
                      ORG_ADMIN: users[("a", Role.ORG_ADMIN)],
                      RECIPIENT_SUPERVISOR: recipient_supervisor}
    # What an org admin's pages name: one of organisation A's services and people.
    built["our_service_id"] = Service.objects.create(
        provider=org_a, kind="shelter", name="Org A shelter", jurisdictions=["TH"],
        languages=["th"]).pk
    built["member_id"] = users[("a", Role.CASEWORKER)].membership.pk
    return built


def snapshot() -> dict:
    """Every row of every table, but the audit log's reads and a token's last use."""
    rows = {}
    for model in apps.get_models():
        qs = model._default_manager.order_by("pk")
        if model is AuditEntry:
            qs = qs.exclude(action__in=("read", "export"))
        values = list(qs.values())
        for row in values:
            row.pop("last_used_at", None)
        rows[model._meta.label] = values
    return rows


def _call(client: ApiClient, route: str, world, body):
    method, template = route.split(" ", 1)
    url = re.sub(r"\{(\w+)\}", lambda m: str(world[m.group(1)]), template)
    if callable(body):
        body = body(world)
    if method == "GET":
        return client.get(url)
    if method == "DELETE":
        return client.delete(url)
    if isinstance(body, Multipart):
        return client.client.post(url, data=dict(body), **client.headers)
    return getattr(client, method.lower())(url, body if body is not None else {})


def _other_organisation_is_refused(route, world, users, body):
    strangers = {role: ApiClient(users[("b", role)]) for role in Role.values}  # issues tokens
    before = snapshot()
    for role, client in strangers.items():
        response = _call(client, route, world, body)
        assert response.status_code == 404, (route, f"{role} of org B",
                                             response.status_code, response.content[:300])
    if not route.startswith("GET "):
        after = snapshot()
        changed = [table for table in before if before[table] != after[table]]
        assert not changed, f"{route}: a refused write changed {changed}"


@pytest.mark.parametrize("route", READS)
def test_a_record_read_is_404_for_the_other_organisation_and_200_for_the_owner(
        route, world, users):
    _other_organisation_is_refused(route, world, users, None)
    answers = []
    for who in ("caseworker", SUPERVISOR):
        response = _call(ApiClient(world["users"][who]), route, world, None)
        answers.append((who, response.status_code))
    assert any(status == 200 for _, status in answers), (route, answers)


@pytest.mark.parametrize("route", sorted(WRITES))
def test_a_refused_write_changes_nothing_and_the_owners_write_succeeds(route, world, users):
    body, owner, prepare = WRITES[route]
    if prepare is not None:
        prepare(world)
    _other_organisation_is_refused(route, world, users, body)
    response = _call(ApiClient(world["users"][owner or "caseworker"]), route, world, body)
    assert response.status_code in (200, 201, 204), (route, response.status_code,
                                                      response.content[:400])


def test_the_owners_write_is_audited_and_a_refused_one_is_not(world, users):
    """The snapshot above includes the audit log: here is the control that it would notice."""
    route = "POST /api/v1/survivors/{survivor_id}/consents"
    body = WRITES[route][0]
    writes = AuditEntry.objects.exclude(action__in=("read", "export"))
    stranger, owner = ApiClient(users[("b", Role.SUPERVISOR)]), ApiClient(world["users"]["caseworker"])
    count = writes.count()
    _call(stranger, route, world, body)
    assert writes.count() == count
    _call(owner, route, world, body)
    assert writes.count() == count + 1
    assert snapshot()["core.AuditEntry"][-1]["action"] == "create"


def test_a_stale_date_cannot_hide_a_write():
    """The bodies above are dated in the past, so none is refused for a date in the future."""
    assert dt.date(2025, 11, 2) < dt.date.today()


# --- Pages ------------------------------------------------------------------------------

#: Pages that name a record but answer no GET for anyone: nothing to compare.
PAGES_WITHOUT_GET = {
    "justice/cases/<int:case_id>/events/<int:event_id>/void/": "POST only; GET is 404",
    "people/merges/<int:merge_id>/decide/": "POST only; GET is 404",
    "referrals/<int:referral_id>/<str:step>/": "POST only (a referral step)",
    "intake/<int:intake_id>/discard/": "POST only",
    "consents/<int:consent_id>/withdraw/": "POST only",
    "pathways/cases/<int:case_id>/plan/add/": "POST only",
    "pathways/items/<int:item_id>/status/": "POST only",
    "safeguards/findings/<int:finding_id>/resolve/": "POST only",
    "compensation/calculations/<int:calculation_id>/statement.pdf/job":
        "POST only (prints the statement in the background as a job)",
    "compensation/fund/disbursements/<int:disbursement_id>/decide/":
        "POST only (the approver's decision; the API's approve/decline are in WRITES)",
    "cases/<int:case_id>/assign/": "POST only (the case page's assignment form)",
    "transfers/<int:transfer_id>/<str:decision>/": "POST only (accept, decline, withdraw)",
    "justice/cases/<int:case_id>/tasks/": "POST only (the case page's task form)",
    "justice/tasks/<int:task_id>/done/": "POST only",
}
#: Pages whose GET, for the owner, redirects to another page of the record.
REDIRECTS = {"intake/<int:intake_id>/": "resumes the intake at its current step"}
WORDS = {"step": "consent", "decision": "accept"}


def _pages_naming_a_record(patterns=None, prefix: str = "") -> list[str]:
    found = []
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if not route.startswith(("api/", "admin/")):
                found += _pages_naming_a_record(entry.url_patterns, route)
        elif "<int:" in route and not route.startswith("portal/language"):
            found.append(route)
    return sorted(found)


PAGES = _pages_naming_a_record()


def test_the_page_exceptions_name_pages_that_exist():
    assert set(PAGES_WITHOUT_GET) | set(REDIRECTS) <= set(PAGES)
    assert "cases/<int:case_id>/" in PAGES and "compensation/claims/<int:claim_id>/" in PAGES


@pytest.mark.parametrize("route", [p for p in PAGES if p not in PAGES_WITHOUT_GET])
def test_a_page_about_a_record_is_404_for_the_other_organisation_and_200_for_the_owner(
        route, world, users, client):
    url = "/" + re.sub(r"<(?:(\w+):)?(\w+)>",
                       lambda m: WORDS[m.group(2)] if m.group(1) == "str"
                       else str(world[m.group(2)]), route)
    for role in Role.values:
        client.force_login(users[("b", role)])
        response = client.get(url)
        assert response.status_code == 404, (url, f"{role} of org B", response.status_code)
    answers = []
    for who in ("caseworker", SUPERVISOR, ORG_ADMIN):
        client.force_login(world["users"][who])
        answers.append((who, client.get(url).status_code))
    expected = 302 if route in REDIRECTS else 200
    assert any(status == expected for _, status in answers), (url, answers)


@pytest.mark.parametrize("route", sorted(PAGES_WITHOUT_GET))
def test_pages_without_get_still_refuse_it(route, world, users, client):
    url = "/" + re.sub(r"<(?:(\w+):)?(\w+)>",
                       lambda m: "accept" if m.group(1) == "str" else str(world[m.group(2)]),
                       route)
    client.force_login(world["users"]["caseworker"])
    assert client.get(url).status_code in (404, 405), url


# --- Figures-only roles (issue 15): never a record, even of the organisation that shares -----


def _figures_only_users(world, users):
    """Researcher, funder and government users of organisation A itself, and a real funder
    (an organisation of kind funder that organisation A shares its figures with)."""
    from northstar.core.roles import FIGURES_ONLY_ROLES
    from northstar.insights import sharing

    found = {f"{role} of org A": users[("a", role)] for role in sorted(FIGURES_ONLY_ROLES)}
    funder = Organisation.objects.create(name="Fund (shares with A)", kind="funder",
                                         jurisdiction="TH", code="FUNDA")
    sharing.set_sharing(Actor.for_user(world["users"][ORG_ADMIN], "cli"), contributes=True,
                        funder_ids=[funder.pk])
    found["funder that org A shares with"] = make_user("funder.shared", funder, Role.FUNDER)
    ministry = Organisation.objects.create(name="Ministry (TH)", kind="government_agency",
                                           jurisdiction="TH", code="GOVTH")
    found["government of org A's country"] = make_user("government.th", ministry,
                                                       Role.GOVERNMENT)
    return found


@pytest.mark.parametrize("route", READS)
def test_figures_only_roles_get_404_on_every_record_endpoint_of_the_owner(route, world, users):
    for who, user in _figures_only_users(world, users).items():
        response = _call(ApiClient(user), route, world, None)
        assert response.status_code == 404, (route, who, response.status_code)


@pytest.mark.parametrize("route", [p for p in PAGES if p not in PAGES_WITHOUT_GET])
def test_figures_only_roles_get_404_on_every_record_page_of_the_owner(route, world, users,
                                                                      client):
    url = "/" + re.sub(r"<(?:(\w+):)?(\w+)>",
                       lambda m: WORDS[m.group(2)] if m.group(1) == "str"
                       else str(world[m.group(2)]), route)
    for who, user in _figures_only_users(world, users).items():
        client.force_login(user)
        assert client.get(url).status_code == 404, (url, who)
