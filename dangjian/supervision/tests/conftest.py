"""Supervision fixtures: the shared county tree, a fixed "today", uploaded files made of real bytes,
and row counts for "nothing written" checks."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dangjian.common.models import AuditEvent
from dangjian.common.tests.helpers import FAST_HASHERS
from dangjian.supervision.models import Evidence, Item, ItemEvent, Task

TODAY = dt.date(2026, 11, 2)
D = dt.date.fromisoformat
# A real 1×1 PNG (signature, IHDR, IDAT, IEND).
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def png(name: str = "现场照片.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def docx(name: str = "工作总结.docx") -> SimpleUploadedFile:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="application/octet-stream")


def exe(name: str = "setup.exe") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"MZ\x90\x00" + b"\x00" * 60, content_type="application/octet-stream")


def row_counts() -> dict[str, int]:
    return {
        "Task": Task.objects.count(), "Item": Item.objects.count(), "ItemEvent": ItemEvent.objects.count(),
        "Evidence": Evidence.objects.count(), "AuditEvent": AuditEvent.objects.count(),
    }  # fmt: skip
