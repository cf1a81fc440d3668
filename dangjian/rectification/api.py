"""JSON API routes of weak-organization rectification, mounted by dangjian.api.api under
/api/rectification/. Thin: the same selectors and services as the pages, so everything a page can
write can be written here too (phones, the county's other systems). The API's error handlers answer
ServiceError 422 (Chinese messages by field), out of scope 404 (also a write by a read-only role),
ConflictError 409. Files (progress material, acceptance material) are sent as multipart/form-data."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast

from django.http import FileResponse, Http404, HttpRequest
from django.utils import timezone
from ninja import Field, File, Form, Router, Schema, Status, UploadedFile
from ninja.params import FormEx

from dangjian.accounts.models import ORG_ROLES, Role, User
from dangjian.api import schemas as s
from dangjian.common.errors import ConflictError, ServiceError, fields_renamed
from dangjian.common.uploads import stored_file_response
from dangjian.orgs.selectors import org_get
from dangjian.rectification import rules, selectors, services
from dangjian.rectification.models import Acceptance, Case, Milestone, ProgressReport, SatisfactionSurvey

router = Router()

READ_ERRORS: dict[int, type] = {401: s.ErrorOut, 404: s.ErrorOut, 422: s.ValidationErrorOut}
WRITE_ERRORS: dict[int, type] = {**READ_ERRORS, 409: s.ConflictOut}

ROLE_LABELS = dict(Role.choices)


def _actor(request: HttpRequest) -> User:
    actor = cast(User, request.auth)  # type: ignore[attr-defined]
    if actor.role not in ORG_ROLES:
        raise Http404
    return actor


def _year(year: int | None) -> int:
    today = timezone.localdate()
    return year if year and 2000 <= year <= today.year else today.year


# --- shapes ---------------------------------------------------------------------------------------------------
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
    case_id: int
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
    version: int = Field(description="方案的版本号；调整方案时传回，已被他人修改时返回 409")


class FileOut(Schema):
    id: int = Field(description="文件 id，下载：GET /files/{id}")
    name: str
    file_type: str
    size: int


class ProgressOut(Schema):
    id: int
    date: dt.date
    text: str
    files: list[str] = Field(description="文件名（与 attachments 相同）")
    attachments: list[FileOut]


class AcceptanceOut(Schema):
    id: int
    date: dt.date
    accepted_by: str
    result: str
    result_label: str
    notes: str
    attachments: list[FileOut]


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


class IdentifyIn(s.In):
    year: int | None = Field(None, description="年度，默认今年")


class IdentifyOut(Schema):
    created: int = Field(description="新列为候选的党组织数")
    findings: int = Field(description="新增的认定依据条数")
    unchanged: int = Field(description="已确认或排除、未改动的党组织数")


class NominateIn(s.In):
    year: int = Field(description="年度")
    category: str = Field("", description="E6.11 情形类别代码：" + "、".join(f"{k} {v}" for k, v in rules.CATEGORY_LABELS.items()))
    reason: str = Field("", max_length=2000, description="提名理由（事实）")


class ConfirmIn(Schema):
    version: int | None = Field(None, description="打开时的版本号；已被他人修改时返回 409")


class ConfirmOut(Schema):
    case: CaseOut
    warnings: list[str] = Field(description="超过倒排比例参考时的提醒（不阻止确认）")


class DismissIn(s.In):
    reason: str = Field("", max_length=500, description="排除理由")
    version: int | None = Field(None, description="打开时的版本号；已被他人修改时返回 409")


class LeaderOut(Schema):
    id: int
    name: str
    role: str
    role_label: str


class PlanIn(s.In):
    responsible_person: str = Field("", max_length=100, description=rules.PLAN_LABELS["responsible_person"])
    responsibility: str = Field("", max_length=5000, description=rules.PLAN_LABELS["responsibility"])
    goal: str = Field("", max_length=5000, description=rules.PLAN_LABELS["goal"])
    reward_penalty: str = Field("", max_length=5000, description=rules.PLAN_LABELS["reward_penalty"])
    leader_id: int | None = Field(None, description="包联领导的账号 id（可选的账号见 GET /cases/{case_id}/leaders）")
    leader_name: str = Field("", max_length=50, description=rules.PLAN_LABELS["leader_name"])
    leader_post: str = Field("", max_length=100, description=rules.PLAN_LABELS["leader_post"])
    deadline: dt.date | None = Field(None, description="整顿期限")
    measures: str = Field("", max_length=5000, description="主要措施")


class PlanUpdateIn(s.In):
    """Only the fields to change; a field left out (or null) keeps its value."""

    reason: str = Field("", max_length=500, description="调整理由（必填，记入审计）")
    version: int = Field(description="读取时方案的 version（plan.version）；已被他人修改时返回 409")
    responsible_person: str | None = Field(None, max_length=100)
    responsibility: str | None = Field(None, max_length=5000)
    goal: str | None = Field(None, max_length=5000)
    reward_penalty: str | None = Field(None, max_length=5000)
    leader_id: int | None = None
    leader_name: str | None = Field(None, max_length=50)
    leader_post: str | None = Field(None, max_length=100)
    deadline: dt.date | None = None
    measures: str | None = Field(None, max_length=5000)


class MilestoneIn(s.In):
    title: str = Field("", max_length=200, description="节点任务")
    due: dt.date | None = Field(None, description="完成期限")


class MilestoneDoneIn(s.In):
    done_on: dt.date | None = Field(None, description="完成日期")
    note: str = Field("", max_length=500, description="完成情况")


class ProgressIn(s.In):
    """JSON only: files go to POST /progress/{progress_id}/files (a "files" key here is refused, not lost)."""

    date: dt.date
    text: str


# The page's limit (the column's length): longer is a 422 here too, never silently cut by the service.
AcceptedByForm = FormEx[str, {"max_length": 200}]


class AcceptanceRecordedOut(Schema):
    acceptance: AcceptanceOut
    case: CaseOut


class SurveyOut(Schema):
    id: int
    org_id: int
    org_name: str
    year: int
    date: dt.date
    respondents: int
    satisfied: int
    percent: float | None = Field(description="满意率（%）")
    method: str
    version: int


# Survey counts go into an integer column: a bound there, so an absurd number is a 422, not a crash.
MAX_COUNT = 2_147_483_647


class SurveyIn(s.In):
    year: int = Field(description="年度")
    date: dt.date | None = Field(None, description="测评日期")
    respondents: int | None = Field(None, le=MAX_COUNT, description="参加测评人数")
    satisfied: int | None = Field(None, le=MAX_COUNT, description="满意（含基本满意）人数")
    method: str = Field("", max_length=200, description="测评方式（来源），如：入户问卷")


class SurveyUpdateIn(s.In):
    """Only the fields to change; a field left out (or null) keeps its value. The year is fixed."""

    version: int = Field(description="读取时的 version；已被他人修改时返回 409")
    date: dt.date | None = None
    respondents: int | None = Field(None, le=MAX_COUNT)
    satisfied: int | None = Field(None, le=MAX_COUNT)
    method: str | None = Field(None, max_length=200)


# --- building answers -------------------------------------------------------------------------------------------
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


def _files(files: Any) -> list[FileOut]:
    return [FileOut(id=f.pk, name=f.original_name, file_type=f.file_type, size=f.size) for f in files]


def _milestone(m: Milestone) -> MilestoneOut:
    return MilestoneOut(id=m.pk, case_id=m.case_id, title=m.title, due=m.due, done_on=m.done_on, note=m.note)


def _progress(p: ProgressReport) -> ProgressOut:
    files = list(p.files.all())
    return ProgressOut(id=p.pk, date=p.date, text=p.text, files=[f.original_name for f in files],
                       attachments=_files(files))


def _acceptance(a: Acceptance) -> AcceptanceOut:
    return AcceptanceOut(id=a.pk, date=a.date, accepted_by=a.accepted_by, result=a.result,
                         result_label=rules.RESULT_LABELS[a.result], notes=a.notes, attachments=_files(a.files.all()))


def _case_detail(actor: User, case_id: int) -> CaseDetailOut:
    d = selectors.case_detail(actor, case_id)
    plan = d.plan
    return CaseDetailOut(
        **_case_out(d.case),
        findings=[_finding(f.criterion, f.category, f.facts, f.links) for f in d.findings],
        plan=PlanOut(made_on=plan.made_on, responsible_person=plan.responsible_person,
                     responsibility=plan.responsibility, goal=plan.goal, reward_penalty=plan.reward_penalty,
                     leader_id=plan.leader_id, leader_name=plan.leader_name, leader_post=plan.leader_post,
                     deadline=plan.deadline, measures=plan.measures, version=plan.version) if plan else None,
        milestones=[_milestone(m) for m in d.milestones],
        progress=[_progress(p) for p in d.progress],
        acceptances=[_acceptance(a) for a in d.acceptances],
    )  # fmt: skip


def _survey(sv: SatisfactionSurvey) -> SurveyOut:
    percent = rules.satisfaction_percent(sv.satisfied, sv.respondents)
    return SurveyOut(id=sv.pk, org_id=sv.org_id, org_name=sv.org.name, year=sv.year, date=sv.date,
                     respondents=sv.respondents, satisfied=sv.satisfied,
                     percent=float(percent) if percent is not None else None, method=sv.method, version=sv.version)


def _leader_choices(actor: User, case: Case) -> list[User]:
    """The accounts the page offers as 包 leader, and the plan's current leader (kept even if no longer
    listed, as the page keeps it)."""
    leaders = selectors.leader_choices(actor, case.org)
    plan = getattr(case, "plan", None)
    if plan is not None and plan.leader not in leaders:
        leaders = [plan.leader, *leaders]
    return leaders


def _leader(actor: User, case: Case, leader_id: int | None) -> tuple[User | None, bool]:
    """The 包 leader by id, only among the accounts offered, and whether the id was refused: any other id
    (missing, or someone the caller does not see) is the same refusal, so the answer tells nothing about
    accounts elsewhere."""
    if leader_id is None:
        return None, False
    found = next((u for u in _leader_choices(actor, case) if u.pk == leader_id), None)
    return found, found is None


@contextmanager
def _leader_refused(refused: bool) -> Iterator[None]:
    """A refused leader id goes to the service as no leader, so the service still reports everything
    else wrong in the same answer; its "leader required" is then replaced by what was wrong. (Without
    a leader the plan services always refuse, so nothing is written.)"""
    try:
        yield
    except ConflictError:
        raise
    except ServiceError as exc:
        if not refused:
            raise
        raise ServiceError({**exc.errors, "leader": [services.LEADER_INVALID]}) from exc


def _deciding_case(actor: User, case_id: int) -> Case:
    """A case for the level above its organization (plans are theirs); 404 for anyone else, as on the page."""
    case = selectors.case_get(actor, case_id)
    if not selectors.may_decide(actor, case.org):
        raise Http404
    return case


# --- reads --------------------------------------------------------------------------------------------------------
@router.get("/candidates", response={200: CandidatesOut, **READ_ERRORS}, summary="从记录中查找软弱涣散候选（不保存）")
def candidates(request: HttpRequest, org_id: int, year: int | None = None) -> CandidatesOut:
    """按本年度的记录判定 org_id 下的基层党组织：书记空缺、村连续无发展对象、组织生活不正常、群众满意度、
    年度考核和支部星级；每条依据附事实和相关记录。只读，不保存（保存为候选：POST /orgs/{org_id}/identify）。"""
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
    return _case_detail(_actor(request), case_id)


@router.get("/counts", response={200: CountsOut, **READ_ERRORS}, summary="各乡镇识别、整顿、验收数")
def counts(request: HttpRequest, org_id: int, year: int | None = None) -> CountsOut:
    """org_id 下一级（县：各乡镇）某年度的候选、识别、整顿中、已验收、验收未通过数和各类别确认比例。"""
    actor = _actor(request)
    c = selectors.counts(actor, org_get(actor, org_id), _year(year))
    return CountsOut(org_id=c.org.pk, year=c.year, share_percent=c.share_percent, sentence=c.total.sentence,
                     total=_count(c.total), rows=[_count(r) for r in c.rows])


@router.get("/cases/{case_id}/leaders", response={200: list[LeaderOut], **READ_ERRORS}, summary="可选的包联领导账号")
def case_leaders(request: HttpRequest, case_id: int) -> list[LeaderOut]:
    """制定、调整整顿方案时 leader_id 可选的账号：能看到该党组织的县、乡镇工作人员。不能决定该整顿的，列表为空。"""
    actor = _actor(request)
    case = selectors.case_get(actor, case_id)
    if not selectors.may_decide(actor, case.org):
        return []
    return [LeaderOut(id=u.pk, name=str(u), role=u.role, role_label=ROLE_LABELS.get(u.role, u.role))
            for u in _leader_choices(actor, case)]


@router.get("/files/{rfile_id}", response={200: None, **READ_ERRORS}, summary="下载整顿材料")
def file_download(request: HttpRequest, rfile_id: int) -> FileResponse:
    """整顿进展或验收的材料（图片、PDF 直接显示，其他下载）；只能通过您管理范围内的整顿记录取得。"""
    f = selectors.file_get(_actor(request), rfile_id)
    return stored_file_response(f.file, original_name=f.original_name, file_type=f.file_type)


@router.get("/orgs/{org_id}/surveys", response={200: list[SurveyOut], **READ_ERRORS}, summary="群众满意度测评")
def surveys(request: HttpRequest, org_id: int, year: int | None = None) -> list[SurveyOut]:
    """org_id 及其下级某年度登记的群众满意度测评。"""
    actor = _actor(request)
    return [_survey(sv) for sv in selectors.survey_list(actor, org_get(actor, org_id), _year(year))]


@router.get("/surveys/{survey_id}", response={200: SurveyOut, **READ_ERRORS}, summary="群众满意度测评详情")
def survey_detail(request: HttpRequest, survey_id: int) -> SurveyOut:
    return _survey(selectors.survey_get(_actor(request), survey_id))


# --- identification and decisions -----------------------------------------------------------------------------------
@router.post("/orgs/{org_id}/identify", response={200: IdentifyOut, **WRITE_ERRORS}, summary="把查到的候选记录下来")
def identify(request: HttpRequest, org_id: int, payload: IdentifyIn) -> IdentifyOut:
    """与“从记录中查找候选”相同的判定，把结果记为候选（每条依据附当时的事实）。可重复执行：已记录的依据不重复，
    已确认或排除的不改动。"""
    actor = _actor(request)
    org = org_get(actor, org_id)
    year = payload.year if payload.year is not None else timezone.localdate().year
    out = services.candidates_identify(actor=actor, org=org, year=year)
    return IdentifyOut(created=out.created, findings=out.findings, unchanged=out.unchanged)


@router.post("/orgs/{org_id}/nominations", response={201: CaseDetailOut, **WRITE_ERRORS}, summary="人工提名软弱涣散候选")
def nominate(request: HttpRequest, org_id: int, payload: NominateIn) -> Status[CaseDetailOut]:
    """由上级（县、乡镇）提名 org_id 为某年度的候选，写明理由并选择情形类别；该年度已是候选的，增加一条提名依据。"""
    actor = _actor(request)
    org = org_get(actor, org_id)
    with fields_renamed(org="org_id"):
        case = services.case_nominate(actor=actor, org=org, year=payload.year, category=payload.category,
                                      reason=payload.reason)
    return Status(201, _case_detail(actor, case.pk))


@router.post("/cases/{case_id}/confirm", response={200: ConfirmOut, **WRITE_ERRORS}, summary="确认软弱涣散党组织")
def confirm(request: HttpRequest, case_id: int, payload: ConfirmIn) -> ConfirmOut:
    """由上级（县、乡镇）确认候选；超过倒排比例参考只提醒（warnings），不阻止。"""
    actor = _actor(request)
    case = selectors.case_get(actor, case_id)
    result = services.case_confirm(actor=actor, case=case, version=payload.version)
    case = selectors.case_get(actor, case_id)
    return ConfirmOut(case=CaseOut(**_case_out(case)), warnings=result.warnings)


@router.post("/cases/{case_id}/dismiss", response={200: CaseOut, **WRITE_ERRORS}, summary="排除候选")
def dismiss(request: HttpRequest, case_id: int, payload: DismissIn) -> CaseOut:
    """由上级排除候选，须写明理由（记入审计）。"""
    actor = _actor(request)
    case = services.case_dismiss(actor=actor, case=selectors.case_get(actor, case_id), reason=payload.reason,
                                 version=payload.version)
    return CaseOut(**_case_out(selectors.case_get(actor, case.pk)))


# --- plan, milestones, progress, acceptance ---------------------------------------------------------------------
@router.post("/cases/{case_id}/plan", response={201: CaseDetailOut, **WRITE_ERRORS}, summary="制定整顿方案（四定一包）")
def plan_create(request: HttpRequest, case_id: int, payload: PlanIn) -> Status[CaseDetailOut]:
    """已确认的党组织的整顿方案：定人、定责、定目标、定奖惩和包联领导（leader_id 账号及其姓名、职务），整顿期限；
    保存后进入整顿中。"""
    actor = _actor(request)
    case = _deciding_case(actor, case_id)
    leader, refused = _leader(actor, case, payload.leader_id)
    with fields_renamed(leader="leader_id"), _leader_refused(refused):
        services.plan_create(
            actor=actor, case=case, responsible_person=payload.responsible_person, responsibility=payload.responsibility,
            goal=payload.goal, reward_penalty=payload.reward_penalty, leader=leader, leader_name=payload.leader_name,
            leader_post=payload.leader_post, deadline=payload.deadline, measures=payload.measures,
        )  # fmt: skip
    return Status(201, _case_detail(actor, case.pk))


@router.patch("/cases/{case_id}/plan", response={200: CaseDetailOut, **WRITE_ERRORS}, summary="调整整顿方案")
def plan_update(request: HttpRequest, case_id: int, payload: PlanUpdateIn) -> CaseDetailOut:
    """整顿中调整方案（如延长整顿期限）：只传要改的项、调整理由 reason 和方案的 version；未完成节点的期限不能晚于
    新的整顿期限。"""
    actor = _actor(request)
    case = _deciding_case(actor, case_id)
    plan = getattr(case, "plan", None)

    def value(name: str) -> Any:
        # Left out (or null): the plan's current value — the service checks the whole plan again, as the
        # page sends it whole.
        sent = getattr(payload, name)
        return sent if sent is not None else getattr(plan, name, None)

    leader, refused = _leader(actor, case, payload.leader_id)
    if payload.leader_id is None:
        leader = getattr(plan, "leader", None)
    with fields_renamed(leader="leader_id"), _leader_refused(refused):
        services.plan_update(
            actor=actor, case=case, reason=payload.reason, version=payload.version, leader=leader,
            responsible_person=value("responsible_person") or "", responsibility=value("responsibility") or "",
            goal=value("goal") or "", reward_penalty=value("reward_penalty") or "",
            leader_name=value("leader_name") or "", leader_post=value("leader_post") or "",
            deadline=value("deadline"), measures=value("measures") or "",
        )  # fmt: skip
    return _case_detail(actor, case.pk)


@router.post("/cases/{case_id}/milestones", response={201: MilestoneOut, **WRITE_ERRORS}, summary="添加整顿节点")
def milestone_add(request: HttpRequest, case_id: int, payload: MilestoneIn) -> Status[MilestoneOut]:
    """整顿中的党组织、上级或包联领导添加节点任务和完成期限（不晚于整顿期限）。"""
    actor = _actor(request)
    m = services.milestone_add(actor=actor, case=selectors.case_get(actor, case_id), title=payload.title, due=payload.due)
    return Status(201, _milestone(m))


@router.post("/milestones/{milestone_id}/done", response={200: MilestoneOut, **WRITE_ERRORS}, summary="登记节点完成")
def milestone_done(request: HttpRequest, milestone_id: int, payload: MilestoneDoneIn) -> MilestoneOut:
    actor = _actor(request)
    m = services.milestone_done(actor=actor, milestone=selectors.milestone_get(actor, milestone_id),
                                done_on=payload.done_on, note=payload.note)
    return _milestone(m)


@router.post("/cases/{case_id}/progress", response={201: ProgressOut, **WRITE_ERRORS}, summary="报告整顿进展")
def progress(request: HttpRequest, case_id: int, payload: ProgressIn) -> Status[ProgressOut]:
    """整顿中的党组织或包联领导报告进展（JSON）。材料随后用 POST /progress/{progress_id}/files 上传。"""
    actor = _actor(request)
    case = selectors.case_get(actor, case_id)
    p = services.progress_report(actor=actor, case=case, date=payload.date, text=payload.text)
    return Status(201, _progress(p))


@router.post("/progress/{progress_id}/files", response={201: ProgressOut, **WRITE_ERRORS}, summary="上传整顿材料（multipart）")
def progress_files(request: HttpRequest, progress_id: int,
                   files: File[list[UploadedFile]] = None) -> Status[ProgressOut]:  # type: ignore[assignment]
    """multipart/form-data：files 材料文件（可多个；图片、PDF、Word、Excel，按内容校验类型）。有一个不允许的文件，
    全部不保存。"""
    actor = _actor(request)
    p = selectors.progress_get(actor, progress_id)
    services.progress_files_add(actor=actor, progress=p, files=list(files or []))
    return Status(201, _progress(selectors.progress_get(actor, progress_id)))


@router.post("/cases/{case_id}/acceptances", response={201: AcceptanceRecordedOut, **WRITE_ERRORS},
             summary="登记验收（multipart）")
def acceptance(request: HttpRequest, case_id: int, date: Form[dt.date | None] = None,
               accepted_by: AcceptedByForm = "",
               result: Form[str] = "", notes: Form[str] = "",
               files: File[list[UploadedFile]] = None) -> Status[AcceptanceRecordedOut]:  # type: ignore[assignment]
    """multipart/form-data，由上级验收：date 验收日期，accepted_by 验收组织（人员），result（passed 验收通过、
    not_passed 验收未通过——须在 notes 写明问题，继续整顿），notes 验收意见，files 验收材料（可多个）。"""
    actor = _actor(request)
    case = selectors.case_get(actor, case_id)
    acc = services.acceptance_record(actor=actor, case=case, date=date, accepted_by=accepted_by, result=result,
                                     notes=notes, files=list(files or []))
    return Status(201, AcceptanceRecordedOut(acceptance=_acceptance(acc),
                                             case=CaseOut(**_case_out(selectors.case_get(actor, case.pk)))))


# --- satisfaction surveys ------------------------------------------------------------------------------------------
@router.post("/orgs/{org_id}/surveys", response={201: SurveyOut, **WRITE_ERRORS}, summary="登记群众满意度测评")
def survey_record(request: HttpRequest, org_id: int, payload: SurveyIn) -> Status[SurveyOut]:
    """由上级（县、乡镇）登记 org_id 某年度的群众满意度测评；每个党组织每年一条，改动请用 PATCH /surveys/{id}。"""
    actor = _actor(request)
    org = org_get(actor, org_id)
    with fields_renamed(org="org_id"):
        sv = services.survey_record(actor=actor, org=org, year=payload.year, date=payload.date,
                                    respondents=payload.respondents, satisfied=payload.satisfied, method=payload.method)
    return Status(201, _survey(selectors.survey_get(actor, sv.pk)))


@router.patch("/surveys/{survey_id}", response={200: SurveyOut, **WRITE_ERRORS}, summary="修改群众满意度测评")
def survey_update(request: HttpRequest, survey_id: int, payload: SurveyUpdateIn) -> SurveyOut:
    """只传要改的项和读取时的 version；年度不能改。"""
    actor = _actor(request)
    sv = selectors.survey_get(actor, survey_id)
    services.survey_update(
        actor=actor, survey=sv, version=payload.version,
        date=payload.date if payload.date is not None else sv.date,
        respondents=payload.respondents if payload.respondents is not None else sv.respondents,
        satisfied=payload.satisfied if payload.satisfied is not None else sv.satisfied,
        method=payload.method if payload.method is not None else sv.method,
    )  # fmt: skip
    return _survey(selectors.survey_get(actor, survey_id))
