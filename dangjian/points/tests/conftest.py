"""Points test fixtures: the shared ``tree`` plus a second member of 甲镇一村 (张伟) and E6.1 schemes,
made through the real services. Every service takes ``today``: the tests pin it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dangjian.common.errors import ServiceError
from dangjian.common.models import AuditEvent
from dangjian.common.tests.helpers import FAST_HASHERS
from dangjian.members.models import Member
from dangjian.points import services
from dangjian.points.models import PointsScheme
from dangjian.points.tests.scope_objects import MODELS
from dangjian.testing import Tree, make_member

TODAY = dt.date(2026, 11, 15)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings, tmp_path):
    settings.PASSWORD_HASHERS = FAST_HASHERS
    settings.MEDIA_ROOT = tmp_path / "media"


def row_counts() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in (*MODELS, AuditEvent, Member)}


def check_rejected(call: Callable[[], Any], *messages: str, field: str | None = None) -> ServiceError:
    """Run a service that must refuse: each message among its errors, nothing written anywhere."""
    before = row_counts()
    with pytest.raises(ServiceError) as info:
        call()
    err = info.value
    for msg in messages:
        assert msg in err.messages, f"{msg!r} not in {err.messages!r}"
    if field is not None:
        assert field in err.errors, err.errors
    assert row_counts() == before
    return err


def png(name: str = "证明.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


@dataclass
class World:
    tree: Tree
    admin: Any
    organizer: Any
    secretary: Any
    zhang: Member  # 张伟 of 甲镇一村 (not the member user's own record)
    scheme: PointsScheme  # 甲镇一村's own E6.1 scheme for 2026

    def item(self, name: str):
        return self.scheme.items.get(name=name)


@pytest.fixture
def world(tree: Tree) -> World:
    zhang = make_member(tree.village_a1, name="张伟", birth_date=dt.date(1988, 2, 2), date=dt.date(2015, 7, 1),
                        joined_on=dt.date(2015, 7, 1))
    scheme = services.scheme_create(actor=tree.users["county_admin"], org=tree.village_a1, year=2026, template="E6.1",
                                    today=TODAY)
    return World(tree, tree.users["county_admin"], tree.users["township_organizer"], tree.users["branch_secretary"],
                 zhang, scheme)
