"""The fund report is summed by the database (issue 13): at 100,000 survivors the report read
every disbursement with its survivor's sealed row, 0.6 s of CPU a request, for the fund page
too, which shows only totals. Same figures, same audit entry, no record built."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models.signals import post_init
from django.test.utils import CaptureQueriesContext

from northstar.compensation import fund
from northstar.compensation.models import Disbursement
from northstar.core.actor import Actor
from northstar.core.fields import EncryptedTextField
from northstar.core.models import AuditEntry
from northstar.survivors import actions as survivor_actions
from northstar.survivors.models import Survivor
from tests.compensation.test_victim_fund import fund_with, pay
from tests.conftest import ApiClient


@pytest.fixture
def paid(api, caseworker, supervisor, survivor_a):
    """Four survivors: approved disbursements for three purposes, one pending, one declined."""
    fund_with(api, supervisor, "100000")
    client = api(caseworker)
    actor = Actor.for_user(caseworker, "test")
    others = [survivor_actions.create_survivor(actor, data={
        "given_name": f"Demo Person {n}", "family_name": "Testperson", "sex": "female",
        "nationality": "KH", "languages": ["km"], "preferred_language": "km"}) for n in range(3)]
    people = [survivor_a, *others]
    approved = []
    for n, (person, purpose) in enumerate(zip(people * 2, ["transport", "medical", "transport",
                                                           "legal_fees"] * 2, strict=True)):
        response = pay(client, person, supervisor, str(100 + n), purpose=purpose)
        assert response.status_code == 201, response.content
        approved.append(response.json()["id"])
    assert pay(client, others[0], supervisor, "70", approve=False).status_code == 201
    declined = pay(client, others[1], supervisor, "30", approve=False).json()["id"]
    assert ApiClient(supervisor).post(
        f"/api/v1/compensation/fund/disbursements/{declined}/decline",
        {"reason": "paid by another fund"}).status_code == 200
    return people, approved


@pytest.fixture
def built():
    """Disbursements and survivors built as model instances while the block runs."""
    counted = {Disbursement: 0, Survivor: 0}

    def count(sender, **kwargs):
        counted[sender] += 1

    for model in counted:
        post_init.connect(count, sender=model)
    yield counted
    for model in counted:
        post_init.disconnect(count, sender=model)


def test_the_report_is_summed_without_building_a_record(paid, caseworker, supervisor, users,
                                                       built):
    people, approved = paid
    report = fund.fund_report(Actor.for_user(caseworker, "test"))
    for user, per_survivor in [(caseworker, False), (supervisor, True),
                               (users[("a", "researcher")], True)]:
        fund.fund_report(Actor.for_user(user, "test"), per_survivor=per_survivor)
    assert built == {Disbursement: 0, Survivor: 0}
    # purposes in the order of their first disbursement
    assert list(report["by_purpose"].items()) == [
        ("transport", "412.00"), ("medical", "206.00"), ("legal_fees", "210.00")]
    assert report["disbursed"] == "828.00" and report["awaiting_approval"] == "70.00"
    assert report["balance"] == str(100000 - 828 - 70) + ".00"
    assert report["per_survivor"] == {
        p.reference: {"total": f"{100 + n + 104 + n}.00", "count": 2}
        for n, p in sorted(enumerate(people), key=lambda np: np[1].reference)}
    # the per-survivor breakdown's entry names every disbursement behind it, with its owner
    entry = AuditEntry.objects.filter(record_type="victim_fund_disbursement",
                                      actor=caseworker).latest("id")
    assert entry.record_ids == [str(pk) for pk in sorted(approved)]
    assert entry.owner_organisation_id == caseworker.membership.organisation_id
    assert entry.fields == ["per_survivor"] and entry.note == "fund report: 4 survivor(s)"


def test_the_approvers_list_reads_no_sealed_column_of_a_survivor(api, caseworker, supervisor,
                                                                 survivor_a):
    """One approver had 10,000 disbursements waiting at 100k survivors: each row's survivor
    was read whole (names, date of birth, sealed) to show its reference."""
    fund_with(api, supervisor)
    assert pay(api(caseworker), survivor_a, supervisor, "100", approve=False).status_code == 201
    with CaptureQueriesContext(connection) as captured:
        waiting = list(fund.awaiting_approval(Actor.for_user(supervisor, "test")))
    assert [d.survivor.reference for d in waiting] == [survivor_a.reference]
    read = " ".join(q["sql"] for q in captured.captured_queries
                    if "compensation_disbursement" in q["sql"])
    sealed = [f.column for f in Survivor._meta.concrete_fields
              if isinstance(f, EncryptedTextField)]
    assert sealed and not [c for c in sealed if f'"survivors_survivor"."{c}"' in read]
    assert ApiClient(supervisor).get("/api/v1/compensation/fund/approvals").json()["items"][0][
        "survivor_id"] == survivor_a.pk
