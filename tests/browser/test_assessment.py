"""Assessment in real Chromium: the township builds a scheme in the tree editor (an area and two
items), starts it; the village secretary, on a phone-sized screen, enters a score above the maximum
(refused in Chinese, input kept), corrects it, uploads evidence and submits; the township adjusts an
item — first without a reason (refused), then with one — finalises and publishes; the ranking shows
the frozen total and the notice period."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from dangjian.assessment.models import Node, Result, Scheme
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


def test_build_self_assess_review_publish(page, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    tree = make_tree()
    year = timezone.localdate().year
    login(page, "town_a")
    page.goto(page.base + "/assessment/")
    page.get_by_test_id("scheme-new").click()
    page.get_by_test_id("field-name").fill("村党组织考核")
    page.get_by_test_id("field-kind").select_option("village")
    page.get_by_test_id("form-submit").click()
    expect(page.get_by_test_id("scheme-status")).to_have_text("草稿")
    page.get_by_test_id("node-add-root").click()
    page.get_by_test_id("field-title").fill("基础工作")
    page.get_by_test_id("form-submit").click()
    for title, points in (("班子建设", "60"), ("阵地建设", "40")):
        page.get_by_test_id("node-add-child").first.click()
        page.get_by_test_id("field-title").fill(title)
        page.get_by_test_id("field-max_points").fill(points)
        page.get_by_test_id("form-submit").click()
    expect(page.get_by_test_id("scheme-points")).to_have_text("100.00")
    page.get_by_test_id("scheme-activate").click()
    expect(page.get_by_test_id("scheme-status")).to_have_text("进行中（自评、审核）")
    scheme = Scheme.objects.get(name="村党组织考核", year=year)
    result = Result.objects.get(scheme=scheme, org=tree.village_a1)
    team = Node.objects.get(scheme=scheme, title="班子建设")
    site = Node.objects.get(scheme=scheme, title="阵地建设")

    login(page, "branch_a1")
    page.set_viewport_size({"width": 390, "height": 844})  # the secretary works on a phone
    page.goto(f"{page.base}/assessment/results/{result.pk}/")
    page.get_by_test_id("self-assess").click()
    page.get_by_test_id(f"value-{team.pk}").fill("65")
    page.get_by_test_id(f"value-{site.pk}").fill("35")
    page.get_by_test_id("form-submit").click()
    expect(page.get_by_test_id(f"error-{team.pk}")).to_have_text("“班子建设”的得分65.00超过满分60.00。")
    expect(page.get_by_test_id(f"value-{site.pk}")).to_have_value("35")
    page.get_by_test_id(f"value-{team.pk}").fill("58")
    page.get_by_test_id("form-submit").click()
    expect(page.get_by_test_id("result-total")).to_have_text("93.00")
    page.get_by_test_id("evidence-form").locator("input[type=file]").set_input_files(
        {"name": "会议记录.png", "mimeType": "image/png", "buffer": PNG})
    page.get_by_test_id("evidence-form").locator("button").click()
    expect(page.get_by_test_id("evidence-list")).to_contain_text("会议记录.png")
    page.get_by_test_id("result-submit").click()
    expect(page.get_by_test_id("result-status")).to_have_text("已提交待审核")

    page.set_viewport_size({"width": 1280, "height": 900})
    login(page, "town_a")
    page.goto(f"{page.base}/assessment/results/{result.pk}/")
    page.get_by_test_id("review").click()
    page.get_by_test_id(f"value-{team.pk}").fill("50")
    page.get_by_test_id("form-submit").click()
    expect(page.get_by_test_id(f"error-{team.pk}")).to_have_text("“班子建设”调整了自评分，须填写调整理由。")
    page.get_by_test_id(f"reason-{team.pk}").fill("会议记录不全")
    page.get_by_test_id("form-submit").click()
    expect(page.get_by_test_id("result-status")).to_have_text("已审核")
    expect(page.get_by_test_id("score-sheet")).to_contain_text("调整理由：会议记录不全")
    # 甲镇二村 (no secretary account) is entered and reviewed by the township through the same pages.
    other = Result.objects.get(scheme=scheme, org=tree.village_a2)
    page.goto(f"{page.base}/assessment/results/{other.pk}/self/")
    page.get_by_test_id(f"value-{team.pk}").fill("40")
    page.get_by_test_id(f"value-{site.pk}").fill("30")
    page.get_by_test_id("form-submit").click()
    page.get_by_test_id("result-submit").click()
    login(page, "county")
    page.goto(f"{page.base}/assessment/results/{other.pk}/review/")
    page.get_by_test_id("form-submit").click()
    expect(page.get_by_test_id("result-status")).to_have_text("已审核")

    login(page, "town_a")
    page.goto(f"{page.base}/assessment/schemes/{scheme.pk}/")
    page.get_by_test_id("scheme-finalize").click()
    expect(page.get_by_test_id("scheme-status")).to_have_text("已定分")
    page.get_by_test_id("scheme-publish").click()
    page.get_by_test_id("form-submit").click()
    expect(page.get_by_test_id("ranking-table")).to_contain_text("中共甲镇一村支部委员会")
    rows = page.get_by_test_id("ranking-table").locator("tbody tr")
    expect(rows.nth(0)).to_contain_text("85.00")
    expect(rows.nth(1)).to_contain_text("70.00")
    expect(page.get_by_test_id("notice-period")).to_be_visible()
