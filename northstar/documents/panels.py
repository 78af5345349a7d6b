"""Documents on the survivor page and the case page: the list and the upload form."""

from __future__ import annotations

from northstar import policy
from northstar.core.template_tags import url_of
from northstar.documents import actions, selectors, sniff
from northstar.documents.forms import DocumentForm, SummaryLanguageForm
from northstar.ui import panels


def _panel(request, survivor, documents, case=None) -> dict:
    actor = request.actor
    # The case page is only ever shown to the owning organisation's case staff.
    may_attach = case is not None or policy.may_attach_documents(actor, survivor)
    form = None
    if may_attach:
        cases = [case] if case else panels.once_per_request(
            request, ("cases_of_survivor", survivor.pk),
            lambda: policy.cases_of_survivor(actor, survivor))
        form = DocumentForm(cases=cases, initial={"case": case.pk if case else None})
    return {
        "documents": documents,
        "on_case": case is not None,
        "may_attach": may_attach,
        "form": form,
        "upload_url": url_of("documents:upload", survivor.pk),
        "accepted": sniff.accepted_labels(),
        "max_bytes": actions.max_bytes(),
        "summary_url": url_of("documents:case_summary", case.pk) if case else "",
        "summary_form": SummaryLanguageForm(auto_id="summary-%s") if case else None,
    }


def survivor_panel(request, survivor) -> dict | None:
    documents = selectors.documents_of_survivor(request.actor, survivor)
    if documents is None:
        return None
    return _panel(request, survivor, documents)


def case_panel(request, case) -> dict | None:
    if not policy.works_with_records(request.actor):
        return None
    return _panel(request, case.survivor, selectors.documents_of_case(request.actor, case), case)


def register() -> None:
    panels.register_survivor_panel("documents", "documents/panels/documents.html",
                                   survivor_panel, order=60, for_recipients=True)
    panels.register_case_panel("documents", "documents/panels/documents.html", case_panel,
                               order=85)
