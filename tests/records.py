"""One survivor of organisation A with a record of every kind, made through the real actions.

The walkers (every read audited, the 404 matrix, portal isolation) fill each route's
path parameters from ``build_records``; a new kind of record needs one line here.
``long_ids`` makes every table count from a different seven-digit number, so an id cut
mid-number, or the id of the wrong kind of record, cannot pass for a real one.
"""

from __future__ import annotations

import datetime as dt
import itertools

from django.apps import apps
from django.db import connection, models

from northstar.compensation import calculations, claims, fund, mediations
from northstar.core import jobs
from northstar.core.actor import Actor
from northstar.core.crypto import keyring
from northstar.core.models import AuditEntry, Job
from northstar.core.tokens import issue_token
from northstar.documents import actions as documents
from northstar.documents.exports import CASELOAD_EXPORT
from northstar.engagement import actions as engagement
from northstar.insights.htcds import work as htcds_work
from northstar.intelligence import actions as intelligence
from northstar.justice import actions as justice
from northstar.justice import tasks as case_tasks
from northstar.outcomes import actions as outcomes
from northstar.pathways import actions as pathways
from northstar.portal import actions as portal
from northstar.referrals import actions as referrals
from northstar.referrals.models import Service
from northstar.safeguards import actions as safeguards
from northstar.screening.actions import screen_case
from northstar.survivors import actions as survivors
from northstar.web import actions as intake_actions
from northstar.web.models import IntakeStep

PIN = "482913"
#: The smallest file the sniffer takes for a PDF: what a scanned form looks like to it.
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

CALCULATION = {
    "jurisdiction": "TH", "currency": "THB", "method": "statutory",
    "work_periods": [{"start": "2025-06-01", "end": "2025-07-31", "days_worked": 61,
                      "hours_per_day": 12, "agreed_daily_wage": "300",
                      "statutory_daily_wage": None, "amount_paid": "9000", "region": "Bangkok",
                      "sector": None, "normal_daily_hours": "8"}],
    "recruitment_fees": "15000", "debts_imposed": "0", "unlawful_deductions": "0",
    "medical_costs": "5000", "travel_costs": "3000", "lost_earnings": "0",
    "offender_gain": None, "non_pecuniary": {"amount": "0", "justification": ""},
}


def start_ids_far_apart(first: int = 4_700_000, step: int = 10_000) -> None:
    """Make each table's next id a different seven-digit number (SQLite and PostgreSQL)."""
    tables = sorted({m._meta.db_table for m in apps.get_models()
                     if isinstance(m._meta.pk, models.AutoField | models.BigAutoField)})
    with connection.cursor() as cursor:
        for n, table in enumerate(tables):
            start = first + n * step
            if connection.vendor == "postgresql":
                # Never below a row the test already made (SQLite's AUTOINCREMENT takes the
                # larger of the two by itself; PostgreSQL would hand the same id out again).
                quoted = connection.ops.quote_name(table)
                cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), "
                               f"GREATEST(%s, (SELECT COALESCE(MAX(id), 0) + 1 FROM {quoted})), "
                               "false)", [table, start])
            elif connection.vendor == "sqlite":
                cursor.execute("DELETE FROM sqlite_sequence WHERE name = %s", [table])
                cursor.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)",
                               [table, start - 1])


def person(caseworker, *, given_name: str, family_name: str, nationality: str = "KH"):
    return survivors.create_survivor(Actor.for_user(caseworker, "cli"), data={
        "given_name": given_name, "family_name": family_name, "date_of_birth": "1998-04-12",
        "phone": "+855 12 345 678", "sex": "female", "nationality": nationality,
        "languages": ["km"], "preferred_language": "km", "interpreter_needed": True,
    })


_walker_sources = itertools.count()


