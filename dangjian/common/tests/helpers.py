"""Helpers the core apps' tests share: row counts for "nothing half-written" checks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import settings as hypothesis_settings

from dangjian.accounts.models import User
from dangjian.common.errors import ServiceError
from dangjian.common.models import AuditEvent
from dangjian.members.models import Member, MembershipEvent
from dangjian.orgs.models import Org, OrgEvent

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# No per-example deadline: a slow example on a loaded CI machine is not a failure (no timed assertions).
hypothesis_settings.register_profile("dangjian", deadline=None)
hypothesis_settings.load_profile("dangjian")


def row_counts() -> dict[str, int]:
    return {
        "Member": Member.objects.count(),
        "MembershipEvent": MembershipEvent.objects.count(),
        "Org": Org.objects.count(),
        "OrgEvent": OrgEvent.objects.count(),
        "AuditEvent": AuditEvent.objects.count(),
        "User": User.objects.count(),
    }


def assert_rejected(call: Callable[[], Any], *messages: str, field: str | None = None) -> ServiceError:
    """Run a service that must refuse; assert each message is among its errors and that no row of
    any core table was written."""
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
