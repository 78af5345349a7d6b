"""What a file is, from its first bytes: never from its name or the client's content type.

Only types a caseworker needs and a browser cannot run are accepted: PDF, JPEG, PNG,
WebP, HEIC/HEIF (phone photos) and Word documents (DOCX). HTML, SVG, scripts and
anything unrecognised are refused. Pure Python, no Django.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass


@dataclass(frozen=True)
class FileType:
    key: str
    label: str
    content_type: str
    extension: str


PDF = FileType("pdf", "PDF document", "application/pdf", "pdf")
JPEG = FileType("jpeg", "JPEG image", "image/jpeg", "jpg")
PNG = FileType("png", "PNG image", "image/png", "png")
WEBP = FileType("webp", "WebP image", "image/webp", "webp")
HEIC = FileType("heic", "HEIC photo", "image/heic", "heic")
DOCX = FileType("docx", "Word document",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx")

ACCEPTED = (PDF, JPEG, PNG, WEBP, HEIC, DOCX)
BY_KEY = {t.key: t for t in ACCEPTED}

_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}


def _is_docx(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return False
    return "[Content_Types].xml" in names and "word/document.xml" in names


def sniff(data: bytes) -> FileType | None:
    """The accepted type whose signature ``data`` starts with, or ``None``."""
    head = data[:32]
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
        return HEIC
    if head.startswith(b"PK\x03\x04") and _is_docx(data):
        return DOCX
    return None


def accepted_labels() -> str:
    return ", ".join(t.label for t in ACCEPTED)
