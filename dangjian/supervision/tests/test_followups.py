"""Follow-ups of issue 6 item 1: the API board paged like the board page (figures over every row of the
filter, not the page); an item cascaded (转办) to the same organization twice is refused by name with
nothing written; an overdue item can still be cascaded, with a deadline from today on, and stays red
and escalated until accepted."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dangjian.api.tests.conftest import token_caller
from dangjian.common.errors import ServiceError
from dangjian.supervision import api as supervision_api
from dangjian.supervision import rules, selectors, services
from dangjian.supervision.models import Item, Task
from dangjian.supervision.tests.conftest import row_counts
from dangjian.testing import Tree, make_org

pytestmark = pytest.mark.django_db
BASE = "/api/supervision"
A1 = "中共甲镇一村支部委员会"


def check_refused(call, field: str, message: str) -> None:
    before = row_counts()
    with pytest.raises(ServiceError) as exc:
        call()
    assert message in exc.value.errors.get(field, []), exc.value.errors
    assert row_counts() == before


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


# --- 1. the API board, paged ---------------------------------------------------------------------------------


@pytest.fixture
def big_task(tree: Tree) -> Task:
    """甲镇 4 villages and 乙镇 2, four monthly periods: 24 items; two of 乙镇一村's accepted (green)."""
    today = timezone.localdate()
    towns = [*(make_org(tree.town_a, f"甲镇{k}组村", "branch", category="rural") for k in range(4)),
             tree.village_b1, make_org(tree.town_b, "乙镇二村", "branch", category="rural")]  # fmt: skip
    admin = tree.users["county_admin"]
    task = services.task_issue(actor=admin, issuer=tree.county, title="月度党建工作", deadline=today + dt.timedelta(days=2),
                               recurrence=rules.MONTHLY, recur_until=today + dt.timedelta(days=31 * 3 + 1),
                               receiver_orgs=towns, today=today)  # fmt: skip
    for item in task.items.filter(receiver_org=tree.village_b1).order_by("deadline")[:2]:
        services.item_submit(actor=admin, item=item, text="完成", today=today)
        services.item_accept(actor=admin, item=item, today=today)
    return task


def board_ids(tree: Tree, task: Task, **filters) -> list[int]:
    b = selectors.board(tree.users["county_admin"], task, timezone.localdate(), **filters)
    return [r.item.pk for r in b.rows]


@pytest.mark.urls("dangjian.supervision.tests.api_urls")
def test_api_board_is_paged_with_figures_over_every_row(tree: Tree, big_task: Task, settings):
    settings.PAGE_SIZE = 10
    caller = token_caller(tree.users["county_admin"])
    assert big_task.items.count() == 24
    pages = [caller.get(f"{BASE}/tasks/{big_task.pk}/board", {"page": n}).json() for n in (1, 2, 3)]
    assert [len(p["items"]) for p in pages] == [10, 10, 4]
    assert {(p["count"], p["pages"], p["page_size"]) for p in pages} == {(24, 3, 10)}
    assert [p["page"] for p in pages] == [1, 2, 3]
    # The pages together are the selector's rows, in its order, each once.
    assert [i["id"] for p in pages for i in p["items"]] == board_ids(tree, big_task)
    for p in pages:  # every page carries the figures of all 24 items
        assert p["rates"]["assigned"] == 24 and p["rates"]["accepted"] == 2 and p["rates"]["completion_rate"] == "8.3"
        assert p["light_counts"] == {rules.RED: 0, rules.AMBER: 22, rules.GREEN: 2}
    past = caller.get(f"{BASE}/tasks/{big_task.pk}/board", {"page": 4}).json()
    assert (past["items"], past["count"], past["pages"], past["page"]) == ([], 24, 3, 4)
    assert caller.get(f"{BASE}/tasks/{big_task.pk}/board", {"page": 0}).json()["page"] == 1


