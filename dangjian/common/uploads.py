"""Uploaded and stored files, the parts every app does the same way: what an upload is (its name, size,
first bytes and, for a zip container such as .docx/.xlsx, its member names — all that
``orglife.rules.check_upload`` needs to judge the content, without reading the whole file), and how a
stored file is sent back (only through a scoped view, never a public media URL)."""

from __future__ import annotations

import mimetypes
import zipfile
from typing import IO, Any, NamedTuple

from django.http import FileResponse, Http404

# Types a browser may show inline; everything else downloads.
INLINE_TYPES = frozenset({"jpeg", "png", "gif", "webp", "pdf"})


class UploadFacts(NamedTuple):
    name: str
    size: int
    head: bytes
    zip_names: list[str] | None


def upload_facts(file: IO[bytes] | Any) -> UploadFacts:
    """The upload's base name, size, first 16 bytes and zip directory (None when not a readable zip);
    the file is left at its start, ready to be saved."""
    name = (getattr(file, "name", "") or "").rsplit("/", 1)[-1]
    size = int(getattr(file, "size", 0) or 0)
    file.seek(0)
    head = file.read(16)
    zip_names = None
    if head.startswith(b"PK\x03\x04"):
        file.seek(0)
        try:
            with zipfile.ZipFile(file) as z:
                zip_names = z.namelist()
        except (zipfile.BadZipFile, OSError, ValueError):
            zip_names = None
    file.seek(0)
    return UploadFacts(name, size, head, zip_names)


def stored_file_response(field: Any, *, original_name: str, file_type: str) -> FileResponse:
    """A stored file (a FileField's value) under its original name: images and pdf inline, the rest as a
    download, never sniffed by the browser as something else. A file missing from storage is a 404."""
    try:
        handle = field.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    content_type = mimetypes.guess_type(original_name)[0] or "application/octet-stream"
    response = FileResponse(handle, content_type=content_type, as_attachment=file_type not in INLINE_TYPES,
                            filename=original_name)
    response["X-Content-Type-Options"] = "nosniff"
    return response
