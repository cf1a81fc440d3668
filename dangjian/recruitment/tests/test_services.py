"""The services: the full 25-step path creating and converting the member, refusals with nothing
written, overrides by the approving committee only, notices, outcomes, plans."""

from __future__ import annotations

import dataclasses

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dangjian.common.errors import ConflictError, NotPermitted
from dangjian.common.models import AuditEvent
from dangjian.members import rules as member_rules
from dangjian.members.models import Member
from dangjian.orgs.models import Org
from dangjian.recruitment import rules, services
from dangjian.recruitment import steps as S
from dangjian.recruitment.models import DevelopmentRecord, RuleOverride, Step, Vote
from dangjian.recruitment.services import PersonIn, StepIn
from dangjian.recruitment.tests.conftest import (
    BIRTH,
    TODAY,
    D,
    World,
    advance,
    assert_rejected,
    happy_steps,
    new_record,
    row_counts,
    vote_in,
)  # fmt: skip
from dangjian.testing import make_org, valid_id_number

pytestmark = pytest.mark.django_db


def test_full_path_creates_and_converts_the_member(world: World) -> None:
    record = new_record(world, phone="13900000000")
    assert (record.stage, record.status) == (1, rules.APPLICANT)
    assert record.id_number_masked.endswith(record.id_number_masked[-4:]) and "*" in record.id_number_masked
    record = advance(world, record, 17)
    assert (record.stage, record.status, record.member_id) == (4, rules.CANDIDATE, None)
    services.step_record(actor=world.admin, record=record, step=happy_steps(world)[17], today=TODAY)
    record.refresh_from_db()
    assert record.status == rules.PROBATIONARY
    member = Member.objects.get(pk=record.member_id)
    assert (member.status, member.org_id, member.joined_on) == ("probationary", world.branch.pk, D("2022-10-10"))
    assert member.probation_ends_on == D("2023-10-10")
    assert member.phone_masked == "139****0000"
    assert record.probation_ends_on == D("2023-10-10")
    for n in (18, 19, 20, 22, 23, 24, 25):
        services.step_record(actor=world.admin, record=record, step=happy_steps(world)[n], today=TODAY)
    record.refresh_from_db()
    member.refresh_from_db()
    assert (record.stage, record.status, record.converted_on) == (5, rules.ARCHIVED, D("2023-10-10"))
    assert (member.status, member.converted_on) == ("full", D("2023-10-10"))  # 党龄 from the end of probation
    assert member_rules.party_age(converted_on=member.converted_on, as_of=TODAY) == 3
    assert [(e.kind, e.date) for e in member.events.order_by("date")] == [
        ("admitted", D("2022-10-10")), ("converted", D("2023-10-10"))]
    assert Step.objects.filter(record=record).count() == 25  # 23 single steps + two assessments
    assert set(Step.objects.filter(record=record).values_list("rules_version", flat=True)) == {"2014"}
    vote = Vote.objects.get(step__record=record, step__number=15)
    assert (vote.expected, vote.quorum_met, vote.passed) == (4, True, True)
    assert AuditEvent.objects.filter(action="recruitment.step.record", target_id=str(record.pk)).count() == 24
    assert AuditEvent.objects.filter(action="member.create").count() >= 1


def test_check_step_saves_nothing_and_reports_all_levels(world: World) -> None:
    record = advance(world, new_record(world), 7)
    before = row_counts()
    results = services.check_step(actor=world.admin, record=record, step=StepIn(7, D("2022-05-31")), today=TODAY)
    assert row_counts() == before
    assert [r.level for r in results if r.code == "R1.9"] == [rules.BLOCK]
    assert [r.level for r in results if r.code == "R1.7"] == [rules.PASS]


