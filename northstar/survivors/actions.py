"""Every change to survivors, cases and consents, and every opening of sealed data.

Callers (API handlers, pages, commands) have already asked ``northstar.policy``
whether the actor may touch the record; these functions do the work in one
transaction and write the audit entry, so no caller can forget it.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from northstar.core import audit, places
from northstar.core.actor import Actor
from northstar.core.crypto import duplicate_key
from northstar.core.errors import Conflict, DomainError
from northstar.core.fields import Sealed, reveal
from northstar.core.models import AuditEntry, Organisation
from northstar.core.prepared import Prepared, insert
from northstar.survivors import consent as consent_rules
from northstar.survivors import search
from northstar.survivors.models import (
    FAMILY_GUARDIANS,
    PURPOSES_NEEDING_RECIPIENT,
    REASONS_FOR,
    AdvocacyVisibility,
    Case,
    CaseStatus,
    Consent,
    ConsentGivenBy,
    ConsentMethod,
    ConsentPurpose,
    GuardianRelationship,
    MergeRequest,
    MergeStatus,
    NameToken,
    Relationship,
    StatusChange,
    StatusChangeKind,
    Survivor,
    Transfer,
    TransferStatus,
    YesNoUnknown,
)
from northstar.survivors.validation import PERSONAL_TEXT, clean_case, clean_survivor

#: Where a child's consent goes when the family cannot give it.
NOT_THE_FAMILY = ("ask a guardian ad litem (through the court) or the child's social worker "
                  "to decide with the child instead")

_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def _new_reference(organisation: Organisation) -> str:
    """Random, not sequential: a sequence would leak intake order and volume."""
    return f"{organisation.code}-{''.join(secrets.choice(_CODE_ALPHABET) for _ in range(6))}"


def _duplicate_key_for(values: dict) -> str | None:
    name = f"{values.get('given_name', '')} {values.get('family_name', '')}"
    return duplicate_key(name, values.get("date_of_birth", ""))


def _check_child_advocacy(survivor: Survivor, today: dt.date | None = None) -> None:
    """``today`` (default: the local date) is the date the age is reckoned on."""
    if (survivor.advocacy_visibility == AdvocacyVisibility.PUBLIC
            and survivor.is_child(today) is not False):
        raise DomainError(
            "a child (or a survivor whose age is unknown) may take part in advocacy only "
            "anonymously, to protect their identity",
            "advocacy_visibility",
        )


# --- Versions: what changed since the version someone read ------------------------

_VERSION_NOTE = re.compile(r"^version (\d+)")


def _version_note(version: int, what: str = "") -> str:
    """The audit note of a write that made ``version``: "version 4" or "version 4: closed"."""
    return f"version {version}: {what}" if what else f"version {version}"


def changed_since(record_type: str, record_id: int, version: int) -> list[str]:
    """Names of the fields changed after ``version`` of a survivor or case, read from the
    audit log's writes (each notes the version it made; the log never names values)."""
    names: set[str] = set()
    rows = AuditEntry.objects.filter(record_type=record_type, record_id=str(record_id),
                                     action__in=("update", "delete"), note__startswith="version ")
    for fields, note in rows.values_list("fields", "note"):
        match = _VERSION_NOTE.match(note)
        if match and int(match.group(1)) > version:
            names.update(fields or ())
    return sorted(names)


def _stale(record_type: str, current, version: int, what: str) -> Conflict:
    changed = changed_since(record_type, current.pk, version)
    return Conflict(
        f"this {what} was changed by someone else; reload and apply your change again",
        "version", current_version=current.version, changed_fields=changed,
    )


# --- Survivors -----------------------------------------------------------------


def create_survivor(actor: Actor, *, data: dict) -> Survivor:
    """A new survivor, its name-index tokens and its audit entry, in one transaction.

    The reference code is random; the (vanishingly rare) clash with an existing one is met
    by running the transaction again with another code. Called outside any transaction (an
    API request), that costs no savepoint around the INSERT: a clash rolls the whole
    transaction back (nothing of it is kept) and the next attempt starts afresh."""
    values = clean_survivor(data)
    if values.get("date_of_birth") and not values.get("birth_year"):
        values["birth_year"] = int(values["date_of_birth"][:4])
    for _ in range(5):
        try:
            with transaction.atomic():
                return _create_survivor_once(actor, values)
        except IntegrityError as e:
            if not _is_reference_clash(e):
                raise
    raise Conflict("could not allocate a reference code; try again")  # pragma: no cover


def _is_reference_clash(error: IntegrityError) -> bool:
    """Whether ``error`` is the reference code's uniqueness (not some other constraint)."""
    cause = getattr(error, "__cause__", None)
    constraint = getattr(getattr(cause, "diag", None), "constraint_name", None)
    if constraint is not None:  # PostgreSQL names it
        return "reference" in constraint
    return "reference" in str(error)  # SQLite: "UNIQUE constraint failed: ….reference"


