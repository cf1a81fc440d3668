"""Recruitment fixtures: the shared county tree, with 甲镇党委 given approval power and a few more
members in 一村 (full members to be mentors and sponsors, one probationary), all made through the real
services; a fixed "today"; row counts for "nothing written" checks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from dangjian.common.errors import ServiceError
from dangjian.common.models import AuditEvent
from dangjian.common.tests.helpers import FAST_HASHERS
from dangjian.members.models import Member, MembershipEvent
from dangjian.orgs.models import Org
from dangjian.recruitment import services
from dangjian.recruitment import steps as S
from dangjian.recruitment.models import (
    DevelopmentPlan,
    DevelopmentRecord,
    Document,
    Outcome,
    PublicNotice,
    RuleOverride,
    Step,
    StepPerson,
    Vote,
)  # fmt: skip
from dangjian.recruitment.services import ExclusionIn, PersonIn, StepIn, VoteIn
from dangjian.testing import Tree, make_member, valid_id_number

TODAY = dt.date(2026, 11, 15)
D = dt.date.fromisoformat
BIRTH = D("1995-05-01")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@dataclass
class World:
    tree: Tree
    town: Org
    branch: Org
    full: list[Member]  # full members of 一村 since 2010
    probationary: Member

    @property
    def admin(self) -> Any:
        return self.tree.users["county_admin"]


@pytest.fixture
def world(tree: Tree) -> World:
    Org.objects.filter(pk=tree.town_a.pk).update(can_approve_probationary=True)
    tree.town_a.refresh_from_db()
    full = [tree.member_a1] + [make_member(tree.village_a1, name=n, birth_date=D(f"198{i}-02-0{i + 1}"))
                               for i, n in enumerate(["王强", "赵敏", "孙丽"])]  # fmt: skip
    prob = make_member(tree.village_a1, name="钱新", birth_date=D("1998-01-01"), date=D("2022-03-01"),
                       joined_on=D("2022-03-01"), converted_on=None, status="probationary")
    # 2022-03-01 admitted: probationary until 2023-03-01 (no conversion recorded).
    return World(tree, tree.town_a, tree.village_a1, full, prob)


def row_counts() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in (DevelopmentRecord, Step, StepPerson, Vote, PublicNotice, Document,
                                                     RuleOverride, Outcome, DevelopmentPlan, AuditEvent, Member,
                                                     MembershipEvent)}  # fmt: skip


def assert_rejected(call: Callable[[], Any], *messages: str, field: str | None = None) -> ServiceError:
    """Run a service that must refuse: each message among its errors (a substring of one), nothing written."""
    before = row_counts()
    with pytest.raises(ServiceError) as info:
        call()
    err = info.value
    for m in messages:
        assert any(m in x for x in err.messages), f"{m!r} not in {err.messages!r}"
    if field is not None:
        assert field in err.errors, err.errors
    assert row_counts() == before
    return err


def vote_in(total: int = 4, present: int = 4, yes: int = 4, **kw: Any) -> VoteIn:
    return VoteIn(should_attend_total=total, present=present, yes=yes, **kw)


def happy_steps(w: World) -> dict[int, StepIn]:
    """The 25 steps under the 2014 rules (application 2021-03-01, archived 2023-12-01)."""
    a, b = w.full[0], w.full[1]
    town = w.town
    committee = vote_in(7, 6, 6)
    data: dict[int, tuple[str, dict[str, Any]]] = {
        1: ("2021-03-01", {"details": {"received_by": "一村党支部"}}),
        2: ("2021-03-15", {"people": [PersonIn(S.TALKER, member=a)]}),
        3: ("2021-06-01", {"details": {"nominated_by": "党员推荐", "decided_by": "支委会"}}),
        4: ("2021-06-10", {"approving_org": town}),
        5: ("2021-06-10", {"people": [PersonIn(S.MENTOR, member=a), PersonIn(S.MENTOR, member=b)]}),
        7: ("2022-06-06", {}),
        8: ("2022-06-15", {"approving_org": town}),
        9: ("2022-06-20", {"people": [PersonIn(S.SPONSOR, member=a), PersonIn(S.SPONSOR, member=b)]}),
        10: ("2022-08-01", {"details": {"review_conclusion": "qualified", "review_summary": "政治历史清楚，表现良好。"}}),
        11: ("2022-08-10", {"details": {"training_name": "入党积极分子培训班", "training_days": 3, "training_hours": 24}}),
        12: ("2022-09-01", {}),
        13: ("2022-09-10", {"approving_org": town, "details": {"pre_review_result": "passed"}}),
        14: ("2022-09-15", {"details": {"form_number": "0001"}}),
        15: ("2022-10-10", {"vote": vote_in()}),
        16: ("2022-10-20", {"people": [PersonIn(S.TALKER, name="组织员甲")], "details": {"talker_position": "组织员"}}),
        17: ("2022-11-15", {"approving_org": town, "vote": committee, "details": {"approval_result": "approved"}}),
        18: ("2022-11-30", {}),
        19: ("2022-12-01", {"details": {"group_name": "第一党小组"}}),
        20: ("2022-12-05", {}),
        22: ("2023-09-20", {"details": {"written": True}}),
        23: ("2023-10-10", {"vote": vote_in(), "details": {"decision": "convert"}}),
        24: ("2023-11-10", {"approving_org": town, "vote": committee, "details": {"approval_result": "approved"}}),
        25: ("2023-12-01", {"details": {"archive_number": "DA-2023-001"}}),
    }
    return {n: StepIn(number=n, date=D(d), **kw) for n, (d, kw) in data.items()}


ASSESSMENTS = ("2021-12-01", "2022-05-30")


def new_record(w: World, *, actor: Any = None, application: StepIn | None = None, **kw: Any) -> DevelopmentRecord:
    kw.setdefault("name", "周新")
    kw.setdefault("sex", "1")
    kw.setdefault("birth_date", BIRTH)
    kw.setdefault("id_number", valid_id_number(kw["birth_date"], kw["sex"]))
    kw.setdefault("education", "bachelor")
    kw.setdefault("occupation", "farmer")
    kw.setdefault("today", TODAY)
    return services.record_create(actor=actor or w.admin, org=w.branch, application=application or happy_steps(w)[1], **kw)


def advance(w: World, record: DevelopmentRecord, upto: int, *, actor: Any = None) -> DevelopmentRecord:
    """Record the happy steps 2 .. upto-1 (and the two assessments once past step 6)."""
    steps_ = happy_steps(w)
    for n in range(2, upto):
        if n == 6:
            for a in ASSESSMENTS:
                services.step_record(actor=actor or w.admin, record=record, today=TODAY,
                                     step=StepIn(6, D(a), details={"assessment": "表现良好"}))
            continue
        if n == 21:
            continue
        services.step_record(actor=actor or w.admin, record=record, step=steps_[n], today=TODAY)
    record.refresh_from_db()
    return record


__all__ = ["ExclusionIn"]