def test_bad_input_rejected_with_nothing_written(world: World) -> None:
    record = advance(world, new_record(world), 5)
    steps_ = happy_steps(world)
    # Out of order: step 7 before 5 (mentors).
    assert_rejected(lambda: services.step_record(actor=world.admin, record=record, step=steps_[7], today=TODAY),
                    rules.MISSING_PREVIOUS.format(missing=5, n=7, label="确定发展对象"))
    # In the future, and before birth.
    assert_rejected(lambda: services.step_record(actor=world.admin, record=record, today=TODAY,
                                                 step=dataclasses.replace(steps_[5], date=D("2026-11-16"))),
                    rules.FUTURE_DATE.format(date="2026-11-16", today=TODAY))
    assert_rejected(lambda: new_record(world, application=StepIn(1, D("1995-04-30")), id_number=valid_id_number(BIRTH)),
                    rules.BEFORE_BIRTH.format(date="1995-04-30", birth=BIRTH))
    # Even an override does not pass a date in the future.
    town_user = world.tree.users["township_organizer"]
    assert_rejected(lambda: services.step_record(actor=town_user, record=record, override_reason="特殊情况", today=TODAY,
                                                 step=dataclasses.replace(steps_[5], date=D("2026-11-16"))),
                    "不能晚于今天")
    # Unknown detail key, impossible vote numbers.
    assert_rejected(lambda: services.step_record(actor=world.admin, record=record, today=TODAY,
                                                 step=StepIn(5, D("2021-06-10"), details={"secret": 1})), "没有“secret”这项信息")


def test_probationary_sponsor_refused(world: World) -> None:
    record = advance(world, new_record(world), 9)
    bad = StepIn(9, D("2022-06-20"), people=[PersonIn(S.SPONSOR, member=world.full[0]),
                                             PersonIn(S.SPONSOR, member=world.probationary)])
    err = assert_rejected(lambda: services.step_record(actor=world.admin, record=record, step=bad, today=TODAY),
                          rules.SPONSOR_PROBATIONARY.format(name="钱新", date="2022-06-20"))
    assert isinstance(err, services.RuleBlocked)
    # After the probationary member's year (2023-03-01) with no conversion recorded they are still probationary.
    assert "R1.10 两名正式党员作入党介绍人" in err.messages[0]


def test_approver_without_power_refused(world: World) -> None:
    record = advance(world, new_record(world), 13)
    general = make_org(world.town, "甲镇机关党总支", "general_branch")
    step = dataclasses.replace(happy_steps(world)[13], approving_org=general)
    assert_rejected(lambda: services.step_record(actor=world.admin, record=record, step=step, today=TODAY),
                    "没有审批预备党员的权限")
    Org.objects.filter(pk=world.town.pk).update(can_approve_probationary=False)
    world.town.refresh_from_db()
    assert_rejected(lambda: services.step_record(actor=world.admin, record=record, step=happy_steps(world)[13], today=TODAY),
                    "未被赋予审批预备党员权限")


def test_vote_without_quorum_refused_exactly_half(world: World) -> None:
    record = advance(world, new_record(world), 15)
    half = dataclasses.replace(happy_steps(world)[15], vote=vote_in(4, 2, 2))
    assert_rejected(lambda: services.step_record(actor=world.admin, record=record, step=half, today=TODAY),
                    rules.QUORUM_NOT_MET.format(present=2, expected=4))
    impossible = dataclasses.replace(happy_steps(world)[15], vote=vote_in(4, 5, 5))
    assert_rejected(lambda: services.step_record(actor=world.admin, record=record, step=impossible, today=TODAY),
                    "超过应到人数", field="vote")


