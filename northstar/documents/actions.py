"""Attaching a document: the type sniffed from the bytes, the size checked, sealed, audited.

Callers (views, API) ask the policy first (``policy.may_attach_documents``); the
action checks what it is given, seals and writes, in one transaction.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.template.defaultfilters import filesizeformat

from northstar.core import audit
from northstar.core.actor import Actor
from northstar.core.errors import DomainError, TooLarge
from northstar.core.keys import ensure_writable
from northstar.documents import sniff
from northstar.documents.models import Document, DocumentContent, DocumentKind
from northstar.survivors.models import Case, Survivor

NAME_LIMIT = 200


def max_bytes() -> int:
    return settings.NORTHSTAR_DOCUMENT_MAX_BYTES


def check_size(size: int) -> None:
    if size > max_bytes():
        raise TooLarge(f"The file is {filesizeformat(size)}; files up to "
                       f"{filesizeformat(max_bytes())} can be attached. Scan at a lower "
                       "resolution or split the file.", "file")


def _clean_name(name: str) -> str:
    # A path is never part of the name; control characters never reach a header.
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    return name[:NAME_LIMIT]


@transaction.atomic
def attach_document(actor: Actor, survivor: Survivor, *, kind: str, data: bytes,
                    name: str = "", case: Case | None = None) -> Document:
    if kind not in DocumentKind.values:
        raise DomainError("Choose what kind of document this is.", "kind")
    if case is not None and case.survivor_id != survivor.pk:
        raise DomainError("That case is not this survivor's.", "case")
    if not data:
        raise DomainError("Choose a file to attach; this one is empty.", "file")
    check_size(len(data))
    found = sniff.sniff(data)
    if found is None:
        raise DomainError("This file is not one of the types that can be attached "
                          f"({sniff.accepted_labels()}).", "file")
    ring = ensure_writable()
    document = Document.objects.create(
        survivor=survivor, case=case, kind=kind, original_name=_clean_name(name),
        file_type=found.key, size=len(data), uploaded_by=actor.user)
    DocumentContent.objects.create(
        document=document, sealed=ring.seal_bytes(data, document.content_context()))
    audit.record(actor, "create", "document", document.pk, survivor_ref=survivor.reference,
                 fields=["kind", "file", "original_name"],
                 note=f"{found.label}, {len(data)} bytes"
                      + (f", case {case.pk}" if case else ""))
    return document


def reseal_documents(batch_size: int = 100) -> int:
    """Re-seal every document's content under the primary key (``manage.py rotate_keys``)."""
    ring = ensure_writable()
    changed, last = 0, ""
    while True:
        rows = list(DocumentContent.objects.filter(pk__gt=last or 0).order_by("pk")
                    .select_related("document")[:batch_size])
        if not rows:
            return changed
        with transaction.atomic():
            for row in rows:
                if ring.key_id_of(row.sealed) == ring.primary_id:
                    continue
                context = row.document.content_context()
                data = ring.open_bytes(row.sealed, context)
                DocumentContent.objects.filter(pk=row.pk).update(
                    sealed=ring.seal_bytes(data, context))
                changed += 1
        last = rows[-1].pk
