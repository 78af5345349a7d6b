"""Who may see and change which survivor records: decided here and nowhere else.

Every view, API handler, admin page and export starts from these selectors.
A record outside them answers 404 (``NotFound``), never 403, so that its
existence is not leaked to another organisation.

- Staff in a case role (caseworker, legal officer, supervisor) see and change
  their own organisation's survivors and cases.
- Staff of an organisation that received an accepted referral, whose referral
  consent still stands, see *only the fields shared with them*, read-only,
  until the referral ends or the consent is withdrawn (``referrals.access``).
- Researchers, org admins and council coordinators see no individual record.
- A survivor signed in to the portal sees their own record and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from northstar.core import roles
from northstar.core.actor import Actor
from northstar.core.errors import Forbidden, NotFound
from northstar.core.prepared import Prepared, Recipe
from northstar.referrals import access as referral_access
from northstar.survivors.consent import in_force
from northstar.survivors.models import (
    AdvocacyVisibility,
    Case,
    Consent,
    ConsentPurpose,
    MergeRequest,
    Survivor,
    Transfer,
    TransferStatus,
)

#: Marker for "every field" in ``survivor_fields``.
ALL_FIELDS = None


def _is_own_org_staff(actor: Actor) -> bool:
    return (
        actor.survivor_id is None
        and actor.organisation is not None
        and roles.works_with_records(actor.role)
    )


def visible_survivors(actor: Actor) -> QuerySet[Survivor]:
    """Live survivors the actor may see, newest first.

    Never ``DISTINCT``: the own-organisation rows and the referral-shared rows are one
    ``WHERE`` (a semi-join, so no row twice). An organisation that receives no referral
    today gets the plain own-organisation filter, which PostgreSQL reads in the order of
    the ``survivor_org_live_recent`` index and stops after one page.
    """
    if actor.survivor_id is not None:
        return _live_survivors().filter(pk=actor.survivor_id)
    if not _is_own_org_staff(actor):
        return _live_survivors().none()
    if not referral_access.receives_referrals(actor.organisation):
        return _OWN_SURVIVORS.queryset(actor.organisation.pk)
    shared = referral_access.shared_survivor_ids(actor.organisation)
    return _live_survivors().filter(Q(organisation=actor.organisation) | Q(pk__in=shared))


def own_survivors_alone(survivors: QuerySet[Survivor]) -> int | None:
    """The organisation's id when ``survivors`` is ``visible_survivors(actor)`` as given
    (nothing added to it) and that is the organisation's own live survivors alone (it
    receives no referral that may share one): a caller may then write "live, of this
    organisation" into a statement written once. ``None`` otherwise (shared survivors, a
    portal survivor, no access, or a queryset changed since)."""
    made = Recipe.of(survivors)
    return made[1][0] if made is not None and made[0] is _OWN_SURVIVORS else None


def changeable_survivors(actor: Actor) -> QuerySet[Survivor]:
    live = Survivor.objects.filter(archived_at__isnull=True)
    if not _is_own_org_staff(actor):
        return live.none()
    return live.filter(organisation=actor.organisation)


def changeable_survivors_q(organisation_id: int, *, via: str = "survivor__") -> Q:
    """``changeable_survivors`` of the case staff of ``organisation_id`` as a condition on
    a path to the survivor, for a query written once (``core.prepared``); only for an
    actor ``works_with_records`` answers yes for (the caller asks first)."""
    return Q(**{f"{via}organisation_id": organisation_id, f"{via}archived_at__isnull": True})


def visible_cases(actor: Actor) -> QuerySet[Case]:
    """Cases are never shared by referral: only the owning organisation sees them.

    Filtered on the case's own ``organisation`` (kept equal to its survivor's) and its copy
    of whether the survivor is archived (``Case.survivor_archived``, set by
    ``archive_survivor``: a live case of an archived survivor is not shown), so a list and
    its capped count are one range of the ``case_org_visible_recent`` index, never a join
    through the organisation's survivors.
    """
    if actor.survivor_id is not None:
        return _live_cases().filter(survivor_id=actor.survivor_id)
    if not _is_own_org_staff(actor):
        return _live_cases().none()
    return _OWN_CASES.queryset(actor.organisation.pk)  # as ``staff_cases_q``


_STAFF_CASES_OF_SURVIVOR = Prepared(lambda org_id, survivor_id: Case.objects.filter(
    staff_cases_q(org_id), survivor_id=survivor_id), -7_320_000_171, -7_320_000_172,
    constants=(False,))


def cases_of_survivor(actor: Actor, survivor: Survivor) -> list[Case]:
    """``visible_cases(actor).filter(survivor=survivor)`` as a list; for case staff one query
    written once per process (the survivor page lists them, its documents form offers them)."""
    if _is_own_org_staff(actor):
        return _STAFF_CASES_OF_SURVIVOR(actor.organisation.pk, survivor.pk)
    return list(visible_cases(actor).filter(survivor=survivor))


def staff_cases_q(organisation_id: int, *, via: str = "") -> Q:
    """``visible_cases`` of the case staff of ``organisation_id`` (the same three conditions,
    kept together with it here) as a condition, on the
    case itself or reached through ``via`` (``"case__"``, ``"instalment__claim__case__"``):
    for a query written once with the organisation as a parameter (``core.prepared``).
    Only for an actor ``works_with_records`` answers yes for (the caller asks first)."""
    return Q(**{f"{via}organisation_id": organisation_id, f"{via}archived_at__isnull": True,
                f"{via}survivor_archived": False})


def _live_survivors() -> QuerySet[Survivor]:
    return Survivor.objects.filter(archived_at__isnull=True)


def _live_cases() -> QuerySet[Case]:
    return Case.objects.filter(archived_at__isnull=True, survivor_archived=False)


#: The two lists most requests ask for, an organisation's own live survivors and cases, as
#: recipes (``core.prepared``): the same querysets, whose page and count SQL is written once
#: per process instead of once per request (issue 13).
_OWN_SURVIVORS = Recipe(
    lambda org_id: _live_survivors().filter(organisation_id=org_id),
    -7_310_000_011)
_OWN_CASES = Recipe(
    lambda org_id: _live_cases().filter(organisation_id=org_id),
    -7_310_000_012)


def _pk(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise NotFound() from None


def one_of(queryset: QuerySet, record_id, what: str):
    """The record ``record_id`` from an already-scoped queryset, or ``NotFound``.

    Apps' ``*_for`` selectors call this on a queryset that starts from a policy
    selector, so a missing id, a malformed one and one outside reach look alike.
    """
    try:
        found = queryset.filter(pk=_pk(record_id)).first()
    except NotFound:
        found = None
    if found is None:
        raise NotFound(f"No such {what}")
    return found


#: One live survivor, or one live case with its survivor and caseworker, by primary key:
#: the detail reads' lookups, their SQL written once per process (``core.prepared``). The
#: scope (organisation, or the portal survivor) is checked on the row found.
_LIVE_SURVIVOR = Prepared(
    lambda pk: Survivor.objects.filter(pk=pk, archived_at__isnull=True)[:1], -7_310_000_001)
_LIVE_CASE = Prepared(
    lambda pk: (Case.objects.filter(pk=pk, archived_at__isnull=True,
                                    survivor__archived_at__isnull=True)
                .select_related("survivor", "caseworker")[:1]), -7_310_000_002)


def _own_by_pk(prepared: Prepared, record_id):
    try:
        return prepared.first(_pk(record_id))
    except NotFound:
        return None


def survivor_for(actor: Actor, survivor_id, *, change: bool = False) -> Survivor:
    if _is_own_org_staff(actor):
        # The survivor by primary key: one of the actor's own organisation is the answer
        # (seen and changeable: live, own organisation, a role that works with records).
        own = _own_by_pk(_LIVE_SURVIVOR, survivor_id)
        if own is not None and own.organisation_id == actor.organisation.pk:
            return own
        # Otherwise perhaps shared by referral: one row by primary key, so the referral
        # ``OR`` costs nothing here (the lists' "receives referrals at all" query is skipped).
        shared = referral_access.shared_survivor_ids(actor.organisation)
        scope = Survivor.objects.filter(archived_at__isnull=True).filter(
            Q(organisation=actor.organisation) | Q(pk__in=shared))
    else:
        scope = visible_survivors(actor)
    survivor = one_of(scope, survivor_id, "survivor")
    if change and not changeable_survivors(actor).filter(pk=survivor.pk).exists():
        raise Forbidden("This record is shared with your organisation read-only")
    return survivor


def case_for(actor: Actor, case_id, *, change: bool = False) -> Case:
    """A case of ``visible_cases(actor)`` by id, with its survivor and caseworker."""
    case = _own_by_pk(_LIVE_CASE, case_id)
    seen = case is not None and (
        case.survivor_id == actor.survivor_id if actor.survivor_id is not None
        else _is_own_org_staff(actor) and case.organisation_id == actor.organisation.pk)
    if not seen:
        raise NotFound("No such case")
    if change and actor.survivor_id is not None:
        raise Forbidden("A survivor cannot change case records")
    case._seen_by = actor  # see ``visible_case_id``
    return case


def visible_case_id(actor: Actor, case: Case | None) -> int | None:
    """``case.pk`` when ``actor`` may see the case, else ``None``: what a panel or selector
    reading the rows *of one case* filters on (``case_id = …``), instead of repeating
    ``case__in=visible_cases(actor)`` in each of its queries (a subquery Django compiles
    again every time: a third of the case page's CPU). A case ``case_for`` returned to
    this same actor (this request's ``Actor``) is answered from that check, with no query;
    any other ``Case`` instance is looked up as ``case_for`` would."""
    if case is None or case.pk is None:
        return None
    if getattr(case, "_seen_by", None) is actor:
        return case.pk
    try:
        return case_for(actor, case.pk).pk
    except NotFound:
        return None


def rows_of_case(actor: Actor, case: Case, queryset: QuerySet, *, via: str = "case") -> QuerySet:
    """The rows of ``queryset`` that belong to ``case`` (through the foreign key ``via``),
    none when the actor may not see the case (``visible_case_id``)."""
    case_id = visible_case_id(actor, case)
    if case_id is None:
        return queryset.none()
    return queryset.filter(**{f"{via}_id": case_id})


def own_jobs(actor: Actor) -> QuerySet:
    """The jobs (``core/jobs.py``) the actor started within their present organisation: a
    job's progress and its file are its owner's alone, and only while they belong to the
    organisation whose records it read (a person who moved to another organisation no
    longer downloads the first one's figures). Jobs of no organisation stay the owner's."""
    from northstar.core.models import Job

    if actor.user is None:
        return Job.objects.none()
    return Job.objects.filter(owner=actor.user).filter(
        Q(organisation__isnull=True) | Q(organisation=actor.organisation))


def job_for(actor: Actor, job_id):
    """One of ``own_jobs``: anyone else, administrators included, gets 404."""
    return one_of(own_jobs(actor), job_id, "job")


def visible_consents(actor: Actor) -> QuerySet[Consent]:
    if actor.survivor_id is not None:
        return Consent.objects.filter(survivor_id=actor.survivor_id)
    if not _is_own_org_staff(actor):
        return Consent.objects.none()
    return Consent.objects.filter(survivor__organisation=actor.organisation)


_CONSENTS_OF_SURVIVOR = Prepared(lambda survivor_id: Consent.objects.filter(
    survivor_id=survivor_id).select_related("recipient"), -7_320_000_161)


def consents_of_survivor(actor: Actor, survivor: Survivor) -> list[Consent]:
    """``visible_consents(actor).filter(survivor=survivor)`` with their recipients, as a
    list: one query written once per process, the survivor's own organisation checked on
    the row (a page shows them only once ``survivor_for`` or ``case_for`` has answered)."""
    if actor.survivor_id is not None:
        seen = actor.survivor_id == survivor.pk
    else:
        seen = _is_own_org_staff(actor) and survivor.organisation_id == actor.organisation.pk
    return _CONSENTS_OF_SURVIVOR(survivor.pk) if seen else []


def consent_for(actor: Actor, consent_id) -> Consent:
    return one_of(visible_consents(actor).select_related("survivor"), consent_id, "consent")


def survivor_fields(actor: Actor, survivor: Survivor) -> frozenset[str] | None:
    """Fields of ``survivor`` the actor may see: ``ALL_FIELDS`` or a set of names."""
    if actor.survivor_id == survivor.pk:
        return ALL_FIELDS
    if _is_own_org_staff(actor) and survivor.organisation_id == actor.organisation.pk:
        return ALL_FIELDS
    if _is_own_org_staff(actor):
        shared = referral_access.shared_fields(actor.organisation, survivor)
        if shared:
            return frozenset(shared)
    raise NotFound("No such survivor")


def survivors_fields(actor: Actor, survivors) -> dict[int, frozenset[str] | None]:
    """``survivor_fields`` for a whole page of visible survivors, in at most one query.

    A list that asked ``survivor_fields`` per row would query the referrals once for
    every survivor shared with the actor's organisation (an N+1 on the recipient's side).
    """
    out: dict[int, frozenset[str] | None] = {}
    shared: list[int] = []
    for survivor in survivors:
        if actor.survivor_id == survivor.pk or (
                _is_own_org_staff(actor) and survivor.organisation_id == actor.organisation.pk):
            out[survivor.pk] = ALL_FIELDS
        else:
            shared.append(survivor.pk)
    if shared and _is_own_org_staff(actor):
        granted: dict[int, set[str]] = {}
        rows = referral_access.active_referrals(actor.organisation).filter(
            survivor_id__in=shared).values_list("survivor_id", "shared_fields")
        for survivor_id, names in rows:
            granted.setdefault(survivor_id, set()).update(names or ())
        out.update({pk: frozenset(names) for pk, names in granted.items() if names})
    missing = [pk for pk in shared if pk not in out]
    if missing:
        raise NotFound("No such survivor")
    return out


def survivors_whose_documents_are_visible(actor: Actor) -> QuerySet[Survivor]:
    """Survivors whose attached documents the actor may see: their own organisation's, and
    a survivor referred to the actor's organisation only while a referral that shares the
    ``documents`` field stands (cases are never shared, so only documents attached to the
    survivor, not to a case). A survivor in the portal sees none (not offered there)."""
    live = Survivor.objects.filter(archived_at__isnull=True)
    if not _is_own_org_staff(actor):
        return live.none()
    shared = referral_access.active_referrals(actor.organisation).filter(
        shared_fields__has_element="documents").values_list("survivor_id", flat=True)
    return live.filter(Q(organisation=actor.organisation) | Q(pk__in=shared))


def sees_own_survivors_documents(actor: Actor, survivor: Survivor) -> bool:
    """``survivor`` (a row the actor may see, as read for this request) is one whose
    documents the actor sees as their own organisation's: in
    ``survivors_whose_documents_are_visible`` by its first branch (live, the actor's
    organisation's, the actor its staff). Answered from the row itself, no query; a
    survivor seen through a referral is asked the general way."""
    return _changes(actor, survivor)


def _changes(actor: Actor, survivor: Survivor) -> bool:
    """``survivor`` (already visible to the actor) is one the actor may change: no query."""
    return (_is_own_org_staff(actor) and survivor.archived_at is None
            and survivor.organisation_id == actor.organisation.pk)


def may_change_survivor(actor: Actor, survivor: Survivor) -> bool:
    """``survivor`` (a row the actor may see, as read for this request) is one of
    ``changeable_survivors``: answered from the row itself, no query."""
    return _changes(actor, survivor)


def may_attach_documents(actor: Actor, survivor: Survivor) -> bool:
    """Attach a file to a survivor or one of their cases: own-organisation case staff."""
    return _changes(actor, survivor)


def may_export_caseload(actor: Actor) -> bool:
    """The caseload as CSV/XLSX and case summaries as PDF: own-organisation case staff."""
    return _is_own_org_staff(actor)


def may_export_personal_fields(actor: Actor) -> bool:
    """Names and contact details in a caseload export: case staff, only on explicit choice."""
    return _is_own_org_staff(actor)


def may_lift_portal_backoff(actor: Actor, survivor: Survivor) -> bool:
    """Lift the sign-in slow-down on a survivor's portal code: their own caseworkers."""
    return _changes(actor, survivor)


def advocacy_participants(actor: Actor) -> QuerySet[Survivor]:
    """For a council coordinator: their organisation's survivors who chose to take part in
    advocacy (anonymously or by name) *and* whose advocacy consent is in force. Only
    pseudonym-level facts may be shown of them (reference, how they take part, languages);
    never a name, a case or contact details. Everyone else: none."""
    if (actor.survivor_id is not None or actor.organisation is None
            or actor.role not in roles.ADVOCACY_ROLES):
        return Survivor.objects.none()
    consenting = in_force(Consent.objects.filter(purpose=ConsentPurpose.ADVOCACY)).values(
        "survivor_id")
    return Survivor.objects.filter(
        archived_at__isnull=True, organisation=actor.organisation,
        advocacy_visibility__in=(AdvocacyVisibility.ANONYMOUS, AdvocacyVisibility.PUBLIC),
        pk__in=consenting)


def coordinates_advocacy(actor: Actor) -> bool:
    return (actor.survivor_id is None and actor.organisation is not None
            and actor.role in roles.ADVOCACY_ROLES)


def landing_page(actor: Actor) -> str | None:
    """Where a role lands after signing in, if not the caseload: somewhere with something
    for them (figures for researchers, funders and governments, the engagement calendar for
    the council's coordinator, the organisation's pages for its admins)."""
    if actor is None or works_with_records(actor) or actor.organisation is None:
        return None
    if coordinates_advocacy(actor):
        return "engagement:calendar"
    if may_administer_organisation(actor):
        return "organisation:home"
    if actor.role in roles.FIGURES_ONLY_ROLES and may_see_insights(actor):
        return "insights:dashboard"
    if may_see_aggregates(actor):
        return "compensation:figures"
    return None


# --- Named permissions: every "may this actor…" question is answered here -------


def works_with_records(actor: Actor) -> bool:
    """Own-organisation staff in a case role (caseworker, legal officer, supervisor)."""
    return _is_own_org_staff(actor)


def may_record(actor: Actor) -> bool:
    """May create survivors, cases, intakes, screenings, plans and events."""
    return _is_own_org_staff(actor)


def may_read_audit(actor: Actor) -> bool:
    return actor.survivor_id is None and roles.oversees(actor.role)


def _survivors_in_audit(actor: Actor) -> Q | None:
    """The survivors whose references the actor's audit log may show: its own organisation's
    (archived ones too: the log is their history) and those shared with it now by an active,
    consented referral. Never another organisation's otherwise: an entry of this log that
    names one (a read made while a referral was live) shows how many, not who."""
    if not may_read_audit(actor) or actor.organisation is None:
        return None
    named = Q(organisation_id=actor.organisation.pk)
    if referral_access.receives_referrals(actor.organisation):
        named |= Q(pk__in=referral_access.shared_survivor_ids(actor.organisation),
                   archived_at__isnull=True)
    return named


def audit_survivor_id(actor: Actor, reference: str) -> int | None:
    """Id of the survivor ``reference`` names, for a search of the audit log, when the
    actor may see who that is (``_survivors_in_audit``); else None (then the search finds
    only the entries carrying the reference itself)."""
    named = _survivors_in_audit(actor)
    if named is None or not reference:
        return None
    return (Survivor.objects.filter(named, reference=reference)
            .values_list("pk", flat=True).first())


#: Which records an audit entry's ids are, by its ``record_type``, and how each reaches its
#: survivor: the model (by label: the domain apps sit above this module) and the paths to
#: the survivor's id. What a list read names (``record_ids``) is ids of that model; a
#: ``timeline_task`` list names its cases. Types not here name no survivor's record (figures,
#: intelligence reports, activities) or are only ever read one at a time with the
#: survivor's reference. ``tests/core/test_audit_search.py`` checks every list read a
#: page or the API writes is of a type here.
AUDIT_RECORDS_OF_SURVIVORS: dict[str, tuple[str, tuple[str, ...]]] = {
    "survivor": ("survivors.Survivor", ("pk",)),
    "case": ("survivors.Case", ("survivor",)),
    "consent": ("survivors.Consent", ("survivor",)),
    "status_change": ("survivors.StatusChange", ("survivor",)),
    "transfer": ("survivors.Transfer", ("survivor",)),
    "merge_request": ("survivors.MergeRequest", ("kept", "merged")),
    "intake": ("web.Intake", ("survivor",)),
    "referral": ("referrals.Referral", ("survivor",)),
    "document": ("documents.Document", ("survivor",)),
    "victim_fund_disbursement": ("compensation.Disbursement", ("survivor",)),
    "compensation_claim": ("compensation.Claim", ("case__survivor",)),
    "compensation_mediation": ("compensation.Mediation", ("case__survivor",)),
    "compensation_calculation": ("compensation.SavedCalculation", ("case__survivor",)),
    "case_task": ("justice.CaseTask", ("case__survivor",)),
    "timeline_task": ("survivors.Case", ("survivor",)),
    "timeline_event": ("justice.TimelineEvent", ("case__survivor",)),
    "check_in": ("outcomes.CheckIn", ("survivor",)),
    "survey_response": ("outcomes.SurveyResponse", ("survivor",)),
    "safeguard_finding": ("safeguards.Finding", ("case__survivor",)),
    "screening": ("screening.Screening", ("case__survivor",)),
    "pathway_assessment": ("pathways.PathwayAssessment", ("case__survivor",)),
    "plan_item": ("pathways.PlanItem", ("case__survivor",)),
}


#: Stands for the survivor's id while the records' statement is compiled (``_records_sql``).
_STAND_IN = -7_310_001


def _records_of_survivor_statement(using: str) -> tuple[str, list]:
    """The UNION of every type's ids of one survivor's records, compiled once per process
    and database (21 querysets compiled on every search were ~10 ms of CPU): the SQL and
    its parameters, the survivor's id written as ``_STAND_IN``."""
    cached = _RECORDS_SQL.get(using)
    if cached is not None:
        return cached
    from django.apps import apps
    from django.db.models import CharField, Value

    reads = []
    for record_type, (label, paths) in AUDIT_RECORDS_OF_SURVIVORS.items():
        if record_type == "survivor":
            continue
        condition = Q()
        for path in paths:
            condition |= Q(**{path if "__" in path else f"{path}_id": _STAND_IN})
        reads.append(apps.get_model(label)._base_manager.using(using).filter(condition)
                     .annotate(audit_type=Value(record_type, output_field=CharField()))
                     .values_list("audit_type", "pk").order_by())
    sql, params = reads[0].union(*reads[1:], all=True).query.sql_with_params()
    _RECORDS_SQL[using] = cached = (sql, list(params))
    return cached


_RECORDS_SQL: dict[str, tuple[str, list]] = {}


def audit_records_of(actor: Actor, reference: str) -> dict[str, list[str]] | None:
    """The records of the survivor ``reference`` names, by audit record type (type → ids as
    the log stores them), for a search of the audit log, when the actor may see who that is
    (``_survivors_in_audit``); else None: then the search finds only the entries carrying
    the reference itself (finding the lists would say who an unnamed id in them is).
    One statement, whatever the number of types (a UNION of each type's ids)."""
    survivor_id = audit_survivor_id(actor, reference)
    if survivor_id is None:
        return None
    from django.db import connections

    sql, params = _records_of_survivor_statement("default")
    values = [survivor_id if type(p) is int and p == _STAND_IN else p for p in params]
    found: dict[str, list[str]] = {"survivor": [str(survivor_id)]}
    with connections["default"].cursor() as cursor:
        cursor.execute(sql, values)
        for record_type, pk in cursor.fetchall():
            found.setdefault(record_type, []).append(str(pk))
    return found


def audit_search(actor: Actor, *, survivor_ref: str = "", record_type: str = "",
                 record_id: str = "") -> Q:
    """What a search of the actor's audit log looks for (within their log: ``audit.log_parts``):
    every entry naming the survivor ``survivor_ref`` (their own records and every list that
    showed one of them, when the actor may see who they are: ``audit_records_of``), and/or
    every entry naming one record (``record_type`` and ``record_id``: its reads, changes and
    the lists that showed it), or every entry of one ``record_type``."""
    from northstar.core.audit import naming_record, naming_records

    named = Q()
    if survivor_ref:
        named &= naming_records(survivor_ref, audit_records_of(actor, survivor_ref))
    if record_id:
        named &= naming_record(record_type, record_id)
    elif record_type:
        named &= Q(record_type=record_type)
    return named


def audit_references(actor: Actor, ids) -> dict[str, str]:
    """Survivor id (as the audit log stores it, a string) → reference, for the ids among
    ``ids`` whose reference the actor's audit log may show; one query, however many ids.
    Ids of other survivors are left out (the page shows them as a count)."""
    named = _survivors_in_audit(actor)
    wanted = {int(i) for i in ids if isinstance(i, str) and i.isascii() and i.isdigit()
              and len(i) <= 18}
    if named is None or not wanted:
        return {}
    return {str(pk): reference for pk, reference in
            Survivor.objects.filter(named, pk__in=wanted).values_list("pk", "reference")}


def may_archive(actor: Actor) -> bool:
    """Archiving a record created by mistake is a supervisor's decision."""
    return _is_own_org_staff(actor) and roles.oversees(actor.role)


def may_request_merge(actor: Actor) -> bool:
    """Ask for two records of one person to be merged: own-organisation case staff."""
    return _is_own_org_staff(actor)


def may_approve_merge(actor: Actor) -> bool:
    """Approve or refuse a merge (it moves histories and archives a record): a supervisor."""
    return _is_own_org_staff(actor) and roles.oversees(actor.role)


def visible_merge_requests(actor: Actor) -> QuerySet[MergeRequest]:
    """The organisation's merge requests, for its own case staff only."""
    if not _is_own_org_staff(actor):
        return MergeRequest.objects.none()
    return MergeRequest.objects.filter(organisation=actor.organisation,
                                       kept__organisation=actor.organisation)


def merge_request_for(actor: Actor, merge_id) -> MergeRequest:
    return one_of(visible_merge_requests(actor).select_related("kept", "merged"), merge_id,
                  "merge request")


def may_override_block(actor: Actor) -> bool:
    return _is_own_org_staff(actor) and roles.oversees(actor.role)


def may_see_aggregates(actor: Actor) -> bool:
    return (actor.survivor_id is None and actor.organisation is not None
            and actor.role in roles.AGGREGATE_ROLES)


def sees_only_disclosure_safe_figures(actor: Actor) -> bool:
    """Researchers get figures with small cells hidden; supervisors see their own exact."""
    return actor.role not in roles.OVERSIGHT_ROLES


def is_administrator(actor: Actor) -> bool:
    return (actor.survivor_id is None and actor.organisation is not None
            and actor.role in roles.ADMIN_ROLES)


def may_see_fund(actor: Actor) -> bool:
    """The victim fund's balance and disbursements: case staff and org admins."""
    return _is_own_org_staff(actor) or is_administrator(actor)


def may_manage_fund(actor: Actor) -> bool:
    """Deposits into the victim fund and approval of disbursements."""
    return (actor.survivor_id is None and actor.organisation is not None
            and (roles.oversees(actor.role) or actor.role in roles.ADMIN_ROLES))


def may_manage_directory(actor: Actor) -> bool:
    """The organisation's service directory: supervisors and org admins."""
    return may_manage_fund(actor)


def may_review_translations(actor: Actor) -> bool:
    return is_administrator(actor) or bool(getattr(actor.user, "is_staff", False))


def staff_who_oversee(organisation):
    """Users who oversee an organisation's casework (supervisors): alert recipients."""
    return get_user_model().objects.filter(
        is_active=True, membership__organisation=organisation,
        membership__role__in=roles.OVERSIGHT_ROLES)


def staff_who_manage_fund(organisation):
    """Users who may approve the victim fund's disbursements."""
    return get_user_model().objects.filter(
        is_active=True, membership__organisation=organisation,
        membership__role__in=roles.OVERSIGHT_ROLES | roles.ADMIN_ROLES)


def staff_who_work_with_records(organisation):
    """Users to whom a case may be assigned."""
    return get_user_model().objects.filter(
        is_active=True, membership__organisation=organisation,
        membership__role__in=roles.CASE_ROLES)


_CASE_ROLE_VALUES = tuple(sorted(str(role.value) for role in roles.CASE_ROLES))
_STAFF_BY_USERNAME = Prepared(lambda organisation_id: get_user_model().objects.filter(
    is_active=True, membership__organisation_id=organisation_id,
    membership__role__in=_CASE_ROLE_VALUES).order_by("username"), -7_320_000_111,
    constants=_CASE_ROLE_VALUES)


def staff_who_work_with_records_by_username(organisation) -> list:
    """``staff_who_work_with_records(organisation).order_by("username")`` as a list, its
    SQL written once per process (the case page's task and assign forms offer them)."""
    if organisation is None or organisation.pk is None:
        return []
    return _STAFF_BY_USERNAME(organisation.pk)


def must_use_two_factor(actor: Actor) -> bool:
    """Supervisors, org admins and platform operators sign in with a second factor, and so
    does everyone whose organisation turns it on (``Organisation.require_two_factor``)."""
    user = actor.user
    if user is None or actor.survivor_id is not None:
        return False
    return bool(getattr(user, "is_superuser", False) or roles.oversees(actor.role)
                or actor.role in roles.ADMIN_ROLES
                or (actor.organisation is not None and actor.organisation.require_two_factor))


def may_assign_case_to(organisation, user_id) -> bool:
    """A case is assigned only to an active member of the organisation in a case role."""
    return staff_who_work_with_records(organisation).filter(pk=user_id).exists()


def may_edit_records(actor: Actor) -> bool:
    """Correct a survivor's or a case's facts: own-organisation case staff."""
    return _is_own_org_staff(actor)


def may_close_case(actor: Actor) -> bool:
    """Close or reopen a case, with a reason: own-organisation case staff."""
    return _is_own_org_staff(actor)


def may_assign_cases(actor: Actor) -> bool:
    """Change who is responsible for a case of the organisation (to someone the case may
    go to: ``may_assign_case_to``): own-organisation case staff."""
    return _is_own_org_staff(actor)


def may_manage_tasks(actor: Actor) -> bool:
    """Set tasks on the organisation's cases and mark them done."""
    return _is_own_org_staff(actor)


def sees_overdue_tasks_of_organisation(actor: Actor) -> bool:
    """Every overdue task in the organisation, whoever it is assigned to: supervisors."""
    return _is_own_org_staff(actor) and roles.oversees(actor.role)


def my_cases_by_default(actor: Actor) -> bool:
    """The caseload opens on "my cases" for a caseworker or legal officer (a supervisor
    oversees everyone's, so theirs opens on all)."""
    return _is_own_org_staff(actor) and not roles.oversees(actor.role)


def may_request_transfer(actor: Actor) -> bool:
    """Ask another organisation on the platform to take over a case: own-organisation staff."""
    return _is_own_org_staff(actor)


def may_receive_transfers(organisation) -> bool:
    """A transfer goes only to another organisation on the platform with case staff."""
    return (organisation is not None and getattr(organisation, "on_platform", True)
            and staff_who_work_with_records(organisation).exists())


def visible_transfers(actor: Actor) -> QuerySet[Transfer]:
    """Transfers the actor's organisation sent or was asked to take: case staff only.

    Neither side sees the survivor's record through a transfer: only its reference codes,
    until the receiving organisation accepts and the record becomes its own. Once it has,
    the sender no longer sees the transfer either (its access to the survivor has ended;
    its audit log keeps what it did)."""
    if not _is_own_org_staff(actor):
        return Transfer.objects.none()
    org = actor.organisation
    # The receiver of an accepted transfer sees it only while the record is still its own
    # (a survivor passed on again takes its transfers out of the old organisation's sight).
    return Transfer.objects.filter(
        Q(from_organisation=org, survivor__organisation=org)
        | (Q(to_organisation=org) & (~Q(status=TransferStatus.ACCEPTED)
                                     | Q(survivor__organisation=org))))


def transfer_for(actor: Actor, transfer_id) -> Transfer:
    return one_of(visible_transfers(actor).select_related(
        "survivor", "case", "from_organisation", "to_organisation"), transfer_id, "transfer")


def may_decide_transfer(actor: Actor, transfer: Transfer) -> bool:
    """Accept or decline: a supervisor of the receiving organisation, while it is open."""
    return (_is_own_org_staff(actor) and roles.oversees(actor.role)
            and transfer.to_organisation_id == actor.organisation.pk
            and transfer.status == TransferStatus.REQUESTED)


def may_cancel_transfer(actor: Actor, transfer: Transfer) -> bool:
    """Withdraw an open request: staff of the sending organisation."""
    return (_is_own_org_staff(actor) and transfer.from_organisation_id == actor.organisation.pk
            and transfer.status == TransferStatus.REQUESTED)


def may_administer_organisation(actor: Actor) -> bool:
    """The organisation's own profile, services, provider profile and people: its org admins,
    for their own organisation only (the Django admin is for platform operators)."""
    return is_administrator(actor)


def administers(actor: Actor, organisation_id) -> bool:
    """Whether ``organisation_id`` is the organisation this actor administers."""
    return may_administer_organisation(actor) and actor.organisation.pk == organisation_id


def may_change_membership(actor: Actor, membership) -> bool:
    """Change someone's role or deactivate them: an org admin of their organisation, and
    never for themself (no self-promotion, no locking the last admin out by accident)."""
    return (administers(actor, membership.organisation_id)
            and getattr(actor.user, "pk", None) != membership.user_id)


def may_change_role(actor: Actor, membership) -> bool:
    return may_change_membership(actor, membership)


def navigation(actor: Actor | None) -> dict[str, bool]:
    """What the page navigation offers this actor: one boolean per area, decided here
    so that templates never compare role names."""
    if actor is None:
        return {"works_with_records": False, "may_see_fund": False,
                "may_review_translations": False, "may_see_aggregates": False,
                "may_override_block": False, "may_read_audit": False,
                "may_administer_organisation": False, "sees_overdue_tasks": False,
                "coordinates_advocacy": False,
                "coordinates_engagement": False, "may_analyse_intelligence": False,
                "may_see_insights": False, "may_exchange_htcds": False}
    return {
        "works_with_records": works_with_records(actor),
        "may_see_fund": may_see_fund(actor),
        "may_review_translations": is_administrator(actor),
        "may_see_aggregates": may_see_aggregates(actor),
        "may_override_block": may_override_block(actor),
        "may_read_audit": may_read_audit(actor),
        "may_administer_organisation": may_administer_organisation(actor),
        "sees_overdue_tasks": sees_overdue_tasks_of_organisation(actor),
        "coordinates_advocacy": coordinates_advocacy(actor),
        "coordinates_engagement": coordinates_engagement(actor),
        "may_analyse_intelligence": may_analyse_intelligence(actor),
        "may_see_insights": may_see_insights(actor),
        "may_exchange_htcds": may_exchange_htcds(actor),
    }


# --- Outcomes: wellbeing and fairness surveys, follow-up check-ins (issue 15) ----------


def may_record_outcomes(actor: Actor) -> bool:
    """Read a survey aloud and record the answers, or record a follow-up check-in, on the
    organisation's own cases: own-organisation case staff."""
    return _is_own_org_staff(actor)


# --- HTCDS case file, release and import (issue 15 §3) ----------------------------------

#: Roles that export their organisation's HTCDS case file (no identifiers) or import one.
HTCDS_ROLES = frozenset({roles.Role.SUPERVISOR, roles.Role.ORG_ADMIN})


def may_exchange_htcds(actor: Actor) -> bool:
    """Export the organisation's HTCDS v2.0 case file (and its k-anonymous release), or
    import a file into it: its supervisors and org admins."""
    return (actor.survivor_id is None and actor.organisation is not None
            and actor.role in HTCDS_ROLES)


def htcds_cases(actor: Actor) -> QuerySet[Case]:
    """The cases an HTCDS export starts from: the actor's own organisation's live cases of
    live survivors (never a referral-shared one); the export narrows them by consent."""
    if not may_exchange_htcds(actor):
        return Case.objects.none()
    return Case.objects.filter(organisation=actor.organisation, archived_at__isnull=True,
                               survivor__archived_at__isnull=True)


# --- Engagement (issue 16 §1, §3): councils, activities, honoraria, consultations, outreach ---
#: Who coordinates engagement for an organisation: the council coordinator, and the
#: supervisors and administrators who oversee it. None of them sees a case record through
#: it: a survivor appears by reference or pseudonym only.
ENGAGEMENT_ROLES = roles.ADVOCACY_ROLES | roles.OVERSIGHT_ROLES | roles.ADMIN_ROLES


def coordinates_engagement(actor: Actor) -> bool:
    return (actor is not None and actor.survivor_id is None and actor.organisation is not None
            and actor.role in ENGAGEMENT_ROLES)


def engagement_organisation_id(actor: Actor) -> int | None:
    """The one organisation whose engagement records ``actor`` sees (staff), or ``None``.
    A survivor in the portal sees only their own invitations, through the engagement
    selectors, never this."""
    return actor.organisation.pk if coordinates_engagement(actor) else None


def may_set_honorarium_rates(actor: Actor) -> bool:
    """An organisation's own honoraria rates are set by its administrator."""
    return coordinates_engagement(actor) and actor.role in roles.ADMIN_ROLES


def engagement_candidates(actor: Actor) -> QuerySet[Survivor]:
    """Survivors a coordinator may invite or list: their organisation's live survivors
    whose engagement consent is in force now. Nobody else is ever listed or invited."""
    if not coordinates_engagement(actor):
        return Survivor.objects.none()
    consenting = in_force(Consent.objects.filter(purpose=ConsentPurpose.ENGAGEMENT)).values(
        "survivor_id")
    return Survivor.objects.filter(archived_at__isnull=True, organisation=actor.organisation,
                                   pk__in=consenting)


# --- Insights: who sees which figures (issue 15 §2) -------------------------------------
#
# Figures only, never a record: researchers, funders and government users hold no case role,
# so every selector above already gives them nothing (404 on every record page and endpoint).
# Which organisations' counts each sees is decided here; the sharing choices are rows of
# ``insights.Sharing``, read through the app registry (the policy sits below the insights
# app in the import layers).


@dataclass(frozen=True)
class FigureSources:
    """Whose counts an actor's figures are made of, and for which audience.

    ``audience``: "internal" (the viewer's own organisation: its lower threshold) or
    "external" (a funder or a government: the external threshold and rounding).
    ``organisations``: the organisations counted. ``each``: whether each organisation's
    own figures are shown beside their sum (a funder), or only the sum (a government)."""

    audience: str
    organisations: tuple
    each: bool
    own: bool = False


def _live_sharings():
    from django.apps import apps

    return apps.get_model("insights", "Sharing").objects.filter(stopped_at__isnull=True)


def is_funder(actor: Actor) -> bool:
    """A funder's user: the funder role in an organisation of kind funder."""
    return (actor.survivor_id is None and actor.organisation is not None
            and actor.role == roles.Role.FUNDER and actor.organisation.kind == "funder")


def is_government(actor: Actor) -> bool:
    """A government user: the government role in a government agency."""
    return (actor.survivor_id is None and actor.organisation is not None
            and actor.role == roles.Role.GOVERNMENT
            and actor.organisation.kind == "government_agency")


def may_see_insights(actor: Actor) -> bool:
    """The insights figures: researchers, supervisors and org admins (their organisation's),
    funders (of the organisations that share with them), government users (their
    jurisdiction's roll-up)."""
    return may_see_aggregates(actor) or is_funder(actor) or is_government(actor)


def figure_sources(actor: Actor) -> FigureSources:
    """Whose counts ``actor`` may see; ``Forbidden`` for everyone else."""
    from northstar.core.models import Organisation

    if is_funder(actor):
        shared = _live_sharings().filter(funder=actor.organisation).values("organisation")
        orgs = tuple(Organisation.objects.filter(pk__in=shared).order_by("name", "pk"))
        return FigureSources("external", orgs, each=True)
    if is_government(actor):
        contributing = _live_sharings().filter(funder__isnull=True).values("organisation")
        orgs = tuple(Organisation.objects.filter(
            pk__in=contributing, jurisdiction=actor.organisation.jurisdiction,
        ).order_by("name", "pk"))
        return FigureSources("external", orgs, each=False)
    if may_see_aggregates(actor):
        return FigureSources("internal", (actor.organisation,), each=False, own=True)
    raise Forbidden("your role does not see figures")


def may_manage_figure_sharing(actor: Actor) -> bool:
    """Whether the organisation's counts go to its jurisdiction's roll-up or to a funder:
    its org admins decide."""
    return is_administrator(actor)


def funders_to_share_with():
    """The organisations figures may be shared with: funders on the platform."""
    from northstar.core.models import Organisation

    return Organisation.objects.filter(kind="funder").order_by("name")



# --- Anonymous intelligence (issue 16 §2) --------------------------------------------------
# Reports are no survivor's record, so these are named permissions only; the intelligence
# app's selectors apply them (it sits above the policy). Supervisors are the analysts of
# their organisation's reports: they already oversee its casework and its audit log.


def may_report_intelligence(actor: Actor) -> bool:
    """Staff who may pass on what a survivor told them (case roles of the organisation)."""
    return _is_own_org_staff(actor)


def may_analyse_intelligence(actor: Actor) -> bool:
    """Sees and reviews every report sent to the organisation (names included)."""
    return _is_own_org_staff(actor) and roles.oversees(actor.role)


def is_law_enforcement(actor: Actor) -> bool:
    return (actor.survivor_id is None and actor.organisation is not None
            and actor.organisation.kind == "law_enforcement"
            and roles.works_with_records(actor.role))


def may_see_shared_patterns(actor: Actor) -> bool:
    """Analysts (whose organisation's own sharing setting then decides), and case staff of
    a law-enforcement organisation (who see only the stricter law-enforcement list)."""
    return may_analyse_intelligence(actor) or is_law_enforcement(actor)


def may_set_intelligence_sharing(actor: Actor) -> bool:
    return (actor.survivor_id is None and actor.organisation is not None
            and (roles.oversees(actor.role) or actor.role in roles.ADMIN_ROLES))
