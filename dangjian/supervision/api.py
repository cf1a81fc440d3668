"""JSON API routes of supervision (督办), for the lead to mount under /api/supervision/. Thin: the same
selectors and services as the pages. Ids outside the caller's scope answer 404 like missing ones;
bad input 422 with the Chinese messages by field (the API's ServiceError handler); read-only roles get
404 on writes. Evidence is submitted as multipart/form-data (``text`` and any number of ``files``)."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from typing import Any, cast

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest
from django.utils import timezone
from ninja import Field, File, Form, Router, Schema, Status, UploadedFile

from dangjian.accounts.models import User
from dangjian.accounts.selectors import scope_for
from dangjian.api import schemas as s
from dangjian.orgs.selectors import org_get
from dangjian.supervision import rules, selectors, services
from dangjian.supervision.models import Item, Task

router = Router()

READ_ERRORS: dict[int, type] = {401: s.ErrorOut, 404: s.ErrorOut}
WRITE_ERRORS: dict[int, type] = {**READ_ERRORS, 403: s.ErrorOut, 422: s.ValidationErrorOut}
# The board's rows a page at a time (a county task to 300 villages over 12 months is 3,600 rows); a
# client may ask for bigger pages, up to this.
BOARD_PAGE_SIZE_MAX = 500


def _actor(request: HttpRequest) -> User:
    return cast(User, request.auth)  # type: ignore[attr-defined]


# --- shapes -------------------------------------------------------------------------------------------------
class LightOut(Schema):
    color: str = Field(description="green 绿灯 / amber 黄灯 / red 红灯")
    label: str
    sub: str = Field(description="done、done_late、overdue、overdue_submitted、submitted、returned、due_soon、not_due")
    sub_label: str
    days_left: int = Field(description="完成时限减今天的天数，逾期为负数")


class TaskOut(Schema):
    id: int
    title: str
    issuer_id: int
    issuer_name: str
    basis: str
    actions: list[str]
    evidence_required: str
    deadline: dt.date
    recurrence: str
    recur_until: dt.date | None
    responsible_leader: str
    liaison_leader: str | None
    parent_item_id: int | None
    issued_on: dt.date


class EventOut(Schema):
    kind: str
    kind_label: str
    date: dt.date
    text: str
    by: str
    evidence: list[dict[str, Any]]


class ItemOut(Schema):
    id: int
    task_id: int
    task_title: str
    receiver_org_id: int
    receiver_org_name: str
    receiver_user: str | None
    period: str
    deadline: dt.date
    status: str
    status_label: str
    acknowledged_on: dt.date | None
    submitted_on: dt.date | None
    accepted_on: dt.date | None
    returned_count: int
    cascaded: bool
    overdue_days: int = Field(description="逾期天数：到验收通过（未通过的到今天）超过完成时限的天数")
    light: LightOut


class ItemDetailOut(ItemOut):
    events: list[EventOut]
    children: list[ItemOut]


class RatesOut(Schema):
    assigned: int
    accepted: int
    on_time: int
    overdue_open: int
    returned: int
    completion_rate: Decimal | None = Field(description="完成率（%）")
    on_time_rate: Decimal | None = Field(description="按时完成率（%）：按时验收通过数 ÷（验收通过数 + 逾期未完成数），未到期的事项不计")


class BoardOut(s.Page):
    """The board, one page of its rows: ``count``/``pages`` count the rows of the filter (township,
    light, period); ``rates`` and ``light_counts`` cover every row of the township and period filter,
    not only this page."""

    task: TaskOut
    rates: RatesOut
    light_counts: dict[str, int]
    items: list[ItemOut]


class IssueIn(Schema):
    issuer_id: int
    title: str
    deadline: dt.date
    basis: str = ""
    actions: str = Field("", description="规定动作，每行一项")
    evidence_required: str = ""
    recurrence: str = Field(rules.ONCE, description="none、monthly、quarterly、half_yearly、yearly")
    recur_until: dt.date | None = None
    responsible_leader: str = ""
    liaison_leader_id: int | None = None
    receiver_org_ids: list[int] = []
    receiver_user_ids: list[int] = []


class TextIn(Schema):
    text: str = ""


class ReasonIn(Schema):
    reason: str = ""


class CascadeIn(Schema):
    receiver_org_ids: list[int]
    deadline: dt.date | None = Field(None, description="下级完成时限：不晚于本事项的完成时限，不填即为本事项的完成时限；"
                                                      "本事项已逾期时必须填写，可为今天或以后的任何一天")
    responsible_leader: str = ""
    liaison_leader_id: int | None = None


def _light(light: rules.Light) -> LightOut:
    return LightOut(color=light.color, label=light.label, sub=light.sub, sub_label=light.sub_label, days_left=light.days_left)


def _task(t: Task) -> TaskOut:
    return TaskOut(
        id=t.pk, title=t.title, issuer_id=t.issuer_id, issuer_name=t.issuer.name, basis=t.basis, actions=t.action_lines,
        evidence_required=t.evidence_required, deadline=t.deadline, recurrence=t.recurrence, recur_until=t.recur_until,
        responsible_leader=t.responsible_leader, liaison_leader=str(t.liaison_leader) if t.liaison_leader else None,
        parent_item_id=t.parent_item_id, issued_on=t.issued_on,
    )  # fmt: skip


def _item(i: Item, light: rules.Light) -> ItemOut:
    return ItemOut(
        id=i.pk, task_id=i.task_id, task_title=i.task.title, receiver_org_id=i.receiver_org_id, receiver_org_name=i.receiver_org.name,
        receiver_user=str(i.receiver_user) if i.receiver_user else None, period=i.period, deadline=i.deadline, status=i.status,
        status_label=rules.STATUS_LABELS[i.status], acknowledged_on=i.acknowledged_on, submitted_on=i.submitted_on,
        accepted_on=i.accepted_on, returned_count=i.returned_count, cascaded=i.cascaded, light=_light(light),
        overdue_days=rules.overdue_days(i.deadline, i.accepted_on, timezone.localdate()),
    )  # fmt: skip


def _item_detail(actor: User, item: Item) -> ItemDetailOut:
    d = selectors.item_detail(actor, item, timezone.localdate())
    events = [EventOut(kind=e.kind, kind_label=rules.EVENT_LABELS[e.kind], date=e.date, text=e.text, by=str(e.by or "系统自动"),
                       evidence=[{"id": f.pk, "name": f.original_name, "type": f.file_type, "size": f.size}
                                 for f in d.evidence.get(e.pk, [])]) for e in d.events]  # fmt: skip
    base = _item(item, d.light)
    return ItemDetailOut(**base.dict(), events=events, children=[_item(r.item, r.light) for r in d.child_rows])


def _user_in(actor: User, pk: int | None, qs: Any) -> User | None:
    if pk is None:
        return None
    user = qs.filter(pk=pk).first()
    if user is None:
        raise Http404
    return cast(User, user)


def _receiver_users(actor: User, ids: list[int]) -> list[User]:
    """Named receivers: users assigned inside the caller's scope (anyone else is 404, like a missing id)."""
    found = {u.pk: u for u in selectors.users_assigned_in(scope_for(actor).paths).filter(pk__in=ids)}
    if set(ids) - set(found):
        raise Http404
    return [found[i] for i in dict.fromkeys(ids)]


