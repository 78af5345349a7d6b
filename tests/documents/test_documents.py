"""Documents attached to a survivor or a case: sealed, sniffed, limited, downloaded safely,
audited, and seen only through the policy."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client

from northstar.core import crypto, keys
from northstar.core.models import AuditEntry
from northstar.core.roles import Role
from northstar.documents import actions, selectors, sniff
from northstar.documents.models import Document, DocumentContent
from northstar.referrals import actions as referrals
from northstar.survivors import actions as survivor_actions
from tests.conftest import ApiClient
from tests.records import PDF_BYTES

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
HTML = b"<!doctype html><script>alert(1)</script>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _upload(client, survivor, data, *, name="scan.pdf", content_type="application/pdf",
            kind="id_document", case=""):
    return client.post(f"/documents/survivors/{survivor.pk}/new/", {
        "kind": kind, "case": case,
        "file": SimpleUploadedFile(name, data, content_type=content_type)})


# --- What a file is ------------------------------------------------------------------


@pytest.mark.parametrize("data, key", [
    (PDF_BYTES, "pdf"), (b"\xff\xd8\xff\xe0" + b"\x00" * 20, "jpeg"), (PNG, "png"),
    (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "webp"), (b"\x00\x00\x00\x18ftypheic\x00\x00", "heic"),
])
def test_the_type_is_read_from_the_first_bytes(data, key):
    assert sniff.sniff(data).key == key


def test_a_word_document_is_a_zip_with_a_word_part_and_any_other_zip_is_refused():
    assert sniff.sniff(_docx()).key == "docx"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("payload.exe", "MZ")
    assert sniff.sniff(buffer.getvalue()) is None


@pytest.mark.parametrize("data", [HTML, SVG, b"MZ\x90\x00", b"plain text"])
def test_html_svg_programs_and_text_are_not_accepted(data):
    assert sniff.sniff(data) is None


# --- Attaching ------------------------------------------------------------------------


def test_an_attached_file_is_sealed_at_rest_with_its_name(survivor_a, caseworker, actor_for):
    document = actions.attach_document(actor_for(caseworker), survivor_a, kind="medical_report",
                                       data=PDF_BYTES, name="report_Sokha.pdf")
    stored = bytes(DocumentContent.objects.get(document=document).sealed)
    assert PDF_BYTES not in stored and b"%PDF" not in stored
    raw_name = Document.objects.filter(pk=document.pk).values_list("original_name", flat=True)[0]
    assert "Sokha" not in raw_name.token and raw_name.reveal() == "report_Sokha.pdf"
    assert (document.file_type, document.size) == ("pdf", len(PDF_BYTES))
    entry = AuditEntry.objects.filter(action="create", record_type="document").get()
    assert entry.record_id == str(document.pk) and entry.survivor_ref == survivor_a.reference


def test_the_upload_form_attaches_without_javascript_and_the_page_lists_it(
        survivor_a, case_a, caseworker):
    client = _signed_in(caseworker)
    page = client.get(f"/cases/{case_a.pk}/").content.decode()
    assert 'enctype="multipart/form-data"' in page and "Attach document" in page
    response = _upload(client, survivor_a, PDF_BYTES, case=case_a.pk, kind="evidence")
    assert response.status_code == 302 and response.url == f"/cases/{case_a.pk}/"
    document = Document.objects.get()
    assert document.case == case_a and document.kind == "evidence"
    page = client.get(f"/cases/{case_a.pk}/").content.decode()
    assert f"/documents/{document.pk}/" in page and "Evidence" in page


def test_a_file_whose_bytes_are_html_is_refused_whatever_its_name_and_type_say(
        survivor_a, caseworker):
    response = _upload(_signed_in(caseworker), survivor_a, HTML, name="scan.pdf",
                       content_type="application/pdf")
    assert response.status_code == 422
    assert "not one of the types that can be attached" in response.content.decode()
    assert not Document.objects.exists()


def test_a_file_over_the_limit_is_413_with_a_sentence(survivor_a, caseworker, settings):
    settings.NORTHSTAR_DOCUMENT_MAX_BYTES = 1000
    response = _upload(_signed_in(caseworker), survivor_a, PDF_BYTES + b"\x00" * 2000)
    assert response.status_code == 413
    assert "files up to 1000" in response.content.decode().replace("\xa0", " ")
    assert not Document.objects.exists()


def test_a_body_too_large_for_any_upload_is_refused_at_the_edge_before_it_is_read(
        survivor_a, caseworker, settings):
    settings.NORTHSTAR_DOCUMENT_MAX_BYTES = 1000
    api = ApiClient(caseworker)
    response = api.client.post(
        f"/api/v1/survivors/{survivor_a.pk}/documents",
        data={"kind": "evidence", "file": SimpleUploadedFile("big.pdf", PDF_BYTES + b"0" * 400_000)},
        **api.headers)
    assert response.status_code == 413
    assert response.json()["field"] == "file" and "too large" in response.json()["detail"]


def test_the_api_answers_422_naming_the_file_for_a_wrong_type(survivor_a, caseworker):
    api = ApiClient(caseworker)
    response = api.client.post(
        f"/api/v1/survivors/{survivor_a.pk}/documents",
        data={"kind": "evidence", "file": SimpleUploadedFile("x.svg", SVG, "image/svg+xml")},
        **api.headers)
    assert response.status_code == 422 and response.json()["field"] == "file"


# --- Downloading ------------------------------------------------------------------------


def test_a_download_is_always_an_attachment_with_nosniff_and_is_an_audited_export(
        survivor_a, caseworker, actor_for):
    document = actions.attach_document(actor_for(caseworker), survivor_a, kind="id_document",
                                       data=PNG, name="passport.png")
    response = _signed_in(caseworker).get(f"/documents/{document.pk}/")
    assert response.status_code == 200 and response.content == PNG
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith('attachment; filename="passport.png"')
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    export = AuditEntry.objects.filter(action="export", record_type="document").get()
    assert export.record_ids == [str(document.pk)] and "content" in export.fields


def test_the_api_download_is_an_attachment_too(survivor_a, caseworker, actor_for):
    document = actions.attach_document(actor_for(caseworker), survivor_a, kind="evidence",
                                       data=_docx(), name="statement")
    response = ApiClient(caseworker).get(f"/api/v1/documents/{document.pk}")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="statement.docx"')
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


# --- Who sees what ----------------------------------------------------------------------


def test_another_organisation_gets_404_for_the_document_and_its_list(
        survivor_a, caseworker, other_caseworker, actor_for):
    document = actions.attach_document(actor_for(caseworker), survivor_a, kind="evidence",
                                       data=PDF_BYTES)
    assert _signed_in(other_caseworker).get(f"/documents/{document.pk}/").status_code == 404
    api = ApiClient(other_caseworker)
    assert api.get(f"/api/v1/documents/{document.pk}").status_code == 404
    assert api.get(f"/api/v1/survivors/{survivor_a.pk}/documents").status_code == 404


@pytest.mark.parametrize("role", [Role.RESEARCHER, Role.COUNCIL_COORDINATOR, Role.ORG_ADMIN])
def test_roles_without_records_of_the_same_organisation_do_not_see_documents(
        role, survivor_a, caseworker, users, actor_for):
    document = actions.attach_document(actor_for(caseworker), survivor_a, kind="evidence",
                                       data=PDF_BYTES)
    assert _signed_in(users[("a", role)]).get(f"/documents/{document.pk}/").status_code == 404


def _referral(caseworker, actor_for, survivor, org_b, shared):
    actor = actor_for(caseworker)
    survivor_actions.record_consent(actor, survivor, purpose="referral", recipient=org_b,
                                    language="km", method="written")
    return referrals.create_referral(actor, survivor=survivor, recipient=org_b,
                                     needs=["legal_aid"], shared_fields=shared)


def test_a_referral_recipient_sees_the_survivors_documents_only_if_documents_are_shared(
        survivor_a, case_a, caseworker, other_caseworker, org_b, actor_for):
    actor = actor_for(caseworker)
    on_survivor = actions.attach_document(actor, survivor_a, kind="id_document", data=PDF_BYTES)
    on_case = actions.attach_document(actor, survivor_a, kind="evidence", data=PDF_BYTES,
                                      case=case_a)
    recipient = actor_for(other_caseworker)
    not_shared = _referral(caseworker, actor_for, survivor_a, org_b,
                           ["reference", "given_name"])
    referrals.take_step(recipient, not_shared, step="accept")
    assert list(selectors.visible_documents(recipient)) == []
    shared = _referral(caseworker, actor_for, survivor_a, org_b, ["reference", "documents"])
    referrals.take_step(recipient, shared, step="accept")
    assert list(selectors.visible_documents(recipient)) == [on_survivor]  # never the case's
    client = _signed_in(other_caseworker)
    assert client.get(f"/documents/{on_survivor.pk}/").status_code == 200
    assert client.get(f"/documents/{on_case.pk}/").status_code == 404
    referrals.take_step(actor, shared, step="revoke", note="She asked to stop.")
    assert client.get(f"/documents/{on_survivor.pk}/").status_code == 404


# --- Keys -------------------------------------------------------------------------------


def test_key_rotation_reseals_documents_under_the_new_primary_key(
        survivor_a, caseworker, actor_for, settings):
    document = actions.attach_document(actor_for(caseworker), survivor_a, kind="evidence",
                                       data=PDF_BYTES)
    old_id = crypto.keyring().primary_id
    assert keys.key_problems() == []
    settings.NORTHSTAR_FIELD_KEYS = [("k9", crypto.new_key()), *settings.NORTHSTAR_FIELD_KEYS]
    call_command("rotate_keys")
    sealed = bytes(DocumentContent.objects.get(document=document).sealed)
    ring = crypto.keyring()
    assert ring.key_id_of(sealed) == "k9" != old_id
    assert ring.open_bytes(sealed, document.content_context()) == PDF_BYTES


def test_the_recipient_finds_shared_documents_on_the_survivor_page(
        survivor_a, caseworker, other_caseworker, org_b, actor_for):
    document = actions.attach_document(actor_for(caseworker), survivor_a, kind="medical_report",
                                       data=PDF_BYTES)
    client = _signed_in(other_caseworker)
    referral = _referral(caseworker, actor_for, survivor_a, org_b, ["reference", "documents"])
    referrals.take_step(actor_for(other_caseworker), referral, step="accept")
    page = client.get(f"/survivors/{survivor_a.pk}/").content.decode()
    assert f"/documents/{document.pk}/" in page
    assert "Attach document" not in page  # read-only for the recipient