@pytest.mark.urls("dangjian.supervision.tests.api_urls")
def test_api_board_page_size_has_a_maximum(tree: Tree, big_task: Task, settings, monkeypatch):
    settings.PAGE_SIZE = 10
    monkeypatch.setattr(supervision_api, "BOARD_PAGE_SIZE_MAX", 20)
    caller = token_caller(tree.users["county_admin"])
    url = f"{BASE}/tasks/{big_task.pk}/board"
    five = caller.get(url, {"page_size": 5, "page": 5}).json()
    assert (len(five["items"]), five["pages"], five["page_size"]) == (4, 5, 5)
    huge = caller.get(url, {"page_size": 100000}).json()
    assert (len(huge["items"]), huge["pages"], huge["page_size"]) == (20, 2, 20)
    assert caller.get(url, {"page_size": 0}).json()["page_size"] == 1


def test_board_page_size_maximum_is_sane():
    assert 100 <= supervision_api.BOARD_PAGE_SIZE_MAX <= 1000


@pytest.mark.urls("dangjian.supervision.tests.api_urls")
def test_api_board_filters_and_task_detail_paged(tree: Tree, big_task: Task, settings):
    settings.PAGE_SIZE = 10
    caller = token_caller(tree.users["county_admin"])
    green = caller.get(f"{BASE}/tasks/{big_task.pk}/board", {"light": rules.GREEN}).json()
    # The light filter pages the green rows; the figures stay those of the whole task.
    assert (green["count"], green["pages"], len(green["items"])) == (2, 1, 2)
    assert {i["receiver_org_id"] for i in green["items"]} == {tree.village_b1.pk}
    assert green["rates"]["assigned"] == 24 and green["light_counts"][rules.AMBER] == 22
    town_b = caller.get(f"{BASE}/tasks/{big_task.pk}", {"township_id": tree.town_b.pk, "page": 1}).json()
    assert (town_b["count"], town_b["pages"], len(town_b["items"])) == (8, 1, 8)
    assert (town_b["rates"]["assigned"], town_b["rates"]["accepted"]) == (8, 2)
    period = Item.objects.filter(task=big_task).order_by("deadline").first().period
    one = caller.get(f"{BASE}/tasks/{big_task.pk}", {"period": period, "page": 2, "page_size": 4}).json()
    assert (one["count"], one["pages"], one["page"], one["rates"]["assigned"]) == (6, 2, 2, 6)
    assert [i["id"] for i in one["items"]] == board_ids(tree, big_task, period=period)[4:]
    town_a_green = caller.get(f"{BASE}/tasks/{big_task.pk}/board", {"township_id": tree.town_a.pk, "light": rules.GREEN}).json()
    assert (town_a_green["count"], town_a_green["pages"], town_a_green["items"]) == (0, 1, [])


# --- 2. no second child for the same organization ---------------------------------------------------------------


def county_item(tree: Tree, *, today: dt.date, deadline: dt.date, liaison=None) -> Item:
    task = services.task_issue(actor=tree.users["county_admin"], issuer=tree.county, title="县级任务", deadline=deadline,
                               receiver_orgs=[tree.town_a], liaison_leader=liaison, today=today)  # fmt: skip
    return task.items.get()


def test_cascade_twice_to_the_same_org_is_refused_by_name(tree: Tree):
    today = timezone.localdate()
    town = tree.users["township_organizer"]
    item = county_item(tree, today=today, deadline=today + dt.timedelta(days=9))
    services.item_cascade(actor=town, item=item, receiver_orgs=[tree.village_a1], today=today)
    check_refused(lambda: services.item_cascade(actor=town, item=item, receiver_orgs=[tree.village_a2, tree.village_a1],
                                                today=today),
                  "receiver_orgs", f"此事项已转办给“{A1}”，不能重复转办。")  # fmt: skip
    # Another organization is fine: a second child task, one more child item.
    services.item_cascade(actor=town, item=item, receiver_orgs=[tree.village_a2], today=today)
    children = Item.objects.filter(task__parent_item=item)
    assert sorted(children.values_list("receiver_org__name", flat=True)) == sorted([A1, "中共甲镇二村支部委员会"])
    assert Task.objects.filter(parent_item=item).count() == 2
    assert [o.name for o in selectors.cascaded_to(town, item)] == [A1, "中共甲镇二村支部委员会"]


