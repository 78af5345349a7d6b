"""A document whose file is missing (no content row) is never a 500.

The sweep at 100k (bench/README.md, h-sweep) found 6,670 documents and 4 content rows:
``/api/v1/documents/{id}`` and ``/documents/{id}/`` raised on the missing row. The record
still shows in the lists; its download says plainly that the file is missing (404 naming
``content``), and nothing is audited as exported, since nothing was shown."""

from __future__ import annotations

import pytest
from django.test import Client

from northstar.core.models import AuditEntry
from northstar.documents import actions
from northstar.documents.models import DocumentContent
from tests.conftest import ApiClient
from tests.records import PDF_BYTES

MISSING = "The file of this document is missing"


@pytest.fixture
def document_without_file(survivor_a, caseworker, actor_for):
    document = actions.attach_document(actor_for(caseworker), survivor_a, kind="evidence",
                                       data=PDF_BYTES, name="statement.pdf")
    DocumentContent.objects.filter(document=document).delete()  # lost, or never stored
    return document


def _exports():
    return AuditEntry.objects.filter(action="export", record_type="document").count()


@pytest.mark.django_db
def test_the_api_download_of_a_document_without_its_file_says_so_and_the_list_keeps_it(
        document_without_file, survivor_a, caseworker):
    api = ApiClient(caseworker)
    response = api.get(f"/api/v1/documents/{document_without_file.pk}")
    assert response.status_code == 404
    assert response.json()["field"] == "content"
    assert response.json()["detail"].startswith(MISSING)
    assert _exports() == 0
    listed = api.get(f"/api/v1/survivors/{survivor_a.pk}/documents").json()
    assert [d["id"] for d in listed] == [document_without_file.pk]


@pytest.mark.django_db
def test_the_download_page_of_a_document_without_its_file_says_so_and_the_record_shows(
        document_without_file, survivor_a, caseworker):
    client = Client()
    client.force_login(caseworker)
    response = client.get(f"/documents/{document_without_file.pk}/")
    assert response.status_code == 404
    assert MISSING in response.content.decode()
    assert _exports() == 0
    page = client.get(f"/survivors/{survivor_a.pk}/").content.decode()
    assert f"/documents/{document_without_file.pk}/" in page
