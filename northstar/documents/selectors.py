"""Reads of documents: always from ``policy.survivors_whose_documents_are_visible``.

A list shows kinds, types, sizes and dates (no file name, no content) and is an
audited read naming every document listed; opening a file is an audited export.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from northstar import policy
from northstar.core import audit
from northstar.core.actor import Actor
from northstar.core.crypto import keyring
from northstar.core.errors import DomainError
from northstar.core.fields import reveal
from northstar.core.prepared import Prepared
from northstar.documents.models import Document, DocumentContent
from northstar.survivors.models import Case, Survivor


def visible_documents(actor: Actor) -> QuerySet[Document]:
    survivors = policy.survivors_whose_documents_are_visible(actor)
    # A referral recipient sees documents of the survivor, never of a case (cases are
    # never shared); an archived case's documents are gone with it.
    return Document.objects.filter(
        Q(survivor__organisation=actor.organisation) | Q(case__isnull=True),
        Q(case__isnull=True) | Q(case__archived_at__isnull=True),
        survivor__in=survivors,
    )


def _listed(actor: Actor, documents: list[Document], survivor: Survivor, note: str):
    if not documents:
        return documents  # nothing shown, nothing to record
    audit.record_read(actor, documents, record_type="document",
                      survivor_ref=survivor.reference, fields=["kind", "file_type", "size"],
                      note=note)
    return documents


#: One of the reader's own organisation's live survivors' documents (the survivor page's
#: panel): ``visible_documents`` for that survivor once the survivor is known to be theirs
#: (no referral subquery left to ask), its SQL written once per process.
_OF_OWN_SURVIVOR = Prepared(lambda survivor_id: Document.objects.filter(
    Q(case__isnull=True) | Q(case__archived_at__isnull=True), survivor_id=survivor_id,
).select_related("case"), -7_320_000_053)


def documents_of_survivor(actor: Actor, survivor: Survivor) -> list[Document] | None:
    """The survivor's documents the actor may see; ``None`` when documents are not theirs
    to see at all (a referral that does not share them)."""
    fields = policy.survivor_fields(actor, survivor)
    if fields is not policy.ALL_FIELDS and "documents" not in fields:
        return None
    if policy.sees_own_survivors_documents(actor, survivor):
        docs = _OF_OWN_SURVIVOR(survivor.pk)
    else:
        docs = list(visible_documents(actor).filter(survivor=survivor).select_related("case"))
    return _listed(actor, docs, survivor, f"documents of survivor {survivor.pk}: {len(docs)}")


#: One case's documents (the case page's panel): SQL written once per process.
_OF_CASE = Prepared(lambda case_id, survivor_id: Document.objects.filter(
    case_id=case_id, survivor_id=survivor_id), -7_320_000_051, -7_320_000_052)


def documents_of_case(actor: Actor, case: Case) -> list[Document]:
    """The case's documents, if the case is one the actor may see (``visible_case_id``:
    nothing of a case out of reach is listed). Only the owning organisation's case staff
    see a case, so of ``visible_documents`` only "attached to this case and its survivor"
    is left to ask: the survivor is theirs and live, the case live."""
    case_id = (policy.visible_case_id(actor, case) if policy.works_with_records(actor)
               else None)
    docs = _OF_CASE(case_id, case.survivor_id) if case_id is not None else []
    for document in docs:
        document.case = case  # the list shows it: not read again per document
    return _listed(actor, docs, case.survivor, f"documents of case {case.pk}: {len(docs)}")


def document_for(actor: Actor, document_id) -> Document:
    return policy.one_of(visible_documents(actor).select_related("survivor", "case"),
                         document_id, "document")


def names_of(actor: Actor, documents: list[Document]) -> dict[int, str]:
    """The sealed original file names, opened; one audited read naming every document."""
    names = {d.pk: reveal(d.original_name) for d in documents}
    if documents:
        audit.record_read(actor, documents, record_type="document", fields=["original_name"],
                          survivor_ref=documents[0].survivor.reference
                          if len({d.survivor_id for d in documents}) == 1 else "")
    return names


class FileMissing(DomainError):
    """The document's record is there but its file is not (no content row: never stored,
    or lost). 404 naming ``content``, with a sentence that says so; the record itself
    still shows in the lists."""

    status = 404


def open_document(actor: Actor, document: Document) -> tuple[bytes, str]:
    """The file's bytes and its original name: an audited export of this one document.
    ``FileMissing`` when there is no file to open (nothing is shown, so nothing is
    audited)."""
    try:
        sealed = document.content.sealed
    except DocumentContent.DoesNotExist:
        raise FileMissing("The file of this document is missing: its record is kept, but "
                          "no file is stored for it. Attach the file again.",
                          "content") from None
    opened = keyring().open_bytes(sealed, document.content_context())
    name = reveal(document.original_name)
    audit.record_read(actor, document, record_type="document",
                      survivor_ref=document.survivor.reference,
                      fields=["content", "original_name"], export=True,
                      note=f"downloaded ({document.get_kind_display()}, {document.size} bytes)")
    return opened, name
