"""Reads of supervision (督办). Every function that serves a user takes the acting user first and applies
their scope: organization users see the tasks issued inside their subtrees and the items whose
receiver lies in them (a village sees the county's task, but only its own item); member-role users see
none. An id outside the scope is 404, exactly as a missing one.

Counts and rates are aggregated in SQL (one ``aggregate`` per question); lights are computed by the
pure ``rules.light`` for the rows shown, a cascaded item following its children.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Substr
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from dangjian.accounts.models import ORG_ROLES, User
from dangjian.accounts.selectors import scope_for
from dangjian.common.scope import subtree_upper_bound
from dangjian.orgs.models import Org
from dangjian.supervision import params, rules
from dangjian.supervision.models import Evidence, Item, ItemEvent, Task


def _int(pk: Any) -> int:
    try:
        return int(pk)
    except (TypeError, ValueError):
        raise Http404 from None


# --- scope -----------------------------------------------------------------------------------------------


def items_visible(actor: User) -> QuerySet[Item]:
    """Items whose receiver, or whose task's issuer, lies in the actor's subtrees."""
    if actor.role not in ORG_ROLES:
        return Item.objects.none()
    scope = scope_for(actor)
    return Item.objects.filter(scope.q("receiver_org__path") | scope.q("task__issuer__path"))


def tasks_visible(actor: User) -> QuerySet[Task]:
    """Tasks issued inside the actor's subtrees, or with an item whose receiver lies in them."""
    if actor.role not in ORG_ROLES:
        return Task.objects.none()
    scope = scope_for(actor)
    received = Item.objects.filter(scope.q("receiver_org__path"), task=OuterRef("pk"))
    return Task.objects.filter(scope.q("issuer__path") | Q(Exists(received)))


def task_get(actor: User, pk: Any) -> Task:
    task = tasks_visible(actor).filter(pk=_int(pk)).select_related("issuer", "liaison_leader", "parent_item__task").first()
    if task is None:
        raise Http404
    return task


def item_get(actor: User, pk: Any) -> Item:
    item = items_visible(actor).filter(pk=_int(pk)).select_related(
        "task__issuer", "task__liaison_leader", "receiver_org", "receiver_user").first()  # fmt: skip
    if item is None:
        raise Http404
    return item


def evidence_get(actor: User, pk: Any) -> Evidence:
    ev = Evidence.objects.filter(pk=_int(pk), item__in=items_visible(actor)).select_related("item").first()
    if ev is None:
        raise Http404
    return ev


def is_issuer_side(actor: User, task: Task) -> bool:
    """The actor sees the task as (a user above) its issuer: the whole board."""
    return actor.role in ORG_ROLES and scope_for(actor).contains_path(task.issuer.path)


def users_assigned_in(paths: list[str] | tuple[str, ...]) -> QuerySet[User]:
    """Users with an assigned organization inside one of the subtrees ``paths``."""
    q = Q(pk__in=[])
    for p in paths:
        q |= Q(orgs__path__gte=p, orgs__path__lt=subtree_upper_bound(p))
    return User.objects.filter(q).distinct()


def liaison_choices(actor: User) -> QuerySet[User]:
    """Who may be named liaison leader (包联领导): organization users assigned inside the actor's scope
    or above it (a county leader may be the liaison of a township's task); the service checks that
    their scope covers every receiver."""
    paths = list(scope_for(actor).paths)
    above = [p[:i] for p in paths for i in range(Org.steplen, len(p), Org.steplen)]
    inside = users_assigned_in(paths).values("pk")
    return User.objects.filter(Q(pk__in=inside) | Q(orgs__path__in=above), role__in=ORG_ROLES,
                               is_active=True).distinct().order_by("username")  # fmt: skip


# --- lists ---------------------------------------------------------------------------------------------------
ISSUED = "issued"
RECEIVED = "received"
BOXES = {ISSUED: "我交办的", RECEIVED: "交办给我的"}