def test_the_same_org_twice_in_one_cascade_is_refused(tree: Tree):
    today = timezone.localdate()
    item = county_item(tree, today=today, deadline=today + dt.timedelta(days=9))
    check_refused(lambda: services.item_cascade(actor=tree.users["township_organizer"], item=item,
                                                receiver_orgs=[tree.village_a1, tree.village_a2, tree.village_a1], today=today),
                  "receiver_orgs", f"“{A1}”选了不止一次，同一事项只能转办给它一次。")  # fmt: skip
    assert not Task.objects.filter(parent_item=item).exists()


@pytest.mark.urls("dangjian.supervision.tests.api_urls")
def test_api_cascade_dedupes_ids_then_refuses_a_second_cascade(tree: Tree):
    today = timezone.localdate()
    item = county_item(tree, today=today, deadline=today + dt.timedelta(days=9))
    town = token_caller(tree.users["township_organizer"])
    first = town.post(f"{BASE}/items/{item.pk}/cascade", {"receiver_org_ids": [tree.village_a1.pk, tree.village_a1.pk]})
    assert first.status_code == 201, first.content.decode()
    assert [i["receiver_org_id"] for i in first.json()["items"]] == [tree.village_a1.pk]
    before = row_counts()
    again = town.post(f"{BASE}/items/{item.pk}/cascade", {"receiver_org_ids": [tree.village_a1.pk]})
    assert again.status_code == 422
    assert again.json()["errors"]["receiver_orgs"] == [f"此事项已转办给“{A1}”，不能重复转办。"]
    assert row_counts() == before


def test_cascade_page_refuses_a_second_cascade_to_the_same_org(tree: Tree):
    today = timezone.localdate()
    item = county_item(tree, today=today, deadline=today + dt.timedelta(days=9))
    town = client_for(tree.users["township_organizer"])
    url = reverse("supervision:item_cascade", args=[item.pk])
    deadline = (today + dt.timedelta(days=5)).isoformat()
    # The same box posted twice is one receiver (the form's choices are a set).
    assert town.post(url, {"receiver_orgs": [tree.village_a1.pk, tree.village_a1.pk], "deadline": deadline}).status_code == 302
    assert Item.objects.filter(task__parent_item=item).count() == 1
    assert f"已转办给：{A1}（不能重复转办）。" in town.get(url).content.decode()
    before = row_counts()
    again = town.post(url, {"receiver_orgs": [tree.village_a1.pk], "deadline": deadline})
    assert again.status_code == 200 and f"此事项已转办给“{A1}”，不能重复转办。" in again.content.decode()
    assert row_counts() == before


# --- 3. an overdue item can still be cascaded ----------------------------------------------------------------------


def test_cascade_deadline_rule_at_the_boundary_days():
    due = dt.date(2026, 11, 30)
    err = rules.cascade_deadline_error
    # Not overdue (up to and including the deadline day): from today to the item's deadline.
    assert err(deadline=None, item_deadline=due, today=due) is None
    assert err(deadline=due, item_deadline=due, today=due) is None
    assert err(deadline=due + dt.timedelta(days=1), item_deadline=due, today=due) == rules.CASCADE_DEADLINE.format(deadline=due)
    assert err(deadline=due - dt.timedelta(days=1), item_deadline=due, today=due) == rules.DEADLINE_PAST.format(
        deadline=due - dt.timedelta(days=1), today=due)
    # Overdue (the day after the deadline on): any day from today on, given explicitly.
    late = due + dt.timedelta(days=1)
    refused = rules.CASCADE_OVERDUE_DEADLINE.format(deadline=due, today=late)
    assert refused == "此事项已逾期（完成时限2026-11-30），请另定下级完成时限：今天（2026-12-01）或以后的日期。"
    assert err(deadline=late, item_deadline=due, today=late) is None
    assert err(deadline=late + dt.timedelta(days=60), item_deadline=due, today=late) is None
    assert err(deadline=due, item_deadline=due, today=late) == refused
    assert err(deadline=None, item_deadline=due, today=late) == refused