def _create_survivor_once(actor: Actor, values: dict) -> Survivor:
    survivor = Survivor(organisation=actor.organisation, created_by=actor.user, **values)
    survivor.duplicate_key = _duplicate_key_for(values)
    _check_child_advocacy(survivor)
    survivor.reference = _new_reference(actor.organisation)
    insert(survivor)  # its SQL written once per process (core.prepared)
    search.insert_tokens(survivor.pk, survivor.organisation_id, values)
    audit.record(actor, "create", "survivor", survivor.pk, survivor_ref=survivor.reference,
                 fields=values.keys())
    return survivor


#: The row an update locks, read whole by primary key: its SQL written once per process
#: (``core.prepared``; compiling it again on every update was 0.4 ms of its ~3 ms of CPU).
_LOCKED_SURVIVOR = Prepared(
    lambda pk: Survivor.objects.select_for_update().filter(pk=pk).order_by()[:1],
    -7_310_000_011)


@transaction.atomic
def update_survivor(actor: Actor, survivor: Survivor, *, version: int, changes: dict) -> Survivor:
    """Apply ``changes`` if ``version`` is still current; otherwise 409 with the current one."""
    values = clean_survivor(changes)
    current = _LOCKED_SURVIVOR.first(survivor.pk)
    if current is None:
        raise Survivor.DoesNotExist(f"survivor {survivor.pk}")
    if current.version != version:
        raise _stale("survivor", current, version, "survivor")
    for key, value in values.items():
        setattr(current, key, value)
    written = set(values)
    if "date_of_birth" in values and values["date_of_birth"]:
        current.birth_year = int(values["date_of_birth"][:4])
        written.add("birth_year")
    elif values.get("birth_year"):
        # The birth year stays the year of the recorded date of birth (``child_on`` relies
        # on it): a new year alone must agree with it, as on create and import.
        kept = reveal(current.date_of_birth) if "date_of_birth" not in values else ""
        if kept and int(kept[:4]) != values["birth_year"]:
            raise DomainError("does not match the date of birth", "birth_year")
    if {"given_name", "family_name", "date_of_birth"} & values.keys():
        merged = {k: reveal(getattr(current, k)) for k in ("given_name", "family_name",
                                                           "date_of_birth")}
        current.duplicate_key = _duplicate_key_for(merged)
        written.add("duplicate_key")
    _check_child_advocacy(current)
    indexed = ({f: reveal(getattr(current, f)) for f in search.INDEXED_FIELDS}
               if set(search.INDEXED_FIELDS) & values.keys() else None)
    _seal_assigned(current, values.keys())
    # The row is locked and its version checked: the next one is known without asking the
    # database back, and only the columns written are sent (not the whole row again).
    current.version = version + 1
    current.updated_at = timezone.now()
    current.save(update_fields=sorted(written | {"version", "updated_at"}))
    if indexed is not None:
        search.index_survivor(current, indexed)
    audit.record(actor, "update", "survivor", current.pk, survivor_ref=current.reference,
                 fields=values.keys(), note=_version_note(current.version))
    return current


def _seal_assigned(record, names) -> None:
    """Seal the sealed fields among ``names`` that hold plain text just assigned, leaving
    each as the ``Sealed`` value a fresh read would give (the same token is then written):
    after the write the record shows masks, not the text typed, as if read back."""
    for name in names:
        model_field = record._meta.get_field(name)
        value = getattr(record, name)
        if getattr(model_field, "sealed", False) and not isinstance(value, Sealed):
            token = model_field.get_prep_value(value)
            setattr(record, name, Sealed(token, model_field.context) if token else "")


def reveal_personal_data(actor: Actor, survivor: Survivor, *,
                         fields: frozenset[str] | None = None) -> dict[str, str]:
    """Open the sealed fields the actor may see; the read is audited even if nothing changes."""
    names = [f for f in Survivor.PERSONAL_FIELDS if fields is None or f in fields]
    if not names:
        return {}
    audit.record_read(actor, survivor, survivor_ref=survivor.reference, fields=names)
    return {name: reveal(getattr(survivor, name)) for name in names}


def _clean_reason(kind: str, reason: str, note: str) -> tuple[str, str]:
    """A reason from the kind's choices; "other" needs words. The words are sealed."""
    choices = REASONS_FOR[kind]
    note = (note or "").strip()
    if reason not in choices.values:
        raise DomainError("Choose a reason from the list.", "reason")
    if reason == "other" and not note:
        raise DomainError("Say in a few words why.", "note")
    if len(note) > 500:
        raise DomainError("Keep the explanation to 500 characters or fewer.", "note")
    return reason, note


def _status_change(actor: Actor, survivor: Survivor, case: Case | None, kind: str,
                   reason: str, note: str) -> StatusChange:
    return StatusChange.objects.create(survivor=survivor, case=case, kind=kind, reason=reason,
                                       note=note, by=actor.user, by_label=actor.label)


@transaction.atomic
def archive_survivor(actor: Actor, survivor: Survivor, *, reason: str = "created_by_mistake",
                     note: str = "") -> None:
    """Closes the record for everyone; sealed data and consents stay for the audit trail."""
    reason, note = _clean_reason(StatusChangeKind.ARCHIVED, reason, note)
    Survivor.objects.filter(pk=survivor.pk).update(archived_at=timezone.now(),
                                                   version=F("version") + 1)
    # The case list and "my cases" read this copy, not the survivor.
    Case.objects.filter(survivor_id=survivor.pk).update(survivor_archived=True)
    change = _status_change(actor, survivor, None, StatusChangeKind.ARCHIVED, reason, note)
    version = Survivor.objects.filter(pk=survivor.pk).values_list("version", flat=True).get()
    audit.record(actor, "delete", "survivor", survivor.pk, survivor_ref=survivor.reference,
                 fields=["archived_at"],
                 note=_version_note(version, f"archived ({reason}; status change {change.pk})"))


