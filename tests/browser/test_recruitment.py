"""Membership development in real Chromium: a branch secretary takes one person from application to
archived conversion through the 25 steps, the township organizer doing the higher committee's steps
(filings, pre-review, the approval talk and both approvals); one step is first refused with its
rule's message and the input kept. The dates span both rule versions: stages 1-4 and the oath fall
under the 2014 细则, the conversion application, meeting, approval and archiving (from 2026-05-20)
under the 2026 revision (effective 2026-05-18)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from dangjian.members.models import Member
from dangjian.orgs.models import Org
from dangjian.recruitment import rules
from dangjian.recruitment.models import DevelopmentRecord
from dangjian.testing import make_member, make_tree, valid_id_number

pytestmark = pytest.mark.browser
BIRTH = dt.date(1998, 4, 2)


def login(page, username: str) -> None:
    from dangjian.testing import PASSWORD

    page.goto(page.base + "/login/")
    page.get_by_test_id("login-username").fill(username)
    page.get_by_test_id("login-password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("current-user")).to_be_visible()


def fill(page, values: dict[str, object]) -> None:
    """Fill the form's fields by name: selects by value, checkboxes when True, the rest typed."""
    for name, value in values.items():
        field = page.get_by_test_id(f"field-{name}")
        tag = field.evaluate("e => e.tagName + ':' + (e.type || '')")
        if tag.startswith("SELECT"):
            field.select_option(str(value))
        elif tag.endswith(":checkbox"):
            field.set_checked(bool(value))
        else:
            field.fill(str(value))


def do_step(page, record_id: int, n: int, values: dict[str, object]) -> None:
    """Open the record, take the "next step" button for step ``n``, fill its form and save it."""
    page.goto(f"{page.base}/recruitment/records/{record_id}/")
    page.locator(f'[data-testid="next-step"][data-step="{n}"]').click()
    expect(page.get_by_test_id("step-form")).to_be_visible()
    fill(page, values)
    page.get_by_test_id("form-submit").click()
    expect(page.get_by_test_id("record-detail")).to_be_visible()
    expect(page.get_by_test_id("flash").first).to_contain_text(f"已录入第{n}步")


