"""Files sent with appeals and evidence of rectification: checked by their content (magic bytes), not
by their names, and served back only through ``serve`` (never run in our origin); photos also as small
thumbnails (``serve_thumbnail``), drawn once on the server and kept beside the files, so that a page
shows evidence at a glance without loading any full image."""

from __future__ import annotations

import hashlib
import io
import logging
from typing import Any, Protocol

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpResponse
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


#: The longest side of a thumbnail, in pixels (shown at half that on the page: sharp on a phone's screen).
THUMBNAIL_SIZE = 240
#: Where thumbnails are kept in the file storage, named after the file they show (itself named by its
#: content's hash, so a thumbnail never goes stale).
THUMBNAIL_DIR = "thumbnails"
#: Photos larger than this many pixels are not drawn (a decompression bomb would take the server down).
MAX_PIXELS = 40_000_000

log = logging.getLogger(__name__)


def is_photo(item: StoredFile) -> bool:
    """Whether the file is shown as a thumbnail (a photo), rather than as an icon with its name."""
    return item.content_type.startswith("image/")


def _thumbnail_name(item: StoredFile) -> str:
    stem = str(item.file.name).rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return f"{THUMBNAIL_DIR}/{stem}-{THUMBNAIL_SIZE}.jpg"


def thumbnail(item: StoredFile) -> bytes | None:
    """The photo's thumbnail as JPEG: drawn with Pillow the first time it is asked for, then read from
    the storage. None when the file is no photo or cannot be drawn (it is then linked by its name)."""
    if not is_photo(item):
        return None
    name = _thumbnail_name(item)
    if default_storage.exists(name):
        with default_storage.open(name, "rb") as kept:
            return bytes(kept.read())
    from PIL import Image, ImageOps  # imported here: only thumbnails need it

    try:
        with item.file.open("rb") as handle, Image.open(handle) as image:
            if image.width * image.height > MAX_PIXELS:
                return None
            image.seek(0)  # the first frame of an animated GIF or WebP
            drawn = ImageOps.exif_transpose(image).convert("RGB")
            drawn.thumbnail((THUMBNAIL_SIZE, THUMBNAIL_SIZE))
            out = io.BytesIO()
            drawn.save(out, "JPEG", quality=80, optimize=True)
    except (OSError, ValueError, Image.DecompressionBombError) as error:  # a damaged or missing photo
        log.warning("no thumbnail for %s: %s", item.file.name, error)
        return None
    data = out.getvalue()
    default_storage.save(name, ContentFile(data))
    return data


def serve_thumbnail(item: StoredFile) -> HttpResponse:
    """The thumbnail of a photo, for a viewer the caller has checked; 404 for anything else."""
    data = thumbnail(item)
    if data is None:
        raise Http404
    response = HttpResponse(data, content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Security-Policy"] = "sandbox"
    return response
