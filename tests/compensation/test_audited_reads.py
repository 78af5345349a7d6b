"""Every read of compensation data writes an audit row, and pages and lists take a fixed
number of queries however many records they show.

The first test walks every compensation read endpoint and page; removing the
``audit.record_read`` behind any of them makes it fail. The second set runs each list
with one record and with several and holds both to the same query budget (an N+1 fails).
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from northstar.compensation import alerts, calculations, claims, fund, mediations
from northstar.core.models import AuditEntry
from northstar.survivors import actions as survivor_actions
from tests.compensation.conftest import CALC


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _records(actor, boss, case, n: int = 1) -> dict:
    """``n`` of each compensation record on ``case``: calculations, awarded claims with a
    payment, mediations, and disbursements from a fund."""
    out = {"calc": [], "claim": [], "mediation": [], "disbursement": []}
    fund.deposit_to_fund(boss, amount="100000", received_on="2025-01-01", source="donor",
                         currency="THB")
    for i in range(n):
        out["calc"].append(calculations.save_calculation(actor, case, data=CALC, label=f"c{i}"))
        claim = claims.create_claim(actor, case, route="civil_suit", payer="employer",
                                    amount_claimed="1000", currency="THB", filed_on="2025-01-01",
                                    payer_name="Employer Co.")
        claim = claims.transition_claim(actor, claim, to="awarded", on="2025-02-01",
                                        amount="1000")
        claims.set_schedule(actor, claim, instalments=[{"due_on": "2025-03-01", "amount": "500"},
                                                       {"due_on": "2025-04-01", "amount": "500"}])
        claims.record_payment(actor, claim, received_on="2025-03-01", amount="500",
                              proof_reference=f"slip {i}")
        out["claim"].append(claim)
        opened = mediations.open_mediation(actor, case, opened_on="2025-01-01",
                                           parties=[{"role": "employer", "name": "Boss"}])
        mediations.record_session(actor, opened, held_on="2025-01-02", outcome="progress")
        out["mediation"].append(opened)
        out["disbursement"].append(fund.approve_disbursement(boss, fund.disburse(
            actor, case.survivor, purpose="medical", amount="100", paid_on="2025-01-05",
            approver_id=boss.user.pk, case=case)))
    return out


@pytest.fixture
def records(caseworker, supervisor, actor_for, labour_case):
    return _records(actor_for(caseworker), actor_for(supervisor), labour_case)


READS = [
    # (who, how, url, record type audited, the record named in it)
    ("caseworker", "api", "/api/v1/cases/{case}/calculations", "compensation_calculation", "calc"),
    ("caseworker", "api", "/api/v1/compensation/calculations/{calc}", "compensation_calculation",
     "calc"),
    ("caseworker", "api", "/api/v1/cases/{case}/claims", "compensation_claim", "claim"),
    ("caseworker", "api", "/api/v1/compensation/claims/{claim}", "compensation_claim", "claim"),
    ("caseworker", "api", "/api/v1/cases/{case}/mediations", "compensation_mediation",
     "mediation"),
    ("caseworker", "api", "/api/v1/compensation/mediations/{mediation}",
     "compensation_mediation", "mediation"),
    ("caseworker", "api", "/api/v1/cases/{case}/mediation-eligibility", "mediation_eligibility",
     "case"),
    ("caseworker", "api", "/api/v1/compensation/fund", "victim_fund_disbursement",
     "disbursement"),
    ("researcher", "api", "/api/v1/compensation/fund", "victim_fund_figures", None),
    ("caseworker", "api", "/api/v1/survivors/{survivor}/disbursements",
     "victim_fund_disbursement", "disbursement"),
    ("supervisor", "api", "/api/v1/compensation/figures", "compensation_figures", None),
    ("researcher", "api", "/api/v1/compensation/figures", "compensation_figures", None),
    ("caseworker", "page", "/compensation/calculations/{calc}/", "compensation_calculation",
     "calc"),
    ("caseworker", "page", "/compensation/cases/{case}/claims/new/", "compensation_calculation",
     "calc"),
    ("caseworker", "page", "/compensation/claims/{claim}/", "compensation_claim", "claim"),
    ("caseworker", "page", "/compensation/claims/{claim}/?payer=1", "compensation_claim",
     "claim"),
    ("caseworker", "page", "/compensation/cases/{case}/mediation/new/", "mediation_eligibility",
     "case"),
    ("caseworker", "page", "/compensation/mediations/{mediation}/", "compensation_mediation",
     "mediation"),
    ("caseworker", "page", "/compensation/survivors/{survivor}/assistance/",
     "victim_fund_disbursement", "disbursement"),
    ("caseworker", "page", "/compensation/fund/", "victim_fund_figures", None),
    ("supervisor", "page", "/compensation/figures/", "compensation_figures", None),
    ("caseworker", "page", "/cases/{case}/", "compensation_claim", "claim"),
    ("caseworker", "page", "/cases/{case}/", "compensation_mediation", "mediation"),
    ("caseworker", "page", "/survivors/{survivor}/", "victim_fund_disbursement", "disbursement"),
]


@pytest.mark.parametrize("who, how, url, record_type, named", READS,
                         ids=[f"{how}:{url}:{t}:{who}" for who, how, url, t, _ in READS])
def test_every_compensation_read_is_audited(who, how, url, record_type, named, records, users,
                                            labour_case, api):
    ids = {"case": labour_case.pk, "survivor": labour_case.survivor_id,
           **{key: items[0].pk for key, items in records.items()}}
    user = users[("a", who)]
    client = api(user) if how == "api" else logged_in(user)
    before = set(AuditEntry.objects.values_list("pk", flat=True))
    response = client.get(url.format(**ids))
    assert response.status_code == 200, response.content[:500]
    written = AuditEntry.objects.exclude(pk__in=before).filter(
        action__in=("read", "export"), record_type=record_type)
    assert written.exists(), f"{url} wrote no {record_type} read"
    if named:
        named_ids = {str(i) for entry in written for i in entry.record_ids}
        assert str(ids[named]) in named_ids
    entry = written.first()
    assert entry.actor == user


def test_a_claim_page_audits_the_payer_name_only_when_it_is_shown(records, caseworker):
    claim = records["claim"][0]
    client = logged_in(caseworker)
    client.get(f"/compensation/claims/{claim.pk}/")
    client.get(f"/compensation/claims/{claim.pk}/?payer=1")
    plain, revealed = AuditEntry.objects.filter(
        record_type="compensation_claim", action="read", record_id=str(claim.pk)).order_by("pk")
    assert "payer_name" not in plain.fields and "payments" in plain.fields
    assert "payer_name" in revealed.fields


def test_the_fund_reports_per_survivor_breakdown_names_every_disbursement(records, caseworker,
                                                                           api):
    api(caseworker).get("/api/v1/compensation/fund")
    entry, = [e for e in AuditEntry.objects.filter(record_type="victim_fund_disbursement",
                                                   action="read") if "per_survivor" in e.fields]
    assert [str(i) for i in entry.record_ids] == [str(d.pk) for d in records["disbursement"]]


# --- query counts ------------------------------------------------------------------


LISTS = [
    ("caseworker", "api", "/api/v1/cases/{case}/calculations"),
    ("caseworker", "api", "/api/v1/cases/{case}/claims"),
    ("caseworker", "api", "/api/v1/cases/{case}/mediations"),
    ("caseworker", "api", "/api/v1/survivors/{survivor}/disbursements"),
    ("caseworker", "api", "/api/v1/compensation/fund"),
    ("researcher", "api", "/api/v1/compensation/fund"),
    ("supervisor", "api", "/api/v1/compensation/figures"),
    ("researcher", "api", "/api/v1/compensation/figures"),
    ("caseworker", "page", "/compensation/fund/"),
    ("supervisor", "page", "/compensation/figures/"),
    ("researcher", "page", "/compensation/figures/"),
    ("caseworker", "page", "/compensation/cases/{case}/claims/new/"),
    ("caseworker", "page", "/compensation/survivors/{survivor}/assistance/"),
    ("caseworker", "page", "/cases/{case}/"),
    ("caseworker", "page", "/"),
]
#: The most queries any of these lists may take, with one record or with five (the case
#: page audits each panel's read: about four queries each; 70 since the casework, tasks and
#: documents panels joined it).
BUDGET = 70


def _queries(client, url, django_assert_max_num_queries) -> int:
    with django_assert_max_num_queries(BUDGET) as counted:
        response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    return len(counted.captured_queries)


@pytest.mark.parametrize("who, how, url", LISTS, ids=[f"{how}:{url}:{who}" for who, how, url in LISTS])
def test_lists_take_as_many_queries_for_five_records_as_for_one(
        who, how, url, users, caseworker, supervisor, actor_for, labour_case, api,
        django_assert_max_num_queries):
    actor, boss = actor_for(caseworker), actor_for(supervisor)
    survivor_actions.record_consent(actor, labour_case.survivor, purpose="statistics",
                                    language="km", method="verbal")
    _records(actor, boss, labour_case, n=1)
    user = users[("a", who)]
    client = api(user) if how == "api" else logged_in(user)
    path = url.format(case=labour_case.pk, survivor=labour_case.survivor_id)
    one = _queries(client, path, django_assert_max_num_queries)
    _records(actor, boss, labour_case, n=4)
    five = _queries(client, path, django_assert_max_num_queries)
    assert five == one, f"{path}: {one} queries for one record, {five} for five"


def test_overdue_alerts_on_the_caseload_are_an_audited_read(records, caseworker, supervisor):
    # The second instalment (500, due 1 April 2025) is unpaid: the supervisor is alerted.
    alerts.raise_overdue_alerts(as_of=timezone.localdate())
    claim = records["claim"][0]
    before = set(AuditEntry.objects.values_list("pk", flat=True))
    page = logged_in(supervisor).get("/")
    assert "overdue" in page.content.decode()
    entry = AuditEntry.objects.exclude(pk__in=before).get(
        record_type="compensation_claim", action="read", note__startswith="overdue")
    assert [str(i) for i in entry.record_ids] == [str(claim.pk)]
