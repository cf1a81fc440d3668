"""Helpers for the organizational-life tests: meetings recorded through the real services with a
fixed "today", row counts for "nothing written" checks, settings changed as a county would."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

import pytest
from django.test import Client

from dangjian.common.models import AuditEvent, PlatformSetting
from dangjian.common.tests.helpers import FAST_HASHERS
from dangjian.members.models import Member
from dangjian.orglife import rules
from dangjian.orglife.models import (
    Attendance,
    CommitteePost,
    Meeting,
    MeetingFile,
    TrainingAttendance,
    TrainingSession,
)
from dangjian.orglife.services import AttendanceIn, MeetingFields, meeting_record
from dangjian.orgs.models import Org
from dangjian.testing import Tree

TODAY = dt.date(2026, 11, 15)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def set_param(key: str, value: Any) -> None:
    PlatformSetting.objects.update_or_create(key=key, defaults={"value": value})


def record(tree: Tree, org: Org, kind: str, date: dt.date, *, present: Iterable[Member] = (),
           absent: dict[Member, str] | None = None, today: dt.date = TODAY, **fields: Any) -> Meeting:
    """A meeting recorded by the county administrator; ``present`` defaults to nobody, so pass the
    people who came (at least one)."""
    attendance = [AttendanceIn(member=m, status=rules.PRESENT) for m in present]
    attendance += [AttendanceIn(member=m, status=s) for m, s in (absent or {}).items()]
    fields.setdefault("topic", f"{rules.KIND_LABELS.get(kind, kind)}（{date}）")
    return meeting_record(actor=tree.users["county_admin"], org=org, fields=MeetingFields(kind=kind, date=date, **fields),
                          attendance=attendance, today=today)


def new_member(org: Org, name: str, date: dt.date, **kw: Any) -> Member:
    """A probationary member admitted on ``date`` (recent dates: no conversion yet)."""
    from dangjian.testing import make_member

    return make_member(org, name=name, date=date, joined_on=date, converted_on=None, status="probationary", **kw)


def row_counts() -> dict[str, int]:
    return {
        "Meeting": Meeting.objects.count(),
        "Attendance": Attendance.objects.count(),
        "MeetingFile": MeetingFile.objects.count(),
        "TrainingSession": TrainingSession.objects.count(),
        "TrainingAttendance": TrainingAttendance.objects.count(),
        "CommitteePost": CommitteePost.objects.count(),
        "AuditEvent": AuditEvent.objects.count(),
    }


def assert_rejected(call: Callable[[], Any], *messages: str) -> Any:
    """Run a service that must refuse; each message must be among its errors and no row written."""
    from dangjian.common.errors import ServiceError

    before = row_counts()
    with pytest.raises(ServiceError) as info:
        call()
    for m in messages:
        assert m in info.value.messages, f"{m!r} not in {info.value.messages!r}"
    assert row_counts() == before
    return info.value


@pytest.fixture
def client_for(tree: Tree):
    def make(role: str) -> Client:
        c = Client()
        c.force_login(tree.users[role])
        return c

    return make