@dataclass
class Found:
    """A survivor found by name, with what matched (in words) and the names opened to show."""

    survivor: Survivor
    score: int
    reasons: list[str]
    names: dict[str, str] = field(default_factory=dict)


REASONS = {
    "dob": "same name and date of birth",
    "word": "a name in common",
    "phone": "same phone number",
    "phon": "a name that sounds alike",
    "tri": "a similar spelling",
}


def _found(actor: Actor, ranked, extra: dict[int, set[str]], *, note: str,
           names: bool) -> list[Found]:
    """Load, audit (one entry naming every id shown) and open the names of the candidates."""
    by_id = Survivor.objects.in_bulk([pk for pk, _, _ in ranked])
    shown = []
    for pk, score, counts in ranked:
        survivor = by_id.get(pk)
        if survivor is None:
            continue
        kinds = {k for k, n in counts.items() if n} | extra.get(pk, set())
        reasons = [REASONS[k] for k in REASONS if k in kinds]
        shown.append(Found(survivor, score, reasons))
    opened = ["given_name", "family_name", "aliases"] if names else []
    audit.record_read(actor, [f.survivor for f in shown], record_type="survivor", fields=opened,
                      note=f"{note}: {len(shown)} shown (query not recorded)")
    if names:
        for f in shown:
            f.names = {n: reveal(getattr(f.survivor, n)) for n in opened}
    return shown


def search_survivors(actor: Actor, query: str, *, within, limit: int = search.LIMIT) -> list[Found]:
    """Survivors of the actor's organisation whose name, alias or phone resembles ``query``.

    ``within`` is what the policy lets the actor see (``policy.visible_survivors``). The
    ranking happens in SQL over blind-index digests; only the candidates shown are opened.
    The search is audited as one read naming the ids shown, never the query itself.
    """
    query = (query or "").strip()[:200]
    if actor.organisation is None or not query:
        return []
    ranked = search.candidates(actor.organisation.pk, query, within=within, limit=limit)
    return _found(actor, ranked, {}, note="name search", names=True)


def move_survivor_to(survivor: Survivor, organisation) -> None:
    """Move a survivor and every case of theirs to ``organisation``, in one transaction.

    The building block of a transfer between organisations (the transfer itself, with its
    consent, audit and notices, is the caller's): ``Case.organisation`` is a copy of the
    survivor's, kept for the list indexes, and must never disagree with it. Writes no audit
    entry of its own."""
    with transaction.atomic():
        Survivor.objects.filter(pk=survivor.pk).update(
            organisation=organisation, version=F("version") + 1, updated_at=timezone.now())
        Case.objects.filter(survivor_id=survivor.pk).update(organisation=organisation)
        survivor.organisation = organisation
        # The name index is keyed per organisation: the old one's tokens must not find her.
        search.index_survivor(survivor)


def find_duplicates(actor: Actor, *, given_name: str, family_name: str,
                    date_of_birth: str = "", aliases: str = "", phone: str = "",
                    exclude: tuple[int, ...] = (), limit: int = 10) -> list[Found]:
    """Possible duplicates in the actor's organisation, with reasons, found without decrypting.

    Two indexes meet here: the exact name + full date of birth key (``duplicate_key``,
    strongest) and the name index (words, phonetic keys, trigrams, phone).
    """
    values = clean_survivor({"given_name": given_name, "family_name": family_name,
                             "aliases": aliases, "phone": phone,
                             **({"date_of_birth": date_of_birth} if date_of_birth else {})})
    live = Survivor.objects.filter(organisation=actor.organisation, archived_at__isnull=True)
    if exclude:
        live = live.exclude(pk__in=exclude)
    key = _duplicate_key_for(values) if values.get("date_of_birth") else None
    exact = set(live.filter(duplicate_key=key).values_list("pk", flat=True)) if key else set()
    query = " ".join(values.get(f) or "" for f in search.INDEXED_FIELDS)
    ranked = search.candidates(actor.organisation.pk, query, within=live, limit=limit * 3)
    # A possible duplicate shares the phone, or two of the names sound alike (one, for a
    # one-word name): one common family name alone (every Nguyen) is not a duplicate.
    needed = min(2, len(search.query_phonetic_keys(query)))
    ranked = [r for r in ranked
              if r[0] in exact or r[2]["phone"] or (needed and r[2]["phon"] >= needed)]
    known = {pk for pk, _, _ in ranked}
    ranked = [(pk, 100, {"dob": 1}) for pk in exact - known] + ranked
    ranked.sort(key=lambda r: (r[0] not in exact, -r[1]))
    return _found(actor, ranked[:limit], {pk: {"dob"} for pk in exact}, note="duplicate search",
                  names=False)


# --- Merging two records of one person -------------------------------------------


