"""Services: a task's whole life (return and resubmission), recurrence, cascading, permissions, and bad
input refused with Chinese messages and nothing written."""

from __future__ import annotations

import datetime as dt

import pytest

from dangjian.accounts.models import Role
from dangjian.accounts.services import user_create
from dangjian.common.errors import NotPermitted, ServiceError
from dangjian.common.models import AuditEvent
from dangjian.orglife import rules as file_rules
from dangjian.supervision import rules, selectors, services
from dangjian.supervision.models import Evidence, Item, ItemEvent, Task
from dangjian.supervision.tests.conftest import TODAY, docx, exe, png, row_counts
from dangjian.testing import PASSWORD, Tree

pytestmark = pytest.mark.django_db
DEADLINE = TODAY + dt.timedelta(days=20)


def issue(tree: Tree, **kw) -> Task:
    kw.setdefault("actor", tree.users["county_admin"])
    kw.setdefault("issuer", tree.county)
    kw.setdefault("title", "开展主题党日活动")
    kw.setdefault("deadline", DEADLINE)
    kw.setdefault("receiver_orgs", [tree.village_a1])
    kw.setdefault("today", TODAY)
    return services.task_issue(**kw)


def check_refused(call, field: str, message: str) -> None:
    before = row_counts()
    with pytest.raises(ServiceError) as exc:
        call()
    assert message in exc.value.errors[field], exc.value.errors
    assert row_counts() == before


def test_life_through_return_and_resubmission(tree: Tree):
    admin, secretary = tree.users["county_admin"], tree.users["branch_secretary"]
    task = issue(tree, basis="示组〔2026〕8号", actions="召开支委会\n组织学习", evidence_required="会议记录、照片",
                 responsible_leader="张部长", liaison_leader=tree.users["township_organizer"])
    item = task.items.get()
    assert (item.status, item.deadline, item.receiver_org) == (rules.ASSIGNED, DEADLINE, tree.village_a1)
    assert task.action_lines == ["召开支委会", "组织学习"]

    services.item_acknowledge(actor=secretary, item=item, today=TODAY)
    services.item_progress(actor=secretary, item=item, text="已召开支委会", today=TODAY + dt.timedelta(days=1))
    services.item_submit(actor=secretary, item=item, text="活动已开展", files=[png(), docx()], today=TODAY + dt.timedelta(days=2))
    item.refresh_from_db()
    assert (item.status, item.submitted_on, item.acknowledged_on) == (rules.SUBMITTED, TODAY + dt.timedelta(days=2), TODAY)
    assert sorted(Evidence.objects.filter(item=item).values_list("file_type", flat=True)) == ["docx", "png"]

    services.item_return(actor=admin, item=item, reason="缺少会议记录", today=TODAY + dt.timedelta(days=3))
    item.refresh_from_db()
    assert (item.status, item.returned_count) == (rules.RETURNED, 1)
    # The secretary cannot review their own item; the county cannot accept what is not submitted.
    with pytest.raises(NotPermitted):
        services.item_accept(actor=secretary, item=item, today=TODAY + dt.timedelta(days=3))
    check_refused(lambda: services.item_accept(actor=admin, item=item, today=TODAY), "__all__",
                  "此事项当前状态为“被退回”，不能验收通过。")

    services.item_submit(actor=secretary, item=item, text="补充会议记录", files=[docx("会议记录.docx")], today=TODAY + dt.timedelta(days=4))
    services.item_accept(actor=admin, item=item, today=TODAY + dt.timedelta(days=5))
    item.refresh_from_db()
    assert (item.status, item.accepted_on, item.returned_count) == (rules.ACCEPTED, TODAY + dt.timedelta(days=5), 1)
    kinds = list(ItemEvent.objects.filter(item=item).values_list("kind", flat=True))
    assert kinds == ["acknowledge", "progress", "submit", "return", "submit", "accept"]
    assert ItemEvent.objects.get(item=item, kind="return").text == "缺少会议记录"
    actions = list(AuditEvent.objects.filter(action__startswith="supervision.").order_by("pk").values_list("action", flat=True))
    assert actions == ["supervision.task.issue", "supervision.item.acknowledge", "supervision.item.progress",
                       "supervision.item.submit", "supervision.item.return", "supervision.item.submit",
                       "supervision.item.accept"]  # fmt: skip
    assert AuditEvent.objects.get(action="supervision.item.return").reason == "缺少会议记录"
    light = selectors.item_lights([item], TODAY + dt.timedelta(days=30))[item.pk]
    assert (light.color, light.sub) == (rules.GREEN, rules.SUB_DONE)