def build_records(*, caseworker, supervisor, recipient, survivor=None,
                  given_name: str = "Demo Sokha", family_name: str = "Walker") -> dict:
    """Every kind of survivor-linked record for one survivor of the caseworker's organisation.

    ``recipient`` is another organisation on the platform, to which the survivor is referred.
    Returns path-parameter names (as routes spell them) → ids, plus the objects under ``obj``.
    """
    actor = Actor.for_user(caseworker, "cli")
    boss = Actor.for_user(supervisor, "cli")
    survivor = survivor or person(caseworker, given_name=given_name, family_name=family_name)
    # Labour exploitation with low coercion: the kind out-of-court mediation is offered for.
    case = survivors.create_case(actor, survivor, data={
        "forms_of_exploitation": ["labour"], "sectors": ["construction"],
        "country_of_origin": "KH", "country_of_destination": "TH",
        "period_start": dt.date(2025, 1, 1), "period_end": dt.date(2025, 6, 30),
        "relationship_to_offender": "stranger", "coercion": "low",
        "summary": "Wages withheld for six months on a building site.",
    })
    consent = survivors.record_consent(actor, survivor, purpose="case_management",
                                       language="km", method="verbal")
    # Screened as a labour-rights violation, not trafficking: mediation is never opened on a
    # case whose latest screening is (possible) trafficking (issue 11 §4).
    screening = screen_case(actor, case, answers={
        "act": [], "means": [], "purpose": [],
        "indicators": {"withholding_of_wages": True, "excessive_overtime": True},
        "involuntary": False, "menace_of_penalty": "unknown"})
    priorities = pathways.set_priorities(
        actor, case, ranking=["monetary_support", "healing", "safety_self_and_others"],
        words="My family owes money because of me.")
    assessment = pathways.assess_case(actor, case, wishes={"advocacy": "anonymous"})
    item = pathways.add_plan_item(actor, case, intervention="trauma_informed_support",
                                  note="Weekly counselling in her language.")
    event = justice.record_event(actor, case, kind="interview", occurred_on=dt.date(2025, 8, 1),
                                 details={"interviewer": "Investigator", "interviewer_role":
                                          "police", "language": "th",
                                          "interpreter_present": False, "video_recorded": False})
    # A reflection period with no end agreed yet: the task lists show a task for it.
    justice.record_event(actor, case, kind="reflection_period_start",
                         occurred_on=dt.date(2025, 8, 2), details={})
    (finding, *_) = safeguards.record_findings(actor, case, action="detain", context={},
                                               source="test:walker")
    calculation = calculations.save_calculation(actor, case, data=CALCULATION)
    claim = claims.create_claim(actor, case, route="civil_suit", payer="employer",
                                      amount_claimed="1000", currency="THB",
                                      filed_on="2025-09-01")
    mediation = mediations.open_mediation(actor, case, opened_on="2025-09-01",
                                            conditions_confirmed=True)
    fund.deposit_to_fund(boss, amount="10000", received_on="2025-01-01", currency="THB",
                                 source="Donor grant")
    disbursement = fund.disburse(actor, survivor, purpose="medical", amount="500",
                                         paid_on="2025-02-01", approver_id=supervisor.pk,
                                         case=case)
    service = Service.objects.create(provider=recipient, kind="legal_aid",
                                     name="Legal aid for wage claims",
                                     jurisdictions=[recipient.jurisdiction], languages=["km"])
    survivors.record_consent(actor, survivor, purpose="referral", recipient=recipient,
                             language="km", method="written", interpreter_used=True)
    referral = referrals.create_referral(actor, survivor=survivor, recipient=recipient,
                                         service=service, case=case, needs=["legal_aid"],
                                         message="Wage claim continues after return home.")
    intake = intake_actions.start_intake(actor)
    intake_actions.complete_intake_step(actor, intake, step=IntakeStep.SURVIVOR,
                                        survivor=survivor)
    intake_actions.save_intake_draft(actor, intake, step=IntakeStep.CONSENT,
                                     values={"purposes": ["statistics"]})
    access = portal.set_pin(actor, survivor, pin=PIN)
    task = case_tasks.add_task(actor, case, title="Call her about the hearing date",
                               assignee=caseworker, due_on=dt.date(2025, 9, 1))
    # An open request to move the survivor to the referral's recipient (consent given above).
    transfer = survivors.request_transfer(actor, case, to_organisation=recipient,
                                          reason="She is moving home to be near her family.")
    # Two more records of one person, whose merge waits for a supervisor, and a third that
    # a merge may still be asked for.
    twin = person(caseworker, given_name="Demo Sokhar", family_name="Walker-Twin")
    twin_copy = person(caseworker, given_name="Demo Sokha", family_name="Walker-Twin")
    spare = person(caseworker, given_name="Demo Srey", family_name="Walker-Spare")
    merge = survivors.request_merge(actor, kept=twin, merged=twin_copy,
                                    reason="Same mother's name and village.")
    token, _ = issue_token(caseworker, name="walker")
    # A finished background job of the caseworker's (the statement PDF), its file sealed.
    job = Job.objects.create(kind="compensation.statement_pdf", status="done", owner=caseworker,
                             organisation=caseworker.membership.organisation,
                             params={"calculation_id": calculation.pk, "lang": "en"},
                             result={"survivor_ref": survivor.reference},
                             result_name=f"compensation-{case.reference}.pdf",
                             result_type="application/pdf")
    Job.objects.filter(pk=job.pk).update(
        result_file=keyring().seal_bytes(b"%PDF-1.7 statement", jobs.file_context(job.pk)))
    export = jobs.submit(CASELOAD_EXPORT, owner=caseworker, organisation=caseworker.membership
                         .organisation, user_id=caseworker.pk, format="csv", personal=False)
    export = jobs.run(export.pk) or export  # the walker reads the finished file
    # A supervisor's finished HTCDS release (insights): its page, its report, its file.
    htcds_job = htcds_work.submit_release(boss)
    htcds_job = jobs.run(htcds_job.pk) or htcds_job
    document = documents.attach_document(actor, survivor, kind="signed_consent", data=PDF_BYTES,
                                         name="consent_signed.pdf", case=case)
    # Follow-up check-ins (issue 15), scheduled as if the case had closed on 2025-09-01.
    check_in = outcomes.schedule_check_ins(case, closed_on=dt.date(2025, 9, 1))[0]
    # Engagement (issue 16): the survivor consents to take part, is invited to a council
    # meeting still to come and sits on the council; an honorarium was paid to her.
    survivors.record_consent(actor, survivor, purpose="engagement", language="km",
                             method="verbal")
    council = engagement.create_council(boss, name="Survivors' council", kind="advisory_council")
    engagement.add_council_member(boss, council, survivor=survivor, term_start=dt.date(2025, 1, 1))
    activity = engagement.create_activity(
        boss, kind="advisory_council", title="Council meeting", hours="2", council=council,
        starts_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=30), offender_may_be_present=False)
    engagement.invite(boss, activity, survivor=survivor, pseudonym="Lotus")
    engagement.record_payment(boss, survivor, amount="300", currency="THB", method="cash",
                              on=dt.date(2025, 3, 1))
    # A report the survivor's caseworker passed on to the organisation's analysts (issue 16):
    # it names no survivor; each call is a new source, so no rate limit is reached.
    report = intelligence.receive_report(
        organisation=caseworker.membership.organisation, channel="caseworker",
        data={"agencies": "Golden Star Recruitment", "from_country": "KH",
              "to_country": "TH", "details": "Fees of 500 dollars."},
        source=f"walker:{survivor.pk}:{next(_walker_sources)}", actor=actor)
    objects = {
        "survivor": survivor, "case": case, "consent": consent, "screening": screening,
        "priorities": priorities, "assessment": assessment, "item": item, "event": event,
        "finding": finding, "calculation": calculation, "claim": claim, "mediation": mediation,
        "disbursement": disbursement, "service": service, "referral": referral,
        "intake": intake, "portal_access": access, "token": token, "task": task,
        "transfer": transfer, "merge": merge, "spare": spare,
        "job": job,
        "document": document, "export": export,
        "check_in": check_in,
        "activity": activity,
        "report": report,
        "htcds_job": htcds_job,
        # An entry of the organisation's audit log about this survivor (the log's entry
        # page and API, h-auditview): the latest, written by the steps above.
        "entry": AuditEntry.objects.filter(survivor_ref=survivor.reference).latest("id"),
    }
    return {**{f"{name}_id": obj.pk for name, obj in objects.items()}, "obj": objects}


def every_id_in_the_database() -> set[str]:
    """The id of every row of every model, as text: what a whole record id looks like."""
    found: set[str] = set()
    for model in apps.get_models():
        found.update(str(pk) for pk in model._default_manager.values_list("pk", flat=True))
    return found
