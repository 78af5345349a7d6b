"""A consent's scope note and withdrawal reason can name people: sealed at rest, opened with
an audited read for the survivor's own organisation."""

from __future__ import annotations

from northstar.core.models import AuditEntry
from tests.raw import raw_column


def test_scope_note_and_withdrawal_reason_are_sealed_and_read_back(api, caseworker, survivor_a):
    client = api(caseworker)
    given = client.post(f"/api/v1/survivors/{survivor_a.pk}/consents", {
        "purpose": "research", "language": "km", "method": "verbal",
        "scope_note": "not to be shared with her brother Vuthy"})
    assert given.status_code == 201 and given.json()["scope_note"].endswith("Vuthy")
    cid = given.json()["id"]
    client.post(f"/api/v1/consents/{cid}/withdraw", {"reason": "Vuthy found out about the study"})
    stored = (raw_column("survivors_consent", "scope_note")
              + raw_column("survivors_consent", "withdrawal_reason"))
    assert stored and all("Vuthy" not in v for v in stored)

    one = client.get(f"/api/v1/consents/{cid}").json()
    assert one["scope_note"] == "not to be shared with her brother Vuthy"
    assert one["withdrawal_reason"] == "Vuthy found out about the study"
    listed = client.get(f"/api/v1/survivors/{survivor_a.pk}/consents").json()["items"]
    assert [c["withdrawal_reason"] for c in listed] == ["Vuthy found out about the study"]
    assert AuditEntry.objects.filter(record_type="consent", action="read",
                                     fields=["scope_note", "withdrawal_reason"]).count() == 2


def test_a_too_long_scope_note_is_refused_at_the_edge(api, caseworker, survivor_a):
    response = api(caseworker).post(f"/api/v1/survivors/{survivor_a.pk}/consents", {
        "purpose": "research", "language": "km", "method": "verbal", "scope_note": "x" * 501})
    assert response.status_code == 422 and "scope_note" in response.content.decode()
