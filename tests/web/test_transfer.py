"""A case (with its survivor) transferred to another organisation on the platform (issue 14).

It goes through the survivor's referral consent naming the receiving organisation, the
receiving organisation's supervisor accepts, and then responsibility moves: the old
organisation sees nothing of the survivor any more except its own audit entries.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from northstar.core import audit
from northstar.core.actor import Actor
from northstar.core.errors import DomainError
from northstar.core.models import AuditEntry
from northstar.core.roles import Role
from northstar.justice import tasks as case_tasks
from northstar.justice.models import CaseTask
from northstar.referrals import actions as referrals
from northstar.referrals.models import Referral
from northstar.referrals.panels import referral_alerts
from northstar.survivors import actions
from northstar.survivors.models import Survivor, Transfer
from tests.conftest import ApiClient
from tests.web.test_intake import client_for


def _consent_to(survivor, organisation, caseworker):
    return actions.record_consent(Actor.for_user(caseworker, "cli"), survivor,
                                  purpose="referral", recipient=organisation, language="km",
                                  method="written")


def test_a_transfer_without_consent_is_refused_with_a_sentence(case_a, caseworker, org_b,
                                                               users):
    response = client_for(caseworker).post(f"/cases/{case_a.pk}/transfer/",
                                           {"to_organisation": org_b.pk, "reason": ""})
    assert response.status_code == 422
    page = response.content.decode()
    assert "The survivor has not consented to their record going to Org B" in page
    assert not Transfer.objects.exists()


def test_a_withdrawn_consent_stops_the_transfer_at_acceptance(case_a, caseworker, org_b,
                                                              users):
    consent = _consent_to(case_a.survivor, org_b, caseworker)
    transfer = actions.request_transfer(Actor.for_user(caseworker, "cli"), case_a,
                                        to_organisation=org_b)
    actions.withdraw_consent(Actor.for_user(caseworker, "cli"), consent, reason="She said no.")
    boss_b = Actor.for_user(users[("b", Role.SUPERVISOR)], "web")
    with pytest.raises(DomainError, match="has not consented"):
        case_tasks.accept_transfer(boss_b, transfer)
    assert Survivor.objects.get(pk=case_a.survivor_id).organisation_id == caseworker.membership.organisation_id


def test_only_a_supervisor_of_the_receiving_organisation_accepts(case_a, caseworker, org_b,
                                                                 users):
    _consent_to(case_a.survivor, org_b, caseworker)
    transfer = actions.request_transfer(Actor.for_user(caseworker, "cli"), case_a,
                                        to_organisation=org_b)
    assert client_for(users[("b", Role.CASEWORKER)]).post(
        f"/transfers/{transfer.pk}/accept/").status_code == 403
    assert client_for(caseworker).post(f"/transfers/{transfer.pk}/accept/").status_code == 403
    assert client_for(users[("b", Role.RESEARCHER)]).get(
        f"/transfers/{transfer.pk}/").status_code == 404
    transfer.refresh_from_db()
    assert transfer.status == "requested"


def test_after_acceptance_the_old_organisation_sees_nothing_but_its_own_audit_entries(
        case_a, caseworker, org_a, org_b, users):
    survivor = case_a.survivor
    _consent_to(survivor, org_b, caseworker)
    referrals.create_referral(Actor.for_user(caseworker, "cli"), survivor=survivor,
                              recipient=org_b, case=case_a, needs=["legal_aid"])
    old = client_for(caseworker)
    response = old.post(f"/cases/{case_a.pk}/transfer/",
                        {"to_organisation": org_b.pk, "reason": "She is going home."})
    assert response.status_code == 302
    transfer = Transfer.objects.get()
    boss_b, caseworker_b = users[("b", Role.SUPERVISOR)], users[("b", Role.CASEWORKER)]
    new = client_for(boss_b)
    detail = new.get(f"/transfers/{transfer.pk}/").content.decode()
    assert "She is going home." in detail and "Accept and take responsibility" in detail
    response = new.post(f"/transfers/{transfer.pk}/accept/", {"caseworker": caseworker_b.pk})
    assert response.status_code == 302
    survivor.refresh_from_db()
    case_a.refresh_from_db()
    assert survivor.organisation == org_b and case_a.caseworker == caseworker_b
    # The old caseworker: 404 on every page and API read of the survivor and the case.
    assert old.get(f"/survivors/{survivor.pk}/").status_code == 404
    assert old.get(f"/cases/{case_a.pk}/").status_code == 404
    assert survivor.reference not in old.get("/?whose=all").content.decode()
    assert survivor.reference not in old.get("/referrals/").content.decode()
    old_api = ApiClient(caseworker)
    assert old_api.get(f"/api/v1/survivors/{survivor.pk}").status_code == 404
    assert old_api.get(f"/api/v1/cases/{case_a.pk}").status_code == 404
    # The new organisation: the record is its own, and the new caseworker was told.
    assert client_for(caseworker_b).get(f"/cases/{case_a.pk}/").status_code == 200
    assert CaseTask.objects.filter(case=case_a, assignee=caseworker_b,
                                   source="transfer").exists()
    # Audited on both sides: each organisation's log holds the hand-over.
    for org in (org_a, org_b):
        notes = list(audit.entries_for_organisation(org).filter(
            record_type="survivor", record_id=str(survivor.pk), action="update")
            .values_list("note", flat=True))
        assert any(f"transfer {transfer.pk} accepted" in n for n in notes), org
    assert AuditEntry.objects.filter(record_type="transfer", action="create",
                                     organisation=org_a).exists()


def test_a_declined_transfer_leaves_the_record_where_it_was_and_says_why(case_a, caseworker,
                                                                         org_a, org_b, users):
    _consent_to(case_a.survivor, org_b, caseworker)
    transfer = actions.request_transfer(Actor.for_user(caseworker, "cli"), case_a,
                                        to_organisation=org_b)
    new = client_for(users[("b", Role.SUPERVISOR)])
    assert new.post(f"/transfers/{transfer.pk}/decline/",
                    {"reason": "No Khmer-speaking staff this month."}).status_code == 302
    transfer.refresh_from_db()
    assert transfer.status == "declined"
    assert Survivor.objects.get(pk=case_a.survivor_id).organisation == org_a
    page = client_for(caseworker).get(f"/transfers/{transfer.pk}/").content.decode()
    assert "No Khmer-speaking staff this month." in page


def test_after_acceptance_the_old_organisations_alerts_no_longer_name_the_survivor(
        case_a, caseworker, org_b, users):
    survivor = case_a.survivor
    old = Actor.for_user(caseworker, "cli")
    _consent_to(survivor, org_b, caseworker)
    referral = referrals.create_referral(old, survivor=survivor, recipient=org_b, case=case_a,
                                         needs=["legal_aid"])
    Referral.objects.filter(pk=referral.pk).update(
        sent_at=timezone.now() - dt.timedelta(days=30))  # long unanswered
    assert any(survivor.reference in a.title for a in referral_alerts(old))
    transfer = actions.request_transfer(old, case_a, to_organisation=org_b)
    case_tasks.accept_transfer(Actor.for_user(users[("b", Role.SUPERVISOR)], "web"), transfer)
    assert not any(survivor.reference in a.title for a in referral_alerts(old))


def test_after_a_transfer_the_case_lists_and_the_name_index_follow_the_survivor(
        case_a, caseworker, org_b, users):
    from northstar import policy
    from northstar.survivors import search
    from northstar.survivors.models import Case, NameToken

    survivor = case_a.survivor
    old_org = survivor.organisation_id
    _consent_to(survivor, org_b, caseworker)
    transfer = actions.request_transfer(Actor.for_user(caseworker, "cli"), case_a,
                                        to_organisation=org_b)
    case_tasks.accept_transfer(Actor.for_user(users[("b", Role.SUPERVISOR)], "web"), transfer)
    assert Case.objects.get(pk=case_a.pk).organisation_id == org_b.pk
    assert policy.visible_cases(Actor.for_user(users[("b", Role.CASEWORKER)], "web")).filter(
        pk=case_a.pk).exists()
    assert not policy.visible_cases(Actor.for_user(caseworker, "web")).filter(
        pk=case_a.pk).exists()
    tokens = set(NameToken.objects.filter(survivor=survivor).values_list("organisation_id",
                                                                          flat=True))
    assert tokens == {org_b.pk}
    assert survivor.pk not in [pk for pk, *_ in search.candidates(old_org, "Demo Sokha")]
    assert survivor.pk in [pk for pk, *_ in search.candidates(org_b.pk, "Demo Sokha")]