def test_override_only_by_the_approving_committee(world: World) -> None:
    record = advance(world, new_record(world), 11)
    short = dataclasses.replace(happy_steps(world)[11], details={"training_days": 2, "training_hours": 16})
    secretary = world.tree.users["branch_secretary"]
    err = assert_rejected(lambda: services.step_record(actor=secretary, record=record, step=short, override_reason="因病",
                                                       today=TODAY), "只有审批党委（中共甲镇委员会）的工作人员")
    assert "override_reason" in err.errors
    town_user = world.tree.users["township_organizer"]
    audits = AuditEvent.objects.filter(action="recruitment.rule.override").count()
    step = services.step_record(actor=town_user, record=record, step=short, override_reason="个别特殊情况：因公出差补训", today=TODAY)
    ov = RuleOverride.objects.get(step=step)
    assert (ov.rule_code, ov.approved_by, ov.approving_org) == ("R1.12", town_user, world.town)
    assert AuditEvent.objects.filter(action="recruitment.rule.override").count() == audits + 1


def test_scope_writers_only_in_their_subtree(world: World) -> None:
    record = new_record(world)
    other_branch = world.tree.users["branch_secretary"]
    other = make_org(world.tree.town_b, "乙镇二村支部", "branch", category="rural")
    with pytest.raises(NotPermitted):
        services.record_create(actor=other_branch, org=other, id_number=valid_id_number(BIRTH), application=StepIn(1, D("2021-03-01")),
                               name="甲", sex="1", birth_date=BIRTH, education="bachelor", occupation="farmer", today=TODAY)
    with pytest.raises(NotPermitted):
        services.step_record(actor=world.tree.users["inspector"], record=record, step=happy_steps(world)[2], today=TODAY)
    with pytest.raises(ConflictError):
        services.step_record(actor=world.admin, record=record, step=happy_steps(world)[2], version=record.version - 1, today=TODAY)


def test_one_open_record_per_person_and_not_a_member(world: World) -> None:
    number = valid_id_number(BIRTH)
    new_record(world, id_number=number)
    assert_rejected(lambda: new_record(world, id_number=number), "已有正在进行的发展党员记录")
    m = world.full[0]
    from dangjian.common import crypto
    assert_rejected(lambda: new_record(world, id_number=crypto.decrypt(m.id_number_enc), birth_date=m.birth_date,
                                       sex=m.sex, application=StepIn(1, D("2021-03-01"))), "已是党员")


def test_under_eighteen_refused_and_not_overridable(world: World) -> None:
    young = D("2004-06-01")
    town_user = world.tree.users["township_organizer"]
    assert_rejected(lambda: new_record(world, actor=town_user, birth_date=young, id_number=valid_id_number(young),
                                       application=StepIn(1, D("2022-05-31")), override_reason="特殊"), "未满十八周岁")


def test_2026_step_8_needs_notice_and_agreement(world: World) -> None:
    # An activist from 2025-04-01: the target is listed under the 2026 rules.
    app = StepIn(1, D("2025-01-06"))
    record = new_record(world, application=app)
    admin = world.admin
    a, b = world.full[0], world.full[1]
    for s in (StepIn(2, D("2025-01-20"), people=[PersonIn(S.TALKER, member=a)]), StepIn(3, D("2025-04-01")),
              StepIn(4, D("2025-04-10"), approving_org=world.town),
              StepIn(5, D("2025-04-10"), people=[PersonIn(S.MENTOR, member=a), PersonIn(S.MENTOR, member=b)]),
              StepIn(6, D("2025-10-01"), details={"assessment": "好"}), StepIn(6, D("2026-03-31"), details={"assessment": "好"}),
              StepIn(7, D("2026-04-01"))):  # fmt: skip
        services.step_record(actor=admin, record=record, step=s, today=TODAY)
    listing = StepIn(8, D("2026-10-12"), approving_org=world.town, details={"agreed_on": D("2026-09-25")})
    assert_rejected(lambda: services.step_record(actor=admin, record=record, step=listing, today=TODAY),
                    rules.NOTICE_MISSING.format(days=5))
    # Posted across National Day: 9-28..10-8 is only four working days.
    services.notice_record(actor=admin, record=record, kind="candidate", place="一村党务公开栏", start=D("2026-09-28"),
                           end=D("2026-10-08"), today=TODAY)
    assert_rejected(lambda: services.step_record(actor=admin, record=record, step=listing, today=TODAY), "共4个工作日")
    notice = services.notice_record(actor=admin, record=record, kind="candidate", place="一村党务公开栏",
                                    start=D("2026-09-29"), end=D("2026-10-09"), today=TODAY)
    assert notice.workdays == 4  # 9-29, 9-30, 10-8, 10-9
    services.notice_record(actor=admin, record=record, kind="candidate", place="一村党务公开栏", start=D("2026-09-30"),
                           end=D("2026-10-12"), today=TODAY)
    assert_rejected(lambda: services.step_record(actor=admin, record=record, step=listing, today=TODAY), "公示2026-10-12才结束")
    ok = dataclasses.replace(listing, date=D("2026-10-13"))
    step = services.step_record(actor=admin, record=record, step=ok, today=TODAY)
    assert (step.rules_version, step.label) == ("2026", "报上级党委同意并公示")
    record.refresh_from_db()
    assert record.status == rules.CANDIDATE


