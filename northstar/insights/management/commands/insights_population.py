"""A synthetic population for the insights benchmark (issue 15 §4): cases across organisations
in several jurisdictions, with everything the insights measures count.

    manage.py insights_population --cases 1000000 --organisations 50 --jurisdictions 10

Organisations ``IP001``… (a user per role in each) take the first ``--jurisdictions``
jurisdictions in turn; their sizes follow a Zipf-like skew (a few large, many small: at a
small ``--cases`` the smallest hold a handful of cases, so small cells exist). Each case has
one survivor (sex, birth year or none, nationality), a trial-participation answer, an intake
date over four years; most have a statistics consent (a few of those withdrawn), some only
a case-management consent, some none; most have the survivor's ranking of the three
outcomes, a screening with its classification, a pathway assessment with 0–3 plan items and
each item's dated history to its status; timelines (interviews, identification decisions,
reflection periods, shelter stays, hearings for those in a trial); a fifth have a
compensation claim (awards, payments, a few paid in full); some have Do No Harm findings
(by the real rule ids and severities, some blocks overridden).

Rows are written straight to the tables, not through the actions: PostgreSQL ``COPY`` (an
``executemany`` on SQLite, for the tests), ids allocated here and the sequences moved past
them after. The data is synthetic, so personal fields are sealed **once per distinct
value** (a pool of given names, family names and dates of birth sealed at start and the
ciphertexts reused); the blind duplicate key is computed for every survivor. No audit rows
are written for the generation, and the stored task dates of timeline events are left
empty (no ``refresh_tasks``): the population is for figures, not for task lists.

Running it again with the same or a smaller ``--cases`` adds nothing.
"""

from __future__ import annotations

import bisect
import datetime as dt
import json
import random
import time
import tomllib
from decimal import Decimal
from itertools import accumulate
from pathlib import Path

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from northstar.core.crypto import duplicate_key
from northstar.core.jurisdictions import Jurisdiction
from northstar.core.keys import ensure_writable
from northstar.core.models import Membership, Organisation
from northstar.core.roles import Role

PREFIX = "IP"
OUTCOMES = ("monetary_support", "healing", "safety_self_and_others")
CLASSES = ("no_indication", "indicator_present", "labour_rights_violation", "forced_labour",
           "possible_trafficking", "trafficking")
ROUTES = ("criminal_restitution", "civil_suit", "state_fund", "labour_tribunal",
          "out_of_court_mediation")
PAYERS = ("offender", "employer", "recruitment_agency", "state_fund")
GIVEN = ["Sokha", "Malai", "Thida", "Lan", "Aye", "Nang", "Bopha", "Kham", "Mai", "Ploy",
         "Dara", "Hoa", "Somchai", "Linh", "Thu", "Maria", "Ana", "Siti", "Dewi", "Noy"]
FAMILY = ["Synthetic", "Sample", "Example", "Placeholder", "Fictional", "Testperson",
          "Nguyen", "Chan", "Santos", "Win", "Phan", "Keo"]
ORIGINS = ("KH", "MM", "LA", "VN", "PH", "ID", "TH", "MY")
KINDS = ("ngo", "ngo", "legal_aid", "shelter", "survivor_led")
START = dt.date(2023, 1, 1)
DAYS = 4 * 365 - 35
UTC = dt.UTC
RULES = Path(__file__).resolve().parents[3]


def _toml(path: str) -> dict:
    with open(RULES / path, "rb") as handle:  # noqa: PTH123
        return tomllib.load(handle)


def at(day: dt.date, minute: int = 600) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=UTC) + dt.timedelta(minutes=minute)


