"""The membership-development pages as each role: the list, a new record, each step's form (check
without saving, save, blocked with every message, the override only for the approving committee),
withdrawal, notices, uploads and their scoped download, outcomes, the edit with its version check,
the audited reveal, and the member page's development history. Every refusal writes nothing."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from dangjian.accounts.models import Role
from dangjian.accounts.services import user_create
from dangjian.common.models import AuditEvent
from dangjian.recruitment import rules, services
from dangjian.recruitment import steps as S
from dangjian.recruitment.models import DevelopmentRecord, Document, PublicNotice, RuleOverride, Step
from dangjian.recruitment.services import StepIn
from dangjian.recruitment.tests.conftest import (
    ASSESSMENTS,
    TODAY,
    D,
    World,
    happy_steps,
    new_record,
    row_counts,
)
from dangjian.testing import PASSWORD, valid_id_number

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def client_for(w: World, role: str) -> Client:
    c = Client()
    c.force_login(w.tree.users[role])
    return c


def step_url(record: DevelopmentRecord, n: int) -> str:
    return reverse("recruitment:step_new", args=[record.pk, n])


def detail_url(record: DevelopmentRecord) -> str:
    return reverse("recruitment:record_detail", args=[record.pk])


def step_data(s: StepIn, record: DevelopmentRecord | None = None, action: str = "save") -> dict[str, Any]:
    """The step form's fields for a StepIn (the services' input shape used by the phase-1 tests)."""
    data: dict[str, Any] = {"date": s.date.isoformat(), "action": action}
    if record is not None:
        record.refresh_from_db()
        data["version"] = record.version
    seen: dict[str, int] = {}
    for p in s.people:
        seen[p.role] = seen.get(p.role, 0) + 1
        slot = f"{p.role}{seen[p.role]}"
        if p.member is not None:
            data[f"{slot}_member"] = p.member.pk
        else:
            data[f"{slot}_name"] = p.name
        data[f"{slot}_position"] = p.position
    for k, v in s.details.items():
        if k == "written":
            data[k] = "yes" if v else "no"
        elif isinstance(v, dt.date):
            data[k] = v.isoformat()
        else:
            data[k] = str(v)
    if s.approving_org is not None:
        data["approving_org"] = s.approving_org.pk
    if s.vote is not None:
        v = s.vote
        data.update({"vote_should_attend_total": v.should_attend_total, "vote_present": v.present, "vote_yes": v.yes,
                     "vote_no": v.no, "vote_abstain": v.abstain, "vote_written_opinions": v.written_opinions})
    return data


def assert_saved(resp: Any, record: DevelopmentRecord) -> None:
    assert resp.status_code == 302, resp.content.decode()[:3000]
    assert resp["Location"] == detail_url(record)


def assert_page_shows(resp: Any, *texts: str, status: int = 200) -> str:
    assert resp.status_code == status
    body = resp.content.decode()
    for t in texts:
        assert t in body, f"{t!r} not on the page"
    return body


def new_record_data(w: World, **kw: Any) -> dict[str, Any]:
    data = {"org": w.branch.pk, "name": "陈新", "sex": "2", "id_number": valid_id_number(D("1999-04-02"), "2"),
            "birth_date": "1999-04-02", "ethnicity": "01", "education": "bachelor", "occupation": "farmer",
            "phone": "13900000009", "date": "2023-03-01", "received_by": "一村党支部", "action": "save"}
    data.update(kw)
    return data


# --- list -------------------------------------------------------------------------------------------------------


def test_list_filters_badges_and_overdue(world: World) -> None:
    old = new_record(world)  # applied 2021-03-01, never talked to: the talk is overdue
    other = new_record(world, name="吴青", id_number=valid_id_number(D("1996-06-06"), "1"), birth_date=D("1996-06-06"))
    advance(world, other, 4)
    c = client_for(world, "branch_secretary")
    url = reverse("recruitment:record_list")
    body = assert_page_shows(c.get(url), "周新", "吴青", "入党申请人", "入党积极分子", "入党申请人谈话到期")
    assert body.count('data-testid="overdue"') >= 1
    body = assert_page_shows(c.get(url, {"status": rules.ACTIVIST}), "吴青")
    assert "周新" not in body
    body = assert_page_shows(c.get(url, {"stage": 1}), "周新")
    assert "吴青" not in body
    body = assert_page_shows(c.get(url, {"q": "周"}), "周新")
    assert "吴青" not in body
    assert_page_shows(c.get(url, {"org": world.branch.pk}), "周新")
    # Another branch's user sees none of them; an organization outside the scope is 404.
    assert c.get(url, {"org": world.tree.village_b1.pk}).status_code == 404
    assert old.status == rules.APPLICANT


def test_list_and_detail_readable_by_inspector_not_by_member(world: World) -> None:
    record = new_record(world)
    inspector = client_for(world, "inspector")
    assert_page_shows(inspector.get(reverse("recruitment:record_list")), "周新")
    body = assert_page_shows(inspector.get(detail_url(record)), "周新", record.id_number_masked)
    assert 'data-testid="next-step"' not in body
    before = row_counts()
    assert inspector.get(step_url(record, 2)).status_code == 404
    assert inspector.post(step_url(record, 2), step_data(happy_steps(world)[2])).status_code == 404
    assert inspector.get(reverse("recruitment:record_create")).status_code == 404
    assert row_counts() == before
    member = client_for(world, "member")
    assert member.get(reverse("recruitment:record_list")).status_code == 404
    assert member.get(detail_url(record)).status_code == 404


# --- new record ----------------------------------------------------------------------------------------------------


def test_create_record_then_check_and_bad_input(world: World) -> None:
    c = client_for(world, "branch_secretary")
    url = reverse("recruitment:record_create")
    assert_page_shows(c.get(url, {"org": world.branch.pk}), "递交入党申请书", world.branch.name)

    before = row_counts()
    body = assert_page_shows(c.post(url, new_record_data(world, action="check")), "R1.1", "年满十八周岁", "尚未保存")
    assert row_counts() == before and 'data-level="pass"' in body

    bad = new_record_data(world, id_number="110101199904021235")
    body = assert_page_shows(c.post(url, bad))
    assert "校验" in body or "身份号码" in body
    assert row_counts() == before
    young = new_record_data(world, id_number=valid_id_number(D("2010-01-01"), "2"), birth_date="2010-01-01")
    body = assert_page_shows(c.post(url, young), "年满十八周岁", "未满十八周岁")
    assert 'name="override_reason"' not in body  # never overridable
    assert 'value="陈新"' in body  # the input is kept
    assert row_counts() == before

    good = new_record_data(world)
    resp = c.post(url, good)
    record = DevelopmentRecord.objects.get(name="陈新")
    assert_saved(resp, record)
    assert (record.status, record.applied_on, record.org_id) == (rules.APPLICANT, D("2023-03-01"), world.branch.pk)
    assert AuditEvent.objects.filter(action="recruitment.record.create", target_id=str(record.pk)).count() == 1
    # The same person again: refused in Chinese, nothing written.
    before = row_counts()
    assert_page_shows(c.post(url, good), "已有正在进行的发展党员记录")
    assert row_counts() == before


def test_create_record_outside_scope_is_refused(world: World) -> None:
    c = client_for(world, "branch_secretary")
    before = row_counts()
    body = assert_page_shows(c.post(reverse("recruitment:record_create"), new_record_data(world, org=world.tree.village_a2.pk)))
    assert "请搜索并选择一个党组织" in body
    assert row_counts() == before


# --- steps --------------------------------------------------------------------------------------------------------


def advance(w: World, record: DevelopmentRecord, upto: int) -> None:
    from dangjian.recruitment.tests.conftest import advance as adv

    adv(w, record, upto)


def test_full_path_through_the_pages(world: World) -> None:
    """All 25 steps through the forms: the branch secretary records, the township organizer approves."""
    sec, town = client_for(world, "branch_secretary"), client_for(world, "township_organizer")
    record = new_record(world, actor=world.tree.users["branch_secretary"])
    steps_ = happy_steps(world)
    by_town = {S.ACTIVIST_FILING, S.CANDIDATE_FILING, S.PRE_REVIEW, S.APPROVAL_TALK, S.ADMISSION_APPROVAL,
               S.CONVERSION_APPROVAL}
    for n in range(2, 26):
        c = town if n in by_town else sec
        if n == S.ACTIVIST_TRAINING:
            for a in ASSESSMENTS:
                assert_saved(c.post(step_url(record, 6), step_data(StepIn(6, D(a), details={"assessment": "表现良好"}), record)), record)
            continue
        if n == S.PROBATION_EDUCATION:
            continue
        page = c.get(step_url(record, n))
        assert page.status_code == 200
        if S.get(n).needs_approving_org:
            assert f'value="{world.town.pk}"' in page.content.decode()
        assert_saved(c.post(step_url(record, n), step_data(steps_[n], record)), record)
    record.refresh_from_db()
    assert record.status == rules.ARCHIVED and record.member is not None
    assert record.member.status == "full"
    body = assert_page_shows(sec.get(detail_url(record)), "已归档", "材料归档", "2014年细则", "通过")
    assert body.count('data-testid="timeline-step"') == 25
    assert AuditEvent.objects.filter(action="recruitment.step.record", target_id=str(record.pk)).count() == 24
    # The member's page shows the development history.
    body = assert_page_shows(sec.get(reverse("web:member_detail", args=[record.member.pk])), "发展党员过程", "第25步")


def test_step_form_tailored_to_the_step(world: World) -> None:
    record = new_record(world)
    advance(world, record, 9)
    c = client_for(world, "township_organizer")
    body = assert_page_shows(c.get(step_url(record, 9)), "入党介绍人1", "入党介绍人2", "李明（正式党员）", "钱新（预备党员）",
                             "受留党察看处分")
    assert 'name="vote_yes"' not in body and 'name="approving_org"' not in body
    advance_more(world, record, 15)
    body = assert_page_shows(c.get(step_url(record, 15)), "应到会有表决权的党员", "不计入应到人数的党员1", "经上级党组织同意")
    advance_more(world, record, 17)
    body = assert_page_shows(c.get(step_url(record, 17)), world.town.name, "党委会议")
    # Only committees with approval power above the branch: not the county (no power set), not 乙镇.
    assert world.tree.town_b.name not in body and f'value="{world.tree.county.pk}"' not in body
    assert c.get(step_url(record, 26)).status_code == 404
    assert c.get(step_url(record, 1)).status_code == 404


def advance_more(w: World, record: DevelopmentRecord, upto: int) -> None:
    steps_ = happy_steps(w)
    done = set(record.steps.values_list("number", flat=True))
    for n in range(2, upto):
        if n in done or n in S.REPEATABLE:
            continue
        services.step_record(actor=w.admin, record=record, step=steps_[n], today=TODAY)


def test_check_without_saving_shows_every_rule_and_the_vote(world: World) -> None:
    record = new_record(world)
    advance(world, record, 15)
    c = client_for(world, "branch_secretary")
    before = row_counts()
    half = dataclasses.replace(happy_steps(world)[15], vote=services.VoteIn(should_attend_total=4, present=2, yes=2))
    body = assert_page_shows(c.post(step_url(record, 15), step_data(half, record, action="check")),
                             "R1.15", "支部大会的人数和表决", "未超过应到会有表决权的党员4人的半数", "R1.11", "尚未保存",
                             'data-testid="vote-preview"', "未超过半数")
    assert 'data-level="block"' in body and 'data-level="pass"' in body
    assert row_counts() == before


def test_blocked_save_keeps_input_and_override_only_for_the_committee(world: World) -> None:
    record = new_record(world)
    advance(world, record, 11)
    short = dataclasses.replace(happy_steps(world)[11], details={"training_name": "培训班", "training_days": 2, "training_hours": 16})
    before = row_counts()
    sec = client_for(world, "branch_secretary")
    body = assert_page_shows(sec.post(step_url(record, 11), step_data(short, record)),
                             "有不符合规定的事项，未保存", "集中培训一般不少于三天或不少于二十四个学时", 'value="培训班"')
    assert 'name="override_reason"' not in body
    # Sending a reason anyway does not help a branch user: the service refuses with its message.
    body = assert_page_shows(sec.post(step_url(record, 11), {**step_data(short, record), "override_reason": "特殊"}),
                             "只有审批党委")
    assert row_counts() == before

    town = client_for(world, "township_organizer")
    body = assert_page_shows(town.post(step_url(record, 11), step_data(short, record)), 'name="override_reason"', "特殊情况说明")
    assert row_counts() == before
    resp = town.post(step_url(record, 11), {**step_data(short, record), "override_reason": "因疫情集中培训缩短，已补学。"})
    assert_saved(resp, record)
    ov = RuleOverride.objects.get(record=record)
    assert (ov.rule_code, ov.reason, ov.approving_org_id) == ("R1.12", "因疫情集中培训缩短，已补学。", world.town.pk)
    assert AuditEvent.objects.filter(action="recruitment.rule.override", target_id=str(record.pk)).count() == 1
    assert_page_shows(sec.get(detail_url(record)), "特殊情况处理", "因疫情集中培训缩短")


def test_bad_step_input_in_chinese_nothing_written(world: World) -> None:
    record = new_record(world)
    c = client_for(world, "branch_secretary")
    before = row_counts()
    body = assert_page_shows(c.post(step_url(record, 3), step_data(StepIn(3, D("2021-06-01")), record)), "请先录入第2步")
    future = StepIn(2, TODAY + dt.timedelta(days=400), people=happy_steps(world)[2].people)
    body = assert_page_shows(c.post(step_url(record, 2), step_data(future, record)), "不能晚于今天")
    body = assert_page_shows(c.post(step_url(record, 2), {"action": "save"}), "这个字段是必填项")
    assert "error-date" in body
    assert row_counts() == before


def test_probationary_sponsor_blocked_on_the_page(world: World) -> None:
    record = new_record(world)
    advance(world, record, 9)
    s9 = happy_steps(world)[9]
    bad = dataclasses.replace(s9, people=(s9.people[0], services.PersonIn(S.SPONSOR, member=world.probationary)))
    before = row_counts()
    assert_page_shows(client_for(world, "branch_secretary").post(step_url(record, 9), step_data(bad, record)),
                      "入党介绍人“钱新”在2022-06-20是预备党员")
    assert row_counts() == before


def test_withdraw_latest_step(world: World) -> None:
    record = new_record(world)
    advance(world, record, 4)
    c = client_for(world, "branch_secretary")
    latest = record.steps.get(number=3)
    first = record.steps.get(number=1)
    before = row_counts()
    resp = c.post(reverse("recruitment:step_withdraw", args=[first.pk]), {"reason": "录错"})
    assert resp.status_code == 302
    assert row_counts() == before
    assert "只能撤销最近录入的一个步骤" in c.get(detail_url(record)).content.decode()
    c.post(reverse("recruitment:step_withdraw", args=[latest.pk]), {"reason": ""})
    assert Step.objects.filter(pk=latest.pk).exists()
    resp = c.post(reverse("recruitment:step_withdraw", args=[latest.pk]), {"reason": "日期录错"})
    assert resp.status_code == 302
    assert not Step.objects.filter(pk=latest.pk).exists()
    record.refresh_from_db()
    assert record.status == rules.APPLICANT
    assert AuditEvent.objects.filter(action="recruitment.step.withdraw", reason="日期录错").count() == 1
    assert client_for(world, "inspector").post(reverse("recruitment:step_withdraw", args=[first.pk]), {"reason": "x"}).status_code == 404


# --- notices, uploads, outcomes, edit, reveal ----------------------------------------------------------------------


def test_notice_record_and_update(world: World) -> None:
    record = new_record(world)
    c = client_for(world, "branch_secretary")
    url = reverse("recruitment:notice_new", args=[record.pk])
    before = row_counts()
    assert_page_shows(c.post(url, {"kind": "candidate", "place": "", "start": "2026-10-09", "end": "2026-09-28"}),
                      "这个字段是必填项")
    assert_page_shows(c.post(url, {"kind": "candidate", "place": "公开栏", "start": "2026-10-09", "end": "2026-09-28",
                                   "objection_result": "none"}), "公示结束日期不能早于开始日期")
    assert row_counts() == before
    resp = c.post(url, {"kind": "candidate", "place": "一村党务公开栏", "start": "2026-09-29", "end": "2026-10-09",
                        "objection_result": "none", "objection_count": "0"})
    assert resp.status_code == 302
    notice = PublicNotice.objects.get(record=record)
    assert notice.workdays == 4
    resp = c.post(reverse("recruitment:notice_edit", args=[notice.pk]), {"version": notice.version, "objection_count": 1,
                  "objections": "反映其曾酒驾", "handling": "经核查不属实", "objection_result": "resolved"})
    assert resp.status_code == 302
    notice.refresh_from_db()
    assert (notice.objection_result, notice.objection_count) == ("resolved", 1)
    assert_page_shows(c.get(detail_url(record)), "发展对象公示", "4个工作日", "有异议，经核查不影响发展")


def test_upload_and_scoped_download(world: World) -> None:
    record = new_record(world)
    c = client_for(world, "branch_secretary")
    url = reverse("recruitment:upload_new", args=[record.pk])
    before = row_counts()
    fake = SimpleUploadedFile("申请书.png", b"not really an image", content_type="image/png")
    body = assert_page_shows(c.post(url, {"kind": "application_letter", "file": fake}))
    assert 'data-testid="error-file"' in body
    assert row_counts() == before
    png = SimpleUploadedFile("申请书.png", PNG, content_type="image/png")
    step = record.steps.get(number=1)
    assert c.post(url, {"kind": "application_letter", "file": png, "step": step.pk}).status_code == 302
    doc = Document.objects.get(record=record)
    assert doc.step_id == step.pk
    resp = c.get(reverse("recruitment:upload_file", args=[doc.pk]))
    assert resp.status_code == 200 and b"".join(resp.streaming_content) == PNG
    outsider = user_create(actor=None, username="town_b", password=PASSWORD, role=Role.TOWNSHIP_ORGANIZER,
                           orgs=[world.tree.town_b])
    o = Client()
    o.force_login(outsider)
    assert o.get(reverse("recruitment:upload_file", args=[doc.pk])).status_code == 404
    assert o.get(detail_url(record)).status_code == 404
    assert AuditEvent.objects.filter(action="recruitment.document.add").count() == 1


def test_stop_development(world: World) -> None:
    record = new_record(world)
    c = client_for(world, "branch_secretary")
    url = reverse("recruitment:outcome_stop", args=[record.pk])
    before = row_counts()
    assert_page_shows(c.post(url, {"date": "2023-01-01", "reason": ""}), "这个字段是必填项")
    assert row_counts() == before
    assert c.post(url, {"date": "2023-01-01", "reason": "本人申请撤回"}).status_code == 302
    record.refresh_from_db()
    assert record.status == rules.STOPPED
    body = assert_page_shows(c.get(detail_url(record)), "已终止发展", "本人申请撤回")
    assert 'data-testid="next-step"' not in body


def test_extend_probation_page(world: World) -> None:
    record = new_record(world)
    advance(world, record, 21)
    c = client_for(world, "township_organizer")
    url = reverse("recruitment:outcome_extend", args=[record.pk])
    assert_page_shows(c.get(url), "延长月数", world.town.name)
    data = {"meeting_date": "2023-10-10", "approved_on": "2023-11-01", "months": 6, "reason": "需要继续考察",
            "approving_org": world.town.pk, "mv_should_attend_total": 4, "mv_present": 4, "mv_yes": 4,
            "cv_should_attend_total": 7, "cv_present": 6, "cv_yes": 6}
    before = row_counts()
    assert_page_shows(c.post(url, {**data, "mv_present": 2, "mv_yes": 2}), "未超过")
    assert row_counts() == before
    assert c.post(url, data).status_code == 302
    record.refresh_from_db()
    assert record.probation_ends_on == D("2024-04-10")


def test_edit_with_version_check(world: World) -> None:
    record = new_record(world)
    c = client_for(world, "branch_secretary")
    url = reverse("recruitment:record_edit", args=[record.pk])
    base = {"name": "周新", "sex": "1", "ethnicity": "01", "education": "master", "occupation": "farmer", "unit_name": "",
            "job": "", "phone": "", "version": record.version}
    assert c.post(url, base).status_code == 302
    record.refresh_from_db()
    assert record.education == "master"
    before = row_counts()
    body = assert_page_shows(c.post(url, {**base, "education": "college"}), "他人保存的最新内容")
    assert row_counts() == before
    assert '<option value="college" selected>' in body  # the user's input is kept
    assert_page_shows(c.post(url, {**base, "version": record.version, "phone": "123"}), "手机号码应为11位数字")


def test_reveal_is_audited_and_scoped(world: World) -> None:
    record = new_record(world)
    url = reverse("recruitment:record_reveal", args=[record.pk, "id_number"])
    body = assert_page_shows(client_for(world, "inspector").post(url), "本次查看已记入审计日志")
    assert services.crypto.decrypt(record.id_number_enc) in body
    assert AuditEvent.objects.filter(action="recruitment.reveal.id_number", target_id=str(record.pk)).count() == 1
    assert client_for(world, "member").post(url).status_code == 404
    assert client_for(world, "inspector").post(reverse("recruitment:record_reveal", args=[record.pk, "name"])).status_code == 404


def test_navigation_link_for_org_roles_only(world: World) -> None:
    assert 'data-testid="nav-recruitment"' in client_for(world, "inspector").get(reverse("web:home")).content.decode()
    assert 'data-testid="nav-recruitment"' not in client_for(world, "member").get(reverse("web:home")).content.decode()


def test_cancel_probationary_membership_page(world: World) -> None:
    record = new_record(world)
    advance(world, record, 21)
    url = reverse("recruitment:outcome_cancel", args=[record.pk])
    assert client_for(world, "inspector").get(url).status_code == 404
    c = client_for(world, "township_organizer")
    before = row_counts()
    data = {"meeting_date": "2023-06-01", "approved_on": "2023-06-20", "reason": "",
            "approving_org": world.town.pk, "mv_should_attend_total": 4, "mv_present": 4, "mv_yes": 4}
    assert_page_shows(c.post(url, data), "这个字段是必填项")
    body = assert_page_shows(c.post(url, {**data, "reason": "丧失党员条件"}), "请填写表决情况")
    assert row_counts() == before
    resp = c.post(url, {**data, "reason": "丧失党员条件", "cv_should_attend_total": 7, "cv_present": 6, "cv_yes": 6})
    assert resp.status_code == 302, resp.content.decode()[:2000]
    record.refresh_from_db()
    assert record.status == rules.CANCELLED and record.member is not None
    record.member.refresh_from_db()
    assert record.member.status != "probationary"
    assert body and AuditEvent.objects.filter(action="recruitment.outcome.cancelled", target_id=str(record.pk)).count() == 1


def test_ids_in_form_bodies_stay_in_scope(world: World) -> None:
    """Members, committees and steps chosen in a form come only from the record's own branch and chain."""
    record = new_record(world)
    advance(world, record, 4)
    c = client_for(world, "township_organizer")
    before = row_counts()
    outsider = world.tree.member_b1
    body = assert_page_shows(c.post(step_url(record, 4), {"date": "2021-06-10", "approving_org": world.tree.town_b.pk}),
                             "选择一个有效的选项")
    assert world.tree.town_b.name not in body
    s5 = {"date": "2021-06-10", "mentor1_member": outsider.pk, "mentor2_member": world.full[1].pk}
    body = assert_page_shows(c.post(step_url(record, 5), s5), "选择一个有效的选项")
    assert outsider.name not in body
    other = new_record(world, name="吴青", id_number=valid_id_number(D("1996-06-06"), "1"), birth_date=D("1996-06-06"))
    png = SimpleUploadedFile("a.png", PNG, content_type="image/png")
    body = assert_page_shows(c.post(reverse("recruitment:upload_new", args=[record.pk]),
                                    {"kind": "other", "file": png, "step": other.steps.get().pk}), "选择一个有效的选项")
    assert row_counts() == {**before, "DevelopmentRecord": before["DevelopmentRecord"] + 1,
                            "Step": before["Step"] + 1, "AuditEvent": before["AuditEvent"] + 1}
