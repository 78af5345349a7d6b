"""The council coordinator's landing page: who chose advocacy, by reference only (issue 14)."""

from __future__ import annotations

from django.test import Client

from northstar.core.models import AuditEntry
from northstar.core.roles import Role
from northstar.survivors import actions


def _coordinator(users) -> Client:
    client = Client()
    client.force_login(users[("a", Role.COUNCIL_COORDINATOR)])
    return client


def _takes_part(survivor, caseworker, actor_for, how="anonymous"):
    actor = actor_for(caseworker)
    actions.record_consent(actor, survivor, purpose="advocacy", language="km", method="verbal")
    survivor.advocacy_visibility = how
    survivor.save(update_fields=["advocacy_visibility"])


def test_the_coordinator_sees_who_chose_advocacy_by_reference_only_and_the_read_is_audited(
        users, survivor_a, caseworker, actor_for):
    _takes_part(survivor_a, caseworker, actor_for)
    page = _coordinator(users).get("/advocacy/").content.decode()
    assert survivor_a.reference in page and "Takes part anonymously" in page
    assert "Demo Sokha" not in page and "+855" not in page
    entry = AuditEntry.objects.filter(action="read", note__startswith="advocacy participants").get()
    assert entry.record_ids == [str(survivor_a.pk)]


def test_without_advocacy_consent_or_choice_nobody_is_listed(users, survivor_a, caseworker,
                                                               actor_for):
    survivor_a.advocacy_visibility = "anonymous"
    survivor_a.save(update_fields=["advocacy_visibility"])  # chose it, but no consent recorded
    page = _coordinator(users).get("/advocacy/").content.decode()
    assert survivor_a.reference not in page and 'id="advocacy-empty"' in page


def test_a_withdrawn_advocacy_consent_takes_the_survivor_off_the_list(
        users, survivor_a, caseworker, actor_for):
    _takes_part(survivor_a, caseworker, actor_for)
    consent = survivor_a.consents.get(purpose="advocacy")
    actions.withdraw_consent(actor_for(caseworker), consent, reason="She changed her mind.")
    assert survivor_a.reference not in _coordinator(users).get("/advocacy/").content.decode()


def test_the_other_organisations_coordinator_and_case_staff_do_not_get_the_page(
        users, survivor_a, caseworker, actor_for):
    _takes_part(survivor_a, caseworker, actor_for)
    other = Client()
    other.force_login(users[("b", Role.COUNCIL_COORDINATOR)])
    assert survivor_a.reference not in other.get("/advocacy/").content.decode()
    staff = Client()
    staff.force_login(caseworker)
    assert staff.get("/advocacy/").status_code == 403
