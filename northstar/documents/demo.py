"""Demo documents and advocacy choices, so each role has something real to look at: the
caseworker a signed consent form on a survivor and a medical report on a case, the council
coordinator a few survivors (adults) who chose to take part in advocacy, with consent."""

from __future__ import annotations

from northstar.core.actor import Actor
from northstar.documents import actions
from northstar.documents.models import Document
from northstar.survivors import actions as survivor_actions
from northstar.survivors.models import Survivor

#: A small, valid one-page PDF (no fonts, no scripts): "Demo document".
DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R>>endobj\n"
    b"4 0 obj<</Length 44>>stream\nBT /F1 18 Tf 72 770 Td (Demo document) Tj ET\nendstream"
    b"\nendobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
ADVOCATES_PER_ORGANISATION = 4


def seed(context: dict) -> None:
    users = context["users"]
    for org in context["organisations"]:
        caseworker = next((u for name, u in users.items()
                           if name.startswith("caseworker.")
                           and u.membership.organisation_id == org.pk), None)
        if caseworker is None:
            continue
        actor = Actor.for_user(caseworker, "cli")
        survivors = list(Survivor.objects.filter(organisation=org).order_by("id"))
        if not survivors or Document.objects.filter(survivor__organisation=org).exists():
            continue
        first = survivors[0]
        actions.attach_document(actor, first, kind="signed_consent", data=DEMO_PDF,
                                name="consent-form-demo.pdf")
        case = first.cases.first()
        if case is not None:
            actions.attach_document(actor, first, kind="medical_report", data=DEMO_PDF,
                                    name="medical-report-demo.pdf", case=case)
        advocates = [s for s in survivors if s.is_child() is False][:ADVOCATES_PER_ORGANISATION]
        for i, survivor in enumerate(advocates):
            survivor_actions.record_consent(actor, survivor, purpose="advocacy",
                                            language=survivor.preferred_language,
                                            method="written")
            survivor_actions.update_survivor(
                actor, survivor, version=survivor.version,
                changes={"advocacy_visibility": "public" if i == 0 else "anonymous"})
