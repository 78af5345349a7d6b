"""The Django admin is for platform operators (superusers) only (issue 12 §1).

Today's attack: an org admin with ``is_staff`` and the model permissions renamed and
re-pointed another organisation and promoted their own membership. Here the same user,
with the same flags and permissions, is refused and nothing changes."""

from django.contrib.auth.models import Permission

from northstar.core.models import AuditEntry, Membership, Organisation
from northstar.core.roles import Role


def _org_admin_with_old_admin_rights(users):
    """An org admin set up the way seed_demo used to: staff, with core and referrals rights."""
    user = users[("a", Role.ORG_ADMIN)]
    user.is_staff = True
    user.save()
    user.user_permissions.add(*Permission.objects.filter(
        content_type__app_label__in=["core", "referrals"]))
    return user


def _operator(django_user_model):
    return django_user_model.objects.create_superuser(username="operator", password="x-Op-2026!")


def test_the_admin_refuses_an_org_admin(client, users, org_a):
    client.force_login(_org_admin_with_old_admin_rights(users))
    for url in ("/admin/", "/admin/core/organisation/", "/admin/core/membership/",
                "/admin/referrals/service/", "/admin/referrals/providerprofile/"):
        response = client.get(url)
        assert response.status_code == 302 and "/admin/login/" in response["Location"], url


def test_an_org_admin_cannot_rename_another_organisation_in_the_admin(client, users, org_b):
    client.force_login(_org_admin_with_old_admin_rights(users))
    client.post(f"/admin/core/organisation/{org_b.pk}/change/", {
        "name": "Renamed by A", "kind": "ngo", "jurisdiction": "KH", "code": "ORGB",
        "contact": "+000", "created_at_0": "2025-01-01", "created_at_1": "00:00:00"})
    org_b.refresh_from_db()
    assert (org_b.name, org_b.contact) == ("Org B (KH legal aid)", "")


def test_an_org_admin_cannot_promote_themself_in_the_admin(client, users, org_a):
    admin = _org_admin_with_old_admin_rights(users)
    client.force_login(admin)
    client.post(f"/admin/core/membership/{admin.membership.pk}/change/", {
        "user": admin.pk, "organisation": org_a.pk, "role": "supervisor",
        "preferred_language": "en"})
    assert Membership.objects.get(user=admin).role == Role.ORG_ADMIN


def test_an_operator_uses_the_admin_and_their_change_is_audited(client, users, org_b,
                                                                django_user_model):
    client.force_login(_operator(django_user_model))
    assert client.get("/admin/core/organisation/").status_code == 200
    response = client.post(f"/admin/core/organisation/{org_b.pk}/change/", {
        "name": "Org B (KH legal aid)", "kind": "legal_aid", "jurisdiction": "KH",
        "code": "ORGB", "on_platform": "on", "contact": "+855 23 111 222",
        "created_at_0": "2025-01-01", "created_at_1": "00:00:00"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Organisation.objects.get(pk=org_b.pk).contact == "+855 23 111 222"
    entry = AuditEntry.objects.get(record_type="organisation", record_id=str(org_b.pk))
    assert (entry.action, entry.channel, entry.actor_label) == ("update", "admin", "operator")
    assert "contact" in entry.fields and "name" not in entry.fields


def test_the_admin_offers_no_survivor_records(client, survivor_a, django_user_model):
    client.force_login(_operator(django_user_model))
    assert client.get("/admin/survivors/survivor/").status_code == 404


def test_the_audit_log_cannot_be_changed_in_the_admin(client, survivor_a, django_user_model):
    client.force_login(_operator(django_user_model))
    entry = AuditEntry.objects.first()
    page = client.get(f"/admin/core/auditentry/{entry.pk}/change/")
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert client.post(f"/admin/core/auditentry/{entry.pk}/delete/",
                       {"post": "yes"}).status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_an_operators_deletion_in_the_admin_is_audited(client, org_b, django_user_model):
    from northstar.referrals.models import Service

    service = Service.objects.create(provider=org_b, kind="legal_aid", name="Old clinic",
                                     jurisdictions=["KH"], languages=["km"])
    client.force_login(_operator(django_user_model))
    response = client.post(f"/admin/referrals/service/{service.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Service.objects.filter(pk=service.pk).exists()
    entry = AuditEntry.objects.get(record_type="service", action="delete")
    assert entry.record_id == str(service.pk) and "Old clinic" in entry.note
