"""Fixes from the review of 督办: query counts that must not grow with the number of items (a county
task to hundreds of villages over twelve periods), the board page paginated with its figures over all
rows, a named receiver's item handled by that person only and never reviewed by them, and the export
carrying the page's figures."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dangjian.accounts.models import Role
from dangjian.accounts.services import user_create
from dangjian.api.tests.conftest import token_caller
from dangjian.common.errors import NotPermitted, ServiceError
from dangjian.supervision import rules, selectors, services
from dangjian.supervision.tests.conftest import row_counts
from dangjian.testing import PASSWORD, Tree, make_org

pytestmark = pytest.mark.django_db


def count_queries(fn) -> int:
    with CaptureQueriesContext(connection) as c:
        fn()
    return len(c.captured_queries)


def villages(tree: Tree, n: int) -> list:
    return [make_org(tree.town_a, f"甲镇{k}组村", "branch", category="rural") for k in range(n)]


def issue(tree: Tree, receivers, *, today: dt.date, periods: int = 1, **kw):
    recur = {"recurrence": rules.MONTHLY, "recur_until": today + dt.timedelta(days=31 * (periods - 1) + 1)} if periods > 1 else {}
    return services.task_issue(actor=tree.users["county_admin"], issuer=tree.county, title="月度党建工作",
                               deadline=today + dt.timedelta(days=2), receiver_orgs=receivers, today=today,
                               **recur, **kw)  # fmt: skip


@pytest.mark.urls("dangjian.supervision.tests.api_urls")
def test_api_board_queries_do_not_grow_with_the_items(tree: Tree):
    today = timezone.localdate()
    caller = token_caller(tree.users["county_admin"])
    small = issue(tree, [tree.village_a1], today=today)
    big = issue(tree, villages(tree, 6), today=today, periods=4)
    assert big.items.count() == 24
    n_small = count_queries(lambda: caller.get(f"/api/supervision/tasks/{small.pk}/board"))
    n_big = count_queries(lambda: caller.get(f"/api/supervision/tasks/{big.pk}/board"))
    resp = caller.get(f"/api/supervision/tasks/{big.pk}/board")
    assert resp.status_code == 200 and len(resp.json()["items"]) == 24
    assert {i["task_title"] for i in resp.json()["items"]} == {"月度党建工作"}
    assert 0 < n_small == n_big, (n_small, n_big)  # 0 would mean nothing was captured


@pytest.mark.urls("dangjian.supervision.tests.api_urls")
def test_api_task_list_queries_do_not_grow_with_the_tasks(tree: Tree):
    today = timezone.localdate()
    caller = token_caller(tree.users["county_admin"])
    leader = tree.users["county_admin"]
    issue(tree, [tree.village_a1], today=today, liaison_leader=leader)
    n_one = count_queries(lambda: caller.get("/api/supervision/tasks"))
    for _ in range(4):
        issue(tree, [tree.village_a2], today=today, liaison_leader=leader)
    n_five = count_queries(lambda: caller.get("/api/supervision/tasks"))
    body = caller.get("/api/supervision/tasks").json()
    assert len(body) == 5 and {t["liaison_leader"] for t in body} == {str(leader)}
    assert 0 < n_one == n_five, (n_one, n_five)


def test_board_page_is_paginated_with_figures_over_all_rows(tree: Tree, settings):
    settings.PAGE_SIZE = 10
    today = timezone.localdate()
    task = issue(tree, villages(tree, 6), today=today, periods=4)  # 24 items
    c = Client()
    c.force_login(tree.users["county_admin"])
    url = reverse("supervision:task_detail", args=[task.pk])
    first = c.get(url)
    assert first.status_code == 200
    assert first.content.decode().count('data-testid="board-row"') == 10
    assert first.context["board"].rates.assigned == 24
    assert first.context["board"].light_counts[rules.AMBER] == 24
    last = c.get(url, {"page": 3})
    assert last.content.decode().count('data-testid="board-row"') == 4
    # The page's query count does not grow with the number of rows either.
    other = issue(tree, [tree.village_a1], today=today)
    n_small = count_queries(lambda: c.get(reverse("supervision:task_detail", args=[other.pk])))
    n_big = count_queries(lambda: c.get(url))
    assert n_big <= n_small + 2, (n_small, n_big)  # + the paginator's count: none, rows are a list


def _county_staff(tree: Tree):
    return user_create(actor=None, username="county_staff", password=PASSWORD, role=Role.COUNTY_ADMIN,
                       display_name="县委组织部干部", orgs=[tree.county])  # fmt: skip


def test_a_named_receiver_may_not_accept_their_own_item(tree: Tree):
    today = timezone.localdate()
    staff = _county_staff(tree)
    task = issue(tree, [], today=today, receiver_users=[staff])
    item = task.items.get()
    services.item_submit(actor=staff, item=item, text="已完成", today=today)
    item.refresh_from_db()
    assert not services.may_review(staff, item)
    before = row_counts()
    with pytest.raises(NotPermitted):
        services.item_accept(actor=staff, item=item, today=today)
    assert row_counts() == before
    # The issuer's other writers still review it.
    services.item_accept(actor=tree.users["county_admin"], item=item, today=today)
    item.refresh_from_db()
    assert item.status == rules.ACCEPTED


def test_a_named_receivers_item_is_handled_by_that_person_only(tree: Tree):
    today = timezone.localdate()
    secretary = tree.users["branch_secretary"]
    task = issue(tree, [], today=today, receiver_users=[secretary])
    item = task.items.get()
    town = tree.users["township_organizer"]
    assert not services.may_handle(town, item)
    before = row_counts()
    with pytest.raises(NotPermitted):
        services.item_submit(actor=town, item=item, text="代报", today=today)
    with pytest.raises(NotPermitted):
        services.item_acknowledge(actor=town, item=item, today=today)
    assert row_counts() == before
    services.item_acknowledge(actor=secretary, item=item, today=today)
    item.refresh_from_db()
    assert item.status == rules.ACKNOWLEDGED


def test_a_named_receivers_item_cannot_be_cascaded(tree: Tree):
    """转办 passes an organization's item to organizations below it; a task addressed to a person is
    theirs to do (the page hides the button; the service and the API refuse it)."""
    today = timezone.localdate()
    town_user = tree.users["township_organizer"]
    task = issue(tree, [], today=today, receiver_users=[town_user])
    item = task.items.get()
    before = row_counts()
    with pytest.raises(ServiceError) as exc:
        services.item_cascade(actor=town_user, item=item, receiver_orgs=[tree.village_a1], today=today)
    assert exc.value.messages == [rules.CASCADE_NAMED]
    assert row_counts() == before


def _sheet_rows(resp) -> list[list]:
    wb = openpyxl.load_workbook(io.BytesIO(resp.content))
    return [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]


def test_export_matches_the_page(tree: Tree):
    today = timezone.localdate()
    admin = tree.users["county_admin"]
    task = issue(tree, [tree.village_a1, tree.village_a2, tree.village_b1], today=today)
    a1 = task.items.get(receiver_org=tree.village_a1)
    services.item_submit(actor=admin, item=a1, text="完成", today=today)
    services.item_accept(actor=admin, item=a1, today=today)
    c = Client()
    c.force_login(admin)
    page = c.get(reverse("supervision:task_detail", args=[task.pk]))
    b = page.context["board"]
    rows = _sheet_rows(c.get(reverse("supervision:board_export", args=[task.pk])))
    data = [r for r in rows[2:] if isinstance(r[0], int | float)]
    assert len(data) == len(b.rows) == 3
    on_time = {r[2]: r[14] for r in data}
    # Open and not yet due: not decided, so neither 是 nor 否.
    assert on_time == {"中共甲镇一村支部委员会": "是", "中共甲镇二村支部委员会": None, "中共乙镇一村支部委员会": None}
    # The page's light counts and its per-township table are in the export too.
    counts = next(r for r in rows if r[1] == "红灯")
    assert counts[1:7] == ["红灯", 0, "黄灯", 2, "绿灯", 1]
    assert (b.light_counts[rules.RED], b.light_counts[rules.AMBER], b.light_counts[rules.GREEN]) == (0, 2, 1)
    towns = {r[1]: r for r in rows if r[1] in ("中共甲镇委员会", "中共乙镇委员会") and r[2] in (1, 2)}
    assert {k: (v[2], v[3]) for k, v in towns.items()} == {"中共甲镇委员会": (2, 1), "中共乙镇委员会": (1, 0)}


def test_on_time_rate_counts_only_decided_items(tree: Tree):
    """A monthly task over three months, the first month done on time by both villages: on the day
    after the first deadline the board reads completion 2/6 = 33.3 % but on time 2/2 = 100.0 % — the
    items of the next two months are neither on time nor late yet (hand count)."""
    start = dt.date(2026, 11, 2)
    admin = tree.users["county_admin"]
    task = services.task_issue(actor=admin, issuer=tree.county, title="月度主题党日", deadline=dt.date(2026, 11, 30),
                               recurrence=rules.MONTHLY, recur_until=dt.date(2027, 1, 31),
                               receiver_orgs=[tree.village_a1, tree.village_a2], today=start)  # fmt: skip
    for item in task.items.filter(deadline=dt.date(2026, 11, 30)):
        services.item_submit(actor=admin, item=item, text="已开展", today=dt.date(2026, 11, 28))
        services.item_accept(actor=admin, item=item, today=dt.date(2026, 11, 29))
    day = dt.date(2026, 12, 1)
    r = selectors.board(admin, task, day).rates
    assert (r.assigned, r.accepted, r.on_time, r.overdue_open) == (6, 2, 2, 0)
    assert r.completion_rate == Decimal("33.3")
    assert r.on_time_rate == Decimal("100.0")
    row = selectors.task_list(admin, selectors.ISSUED, today=day).get(pk=task.pk)
    assert rules.on_time_rate(row.n_on_time, row.n_accepted, row.n_red) == Decimal("100.0")
    # 一村 does December on time, 二村 misses it: 3 on time out of 4 decided (3 accepted + 1 overdue).
    later = dt.date(2027, 1, 1)
    dec = task.items.get(deadline=dt.date(2026, 12, 31), receiver_org=tree.village_a1)
    services.item_submit(actor=admin, item=dec, text="已开展", today=dt.date(2026, 12, 30))
    services.item_accept(actor=admin, item=dec, today=dt.date(2026, 12, 30))
    r = selectors.board(admin, task, later).rates
    assert (r.accepted, r.on_time, r.overdue_open) == (3, 3, 1)
    assert r.on_time_rate == Decimal("75.0")
    # Nothing decided yet: no rate rather than 0 %.
    fresh = issue(tree, [tree.village_a1], today=timezone.localdate())
    assert selectors.board(admin, fresh, timezone.localdate()).rates.on_time_rate is None


def test_a_named_receiver_with_several_organizations_is_filed_under_the_one_inside_the_issuer(tree: Tree):
    both = user_create(actor=None, username="two_towns", password=PASSWORD, role=Role.TOWNSHIP_ORGANIZER,
                       display_name="两镇联络员", orgs=[tree.town_a, tree.town_b])  # fmt: skip
    today = timezone.localdate()
    task = services.task_issue(actor=tree.users["county_admin"], issuer=tree.town_b, title="乙镇专项", receiver_users=[both],
                               deadline=today + dt.timedelta(days=5), today=today)  # fmt: skip
    item = task.items.get()
    assert (item.receiver_user, item.receiver_org) == (both, tree.town_b)


def test_cascade_of_a_cascade_with_a_return_in_between(tree: Tree):
    """County → 甲镇 (P) → 一村 (C1) → its party group (G), and → 二村 (C2). G accepted submits C1
    upward; 甲镇 returns C1, 一村 resubmits by hand, 甲镇 accepts; P stays open while C2 is open (and
    turns red with C2's deadline although P's own has not passed), may not be submitted by hand, and
    goes up by itself when C2 is accepted."""
    d = dt.date(2026, 11, 30)
    start = dt.date(2026, 11, 2)
    admin, town, sec = tree.users["county_admin"], tree.users["township_organizer"], tree.users["branch_secretary"]
    group = make_org(tree.village_a1, "第一党小组", "party_group")
    p = services.task_issue(actor=admin, issuer=tree.county, title="换届准备", deadline=d, receiver_orgs=[tree.town_a],
                            today=start).items.get()  # fmt: skip
    child_task = services.item_cascade(actor=town, item=p, receiver_orgs=[tree.village_a1, tree.village_a2],
                                       deadline=d - dt.timedelta(days=5), today=start)  # fmt: skip
    c1 = child_task.items.get(receiver_org=tree.village_a1)
    c2 = child_task.items.get(receiver_org=tree.village_a2)
    g = services.item_cascade(actor=sec, item=c1, receiver_orgs=[group], deadline=d - dt.timedelta(days=8),
                              today=start).items.get()  # fmt: skip
    services.item_submit(actor=sec, item=g, text="小组已学习", today=start)
    services.item_accept(actor=sec, item=g, today=start)
    c1.refresh_from_db()
    assert c1.status == rules.SUBMITTED and "第一党小组" in c1.events.get(kind=rules.EV_SUBMIT).text
    services.item_return(actor=town, item=c1, reason="缺少会议记录", today=start + dt.timedelta(days=1))
    services.item_submit(actor=sec, item=c1, text="补会议记录", today=start + dt.timedelta(days=2))
    services.item_accept(actor=town, item=c1, today=start + dt.timedelta(days=3))
    p.refresh_from_db()
    assert p.status == rules.ACKNOWLEDGED  # C2 still open
    before = row_counts()
    with pytest.raises(ServiceError) as exc:
        services.item_submit(actor=town, item=p, text="先报", today=start + dt.timedelta(days=3))
    assert exc.value.messages == [rules.CASCADED_SUBMIT]
    assert row_counts() == before
    late = c2.deadline + dt.timedelta(days=1)  # P's own deadline is still 4 days away
    lights = selectors.item_lights([p], late)
    assert (lights[p.pk].color, lights[p.pk].sub) == (rules.RED, rules.SUB_OVERDUE)
    services.item_submit(actor=town, item=c2, text="二村完成", today=late)
    services.item_accept(actor=town, item=c2, today=late)
    p.refresh_from_db()
    assert p.status == rules.SUBMITTED and p.submitted_on == late
    assert (selectors.item_lights([p], late)[p.pk].sub) == rules.SUB_SUBMITTED
    services.item_accept(actor=admin, item=p, today=late)
    p.refresh_from_db()
    assert selectors.item_lights([p], late)[p.pk].color == rules.GREEN
    assert rules.is_on_time(p.deadline, p.accepted_on)



def test_escalation_reaches_a_read_only_liaison_leader(tree: Tree):
    """包联领导 may be a read-only account (the service accepts an inspector whose scope covers the
    receivers); the overdue item must still reach their queue — and nothing else of their orgs does."""
    start = dt.date(2026, 11, 2)
    inspector = tree.users["inspector"]  # read-only, 甲镇
    task = services.task_issue(actor=tree.users["county_admin"], issuer=tree.county, title="阵地建设", deadline=dt.date(2026, 11, 20),
                               receiver_orgs=[tree.village_a1, tree.town_a], liaison_leader=inspector, today=start)  # fmt: skip
    assert selectors.work_items(inspector, dt.date(2026, 11, 20)) == []  # the deadline day: not yet escalated
    got = selectors.work_items(inspector, dt.date(2026, 11, 21))
    assert sorted((w.group, w.severity, w.org.name) for w in got) == [
        ("supervision:overdue", "danger", "中共甲镇一村支部委员会"), ("supervision:overdue", "danger", "中共甲镇委员会")]
    assert all("包联" in w.title for w in got)
    item = task.items.get(receiver_org=tree.village_a1)
    services.item_submit(actor=tree.users["county_admin"], item=item, text="完成", today=dt.date(2026, 11, 21))
    services.item_accept(actor=tree.users["county_admin"], item=item, today=dt.date(2026, 11, 21))
    assert [w.org.name for w in selectors.work_items(inspector, dt.date(2026, 11, 22))] == ["中共甲镇委员会"]