def test_accepted_after_deadline_is_green_but_late(tree: Tree):
    item = issue(tree).items.get()
    services.item_submit(actor=tree.users["branch_secretary"], item=item, text="完成", today=DEADLINE)
    services.item_accept(actor=tree.users["county_admin"], item=item, today=DEADLINE + dt.timedelta(days=1))
    item.refresh_from_db()
    stats = selectors.receiver_stats(tree.village_a1, TODAY, DEADLINE, DEADLINE + dt.timedelta(days=2))
    assert (stats.assigned, stats.accepted, stats.accepted_on_time, stats.overdue_open) == (1, 1, 0, 0)
    assert selectors.item_lights([item], DEADLINE + dt.timedelta(days=2))[item.pk].sub == rules.SUB_DONE_LATE


def test_recurrence_creates_an_item_per_receiver_per_period(tree: Tree):
    task = issue(tree, recurrence=rules.QUARTERLY, deadline=dt.date(2026, 12, 31), recur_until=dt.date(2027, 6, 30),
                 receiver_orgs=[tree.village_a1, tree.village_b1, tree.village_a1])
    rows = list(task.items.order_by("deadline", "receiver_org__path").values_list("period", "deadline", "receiver_org"))
    assert rows == [
        ("2026年第4季度", dt.date(2026, 12, 31), tree.village_a1.pk), ("2026年第4季度", dt.date(2026, 12, 31), tree.village_b1.pk),
        ("2027年第1季度", dt.date(2027, 3, 31), tree.village_a1.pk), ("2027年第1季度", dt.date(2027, 3, 31), tree.village_b1.pk),
        ("2027年第2季度", dt.date(2027, 6, 30), tree.village_a1.pk), ("2027年第2季度", dt.date(2027, 6, 30), tree.village_b1.pk),
    ]  # fmt: skip


def test_deadline_today_is_allowed(tree: Tree):
    item = issue(tree, deadline=TODAY).items.get()
    assert item.deadline == TODAY


def test_named_user_receiver(tree: Tree):
    task = issue(tree, receiver_orgs=[], receiver_users=[tree.users["branch_secretary"]])
    item = task.items.get()
    assert (item.receiver_user, item.receiver_org) == (tree.users["branch_secretary"], tree.village_a1)


def test_bad_input_writes_nothing(tree: Tree):
    town = tree.users["township_organizer"]
    check_refused(lambda: issue(tree, deadline=TODAY - dt.timedelta(days=1)), "deadline",
                  "完成时限（2026-11-01）不能早于今天（2026-11-02）。")
    check_refused(lambda: issue(tree, actor=town, issuer=tree.town_a, receiver_orgs=[tree.village_a1, tree.village_b1]),
                  "receiver_orgs", "“中共乙镇一村支部委员会”不在中共甲镇委员会的下级范围内，不能向其交办。")
    check_refused(lambda: issue(tree, receiver_orgs=[tree.county]), "receiver_orgs",
                  "“中共示范县委员会”不在中共示范县委员会的下级范围内，不能向其交办。")
    check_refused(lambda: issue(tree, title="  "), "title", rules.TITLE_REQUIRED)
    check_refused(lambda: issue(tree, receiver_orgs=[]), "receiver_orgs", rules.NO_RECEIVERS)
    check_refused(lambda: issue(tree, recurrence=rules.MONTHLY), "recur_until", rules.RECUR_UNTIL_REQUIRED)
    check_refused(lambda: issue(tree, recurrence=rules.MONTHLY, recur_until=dt.date(2030, 12, 31)), "recur_until",
                  rules.TOO_MANY_PERIODS.format(n=rules.MAX_PERIODS))
    check_refused(lambda: issue(tree, receiver_orgs=[tree.village_b1], liaison_leader=town), "liaison_leader",
                  "包联领导“甲镇组织委员”的管理范围不包括“中共乙镇一村支部委员会”，不能包联这项任务。")
    check_refused(lambda: issue(tree, receiver_orgs=[], receiver_users=[tree.users["inspector"]]), "receiver_users",
                  "“甲镇督查员”不是可以办理任务的工作人员账号。")
    # A township organizer may not issue in the county's name; an inspector may not issue at all.
    before = row_counts()
    with pytest.raises(NotPermitted):
        issue(tree, actor=town)
    with pytest.raises(NotPermitted):
        issue(tree, actor=tree.users["inspector"], issuer=tree.town_a)
    assert row_counts() == before


