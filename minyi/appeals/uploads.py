"""Files sent with appeals and evidence of rectification: checked by their content (magic bytes), not
by their names, and served back only through ``serve`` (never run in our origin)."""

from __future__ import annotations

import hashlib
from typing import Any, Protocol

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_FILES = 5
#: Content signatures of the accepted kinds: photos and PDF.
SIGNATURES: list[tuple[bytes, int, str, str]] = [
    (b"\xff\xd8\xff", 0, "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", 0, "image/png", ".png"),
    (b"GIF87a", 0, "image/gif", ".gif"),
    (b"GIF89a", 0, "image/gif", ".gif"),
    (b"WEBP", 8, "image/webp", ".webp"),
    (b"%PDF-", 0, "application/pdf", ".pdf"),
]


def sniff(head: bytes) -> tuple[str, str] | None:
    """The content type and extension of a file from its first bytes, or None if not accepted."""
    for magic, offset, content_type, extension in SIGNATURES:
        if head[offset : offset + len(magic)] == magic:
            if content_type == "image/webp" and not head.startswith(b"RIFF"):
                continue
            return content_type, extension
    return None


def checked_upload(upload: UploadedFile) -> dict[str, Any]:
    """Validate one upload and return the Attachment fields for it (the file renamed by content)."""
    name = (upload.name or "file")[:200]
    if upload.size is not None and upload.size > MAX_FILE_BYTES:
        raise ValidationError(
            {"files": _("%(name)s is larger than %(mb)d MB.") % {"name": name, "mb": MAX_FILE_BYTES // 2**20}}
        )
    upload.seek(0)
    head = upload.read(16)
    kind = sniff(head)
    if kind is None:
        raise ValidationError(
            {"files": _("%(name)s is not a photo (JPEG, PNG, GIF, WebP) or a PDF.") % {"name": name}}
        )
    upload.seek(0)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    content_type, extension = kind
    upload.name = f"{digest.hexdigest()[:16]}{extension}"
    return {
        "file": upload,
        "original_name": name,
        "content_type": content_type,
        "size": upload.size or 0,
        "sha256": digest.hexdigest(),
    }


class StoredFile(Protocol):
    file: FieldFile
    content_type: str
    original_name: str


def serve(item: StoredFile) -> FileResponse:
    """A stored file for a viewer the caller has checked (and audited): photos inline, the rest as a
    download, never cached, sandboxed so that nothing in it runs in our origin."""
    try:
        handle = item.file.open("rb")
    except FileNotFoundError as missing:
        raise Http404 from missing
    inline = item.content_type.startswith("image/")
    response = FileResponse(
        handle, content_type=item.content_type, as_attachment=not inline, filename=item.original_name
    )
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "sandbox"
    return response
