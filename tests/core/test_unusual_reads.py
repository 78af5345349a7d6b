"""One account opening an unusual number of full survivor records in a short time raises an
alert to its organisation's supervisors; the threshold is data, and the alert is audited."""

import tomllib

import pytest
from django.test import Client

from northstar.core import unusual_reads
from northstar.core.models import AuditEntry, UnusualReadAlert
from northstar.survivors import actions


@pytest.fixture
def many_survivors(caseworker, actor_for):
    actor = actor_for(caseworker)
    return [actions.create_survivor(actor, data={"given_name": f"Person {i}",
                                                 "family_name": "Example", "sex": "female"})
            for i in range(unusual_reads.THRESHOLD + 1)]


def test_the_threshold_is_data_with_a_source_and_a_date():
    with open(unusual_reads.RULES_FILE, "rb") as fh:
        rule = tomllib.load(fh)["unusual_reads"]
    assert rule["records"] == unusual_reads.THRESHOLD
    assert rule["source"] and rule["checked"]


def test_opening_many_full_records_quickly_alerts_the_supervisors_once(
        api, caseworker, supervisor, many_survivors):
    client = api(caseworker)
    for survivor in many_survivors[:-1]:
        assert client.get(f"/api/v1/survivors/{survivor.pk}").status_code == 200
    assert not UnusualReadAlert.objects.exists()  # up to the threshold is ordinary work
    client.get(f"/api/v1/survivors/{many_survivors[-1].pk}")
    alert = UnusualReadAlert.objects.get()
    assert alert.user == caseworker and alert.records == unusual_reads.THRESHOLD + 1
    assert alert.organisation == caseworker.membership.organisation
    client.get(f"/api/v1/survivors/{many_survivors[0].pk}")
    assert UnusualReadAlert.objects.count() == 1  # one per window

    entry = AuditEntry.objects.get(record_type="unusual_read_alert")
    assert caseworker.username in entry.note and entry.record_id == str(alert.pk)

    seen = api(supervisor).get("/api/v1/audit/alerts").json()
    assert [a["user"] for a in seen] == [caseworker.username]
    assert api(caseworker).get("/api/v1/audit/alerts").status_code == 403
    page = Client()
    page.force_login(supervisor)
    html = page.get("/audit/").content.decode()
    assert f"{caseworker.username} opened {unusual_reads.THRESHOLD + 1} full survivor records" in html


def test_the_other_organisation_does_not_see_the_alert(api, caseworker, users, many_survivors):
    client = api(caseworker)
    for survivor in many_survivors:
        client.get(f"/api/v1/survivors/{survivor.pk}")
    other_supervisor = users[("b", "supervisor")]
    assert api(other_supervisor).get("/api/v1/audit/alerts").json() == []


def test_lists_without_personal_fields_do_not_count(api, caseworker, many_survivors):
    client = api(caseworker)
    for _ in range(3):
        assert client.get("/api/v1/survivors", {"page_size": 200}).status_code == 200
    assert not UnusualReadAlert.objects.exists()
