import pytest

from northstar.core.models import AuditEntry
from northstar.core.roles import Role
from northstar.portal import actions
from northstar.portal.models import PortalAccess

pytestmark = pytest.mark.django_db


def test_staff_set_a_pin_over_the_api_and_only_its_hash_is_kept(survivor_a, caseworker, api):
    client = api(caseworker)
    r = client.post(f"/api/v1/survivors/{survivor_a.pk}/portal-access", {"pin": "582047"})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["has_pin"] and body["enabled"] and not body["locked"]
    assert "582047" not in r.content.decode()
    assert actions.sign_in(reference=survivor_a.reference, pin="582047", client="t").ok
    assert AuditEntry.objects.filter(record_type="portal_access", channel="api").exists()


def test_a_weak_pin_is_a_422_naming_the_field_and_changes_nothing(survivor_a, caseworker, api):
    r = api(caseworker).post(f"/api/v1/survivors/{survivor_a.pk}/portal-access", {"pin": "000000"})
    assert r.status_code == 422 and r.json()["field"] == "pin"
    r = api(caseworker).post(f"/api/v1/survivors/{survivor_a.pk}/portal-access",
                            {"pin": "582047", "extra": 1})
    assert r.status_code == 422
    assert not PortalAccess.objects.exists()


def test_another_organisation_gets_404(survivor_a, other_caseworker, api):
    client = api(other_caseworker)
    assert client.get(f"/api/v1/survivors/{survivor_a.pk}/portal-access").status_code == 404
    assert client.post(f"/api/v1/survivors/{survivor_a.pk}/portal-access",
                      {"pin": "582047"}).status_code == 404
    assert not PortalAccess.objects.exists()


def test_turning_access_off_over_the_api(survivor_a, caseworker, api, with_pin):
    with_pin(survivor_a)
    r = api(caseworker).delete(f"/api/v1/survivors/{survivor_a.pk}/portal-access")
    assert r.status_code == 200 and r.json()["enabled"] is False
    assert not actions.sign_in(reference=survivor_a.reference, pin="482913", client="t").ok


def test_the_review_list_is_for_org_admins_only(users, api):
    r = api(users[("a", Role.ORG_ADMIN)]).get("/api/v1/translations/review")
    assert r.status_code == 200
    km = next(x for x in r.json() if x["language"] == "km")
    assert "Quick exit" in km["unreviewed"]
    assert api(users[("a", Role.CASEWORKER)]).get("/api/v1/translations/review").status_code == 403
