"""督办 in real Chromium: the county issues a task to 甲镇一村, the village secretary submits evidence
(a PNG photo), the county returns it with a reason, the village resubmits, the county accepts — and
the board turns green with a completion rate of 100 %."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from dangjian.supervision import rules
from dangjian.supervision.models import Item, Task
from dangjian.supervision.tests.conftest import PNG
from dangjian.testing import PASSWORD, make_tree

pytestmark = pytest.mark.browser


def login(page, username: str) -> None:
    page.goto(page.base + "/login/")
    page.get_by_test_id("login-username").fill(username)
    page.get_by_test_id("login-password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("navbar")).to_be_visible()  # (the user name is folded away on a phone)


def open_as(browser, base: str, username: str):
    """A second browser (its own cookies) for another user, phone-sized."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    pg = context.new_page()
    pg.set_default_timeout(15000)
    pg.base = base
    login(pg, username)
    return pg


def submit_evidence(page, item_id: int, text: str, name: str) -> None:
    page.goto(f"{page.base}/supervision/items/{item_id}/")
    form = page.get_by_test_id("submit-form")
    form.get_by_test_id("field-text").fill(text)
    form.get_by_test_id("field-attachments").set_input_files(files=[{"name": name, "mimeType": "image/png", "buffer": PNG}])
    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("flash").first).to_contain_text("已报送")
    expect(page.get_by_test_id("item-status")).to_have_text("已报送待验收")


def test_issue_submit_return_resubmit_accept(page, browser, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    tree = make_tree()
    deadline = timezone.localdate() + dt.timedelta(days=10)

    # The county issues the task.
    login(page, "county")
    page.goto(page.base + "/supervision/")
    page.get_by_test_id("task-new").click()
    page.get_by_test_id("field-issuer").select_option(str(tree.county.pk))
    page.get_by_test_id("field-title").fill("开展党员冬训")
    page.get_by_test_id("field-basis").fill("示组〔2026〕12号")
    page.get_by_test_id("field-actions").fill("制定冬训方案\n组织集中学习")
    page.get_by_test_id("field-deadline").fill(deadline.isoformat())
    page.get_by_test_id("choices-receiver_orgs").locator(f'input[value="{tree.village_a1.pk}"]').check()
    page.get_by_test_id("form-submit").click()
    expect(page.get_by_test_id("supervision-task")).to_be_visible()
    expect(page.get_by_test_id("flash").first).to_contain_text("共生成1条事项")
    task = Task.objects.get()
    item = Item.objects.get(task=task)
    expect(page.locator(f'[data-testid="board-row"][data-item-id="{item.pk}"]')).to_have_attribute("data-light", "amber")

    # The village secretary submits a photo, on a phone-sized screen.
    village = open_as(browser, page.base, "branch_a1")
    village.goto(village.base + "/supervision/?box=received")
    village.locator(f'[data-item-id="{item.pk}"] a').click()
    expect(village.get_by_test_id("supervision-item")).to_be_visible()
    submit_evidence(village, item.pk, "已制定方案并组织学习", "冬训照片.png")

    # The county returns it with a reason.
    page.goto(f"{page.base}/supervision/items/{item.pk}/")
    expect(page.get_by_test_id("evidence-link")).to_contain_text("冬训照片.png")
    page.get_by_test_id("return-form").get_by_test_id("field-reason").fill("缺少学习签到表")
    page.get_by_test_id("return").click()
    expect(page.get_by_test_id("item-status")).to_have_text("被退回")

    # The village sees the reason and resubmits.
    village.goto(f"{village.base}/supervision/items/{item.pk}/")
    expect(village.get_by_test_id("history")).to_contain_text("退回原因：缺少学习签到表")
    submit_evidence(village, item.pk, "补充签到表", "签到表.png")

    # The county accepts; the board turns green.
    page.goto(f"{page.base}/supervision/items/{item.pk}/")
    page.get_by_test_id("accept").click()
    expect(page.get_by_test_id("item-status")).to_have_text("验收通过")
    page.goto(f"{page.base}/supervision/tasks/{task.pk}/")
    expect(page.locator(f'[data-testid="board-row"][data-item-id="{item.pk}"]')).to_have_attribute("data-light", "green")
    expect(page.get_by_test_id("count-green")).to_have_text("1")
    expect(page.get_by_test_id("completion-rate")).to_have_text("100.0%")
    item.refresh_from_db()
    assert (item.status, item.returned_count, item.evidence.count()) == (rules.ACCEPTED, 1, 2)
    village.context.close()