class Writer:
    """Rows (dicts of attribute names; the rest take the fields' defaults) into a model's
    table: ``COPY`` on PostgreSQL, ``executemany`` elsewhere. Values in ``sealed`` columns
    are ciphertexts already; JSON values are Python objects."""

    def __init__(self):
        self.pg = connection.vendor == "postgresql"
        self._plans: dict = {}

    def plan(self, model):
        if model not in self._plans:
            fields = list(model._meta.concrete_fields)
            columns = []
            for f in fields:
                default = None if f.primary_key else f.get_default()
                json_ = f.get_internal_type() == "JSONField"
                sealed = getattr(f, "sealed", False)
                if self.pg and json_:
                    default = json.dumps(default)
                elif not self.pg and not sealed and not f.primary_key:
                    default = f.get_db_prep_save(default, connection)
                columns.append((f, f.attname, default, json_, sealed))
            self._plans[model] = columns
        return self._plans[model]

    def write(self, model, rows: list[dict]) -> None:
        if not rows:
            return
        plan = self.plan(model)
        table = connection.ops.quote_name(model._meta.db_table)
        names = ", ".join(connection.ops.quote_name(f.column) for f, *_ in plan)
        with connection.cursor() as cursor:
            if self.pg:
                with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row([
                            (json.dumps(row[a]) if j else row[a]) if a in row else d
                            for _f, a, d, j, _s in plan])
            else:
                marks = ", ".join(["%s"] * len(plan))
                cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", [  # noqa: S608
                    [(row[a] if s or f.primary_key else f.get_db_prep_save(row[a], connection))
                     if a in row else d for f, a, d, _j, s in plan] for row in rows])

    def next_id(self, model) -> int:
        with connection.cursor() as cursor:
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute(f"SELECT MAX(id) FROM {table}")  # noqa: S608 - a model's table
            return (cursor.fetchone()[0] or 0) + 1

    def reset_sequences(self, models) -> None:
        if not self.pg:
            return
        with connection.cursor() as cursor:
            for model in models:
                table = model._meta.db_table
                # Never lower a sequence: ids it already gave out (to rows since rolled
                # back, or to rows another session holds) must not come round again.
                seq = f"pg_get_serial_sequence('{table}', 'id')"
                cursor.execute(f"SELECT setval({seq}, GREATEST("  # noqa: S608 - a model's table
                               f"(SELECT MAX(id) FROM {table}), nextval({seq})))")


def skewed_sizes(total: int, count: int) -> list[float]:
    """Cumulative weights of a Zipf-like skew over ``count`` organisations (exponent 1.1)."""
    return list(accumulate(1 / (i + 1) ** 1.1 for i in range(count)))


