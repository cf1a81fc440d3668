"""Dues test fixtures: the shared ``tree`` plus a branch with members of several categories, made
through the real services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import settings as hypothesis_settings

from dangjian.common.errors import ServiceError
from dangjian.common.models import AuditEvent
from dangjian.common.tests.helpers import FAST_HASHERS
from dangjian.dues import rules, services
from dangjian.dues.models import (
    BaseReview,
    DuesBasis,
    DuesEntry,
    DuesUse,
    HandUp,
    HardshipDecision,
    VoluntaryPayment,
)
from dangjian.members.models import Member, MembershipEvent
from dangjian.testing import Tree, make_member

hypothesis_settings.register_profile("dangjian", deadline=None)
hypothesis_settings.load_profile("dangjian")

# Every dues service takes ``today``: the tests fix it, so nothing depends on the day they run.
TODAY = dt.date(2026, 11, 15)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS


def row_counts() -> dict[str, int]:
    return {
        m.__name__: m.objects.count()
        for m in (DuesBasis, DuesEntry, HardshipDecision, VoluntaryPayment, HandUp, BaseReview, DuesUse, AuditEvent,
                  Member, MembershipEvent)
    }


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


def m(year: int, month: int) -> dt.date:
    return dt.date(year, month, 1)


@dataclass
class Branch:
    tree: Tree
    secretary: Any
    organizer: Any
    staff: Member  # 机关工作人员, base 4000 → 40.00
    retired: Member  # 离退休, base 5000.01 → 50.00
    farmer: Member  # 农民, county amount 0.50
    student: Member  # 学生, 0.20


@pytest.fixture
def branch(tree: Tree) -> Branch:
    """甲镇一村支部 with four members admitted 2024-01 (李明 of the tree has no basis)."""
    va1 = tree.village_a1
    sec = tree.users["branch_secretary"]
    made = {}
    for name, birth, category, base in [
        ("赵一", dt.date(1980, 1, 1), rules.CIVIL_SERVANT, "4000"),
        ("钱二", dt.date(1955, 1, 1), rules.RETIRED, "5000.01"),
        ("孙三", dt.date(1970, 1, 1), rules.FARMER, None),
        ("周四", dt.date(2003, 1, 1), rules.STUDENT, None),
    ]:
        member = make_member(va1, name=name, birth_date=birth, date=dt.date(2024, 1, 10), joined_on=dt.date(2024, 1, 10))
        services.basis_set(actor=sec, member=member, category=category, base=base, effective_from=m(2024, 1),
                           document="2024年支委会", today=TODAY)
        made[name] = member
    return Branch(tree, sec, tree.users["township_organizer"], made["赵一"], made["钱二"], made["孙三"], made["周四"])