def test_full_development_from_application_to_archive(page, browser):
    tree = make_tree()
    Org.objects.filter(pk=tree.town_a.pk).update(can_approve_probationary=True)
    a = tree.member_a1  # 李明, full member since 2011
    b, c, d = (make_member(tree.village_a1, name=n, birth_date=dt.date(1980 + i, 2, 1 + i))
               for i, n in enumerate(["王强", "赵敏", "孙丽"]))  # fmt: skip
    assert c.pk and d.pk  # four full members: the branch meeting's voting roster
    town = tree.town_a.pk

    login(page, "branch_a1")
    page.get_by_test_id("nav-recruitment").click()
    expect(page.get_by_test_id("record-empty")).to_be_visible()
    page.goto(f"{page.base}/recruitment/new/?org={tree.village_a1.pk}")
    fill(page, {"name": "陈晓", "sex": "2", "id_number": valid_id_number(BIRTH, "2"), "birth_date": BIRTH.isoformat(),
                "education": "bachelor", "occupation": "farmer", "phone": "13900000009", "unit_name": "一村合作社",
                "date": "2023-03-01", "received_by": "一村党支部"})  # fmt: skip
    page.get_by_test_id("form-check").click()  # check without saving first
    expect(page.get_by_test_id("rule-results")).to_contain_text("R1.1 年满十八周岁")
    assert not DevelopmentRecord.objects.exists()
    page.get_by_test_id("form-submit").click()
    expect(page.get_by_test_id("record-status")).to_have_text("入党申请人")
    record_id = int(re.search(r"/records/(\d+)/", page.url).group(1))  # type: ignore[union-attr]

    organizer_ctx = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    town_page = organizer_ctx.new_page()
    town_page.set_default_timeout(15000)
    town_page.base = page.base
    login(town_page, "town_a")

    sec = page
    do_step(sec, record_id, 2, {"date": "2023-03-20", "talker1_member": a.pk, "talk_content": "了解入党动机"})
    do_step(sec, record_id, 3, {"date": "2023-06-01", "nominated_by": "党员推荐", "decided_by": "支委会"})
    do_step(town_page, record_id, 4, {"date": "2023-06-10", "approving_org": town, "filing_number": "甲组备〔2023〕6号"})
    do_step(sec, record_id, 5, {"date": "2023-06-10", "mentor1_member": a.pk, "mentor2_member": b.pk})
    do_step(sec, record_id, 6, {"date": "2023-12-01", "assessment": "表现良好"})
    do_step(sec, record_id, 6, {"date": "2024-05-30", "assessment": "表现良好"})
    do_step(sec, record_id, 7, {"date": "2024-06-03", "committee_opinion": "同意列为发展对象"})
    do_step(town_page, record_id, 8, {"date": "2024-06-15", "approving_org": town, "filing_number": "甲组备〔2024〕9号"})
    do_step(sec, record_id, 9, {"date": "2024-06-20", "sponsor1_member": a.pk, "sponsor2_member": b.pk})
    do_step(sec, record_id, 10, {"date": "2024-08-01", "review_conclusion": "qualified", "review_summary": "政治历史清楚"})

    # Step 11 with a two-day course: refused, every message in Chinese, the input kept, nothing saved.
    sec.goto(f"{sec.base}/recruitment/records/{record_id}/steps/11/")
    fill(sec, {"date": "2024-08-10", "training_name": "入党积极分子培训班", "training_days": 2, "training_hours": 16})
    sec.get_by_test_id("form-submit").click()
    expect(sec.get_by_test_id("form-errors")).to_contain_text("有不符合规定的事项，未保存")
    expect(sec.get_by_test_id("form-errors")).to_contain_text("集中培训一般不少于三天或不少于二十四个学时")
    expect(sec.locator('[data-testid="rule-result"][data-level="block"]')).to_contain_text("R1.12")
    expect(sec.get_by_test_id("field-training_name")).to_have_value("入党积极分子培训班")
    assert sec.locator('[name="override_reason"]').count() == 0  # a branch is not the approving committee
    fill(sec, {"training_days": 3, "training_hours": 24})
    sec.get_by_test_id("form-submit").click()
    expect(sec.get_by_test_id("flash").first).to_contain_text("已录入第11步")

    do_step(sec, record_id, 12, {"date": "2025-05-05", "committee_opinion": "同意"})
    do_step(town_page, record_id, 13, {"date": "2025-05-12", "approving_org": town, "pre_review_result": "passed"})
    do_step(sec, record_id, 14, {"date": "2025-05-20", "form_number": "0001"})
    vote = {"vote_should_attend_total": 4, "vote_present": 4, "vote_yes": 4}
    # The branch meeting: check first, and see the computed quorum and result.
    sec.goto(f"{sec.base}/recruitment/records/{record_id}/steps/15/")
    fill(sec, {"date": "2025-06-10", **vote})
    sec.get_by_test_id("form-check").click()
    expect(sec.get_by_test_id("vote-preview")).to_contain_text("通过")
    expect(sec.get_by_test_id("rule-results")).to_contain_text("R1.15")
    sec.get_by_test_id("form-submit").click()
    expect(sec.get_by_test_id("flash").first).to_contain_text("已录入第15步")
    do_step(town_page, record_id, 16, {"date": "2025-06-20", "talker1_name": "刘组织员", "talker_position": "组织员"})
    committee = {"vote_should_attend_total": 7, "vote_present": 6, "vote_yes": 6}
    do_step(town_page, record_id, 17, {"date": "2025-07-15", "approving_org": town, "approval_result": "approved", **committee})
    expect(town_page.get_by_test_id("record-status")).to_have_text("预备党员")
    do_step(sec, record_id, 18, {"date": "2025-07-30", "filing_number": "县组备〔2025〕3号"})
    do_step(sec, record_id, 19, {"date": "2025-08-01", "group_name": "第一党小组"})
    do_step(sec, record_id, 20, {"date": "2025-08-05", "oath_place": "一村党群服务中心"})
    do_step(sec, record_id, 21, {"date": "2026-02-01", "assessment": "表现良好"})
    do_step(sec, record_id, 22, {"date": "2026-05-20", "written": "yes"})
    do_step(sec, record_id, 23, {"date": "2026-06-10", "decision": "convert", **vote})
    do_step(town_page, record_id, 24, {"date": "2026-07-10", "approving_org": town, "approval_result": "approved", **committee})
    do_step(sec, record_id, 25, {"date": "2026-08-01", "archive_number": "DA-2026-001", "archived_items": "入党志愿书等"})

    expect(sec.get_by_test_id("record-status")).to_have_text("已归档")
    expect(sec.get_by_test_id("timeline-step")).to_have_count(26)
    expect(sec.locator('[data-testid="timeline-step"][data-step="23"]')).to_contain_text("2026年细则")
    expect(sec.locator('[data-testid="timeline-step"][data-step="15"]')).to_contain_text("2014年细则")
    expect(sec.locator('[data-testid="timeline-step"][data-step="23"]')).to_contain_text("党支部党员大会讨论")
    record = DevelopmentRecord.objects.get(pk=record_id)
    assert record.status == rules.ARCHIVED
    member = Member.objects.get(pk=record.member_id)
    assert (member.status, member.joined_on, member.converted_on) == ("full", dt.date(2025, 6, 10), dt.date(2026, 6, 10))

    sec.get_by_test_id("record-member-link").click()
    expect(sec.get_by_test_id("member-development")).to_be_visible()
    expect(sec.get_by_test_id("member-development-step")).to_have_count(26)
    organizer_ctx.close()