def test_notice_past_calendar_coverage_refused(world: World) -> None:
    record = new_record(world)
    assert_rejected(lambda: services.notice_record(actor=world.admin, record=record, kind="admission", place="公开栏",
                                                   start=D("2026-12-28"), end=D("2027-01-08"), today=D("2026-12-28")),
                    "不在其中", field="end")


def test_stop_and_extension_and_cancellation(world: World) -> None:
    record = advance(world, new_record(world), 4)
    assert_rejected(lambda: services.outcome_stop(actor=world.admin, record=record, date=D("2021-07-01"), reason=" ", today=TODAY),
                    rules.OUTCOME_REASON)
    services.outcome_stop(actor=world.admin, record=record, date=D("2021-07-01"), reason="本人撤回申请", today=TODAY)
    record.refresh_from_db()
    assert record.status == rules.STOPPED
    assert_rejected(lambda: services.step_record(actor=world.admin, record=record, step=happy_steps(world)[4], today=TODAY),
                    "已终止发展")
    # Someone stopped may apply again later.
    second = advance(world, new_record(world, id_number=services.crypto.decrypt(record.id_number_enc)), 18)
    for n in (18, 19, 20, 22):
        services.step_record(actor=world.admin, record=second, step=happy_steps(world)[n], today=TODAY)
    services.outcome_extend(actor=world.admin, record=second, meeting_date=D("2023-10-10"), approved_on=D("2023-11-01"), months=6,
                            reason="需要继续考察", meeting_vote=vote_in(), approving_org=world.town,
                            committee_vote=vote_in(7, 6, 6), today=TODAY)
    second.refresh_from_db()
    member = Member.objects.get(pk=second.member_id)
    assert second.probation_ends_on == member.probation_ends_on == D("2024-04-10")
    # A second extension: the 2014 rules would allow it within a year in all, but the roster's
    # membership rules allow one only, so it is refused before anything is written.
    assert_rejected(lambda: services.outcome_extend(
        actor=world.admin, record=second, meeting_date=D("2024-04-10"), approved_on=D("2024-05-01"), months=6,
        reason="再延长", meeting_vote=vote_in(), approving_org=world.town, committee_vote=vote_in(7, 6, 6), today=TODAY),
        member_rules.EXTENSION_TWICE)
    assert_rejected(lambda: services.step_record(actor=world.admin, record=second, step=happy_steps(world)[23], today=TODAY),
                    "不能提前讨论转正")
    services.outcome_cancel(actor=world.admin, record=second, meeting_date=D("2024-04-15"), approved_on=D("2024-05-10"),
                            reason="不履行党员义务", meeting_vote=vote_in(), approving_org=world.town,
                            committee_vote=vote_in(7, 6, 6), today=TODAY)
    second.refresh_from_db()
    member.refresh_from_db()
    assert (second.status, member.status) == (rules.CANCELLED, "cancelled")


