import pytest
from django.test import Client

from northstar.core.models import AuditEntry
from northstar.core.roles import Role
from northstar.portal.models import PortalAccess

pytestmark = pytest.mark.django_db


def _staff(user):
    client = Client()
    client.force_login(user)
    return client


def test_a_caseworker_sets_a_pin_and_it_is_audited_without_the_pin(survivor_a, caseworker):
    client = _staff(caseworker)
    url = f"/portal/staff/survivors/{survivor_a.pk}/access/"
    response = client.post(url, {"pin": "582047", "pin_again": "582047", "action": "pin"})
    assert response.status_code == 302
    access = PortalAccess.objects.get(survivor=survivor_a)
    assert access.pin_set_by == caseworker
    entry = AuditEntry.objects.get(record_type="portal_access")
    assert entry.note == "portal PIN set" and entry.actor == caseworker
    assert "582047" not in str(entry.fields) + entry.note
    assert "Active" in client.get(url).content.decode()


def test_mismatched_or_weak_pins_are_refused_next_to_the_field(survivor_a, caseworker):
    client = _staff(caseworker)
    url = f"/portal/staff/survivors/{survivor_a.pk}/access/"
    r1 = client.post(url, {"pin": "582047", "pin_again": "582048", "action": "pin"})
    assert "the two PINs are not the same" in r1.content.decode()
    r2 = client.post(url, {"pin": "123456", "pin_again": "123456", "action": "pin"})
    assert "too easy to guess" in r2.content.decode()
    assert not PortalAccess.objects.filter(survivor=survivor_a).exists()


def test_another_organisation_cannot_see_or_set_the_pin(survivor_a, other_caseworker):
    client = _staff(other_caseworker)
    url = f"/portal/staff/survivors/{survivor_a.pk}/access/"
    assert client.get(url).status_code == 404
    assert client.post(url, {"pin": "582047", "pin_again": "582047"}).status_code == 404
    assert not PortalAccess.objects.exists()


def test_a_researcher_cannot_set_a_pin(survivor_a, users):
    client = _staff(users[("a", Role.RESEARCHER)])
    assert client.get(f"/portal/staff/survivors/{survivor_a.pk}/access/").status_code == 404


def test_the_caseworker_can_turn_access_off(survivor_a, caseworker, with_pin):
    with_pin(survivor_a)
    client = _staff(caseworker)
    client.post(f"/portal/staff/survivors/{survivor_a.pk}/access/", {"action": "disable"})
    assert not PortalAccess.objects.get(survivor=survivor_a).enabled
    assert AuditEntry.objects.filter(note="portal access turned off").exists()


def test_the_survivor_page_shows_the_portal_panel(survivor_a, caseworker):
    html = _staff(caseworker).get(f"/survivors/{survivor_a.pk}/").content.decode()
    assert 'id="panel-portal"' in html and "Set up portal PIN" in html


def test_an_org_admin_sees_the_unreviewed_translations_per_language(users):
    client = _staff(users[("a", Role.ORG_ADMIN)])
    html = client.get("/portal/staff/translations/").content.decode()
    assert 'id="review-km"' in html and 'id="review-zh-hant"' in html
    assert "ចាកចេញរហ័ស" in html  # the Khmer "Quick exit", waiting for review
    only_thai = client.get("/portal/staff/translations/?language=th").content.decode()
    assert 'id="review-th"' in only_thai and 'id="review-km"' not in only_thai


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.RESEARCHER, Role.SUPERVISOR])
def test_other_roles_cannot_open_the_translation_review(users, role):
    assert _staff(users[("a", role)]).get("/portal/staff/translations/").status_code == 403


def test_reading_a_survivors_portal_access_over_the_api_is_audited(api, caseworker, survivor_a):
    response = api(caseworker).get(f"/api/v1/survivors/{survivor_a.pk}/portal-access")
    assert response.status_code == 200 and response.json()["has_pin"] is False
    entry = AuditEntry.objects.get(action="read", record_type="portal_access")
    assert entry.survivor_ref == survivor_a.reference and entry.channel == "api"