def test_an_overdue_item_is_cascaded_and_stays_red_and_escalated(tree: Tree):
    admin, town, secretary = tree.users["county_admin"], tree.users["township_organizer"], tree.users["branch_secretary"]
    issued = dt.date(2026, 11, 2)
    due = dt.date(2026, 11, 20)
    today = dt.date(2026, 11, 23)  # three days overdue
    item = county_item(tree, today=issued, deadline=due, liaison=admin)
    refused = rules.CASCADE_OVERDUE_DEADLINE.format(deadline=due, today=today)
    check_refused(lambda: services.item_cascade(actor=town, item=item, receiver_orgs=[tree.village_a1], today=today),
                  "deadline", refused)  # fmt: skip
    check_refused(lambda: services.item_cascade(actor=town, item=item, receiver_orgs=[tree.village_a1],
                                                deadline=today - dt.timedelta(days=1), today=today), "deadline", refused)  # fmt: skip
    child_due = today + dt.timedelta(days=7)
    child_task = services.item_cascade(actor=town, item=item, receiver_orgs=[tree.village_a1], deadline=child_due, today=today)
    child = child_task.items.get()
    assert (child_task.deadline, child.deadline) == (child_due, child_due)
    assert (child.period, child.county_id) == (item.period, item.county_id)

    # The child is amber (not due); the parent stays red by its own deadline, and escalated to its
    # task's liaison leader.
    lights = selectors.item_lights([item, child], today)
    assert (lights[child.pk].color, lights[child.pk].sub) == (rules.AMBER, rules.SUB_NOT_DUE)
    assert (lights[item.pk].color, lights[item.pk].sub, lights[item.pk].days_left) == (rules.RED, rules.SUB_OVERDUE, -3)
    item.refresh_from_db()
    assert rules.escalated(status=item.status, deadline=item.deadline, today=today)
    queue = [w for w in selectors.work_items(admin, today) if w.url == selectors.item_url(item.pk)]
    assert [(w.group, w.severity) for w in queue] == [("supervision:overdue", "danger")]
    assert "（包联）" in queue[0].title

    # The child done on time: the parent goes up automatically, red "逾期待验收" until accepted, then
    # green but late.
    services.item_submit(actor=secretary, item=child, text="一村完成", today=today + dt.timedelta(days=1))
    services.item_accept(actor=town, item=child, today=today + dt.timedelta(days=2))
    item.refresh_from_db()
    assert item.status == rules.SUBMITTED
    after = selectors.item_lights([item], today + dt.timedelta(days=2))[item.pk]
    assert (after.color, after.sub) == (rules.RED, rules.SUB_OVERDUE_SUBMITTED)
    services.item_accept(actor=admin, item=item, today=today + dt.timedelta(days=3))
    item.refresh_from_db()
    done = selectors.item_lights([item], today + dt.timedelta(days=3))[item.pk]
    assert (done.color, done.sub) == (rules.GREEN, rules.SUB_DONE_LATE)
    assert rules.overdue_days(item.deadline, item.accepted_on, today + dt.timedelta(days=3)) == 6


def test_cascade_page_for_an_overdue_item(tree: Tree):
    today = timezone.localdate()
    item = county_item(tree, today=today - dt.timedelta(days=10), deadline=today - dt.timedelta(days=2))
    town = client_for(tree.users["township_organizer"])
    url = reverse("supervision:item_cascade", args=[item.pk])
    page = town.get(url)
    # The passed deadline is not offered as the children's; the help says what is allowed.
    assert page.context["form"]["deadline"].value() is None
    assert "本事项已逾期，下级完成时限可定今天或以后的日期" in page.content.decode()
    resp = town.post(url, {"receiver_orgs": [tree.village_a1.pk], "deadline": (today + dt.timedelta(days=5)).isoformat()})
    assert resp.status_code == 302
    assert Item.objects.get(task__parent_item=item).deadline == today + dt.timedelta(days=5)
