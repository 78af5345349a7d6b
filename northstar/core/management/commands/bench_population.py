"""A large organisation for the scale benchmark (issue 13): ``--survivors 100000`` in minutes.

It loads the demo (``seed_demo``: the organisations, a user per role, ~50 survivors with
cases, consents, screenings, plans, timelines, claims and referrals made through the real
actions), then clones the demo organisation's survivors, each with every record hanging
off it, until the organisation holds ``--survivors`` survivors. The shapes and the
proportions are the demo's; the clones are written with ``bulk_create`` in batches.

Every clone is a new person: new reference, new name and date of birth sealed with the
key ring, and the blind index computed from them, so duplicate search and the sealed
columns cost what they cost in production. Other sealed texts (case summaries, notes) keep
the template's ciphertext. No audit rows are written for the generation itself.

A clone is of its template's age group (a child, an adult, or of unknown age): its new
date of birth is drawn within that group, so every rule that depends on age and that the
template's records met through the real actions (a child takes part in advocacy only
anonymously, a child's consents are a guardian's, no merge joins a child with an adult…)
holds for the clone too. Re-ageing clones at random once made children whose advocacy
choice was "public", which ``update_survivor`` refuses to keep (422s in the update bench).

``--organisations N`` spreads the survivors over N organisations (the demo's two, then
new ones with a user per role). Running it again with the same figures adds nothing.
"""

from __future__ import annotations

import datetime as dt
import random
import time

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from northstar.core.crypto import duplicate_key
from northstar.core.models import Membership, Organisation
from northstar.core.roles import Role
from northstar.survivors.models import ADULT_AGE

GIVEN = ["Bench Sokha", "Bench Malai", "Bench Thida", "Bench Lan", "Bench Aye", "Bench Nang",
         "Bench Bopha", "Bench Kham", "Bench Mai", "Bench Ploy", "Bench Dara", "Bench Hoa"]
FAMILY = ["Testperson", "Sample", "Example", "Placeholder", "Fictional", "Synthetic"]
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
#: The demo organisation whose survivors are the templates (``seed_demo``).
TEMPLATE_ORG = "MHF"


def age_range(child: bool | None) -> tuple[int, int] | None:
    """Ages (in whole years, inclusive) to draw a clone's from, for a template that is a
    child (``True``), an adult (``False``) or of unknown age (``None``: none drawn). Both
    stay two years clear of 18, so the birth year alone settles the group
    (``survivors.models.child_on``) for as long as a bench database is kept."""
    if child is None:
        return None
    return (10, ADULT_AGE - 4) if child else (ADULT_AGE + 2, 60)


def _survivor_model():
    return apps.get_model("survivors", "Survivor")


def cloned_models() -> list:
    """Every Northstar model that hangs off a survivor (directly or through a case, a claim,
    a plan item…), parents before children."""
    survivor = _survivor_model()
    reach = [survivor]
    models = [m for m in apps.get_models() if m.__module__.startswith("northstar.")
              and m._meta.label not in ("core.AuditEntry", "core.Job")]
    changed = True
    while changed:
        changed = False
        for model in models:
            if model in reach:
                continue
            if any(f.is_relation and f.many_to_one and f.related_model in reach
                   and not f.null for f in model._meta.concrete_fields):
                reach.append(model)
                changed = True
    return _parents_first(reach)


def _parents_first(models: list) -> list:
    """Each model after the models it points to; a cycle (a claim escalated from a
    mediation about a claim) is broken at a nullable key, which the clones leave empty."""
    ordered: list = []
    left = list(models)
    while left:
        for strict in (True, False):
            ready = [m for m in left if all(
                f.related_model in ordered or f.related_model is m or f.related_model not in left
                or (not strict and f.null)
                for f in m._meta.concrete_fields if f.is_relation and f.many_to_one)]
            if ready:
                break
        ordered.append(ready[0])
        left.remove(ready[0])
    return ordered