def test_document_type_checked_by_content(world: World) -> None:
    record = new_record(world)
    fake = SimpleUploadedFile("申请书.pdf", b"not a pdf at all", content_type="application/pdf")
    assert_rejected(lambda: services.document_add(actor=world.admin, record=record, kind="application_letter", file=fake),
                    "内容与扩展名不符", field="file")
    pdf = SimpleUploadedFile("申请书.pdf", b"%PDF-1.4\n%test\n", content_type="application/pdf")
    doc = services.document_add(actor=world.admin, record=record, kind="application_letter", file=pdf)
    assert (doc.file_type, doc.original_name) == ("pdf", "申请书.pdf")
    assert "申请书" not in doc.file.name


def test_plan_set_by_the_county_only(world: World) -> None:
    with pytest.raises(NotPermitted):
        services.plan_set(actor=world.tree.users["township_organizer"], org=world.town, year=2026, quota=10)
    plan = services.plan_set(actor=world.admin, org=world.town, year=2026, quota=10)
    plan = services.plan_set(actor=world.admin, org=world.town, year=2026, quota=12)
    assert (plan.quota, plan.version) == (12, 2)
    assert_rejected(lambda: services.plan_set(actor=world.admin, org=world.branch, year=2026, quota=1), "不能是“党支部”")


def test_record_reveal_is_audited(world: World) -> None:
    record = new_record(world, phone="13900000000")
    assert services.record_reveal(actor=world.admin, record=record, field="phone") == "13900000000"
    assert AuditEvent.objects.filter(action="recruitment.reveal.phone").count() == 1
    assert DevelopmentRecord.objects.get(pk=record.pk).phone_masked == "139****0000"


def test_check_new_record_saves_nothing(world: World) -> None:
    before = row_counts()
    results = services.check_new_record(actor=world.admin, org=world.branch, birth_date=D("2008-11-16"),
                                        application=StepIn(1, D("2026-11-15")), today=TODAY)
    assert [r.level for r in results if r.code == "R1.1"] == [rules.BLOCK]
    assert row_counts() == before


def test_step_withdraw_only_the_latest(world: World) -> None:
    record = advance(world, new_record(world), 4)
    steps_ = list(Step.objects.filter(record=record).order_by("number"))
    assert_rejected(lambda: services.step_withdraw(actor=world.admin, step=steps_[0], reason="录错"), "只能撤销最近录入")
    assert_rejected(lambda: services.step_withdraw(actor=world.admin, step=steps_[-1], reason=" "), services.WITHDRAW_REASON)
    services.step_withdraw(actor=world.admin, step=steps_[-1], reason="日期录错")
    record.refresh_from_db()
    assert (record.last_step, record.status) == (2, rules.APPLICANT)
    assert AuditEvent.objects.filter(action="recruitment.step.withdraw").get().reason == "日期录错"
    services.step_record(actor=world.admin, record=record, step=happy_steps(world)[3], today=TODAY)


def test_record_update_with_version(world: World) -> None:
    record = new_record(world)
    with pytest.raises(ConflictError):
        services.record_update(actor=world.admin, record=record, version=record.version - 1, unit_name="甲厂")
    record = services.record_update(actor=world.admin, record=record, version=record.version, unit_name="甲厂",
                                    phone="13700000000", today=TODAY)
    assert (record.unit_name, record.phone_masked) == ("甲厂", "137****0000")
    assert_rejected(lambda: services.record_update(actor=world.admin, record=record, version=record.version, education="x",
                                                   today=TODAY), "不是有效的学历")


def test_effective_date_is_a_setting(world: World) -> None:
    from dangjian.common.services import setting_update
    from dangjian.recruitment import params

    assert params.current().effective_2026 == D("2026-05-18")
    setting_update(actor=world.admin, key=params.EFFECTIVE_2026, value=20210301)
    record = new_record(world)
    assert Step.objects.get(record=record).rules_version == "2026"  # applied 2021-03-01
    assert Step.objects.get(record=record).label == "递交入党申请书"
