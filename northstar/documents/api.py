"""Documents over the API: list (metadata only), upload (multipart), download (attachment)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import File, Form, Router, Schema, UploadedFile

from northstar import policy
from northstar.apiutils import BIGGEST, actor_of
from northstar.core.errors import DomainError, Forbidden
from northstar.documents import actions, selectors, views
from northstar.documents.models import DocumentKind

router = Router(tags=["documents"])

KindT = Literal[tuple(DocumentKind.values)]


class DocumentOut(Schema):
    id: int
    survivor_id: int
    case_id: int | None
    kind: str
    kind_label: str
    file_type: str
    content_type: str
    size: int
    uploaded_at: dt.datetime


def _out(d) -> dict:
    return {"id": d.pk, "survivor_id": d.survivor_id, "case_id": d.case_id, "kind": d.kind,
            "kind_label": str(d.get_kind_display()), "file_type": d.file_type,
            "content_type": d.content_type, "size": d.size, "uploaded_at": d.uploaded_at}


@router.get("/survivors/{survivor_id}/documents", response=list[DocumentOut])
def list_documents(request, survivor_id: int):
    """Documents of a survivor you may see (file names and contents are not in the list)."""
    actor = actor_of(request)
    survivor = policy.survivor_for(actor, survivor_id)
    return [_out(d) for d in selectors.documents_of_survivor(actor, survivor) or []]


@router.post("/survivors/{survivor_id}/documents", response={201: DocumentOut})
def upload_document(request, survivor_id: int, kind: Form[KindT],
                    file: File[UploadedFile], case_id: Form[int | None] = None):
    """Attach a file (multipart/form-data: ``kind``, ``file``, optional ``case_id``).

    The type is read from the file's bytes (PDF, JPEG, PNG, WebP, HEIC, DOCX), never from
    its name or content type: anything else is 422 naming ``file``; a file over
    ``NORTHSTAR_DOCUMENT_MAX_BYTES`` is 413 naming ``file``."""
    actor = actor_of(request)
    survivor = policy.survivor_for(actor, survivor_id, change=True)
    if not policy.may_attach_documents(actor, survivor):
        raise Forbidden("You may not attach documents to this record.")
    case = None
    if case_id is not None and not 1 <= case_id <= BIGGEST:
        raise DomainError("There is no such case.", "case_id")
    if case_id is not None:
        case = policy.case_for(actor, case_id, change=True)
        if case.survivor_id != survivor.pk:
            raise DomainError("That case is not this survivor's.", "case_id")
    actions.check_size(file.size)
    document = actions.attach_document(actor, survivor, kind=kind, case=case,
                                       data=file.read(), name=file.name or "")
    return 201, _out(document)


@router.get("/documents/{document_id}", response={200: None})
def download_document(request, document_id: int):
    """The file itself, always as an attachment with ``nosniff``; an audited export. A
    document whose file is missing (its record kept, no file stored) answers 404 naming
    ``content``."""
    actor = actor_of(request)
    document = selectors.document_for(actor, document_id)
    data, name = selectors.open_document(actor, document)
    name = name or f"document-{document.pk}"
    if not name.lower().endswith("." + document.extension):
        name = f"{name}.{document.extension}"
    return views.file_response(data, name=name, content_type=document.content_type)
