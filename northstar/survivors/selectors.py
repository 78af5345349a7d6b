"""Reads of survivors, cases and consents that are shown to someone: each one audited.

The policy decides *which* records an actor may see (``policy.visible_*``,
``policy.*_for``) and the caller has asked it; these selectors are what pages
and handlers call to show the records, so that every read writes its one audit
entry through ``audit.record_read`` and no handler writes the audit log itself.
They sit below the policy (``survivors`` is layer 2) and so never import it.
"""

from __future__ import annotations

from collections.abc import Iterable

from northstar.core import audit
from northstar.core.actor import Actor
from northstar.core.fields import reveal
from northstar.survivors.models import Case, Consent, Survivor


def survivor_seen(actor: Actor, survivor: Survivor) -> Survivor:
    """A survivor shown without their sealed fields: a read naming no field."""
    audit.record_read(actor, survivor, survivor_ref=survivor.reference)
    return survivor


def case_seen(actor: Actor, case: Case) -> Case:
    """A case shown without its sealed summary: a read naming no field."""
    audit.record_read(actor, case, survivor_ref=case.survivor.reference)
    return case


def consent_seen(actor: Actor, consent: Consent) -> Consent:
    """A consent shown (who agreed to share what, with whom): an audited read."""
    audit.record_read(actor, consent, survivor_ref=consent.survivor.reference)
    return consent


CONSENT_TEXTS = ("scope_note", "withdrawal_reason")


def consent_texts(actor: Actor, consents: Iterable[Consent]) -> dict[int, dict[str, str]]:
    """Open the sealed free text of ``consents`` (it may name people): one audited read
    per survivor naming the consents and the fields opened; empty texts open nothing."""
    opened: dict[int, dict[str, str]] = {}
    by_survivor: dict[str, tuple[list[int], set[str]]] = {}
    for consent in consents:
        texts = {name: reveal(getattr(consent, name)) for name in CONSENT_TEXTS}
        opened[consent.pk] = texts
        shown = {name for name, text in texts.items() if text}
        if shown:
            ids, fields = by_survivor.setdefault(consent.survivor.reference, ([], set()))
            ids.append(consent.pk)
            fields.update(shown)
    for reference, (ids, fields) in by_survivor.items():
        audit.record_read(actor, ids, record_type="consent", survivor_ref=reference,
                          fields=sorted(fields))
    return opened


def advocacy_participants_seen(actor: Actor, survivors: list[Survivor]) -> list[Survivor]:
    """The advisory council's list (references, how each takes part, languages): one read
    naming every survivor shown, with the only fields shown."""
    audit.record_read(actor, survivors, record_type="survivor",
                      fields=["reference", "advocacy_visibility", "languages"],
                      note=f"advocacy participants: {len(survivors)}")
    return survivors


def listed(actor: Actor, records: Iterable, *, record_type: str,
           owners: Iterable | None = None) -> list:
    """The records of one page of a list, as shown: one entry naming every id, whole.
    ``owners``: each record's owning organisation id, when the list read it already."""
    shown = list(records)
    audit.record_read(actor, shown, record_type=record_type, owners=owners)
    return shown


#: What an alert or a line naming a survivor reads of them: their reference (and the keys
#: that tie them to the organisation). Their sealed personal data and every other column
#: stay unread: loading them cost most of an alert's CPU (issue 13, branch h-pages).
NAMED_BY = frozenset({"id", "reference", "organisation"})


def survivor_named_only(path: str) -> list[str]:
    """The fields to ``defer`` so that the survivor reached by ``select_related(path)``
    (``"case__survivor"``) is read with only ``NAMED_BY``; a deferred field is still there
    when asked for (Django reads it then), so this changes the cost, never the answer."""
    return [f"{path}__{field.name}" for field in Survivor._meta.concrete_fields
            if field.name not in NAMED_BY]
