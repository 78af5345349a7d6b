"""Document pages: the upload form (works without JavaScript) and the download."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from northstar import policy
from northstar.core.errors import DomainError, Forbidden
from northstar.documents import actions, selectors, sniff
from northstar.documents.forms import DocumentForm


def _read_upload(upload) -> bytes:
    actions.check_size(upload.size)  # before reading: a 413 that names the field
    return upload.read()


@never_cache
@login_required
def upload(request, survivor_id: int):
    actor = request.actor
    survivor = policy.survivor_for(actor, survivor_id, change=True)
    if not policy.may_attach_documents(actor, survivor):
        raise Forbidden("You may not attach documents to this record.")
    cases = list(policy.visible_cases(actor).filter(survivor=survivor))
    form = DocumentForm(request.POST or None, request.FILES or None, cases=cases)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            case = next((c for c in cases if c.pk == form.cleaned_data["case"]), None)
            try:
                document = actions.attach_document(
                    actor, survivor, kind=form.cleaned_data["kind"], case=case,
                    data=_read_upload(form.cleaned_data["file"]),
                    name=form.cleaned_data["file"].name)
            except DomainError as exc:
                if exc.status == 413:
                    status = 413
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                if document.case_id:
                    return redirect("case", case_id=document.case_id)
                return redirect("survivor", survivor_id=survivor.pk)
    return render(request, "documents/upload.html", {
        "form": form, "survivor": survivor, "accepted": sniff.accepted_labels(),
        "max_bytes": actions.max_bytes()}, status=status)


def file_response(data: bytes, *, name: str, content_type: str) -> HttpResponse:
    """A file that is always downloaded, never shown or run by the browser."""
    response = HttpResponse(data, content_type=content_type)
    ascii_name = "".join(c if c.isascii() and (c.isalnum() or c in "._-") else "_"
                         for c in name) or "document"
    response["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "no-store, private"
    return response


@never_cache
@login_required
@require_GET
def download(request, document_id: int):
    actor = request.actor
    document = selectors.document_for(actor, document_id)
    data, name = selectors.open_document(actor, document)
    name = name or f"{document.get_kind_display()}-{document.pk}"
    if not name.lower().endswith("." + document.extension):
        name = f"{name}.{document.extension}"
    return file_response(data, name=name, content_type=document.content_type)
