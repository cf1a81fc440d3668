"""JSON API routes of weak-organization rectification, to be mounted by dangjian.api.api under
/api/rectification/. Thin: the same selectors and services as the pages. The API's error handlers
answer ServiceError 422 (Chinese messages by field), out of scope 404, ConflictError 409."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from dangjian.accounts.models import ORG_ROLES, User
from dangjian.api import schemas as s
from dangjian.orgs.selectors import org_get
from dangjian.rectification import rules, selectors, services
from dangjian.rectification.models import Case

router = Router()

READ_ERRORS: dict[int, type] = {401: s.ErrorOut, 404: s.ErrorOut, 422: s.ValidationErrorOut}
WRITE_ERRORS: dict[int, type] = {**READ_ERRORS, 409: s.ConflictOut}


def _actor(request: HttpRequest) -> User:
    actor = cast(User, request.auth)  # type: ignore[attr-defined]
    if actor.role not in ORG_ROLES:
        raise Http404
    return actor


def _year(year: int | None) -> int:
    today = timezone.localdate()
    return year if year and 2000 <= year <= today.year else today.year


class FindingOut(Schema):
    criterion: str = Field(description="认定依据代码：" + "、".join(f"{k} {v}" for k, v in rules.CRITERION_LABELS.items()))
    label: str
    category: str = Field(description="E6.11 情形类别代码（c01–c10），可为空")
    facts: str = Field(description="事实（中文），可据此核对记录")
    links: list[list[str]] = Field(description="相关记录 [[名称, 页面地址], ...]")


class CandidateOut(Schema):
    org_id: int
    org_name: str
    findings: list[FindingOut]
    case_id: int | None = Field(description="本年度已记录的整顿记录（如有）")
    case_status: str | None


class CandidatesOut(Schema):
    org_id: int
    year: int
    judged_on: dt.date
    judged: int = Field(description="判定的基层党组织数")
    candidates: list[CandidateOut]
    unavailable: list[str] = Field(description="暂不能判定的依据（来源模块尚未提供）")


class MilestoneOut(Schema):
    id: int
    title: str
    due: dt.date
    done_on: dt.date | None
    note: str


class PlanOut(Schema):
    made_on: dt.date
    responsible_person: str
    responsibility: str
    goal: str
    reward_penalty: str
    leader_id: int
    leader_name: str
    leader_post: str
    deadline: dt.date
    measures: str


class ProgressOut(Schema):
    id: int
    date: dt.date
    text: str
    files: list[str]


class AcceptanceOut(Schema):
    id: int
    date: dt.date
    accepted_by: str
    result: str
    result_label: str
    notes: str


class CaseOut(Schema):
    id: int
    org_id: int
    org_name: str
    year: int
    status: str = Field(description="candidate 候选、confirmed 已确认、rectifying 整顿中、accepted 已验收、dismissed 已排除")
    status_label: str
    identified_on: dt.date
    confirmed_on: dt.date | None
    confirming_org_id: int | None
    dismiss_reason: str
    accepted_on: dt.date | None
    version: int


class CaseDetailOut(CaseOut):
    findings: list[FindingOut]
    plan: PlanOut | None
    milestones: list[MilestoneOut]
    progress: list[ProgressOut]
    acceptances: list[AcceptanceOut]


class CountOut(Schema):
    org_id: int
    org_name: str
    candidates: int
    identified: int = Field(description="识别（确认）的软弱涣散党组织")
    rectifying: int = Field(description="整顿中（已确认、尚未验收通过）")
    accepted: int = Field(description="验收通过")
    not_passed: int = Field(description="验收未通过、继续整顿")
    dismissed: int
    shares: dict[str, list[Any]] = Field(description="按类别：[确认数, 党组织数, 比例%]")


class CountsOut(Schema):
    org_id: int
    year: int
    share_percent: float = Field(description="倒排比例参考（%）")
    sentence: str
    total: CountOut
    rows: list[CountOut]


class ConfirmIn(Schema):
    version: int | None = Field(None, description="打开时的版本号；已被他人修改时返回 409")


class ConfirmOut(Schema):
    case: CaseOut
    warnings: list[str] = Field(description="超过倒排比例参考时的提醒（不阻止确认）")


class ProgressIn(Schema):
    date: dt.date
    text: str


def _case_out(c: Case) -> dict[str, Any]:
    return {"id": c.pk, "org_id": c.org_id, "org_name": c.org.name, "year": c.year, "status": c.status,
            "status_label": rules.STATUS_LABELS[c.status], "identified_on": c.identified_on,
            "confirmed_on": c.confirmed_on, "confirming_org_id": c.confirming_org_id,
            "dismiss_reason": c.dismiss_reason, "accepted_on": c.accepted_on, "version": c.version}  # fmt: skip


def _finding(criterion: str, category: str, facts: str, links: Any) -> FindingOut:
    return FindingOut(criterion=criterion, label=rules.CRITERION_LABELS[criterion], category=category, facts=facts,
                      links=[list(x) for x in links])


def _count(r: selectors.CountRow) -> CountOut:
    assert r.org is not None
    return CountOut(org_id=r.org.pk, org_name=r.org.name, candidates=r.candidates, identified=r.identified,
                    rectifying=r.rectifying, accepted=r.accepted, not_passed=r.not_passed, dismissed=r.dismissed,
                    shares={label: [n, total, float(p) if p is not None else None] for label, n, total, p in r.shares})


@router.get("/candidates", response={200: CandidatesOut, **READ_ERRORS}, summary="从记录中查找软弱涣散候选（不保存）")
def candidates(request: HttpRequest, org_id: int, year: int | None = None) -> CandidatesOut:
    """按本年度的记录判定 org_id 下的基层党组织：书记空缺、村连续无发展对象、组织生活不正常、群众满意度、
    年度考核和支部星级；每条依据附事实和相关记录。只读，不保存。"""
    actor = _actor(request)
    scan = selectors.candidate_scan(actor, org_get(actor, org_id), _year(year), timezone.localdate())
    return CandidatesOut(
        org_id=scan.org.pk, year=scan.year, judged_on=scan.on, judged=scan.judged, unavailable=scan.unavailable,
        candidates=[CandidateOut(org_id=c.org.pk, org_name=c.org.name, case_id=c.case.pk if c.case else None,
                                 case_status=c.case.status if c.case else None,
                                 findings=[_finding(f.criterion, f.category, f.facts, f.links) for f in c.findings])
                    for c in scan.candidates],
    )  # fmt: skip


@router.get("/cases", response={200: list[CaseOut], **READ_ERRORS}, summary="软弱涣散整顿名单")
def cases(request: HttpRequest, org_id: int, year: int | None = None, state: str = "") -> list[dict[str, Any]]:
    """org_id 下某年度的整顿记录；state：candidates、identified、rectifying、accepted、not_passed、dismissed。"""
    actor = _actor(request)
    org = org_get(actor, org_id)
    return [_case_out(c) for c in selectors.case_list(actor, org, year=_year(year), state=state)]


@router.get("/cases/{case_id}", response={200: CaseDetailOut, **READ_ERRORS}, summary="整顿记录详情")
def case_detail(request: HttpRequest, case_id: int) -> CaseDetailOut:
    d = selectors.case_detail(_actor(request), case_id)
    plan = d.plan
    return CaseDetailOut(
        **_case_out(d.case),
        findings=[_finding(f.criterion, f.category, f.facts, f.links) for f in d.findings],
        plan=PlanOut(made_on=plan.made_on, responsible_person=plan.responsible_person,
                     responsibility=plan.responsibility, goal=plan.goal, reward_penalty=plan.reward_penalty,
                     leader_id=plan.leader_id, leader_name=plan.leader_name, leader_post=plan.leader_post,
                     deadline=plan.deadline, measures=plan.measures) if plan else None,
        milestones=[MilestoneOut(id=m.pk, title=m.title, due=m.due, done_on=m.done_on, note=m.note) for m in d.milestones],
        progress=[ProgressOut(id=p.pk, date=p.date, text=p.text, files=[f.original_name for f in p.files.all()])
                  for p in d.progress],
        acceptances=[AcceptanceOut(id=a.pk, date=a.date, accepted_by=a.accepted_by, result=a.result,
                                   result_label=rules.RESULT_LABELS[a.result], notes=a.notes) for a in d.acceptances],
    )  # fmt: skip


@router.get("/counts", response={200: CountsOut, **READ_ERRORS}, summary="各乡镇识别、整顿、验收数")
def counts(request: HttpRequest, org_id: int, year: int | None = None) -> CountsOut:
    """org_id 下一级（县：各乡镇）某年度的候选、识别、整顿中、已验收、验收未通过数和各类别确认比例。"""
    actor = _actor(request)
    c = selectors.counts(actor, org_get(actor, org_id), _year(year))
    return CountsOut(org_id=c.org.pk, year=c.year, share_percent=c.share_percent, sentence=c.total.sentence,
                     total=_count(c.total), rows=[_count(r) for r in c.rows])


@router.post("/cases/{case_id}/confirm", response={200: ConfirmOut, **WRITE_ERRORS}, summary="确认软弱涣散党组织")
def confirm(request: HttpRequest, case_id: int, payload: ConfirmIn) -> ConfirmOut:
    """由上级（县、乡镇）确认候选；超过倒排比例参考只提醒（warnings），不阻止。"""
    actor = _actor(request)
    case = selectors.case_get(actor, case_id)
    result = services.case_confirm(actor=actor, case=case, version=payload.version)
    case = selectors.case_get(actor, case_id)
    return ConfirmOut(case=CaseOut(**_case_out(case)), warnings=result.warnings)


@router.post("/cases/{case_id}/progress", response={201: ProgressOut, **WRITE_ERRORS}, summary="报告整顿进展")
def progress(request: HttpRequest, case_id: int, payload: ProgressIn) -> Status[ProgressOut]:
    """整顿中的党组织或包联领导报告进展（文件请在页面上传）。"""
    actor = _actor(request)
    case = selectors.case_get(actor, case_id)
    p = services.progress_report(actor=actor, case=case, date=payload.date, text=payload.text)
    return Status(201, ProgressOut(id=p.pk, date=p.date, text=p.text, files=[]))