class Command(BaseCommand):
    help = "Generate a large synthetic population for the scale benchmark (bench/scale.py)."

    def add_arguments(self, parser):
        parser.add_argument("--survivors", type=int, required=True,
                            help="survivors in all the bench organisations together")
        parser.add_argument("--organisations", type=int, default=1,
                            help="how many organisations share them (default 1: one big one)")
        parser.add_argument("--batch", type=int, default=1000, help="survivors per bulk insert")
        parser.add_argument("--seed", type=int, default=13)

    def handle(self, *args, survivors, organisations, batch, seed, **options):
        if survivors < 1 or organisations < 1 or batch < 1:
            raise CommandError("--survivors, --organisations and --batch must be positive")
        if not Organisation.objects.filter(code=TEMPLATE_ORG).exists():
            call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115, PTH123
        orgs = self._organisations(organisations)
        survivor_model = _survivor_model()
        have = survivor_model.objects.filter(organisation__in=orgs).count()
        if have >= survivors:
            self.stdout.write(f"{have} survivors already present in {len(orgs)} organisation(s): "
                              "nothing to add")
            return
        started = time.monotonic()
        templates = list(survivor_model.objects.filter(organisation__code=TEMPLATE_ORG)
                         .order_by("id").values_list("id", flat=True)[:50])
        rows = self._template_rows(templates)
        user_maps = self._user_maps(orgs)
        rng = random.Random(seed + have)  # noqa: S311 - synthetic data, not security
        added = 0
        to_add = survivors - have
        while added < to_add:
            size = min(batch, to_add - added)
            with transaction.atomic():
                self._clone_batch(rows, templates, orgs, user_maps, size, have + added, rng)
            added += size
            rate = added / max(time.monotonic() - started, 1e-6)
            self.stdout.write(f"  {have + added}/{survivors} survivors ({rate:.0f}/s)")
        self.stdout.write(self.style.SUCCESS(
            f"{added} survivors added in {time.monotonic() - started:.0f} s"))

    # --- organisations and their users -------------------------------------------------
    def _organisations(self, count: int) -> list:
        codes = [TEMPLATE_ORG, "PPLA"] + [f"BN{i:03d}" for i in range(1, max(count - 1, 1))]
        orgs = []
        for code in codes[:count]:
            org, made = Organisation.objects.get_or_create(
                code=code, defaults={"name": f"Bench organisation {code}", "kind": "ngo",
                                     "jurisdiction": "TH"})
            if made:
                for role in Role.values:
                    user = get_user_model().objects.create_user(
                        username=f"{role}.{code.lower()}", password=None)
                    Membership.objects.create(user=user, organisation=org, role=role)
            orgs.append(org)
        return orgs

    def _user_maps(self, orgs) -> dict:
        """For each target organisation: template user id → the user of the same role there."""
        by_role = {}
        for m in Membership.objects.filter(organisation__in=orgs + [orgs[0]]).select_related(
                "organisation"):
            by_role[(m.organisation.code, m.role)] = m.user_id
        template_roles = {m.user_id: m.role for m in
                          Membership.objects.filter(organisation__code=TEMPLATE_ORG)}
        return {org.pk: {uid: by_role.get((org.code, role), uid)
                         for uid, role in template_roles.items()} for org in orgs}

    # --- the templates -------------------------------------------------------------------
    def _template_rows(self, templates: list) -> list:
        """[(model, [(template survivor id, row), …]), …] in insertion order."""
        out = []
        owner_of: dict = {}  # (model label, pk) → template survivor id
        for model in cloned_models():
            found = []
            for row in model._base_manager.order_by("pk"):
                sid = self._owner(model, row, owner_of, templates)
                if sid is not None:
                    owner_of[(model._meta.label, row.pk)] = sid
                    found.append((sid, row))
            out.append((model, found))
        return out

    @staticmethod
    def _owner(model, row, owner_of, templates):
        if model is _survivor_model():
            return row.pk if row.pk in templates else None
        for f in model._meta.concrete_fields:
            if f.is_relation and f.many_to_one and not f.null:
                value = getattr(row, f.attname)
                sid = owner_of.get((f.related_model._meta.label, value))
                if sid is not None:
                    return sid
        return None

    # --- cloning -----------------------------------------------------------------------
    def _clone_batch(self, rows, templates, orgs, user_maps, size, offset, rng):
        survivor_model = _survivor_model()
        template_org = orgs[0].pk if orgs[0].code == TEMPLATE_ORG else None
        user_model = get_user_model()
        now = timezone.now()
        # clone number in this batch → its template, organisation and pk maps
        clones = [(templates[(offset + j) % len(templates)], orgs[(offset + j) % len(orgs)])
                  for j in range(size)]
        maps: list[dict] = [{} for _ in range(size)]
        for model, template_rows in rows:
            by_template: dict = {}
            for sid, row in template_rows:
                by_template.setdefault(sid, []).append(row)
            new_objs, keys = [], []
            for j, (sid, org) in enumerate(clones):
                for row in by_template.get(sid, ()):
                    values = {}
                    for f in model._meta.concrete_fields:
                        if f.primary_key:
                            continue
                        value = getattr(row, f.attname)
                        if f.is_relation and value is not None:
                            target = f.related_model
                            if (target._meta.label, value) in maps[j]:
                                value = maps[j][(target._meta.label, value)]
                            elif target is Organisation and value == template_org:
                                value = org.pk
                            elif target is user_model:
                                value = user_maps[org.pk].get(value, value)
                            elif f.null and any(target is m for m, _ in rows):
                                value = None  # a cycle's back link, not cloned yet
                        values[f.attname] = value
                    obj = model(**values)
                    if model is survivor_model:
                        self._new_person(obj, org, rng, now)
                    elif model._meta.label == "survivors.Case":
                        parent = maps[j]["_survivor"]
                        obj.reference = f"{parent.reference}-C{len(maps[j].get('_cases', ())) + 1}"
                        maps[j].setdefault("_cases", []).append(obj)
                        obj.created_at = obj.updated_at = parent.created_at
                        obj.survivor_created_at = parent.created_at
                    new_objs.append(obj)
                    keys.append((j, row.pk, obj))
                    if model is survivor_model:
                        maps[j]["_survivor"] = obj
            if not new_objs:
                continue
            model._base_manager.bulk_create(new_objs, batch_size=2000)
            for j, old_pk, obj in keys:
                maps[j][(model._meta.label, old_pk)] = obj.pk

    @staticmethod
    def _new_person(obj, org, rng, now):
        """``obj`` holds its template's values on entry; a new person of the same age group
        on return."""
        obj.reference = f"{org.code}-{''.join(rng.choice(ALPHABET) for _ in range(8))}"
        given, family = rng.choice(GIVEN), f"{rng.choice(FAMILY)} {rng.randrange(100000):05d}"
        obj.given_name, obj.family_name = given, family
        ages = age_range(obj.is_child(now.date()))
        if ages is None:  # the template's age is unknown: so is the clone's
            obj.date_of_birth, obj.birth_year = "", None
        else:
            dob = (now.date() - dt.timedelta(days=365 * rng.randint(*ages) + rng.randint(0, 364)))
            obj.date_of_birth = dob.isoformat() if rng.random() < 0.7 else ""
            obj.birth_year = dob.year
        obj.phone = f"+00 {rng.randrange(10**8):08d}"
        obj.duplicate_key = duplicate_key(f"{given} {family}", obj.date_of_birth)
        obj.organisation_id = org.pk
        obj.created_at = obj.updated_at = now - dt.timedelta(minutes=rng.randint(0, 3 * 525600))