#: Relations of a survivor that are not histories to move on a merge.
NOT_MOVED = {"name_tokens", "merged_from"}


@transaction.atomic
def request_merge(actor: Actor, *, kept: Survivor, merged: Survivor, reason: str) -> MergeRequest:
    """A caseworker asks for ``merged`` to be merged into ``kept`` (same organisation)."""
    if kept.pk == merged.pk:
        raise DomainError("choose two different records to merge", "merged_id")
    if kept.organisation_id != merged.organisation_id:
        raise DomainError("only records of one organisation can be merged", "merged_id")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("say why these two records are the same person", "reason")
    if len(reason) > 1000:
        raise DomainError("must be at most 1000 characters", "reason")
    _check_merge_ages(kept, merged)
    if MergeRequest.objects.filter(status=MergeStatus.REQUESTED).filter(
            Q(kept__in=(kept, merged)) | Q(merged__in=(kept, merged))).exists():
        raise Conflict("a merge of one of these records is already waiting for a supervisor",
                       "merged_id")
    request = MergeRequest.objects.create(organisation_id=kept.organisation_id, kept=kept,
                                          merged=merged, reason=reason, requested_by=actor.user)
    audit.record(actor, "create", "merge_request", request.pk, survivor_ref=kept.reference,
                 note=f"asked to merge {merged.reference} into {kept.reference}")
    return request


def _check_merge_ages(kept: Survivor, merged: Survivor) -> None:
    """The record that stays keeps only its own facts: a merge must not drop a child's age
    (unknown is not safe), join a child's record with an adult's, or drop a "yes" to the
    family being involved (which keeps family from consenting for a child)."""
    kept_child, merged_child = kept.is_child(), merged.is_child()
    if (merged_child and not kept_child) or (kept_child and merged_child is False):
        raise DomainError("One of these records is a child's and the other is not known to "
                          "be: correct the birth year or date of birth first, so the child "
                          "rules stay on the record that is kept.", "birth_year")
    if merged.family_involved == YesNoUnknown.YES and kept.family_involved != YesNoUnknown.YES:
        raise DomainError("The record to merge says the family is involved in the trafficking "
                          "and the one to keep does not: correct the record to keep first, so "
                          "no family member is asked to consent for the survivor.",
                          "family_involved")


def merge_requests_seen(actor: Actor, requests) -> list[MergeRequest]:
    """A page of merge requests with the sealed reasons opened (the supervisor decides on
    them): one audited read naming every request shown."""
    rows = list(requests)
    if rows:
        audit.record_read(actor, rows, record_type="merge_request", fields=["reason"])
    for row in rows:
        row.reason_text = reveal(row.reason)
    return rows


def _move_histories(kept: Survivor, merged: Survivor) -> dict[str, list]:
    """Point every record hanging off ``merged`` at ``kept``; what moved, by model and id."""
    moved: dict[str, list] = {}
    for rel in Survivor._meta.related_objects:
        if not rel.one_to_many:
            continue
        if rel.related_model in (MergeRequest, NameToken, Survivor) or rel.name in NOT_MOVED:
            continue
        manager = rel.related_model._base_manager
        ids = list(manager.filter(**{rel.field.name: merged}).values_list("pk", flat=True))
        if ids:
            manager.filter(pk__in=ids).update(**{rel.field.name: kept})
            moved[f"{rel.related_model._meta.label}.{rel.field.name}"] = ids
    return moved


@transaction.atomic
def decide_merge(actor: Actor, request: MergeRequest, *, approve: bool) -> MergeRequest:
    """A supervisor approves (the merge happens now) or refuses a requested merge."""
    current = MergeRequest.objects.select_for_update().get(pk=request.pk)
    if current.status != MergeStatus.REQUESTED:
        raise Conflict("this merge was already decided", "status")
    if approve and current.requested_by_id is not None and actor.user is not None \
            and current.requested_by_id == actor.user.pk:
        raise DomainError("another person must approve a merge you asked for", "status")
    kept = Survivor.objects.select_for_update().get(pk=current.kept_id)
    merged = Survivor.objects.select_for_update().get(pk=current.merged_id)
    current.decided_by, current.decided_at = actor.user, timezone.now()
    if not approve:
        current.status = MergeStatus.REFUSED
        current.save(update_fields=["status", "decided_by", "decided_at"])
        audit.record(actor, "update", "merge_request", current.pk, survivor_ref=kept.reference,
                     note=f"refused merging {merged.reference} into {kept.reference}")
        return current
    if kept.archived_at is not None or merged.archived_at is not None:
        raise Conflict("one of these records was archived since the merge was asked", "status")
    if {kept.organisation_id, merged.organisation_id} != {current.organisation_id}:
        raise Conflict("One of these records was transferred to another organisation since "
                       "the merge was asked; refuse this merge.", "status")
    _check_merge_ages(kept, merged)
    moved = _move_histories(kept, merged)
    # The cases now hang off ``kept``: their copies of the survivor's dates follow them.
    Case.objects.filter(survivor_id=kept.pk).update(
        survivor_created_at=kept.created_at, survivor_archived=False)
    if Case.objects.filter(survivor_id=kept.pk).exists():
        Survivor.objects.filter(pk=kept.pk).update(has_cases=True)
    Survivor.objects.filter(pk=merged.pk).update(has_cases=False)
    now = timezone.now()
    Survivor.objects.filter(pk=merged.pk).update(archived_at=now, merged_into=kept,
                                                 version=F("version") + 1)
    Survivor.objects.filter(pk=kept.pk).update(version=F("version") + 1, updated_at=now)
    NameToken.objects.filter(survivor=merged).delete()
    current.status = MergeStatus.APPROVED
    current.moved = {"records": moved, "merged_reference": merged.reference,
                     "kept_reference": kept.reference}
    current.save(update_fields=["status", "decided_by", "decided_at", "moved"])
    summary = ", ".join(f"{len(ids)} {label.split('.')[1].lower()}" for label, ids in moved.items())
    audit.record(actor, "update", "survivor", kept.pk, survivor_ref=kept.reference,
                 fields=["merged_from"],
                 note=f"merged {merged.reference} into {kept.reference}: {summary or 'nothing'} moved")
    audit.record(actor, "delete", "survivor", merged.pk, survivor_ref=merged.reference,
                 note=f"archived: merged into {kept.reference} (merge request {current.pk})")
    return current


