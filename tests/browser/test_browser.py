"""What a county's users do first, in real Chromium: log in, walk the tree, open a member, reveal an
ID number and find that view in the audit log; and the lockout after repeated failed logins."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from playwright.sync_api import expect

from dangjian.accounts.rules import BAD_CREDENTIALS
from dangjian.common import crypto
from dangjian.testing import PASSWORD, make_tree

pytestmark = pytest.mark.browser


def login(page, username: str, password: str = PASSWORD) -> None:
    page.goto(page.base + "/login/")
    page.get_by_test_id("login-username").fill(username)
    page.get_by_test_id("login-password").fill(password)
    page.get_by_test_id("login-submit").click()


def test_login_shows_the_work_queue(page):
    tree = make_tree()
    login(page, "town_a", "wrong-password")
    expect(page.get_by_test_id("login-error")).to_contain_text(BAD_CREDENTIALS)
    login(page, "town_a")
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator("body")).to_contain_text("甲镇组织委员")
    # 甲镇二村 has no members: the structure check "正式党员不足3人" is in the work queue.
    expect(page.get_by_test_id("work-item").first).to_be_visible()
    expect(page.locator("body")).to_contain_text("正式党员不足3人")
    assert tree.village_b1.name not in page.content()


def test_walk_the_tree_open_a_member_reveal_and_find_the_audit_entry(page):
    tree = make_tree()
    login(page, "county")
    page.goto(page.base + "/orgs/")
    county = page.locator(f"#tree-node-{tree.county.pk}")
    expect(county).to_be_visible()
    town = page.locator(f"#tree-node-{tree.town_a.pk}")
    if not town.is_visible():
        county.get_by_test_id("tree-toggle").first.click()
    expect(town).to_be_visible()
    town.get_by_test_id("tree-toggle").first.click()  # lazy-loads the villages with htmx
    village = page.locator(f"#tree-node-{tree.village_a1.pk}")
    expect(village).to_be_visible()
    village.get_by_test_id("tree-link").first.click()
    expect(page.locator("h1")).to_contain_text(tree.village_a1.name)

    page.get_by_test_id("member-row").filter(has_text="李明").locator("a").first.click()
    expect(page.locator("h1")).to_contain_text("李明")
    full = crypto.decrypt(tree.member_a1.id_number_enc)
    expect(page.locator("body")).to_contain_text(tree.member_a1.id_number_masked)
    assert full not in page.content()
    page.get_by_test_id("reveal-id_number").click()
    expect(page.get_by_test_id("revealed-id_number")).to_have_text(full)

    page.goto(page.base + "/audit/")
    row = page.get_by_test_id("audit-row").filter(has_text="李明").first
    expect(row).to_be_visible()
    expect(row).to_contain_text("县管理员")
    assert "reveal" in row.inner_text() or "查看" in row.inner_text()


def test_phone_sized_window(page):
    tree = make_tree()
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, "branch_a1")
    page.goto(page.base + f"/orgs/{tree.village_a1.pk}/")
    expect(page.locator("h1")).to_contain_text(tree.village_a1.name)
    # The tree is an off-canvas panel on a phone, opened by its button.
    page.get_by_test_id("open-org-tree").click()
    expect(page.locator(f"#tree-node-{tree.village_a1.pk}")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 400, f"page is {width}px wide on a 390px phone"


def test_lockout_after_repeated_failures(page):
    make_tree()
    for _ in range(settings.DANGJIAN_LOCKOUT_FAILURES):
        login(page, "branch_a1", "not-the-password")
        expect(page.get_by_test_id("login-error")).to_be_visible()
    login(page, "branch_a1")  # the right password, but the account is locked now
    expect(page.get_by_test_id("lockout-message")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/login/"))