# --- routes ---------------------------------------------------------------------------------------------------


@router.get("/tasks", response={200: list[TaskOut], **READ_ERRORS}, summary="督办任务列表")
def task_list(request: HttpRequest, box: str = selectors.ISSUED, q: str = "") -> list[TaskOut]:
    """box：issued 本级及下级交办的；received 上级交办给本级或下级的。"""
    actor = _actor(request)
    return [_task(t) for t in selectors.task_list(actor, box if box in selectors.BOXES else selectors.ISSUED, q[:50])[:500]]


@router.post("/tasks", response={201: BoardOut, **WRITE_ERRORS}, summary="下达督办任务")
def task_issue(request: HttpRequest, body: IssueIn) -> Status:
    actor = _actor(request)
    issuer = org_get(actor, body.issuer_id)
    orgs = [org_get(actor, pk) for pk in dict.fromkeys(body.receiver_org_ids)]
    users = _receiver_users(actor, body.receiver_user_ids)
    liaison = _user_in(actor, body.liaison_leader_id, selectors.liaison_choices(actor))
    task = services.task_issue(
        actor=actor, issuer=issuer, title=body.title, deadline=body.deadline, basis=body.basis, actions=body.actions,
        evidence_required=body.evidence_required, recurrence=body.recurrence, recur_until=body.recur_until,
        responsible_leader=body.responsible_leader, liaison_leader=liaison, receiver_orgs=orgs, receiver_users=users,
        today=timezone.localdate(),
    )  # fmt: skip
    return Status(201, _board(actor, task))


