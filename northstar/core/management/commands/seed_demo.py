"""Demo data: two organisations in two jurisdictions, a user per role, ~50 survivors.

Every name is plainly fake ("Demo …"). Passwords are generated on first run
into ``var/demo-credentials.json`` (ignored by git) and printed. Running it again
changes nothing. Apps may add their own demo data in a ``demo.py`` module with a
``seed(context)`` function; it is called with the organisations and users.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import random
import secrets

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import module_has_submodule

from northstar.core.actor import Actor
from northstar.core.models import Membership, Organisation
from northstar.core.roles import Role
from northstar.survivors import actions

ORGS = [
    {"name": "Mekong Hope Foundation (demo)", "kind": "ngo", "jurisdiction": "TH", "code": "MHF",
     "suffix": "th", "survivors": 30},
    {"name": "Phnom Penh Legal Aid (demo)", "kind": "legal_aid", "jurisdiction": "KH",
     "code": "PPLA", "suffix": "kh", "survivors": 20},
]
GIVEN = ["Demo Sokha", "Demo Malai", "Demo Thida", "Demo Lan", "Demo Aye", "Demo Nang",
         "Demo Bopha", "Demo Kham", "Demo Mai", "Demo Ploy", "Demo Dara", "Demo Hoa"]
FAMILY = ["Testperson", "Sample", "Example", "Placeholder", "Fictional"]
NATIONALITIES = [("KH", ["km"]), ("MM", ["my"]), ("LA", ["lo"]), ("VN", ["vi"]), ("TH", ["th"])]
FORMS = [["labour"], ["sex"], ["forced_criminality"], ["labour", "domestic_servitude"],
         ["forced_marriage"]]
SECTORS = {"labour": ["fishing", "agriculture", "construction", "manufacturing"],
           "forced_criminality": ["online_scam"], "sex": ["entertainment"],
           "domestic_servitude": ["domestic_work"], "forced_marriage": ["other"]}


class Command(BaseCommand):
    help = "Load demo organisations, users and synthetic survivors (idempotent)."

    def handle(self, *args, **options):
        creds_path = settings.VAR_DIR / "demo-credentials.json"
        creds = json.loads(creds_path.read_text()) if creds_path.exists() else {}
        rng = random.Random(20261129)  # noqa: S311 - demo data, not security
        context = {"organisations": [], "users": {}, "credentials": creds}
        with transaction.atomic():
            for spec in ORGS:
                org, created = Organisation.objects.get_or_create(
                    code=spec["code"],
                    defaults={k: spec[k] for k in ("name", "kind", "jurisdiction")},
                )
                context["organisations"].append(org)
                for role in Role.values:
                    username = f"{role}.{spec['suffix']}"
                    password = creds.setdefault(username, secrets.token_urlsafe(9))
                    user, made = get_user_model().objects.get_or_create(username=username)
                    if made:
                        user.set_password(password)
                        user.save()
                        # Org admins are not Django staff: they administer their own
                        # organisation at /organisation/; the Django admin is for operators.
                        Membership.objects.create(user=user, organisation=org, role=role)
                    context["users"][username] = user
                if created:
                    self._survivors(org, context["users"][f"caseworker.{spec['suffix']}"],
                                    spec["survivors"], rng)
            for app in apps.get_app_configs():
                # Every app is installed; an app without demo data has no demo module.
                # A demo module that fails to import is a bug and must surface.
                if app.name.startswith("northstar.") and module_has_submodule(app.module, "demo"):
                    importlib.import_module(f"{app.name}.demo").seed(context)
        settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
        creds_path.write_text(json.dumps(creds, indent=2))
        creds_path.chmod(0o600)
        self.stdout.write(self.style.SUCCESS(
            "Demo log-ins (in var/demo-credentials.json; 'portal <code>' is a survivor's "
            "portal sign-in at /portal/):"))
        for username, password in creds.items():
            self.stdout.write(f"  {username:28} {password}")

    def _survivors(self, org, caseworker, count, rng):
        actor = Actor.for_user(caseworker, "cli")
        today = timezone.localdate()
        for i in range(count):
            nationality, langs = rng.choice(NATIONALITIES)
            age = rng.choice([15, 16, 17, 19, 22, 24, 27, 31, 35, 42])
            dob = today.replace(year=today.year - age) - dt.timedelta(days=rng.randint(1, 300))
            survivor = actions.create_survivor(actor, data={
                "given_name": rng.choice(GIVEN), "family_name": f"{rng.choice(FAMILY)} {i:02d}",
                "date_of_birth": dob.isoformat() if i % 3 else "",
                "birth_year": dob.year,
                "sex": rng.choice(["female", "male"]), "nationality": nationality,
                "languages": langs, "preferred_language": langs[0],
                "interpreter_needed": nationality != org.jurisdiction,
                "phone": f"+00 000 {i:04d}", "contact_notes": "Synthetic demo record.",
            })
            forms = rng.choice(FORMS)
            start = today - dt.timedelta(days=rng.randint(200, 900))
            actions.create_case(actor, survivor, data={
                "forms_of_exploitation": forms,
                "sectors": sorted({s for f in forms for s in SECTORS[f][:1]}),
                "country_of_origin": nationality, "country_of_destination": org.jurisdiction,
                "period_start": start, "period_end": start + dt.timedelta(days=rng.randint(30, 400)),
                "recruitment_method": rng.choice(["job_offer", "recruitment_agency",
                                                  "family_or_friend", "online"]),
                "relationship_to_offender": rng.choice(["stranger", "community", "family"]),
                "coercion": rng.choice(["low", "high"]),
                "trial_participation": rng.choice(["yes", "no", "undecided"]),
                "summary": "Synthetic account for the demo.",
            })
            actions.record_consent(actor, survivor, purpose="case_management",
                                   language=langs[0], method="verbal",
                                   interpreter_used=nationality != org.jurisdiction)
            if i % 2 == 0:
                actions.record_consent(actor, survivor, purpose="statistics", language=langs[0],
                                       method="written")
