"""Someone with a development record is admitted, converted, extended or cancelled only through that
record's steps: the roster's own forms and API (members.services) refuse those events for them, so the
development rules (votes, approvals, probation) cannot be bypassed and the two records never disagree."""

from __future__ import annotations

import dataclasses

import pytest

from dangjian.common import crypto
from dangjian.members import rules as member_rules
from dangjian.members import services as member_services
from dangjian.members.models import Member, MembershipEvent
from dangjian.recruitment import services
from dangjian.recruitment.tests.conftest import (
    TODAY,
    D,
    World,
    advance,
    assert_rejected,
    happy_steps,
    new_record,
)

pytestmark = pytest.mark.django_db


def test_roster_admission_of_someone_in_development_is_refused(world: World) -> None:
    record = new_record(world)  # 周新, applicant in 一村
    assert_rejected(lambda: member_services.member_create(
        actor=world.admin, org=world.branch, id_number=crypto.decrypt(record.id_number_enc),
        first_event=member_rules.ADMITTED, date=D("2026-01-10"), status=member_rules.PROBATIONARY, today=TODAY,
        name="周新", sex="1", birth_date=D("1995-05-01"),
    ), member_services.DEVELOPMENT_RECORD_HERE.format(where=world.branch.name), field="first_event")  # fmt: skip


def test_roster_conversion_of_a_member_admitted_by_development_is_refused(world: World) -> None:
    record = advance(world, new_record(world), 18)  # approved at step 17: a probationary member now
    assert record.member is not None and record.member.status == member_rules.PROBATIONARY
    for kind in (member_rules.CONVERTED, member_rules.PROBATION_EXTENDED, member_rules.PROBATION_CANCELLED):
        before = (Member.objects.filter(status=member_rules.FULL).count(), MembershipEvent.objects.count())
        assert_rejected(lambda kind=kind: member_services.member_add_event(
            actor=world.admin, member=record.member, kind=kind, date=TODAY, months=6, reason="测试", today=TODAY,
        ), member_services.DEVELOPMENT_RECORD_HERE.format(where=world.branch.name), field="kind")  # fmt: skip
        assert (Member.objects.filter(status=member_rules.FULL).count(), MembershipEvent.objects.count()) == before


def test_members_without_a_record_convert_on_the_roster_as_before(world: World) -> None:
    event = member_services.member_add_event(actor=world.admin, member=world.probationary, kind=member_rules.CONVERTED,
                                             date=D("2023-03-01"), today=TODAY)
    assert event.kind == member_rules.CONVERTED


def test_the_branch_meetings_vote_is_dated_the_meeting(world: World) -> None:
    record = advance(world, new_record(world), 15)
    step15 = happy_steps(world)[15]
    assert step15.vote is not None
    moved = dataclasses.replace(step15, vote=dataclasses.replace(step15.vote, meeting_date=D("2020-01-01")))
    assert_rejected(lambda: services.step_record(actor=world.admin, record=record, step=moved, today=TODAY),
                    services.VOTE_DATE_MEETING.format(date=step15.date), field="vote")