def test_forbidden_evidence_refused(tree: Tree):
    item = issue(tree).items.get()
    secretary = tree.users["branch_secretary"]
    check_refused(lambda: services.item_submit(actor=secretary, item=item, text="见附件", files=[png(), exe()], today=TODAY),
                  "files", "“setup.exe”的文件类型不允许：附件只能是docx、gif、jpeg、jpg、pdf、png、webp、xlsx。")
    renamed = exe("照片.png")
    check_refused(lambda: services.item_submit(actor=secretary, item=item, files=[renamed], today=TODAY), "files",
                  file_rules.FILE_CONTENT_MISMATCH.format(name="照片.png", ext="png"))
    check_refused(lambda: services.item_submit(actor=secretary, item=item, today=TODAY), "text", rules.EVIDENCE_REQUIRED)
    check_refused(lambda: services.item_return(actor=tree.users["county_admin"], item=item, reason="", today=TODAY),
                  "__all__", "此事项当前状态为“待签收”，不能退回。")
    item.refresh_from_db()
    assert item.status == rules.ASSIGNED


def test_other_township_cannot_act(tree: Tree):
    other = user_create(actor=None, username="town_b", password=PASSWORD, role=Role.TOWNSHIP_ORGANIZER,
                        display_name="乙镇组织委员", orgs=[tree.town_b])
    item = issue(tree).items.get()
    before = row_counts()
    for call in (lambda: services.item_acknowledge(actor=other, item=item, today=TODAY),
                 lambda: services.item_submit(actor=other, item=item, text="x", today=TODAY),
                 lambda: services.item_acknowledge(actor=tree.users["inspector"], item=item, today=TODAY)):
        with pytest.raises(NotPermitted):
            call()
    assert row_counts() == before


def test_cascade_parent_follows_children_and_submits_upward(tree: Tree):
    admin, town = tree.users["county_admin"], tree.users["township_organizer"]
    secretary = tree.users["branch_secretary"]
    parent = issue(tree, receiver_orgs=[tree.town_a]).items.get()
    # Only inside the township's own subtree, and not later than its own deadline.
    check_refused(lambda: services.item_cascade(actor=town, item=parent, receiver_orgs=[tree.village_b1], today=TODAY),
                  "receiver_orgs", "“中共乙镇一村支部委员会”不在中共甲镇委员会的下级范围内，不能转办给它。")
    check_refused(lambda: services.item_cascade(actor=town, item=parent, receiver_orgs=[tree.village_a1],
                                                deadline=DEADLINE + dt.timedelta(days=1), today=TODAY),
                  "deadline", rules.CASCADE_DEADLINE.format(deadline=DEADLINE))
    child_task = services.item_cascade(actor=town, item=parent, receiver_orgs=[tree.village_a1, tree.village_a2],
                                       deadline=DEADLINE - dt.timedelta(days=5), today=TODAY)
    assert child_task.parent_item == parent and child_task.issuer == tree.town_a
    c1 = child_task.items.get(receiver_org=tree.village_a1)
    c2 = child_task.items.get(receiver_org=tree.village_a2)
    parent.refresh_from_db()
    assert parent.cascaded and parent.status == rules.ACKNOWLEDGED
    check_refused(lambda: services.item_submit(actor=town, item=parent, text="x", today=TODAY), "__all__", rules.CASCADED_SUBMIT)

    # A child past its own deadline turns the parent red although the parent's deadline is still ahead.
    day = DEADLINE - dt.timedelta(days=4)
    light = selectors.item_lights([parent], day)[parent.pk]
    assert (light.color, light.sub) == (rules.RED, rules.SUB_OVERDUE)
    services.item_submit(actor=secretary, item=c1, text="一村完成", files=[png()], today=TODAY)
    services.item_accept(actor=town, item=c1, today=TODAY)
    services.item_submit(actor=admin, item=c2, text="二村完成", today=TODAY)
    parent.refresh_from_db()
    assert parent.status == rules.ACKNOWLEDGED
    assert selectors.item_lights([parent], TODAY)[parent.pk].sub == rules.SUB_SUBMITTED  # c2 waits for review
    services.item_accept(actor=town, item=c2, today=TODAY + dt.timedelta(days=1))
    parent.refresh_from_db()
    assert (parent.status, parent.submitted_on) == (rules.SUBMITTED, TODAY + dt.timedelta(days=1))
    summary = ItemEvent.objects.filter(item=parent, kind="submit").get()
    assert summary.by is None
    assert "中共甲镇一村支部委员会：2026-11-02通过；一村完成；佐证：现场照片.png" in summary.text
    assert "中共甲镇二村支部委员会：2026-11-03通过；二村完成；佐证：无附件" in summary.text
    services.item_accept(actor=admin, item=parent, today=TODAY + dt.timedelta(days=2))
    parent.refresh_from_db()
    assert parent.status == rules.ACCEPTED
    assert Item.objects.filter(status=rules.ACCEPTED).count() == 3
