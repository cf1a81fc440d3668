"""The shared upload and download helpers: what an upload is, and how a stored file goes back."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.http import Http404

from dangjian.common.uploads import stored_file_response, upload_facts

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_upload_facts_of_an_image_and_of_a_zip_container():
    png = ContentFile(PNG, name="dir/照片.png")
    assert upload_facts(png) == ("照片.png", len(PNG), PNG[:16], None)
    assert png.tell() == 0  # ready to be saved
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("word/document.xml", "<w/>")
    docx = ContentFile(buf.getvalue(), name="材料.docx")
    facts = upload_facts(docx)
    assert facts.zip_names == ["word/document.xml"] and facts.name == "材料.docx"
    broken = ContentFile(b"PK\x03\x04" + b"\x00" * 40, name="坏.xlsx")
    assert upload_facts(broken).zip_names is None


class Stored:
    def __init__(self, storage: FileSystemStorage, name: str) -> None:
        self.storage, self.name = storage, name

    def open(self, mode: str = "rb"):
        return self.storage.open(self.name, mode)


def test_stored_files_go_back_inline_or_as_downloads_and_missing_ones_are_404(tmp_path):
    storage = FileSystemStorage(location=tmp_path)
    storage.save("a.png", ContentFile(PNG))
    storage.save("b.docx", ContentFile(b"PK\x03\x04"))
    image = stored_file_response(Stored(storage, "a.png"), original_name="照片.png", file_type="png")
    assert image["Content-Type"] == "image/png" and image["X-Content-Type-Options"] == "nosniff"
    assert image["Content-Disposition"].startswith("inline")
    doc = stored_file_response(Stored(storage, "b.docx"), original_name="材料.docx", file_type="docx")
    assert doc["Content-Disposition"].startswith("attachment")
    with pytest.raises(Http404):
        stored_file_response(Stored(storage, "gone.pdf"), original_name="x.pdf", file_type="pdf")
