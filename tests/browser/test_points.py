"""Member points in real Chromium: a branch secretary enters an addition with a photo as evidence, the
township organizer approves it (the secretary may not approve their own), the secretary posts the
quarter, the member opens 我的积分 on a phone and objects, and the secretary upholds the objection —
the entry is corrected and the member's total follows."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from dangjian.accounts.models import Role
from dangjian.accounts.services import user_create
from dangjian.points import rules, services
from dangjian.points.models import Objection, PointsEntry
from dangjian.testing import PASSWORD, make_member, make_tree

pytestmark = pytest.mark.browser
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def login(page, username: str) -> None:
    page.goto(page.base + "/login/")
    page.get_by_test_id("login-username").fill(username)
    page.get_by_test_id("login-password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    page.wait_for_url(lambda url: "/login/" not in url)  # on a phone the navbar (and the user's name) is folded


def new_page(browser, base, *, phone: bool = False):
    ctx = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844} if phone else
                              {"width": 1280, "height": 900})  # fmt: skip
    pg = ctx.new_page()
    pg.set_default_timeout(15000)
    pg.base = base
    return pg


def test_entry_approval_posting_and_objection(page, browser):
    today = timezone.localdate()
    q = rules.quarter_of(today)
    year, quarter = (today.year, q - 1) if q > 1 else (today.year - 1, 4)
    day = rules.quarter_range(year, quarter)[1] - dt.timedelta(days=5)
    tree = make_tree()
    zhang = make_member(tree.village_a1, name="张伟", birth_date=dt.date(1988, 2, 2))
    user_create(actor=None, username="zhang", password=PASSWORD, role=Role.MEMBER, display_name="张伟", member=zhang)
    scheme = services.scheme_create(actor=tree.users["county_admin"], org=tree.village_a1, year=year, template="E6.1",
                                    today=today)
    item = scheme.items.get(name="为群众办实事、做好事")

    # The secretary enters +2 × 2 with a photo.
    login(page, "branch_a1")
    page.goto(f"{page.base}/points/orgs/{tree.village_a1.pk}/entries/new/")
    page.get_by_test_id("field-member").select_option(str(zhang.pk))
    page.get_by_test_id("field-item").select_option(str(item.pk))
    page.get_by_test_id("field-date").fill(day.isoformat())
    page.get_by_test_id("field-quantity").fill("2")
    page.get_by_test_id("field-reason").fill("帮扶两户困难群众")
    page.get_by_test_id("field-evidence").set_input_files(files=[{"name": "帮扶.png", "mimeType": "image/png",
                                                                  "buffer": PNG}])
    page.get_by_test_id("form-submit").click()
    expect(page.get_by_test_id("entry-status")).to_contain_text("待审核")
    expect(page.get_by_test_id("decide-form")).to_have_count(0)  # may not approve their own entry
    entry_id = int(re.search(r"/entries/(\d+)/", page.url).group(1))  # type: ignore[union-attr]

    # The township organizer approves it from the pending list.
    town = new_page(browser, page.base)
    login(town, "town_a")
    town.goto(f"{town.base}/points/orgs/{tree.village_a1.pk}/pending/")
    town.locator(f'[data-entry-id="{entry_id}"] a').click()
    town.get_by_test_id("field-decision").select_option("approve")
    town.get_by_test_id("field-note").fill("属实")
    town.get_by_test_id("form-submit").click()
    expect(town.get_by_test_id("entry-status")).to_contain_text("已生效")

    # The secretary posts the quarter.
    page.goto(f"{page.base}/points/orgs/{tree.village_a1.pk}/?year={year}")
    expect(page.locator(f'[data-member-id="{zhang.pk}"] [data-testid="total"]')).to_have_text("64")
    page.get_by_test_id("posting-form").locator("select").select_option(str(quarter))
    page.get_by_test_id("posting-form").locator("button").click()
    expect(page.get_by_test_id("posting-rows")).to_contain_text("张伟")

    # The member objects on a phone.
    phone = new_page(browser, page.base, phone=True)
    login(phone, "zhang")
    phone.goto(f"{phone.base}/points/me/?year={year}")
    expect(phone.get_by_test_id("total")).to_have_text("64")
    expect(phone.get_by_test_id("member-posting")).to_contain_text("李明")
    phone.get_by_test_id("field-entry").select_option(str(entry_id))
    phone.get_by_test_id("field-reason").fill("实际帮扶了三户")
    phone.get_by_test_id("form-submit").click()
    expect(phone.get_by_test_id("flash").first).to_contain_text("异议已提交")
    obj = Objection.objects.get()

    # The secretary upholds it: the entry becomes 6 points.
    page.goto(f"{page.base}/points/objections/{obj.pk}/")
    page.get_by_test_id("field-decision").select_option("upheld")
    page.get_by_test_id("field-response").fill("核实为三户")
    page.get_by_test_id("field-corrected_points").fill("6")
    page.get_by_test_id("form-submit").click()
    expect(page.get_by_test_id("objection-status")).to_contain_text("异议成立")
    assert PointsEntry.objects.get(pk=entry_id).points == Decimal("6")
    phone.goto(f"{phone.base}/points/me/?year={year}")
    expect(phone.get_by_test_id("total")).to_have_text("66")
