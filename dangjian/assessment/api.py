"""JSON API of assessment, to be mounted by dangjian.api.api under /api/assessment/. Thin: the same
selectors and services as the pages. Points are strings with two decimals ("37.52"), never binary
floats. The API's error handlers answer ServiceError 422, out of scope or not permitted 404."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, cast

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema

from dangjian.accounts.models import User
from dangjian.api import schemas as s
from dangjian.assessment import rules, selectors, services
from dangjian.assessment.models import Result, Scheme
from dangjian.common.errors import NotPermitted

router = Router()

READ_ERRORS: dict[int, Any] = {401: s.ErrorOut, 404: s.ErrorOut}
WRITE_ERRORS: dict[int, Any] = {**READ_ERRORS, 422: s.ValidationErrorOut}
Points = str


def _actor(request: HttpRequest) -> User:
    return cast(User, request.auth)  # type: ignore[attr-defined]


def _p(d: Decimal | None) -> Points | None:
    return None if d is None else f"{rules.q2(d):f}"


class SchemeOut(Schema):
    id: int
    year: int
    name: str
    owner_id: int
    owner_name: str
    kind: str = Field(description="考核对象：township、village、community、agency、school、enterprise、all_branches")
    kind_label: str
    status: str = Field(description="draft 草稿、active 自评审核中、final 已定分、published 公示中、closed 已归档")
    status_label: str
    bands: list[list[str]] = Field(description="等次 [名称, 最低分]，从高到低")
    notice_start: dt.date | None
    notice_end: dt.date | None


class NodeOut(Schema):
    id: int
    parent_id: int | None
    level: int = Field(description="1 考核内容、2 考核项目、3 考核细则")
    title: str
    points: Points = Field(description="分值：末级项目为其分值，上级项目为下级之和")
    is_leaf: bool
    method: str
    method_label: str
    source: str
    source_label: str
    indicator: str
    params: dict[str, str]


class SchemeDetailOut(SchemeOut):
    total_points: Points
    nodes: list[NodeOut]


class ResultOut(Schema):
    id: int
    scheme_id: int
    org_id: int
    org_name: str
    status: str = Field(description="pending 待自评、submitted 待审核、reviewed 已审核、final 已定分")
    total: Points | None
    rank: int | None
    of_total: int | None
    grade: str
    vetoed: bool


class ItemOut(Schema):
    node_id: int
    title: str
    max_points: Points
    method: str
    source: str
    self_value: Points | None
    self_note: str
    review_value: Points | None
    review_reason: str
    raw_value: Points | None = Field(description="计分数值（得分、百分率、次数…）")
    score: Points | None
    explanation: str = Field(description="得分的计算过程")
    trace: dict[str, Any] = Field(description="数据来源记录：counts 计数、ids 记录编号、links 链接")


class ResultDetailOut(ResultOut):
    preview: bool = Field(description="true：尚未定分，按当前数据即时计算")
    items: list[ItemOut]


class RankingOut(Schema):
    scheme_id: int
    status: str
    notice_start: dt.date | None
    notice_end: dt.date | None
    results: list[ResultOut]


class SelfItemIn(Schema):
    node_id: int
    value: str | None = Field(None, description="按计分方法：得分、百分率、发生次数、1/0；空为清除")
    note: str = ""


class SelfIn(Schema):
    items: list[SelfItemIn]


class ReviewItemIn(Schema):
    node_id: int
    value: str | None = Field(None, description="审核值；不填即认可自评")
    reason: str = Field("", description="调整自评时必填")


class ReviewIn(Schema):
    items: list[ReviewItemIn] = []


def _scheme_out(scheme: Scheme) -> dict[str, Any]:
    return {"id": scheme.pk, "year": scheme.year, "name": scheme.name, "owner_id": scheme.owner_id,
            "owner_name": scheme.owner.name, "kind": scheme.kind, "kind_label": rules.KIND_LABELS[scheme.kind],
            "status": scheme.status, "status_label": rules.SCHEME_STATUS_LABELS[scheme.status],
            "bands": [[str(b[0]), str(b[1])] for b in scheme.bands], "notice_start": scheme.notice_start,
            "notice_end": scheme.notice_end}  # fmt: skip


def _result_out(r: Result) -> dict[str, Any]:
    return {"id": r.pk, "scheme_id": r.scheme_id, "org_id": r.org_id, "org_name": r.org.name, "status": r.status,
            "total": _p(r.total), "rank": r.rank, "of_total": r.of_total, "grade": r.grade, "vetoed": r.vetoed}  # fmt: skip


@router.get("/schemes", response={200: list[SchemeOut], **READ_ERRORS}, summary="考核方案列表")
def scheme_list(request: HttpRequest, year: int | None = None) -> list[dict[str, Any]]:
    return [_scheme_out(x) for x in selectors.scheme_list(_actor(request), year=year)]


@router.get("/schemes/{scheme_id}", response={200: SchemeDetailOut, **READ_ERRORS}, summary="考核方案详情（含考核项目）")
def scheme_detail(request: HttpRequest, scheme_id: int) -> dict[str, Any]:
    scheme = selectors.scheme_get(_actor(request), scheme_id)
    nodes = [{"id": v.node.pk, "parent_id": v.node.parent_id, "level": v.node.level, "title": v.node.title,
              "points": _p(v.points), "is_leaf": v.is_leaf, "method": v.node.method,
              "method_label": rules.METHOD_LABELS[v.node.method], "source": v.node.source,
              "source_label": rules.SOURCE_LABELS[v.node.source], "indicator": v.node.indicator,
              "params": dict(v.node.params or {})} for v in selectors.flat_tree(scheme)]  # fmt: skip
    return {**_scheme_out(scheme), "total_points": _p(selectors.scheme_points(scheme)), "nodes": nodes}


@router.get("/schemes/{scheme_id}/results", response={200: list[ResultOut], **READ_ERRORS}, summary="各单位考核结果")
def scheme_results(request: HttpRequest, scheme_id: int) -> list[dict[str, Any]]:
    actor = _actor(request)
    return [_result_out(r) for r in selectors.dashboard(actor, selectors.scheme_get(actor, scheme_id))]


@router.get("/schemes/{scheme_id}/ranking", response={200: RankingOut, **READ_ERRORS}, summary="排名（定分后）")
def scheme_ranking(request: HttpRequest, scheme_id: int) -> dict[str, Any]:
    actor = _actor(request)
    scheme = selectors.scheme_get(actor, scheme_id)
    final = scheme.status in (rules.FINAL, rules.PUBLISHED, rules.CLOSED)
    rows = selectors.ranking(actor, scheme) if final else []
    return {"scheme_id": scheme.pk, "status": scheme.status, "notice_start": scheme.notice_start,
            "notice_end": scheme.notice_end, "results": [_result_out(r) for r in rows]}  # fmt: skip


def _detail(actor: User, result: Result) -> dict[str, Any]:
    sheet = selectors.score_sheet(actor, result, timezone.localdate())
    items = []
    for line in sheet.lines:
        if not line.view.is_leaf:
            continue
        n, i, c = line.view.node, line.item, line.line
        items.append({
            "node_id": n.pk, "title": n.title, "max_points": _p(n.max_points), "method": n.method, "source": n.source,
            "self_value": _p(i.self_value) if i else None, "self_note": i.self_note if i else "",
            "review_value": _p(i.review_value) if i else None, "review_reason": i.review_reason if i else "",
            "raw_value": _p(c.raw) if c else None, "score": _p(c.score) if c else None,
            "explanation": c.explanation if c else "", "trace": c.trace if c else {},
        })  # fmt: skip
    out = _result_out(sheet.result)
    out.update({"total": _p(sheet.total), "grade": sheet.grade, "vetoed": sheet.vetoed, "preview": sheet.preview,
                "items": items})
    return out


@router.get("/results/{result_id}", response={200: ResultDetailOut, **READ_ERRORS}, summary="一个单位的得分表")
def result_detail(request: HttpRequest, result_id: int) -> dict[str, Any]:
    actor = _actor(request)
    return _detail(actor, selectors.result_get(actor, result_id))


@router.post("/results/{result_id}/self", response={200: ResultDetailOut, **WRITE_ERRORS}, summary="填写自评")
def result_self(request: HttpRequest, result_id: int, body: SelfIn) -> dict[str, Any]:
    actor = _actor(request)
    result = selectors.result_get(actor, result_id)
    services.self_assess(actor=actor, result=result, values={i.node_id: (i.value, i.note) for i in body.items})
    return _detail(actor, result)


@router.post("/results/{result_id}/submit", response={200: ResultDetailOut, **WRITE_ERRORS}, summary="提交自评")
def result_submit(request: HttpRequest, result_id: int) -> dict[str, Any]:
    actor = _actor(request)
    result = selectors.result_get(actor, result_id)
    services.result_submit(actor=actor, result=result, today=timezone.localdate())
    return _detail(actor, result)


@router.post("/results/{result_id}/review", response={200: ResultDetailOut, **WRITE_ERRORS},
             summary="审核自评（认可或调整，调整须填理由）")
def result_review(request: HttpRequest, result_id: int, body: ReviewIn) -> dict[str, Any]:
    actor = _actor(request)
    result = selectors.result_get(actor, result_id)
    if not selectors.may_review(actor, result):
        raise NotPermitted
    services.result_review(actor=actor, result=result, decisions={i.node_id: (i.value, i.reason) for i in body.items},
                           today=timezone.localdate())
    return _detail(actor, result)