def task_list(actor: User, box: str = ISSUED, q: str = "", *, today: dt.date | None = None) -> QuerySet[Task]:
    """``issued``: tasks issued inside the actor's subtrees. ``received``: tasks from above (issued
    outside them) with an item for an organization inside them. Each task carries its counts over all
    its items, in SQL: ``n_items``, ``n_accepted``, ``n_on_time``, ``n_red`` (open after the deadline)."""
    today = today or timezone.localdate()
    accepted = Q(items__status=rules.ACCEPTED, items__accepted_on__lte=today)
    scope = scope_for(actor)
    qs = tasks_visible(actor)
    qs = qs.filter(scope.q("issuer__path")) if box == ISSUED else qs.exclude(scope.q("issuer__path"))
    if q.strip():
        qs = qs.filter(title__contains=q.strip())
    return qs.select_related("issuer", "liaison_leader").annotate(
        n_items=Count("items"), n_accepted=Count("items", filter=accepted),
        n_on_time=Count("items", filter=accepted & Q(items__accepted_on__lte=F("items__deadline"))),
        n_red=Count("items", filter=~accepted & Q(items__deadline__lt=today)),
    ).order_by("-issued_on", "-pk")  # fmt: skip


def received_items(actor: User) -> QuerySet[Item]:
    """Items of tasks from above whose receiver lies in the actor's subtrees (交办给我的 事项)."""
    if actor.role not in ORG_ROLES:
        return Item.objects.none()
    scope = scope_for(actor)
    return (Item.objects.filter(scope.q("receiver_org__path")).exclude(scope.q("task__issuer__path"))
            .select_related("task__issuer", "receiver_org", "receiver_user").order_by("deadline", "pk"))  # fmt: skip


# --- lights ----------------------------------------------------------------------------------------------------


def item_lights(items: list[Item], today: dt.date, reminder_days: int | None = None) -> dict[int, rules.Light]:
    """Each item's light; a cascaded item's follows its children (and theirs, all the way down)."""
    n = params.reminder_days() if reminder_days is None else reminder_days
    own = {i.pk: rules.light(status=i.status, deadline=i.deadline, today=today, reminder_days=n, accepted_on=i.accepted_on)
           for i in items}  # fmt: skip
    children: dict[int, list[int]] = defaultdict(list)
    frontier = [i.pk for i in items if i.cascaded]
    seen: set[int] = set()
    while frontier:
        rows = list(Item.objects.filter(task__parent_item__in=frontier).values(
            "pk", "task__parent_item", "status", "deadline", "accepted_on", "cascaded"))  # fmt: skip
        frontier = []
        for r in rows:
            if r["pk"] in seen:
                continue
            seen.add(r["pk"])
            children[r["task__parent_item"]].append(r["pk"])
            own[r["pk"]] = rules.light(status=r["status"], deadline=r["deadline"], today=today, reminder_days=n,
                                       accepted_on=r["accepted_on"])  # fmt: skip
            if r["cascaded"]:
                frontier.append(r["pk"])

    def followed(pk: int) -> rules.Light:
        kids = children.get(pk)
        return rules.follow_children(own[pk], [followed(k) for k in kids]) if kids else own[pk]

    return {i.pk: followed(i.pk) for i in items}


# --- board (督办看板) ----------------------------------------------------------------------------------------


@dataclass
class BoardRow:
    item: Item
    light: rules.Light
    township: Org | None
    overdue_days: int = 0


@dataclass
class Rates:
    assigned: int
    accepted: int
    on_time: int
    overdue_open: int
    returned: int

    @property
    def completion_rate(self) -> Decimal | None:
        return rules.rate(self.accepted, self.assigned)

    @property
    def on_time_rate(self) -> Decimal | None:
        return rules.on_time_rate(self.on_time, self.accepted, self.overdue_open)


@dataclass
class Board:
    task: Task
    rows: list[BoardRow]
    rates: Rates
    light_counts: dict[str, int]
    townships: list[Org]
    township: Org | None = None
    light: str = ""
    periods: list[str] = field(default_factory=list)
    period: str = ""
    by_township: list[tuple[Org, Rates]] = field(default_factory=list)


def _rate_aggregates(today: dt.date) -> dict[str, Any]:
    accepted = Q(status=rules.ACCEPTED, accepted_on__lte=today)
    return {
        "assigned": Count("pk"), "accepted": Count("pk", filter=accepted),
        "on_time": Count("pk", filter=accepted & Q(accepted_on__lte=F("deadline"))),
        "overdue_open": Count("pk", filter=~accepted & Q(deadline__lt=today)), "returned": Sum("returned_count"),
    }  # fmt: skip