# --- Cases ---------------------------------------------------------------------


@transaction.atomic
def create_case(actor: Actor, survivor: Survivor, *, data: dict) -> Case:
    """Open a case. A ``caseworker_id`` must already be one the policy lets the case go to
    (``policy.may_assign_case_to``): the caller asked, as for every access question."""
    values = clean_case(data)
    if "forms_of_exploitation" not in values:
        raise DomainError("choose at least one", "forms_of_exploitation")
    values.setdefault("jurisdiction", actor.organisation.jurisdiction if actor.organisation
                      else survivor.organisation.jurisdiction)
    if "caseworker_id" not in values:
        values["caseworker_id"] = actor.user.pk if actor.user is not None else None
    n = Case.objects.filter(survivor=survivor).count() + 1
    case = Case(survivor=survivor, created_by=actor.user, **values)
    for attempt in range(5):
        case.reference = f"{survivor.reference}-C{n + attempt}"
        try:
            with transaction.atomic():
                case.save()
            break
        except IntegrityError:
            continue
    else:
        raise Conflict("could not allocate a case reference; try again", "reference")
    audit.record(actor, "create", "case", case.pk, survivor_ref=survivor.reference,
                 fields=values.keys())
    return case


@transaction.atomic
def update_case(actor: Actor, case: Case, *, version: int, changes: dict) -> Case:
    values = clean_case(changes)
    current = Case.objects.select_for_update().get(pk=case.pk)
    if current.version != version:
        raise _stale("case", current, version, "case")
    for key, value in values.items():
        setattr(current, key, value)
    if current.period_start and current.period_end and current.period_end < current.period_start:
        raise DomainError("must not be before period_start", "period_end")
    current.version = F("version") + 1
    current.updated_at = timezone.now()
    current.save()
    current.refresh_from_db()
    audit.record(actor, "update", "case", current.pk, survivor_ref=current.survivor.reference,
                 fields=values.keys(), note=_version_note(current.version))
    return current


def reveal_case_summary(actor: Actor, case: Case) -> str:
    audit.record_read(actor, case, survivor_ref=case.survivor.reference, fields=["summary"])
    return reveal(case.summary)


@transaction.atomic
def archive_case(actor: Actor, case: Case, *, reason: str = "created_by_mistake",
                 note: str = "") -> None:
    reason, note = _clean_reason(StatusChangeKind.ARCHIVED, reason, note)
    Case.objects.filter(pk=case.pk).update(archived_at=timezone.now(), version=F("version") + 1)
    change = _status_change(actor, case.survivor, case, StatusChangeKind.ARCHIVED, reason, note)
    version = Case.objects.filter(pk=case.pk).values_list("version", flat=True).get()
    audit.record(actor, "delete", "case", case.pk, survivor_ref=case.survivor.reference,
                 fields=["archived_at"],
                 note=_version_note(version, f"archived ({reason}; status change {change.pk})"))


@transaction.atomic
def close_case(actor: Actor, case: Case, *, version: int, reason: str, note: str = "") -> Case:
    """Close a case with a reason from the list (and words, sealed, for "other")."""
    return _open_or_close(actor, case, version=version, kind=StatusChangeKind.CLOSED,
                          reason=reason, note=note)


@transaction.atomic
def reopen_case(actor: Actor, case: Case, *, version: int, reason: str, note: str = "") -> Case:
    """Reopen a closed case: it is active again."""
    return _open_or_close(actor, case, version=version, kind=StatusChangeKind.REOPENED,
                          reason=reason, note=note)


