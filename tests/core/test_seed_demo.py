import json

from django.contrib.auth import get_user_model
from django.core.management import call_command

from northstar.core.models import Organisation
from northstar.survivors.models import Case, Consent, Survivor


def test_the_demo_has_two_jurisdictions_a_user_per_role_and_fifty_survivors_and_runs_twice(
    db, settings, tmp_path, client
):
    settings.VAR_DIR = tmp_path
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed_demo", stdout=open(tmp_path / "out.txt", "w"))
    orgs = Organisation.objects.filter(on_platform=True, code__in=["MHF", "PPLA"])
    assert sorted(orgs.values_list("jurisdiction", flat=True)) == ["KH", "TH"]
    assert Survivor.objects.count() == 50
    assert Case.objects.count() >= 50
    assert Consent.objects.filter(purpose="case_management").count() == 50
    creds = json.loads((tmp_path / "demo-credentials.json").read_text())
    assert {"caseworker.th", "researcher.kh", "org_admin.th"} <= creds.keys()
    # Every name is plainly fake.
    assert all(s.given_name.reveal().startswith("Demo ") for s in Survivor.objects.all())
    # A demo log-in works, and so does the demo survivor's portal sign-in.
    assert client.login(username="caseworker.th", password=creds["caseworker.th"])
    # Demo org admins administer their organisation at /organisation/, not in the Django
    # admin (which is for platform operators only).
    admin = get_user_model().objects.get(username="org_admin.th")
    assert not (admin.is_staff or admin.is_superuser or admin.user_permissions.exists())
    (portal_key,) = [k for k in creds if k.startswith("portal ")]
    signed_in = client.post("/portal/", {"reference": portal_key.split()[1],
                                         "pin": creds[portal_key]})
    assert signed_in.status_code == 302 and signed_in["Location"].endswith("/portal/home/")
    # Running it again changes nothing.
    call_command("seed_demo", stdout=open(tmp_path / "out2.txt", "w"))
    assert Survivor.objects.count() == 50
    assert json.loads((tmp_path / "demo-credentials.json").read_text()) == creds
