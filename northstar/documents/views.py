"""Document pages: the upload form (works without JavaScript) and the download."""

from __future__ import annotations

from urllib.parse import quote

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from northstar import policy
from northstar.core import jobs
from northstar.core.errors import DomainError, Forbidden
from northstar.documents import actions, exports, selectors, sniff
from northstar.documents.forms import DocumentForm, ExportForm


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


# --- Exports -----------------------------------------------------------------------------


@never_cache
@login_required
def export(request):
    """Choose CSV or XLSX and whether to include personal fields; the file is made by a job."""
    actor = request.actor
    if not policy.may_export_caseload(actor):
        raise Forbidden("Only case staff export the caseload.")
    form = ExportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        personal = form.cleaned_data["personal"]
        if personal and not policy.may_export_personal_fields(actor):
            raise Forbidden("You may not export personal details.")
        job = jobs.submit(exports.CASELOAD_EXPORT, owner=request.user,
                          organisation=actor.organisation, user_id=request.user.pk,
                          format=form.cleaned_data["format"], personal=personal,
                          language=translation.get_language() or settings.LANGUAGE_CODE)
        return redirect("jobs:job", job_id=job.pk)
    return render(request, "documents/export.html", {"form": form},
                  status=422 if request.method == "POST" else 200)


@never_cache
@login_required
@require_GET
def case_summary(request, case_id: int):
    """The case summary as PDF, in the survivor's language or the reader's (``?language=``)."""
    actor = request.actor
    case = policy.case_for(actor, case_id)
    if not policy.may_export_caseload(actor):
        raise Forbidden("Only case staff export case summaries.")
    choice = request.GET.get("language", "survivor")
    if choice not in ("survivor", "staff"):
        raise DomainError("Choose the survivor's language or yours.", "language")
    codes = {code for code, _name in settings.LANGUAGES}
    wanted = case.survivor.preferred_language if choice == "survivor" else \
        translation.get_language()
    language = wanted if wanted in codes else settings.LANGUAGE_CODE
    pdf = exports.case_summary_pdf(actor, case, language=language)
    return file_response(pdf, name=f"case-summary-{case.reference}-{language}.pdf",
                         content_type="application/pdf")