class Command(BaseCommand):
    help = "Generate a synthetic population for the insights benchmark (bench/insights.py)."

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, default=2000)
        parser.add_argument("--organisations", type=int, default=10)
        parser.add_argument("--jurisdictions", type=int, default=3)
        parser.add_argument("--batch", type=int, default=20000, help="cases per transaction")
        parser.add_argument("--seed", type=int, default=15)

    def handle(self, *args, cases, organisations, jurisdictions, batch, seed, **options):
        if min(cases, organisations, batch) < 1 or not 1 <= jurisdictions <= len(Jurisdiction):
            raise CommandError("--cases, --organisations and --batch must be positive and "
                               f"--jurisdictions between 1 and {len(Jurisdiction)}")
        self.models = {name: apps.get_model(*name.split(".")) for name in (
            "survivors.Survivor", "survivors.Case", "survivors.Consent", "pathways.Priorities",
            "screening.Screening", "pathways.PathwayAssessment", "pathways.PlanItem",
            "pathways.PlanStatusChange", "justice.TimelineEvent", "compensation.Claim",
            "compensation.Payment", "safeguards.Finding")}
        orgs = self._organisations(organisations, jurisdictions)
        case_model = self.models["survivors.Case"]
        have = case_model.objects.filter(organisation__in=orgs).count()
        if have >= cases:
            self.stdout.write(f"{have} cases already in {len(orgs)} organisations: nothing to add")
            return
        self.writer = Writer()
        self.ids = {name: self.writer.next_id(m) for name, m in self.models.items()}
        self.rng = random.Random(seed + have)  # noqa: S311 - synthetic data, not security
        self._pools()
        cumulative = skewed_sizes(cases, len(orgs))
        started = time.monotonic()
        done = have
        while done < cases:
            size = min(batch, cases - done)
            with transaction.atomic():
                self._batch(orgs, cumulative, size, done)
            done += size
            rate = (done - have) / max(time.monotonic() - started, 1e-6)
            self.stdout.write(f"  {done}/{cases} cases ({rate:.0f}/s)", ending="\n")
            self.stdout.flush()
        self.writer.reset_sequences(self.models.values())
        if self.writer.pg:
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.stdout.write(self.style.SUCCESS(
            f"{done - have} cases added in {time.monotonic() - started:.0f} s"))

    # --- organisations, users, what is sealed once ----------------------------------------
    def _organisations(self, count: int, jurisdictions: int) -> list:
        places = list(Jurisdiction.values)[:jurisdictions]
        orgs = []
        for i in range(count):
            code = f"{PREFIX}{i + 1:03d}"
            org, made = Organisation.objects.get_or_create(code=code, defaults={
                "name": f"Insights population organisation {i + 1:03d}",
                "kind": KINDS[i % len(KINDS)], "jurisdiction": places[i % len(places)]})
            if made:
                for role in (Role.CASEWORKER, Role.SUPERVISOR, Role.RESEARCHER, Role.ORG_ADMIN):
                    user = get_user_model().objects.create_user(
                        username=f"{role}.{code.lower()}", password=None)
                    Membership.objects.create(user=user, organisation=org, role=role)
            orgs.append(org)
        return orgs

    def _pools(self) -> None:
        survivor = self.models["survivors.Survivor"]
        ring = ensure_writable()

        def seal(field, text):
            return ring.seal(text, survivor._meta.get_field(field).context)

        self.given = [(g, seal("given_name", g)) for g in GIVEN]
        self.family = [(f, seal("family_name", f)) for f in FAMILY]
        self.dobs = {}
        for year in range(1960, 2015):
            days = self.rng.sample(range(365), 8)
            self.dobs[year] = [(d := (dt.date(year, 1, 1) + dt.timedelta(days=n)).isoformat(),
                                seal("date_of_birth", d)) for n in days]
        self.interventions = [(i["key"], i["pathway"], i["outcome"])
                              for i in _toml("pathways/rules/interventions.toml")["interventions"]]
        self.rules = [(r["id"], r["severity"], r.get("harm", "legal"))
                      for r in _toml("safeguards/rules/safeguards.toml")["rules"]]

    # --- one batch of cases ----------------------------------------------------------------
    def _next(self, name: str) -> int:
        value = self.ids[name]
        self.ids[name] = value + 1
        return value

    def _batch(self, orgs, cumulative, size, offset) -> None:  # noqa: C901, PLR0912, PLR0915
        rng, nid = self.rng, self._next
        today = dt.date.today()  # noqa: DTZ011 - synthetic dates
        out = {name: [] for name in self.models}
        total = cumulative[-1]
        for n in range(offset, offset + size):
            org = orgs[bisect.bisect_left(cumulative, rng.random() * total)]
            intake = START + dt.timedelta(days=rng.randrange(DAYS))
            created = at(intake, rng.randrange(1440))
            sid, cid = nid("survivors.Survivor"), nid("survivors.Case")
            sex = rng.choices(("female", "male", "intersex", "unknown"), (55, 38, 1, 6))[0]
            given, sealed_given = rng.choice(self.given)
            family, sealed_family = rng.choice(self.family)
            birth_year = None
            dob = sealed_dob = ""
            if rng.random() < 0.85:
                birth_year = max(1960, min(2014, intake.year - rng.choices(
                    (rng.randint(12, 17), rng.randint(18, 59)), (12, 88))[0]))
                if rng.random() < 0.8:
                    dob, sealed_dob = rng.choice(self.dobs[birth_year])
            out["survivors.Survivor"].append({
                "id": sid, "organisation_id": org.pk, "reference": f"{PREFIX}{n:09d}",
                "given_name": sealed_given, "family_name": sealed_family,
                "date_of_birth": sealed_dob, "birth_year": birth_year, "sex": sex,
                "gender": "unknown", "nationality": rng.choice(ORIGINS), "languages": [],
                "duplicate_key": duplicate_key(f"{given} {family}", dob), "has_cases": True,
                "created_at": created, "updated_at": created})
            trial = rng.choices(("yes", "no", "undecided"), (25, 45, 30))[0]
            closed = intake < today - dt.timedelta(days=rng.randint(200, 900))
            out["survivors.Case"].append({
                "id": cid, "survivor_id": sid, "organisation_id": org.pk,
                "reference": f"{PREFIX}{n:09d}-C1", "jurisdiction": org.jurisdiction,
                "forms_of_exploitation": [rng.choice(("labour", "sexual", "forced_marriage",
                                                      "forced_criminality"))],
                "country_of_origin": rng.choice(ORIGINS), "trial_participation": trial,
                "status": "closed" if closed else rng.choice(("open", "active", "on_hold")),
                "survivor_created_at": created, "created_at": created, "updated_at": created})
            # consents: statistics for most (some withdrawn), case management only for some
            r = rng.random()
            if r < 0.82:
                out["survivors.Consent"].append({
                    "id": nid("survivors.Consent"), "survivor_id": sid, "purpose": "statistics",
                    "explained_by_label": "synthetic", "language": "km", "method": "verbal",
                    "given_at": created, "recorded_at": created,
                    "withdrawn_at": (min(created + dt.timedelta(days=rng.randint(5, 300)),
                                         at(today - dt.timedelta(days=1)))
                                     if rng.random() < 0.05 else None)})
            if r >= 0.82 or rng.random() < 0.5:
                out["survivors.Consent"].append({
                    "id": nid("survivors.Consent"), "survivor_id": sid,
                    "purpose": "case_management", "explained_by_label": "synthetic",
                    "language": "km", "method": "verbal", "given_at": created,
                    "recorded_at": created})
            # screening and classification
            if rng.random() < 0.92:
                cls = rng.choices(CLASSES, (8, 12, 15, 20, 25, 20))[0]
                on = created + dt.timedelta(days=rng.randint(0, 10))
                out["screening.Screening"].append({
                    "id": nid("screening.Screening"), "case_id": cid, "classification": cls,
                    "rule_set_version": "synthetic", "created_at": on,
                    "created_by_label": "synthetic"})
            else:
                cls = None
            # timeline: interviews (retellings), identification, reflection, shelter, hearings
            events = out["justice.TimelineEvent"]

            def event(kind, stage, on, details, _cid=cid, _org=org.pk, _events=events):
                if on <= today:
                    _events.append({"id": nid("justice.TimelineEvent"), "case_id": _cid,
                                   "kind": kind, "stage": stage, "occurred_on": on,
                                   "details": details, "organisation_id": _org,
                                   "recorded_by_label": "synthetic", "recorded_at": at(on)})

            for _ in range(rng.choices((0, 1, 2, 3, 4), (20, 40, 25, 10, 5))[0]):
                event("interview", "investigation", intake + dt.timedelta(days=rng.randint(0, 120)),
                      {"interviewer": "synthetic", "interviewer_role": "police", "language": "km",
                       "interpreter_present": True, "video_recorded": rng.random() < 0.3})
            if cls in ("possible_trafficking", "trafficking", "forced_labour") and rng.random() < 0.7:
                event("identification_decision", "identification",
                      intake + dt.timedelta(days=rng.randint(3, 120)),
                      {"outcome": rng.choices(("identified", "not_identified", "pending"),
                                              (65, 20, 15))[0]})
            if rng.random() < 0.3:
                start = intake + dt.timedelta(days=rng.randint(1, 30))
                length = rng.randint(30, 90)
                event("reflection_period_start", "reflection_period", start,
                      {"ends_on": (start + dt.timedelta(days=length)).isoformat()})
                if rng.random() < 0.7:
                    event("reflection_period_end", "reflection_period",
                          start + dt.timedelta(days=rng.randint(5, length)),
                          {"decision": rng.choice(("cooperate", "decline", "undecided"))})
            if rng.random() < 0.2:
                on = intake + dt.timedelta(days=rng.randint(0, 20))
                event("shelter_stay", "rehabilitation", on,
                      {"shelter": "synthetic", "curfew": False,
                       "movement_restricted": rng.random() < 0.05,
                       "ends_on": (on + dt.timedelta(days=rng.randint(10, 120))).isoformat()})
            if trial == "yes":
                for _ in range(rng.randint(1, 3)):
                    event("hearing", "adjudication", intake + dt.timedelta(days=rng.randint(60, 700)),
                          {"testimony": rng.choice(("in_person", "video", "pre_recorded")),
                           "faced_offender": rng.random() < 0.3,
                           "broker_held_to_account": rng.random() < 0.2,
                           "employer_held_to_account": rng.random() < 0.15,
                           "organised_crime_held_to_account": rng.random() < 0.05})
            # the survivor's ranking, the assessment and the plan with its dated history
            if rng.random() < 0.85:
                first = rng.choices(OUTCOMES, (50, 30, 20))[0]
                rest = [o for o in OUTCOMES if o != first]
                rng.shuffle(rest)
                out["pathways.Priorities"].append({
                    "id": nid("pathways.Priorities"), "case_id": cid, "ranking": [first, *rest],
                    "recorded_at": created + dt.timedelta(days=rng.randint(0, 14)),
                    "recorded_by_label": "synthetic"})
                aid = nid("pathways.PathwayAssessment")
                out["pathways.PathwayAssessment"].append({
                    "id": aid, "case_id": cid, "rule_set_version": "synthetic",
                    "created_at": created + dt.timedelta(days=rng.randint(1, 20))})
                wanted = [i for i in self.interventions if i[2] == first]
                for k in range(rng.choices((0, 1, 2, 3), (10, 45, 30, 15))[0]):
                    key, pathway, outcome = (rng.choice(wanted) if k == 0 or rng.random() < 0.4
                                             else rng.choice(self.interventions))
                    self._plan_item(out, cid, aid, key, pathway, outcome, created, today)
            # compensation
            if rng.random() < 0.2:
                self._claim(out, cid, intake, today)
            # Do No Harm findings
            for _ in range(rng.choices((0, 1, 2), (85, 11, 4))[0]):
                rule, severity, harm = rng.choice(self.rules)
                status = rng.choices(("open", "resolved", "overridden"),
                                     (30, 60, 10 if severity == "block" else 0))[0]
                on = created + dt.timedelta(days=rng.randint(0, 200))
                out["safeguards.Finding"].append({
                    "id": nid("safeguards.Finding"), "case_id": cid, "action": "record_event",
                    "rule": rule, "severity": severity, "harm": harm,
                    "explanation": "synthetic", "source": "check", "rule_set_version": "synthetic",
                    "status": status, "created_at": on, "created_by_label": "synthetic",
                    "resolved_at": None if status == "open" else on + dt.timedelta(days=3)})
        for name, model in self.models.items():
            self.writer.write(model, out[name])

    def _plan_item(self, out, cid, aid, key, pathway, outcome, created, today) -> None:
        rng = self.rng
        iid = self._next("pathways.PlanItem")
        when = created + dt.timedelta(days=rng.randint(2, 30))
        steps = [("proposed", when)]
        fate = rng.choices(("proposed", "agreed", "in_progress", "delivered",
                            "declined_by_survivor", "stopped"), (10, 15, 20, 42, 8, 5))[0]
        path = {"proposed": [], "agreed": ["agreed"], "in_progress": ["agreed", "in_progress"],
                "delivered": ["agreed", "in_progress", "delivered"],
                "declined_by_survivor": ["declined_by_survivor"],
                "stopped": ["agreed", "stopped"]}[fate]
        for status in path:
            when = when + dt.timedelta(days=rng.randint(1, 90))
            if when.date() > today:
                break
            steps.append((status, when))
        out["pathways.PlanItem"].append({
            "id": iid, "case_id": cid, "intervention": key, "pathway": pathway,
            "outcome": outcome, "assessment_id": aid, "eligibility_when_chosen": "eligible",
            "status": steps[-1][0], "version": len(steps), "created_at": steps[0][1],
            "updated_at": steps[-1][1]})
        for status, when in steps:
            out["pathways.PlanStatusChange"].append({
                "id": self._next("pathways.PlanStatusChange"), "item_id": iid, "status": status,
                "changed_at": when, "changed_by_label": "synthetic"})

    def _claim(self, out, cid, intake, today) -> None:
        rng = self.rng
        claim_id = self._next("compensation.Claim")
        filed = intake + dt.timedelta(days=rng.randint(20, 300))
        claimed = Decimal(rng.randint(5, 400) * 1000)
        status = rng.choices(("filed", "awarded", "settled", "rejected", "paying",
                              "paid_in_full", "defaulted"), (25, 25, 8, 10, 15, 5, 12))[0]
        awarded = decided = None
        if status not in ("filed", "rejected"):
            awarded = (claimed * Decimal(rng.randint(20, 100)) / 100).quantize(Decimal(1))
            decided = filed + dt.timedelta(days=rng.randint(30, 400))
        if status == "rejected":
            decided = filed + dt.timedelta(days=rng.randint(30, 400))
        if decided and decided > today:
            status, awarded, decided = "filed", None, None
        out["compensation.Claim"].append({
            "id": claim_id, "case_id": cid, "route": rng.choice(ROUTES), "status": status,
            "payer": rng.choice(PAYERS), "currency": "THB", "amount_claimed": claimed,
            "amount_awarded": awarded, "filed_on": filed, "decided_on": decided,
            "created_at": at(filed)})
        if awarded is None or status in ("awarded", "settled"):
            return
        payments = ([awarded] if status == "paid_in_full" else
                    [(awarded * Decimal(rng.randint(5, 30)) / 100).quantize(Decimal(1))
                     for _ in range(rng.randint(1, 3) if status == "paying" else rng.randint(0, 1))])
        on = decided
        for amount in payments:
            on = on + dt.timedelta(days=rng.randint(10, 120))
            if on > today and status == "paid_in_full":
                on = today
            elif on > today:
                break
            out["compensation.Payment"].append({
                "id": self._next("compensation.Payment"), "claim_id": claim_id, "amount": amount,
                "received_on": on, "recorded_at": at(on)})
