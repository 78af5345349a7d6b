"""An organisation's admin administers that organisation only (issue 12 §1, issue 14).

Each attack of the hardening report, made through the pages an org admin now has:
another organisation's profile, service or person answers 404 and stays unchanged; an
admin cannot promote or deactivate themself; every change is in the audit log with the
fields that changed, never a password."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model

from northstar.core.models import AuditEntry, Membership, Organisation
from northstar.core.roles import Role
from northstar.referrals.models import ProviderProfile, Service
from tests.conftest import make_user

SERVICE = {"kind": "shelter", "name": "Night shelter", "jurisdictions": ["TH"],
           "areas": "Bangkok; Samut Sakhon", "languages": ["th", "my"], "serves": "women",
           "trauma_informed": "on", "movement_restrictions": "", "capacity": "12",
           "waiting_days": "2", "contact": "+66 2 000 0000", "active": "on"}


@pytest.fixture
def admin_a(users):
    return users[("a", Role.ORG_ADMIN)]


@pytest.fixture
def as_admin_a(client, admin_a):
    client.force_login(admin_a)
    return client


@pytest.fixture
def service_b(org_b):
    return Service.objects.create(provider=org_b, kind="legal_aid", name="Labour clinic",
                                  jurisdictions=["KH"], languages=["km"], contact="+855 1")


def _writes():
    return AuditEntry.objects.exclude(action__in=("read", "export"))


# --- Another organisation: 404 and unchanged ---------------------------------------------


def test_another_organisations_service_is_404_and_unchanged(as_admin_a, service_b):
    url = f"/organisation/services/{service_b.pk}/"
    assert as_admin_a.get(url).status_code == 404
    response = as_admin_a.post(url, {**SERVICE, "contact": "+66 9 hijacked"})
    assert response.status_code == 404
    service_b.refresh_from_db()
    assert (service_b.contact, service_b.name) == ("+855 1", "Labour clinic")
    assert not _writes().filter(record_type="service").exists()


def test_another_organisations_person_is_404_and_unchanged(as_admin_a, users):
    other = users[("b", Role.CASEWORKER)]
    url = f"/organisation/people/{other.membership.pk}/"
    assert as_admin_a.get(url).status_code == 404
    assert as_admin_a.post(url, {"do": "role", "role": "supervisor"}).status_code == 404
    assert as_admin_a.post(url, {"do": "deactivate"}).status_code == 404
    other.refresh_from_db()
    assert other.is_active and other.membership.role == Role.CASEWORKER


def test_the_profile_page_changes_only_the_admins_own_organisation(as_admin_a, org_a, org_b):
    response = as_admin_a.post("/organisation/profile/", {
        "name": "Org A renamed", "kind": "ngo", "contact": "+66 2 123 4567",
        "require_two_factor": "on"})
    assert response.status_code == 302
    org_a.refresh_from_db(), org_b.refresh_from_db()
    assert (org_a.name, org_a.contact, org_a.require_two_factor) == (
        "Org A renamed", "+66 2 123 4567", True)
    assert (org_b.name, org_b.contact) == ("Org B (KH legal aid)", "")
    entry = _writes().get(record_type="organisation")
    assert (entry.action, entry.record_id) == ("update", str(org_a.pk))
    assert entry.fields == ["contact", "name", "require_two_factor"]


def test_an_organisation_cannot_take_another_organisations_name(as_admin_a, org_a):
    response = as_admin_a.post("/organisation/profile/", {
        "name": "org b (kh legal aid)", "kind": "ngo", "contact": ""})
    assert response.status_code == 422
    assert "Another organisation has this name" in response.content.decode()
    org_a.refresh_from_db()
    assert org_a.name == "Org A (TH NGO)"


@pytest.mark.parametrize("role", [r for r in Role.values if r != Role.ORG_ADMIN])
def test_other_roles_get_404_on_every_organisation_page(client, users, role, org_a):
    client.force_login(users[("a", role)])
    for url in ("/organisation/", "/organisation/profile/", "/organisation/provider/",
                "/organisation/services/", "/organisation/services/new/",
                "/organisation/people/", "/organisation/people/new/",
                f"/organisation/people/{users[('a', Role.CASEWORKER)].membership.pk}/"):
        assert client.get(url).status_code == 404, (role, url)
    assert client.post("/organisation/profile/", {"name": "Taken over", "kind": "ngo"}
                       ).status_code == 404
    org_a.refresh_from_db()
    assert org_a.name == "Org A (TH NGO)"


# --- Services and the provider profile ----------------------------------------------------


def test_an_admin_adds_and_withdraws_a_service_audited_with_the_fields(as_admin_a, org_a):
    assert as_admin_a.post("/organisation/services/new/", SERVICE).status_code == 302
    service = Service.objects.get(provider=org_a)
    assert (service.areas, service.languages, service.serves) == (
        ["Bangkok", "Samut Sakhon"], ["th", "my"], ["women"])
    assert _writes().get(record_type="service").action == "create"
    page = as_admin_a.get("/organisation/services/")
    assert "Night shelter" in page.content.decode()
    withdrawn = {k: v for k, v in SERVICE.items() if k != "active"} | {"capacity": "10"}
    assert as_admin_a.post(f"/organisation/services/{service.pk}/",
                           withdrawn).status_code == 302
    service.refresh_from_db()
    assert (service.active, service.capacity) == (False, 10)
    update = _writes().get(record_type="service", action="update")
    assert update.fields == ["active", "capacity"] and update.record_id == str(service.pk)


def test_a_service_with_a_bad_language_is_refused_naming_the_field(as_admin_a, org_a):
    response = as_admin_a.post("/organisation/services/new/", {**SERVICE, "languages": "thai!"})
    assert response.status_code == 422
    assert "Choose languages from the list." in response.content.decode()
    assert not Service.objects.exists()


def test_the_provider_profile_is_saved_and_audited(as_admin_a, org_a):
    response = as_admin_a.post("/organisation/provider/", {
        "areas_served": "Bangkok; Chiang Mai", "contact_name": "Duty officer",
        "contact_phone": "+66 2 999 9999", "contact_email": "", "website": "", "notes": ""})
    assert response.status_code == 302
    profile = ProviderProfile.objects.get(organisation=org_a)
    assert profile.areas_served == ["Bangkok", "Chiang Mai"]
    assert profile.contact_phone == "+66 2 999 9999"
    entry = _writes().get(record_type="provider_profile")
    assert entry.action == "create"
    assert {"areas_served", "contact_name", "contact_phone"} <= set(entry.fields)


# --- People -------------------------------------------------------------------------------


def test_an_admin_creates_a_user_with_a_role_and_a_one_time_password(as_admin_a, org_a):
    response = as_admin_a.post("/organisation/people/new/", {
        "username": "new.caseworker", "first_name": "Dara", "last_name": "Sok",
        "email": "", "role": "caseworker"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    password = re.search(r"<code>([^<]+)</code></strong>", response.content.decode()).group(1)
    user = get_user_model().objects.get(username="new.caseworker")
    assert user.membership.organisation == org_a and user.membership.role == Role.CASEWORKER
    assert user.check_password(password) and not user.is_staff
    entry = _writes().get(record_type="membership", action="create")
    assert "role" in entry.fields and "password" not in " ".join(entry.fields)
    assert password not in entry.note
    assert as_admin_a.get("/organisation/people/").content.decode().count("new.caseworker") == 1


def test_a_taken_username_is_refused_and_nothing_is_created(as_admin_a, users):
    response = as_admin_a.post("/organisation/people/new/", {
        "username": "caseworker.b", "role": "supervisor"})
    assert response.status_code == 422
    assert Membership.objects.get(user__username="caseworker.b").role == Role.CASEWORKER
    assert Membership.objects.count() == len(users)


def test_the_add_person_form_lists_no_other_organisations_usernames(as_admin_a, users):
    body = as_admin_a.get("/organisation/people/new/").content.decode()
    assert not any(name.endswith(".b") and name in body
                   for name in get_user_model().objects.values_list("username", flat=True))
    assert "caseworker.a" not in body  # it lists nobody: a person is created here
    people = as_admin_a.get("/organisation/people/").content.decode()
    assert "caseworker.a" in people and "caseworker.b" not in people


def test_an_admin_changes_someone_elses_role_audited(as_admin_a, users):
    member = users[("a", Role.CASEWORKER)].membership
    response = as_admin_a.post(f"/organisation/people/{member.pk}/",
                               {"do": "role", "role": "legal_officer"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.role == Role.LEGAL_OFFICER
    entry = _writes().get(record_type="membership", action="update")
    assert entry.fields == ["role"] and "caseworker → legal_officer" in entry.note


def test_an_admin_cannot_promote_themself(as_admin_a, admin_a):
    url = f"/organisation/people/{admin_a.membership.pk}/"
    page = as_admin_a.get(url)
    assert page.status_code == 200 and 'id="role-form"' not in page.content.decode()
    assert as_admin_a.post(url, {"do": "role", "role": "supervisor"}).status_code == 403
    assert as_admin_a.post(url, {"do": "deactivate"}).status_code == 403
    admin_a.refresh_from_db()
    assert admin_a.membership.role == Role.ORG_ADMIN and admin_a.is_active
    assert not _writes().filter(record_type__in=("membership", "user")).exists()


def test_a_deactivated_person_cannot_sign_in_and_is_reactivated_not_deleted(as_admin_a, users,
                                                                             client):
    from tests.conftest import PASSWORD

    person = users[("a", Role.RESEARCHER)]
    url = f"/organisation/people/{person.membership.pk}/"
    assert as_admin_a.post(url, {"do": "deactivate"}).status_code == 302
    person.refresh_from_db()
    assert person.is_active is False
    assert not client.login(username=person.username, password=PASSWORD)
    entry = _writes().get(record_type="user")
    assert (entry.record_id, entry.fields) == (str(person.pk), ["is_active"])
    assert as_admin_a.post(url, {"do": "reactivate"}).status_code == 302
    person.refresh_from_db()
    assert person.is_active and _writes().filter(record_type="user").count() == 2


def test_a_second_admin_may_change_the_first(client, users, org_a):
    first = users[("a", Role.ORG_ADMIN)]
    second = make_user("org_admin2.a", org_a, Role.ORG_ADMIN)
    client.force_login(second)
    response = client.post(f"/organisation/people/{first.membership.pk}/",
                           {"do": "role", "role": "supervisor"})
    assert response.status_code == 302
    assert Membership.objects.get(user=first).role == Role.SUPERVISOR


# --- Navigation and phones ---------------------------------------------------------------


def test_the_navigation_offers_the_organisation_to_admins_only(client, users):
    client.force_login(users[("a", Role.ORG_ADMIN)])
    assert 'href="/organisation/"' in client.get("/organisation/").content.decode()
    client.force_login(users[("a", Role.CASEWORKER)])
    assert 'href="/organisation/"' not in client.get("/").content.decode()


def test_the_pages_are_plain_forms_that_work_without_javascript(as_admin_a, users):
    member = users[("a", Role.CASEWORKER)].membership
    for url in ("/organisation/", "/organisation/profile/", "/organisation/provider/",
                "/organisation/services/new/", "/organisation/people/",
                "/organisation/people/new/", f"/organisation/people/{member.pk}/"):
        body = as_admin_a.get(url).content.decode()
        assert 'name="viewport"' in body
        assert "hx-" not in body.split("<main", 1)[1], url  # no htmx needed to use them
        assert "<table" not in body.split("<main", 1)[1], url  # one column on a phone


def test_an_org_admin_still_reviews_translations(users, actor_for):
    from northstar import policy

    admin = users[("a", Role.ORG_ADMIN)]
    assert admin.is_staff is False
    assert policy.may_review_translations(actor_for(admin))


def test_another_organisation_admin_sees_only_their_own(client, users, org_b):
    client.force_login(users[("b", Role.ORG_ADMIN)])
    body = client.get("/organisation/").content.decode()
    assert org_b.name in body and Organisation.objects.get(code="ORGA").name not in body


def test_a_service_form_ticks_who_it_serves_in_the_readers_language(as_admin_a, org_a):
    """Who a service serves is ticked from the populations, named in the admin's language
    (it was typed as codes, "children; women", with the codes as help); the service keeps
    the codes."""
    as_admin_a.cookies["django_language"] = "km"
    html = as_admin_a.get("/organisation/services/new/", HTTP_ACCEPT_LANGUAGE="km").content.decode()
    boxes = re.findall(r'<input type="checkbox" name="serves" value="([a-z_]+)"', html)
    assert {"children", "women"} <= set(boxes)
    assert "កុមារ" in html and "ស្ត្រី" in html  # "Children", "Women"
    assert "children, women" not in html  # the codes are no longer the help text
    posted = {**SERVICE, "serves": ["children", "women"]}
    assert as_admin_a.post("/organisation/services/new/", posted).status_code == 302
    assert Service.objects.get(provider=org_a).serves == ["children", "women"]


def test_a_service_serving_an_unknown_population_is_refused_naming_the_field(as_admin_a,
                                                                              org_a):
    response = as_admin_a.post("/organisation/services/new/",
                               {**SERVICE, "serves": ["women", "giants"]})
    assert response.status_code == 422
    html = response.content.decode()
    group = html.split("<legend>Serves (empty: everyone)</legend>")[1].split("</div>\n<div")[0]
    assert 'aria-invalid="true"' in group and "giants" in group  # the error beside its field
    assert not Service.objects.exists()