def rates_of(items: QuerySet[Item], today: dt.date) -> Rates:
    """完成率 and 按时完成率 of ``items``, aggregated in SQL: accepted (on or before today), accepted on
    or before the deadline, open after the deadline, and the number of returns."""
    agg = items.aggregate(**_rate_aggregates(today))
    return Rates(agg["assigned"], agg["accepted"], agg["on_time"], agg["overdue_open"], agg["returned"] or 0)


def rates_by_township(items: QuerySet[Item], today: dt.date) -> list[tuple[Org, Rates]]:
    """The same figures per township (the receiver's township-level ancestor), grouped in SQL by the
    first two levels of the receiver's path."""
    rows = list(items.annotate(town=Substr("receiver_org__path", 1, 2 * Org.steplen)).values("town")
                .annotate(**_rate_aggregates(today)).order_by("town"))  # fmt: skip
    orgs = {o.path: o for o in Org.objects.filter(path__in=[r["town"] for r in rows])}
    return [(orgs[r["town"]], Rates(r["assigned"], r["accepted"], r["on_time"], r["overdue_open"], r["returned"] or 0))
            for r in rows if r["town"] in orgs]  # fmt: skip


def township_path(path: str) -> str:
    """The receiver's township-level ancestor: the second level of the tree (乡镇党委、街道党工委、
    机关工委 under the county); the receiver itself when it is at that level or above."""
    return path[: 2 * Org.steplen] if len(path) >= 2 * Org.steplen else path


def board(actor: User, task: Task, today: dt.date, *, township_id: Any = None, light: str = "",
          period: str = "") -> Board:
    """Every visible receiver's light for ``task``, filtered by township (the receiver's township-level
    ancestor), by light and by period; rates over the township- and period-filtered items, in SQL."""
    qs = items_visible(actor).filter(task=task)
    paths = sorted({township_path(p) for p in qs.values_list("receiver_org__path", flat=True)})
    townships = list(Org.objects.filter(path__in=paths).order_by("path"))
    township = None
    if township_id not in (None, ""):
        township = next((t for t in townships if str(t.pk) == str(township_id)), None)
        if township is None:
            raise Http404
        qs = qs.filter(receiver_org__path__gte=township.path, receiver_org__path__lt=subtree_upper_bound(township.path))
    periods = list(dict.fromkeys(items_visible(actor).filter(task=task).order_by("deadline").values_list("period", flat=True)))
    if period and period in periods:
        qs = qs.filter(period=period)
    else:
        period = ""
    rates = rates_of(qs, today)
    by_township = rates_by_township(qs, today) if len(townships) > 1 and township is None else []
    items = list(qs.select_related("receiver_org", "receiver_user").order_by("deadline", "receiver_org__path", "pk"))
    for i in items:
        # Every row is of this task: share the instance so the API's ``item.task.title`` is not a
        # query per row (3,600 rows for a county task to 300 villages over 12 months).
        i.task = task
    lights = item_lights(items, today)
    by_path = {t.path: t for t in townships}
    rows = [BoardRow(i, lights[i.pk], by_path.get(township_path(i.receiver_org.path)),
                     rules.overdue_days(i.deadline, i.accepted_on, today)) for i in items]  # fmt: skip
    counts = {c: sum(1 for r in rows if r.light.color == c) for c in (rules.RED, rules.AMBER, rules.GREEN)}
    if light in rules.LIGHT_LABELS:
        rows = [r for r in rows if r.light.color == light]
    else:
        light = ""
    return Board(task, rows, rates, counts, townships, township, light, [p for p in periods if p], period, by_township)


# --- one item --------------------------------------------------------------------------------------------------


@dataclass
class ItemDetail:
    item: Item
    light: rules.Light
    events: list[ItemEvent]
    evidence: dict[int, list[Evidence]]  # by event id
    child_tasks: list[Task]
    child_rows: list[BoardRow]