def _open_or_close(actor: Actor, case: Case, *, version: int, kind: str, reason: str,
                   note: str) -> Case:
    reason, note = _clean_reason(kind, reason, note)
    current = Case.objects.select_for_update().get(pk=case.pk)
    if current.version != version:
        raise _stale("case", current, version, "case")
    closing = kind == StatusChangeKind.CLOSED
    if closing and current.status == CaseStatus.CLOSED:
        raise Conflict("This case is already closed.", "status")
    if not closing and current.status != CaseStatus.CLOSED:
        raise Conflict("This case is not closed, so it cannot be reopened.", "status")
    current.status = CaseStatus.CLOSED if closing else CaseStatus.ACTIVE
    current.version = F("version") + 1
    current.updated_at = timezone.now()
    current.save(update_fields=["status", "version", "updated_at"])
    current.refresh_from_db()
    change = _status_change(actor, current.survivor, current, kind, reason, note)
    audit.record(actor, "update", "case", current.pk, survivor_ref=current.survivor.reference,
                 fields=["status"],
                 note=_version_note(current.version, f"{kind} ({reason}; status change "
                                                      f"{change.pk})"))
    return current


#: One case's status changes with who made them: SQL written once per process.
_STATUS_CHANGES_OF_CASE = Prepared(lambda case_id: StatusChange.objects.filter(
    case_id=case_id).select_related("by"), -7_320_000_131)


def status_history(actor: Actor, case: Case) -> list[StatusChange]:
    """A case's closings and reopenings, newest first, their sealed words opened: one
    audited read naming every change shown."""
    changes = _STATUS_CHANGES_OF_CASE(case.pk)
    if changes:
        audit.record_read(actor, changes, record_type="status_change",
                          survivor_ref=case.survivor.reference, fields=["note"])
    for change in changes:
        change.note_text = reveal(change.note)
    return changes


@transaction.atomic
def assign_case(actor: Actor, case: Case, *, caseworker, version: int | None = None) -> Case:
    """Make ``caseworker`` responsible. The caller asked ``policy.may_assign_case_to``."""
    current = Case.objects.select_for_update().get(pk=case.pk)
    if version is not None and current.version != version:
        raise _stale("case", current, version, "case")
    if current.caseworker_id == caseworker.pk:
        raise DomainError("This case is already assigned to them.", "caseworker")
    current.caseworker = caseworker
    current.version = F("version") + 1
    current.updated_at = timezone.now()
    current.save(update_fields=["caseworker", "version", "updated_at"])
    current.refresh_from_db()
    audit.record(actor, "update", "case", current.pk, survivor_ref=current.survivor.reference,
                 fields=["caseworker"],
                 note=_version_note(current.version, f"assigned to user {caseworker.pk}"))
    return current


# --- Transfer to another organisation ---------------------------------------------


def _transfer_consent(survivor: Survivor, recipient: Organisation):
    """The survivor's referral consent naming ``recipient``, in force now; or a refusal
    in words."""
    decision = consent_rules.may_flow(survivor, ConsentPurpose.REFERRAL, recipient=recipient)
    if not decision:
        raise DomainError(
            f"The survivor has not consented to their record going to {recipient.name}. "
            "Explain the transfer to them and record a referral consent naming that "
            "organisation first.", "to_organisation")
    if not consent_rules.may_refer(survivor, recipient):
        raise DomainError(
            f"{recipient.name} is law enforcement: the record goes there only if the survivor "
            "has also consented to share with law enforcement naming that organisation.",
            "to_organisation")
    if survivor.is_child() is not False:
        by_guardian = consent_rules.active_consents(survivor, ConsentPurpose.REFERRAL).filter(
            recipient=recipient, given_by=ConsentGivenBy.GUARDIAN).order_by("-given_at").first()
        if by_guardian is None:
            raise DomainError(
                "The survivor is a child, or their age is unknown: a transfer to "
                f"{recipient.name} needs a referral consent given by a parent or guardian "
                "(or record their date of birth if they are an adult).", "to_organisation")
        return by_guardian
    return decision.consent


@transaction.atomic
def request_transfer(actor: Actor, case: Case, *, to_organisation: Organisation,
                     reason: str = "") -> Transfer:
    """Ask ``to_organisation`` to take over the survivor and their cases. The caller asked
    ``policy.may_request_transfer`` and ``policy.may_receive_transfers``."""
    survivor = Survivor.objects.select_for_update().get(pk=case.survivor_id)
    if to_organisation.pk == survivor.organisation_id:
        raise DomainError("A transfer goes to another organisation.", "to_organisation")
    reason = (reason or "").strip()
    if len(reason) > 1000:
        raise DomainError("Keep the reason to 1000 characters or fewer.", "reason")
    consent = _transfer_consent(survivor, to_organisation)
    _no_merge_waiting(survivor)
    if Transfer.objects.filter(survivor=survivor, status=TransferStatus.REQUESTED).exists():
        raise Conflict("A transfer of this survivor is already waiting for an answer.",
                       "to_organisation")
    transfer = Transfer.objects.create(
        survivor=survivor, case=case, from_organisation=survivor.organisation,
        to_organisation=to_organisation, consent=consent, reason=reason,
        requested_by=actor.user, requested_by_label=actor.label)
    audit.record(actor, "create", "transfer", transfer.pk, survivor_ref=survivor.reference,
                 fields=["to_organisation", "reason"],
                 note=f"transfer of case {case.pk} to {to_organisation.code} requested")
    return transfer