def _board(actor: User, task: Task, township_id: int | None = None, light: str = "", period: str = "", *,
           page: int = 1, page_size: int | None = None) -> BoardOut:
    """The same selector as the board page, paged as the other lists of the API are (a page past the
    last has no rows); only the page's rows are turned into JSON."""
    b = selectors.board(actor, task, timezone.localdate(), township_id=township_id, light=light, period=period)
    r = b.rates
    size = min(max(settings.PAGE_SIZE if page_size is None else page_size, 1), BOARD_PAGE_SIZE_MAX)
    page = max(page, 1)
    count = len(b.rows)
    rows = b.rows[(page - 1) * size : page * size]
    return BoardOut(
        count=count, page=page, pages=max(math.ceil(count / size), 1), page_size=size,
        task=_task(task), light_counts=b.light_counts, items=[_item(row.item, row.light) for row in rows],
        rates=RatesOut(assigned=r.assigned, accepted=r.accepted, on_time=r.on_time, overdue_open=r.overdue_open,
                       returned=r.returned, completion_rate=r.completion_rate, on_time_rate=r.on_time_rate),
    )  # fmt: skip


@router.get("/tasks/{task_id}", response={200: BoardOut, **READ_ERRORS}, summary="督办任务及看板")
def task_detail(request: HttpRequest, task_id: int, township_id: int | None = None, light: str = "",
                period: str = "", page: int = 1, page_size: int | None = None) -> BoardOut:
    """看板：township_id 按乡镇（街道）筛选，light 按灯（green/amber/red）筛选，period 按期次筛选；完成率、
    按时完成率按乡镇和期次筛选后的全部事项计算，各灯数按乡镇和期次筛选后的全部事项计数（不只本页）。
    事项分页：page 页码（从 1 开始），page_size 每页条数（默认 50，最多 500）；count 为筛选后的事项总数，
    pages 为总页数。"""
    actor = _actor(request)
    return _board(actor, selectors.task_get(actor, task_id), township_id, light, period, page=page, page_size=page_size)


@router.get("/tasks/{task_id}/board", response={200: BoardOut, **READ_ERRORS}, summary="督办看板")
def task_board(request: HttpRequest, task_id: int, township_id: int | None = None, light: str = "",
               period: str = "", page: int = 1, page_size: int | None = None) -> BoardOut:
    """与“督办任务及看板”相同：每个承办对象的灯、完成率和按时完成率，可按乡镇、灯、期次筛选；事项分页
    （page、page_size，每页默认 50 条、最多 500 条），完成率、按时完成率和各灯数仍按筛选后的全部事项计算。"""
    actor = _actor(request)
    return _board(actor, selectors.task_get(actor, task_id), township_id, light, period, page=page, page_size=page_size)


@router.get("/evidence/{evidence_id}", response={200: None, **READ_ERRORS}, summary="下载佐证材料")
def evidence_file(request: HttpRequest, evidence_id: int) -> FileResponse:
    """佐证文件（图片、PDF 直接显示，其他下载）；只能通过您管理范围内的事项取得。"""
    ev = selectors.evidence_get(_actor(request), evidence_id)
    try:
        handle = ev.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    return FileResponse(handle, as_attachment=ev.file_type not in (*rules.IMAGE_FILE_TYPES, "pdf"), filename=ev.original_name)