def item_detail(actor: User, item: Item, today: dt.date) -> ItemDetail:
    events = list(item.events.select_related("by").order_by("at", "pk"))
    evidence: dict[int, list[Evidence]] = defaultdict(list)
    for ev in item.evidence.order_by("pk"):
        evidence[ev.event_id].append(ev)
    child_tasks = list(Task.objects.filter(parent_item=item).order_by("pk"))
    children = list(Item.objects.filter(task__parent_item=item).select_related("receiver_org", "receiver_user", "task")
                    .order_by("receiver_org__path", "pk"))  # fmt: skip
    lights = item_lights([item, *children], today)
    return ItemDetail(item, lights[item.pk], events, dict(evidence), child_tasks,
                      [BoardRow(c, lights[c.pk], None) for c in children])


def cascaded_to(actor: User, item: Item) -> list[Org]:
    """The organizations ``item`` has already been cascaded (转办) to that the actor sees, in tree order."""
    children = items_visible(actor).filter(task__parent_item=item).values("receiver_org_id")
    return list(Org.objects.filter(pk__in=children).order_by("path"))


# --- for assessment (考核 calls this; keep the signature) ---------------------------------------------------------


@dataclass(frozen=True)
class ReceiverStats:
    assigned: int
    accepted: int
    accepted_on_time: int
    overdue_open: int
    returned: int  # the number of returns (退回次数) of these items
    item_ids: list[int]

    @property
    def on_time_rate(self) -> Decimal | None:
        return rules.rate(self.accepted_on_time, self.assigned)


def receiver_stats(org: Org, start: dt.date, end: dt.date, today: dt.date) -> ReceiverStats:
    """督办 figures of the items addressed to ``org`` itself (not to a named person, not to its
    suborganizations) with a deadline in [start, end], as they stood on ``today``: assigned; accepted
    (on or before today); accepted on or before the deadline (按时完成); open after the deadline
    (accepted later than today counts as open); returns. No actor: the caller checks scope."""
    qs = Item.objects.filter(receiver_org=org, receiver_user__isnull=True, deadline__gte=start, deadline__lte=end)
    r = rates_of(qs, today)
    return ReceiverStats(r.assigned, r.accepted, r.on_time, r.overdue_open, r.returned,
                         list(qs.order_by("pk").values_list("pk", flat=True)))


# --- work queue (待办) and the organization page --------------------------------------------------------------


def item_url(pk: int) -> str:
    return reverse("supervision:item_detail", args=[pk])


