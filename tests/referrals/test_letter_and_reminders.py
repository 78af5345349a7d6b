"""A recipient outside Northstar gets a letter with only the shared fields; silence is chased."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from northstar.core.models import AuditEntry
from northstar.referrals import actions, letter
from northstar.referrals.models import Referral
from northstar.survivors import actions as survivor_actions
from northstar.ui.panels import alerts_for


@pytest.fixture
def offline_referral(caseworker, actor_for, survivor_a, offline_shelter):
    actor = actor_for(caseworker)
    survivor_actions.record_consent(actor, survivor_a, purpose="referral",
                                    recipient=offline_shelter, language="km", method="written")
    return actions.create_referral(actor, survivor=survivor_a, recipient=offline_shelter,
                                   needs=["shelter", "medical"], urgency="urgent",
                                   shared_fields=["given_name", "languages", "needs"])


def test_letter_holds_only_the_shared_fields(offline_referral):
    values = letter.shared_values(offline_referral)
    assert values == {"reference": offline_referral.survivor.reference,
                      "given_name": "Demo Sokha", "languages": "km",
                      "needs": "Shelter, Medical care"}
    html = letter.render_html(offline_referral, values)
    assert "Demo Sokha" in html
    for secret in ("Testperson", "+855 12 345 678", "Demo street 1", "1998"):
        assert secret not in html


def test_letter_pdf_is_generated_and_audited_as_an_export(api, caseworker, offline_referral):
    response = api(caseworker).get(f"/api/v1/referrals/{offline_referral.pk}/letter.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    entry = AuditEntry.objects.get(action="export", record_type="referral")
    assert entry.fields == ["given_name", "languages", "needs", "reference"]
    assert entry.survivor_ref == offline_referral.survivor.reference


def test_no_letter_after_consent_is_withdrawn(api, caseworker, actor_for, offline_referral):
    survivor_actions.withdraw_consent(actor_for(caseworker), offline_referral.consent)
    response = api(caseworker).get(f"/api/v1/referrals/{offline_referral.pk}/letter.pdf")
    assert response.status_code == 422 and response.json()["field"] == "consent"
    assert not AuditEntry.objects.filter(action="export").exists()


def test_sender_records_the_answer_of_a_recipient_outside_northstar(api, caseworker,
                                                                   offline_referral):
    client = api(caseworker)
    body = client.get(f"/api/v1/referrals/{offline_referral.pk}").json()
    assert "accept" in body["actions"] and "revoke" in body["actions"]
    assert client.post(f"/api/v1/referrals/{offline_referral.pk}/accept", {}).json()[
        "status"] == "accepted"


def test_unanswered_urgent_referral_is_reminded_once_a_day(caseworker, actor_for, offline_referral):
    Referral.objects.filter(pk=offline_referral.pk).update(
        sent_at=timezone.now() - dt.timedelta(hours=30))
    out = io.StringIO()
    call_command("referral_reminders", stdout=out)
    assert f"referral #{offline_referral.pk}" in out.getvalue()
    assert "1 reminder(s)" in out.getvalue()
    out = io.StringIO()
    call_command("referral_reminders", stdout=out)
    assert "0 reminder(s)" in out.getvalue()
    titles = [a.title for a in alerts_for(actor_for(caseworker))]
    assert any("unanswered" in t for t in titles)


def test_a_fresh_routine_referral_is_not_chased(caseworker, actor_for, survivor_a, org_b,
                                                referral_consent):
    actions.create_referral(actor_for(caseworker), survivor=survivor_a, recipient=org_b,
                            needs=["legal_aid"])
    assert actions.send_reminders(actor_for(caseworker, "cli")) == []


def test_letter_in_another_language_renders_and_an_unknown_one_is_refused(api, caseworker,
                                                                         offline_referral):
    client = api(caseworker)
    km = client.get(f"/api/v1/referrals/{offline_referral.pk}/letter.pdf", {"language": "km"})
    assert km.status_code == 200 and km.content.startswith(b"%PDF")
    bad = client.get(f"/api/v1/referrals/{offline_referral.pk}/letter.pdf", {"language": "xx"})
    assert bad.status_code == 422 and bad.json()["field"] == "language"
    assert AuditEntry.objects.filter(action="export").count() == 1


def test_only_the_sender_prints_the_letter(api, other_caseworker, offline_referral):
    response = api(other_caseworker).get(f"/api/v1/referrals/{offline_referral.pk}/letter.pdf")
    assert response.status_code == 404


def test_letter_carries_a_khmer_name_in_a_khmer_font(caseworker, actor_for, offline_shelter):
    actor = actor_for(caseworker)
    survivor = survivor_actions.create_survivor(actor, data={"given_name": "សុខា",
                                                            "languages": ["km"]})
    survivor_actions.record_consent(actor, survivor, purpose="referral", recipient=offline_shelter,
                                    language="km", method="written")
    referral = actions.create_referral(actor, survivor=survivor, recipient=offline_shelter,
                                       needs=["shelter"])
    pdf = actions.referral_letter(actor, referral)
    assert any(b"Noto-Sans-Khmer" in name for name in _pdf_fonts(pdf))


def _pdf_fonts(pdf: bytes) -> set[bytes]:
    """Names of the fonts embedded in a PDF, including those in compressed object streams."""
    import re
    import zlib

    names = set(re.findall(rb"/BaseFont\s*/([A-Za-z0-9+\-]+)", pdf))
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            names.update(re.findall(rb"/BaseFont\s*/([A-Za-z0-9+\-]+)",
                                    zlib.decompress(match.group(1))))
        except zlib.error:
            continue
    return names


def test_sender_is_told_to_inform_the_recipient_when_consent_ends(caseworker, actor_for,
                                                                  offline_referral):
    actor = actor_for(caseworker)
    assert not any("consent for referral" in a.title for a in alerts_for(actor))
    survivor_actions.withdraw_consent(actor, offline_referral.consent, reason="moved on")
    [alert] = [a for a in alerts_for(actor) if "consent for referral" in a.title]
    assert offline_referral.recipient.name in alert.title and alert.severity == "overdue"
    actions.take_step(actor, offline_referral, step="close", note="recipient told by phone")
    assert not any("consent for referral" in a.title for a in alerts_for(actor))
