"""Two records of one person merged: asked by a caseworker, approved by a supervisor, every
history kept on the record that stays, the other archived with a pointer, all audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from northstar.core.models import AuditEntry
from northstar.core.roles import Role
from northstar.justice import actions as justice
from northstar.survivors import actions
from northstar.survivors.models import Case, Consent, MergeRequest, NameToken, Survivor


@pytest.fixture
def two_records(caseworker, actor_for):
    actor = actor_for(caseworker)
    kept = actions.create_survivor(actor, data={"given_name": "Sokha", "family_name": "Chan",
                                                "phone": "+855 12 345 678"})
    merged = actions.create_survivor(actor, data={"given_name": "Sokhar", "family_name": "Chan"})
    for who in (kept, merged):
        case = actions.create_case(actor, who, data={"forms_of_exploitation": ["labour"]})
        justice.record_event(actor, case, kind="interview", occurred_on=dt.date(2025, 8, 1),
                             details={"interviewer": "Investigator", "interviewer_role": "police",
                                      "language": "km", "interpreter_present": True,
                                      "video_recorded": False})
        actions.record_consent(actor, who, purpose="case_management", language="km",
                               method="verbal")
    return kept, merged


def _ask(api, user, kept, merged):
    return api(user).post(f"/api/v1/survivors/{kept.pk}/merge-requests",
                          {"merged_id": merged.pk, "reason": "Same mother and village."})


def test_a_possible_duplicate_is_found_with_its_reasons(api, caseworker, two_records):
    kept, merged = two_records
    found = api(caseworker).post("/api/v1/survivors/duplicates",
                                 {"given_name": "Sokhar", "family_name": "Chan"}).json()
    assert {f["id"] for f in found} == {kept.pk, merged.pk}
    reasons = {f["id"]: f["reasons"] for f in found}
    assert "a name that sounds alike" in reasons[kept.pk]


def test_a_merge_keeps_both_histories_and_archives_the_other_record(
        api, caseworker, supervisor, two_records):
    kept, merged = two_records
    asked = _ask(api, caseworker, kept, merged)
    assert asked.status_code == 201, asked.content
    approved = api(supervisor).post(f"/api/v1/merge-requests/{asked.json()['id']}/approve", {})
    assert approved.status_code == 200, approved.content
    assert Case.objects.filter(survivor=kept).count() == 2
    assert Consent.objects.filter(survivor=kept).count() == 2
    assert Case.objects.filter(survivor=merged).count() == 0
    gone = Survivor.objects.get(pk=merged.pk)
    assert gone.archived_at is not None and gone.merged_into_id == kept.pk
    # Events and claims hang off the cases and so follow them.
    assert sum(c.timeline_events.count() for c in Case.objects.filter(survivor=kept)) >= 2
    moved = MergeRequest.objects.get().moved
    assert moved["merged_reference"] == merged.reference
    assert len(moved["records"]["survivors.Case.survivor"]) == 1
    assert not NameToken.objects.filter(survivor=merged).exists()
    notes = list(AuditEntry.objects.filter(action__in=("update", "delete"),
                                           record_type="survivor").values_list("note", flat=True))
    assert any(f"merged {merged.reference} into {kept.reference}" in n for n in notes)
    # The merged record is found no more; the kept one is, by either spelling.
    hits = api(caseworker).get("/api/v1/survivors/search?q=Sokha Chan").json()
    assert [h["id"] for h in hits] == [kept.pk]
    assert api(caseworker).get(f"/api/v1/survivors/{merged.pk}").status_code == 404


def test_a_caseworker_cannot_approve_and_no_one_approves_their_own_request(
        api, caseworker, supervisor, two_records):
    kept, merged = two_records
    asked = _ask(api, caseworker, kept, merged).json()
    assert api(caseworker).post(f"/api/v1/merge-requests/{asked['id']}/approve",
                                {}).status_code == 403
    mine = MergeRequest.objects.get(pk=asked["id"])
    mine.requested_by = supervisor
    mine.save()
    refused = api(supervisor).post(f"/api/v1/merge-requests/{asked['id']}/approve", {})
    assert refused.status_code == 422 and refused.json()["field"] == "status"
    assert Case.objects.filter(survivor=merged).count() == 1


def test_a_refused_merge_moves_nothing(api, caseworker, supervisor, two_records):
    kept, merged = two_records
    asked = _ask(api, caseworker, kept, merged).json()
    r = api(supervisor).post(f"/api/v1/merge-requests/{asked['id']}/refuse", {})
    assert r.json()["status"] == "refused"
    assert Case.objects.filter(survivor=merged).count() == 1
    assert Survivor.objects.get(pk=merged.pk).archived_at is None


def test_another_organisation_can_neither_ask_nor_approve(api, users, caseworker, two_records):
    kept, merged = two_records
    stranger = users[("b", Role.CASEWORKER)]
    assert _ask(api, stranger, kept, merged).status_code == 404
    asked = _ask(api, caseworker, kept, merged).json()
    assert api(users[("b", Role.SUPERVISOR)]).post(
        f"/api/v1/merge-requests/{asked['id']}/approve", {}).status_code == 404
    assert api(users[("b", Role.SUPERVISOR)]).get("/api/v1/merge-requests").json() == []


def test_a_merge_asks_for_a_reason_and_two_different_records(api, caseworker, two_records):
    kept, _ = two_records
    same = api(caseworker).post(f"/api/v1/survivors/{kept.pk}/merge-requests",
                                {"merged_id": kept.pk, "reason": "x"})
    assert same.status_code == 422 and same.json()["field"] == "merged_id"


def test_the_pages_ask_and_approve_without_javascript(caseworker, supervisor, two_records):
    kept, merged = two_records
    client = Client()
    client.force_login(caseworker)
    found = client.get("/people/search/", {"q": "Sokhar Chan"})
    assert found.status_code == 200 and merged.reference in found.content.decode()
    form = client.get("/people/merges/new/", {"kept": kept.pk, "merged": merged.pk})
    assert form.status_code == 200
    asked = client.post("/people/merges/new/", {"kept": kept.pk, "merged": merged.pk,
                                                "reason": "Same village."})
    assert asked.status_code == 302
    boss = Client()
    boss.force_login(supervisor)
    merge = MergeRequest.objects.get()
    assert boss.post(f"/people/merges/{merge.pk}/decide/",
                     {"decision": "approve"}).status_code == 302
    assert Survivor.objects.get(pk=merged.pk).merged_into_id == kept.pk


def test_the_caseload_has_a_name_search_box(caseworker, two_records):
    client = Client()
    client.force_login(caseworker)
    page = client.get("/").content.decode()
    assert 'action="/people/search/"' in page


def test_the_supervisor_sees_why_a_merge_was_asked_and_the_opening_is_audited(
        caseworker, supervisor, two_records, actor_for):
    kept, merged = two_records
    request = actions.request_merge(actor_for(caseworker), kept=kept, merged=merged,
                                    reason="Same mother and village.")
    page = Client()
    page.force_login(supervisor)
    html = page.get("/people/merges/").content.decode()
    assert "Same mother and village." in html
    assert f'href="/survivors/{kept.pk}/"' in html and f'href="/survivors/{merged.pk}/"' in html
    entry = AuditEntry.objects.filter(action="read", record_type="merge_request").latest("pk")
    assert entry.record_ids == [str(request.pk)] and entry.fields == ["reason"]
