"""JSON API routes of member points, to be mounted by dangjian.api.api under /api/points/. Thin: the
same selectors as the pages. Scores are strings with at most one decimal ("62", "1.5") — Decimal,
never a binary float. A member-role caller sees only their own points; anything outside the caller's
subtree is 404 (the API's handlers)."""

from __future__ import annotations

import datetime as dt
from typing import cast

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema

from dangjian.accounts.models import User
from dangjian.api import schemas as s
from dangjian.members.selectors import member_get
from dangjian.orgs import rules as org_rules
from dangjian.orgs.selectors import org_get
from dangjian.points import rules, selectors

router = Router()

READ_ERRORS: dict[int, type] = {401: s.ErrorOut, 404: s.ErrorOut}
Score = str  # "62.5": Decimal as a string


def _actor(request: HttpRequest) -> User:
    return cast(User, request.auth)  # type: ignore[attr-defined]


def _year(year: int | None) -> int:
    today = timezone.localdate()
    y = year or today.year
    if not 2000 <= y <= today.year + 1:
        raise Http404
    return y


class EntryOut(Schema):
    id: int
    date: dt.date
    item: str
    kind: str = Field(description="add 加分 / deduct 扣分 / veto 一票否决")
    kind_label: str
    quantity: Score = Field(description="次数或学时")
    points: Score = Field(description="分值，扣分为负数")
    status: str = Field(description="pending 待审核 / approved 已生效 / rejected 未通过")
    status_label: str
    reason: str
    source_type: str = Field(description="自动计分的来源记录类型；空表示支部录入")
    source_id: int | None
    counted_in_scheme: bool = Field(description="false：按已不适用的方案记录（本年度支部或乡镇后来制定了自己的方案），保留但不计入总分")


class TotalOut(Schema):
    base: Score
    adds: Score
    deducts: Score
    total: Score
    vetoed: bool
    stars: int = Field(description="星级，0 表示不合格")
    stars_label: str


class MemberPointsOut(Schema):
    member_id: int
    name: str
    year: int
    scheme: str | None = Field(description="适用的积分方案；null 表示没有")
    total: TotalOut | None = Field(description="截至目前（已审核的记录，按单项和总分上限计）")
    rated_stars: int | None = Field(description="年终评定的星级；未评定为 null")
    entries: list[EntryOut]


def _total(t: selectors.queries.MemberTotal) -> TotalOut:
    f = rules.fmt
    return TotalOut(base=f(t.base), adds=f(t.total.adds), deducts=f(t.total.deducts), total=f(t.total.total),
                    vetoed=t.total.vetoed, stars=t.stars, stars_label=rules.STAR_LABELS[t.stars])  # fmt: skip


@router.get("/members/{member_id}", response={200: MemberPointsOut, **READ_ERRORS}, summary="党员的年度积分和记录")
def member_points(request: HttpRequest, member_id: int, year: int | None = None) -> MemberPointsOut:
    """党员本人，或管理其所在党支部的用户：年度积分、星级和每条积分记录。"""
    actor = _actor(request)
    member = member_get(actor, member_id)
    mp = selectors.member_points(actor, member, _year(year), today=timezone.localdate())
    other = mp.other_scheme
    return MemberPointsOut(
        member_id=member.pk, name=member.name, year=mp.year, scheme=mp.scheme.name if mp.scheme else None,
        total=_total(mp.total) if mp.total else None, rated_stars=mp.rating.stars if mp.rating else None,
        entries=[EntryOut(id=e.pk, date=e.date, item=e.item.name, kind=e.item.kind,
                          kind_label=rules.KIND_LABELS[e.item.kind], quantity=rules.fmt(e.quantity),
                          points=rules.fmt(e.points), status=e.status, status_label=rules.ENTRY_STATUS_LABELS[e.status],
                          reason=e.reason, source_type=e.source_type, source_id=e.source_id,
                          counted_in_scheme=e.pk not in other) for e in mp.entries],
    )  # fmt: skip


class RowOut(TotalOut):
    member_id: int
    name: str
    items: dict[str, Score] = Field(description="积分项目 id → 计入的分值（按单项上限）")


class ItemOut(Schema):
    id: int
    name: str
    kind: str
    points: Score
    yearly_cap: Score | None
    source: str


class BranchTableOut(Schema):
    org_id: int
    org_name: str
    year: int
    scheme: str | None
    items: list[ItemOut]
    rows: list[RowOut]
    distribution: dict[str, int] = Field(description="星级 → 人数（0 为不合格）")


@router.get("/orgs/{org_id}/table", response={200: BranchTableOut, **READ_ERRORS}, summary="党支部年度积分表")
def branch_table(request: HttpRequest, org_id: int, year: int | None = None) -> BranchTableOut:
    """党支部每名党员的基础分、各项目计入分值、加分、扣分、积分和星级（截至目前）。"""
    actor = _actor(request)
    org = org_get(actor, org_id)
    if org.org_type not in org_rules.HOLDS_MEMBERS:
        raise Http404
    table = selectors.branch_table(actor, org, _year(year))
    return BranchTableOut(
        org_id=org.pk, org_name=org.name, year=table.year, scheme=table.scheme.name if table.scheme else None,
        items=[ItemOut(id=i.pk, name=i.name, kind=i.kind, points=rules.fmt(i.points),
                       yearly_cap=rules.fmt(i.yearly_cap) if i.yearly_cap is not None else None, source=i.source)
               for i in table.items],
        rows=[RowOut(member_id=r.member_id, name=r.name,
                     items={str(k): rules.fmt(v) for k, v in table.item_sums.get(r.member_id, {}).items()},  # type: ignore[arg-type]
                     **_total(r).model_dump()) for r in table.rows],
        distribution={str(st): n for st, _, n in table.distribution},
    )  # fmt: skip


class RollupOut(Schema):
    org_id: int
    year: int
    counts: dict[str, int] = Field(description="星级 → 年终评定人数（0 为不合格）")
    rated: int
    unqualified: int
    branch_stars: dict[str, int] = Field(description="已定级的党组织 id → 星级（E6.5）")


@router.get("/orgs/{org_id}/rollup", response={200: RollupOut, **READ_ERRORS}, summary="评星定级汇总")
def rollup(request: HttpRequest, org_id: int, year: int | None = None) -> RollupOut:
    actor = _actor(request)
    org = org_get(actor, org_id)
    y = _year(year)
    r = selectors.stars_rollup(actor, org, y)
    return RollupOut(org_id=org.pk, year=y, counts={str(k): v for k, v in sorted(r.total.counts.items())},
                     rated=r.total.rated, unqualified=r.total.unqualified,
                     branch_stars={str(b.org_id): b.stars for b in selectors.org_branch_ratings(actor, org, y)
                                   if b.stars is not None})  # fmt: skip
