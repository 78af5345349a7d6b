"""The anonymous report page: no account, a cheap phone, and nothing that leads back to
whoever sent it."""

from __future__ import annotations

import logging

import pytest
from django.apps import apps
from django.contrib.sessions.models import Session
from django.db import models
from django.test import Client

from northstar.core.fields import EncryptedTextField, reveal
from northstar.core.models import AuditEntry
from northstar.intelligence.models import Channel, Mention, Report
from northstar.intelligence.rules import engine
from tests.intelligence.conftest import send

ADDRESS = "203.0.113.77"
DEVICE = "device-zz9-plural-z-alpha"
REPORT = {"from_country": "MM", "to_country": "TH", "via": ["LA"],
          "agencies": "Golden Star Recruitment Co., Ltd", "recruiters": "Ko Aung (Big Brother)",
          "methods": ["debt", "documents"], "country": "TH", "province": "Tak",
          "debts": "30,000 baht for the broker", "details": "They kept our passports."}


def _every_stored_text() -> list[tuple[str, str]]:
    """Every text, JSON and sealed value of every row of every table (sealed ones opened)."""
    found = []
    for model in apps.get_models():
        fields = [f for f in model._meta.concrete_fields
                  if isinstance(f, models.CharField | models.TextField | models.JSONField
                                | models.GenericIPAddressField)]
        for row in model._base_manager.values_list(*[f.attname for f in fields]) if fields else []:
            for field, value in zip(fields, row, strict=True):
                text = reveal(value) if isinstance(field, EncryptedTextField) else str(value)
                found.append((f"{model._meta.label}.{field.name}", text))
    return found


def test_an_anonymous_report_made_without_an_account_can_be_traced_to_no_one(
        org_a, sharing, caplog):
    caplog.set_level(logging.DEBUG)
    client = Client(REMOTE_ADDR=ADDRESS, HTTP_X_FORWARDED_FOR=ADDRESS,
                    HTTP_USER_AGENT=f"Phone {DEVICE}")
    client.cookies["nsr"] = DEVICE
    assert client.get("/intelligence/report/?lang=my").status_code == 200
    response = client.post("/intelligence/report/?lang=my",
                           {"organisation": str(org_a.pk), "lang": "my", **REPORT})
    assert response.status_code == 200, response.content[:500]
    assert b'id="report-sent"' in response.content

    report = Report.objects.get()
    assert report.channel == Channel.ANONYMOUS and report.week.weekday() == 0
    assert "Golden Star" in reveal(Mention.objects.filter(kind="agency").get().name)
    stored = _every_stored_text()
    assert stored, "the search found no text at all"
    for where, text in stored:
        assert ADDRESS not in text, f"the sender's address is stored in {where}"
        assert DEVICE not in text, f"the sender's device id is stored in {where}"
    logged = caplog.text + "".join(str(r.__dict__) for r in caplog.records)
    assert ADDRESS not in logged and DEVICE not in logged
    assert not Session.objects.exists(), "the anonymous page opened a session"
    # The one audit entry names no report and no one: an id with its exact time would undo
    # the coarse week.
    entry = AuditEntry.objects.get(record_type="intelligence_report")
    assert entry.record_id == "" and entry.record_ids == [] and entry.actor is None
    assert entry.survivor_ref == "" and entry.actor_label == "system:web"


def test_a_report_has_no_column_for_a_survivor_a_case_or_its_sender():
    names = {f.name for f in Report._meta.get_fields()}
    assert not names & {"survivor", "case", "user", "created_by", "ip", "address", "device",
                        "created_at", "reporter"}
    assert {"week", "details", "province"} <= names
    assert isinstance(Report._meta.get_field("details"), EncryptedTextField)
    assert isinstance(Report._meta.get_field("province"), EncryptedTextField)


def test_the_page_works_without_an_account_in_every_language_and_is_small(org_a, sharing):
    client = Client()
    for code in ("en", "km", "th", "vi", "my", "fil", "id", "lo", "zh-hant"):
        response = client.get(f"/intelligence/report/?lang={code}")
        assert response.status_code == 200
        assert f'<html lang="{code}">'.encode() in response.content
        assert b"<script" not in response.content  # no JavaScript needed
        assert len(response.content) < 100_000
        assert response["Cache-Control"].startswith("no-store")
    assert b'name="viewport"' in response.content
    assert not Session.objects.exists()