def _no_merge_waiting(survivor: Survivor) -> None:
    """A merge waits on the records of one organisation: decide it before the record moves."""
    if MergeRequest.objects.filter(status=MergeStatus.REQUESTED).filter(
            Q(kept=survivor) | Q(merged=survivor)).exists():
        raise Conflict("A merge of this survivor's record is waiting for a supervisor; "
                       "have it approved or refused before the transfer.", "to_organisation")


def _open_transfer(transfer: Transfer) -> Transfer:
    current = Transfer.objects.select_for_update().select_related(
        "survivor", "to_organisation", "from_organisation").get(pk=transfer.pk)
    if current.status != TransferStatus.REQUESTED:
        raise Conflict(f"This transfer is no longer open: {current.get_status_display()}.",
                       "status")
    return current


@transaction.atomic
def accept_transfer(actor: Actor, transfer: Transfer, *, caseworker=None) -> Transfer:
    """The receiving organisation takes responsibility: the survivor (and so every case of
    theirs) becomes its record, and the sending organisation's access ends at once.
    ``caseworker`` (asked of ``policy.may_assign_case_to`` by the caller) becomes
    responsible for the cases; by default the one accepting."""
    current = _open_transfer(transfer)
    survivor = Survivor.objects.select_for_update().get(pk=current.survivor_id)
    if survivor.organisation_id != current.from_organisation_id or survivor.archived_at:
        raise Conflict("The survivor's record changed since the transfer was asked for.",
                       "status")
    _transfer_consent(survivor, current.to_organisation)
    _no_merge_waiting(survivor)
    now = timezone.now()
    old, new = current.from_organisation, current.to_organisation
    # Written while the sender still owns the record, so the entry shows in its log too.
    audit.record(actor, "update", "survivor", survivor.pk, survivor_ref=survivor.reference,
                 fields=["organisation"],
                 note=f"transfer {current.pk} accepted by {new.code}: {old.code} hands over")
    move_survivor_to(survivor, new)
    responsible = caseworker or actor.user
    cases = list(Case.objects.filter(survivor=survivor).values_list("pk", flat=True))
    Case.objects.filter(pk__in=cases).update(caseworker=responsible, version=F("version") + 1,
                                             updated_at=now)
    current.status = TransferStatus.ACCEPTED
    current.decided_by, current.decided_by_label, current.decided_at = actor.user, actor.label, now
    current.save(update_fields=["status", "decided_by", "decided_by_label", "decided_at"])
    version = Survivor.objects.filter(pk=survivor.pk).values_list("version", flat=True).get()
    audit.record(actor, "update", "survivor", survivor.pk, survivor_ref=survivor.reference,
                 fields=["organisation"],
                 note=_version_note(version, f"transferred from {old.code} to {new.code}"))
    for case_id in cases:
        audit.record(actor, "update", "case", case_id, survivor_ref=survivor.reference,
                     fields=["caseworker"], note=f"transfer {current.pk}: now {new.code}'s")
    return current


@transaction.atomic
def decline_transfer(actor: Actor, transfer: Transfer, *, reason: str) -> Transfer:
    current = _open_transfer(transfer)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("Say why, so the sending organisation can find another way.",
                          "reason")
    if len(reason) > 1000:
        raise DomainError("Keep the reason to 1000 characters or fewer.", "reason")
    current.status = TransferStatus.DECLINED
    current.decline_reason = reason
    current.decided_by, current.decided_by_label = actor.user, actor.label
    current.decided_at = timezone.now()
    current.save(update_fields=["status", "decline_reason", "decided_by", "decided_by_label",
                                "decided_at"])
    audit.record(actor, "update", "transfer", current.pk, survivor_ref=current.survivor.reference,
                 fields=["status", "decline_reason"], note="transfer declined")
    return current


@transaction.atomic
def cancel_transfer(actor: Actor, transfer: Transfer) -> Transfer:
    current = _open_transfer(transfer)
    current.status = TransferStatus.CANCELLED
    current.decided_by, current.decided_by_label = actor.user, actor.label
    current.decided_at = timezone.now()
    current.save(update_fields=["status", "decided_by", "decided_by_label", "decided_at"])
    audit.record(actor, "update", "transfer", current.pk, survivor_ref=current.survivor.reference,
                 fields=["status"], note="transfer withdrawn by the sender")
    return current


def transfer_seen(actor: Actor, transfer: Transfer, *, reasons: bool = False) -> dict:
    """A transfer as shown to either side: reference codes, the organisations, and (when
    asked) its sealed reasons opened. An audited read naming the transfer."""
    audit.record_read(actor, [transfer], record_type="transfer",
                      survivor_ref=transfer.survivor.reference,
                      fields=["reason", "decline_reason"] if reasons else ())
    if not reasons:
        return {}
    return {"reason": reveal(transfer.reason), "decline_reason": reveal(transfer.decline_reason)}


# --- Consents ------------------------------------------------------------------


