"""Weak-organization rectification in real Chromium: the township organizer nominates a village,
confirms it (the reverse-ranking share only warns), makes the "四定一包" plan (first refused with the
missing fields named, the input kept) and a milestone; the village secretary reports progress with a
photo; the township accepts — not passed, then passed — and the counts page shows it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from dangjian.rectification import rules
from dangjian.rectification.models import Case
from dangjian.testing import PASSWORD, make_tree

pytestmark = pytest.mark.browser
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def login(page, username: str) -> None:
    page.context.clear_cookies()
    page.goto(page.base + "/login/")
    page.get_by_test_id("login-username").fill(username)
    page.get_by_test_id("login-password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("current-user")).to_be_visible()


def test_nominate_plan_report_and_accept(page, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    tree = make_tree()
    today = timezone.localdate()
    login(page, "town_a")
    page.goto(f"{page.base}/rectification/orgs/{tree.village_a2.pk}/nominate/")
    page.get_by_test_id("field-category").select_option("c04")
    page.get_by_test_id("field-reason").fill("三会一课长期不开展，支委会半年未开。")
    page.get_by_test_id("form-submit").click()
    expect(page.get_by_test_id("case-status")).to_have_text("候选")
    expect(page.get_by_test_id("findings")).to_contain_text("三会一课长期不开展")
    page.get_by_test_id("confirm-submit").click()
    expect(page.get_by_test_id("case-status")).to_have_text("已确认")
    expect(page.get_by_test_id("flash").last).to_contain_text("超过倒排比例参考10%")

    page.get_by_test_id("plan-new").click()
    page.get_by_test_id("field-responsible_person").fill("甲镇组织委员")
    page.get_by_test_id("field-goal").fill("年底前组织生活正常")
    page.get_by_test_id("form-submit").click()
    expect(page.get_by_test_id("error-responsibility")).to_have_text("请填写定责（整顿责任）。")
    expect(page.get_by_test_id("field-goal")).to_have_value("年底前组织生活正常")
    page.get_by_test_id("field-responsibility").fill("每月到村指导一次")
    page.get_by_test_id("field-reward_penalty").fill("验收不通过的约谈书记")
    page.get_by_test_id("field-leader").select_option(str(tree.users["township_organizer"].pk))
    page.get_by_test_id("field-leader_name").fill("甲镇党委书记")
    page.get_by_test_id("field-leader_post").fill("镇党委书记")
    page.get_by_test_id("field-deadline").fill((today + dt.timedelta(days=120)).isoformat())
    page.get_by_test_id("form-submit").click()
    expect(page.get_by_test_id("case-status")).to_have_text("整顿中")
    ms = page.get_by_test_id("milestone-form")
    ms.get_by_test_id("field-title").fill("调整支委班子")
    ms.get_by_test_id("field-due").fill(today.isoformat())
    page.get_by_test_id("milestone-submit").click()
    expect(page.get_by_test_id("milestones")).to_contain_text("调整支委班子")
    case = Case.objects.get(org=tree.village_a2)

    # 甲镇二村 has no account of its own here: the 包 leader (the organizer) reports progress.
    photo = tmp_path / "会议.png"
    photo.write_bytes(PNG)
    pf = page.get_by_test_id("progress-form")
    pf.get_by_test_id("field-text").fill("已召开专题组织生活会，支委会恢复每月召开。")
    pf.get_by_test_id("field-uploaded").set_input_files(str(photo))
    page.get_by_test_id("progress-submit").click()
    expect(page.get_by_test_id("progress")).to_contain_text("会议.png")

    af = page.get_by_test_id("acceptance-form")
    af.get_by_test_id("field-accepted_by").fill("甲镇党委验收组")
    af.get_by_test_id("field-result").select_option("not_passed")
    page.get_by_test_id("acceptance-submit").click()
    expect(page.get_by_test_id("acceptance-form").get_by_test_id("error-notes")).to_have_text(rules.NOTES_REQUIRED)
    af = page.get_by_test_id("acceptance-form")
    af.get_by_test_id("field-notes").fill("党课仍未开展，继续整顿一个月。")
    page.get_by_test_id("acceptance-submit").click()
    expect(page.get_by_test_id("acceptances")).to_contain_text("验收未通过")
    expect(page.get_by_test_id("case-status")).to_have_text("整顿中")
    af = page.get_by_test_id("acceptance-form")
    af.get_by_test_id("field-accepted_by").fill("甲镇党委验收组")
    af.get_by_test_id("field-result").select_option("passed")
    page.get_by_test_id("acceptance-submit").click()
    expect(page.get_by_test_id("case-status")).to_have_text("已验收")
    case.refresh_from_db()
    assert case.status == rules.ACCEPTED and case.acceptances.count() == 2

    page.goto(f"{page.base}/rectification/orgs/{tree.town_a.pk}/?year={today.year}")
    expect(page.get_by_test_id("counts-sentence")).to_have_text("整顿软弱涣散基层党组织1个，验收通过1个。")