@router.get("/items", response={200: list[ItemOut], **READ_ERRORS}, summary="上级交办给我的事项")
def item_list(request: HttpRequest) -> list[ItemOut]:
    actor = _actor(request)
    items = list(selectors.received_items(actor)[:500])
    lights = selectors.item_lights(items, timezone.localdate())
    return [_item(i, lights[i.pk]) for i in items]


@router.get("/items/{item_id}", response={200: ItemDetailOut, **READ_ERRORS}, summary="督办事项详情和办理记录")
def item_detail(request: HttpRequest, item_id: int) -> ItemDetailOut:
    actor = _actor(request)
    return _item_detail(actor, selectors.item_get(actor, item_id))


def _after(actor: User, item_id: int) -> ItemDetailOut:
    return _item_detail(actor, selectors.item_get(actor, item_id))


@router.post("/items/{item_id}/acknowledge", response={200: ItemDetailOut, **WRITE_ERRORS}, summary="签收")
def item_acknowledge(request: HttpRequest, item_id: int) -> ItemDetailOut:
    actor = _actor(request)
    services.item_acknowledge(actor=actor, item=selectors.item_get(actor, item_id), today=timezone.localdate())
    return _after(actor, item_id)


@router.post("/items/{item_id}/progress", response={200: ItemDetailOut, **WRITE_ERRORS}, summary="报告进度")
def item_progress(request: HttpRequest, item_id: int, body: TextIn) -> ItemDetailOut:
    actor = _actor(request)
    services.item_progress(actor=actor, item=selectors.item_get(actor, item_id), text=body.text, today=timezone.localdate())
    return _after(actor, item_id)


@router.post("/items/{item_id}/submit", response={200: ItemDetailOut, **WRITE_ERRORS}, summary="报送佐证材料（multipart）")
def item_submit(request: HttpRequest, item_id: int, text: Form[str] = "",
                files: File[list[UploadedFile]] = None) -> ItemDetailOut:  # type: ignore[assignment]
    """multipart/form-data：text 报送说明，files 佐证文件（可多个；图片、PDF、Word、Excel，按内容校验类型）。"""
    actor = _actor(request)
    services.item_submit(actor=actor, item=selectors.item_get(actor, item_id), text=text, files=list(files or []),
                         today=timezone.localdate())  # fmt: skip
    return _after(actor, item_id)


@router.post("/items/{item_id}/accept", response={200: ItemDetailOut, **WRITE_ERRORS}, summary="验收通过")
def item_accept(request: HttpRequest, item_id: int, body: TextIn) -> ItemDetailOut:
    actor = _actor(request)
    services.item_accept(actor=actor, item=selectors.item_get(actor, item_id), text=body.text, today=timezone.localdate())
    return _after(actor, item_id)


@router.post("/items/{item_id}/return", response={200: ItemDetailOut, **WRITE_ERRORS}, summary="退回（须写明原因）")
def item_return(request: HttpRequest, item_id: int, body: ReasonIn) -> ItemDetailOut:
    actor = _actor(request)
    services.item_return(actor=actor, item=selectors.item_get(actor, item_id), reason=body.reason, today=timezone.localdate())
    return _after(actor, item_id)


@router.post("/items/{item_id}/cascade", response={201: BoardOut, **WRITE_ERRORS}, summary="转办下级")
def item_cascade(request: HttpRequest, item_id: int, body: CascadeIn) -> Status:
    actor = _actor(request)
    item = selectors.item_get(actor, item_id)
    orgs = [org_get(actor, pk) for pk in dict.fromkeys(body.receiver_org_ids)]
    liaison = _user_in(actor, body.liaison_leader_id, selectors.liaison_choices(actor))
    task = services.item_cascade(actor=actor, item=item, receiver_orgs=orgs, deadline=body.deadline, liaison_leader=liaison,
                                 responsible_leader=body.responsible_leader, today=timezone.localdate())  # fmt: skip
    return Status(201, _board(actor, task))