def test_the_device_cookie_is_set_once_and_kept_only_on_the_phone(org_a, sharing):
    client = Client()
    response = client.get("/intelligence/report/")
    cookie = response.cookies["nsr"]
    assert cookie["httponly"] and cookie["samesite"] == "Strict"
    assert cookie["path"] == "/intelligence/report/"
    assert "nsr" not in client.get("/intelligence/report/").cookies


def test_the_n_plus_first_report_from_one_device_in_a_day_is_refused_politely(org_a, sharing):
    allowed = engine.rules().rate_limit.per_device_per_day
    for _ in range(allowed):
        assert send(org_a, device="one-phone", details="A recruiter at the market.").status_code == 200
    refused = send(org_a, device="one-phone", details="Again.")
    assert refused.status_code == 429
    assert b'id="report-too-many"' in refused.content and b"Thank you" in refused.content
    assert Report.objects.count() == allowed
    # Another phone is not held back by the first one's reports.
    assert send(org_a, device="another-phone", details="Something else.").status_code == 200


def test_without_a_cookie_the_address_is_counted_hashed_not_kept(org_a, sharing):
    allowed = engine.rules().rate_limit.per_device_per_day
    client = Client(REMOTE_ADDR=ADDRESS)
    for _ in range(allowed):
        client.cookies.clear()
        response = client.post("/intelligence/report/", {"organisation": str(org_a.pk),
                                                         "details": "Seen at the border."})
        assert response.status_code == 200
    client.cookies.clear()
    assert client.post("/intelligence/report/", {"organisation": str(org_a.pk),
                                                 "details": "x"}).status_code == 429
    assert all(ADDRESS not in text for _, text in _every_stored_text())


@pytest.mark.parametrize(("field", "value"), [
    ("from_country", "XX"), ("to_country", "Thailand"), ("via", "ZZ"), ("methods", "torture"),
    ("organisation", "999999"), ("details", "x" * 2001), ("agencies", "y" * 201),
])
def test_bad_input_is_422_naming_the_field(org_a, sharing, field, value):
    response = send(org_a, **{"details": "Seen.", field: value})
    assert response.status_code == 422, (field, response.content[:300])
    assert f'data-field="{field}"'.encode() in response.content
    assert not Report.objects.exists()


def test_an_empty_report_is_422_and_asks_for_one_thing(org_a, sharing):
    response = send(org_a)
    assert response.status_code == 422 and b'data-field="details"' in response.content


def test_only_organisations_that_chose_to_receive_are_offered(org_a, org_b, sharing):
    sharing(org_b, receives_anonymous=False)
    page = Client().get("/intelligence/report/").content.decode()
    assert org_a.name in page and org_b.name not in page
    assert send(org_b, details="Seen.").status_code == 422


def test_without_a_choice_a_report_goes_to_the_platforms_intake_organisation(
        org_a, org_b, sharing, settings):
    settings.NORTHSTAR_INTELLIGENCE_INTAKE_ORG = org_b.code
    client = Client()
    assert client.post("/intelligence/report/", {"details": "Seen."}).status_code == 200
    assert Report.objects.get().organisation == org_b
    settings.NORTHSTAR_INTELLIGENCE_INTAKE_ORG = ""
    response = client.post("/intelligence/report/", {"details": "Seen."})
    assert response.status_code == 422 and b'data-field="organisation"' in response.content


def test_a_new_device_cookie_with_every_report_does_not_lift_the_limit(org_a, sharing):
    """The cookie is the sender's to choose: the address (hashed, never kept) has its own,
    higher limit, so a campaign of reports against a name is still held back."""
    per_address = engine.rules().rate_limit.per_address_per_day
    assert per_address > engine.rules().rate_limit.per_device_per_day
    for n in range(per_address):
        assert send(org_a, device=f"fresh-{n}", address=ADDRESS,
                    details="A recruiter at the market.").status_code == 200
    refused = send(org_a, device="fresh-again", address=ADDRESS, details="Again.")
    assert refused.status_code == 429
    assert Report.objects.count() == per_address
    # Another address is not held back by the first one's reports.
    assert send(org_a, device="fresh-again", address="198.51.100.99",
                details="Something else.").status_code == 200
    assert all(ADDRESS not in text for _, text in _every_stored_text())