def work_items(actor: User, today: dt.date) -> list[Any]:
    """待办 of supervision, as ``dangjian.web.selectors.WorkItem`` (kind "supervision", group
    "supervision:<reminder|overdue|review|returned>"):
    - reminder (warning): items of the actor's own organizations (or addressed to the actor) within the
      reminder window, still to be done by the receiver;
    - overdue (danger): the same receivers' items past their deadline, and — escalated — every overdue
      item of a task whose liaison leader (包联领导) is the actor;
    - review (warning): items submitted to a task issued by one of the actor's organizations;
    - returned (warning): the actor's organizations' items returned to them, before the deadline;
    - new (info): a task received and not yet acknowledged (签收), its earliest period only, until the
      reminder window takes over — so a receiver learns of a task the day it is issued, not N days
      before its deadline, and a monthly task for a year is one line, not twelve.
    "The actor's organizations" are the ones assigned to them, not everything below: a county
    administrator is not reminded of every village's item (the liaison leader is)."""
    from dangjian.web.selectors import WorkItem

    if actor.role not in ORG_ROLES:
        return []
    # A read-only account (inspector) acts on nothing of its organizations, but may be a task's
    # liaison leader (包联领导 are often county leaders with read-only accounts): escalations only.
    my_orgs = list(actor.orgs.values_list("pk", flat=True)) if actor.can_write else []
    mine = Q(receiver_user=actor) | Q(receiver_user__isnull=True, receiver_org_id__in=my_orgs)
    open_ = ~Q(status=rules.ACCEPTED)
    n = params.reminder_days()
    base = Item.objects.select_related("task__issuer", "receiver_org", "receiver_user")
    rows = list(base.filter(
        (mine & open_ & (Q(deadline__lte=today + dt.timedelta(days=n)) | Q(status=rules.RETURNED)))
        | (open_ & Q(deadline__lt=today, task__liaison_leader=actor))
        | Q(status=rules.SUBMITTED, task__issuer_id__in=my_orgs)
    ).order_by("deadline", "pk"))  # fmt: skip
    items = []
    for i in rows:
        who = str(i.receiver_user or i.receiver_org)
        period = f"（{i.period}）" if i.period else ""
        is_mine = i.receiver_user_id == actor.pk or (i.receiver_user_id is None and i.receiver_org_id in my_orgs)
        common: dict[str, Any] = {"url": item_url(i.pk), "org": i.receiver_org, "due": i.deadline}
        if i.status == rules.SUBMITTED and i.task.issuer_id in my_orgs:
            items.append(WorkItem(kind="supervision", group="supervision:review", group_title="督办事项待验收",
                                  title=f"{i.task.title}{period}：{who}已报送，待验收", severity="warning",
                                  detail=f"{i.submitted_on}报送；请验收通过或退回。", **common))  # fmt: skip
            continue
        if rules.escalated(status=i.status, deadline=i.deadline, today=today):
            if is_mine or i.task.liaison_leader_id == actor.pk:
                role = "承办" if is_mine else "包联"
                items.append(WorkItem(kind="supervision", group="supervision:overdue", group_title="督办事项逾期",
                                      title=f"{i.task.title}{period}：{who}逾期未完成（{role}）", severity="danger",
                                      detail=f"完成时限{i.deadline}，已逾期{(today - i.deadline).days}天；{i.task.issuer}督办。",
                                      **common))  # fmt: skip
            continue
        if not is_mine:
            continue
        if i.status == rules.RETURNED:
            items.append(WorkItem(kind="supervision", group="supervision:returned", group_title="督办事项被退回",
                                  title=f"{i.task.title}{period}：被退回，请重新报送", severity="warning",
                                  detail=f"已退回{i.returned_count}次；完成时限{i.deadline}。", **common))  # fmt: skip
        elif rules.reminder_due(status=i.status, deadline=i.deadline, today=today, reminder_days=n):
            left = (i.deadline - today).days
            items.append(WorkItem(kind="supervision", group="supervision:reminder", group_title="督办事项临期",
                                  title=f"{i.task.title}{period}：{'今日到期' if left == 0 else f'{left}天后到期'}",
                                  severity="warning", detail=f"完成时限{i.deadline}；{i.task.issuer}交办。", **common))  # fmt: skip
    seen: set[tuple[int, int | None, int | None]] = set()
    for i in base.filter(mine & Q(status=rules.ASSIGNED)).order_by("deadline", "pk"):
        key = (i.task_id, i.receiver_org_id, i.receiver_user_id)
        if key in seen:
            continue
        seen.add(key)
        if i.deadline <= today + dt.timedelta(days=n):
            continue  # already a reminder or overdue above
        period = f"（{i.period}）" if i.period else ""
        items.append(WorkItem(kind="supervision", group="supervision:new", group_title="新督办任务待签收",
                              title=f"{i.task.title}{period}：请签收", severity="info", url=item_url(i.pk),
                              org=i.receiver_org, due=i.deadline,
                              detail=f"{i.task.issuer}交办，完成时限{i.deadline}。"))  # fmt: skip
    return items


@dataclass
class OrgPanel:
    org: Org
    rows: list[BoardRow]
    open: int
    overdue: int
    returned_this_year: int
    year: int


def org_panel(actor: User, org: Org, today: dt.date | None = None) -> OrgPanel | None:
    """督办 on the organization's page: its own open items (visible to the actor) with their lights,
    and counts — open, overdue (open after the deadline) and returns this year. None when it has none."""
    today = today or timezone.localdate()
    qs = items_visible(actor).filter(receiver_org=org)
    agg = qs.aggregate(
        total=Count("pk"), open=Count("pk", filter=~Q(status=rules.ACCEPTED)),
        overdue=Count("pk", filter=~Q(status=rules.ACCEPTED) & Q(deadline__lt=today)),
    )  # fmt: skip
    if not agg["total"]:
        return None
    returned = ItemEvent.objects.filter(item__in=qs, kind=rules.EV_RETURN, date__year=today.year).count()
    items = list(qs.exclude(status=rules.ACCEPTED).select_related("task", "receiver_user").order_by("deadline", "pk")[:10])
    lights = item_lights(items, today)
    return OrgPanel(org, [BoardRow(i, lights[i.pk], None) for i in items], agg["open"], agg["overdue"], returned, today.year)
