"""Selectors: scope (404s), the board's lights, filters and rates against hand-counted fixtures,
receiver_stats for assessment, the work queue at the boundary days, and the organization panel."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.http import Http404

from dangjian.accounts.models import Role
from dangjian.accounts.services import user_create
from dangjian.supervision import rules, selectors, services
from dangjian.supervision.tests.conftest import TODAY, png
from dangjian.testing import PASSWORD, Tree, make_org

pytestmark = pytest.mark.django_db
DEADLINE = TODAY + dt.timedelta(days=20)


def issue(tree: Tree, receivers, **kw):
    kw.setdefault("deadline", DEADLINE)
    return services.task_issue(actor=tree.users["county_admin"], issuer=tree.county, title="党建述职准备",
                               receiver_orgs=receivers, today=TODAY, **kw)  # fmt: skip


@pytest.fixture
def fixture_board(tree: Tree):
    """County task to 甲镇一村, 甲镇二村, 乙镇一村 and 甲镇 itself. By day DEADLINE + 1 (hand count):
    一村 accepted on time, 二村 accepted one day late (returned once first), 乙镇一村 submitted but
    not reviewed (red), 甲镇 untouched (red). Assigned 4, accepted 2, on time 1, overdue open 2,
    returns 1 → completion 50.0 %, on time 25.0 %."""
    admin = tree.users["county_admin"]
    task = issue(tree, [tree.village_a1, tree.village_a2, tree.village_b1, tree.town_a])
    it = {i.receiver_org_id: i for i in task.items.all()}
    a1, a2, b1 = it[tree.village_a1.pk], it[tree.village_a2.pk], it[tree.village_b1.pk]
    services.item_submit(actor=admin, item=a1, text="完成", today=TODAY)
    services.item_accept(actor=admin, item=a1, today=DEADLINE)
    services.item_submit(actor=admin, item=a2, text="完成", today=TODAY)
    services.item_return(actor=admin, item=a2, reason="材料不全", today=TODAY + dt.timedelta(days=1))
    services.item_submit(actor=admin, item=a2, text="补全", today=DEADLINE)
    services.item_accept(actor=admin, item=a2, today=DEADLINE + dt.timedelta(days=1))
    services.item_submit(actor=admin, item=b1, text="完成", files=[png()], today=DEADLINE)
    return task


def test_board_rates_lights_and_filters(tree: Tree, fixture_board):
    day = DEADLINE + dt.timedelta(days=1)
    b = selectors.board(tree.users["county_admin"], fixture_board, day)
    assert (b.rates.assigned, b.rates.accepted, b.rates.on_time, b.rates.overdue_open, b.rates.returned) == (4, 2, 1, 2, 1)
    assert (b.rates.completion_rate, b.rates.on_time_rate) == (Decimal("50.0"), Decimal("25.0"))
    assert b.light_counts == {rules.RED: 2, rules.AMBER: 0, rules.GREEN: 2}
    subs = {r.item.receiver_org.name: r.light.sub for r in b.rows}
    assert subs == {"中共甲镇委员会": rules.SUB_OVERDUE, "中共甲镇一村支部委员会": rules.SUB_DONE,
                    "中共甲镇二村支部委员会": rules.SUB_DONE_LATE, "中共乙镇一村支部委员会": rules.SUB_OVERDUE_SUBMITTED}
    assert [t.name for t in b.townships] == ["中共甲镇委员会", "中共乙镇委员会"]
    assert {r.item.receiver_org.name: r.overdue_days for r in b.rows} == {
        "中共甲镇委员会": 1, "中共甲镇一村支部委员会": 0, "中共甲镇二村支部委员会": 1, "中共乙镇一村支部委员会": 1}
    per_town = {o.name: (r.assigned, r.accepted, r.on_time, r.overdue_open, r.returned) for o, r in b.by_township}
    assert per_town == {"中共甲镇委员会": (3, 2, 1, 1, 1), "中共乙镇委员会": (1, 0, 0, 1, 0)}
    # Township filter: 甲镇 (itself and its villages) → 3 items, 2 accepted, 1 on time.
    ta = selectors.board(tree.users["county_admin"], fixture_board, day, township_id=tree.town_a.pk)
    assert (ta.rates.assigned, ta.rates.accepted, ta.rates.on_time) == (3, 2, 1)
    assert ta.rates.completion_rate == Decimal("66.7")
    red = selectors.board(tree.users["county_admin"], fixture_board, day, light=rules.RED)
    assert sorted(r.item.receiver_org.name for r in red.rows) == ["中共乙镇一村支部委员会", "中共甲镇委员会"]
    # Before anything was accepted, on the day before the reminder window, all are amber.
    early = selectors.board(tree.users["county_admin"], fixture_board, DEADLINE - dt.timedelta(days=6))
    assert early.rates.accepted == 0
    with pytest.raises(Http404):
        selectors.board(tree.users["county_admin"], fixture_board, day, township_id=tree.village_a1.pk)


def test_scope_a_township_sees_its_own_items_only(tree: Tree, fixture_board):
    town, secretary = tree.users["township_organizer"], tree.users["branch_secretary"]
    b = selectors.board(town, fixture_board, DEADLINE)
    assert sorted(r.item.receiver_org.name for r in b.rows) == ["中共甲镇一村支部委员会", "中共甲镇二村支部委员会", "中共甲镇委员会"]
    assert selectors.task_get(secretary, fixture_board.pk) == fixture_board
    b1 = fixture_board.items.get(receiver_org=tree.village_b1)
    for actor in (town, secretary, tree.users["inspector"], tree.users["member"]):
        with pytest.raises(Http404):
            selectors.item_get(actor, b1.pk)
        with pytest.raises(Http404):
            selectors.evidence_get(actor, b1.evidence.get().pk)
    with pytest.raises(Http404):
        selectors.task_get(tree.users["member"], fixture_board.pk)
    with pytest.raises(Http404):
        selectors.item_get(secretary, "abc")
    assert not selectors.is_issuer_side(town, fixture_board)
    assert [t.pk for t in selectors.task_list(town, selectors.RECEIVED)] == [fixture_board.pk]
    assert list(selectors.task_list(town, selectors.ISSUED)) == []


def test_receiver_stats(tree: Tree, fixture_board):
    day = DEADLINE + dt.timedelta(days=1)
    a2 = selectors.receiver_stats(tree.village_a2, TODAY, DEADLINE, day)
    assert (a2.assigned, a2.accepted, a2.accepted_on_time, a2.overdue_open, a2.returned) == (1, 1, 0, 0, 1)
    assert a2.item_ids == [fixture_board.items.get(receiver_org=tree.village_a2).pk]
    town = selectors.receiver_stats(tree.town_a, TODAY, DEADLINE, day)
    assert (town.assigned, town.accepted, town.overdue_open) == (1, 0, 1)  # the villages are not the township's own
    # As of an earlier day the later acceptance has not happened yet; outside the window nothing counts.
    before = selectors.receiver_stats(tree.village_a2, TODAY, DEADLINE, DEADLINE)
    assert (before.accepted, before.overdue_open) == (0, 0)
    assert selectors.receiver_stats(tree.village_a2, DEADLINE + dt.timedelta(days=1), DEADLINE + dt.timedelta(days=9), day).assigned == 0


def groups(actor, today):
    return sorted((w.group, w.severity, w.org.name) for w in selectors.work_items(actor, today))


def test_work_items_at_the_boundary_days(tree: Tree):
    secretary, town, admin = tree.users["branch_secretary"], tree.users["township_organizer"], tree.users["county_admin"]
    task = issue(tree, [tree.village_a1], liaison_leader=town)
    item = task.items.get()
    # Before the reminder window the receiver is told of the new task until it is acknowledged (签收).
    assert groups(secretary, DEADLINE - dt.timedelta(days=6)) == [("supervision:new", "info", "中共甲镇一村支部委员会")]
    assert groups(secretary, DEADLINE - dt.timedelta(days=5)) == [("supervision:reminder", "warning", "中共甲镇一村支部委员会")]
    assert groups(secretary, DEADLINE) == [("supervision:reminder", "warning", "中共甲镇一村支部委员会")]
    assert groups(secretary, DEADLINE + dt.timedelta(days=1)) == [("supervision:overdue", "danger", "中共甲镇一村支部委员会")]
    # Escalated to the liaison leader only after the deadline; the county admin (not assigned there) is not flooded.
    assert groups(town, DEADLINE) == []
    assert groups(town, DEADLINE + dt.timedelta(days=1)) == [("supervision:overdue", "danger", "中共甲镇一村支部委员会")]
    assert groups(admin, DEADLINE + dt.timedelta(days=1)) == []
    assert selectors.work_items(tree.users["inspector"], DEADLINE + dt.timedelta(days=1)) == []
    assert selectors.work_items(tree.users["member"], DEADLINE + dt.timedelta(days=1)) == []
    services.item_acknowledge(actor=secretary, item=item, today=TODAY)
    assert groups(secretary, DEADLINE - dt.timedelta(days=6)) == []
    services.item_submit(actor=secretary, item=item, text="完成", today=TODAY)
    assert groups(admin, TODAY) == [("supervision:review", "warning", "中共甲镇一村支部委员会")]
    assert groups(secretary, TODAY) == []
    services.item_return(actor=admin, item=item, reason="重报", today=TODAY)
    assert groups(secretary, TODAY) == [("supervision:returned", "warning", "中共甲镇一村支部委员会")]
    w = selectors.work_items(secretary, TODAY)[0]
    assert w.url == f"/supervision/items/{item.pk}/" and w.due == DEADLINE


def test_org_panel(tree: Tree, fixture_board):
    day = DEADLINE + dt.timedelta(days=1)
    panel = selectors.org_panel(tree.users["county_admin"], tree.village_a2, day)
    assert panel is not None and (panel.open, panel.overdue, panel.returned_this_year) == (0, 0, 1) and panel.rows == []
    b1 = selectors.org_panel(tree.users["county_admin"], tree.village_b1, day)
    assert b1 is not None and (b1.open, b1.overdue) == (1, 1) and b1.rows[0].light.color == rules.RED
    empty = make_org(tree.town_a, "中共甲镇三村支部委员会", "branch", category="rural")
    assert selectors.org_panel(tree.users["county_admin"], empty, day) is None
    other = user_create(actor=None, username="town_b", password=PASSWORD, role=Role.TOWNSHIP_ORGANIZER,
                        display_name="乙镇组织委员", orgs=[tree.town_b])
    assert selectors.org_panel(other, tree.village_a2, day) is None


def test_reminder_days_setting_moves_the_reminder(tree: Tree):
    from dangjian.common.services import setting_update
    from dangjian.supervision import params

    secretary = tree.users["branch_secretary"]
    issue(tree, [tree.village_a1])
    day = DEADLINE - dt.timedelta(days=8)
    assert groups(secretary, day) == [("supervision:new", "info", "中共甲镇一村支部委员会")]
    setting_update(actor=tree.users["county_admin"], key=params.REMINDER_DAYS, value=8)
    assert params.reminder_days() == 8
    assert groups(secretary, day) == [("supervision:reminder", "warning", "中共甲镇一村支部委员会")]
    board = selectors.board(tree.users["county_admin"], tree.village_a1.supervision_items.get().task, day)
    assert board.rows[0].light.sub == rules.SUB_DUE_SOON


def test_recurring_board_by_period(tree: Tree):
    admin = tree.users["county_admin"]
    task = issue(tree, [tree.village_a1, tree.village_a2], deadline=dt.date(2026, 11, 30), recurrence=rules.MONTHLY,
                 recur_until=dt.date(2027, 1, 31))
    nov = task.items.filter(period="2026年11月")
    for i in nov:
        services.item_submit(actor=admin, item=i, text="完成", today=TODAY)
        services.item_accept(actor=admin, item=i, today=TODAY)
    b = selectors.board(admin, task, TODAY)
    assert b.periods == ["2026年11月", "2026年12月", "2027年1月"]
    assert (b.rates.assigned, b.rates.accepted, b.rates.completion_rate) == (6, 2, Decimal("33.3"))
    one = selectors.board(admin, task, TODAY, period="2026年11月")
    assert (one.rates.assigned, one.rates.on_time, one.rates.on_time_rate) == (2, 2, Decimal("100.0"))
    assert [r.item.deadline for r in selectors.board(admin, task, TODAY, period="2026年12月").rows] == [dt.date(2026, 12, 31)] * 2


def test_a_new_recurring_task_is_one_line_to_acknowledge(tree: Tree):
    """A monthly task for a year puts its earliest period in the receiver's queue, not all twelve; once
    that period is acknowledged the next unacknowledged period is the one shown."""
    secretary = tree.users["branch_secretary"]
    task = issue(tree, [tree.village_a1], recurrence=rules.MONTHLY, recur_until=DEADLINE + dt.timedelta(days=340))
    items = list(task.items.order_by("deadline"))
    assert len(items) == 12
    shown = selectors.work_items(secretary, TODAY)
    assert [(w.group, w.due) for w in shown] == [("supervision:new", items[0].deadline)]
    services.item_acknowledge(actor=secretary, item=items[0], today=TODAY)
    assert [(w.group, w.due) for w in selectors.work_items(secretary, TODAY)] == [("supervision:new", items[1].deadline)]
