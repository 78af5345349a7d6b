"""Files attached to a survivor or a case, sealed at rest.

The file's bytes are sealed with the field key ring (``keyring().seal_bytes``) and
stored in the database, in their own table (``DocumentContent``) so that listing
documents never loads a blob. Why the database and not sealed files on disk: one
backup (``manage.py backup``) and one transaction hold the record and its content,
key rotation re-seals both in the same place, nothing is orphaned when an upload
fails half-way, and several application instances need no shared volume. The price
is database size; the per-file limit (``NORTHSTAR_DOCUMENT_MAX_BYTES``, 10 MB by
default) keeps that to what an NGO's scans and reports need.

The original file name can name the survivor ("passport_Sokha.jpg"): it is sealed
too. The content is bound to the document's id (the sealing context), so a blob
copied onto another document's row fails to open.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from northstar.core.fields import EncryptedTextField
from northstar.documents import sniff
from northstar.survivors.models import Case, Survivor


class DocumentKind(models.TextChoices):
    ID_DOCUMENT = "id_document", _("Identity document (scan)")
    MEDICAL_REPORT = "medical_report", _("Medical report")
    EVIDENCE = "evidence", _("Evidence")
    SIGNED_CONSENT = "signed_consent", _("Signed consent form")
    LEGAL = "legal", _("Legal document")
    OTHER = "other", _("Other")


FILE_TYPES = [(t.key, t.label) for t in sniff.ACCEPTED]


class Document(models.Model):
    survivor = models.ForeignKey(Survivor, on_delete=models.PROTECT, related_name="documents")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, null=True, blank=True,
                             related_name="documents")
    kind = models.CharField(max_length=24, choices=DocumentKind.choices)
    #: Sealed: a file name can name the person.
    original_name = EncryptedTextField()
    #: What the content is, by sniffing its first bytes (``sniff.py``), never the client's word.
    file_type = models.CharField(max_length=8, choices=FILE_TYPES)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self) -> str:
        return f"document {self.pk} ({self.kind})"

    @property
    def content_type(self) -> str:
        return sniff.BY_KEY[self.file_type].content_type

    @property
    def extension(self) -> str:
        return sniff.BY_KEY[self.file_type].extension

    def content_context(self) -> str:
        return f"documents.document.{self.pk}.content"


class DocumentContent(models.Model):
    """The sealed bytes of one document (a separate table: lists never load them)."""

    document = models.OneToOneField(Document, on_delete=models.PROTECT, primary_key=True,
                                    related_name="content")
    sealed = models.BinaryField()

    def __str__(self) -> str:
        return f"content of document {self.document_id} (sealed)"