@transaction.atomic
def record_consent(
    actor: Actor,
    survivor: Survivor,
    *,
    purpose: str,
    language: str,
    method: str,
    recipient: Organisation | None = None,
    interpreter_used: bool = False,
    given_by: str = ConsentGivenBy.SURVIVOR,
    scope_note: str = "",
    explanation_version: str = "1",
    given_at: dt.datetime | None = None,
    expires_at: dt.datetime | None = None,
    guardian_relationship: str = "",
    guardian_name: str = "",
) -> Consent:
    if purpose not in ConsentPurpose.values:
        raise DomainError(f"must be one of: {', '.join(ConsentPurpose.values)}", "purpose")
    if method not in ConsentMethod.values:
        raise DomainError(f"must be one of: {', '.join(ConsentMethod.values)}", "method")
    if given_by not in ConsentGivenBy.values:
        raise DomainError(f"must be one of: {', '.join(ConsentGivenBy.values)}", "given_by")
    if purpose in PURPOSES_NEEDING_RECIPIENT and recipient is None:
        raise DomainError("a referral consent must name the receiving organisation", "recipient")
    guardian_relationship, guardian_name = _check_guardian(
        survivor, given_by, guardian_relationship, guardian_name)
    if not language or len(language) > 10:
        raise DomainError("Enter the language the consent was explained in.", "language")
    if not places.is_language(language):
        raise DomainError(places.LANGUAGE_ERROR, "language")
    language = places.normalise_language(language)
    if actor.survivor_id is not None:
        method = ConsentMethod.PORTAL
    elif method == ConsentMethod.PORTAL:
        raise DomainError("only the survivor can give consent through the portal", "method")
    now = timezone.now()
    given_at = given_at or now
    if given_at > now + dt.timedelta(minutes=5):
        raise DomainError("cannot be in the future", "given_at")
    if expires_at is not None and expires_at <= given_at:
        raise DomainError("must be after given_at", "expires_at")
    consent = Consent.objects.create(
        survivor=survivor, purpose=purpose, recipient=recipient, scope_note=scope_note[:500],
        explanation_version=explanation_version, explained_by=actor.user,
        explained_by_label=actor.label, language=language, interpreter_used=interpreter_used,
        method=method, given_by=given_by, given_at=given_at, expires_at=expires_at,
        guardian_relationship=guardian_relationship, guardian_name=guardian_name,
    )
    audit.record(actor, "create", "consent", consent.pk, survivor_ref=survivor.reference,
                 fields=["purpose", "recipient", "method", "language"],
                 note=f"{purpose} consent given ({method})")
    return consent


def family_involvement(survivor: Survivor) -> str:
    """Whether family took part in the trafficking: "yes", "no" or "unknown".

    A case naming family as the offender counts as "yes" whatever the survivor
    record says; "no" only when someone asked and recorded it.
    """
    if survivor.family_involved == YesNoUnknown.YES or survivor.cases.filter(
            relationship_to_offender=Relationship.FAMILY).exists():
        return YesNoUnknown.YES
    return survivor.family_involved


def _check_guardian(survivor: Survivor, given_by: str, relationship: str | None,
                    name: str | None) -> tuple[str, str]:
    """A consent given by a parent or guardian names who gave it, and never a family
    member while the family may be involved in the trafficking (unknown is not safe)."""
    relationship, name = relationship or "", (name or "").strip()
    if given_by != ConsentGivenBy.GUARDIAN:
        if relationship or name:
            raise DomainError("only for a consent given by a parent or guardian",
                              "guardian_relationship")
        return "", ""
    if relationship not in GuardianRelationship.values:
        raise DomainError("say who gave the consent for the child: one of "
                          + ", ".join(GuardianRelationship.values), "guardian_relationship")
    if not name:
        raise DomainError("record the name of the parent or guardian who gave the consent",
                          "guardian_name")
    if len(name) > PERSONAL_TEXT["given_name"]:
        raise DomainError(f"must be at most {PERSONAL_TEXT['given_name']} characters",
                          "guardian_name")
    if relationship in FAMILY_GUARDIANS:
        involved = family_involvement(survivor)
        if involved == YesNoUnknown.YES:
            raise DomainError("a family member may not consent for a child whose family is "
                              f"involved in the trafficking; {NOT_THE_FAMILY}",
                              "guardian_relationship")
        if involved == YesNoUnknown.UNKNOWN:
            raise DomainError("first ask and record whether the family is involved in the "
                              "trafficking (never assume it is not); if it may be, "
                              f"{NOT_THE_FAMILY}", "family_involved")
    return relationship, name


@transaction.atomic
def withdraw_consent(actor: Actor, consent: Consent, *, reason: str = "") -> Consent:
    """Takes effect at once; the record is kept, stamped, never deleted."""
    current = Consent.objects.select_for_update().get(pk=consent.pk)
    if current.withdrawn_at is not None:
        raise Conflict("this consent was already withdrawn", "consent")
    current.withdrawn_at = timezone.now()
    current.withdrawn_by_label = actor.label
    current.withdrawal_reason = (reason or "")[:500]
    current.save(update_fields=["withdrawn_at", "withdrawn_by_label", "withdrawal_reason"])
    # Referrals resting on it keep a copy of when it ends (the caseload's "consent ended").
    ends = min(t for t in (current.withdrawn_at, current.expires_at) if t is not None)
    current.referrals.update(consent_ends_at=ends)
    audit.record(actor, "update", "consent", current.pk,
                 survivor_ref=current.survivor.reference, fields=["withdrawn_at"],
                 note=f"{current.purpose} consent withdrawn")
    return current
