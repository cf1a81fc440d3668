"""Rectification test fixtures: the shared ``tree`` plus helpers to build records through the real
services (committee posts, meetings, surveys) and to check that a refused write wrote nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from dangjian.common.errors import ServiceError
from dangjian.common.models import AuditEvent
from dangjian.common.tests.helpers import FAST_HASHERS
from dangjian.rectification.tests.scope_objects import MODELS

TODAY = dt.date(2026, 11, 15)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def row_counts() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in (*MODELS, AuditEvent)}


def assert_rejected(call: Callable[[], Any], *messages: str, field: str | None = None) -> ServiceError:
    """Run a service that must refuse: each message among its errors, nothing written anywhere."""
    before = row_counts()
    with pytest.raises(ServiceError) as info:
        call()
    err = info.value
    for m in messages:
        assert m in err.messages, f"{m!r} not in {err.messages!r}"
    if field is not None:
        assert field in err.errors, err.errors
    assert row_counts() == before
    return err
