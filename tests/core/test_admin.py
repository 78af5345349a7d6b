from django.contrib.auth.models import Permission

from northstar.core.models import Membership


def _admin(users):
    user = users[("a", "org_admin")]
    user.is_staff = True
    user.save()
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="core"))
    return user


def test_an_org_admin_manages_reference_data_in_the_admin(client, users, org_a):
    client.force_login(_admin(users))
    assert client.get("/admin/core/organisation/").status_code == 200
    page = client.get("/admin/core/membership/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "caseworker.a" in body
    assert "caseworker.b" not in body


def test_the_admin_offers_no_survivor_records(client, users, survivor_a):
    client.force_login(_admin(users))
    assert client.get("/admin/survivors/survivor/").status_code == 404


def test_the_audit_log_cannot_be_changed_in_the_admin(client, users, survivor_a):
    from northstar.core.models import AuditEntry

    client.force_login(_admin(users))
    entry = AuditEntry.objects.first()
    page = client.get(f"/admin/core/auditentry/{entry.pk}/change/")
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert client.post(f"/admin/core/auditentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk).exists()
    assert Membership.objects.count() == 12
