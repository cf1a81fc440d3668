"""JSON API of membership development (发展党员), mounted by dangjian.api.api under /api/recruitment/.
Thin: the same selectors and services as the pages, so scope, the rules and the audit are theirs.

Answers: an id outside the caller's subtree is 404 exactly like a missing one (a member-role user
finds nothing here); bad input is 422 ``{"detail", "errors"}`` with Chinese messages and nothing
written; a rule that blocks is 422 with ``results`` — every rule result of the check (pass, warn,
block), so a client can show the whole judgement; a stale ``version`` is 409.

Personal data: lists and details carry the masked ID number and phone, the birth year and the age,
never the birth date (the masked digits); the full values come only through ``reveal`` (audited).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from typing import Any, Literal, TypeVar, cast

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from dangjian.accounts.models import User
from dangjian.accounts.selectors import scope_for
from dangjian.api import schemas as s
from dangjian.common.errors import ServiceError
from dangjian.members import codes
from dangjian.members.rules import age_on
from dangjian.members.selectors import member_get
from dangjian.orgs import selectors as org_selectors
from dangjian.orgs.models import Org
from dangjian.recruitment import rules, selectors, services
from dangjian.recruitment import steps as S
from dangjian.recruitment.models import DevelopmentPlan, DevelopmentRecord, Outcome, PublicNotice, Step, Vote

router = Router()

READ_ERRORS: dict[int, Any] = {401: s.ErrorOut, 404: s.ErrorOut, 422: s.ValidationErrorOut}
WRITE_ERRORS: dict[int, Any] = {**READ_ERRORS, 403: s.ErrorOut, 409: s.ConflictOut}

STATUS_UNKNOWN = "“{value}”不是有效的状态；可选：{choices}。"
STAGE_RANGE = "阶段应为1至5。"
REGISTER_UNKNOWN = "“{value}”不是有效的花名册；可选：{choices}。"
EVENT_UNKNOWN = "“{value}”不是有效的统计口径；可选：{choices}。"
PERIOD_ORDER = "统计期间的结束日期不能早于开始日期。"

T = TypeVar("T")


def _actor(request: HttpRequest) -> User:
    return cast(User, request.auth)  # type: ignore[attr-defined]


def _ref(actor: User, org: Org | None) -> s.OrgRef | None:
    """An organization named on a record: its id only if the caller may open it."""
    if org is None:
        return None
    return s.OrgRef(id=org.pk if scope_for(actor).contains_path(org.path) else None, name=org.name)


def _paginate(items: QuerySet[Any], page: int, build: Callable[[Any], T]) -> dict[str, Any]:
    size = settings.PAGE_SIZE
    count = items.count()
    page = max(page, 1)
    start = (page - 1) * size
    return {
        "count": count, "page": page, "pages": max(math.ceil(count / size), 1), "page_size": size,
        "items": [build(x) for x in items[start : start + size]],
    }  # fmt: skip


# --- shapes: rule results ---------------------------------------------------------------------------------
class RuleResultOut(Schema):
    code: str = Field(description="规则编号，如 R1.9")
    name: str = Field(description="规则名称")
    article: str = Field(description="出处（党章、细则条款）")
    level: Literal["pass", "warn", "block"] = Field(description="pass 通过 / warn 提醒（不影响保存） / block 不符合（拒绝保存）")
    level_label: str
    message: str = Field(description="审核意见（中文）")
    overridable: bool = Field(description="不符合时，审批党委的工作人员能否写明理由后继续办理")


class CheckOut(Schema):
    ok: bool = Field(description="没有“不符合”的结果，可以保存")
    blocks: int
    warnings: int
    results: list[RuleResultOut]


class BlockedOut(s.ValidationErrorOut):
    results: list[RuleResultOut] = Field(description="本次审核的全部结果（通过、提醒、不符合）")


def _result(r: rules.RuleResult) -> RuleResultOut:
    return RuleResultOut(code=r.code, name=r.name, article=r.article, level=r.level,  # type: ignore[arg-type]
                         level_label=rules.LEVEL_LABELS[r.level], message=r.message, overridable=r.overridable)


def _check(results: list[rules.RuleResult]) -> CheckOut:
    return CheckOut(ok=not rules.blocking(results), blocks=sum(r.level == rules.BLOCK for r in results),
                    warnings=sum(r.level == rules.WARN for r in results), results=[_result(r) for r in results])


def _blocked(exc: services.RuleBlocked) -> Status[BlockedOut]:
    return Status(422, BlockedOut(detail=str(exc), errors=exc.errors, results=[_result(r) for r in exc.results]))


BLOCKING_ERRORS: dict[int, Any] = {**WRITE_ERRORS, 422: BlockedOut}


# --- shapes: records --------------------------------------------------------------------------------------
class RecordBrief(Schema):
    id: int
    name: str = Field(description="姓名")
    sex: str = Field(description="性别代码：1 男，2 女")
    sex_label: str
    id_number_masked: str = Field(description="公民身份号码（已遮盖）")
    birth_year: int
    age: int = Field(description="今天的年龄（周岁）")
    org: s.OrgRef = Field(description="负责的党支部")
    stage: int = Field(description="阶段 1-5（由步骤推算）")
    stage_label: str
    status: str = Field(description="状态代码（由步骤推算）：applicant、activist、candidate、probationary、converted、archived、stopped、cancelled")
    status_label: str
    last_step: int
    applied_on: dt.date | None = Field(description="递交入党申请日期")
    activist_on: dt.date | None = Field(description="确定为入党积极分子日期")
    candidate_on: dt.date | None = Field(description="确定为发展对象日期")
    admitted_on: dt.date | None = Field(description="党员大会接收为预备党员日期")
    approved_on: dt.date | None = Field(description="上级党委批准为预备党员日期")
    probation_ends_on: dt.date | None = Field(description="预备期满日期")
    converted_on: dt.date | None = Field(description="转正日期（预备期满之日）")
    member_id: int | None = Field(description="接收后党员名册中的党员 id")
    version: int


class RecordPage(s.Page):
    items: list[RecordBrief]


class PersonOut(Schema):
    role: str
    role_label: str
    member_id: int | None
    name: str
    position: str
    under_party_probation: bool
    correction_ordered: bool


class VoteOut(Schema):
    kind: str
    kind_label: str
    meeting_date: dt.date
    should_attend_total: int
    exclusions: list[dict[str, Any]]
    present: int
    written_opinions: int
    yes: int
    no: int
    abstain: int
    expected: int = Field(description="应到人数（扣除经批准不计入的）")
    quorum_met: bool = Field(description="到会人数超过应到人数的半数（计算所得）")
    passed: bool = Field(description="赞成票超过应到人数的半数（计算所得）")


class OverrideOut(Schema):
    rule_code: str
    rule_name: str
    message: str
    reason: str
    approved_by: str
    approving_org: str
    at: dt.datetime


class StepOut(Schema):
    id: int
    number: int
    label: str = Field(description="步骤名称（按该步骤日期适用的细则措辞）")
    stage: int
    stage_label: str
    date: dt.date
    rules_version: str = Field(description="适用的细则：2014 或 2026")
    approving_org: s.OrgRef | None
    outcome: str
    notes: str
    details: dict[str, Any]
    people: list[PersonOut]
    vote: VoteOut | None
    overrides: list[OverrideOut] = Field(description="经审批党委特殊情况处理的规则")
    recorded_by: str


class NoticeOut(Schema):
    id: int
    kind: str
    kind_label: str
    place: str
    start: dt.date
    end: dt.date
    workdays: int = Field(description="公示工作日数（按国家法定节假日和调休计算）")
    objections: str
    objection_count: int
    handling: str
    objection_result: str
    objection_result_label: str
    version: int


class OutcomeOut(Schema):
    id: int
    kind: str
    kind_label: str
    date: dt.date
    approved_on: dt.date | None
    approving_org: s.OrgRef | None
    months: int | None
    reason: str
    meeting_vote: VoteOut | None
    committee_vote: VoteOut | None


class DeadlineOut(Schema):
    code: str
    name: str
    article: str
    due: dt.date
    step: int | None
    state: str | None = Field(description="overdue 已超期 / upcoming 即将到期 / null 尚早")


class NextStepOut(Schema):
    number: int
    label: str
    stage: int


class RecordDetailOut(RecordBrief):
    ethnicity: str
    ethnicity_label: str
    education: str
    education_label: str
    occupation: str
    occupation_label: str
    unit_name: str
    job: str
    phone_masked: str
    leaving_unit_on: dt.date | None
    steps: list[StepOut]
    notices: list[NoticeOut]
    outcomes: list[OutcomeOut]
    deadlines: list[DeadlineOut]
    next_steps: list[NextStepOut] = Field(description="现在可以录入的步骤")


def _brief_fields(actor: User, r: DevelopmentRecord, today: dt.date) -> dict[str, Any]:
    return dict(
        id=r.pk, name=r.name, sex=r.sex, sex_label=codes.label(codes.SEX, r.sex), id_number_masked=r.id_number_masked,
        birth_year=r.birth_date.year, age=age_on(r.birth_date, today), org=_ref(actor, r.org), stage=r.stage,
        stage_label=S.STAGES[r.stage], status=r.status, status_label=rules.STATUS_LABELS[r.status], last_step=r.last_step,
        applied_on=r.applied_on, activist_on=r.activist_on, candidate_on=r.candidate_on, admitted_on=r.admitted_on,
        approved_on=r.approved_on, probation_ends_on=r.probation_ends_on, converted_on=r.converted_on,
        member_id=r.member_id, version=r.version,
    )  # fmt: skip


def _brief(actor: User, r: DevelopmentRecord, today: dt.date) -> RecordBrief:
    return RecordBrief(**_brief_fields(actor, r, today))


def _vote(v: Vote | None) -> VoteOut | None:
    if v is None:
        return None
    return VoteOut(
        kind=v.kind, kind_label=v.get_kind_display(), meeting_date=v.meeting_date, should_attend_total=v.should_attend_total,
        exclusions=list(v.exclusions), present=v.present, written_opinions=v.written_opinions, yes=v.yes, no=v.no,
        abstain=v.abstain, expected=v.expected, quorum_met=v.quorum_met, passed=v.passed,
    )  # fmt: skip


def _step(actor: User, v: selectors.StepView) -> StepOut:
    st = v.step
    return StepOut(
        id=st.pk, number=st.number, label=v.label, stage=S.get(st.number).stage, stage_label=v.stage_label, date=st.date,
        rules_version=st.rules_version, approving_org=_ref(actor, st.approving_org), outcome=st.outcome, notes=st.notes,
        details=st.details,
        people=[PersonOut(role=p.role, role_label=S.ROLE_LABELS.get(p.role, p.role), member_id=p.member_id, name=p.name,
                          position=p.position, under_party_probation=p.under_party_probation,
                          correction_ordered=p.correction_ordered) for p in v.people],
        vote=_vote(v.vote),
        overrides=[OverrideOut(rule_code=o.rule_code, rule_name=o.rule_name, message=o.message, reason=o.reason,
                               approved_by=str(o.approved_by), approving_org=o.approving_org.name, at=o.at)
                   for o in v.overrides],
        recorded_by=str(st.recorded_by) if st.recorded_by else "系统",
    )  # fmt: skip


def _notice(n: PublicNotice) -> NoticeOut:
    return NoticeOut(
        id=n.pk, kind=n.kind, kind_label=rules.NOTICE_KINDS.get(n.kind, n.kind), place=n.place, start=n.start, end=n.end,
        workdays=n.workdays, objections=n.objections, objection_count=n.objection_count, handling=n.handling,
        objection_result=n.objection_result,
        objection_result_label=rules.OBJECTION_RESULTS.get(n.objection_result, n.objection_result), version=n.version,
    )  # fmt: skip


def _outcome(actor: User, o: Outcome) -> OutcomeOut:
    return OutcomeOut(
        id=o.pk, kind=o.kind, kind_label=rules.OUTCOME_LABELS.get(o.kind, o.kind), date=o.date, approved_on=o.approved_on,
        approving_org=_ref(actor, o.approving_org), months=o.months, reason=o.reason, meeting_vote=_vote(o.meeting_vote),
        committee_vote=_vote(o.committee_vote),
    )  # fmt: skip


def _detail(actor: User, record_id: int) -> RecordDetailOut:
    today = timezone.localdate()
    d = selectors.record_detail(actor, record_id, today=today)
    r = d.record
    window = d.params.reminder_days if d.params else 30
    return RecordDetailOut(
        **_brief_fields(actor, r, today),
        ethnicity=r.ethnicity, ethnicity_label=codes.label(codes.ETHNICITY, r.ethnicity), education=r.education,
        education_label=codes.label(codes.EDUCATION, r.education), occupation=r.occupation,
        occupation_label=codes.label(codes.PERSONNEL_CATEGORY, r.occupation), unit_name=r.unit_name, job=r.job,
        phone_masked=r.phone_masked, leaving_unit_on=r.leaving_unit_on,
        steps=[_step(actor, v) for v in d.steps], notices=[_notice(n) for n in d.notices],
        outcomes=[_outcome(actor, o) for o in d.outcomes],
        deadlines=[DeadlineOut(code=x.code, name=x.name, article=x.article, due=x.due, step=x.step,
                               state=x.state(today, window)) for x in d.deadlines],
        next_steps=[NextStepOut(number=n, label=S.label(n, rules.version_on(today, d.params or rules.Params())),
                                stage=S.get(n).stage) for n in d.next_steps],
    )  # fmt: skip


# --- shapes: input ----------------------------------------------------------------------------------------
class PersonIn(s.In):
    role: str = Field(description="talker 谈话人 / mentor 培养联系人 / sponsor 入党介绍人 / responsible 经办人")
    member_id: int | None = Field(None, description="党员名册中的党员 id（须在您管理范围内）；不填则写 name")
    name: str = Field("", max_length=50)
    position: str = Field("", max_length=100)
    under_party_probation: bool = Field(False, description="入党介绍人受留党察看处分、尚未恢复党员权利")
    correction_ordered: bool = Field(False, description="入党介绍人在民主评议中被限期改正")


class ExclusionIn(s.In):
    category: str = Field(description="illness、abroad、detained、bedridden、away（不计入应到人数的五类情形）")
    approved_by_higher: bool = False
    approved_by_meeting: bool = False
    name: str = Field("", max_length=50)


class VoteIn(s.In):
    should_attend_total: int = Field(ge=0, le=100000, description="应到会有表决权的党员")
    present: int = Field(ge=0, le=100000, description="实到会有表决权的党员")
    yes: int = Field(ge=0, le=100000)
    no: int = Field(0, ge=0, le=100000)
    abstain: int = Field(0, ge=0, le=100000)
    written_opinions: int = Field(0, ge=0, le=100000, description="因故不能到会的党员书面表达的意见")
    exclusions: list[ExclusionIn] = []
    meeting_date: dt.date | None = Field(None, description="会议日期；不填为步骤日期")


class StepIn(s.In):
    number: int = Field(ge=1, le=25, description="步骤 1-25")
    date: dt.date
    people: list[PersonIn] = []
    approving_org_id: int | None = Field(None, description="上级党委（第4、8、13、17、24步）")
    details: dict[str, Any] = Field(default_factory=dict, description="步骤信息，键见 steps.DETAIL_LABELS")
    vote: VoteIn | None = Field(None, description="表决（第15、23步党员大会；第17、24步党委会议）")
    outcome: str = Field("", max_length=200)
    notes: str = Field("", max_length=2000)


class StepRecordIn(StepIn):
    override_reason: str = Field("", max_length=500, description="特殊情况说明：只有审批党委的工作人员可以填写")
    version: int | None = Field(None, description="读取时记录的 version；填写则检查是否已被他人修改")


class ApplicationIn(StepIn):
    number: int = Field(1, ge=1, le=25, description="建立记录时为第1步")


class RecordCheckIn(s.In):
    org_id: int = Field(description="负责的党支部")
    birth_date: dt.date
    leaving_unit_on: dt.date | None = None
    application: ApplicationIn


class RecordCreateIn(s.In):
    org_id: int = Field(description="负责的党支部")
    name: str = Field(max_length=50)
    sex: str
    birth_date: dt.date
    id_number: str = Field(max_length=30)
    ethnicity: str = "01"
    education: str
    occupation: str = Field(description="人员类别（职业）代码")
    unit_name: str = Field("", max_length=200)
    job: str = Field("", max_length=100)
    phone: str = Field("", max_length=20)
    leaving_unit_on: dt.date | None = None
    application: ApplicationIn
    override_reason: str = Field("", max_length=500)


class WithdrawIn(s.In):
    reason: str = Field(max_length=500, description="撤销原因")
    version: int | None = None


class StopIn(s.In):
    date: dt.date
    reason: str = Field(max_length=500)


class ProbationOutcomeIn(s.In):
    meeting_date: dt.date = Field(description="党支部党员大会讨论日期")
    approved_on: dt.date = Field(description="上级党委批准日期")
    reason: str = Field(max_length=500)
    meeting_vote: VoteIn
    approving_org_id: int
    committee_vote: VoteIn
    override_reason: str = Field("", max_length=500)


class ExtendIn(ProbationOutcomeIn):
    months: int = Field(ge=1, le=24, description="延长月数（6至12个月）")


class NoticeIn(s.In):
    kind: str = Field(description="activist、candidate、admission、conversion")
    place: str = Field(max_length=200)
    start: dt.date
    end: dt.date
    objections: str = ""
    objection_count: int = Field(0, ge=0, le=10000)
    handling: str = ""
    objection_result: str = Field("none", description="none 无异议 / resolved 有异议经核查不影响 / upheld 有异议经核查影响发展")


class NoticeUpdateIn(s.In):
    version: int
    objections: str = ""
    objection_count: int = Field(0, ge=0, le=10000)
    handling: str = ""
    objection_result: str


class RevealIn(s.In):
    field: Literal["id_number", "phone"]


class RevealOut(Schema):
    field: str
    value: str


class StepRecordedOut(Schema):
    step_id: int
    results: list[RuleResultOut] = Field(description="录入时的审核结果（含提醒和经特殊情况处理的不符合项）")
    record: RecordDetailOut


def _vote_in(v: VoteIn | None) -> services.VoteIn | None:
    if v is None:
        return None
    return services.VoteIn(
        should_attend_total=v.should_attend_total, present=v.present, yes=v.yes, no=v.no, abstain=v.abstain,
        written_opinions=v.written_opinions, meeting_date=v.meeting_date,
        exclusions=tuple(services.ExclusionIn(e.category, e.approved_by_higher, e.approved_by_meeting, e.name)
                         for e in v.exclusions),
    )  # fmt: skip


def _step_in(actor: User, record: DevelopmentRecord | None, org: Org, p: StepIn) -> services.StepIn:
    """The service's input, with every id resolved through a scoped accessor (404 outside)."""
    people = []
    for person in p.people:
        member = member_get(actor, person.member_id) if person.member_id is not None else None
        people.append(services.PersonIn(role=person.role, member=member, name=person.name, position=person.position,
                                        under_party_probation=person.under_party_probation,
                                        correction_ordered=person.correction_ordered))  # fmt: skip
    approving = None
    if p.approving_org_id is not None:
        holder = record if record is not None else DevelopmentRecord(org=org)
        approving = selectors.approving_org_get(actor, holder, p.approving_org_id)
    return services.StepIn(number=p.number, date=p.date, people=tuple(people), approving_org=approving,
                           details=dict(p.details), vote=_vote_in(p.vote), outcome=p.outcome, notes=p.notes)


def _writer(actor: User) -> None:
    # A read-only role's write is 404, as every write the API refuses by role (see dangjian.api.api).
    if not actor.can_write:
        raise Http404


# --- records ------------------------------------------------------------------------------------------------
@router.get("/records", response={200: RecordPage, **READ_ERRORS}, summary="发展党员记录列表")
def records_list(request: HttpRequest, org_id: int | None = None, stage: int | None = None, status: str = "",
                 q: str = "", page: int = 1) -> dict[str, Any]:
    """您管理范围内的发展党员记录。org_id：限于该党组织及其下级；stage：阶段 1-5；status：状态代码；
    q：姓名包含。按党支部、申请日期排列，分页。"""
    actor = _actor(request)
    org = org_selectors.org_get(actor, org_id) if org_id is not None else None
    errors: dict[str, list[str]] = {}
    if stage is not None and stage not in S.STAGES:
        errors["stage"] = [STAGE_RANGE]
    if status and status not in rules.STATUS_LABELS:
        choices = "、".join(f"{k}（{v}）" for k, v in rules.STATUS_LABELS.items())
        errors["status"] = [STATUS_UNKNOWN.format(value=status, choices=choices)]
    if errors:
        raise ServiceError(errors)
    today = timezone.localdate()
    qs = selectors.record_list(actor, org=org, stage=stage, status=status or None, q=q)
    return _paginate(qs, page, lambda r: _brief(actor, r, today))


@router.post("/records", response={201: StepRecordedOut, **BLOCKING_ERRORS}, summary="建立发展党员记录（第1步）")
def record_create(request: HttpRequest, payload: RecordCreateIn) -> Any:
    """建立记录并录入第1步“递交入党申请书”。公民身份号码须与出生日期、性别一致；同一人只能有一条
    正在进行的记录。不符合规则的返回 422 和全部审核结果（results）。"""
    actor = _actor(request)
    _writer(actor)
    org = org_selectors.org_get(actor, payload.org_id)
    application = _step_in(actor, None, org, payload.application)
    personal = payload.dict(include={"name", "sex", "birth_date", "ethnicity", "education", "occupation", "unit_name",
                                     "job", "leaving_unit_on"})  # fmt: skip
    today = timezone.localdate()
    try:
        results = services.check_new_record(actor=actor, org=org, birth_date=payload.birth_date, application=application,
                                            leaving_unit_on=payload.leaving_unit_on, today=today)  # fmt: skip
        record = services.record_create(actor=actor, org=org, id_number=payload.id_number, application=application,
                                        phone=payload.phone, override_reason=payload.override_reason, today=today,
                                        **personal)  # fmt: skip
    except services.RuleBlocked as exc:
        return _blocked(exc)
    first = record.steps.get(number=S.APPLICATION)
    return Status(201, StepRecordedOut(step_id=first.pk, results=[_result(r) for r in results],
                                       record=_detail(actor, record.pk)))


@router.post("/records/check", response={200: CheckOut, **READ_ERRORS}, summary="审核拟建立的记录（不保存）")
def record_check(request: HttpRequest, payload: RecordCheckIn) -> CheckOut:
    """按第1步的日期适用的细则审核拟建立的记录（年龄、日期等），返回全部结果，不保存任何内容。"""
    actor = _actor(request)
    org = org_selectors.org_get(actor, payload.org_id)
    application = _step_in(actor, None, org, payload.application)
    results = services.check_new_record(actor=actor, org=org, birth_date=payload.birth_date, application=application,
                                        leaving_unit_on=payload.leaving_unit_on, today=timezone.localdate())  # fmt: skip
    return _check(results)


@router.get("/records/{record_id}", response={200: RecordDetailOut, **READ_ERRORS}, summary="发展党员记录详情")
def record_detail(request: HttpRequest, record_id: int) -> RecordDetailOut:
    """一条记录的全部步骤（负责人、表决、特殊情况处理）、公示、结果、期限和现在可以录入的步骤。"""
    return _detail(_actor(request), record_id)


@router.post("/records/{record_id}/reveal", response={200: RevealOut, **WRITE_ERRORS}, summary="查看完整证件号或手机号")
def record_reveal(request: HttpRequest, record_id: int, payload: RevealIn) -> RevealOut:
    """返回完整的公民身份号码或手机号码；每次查看都记入审计日志。"""
    actor = _actor(request)
    record = selectors.record_get(actor, record_id)
    return RevealOut(field=payload.field, value=services.record_reveal(actor=actor, record=record, field=payload.field))


# --- steps --------------------------------------------------------------------------------------------------
@router.post("/records/{record_id}/steps/check", response={200: CheckOut, **READ_ERRORS}, summary="审核拟录入的步骤（不保存）")
def step_check(request: HttpRequest, record_id: int, payload: StepIn) -> CheckOut:
    """按该步骤日期适用的细则审核拟录入的步骤，返回每条规则的结果（通过、提醒、不符合，含规则名称、
    出处和审核意见），不保存任何内容。输入本身有误（未知的信息项、不可能的票数）返回 422。"""
    actor = _actor(request)
    record = selectors.record_get(actor, record_id)
    step = _step_in(actor, record, record.org, payload)
    return _check(services.check_step(actor=actor, record=record, step=step, today=timezone.localdate()))


@router.post("/records/{record_id}/steps", response={201: StepRecordedOut, **BLOCKING_ERRORS}, summary="录入步骤")
def step_record(request: HttpRequest, record_id: int, payload: StepRecordIn) -> Any:
    """录入一个步骤。不符合规则的返回 422 和全部审核结果；可作特殊情况处理的，由审批党委的工作人员
    填写 override_reason 后保存（记入审计）。第17步在党员名册中建立预备党员，第24步登记转正。"""
    actor = _actor(request)
    _writer(actor)
    record = selectors.record_get(actor, record_id)
    step = _step_in(actor, record, record.org, payload)
    today = timezone.localdate()
    try:
        results = services.check_step(actor=actor, record=record, step=step, today=today)
        written = services.step_record(actor=actor, record=record, step=step, override_reason=payload.override_reason,
                                       version=payload.version, today=today)  # fmt: skip
    except services.RuleBlocked as exc:
        return _blocked(exc)
    return Status(201, StepRecordedOut(step_id=written.pk, results=[_result(r) for r in results],
                                       record=_detail(actor, record.pk)))


@router.post("/records/{record_id}/steps/{step_id}/withdraw", response={200: RecordDetailOut, **WRITE_ERRORS},
             summary="撤销最近录入的步骤")
def step_withdraw(request: HttpRequest, record_id: int, step_id: int, payload: WithdrawIn) -> RecordDetailOut:
    """撤销误录的最近一个步骤（须写明原因，记入审计）。第17、24步已在党员名册中产生记录，不能在此撤销。"""
    actor = _actor(request)
    _writer(actor)
    record = selectors.record_get(actor, record_id)
    step = Step.objects.filter(record=record, pk=step_id).first()
    if step is None:
        raise Http404
    services.step_withdraw(actor=actor, step=step, reason=payload.reason, version=payload.version)
    return _detail(actor, record.pk)


# --- outcomes -----------------------------------------------------------------------------------------------
def _approving(actor: User, record: DevelopmentRecord, org_id: int) -> Org:
    return selectors.approving_org_get(actor, record, org_id)


@router.post("/records/{record_id}/stop", response={200: RecordDetailOut, **BLOCKING_ERRORS}, summary="终止发展")
def outcome_stop(request: HttpRequest, record_id: int, payload: StopIn) -> Any:
    """终止入党申请人、入党积极分子或发展对象的发展（接收为预备党员之后不能终止），须写明原因。"""
    actor = _actor(request)
    _writer(actor)
    record = selectors.record_get(actor, record_id)
    try:
        services.outcome_stop(actor=actor, record=record, date=payload.date, reason=payload.reason,
                              today=timezone.localdate())
    except services.RuleBlocked as exc:
        return _blocked(exc)
    return _detail(actor, record.pk)


@router.post("/records/{record_id}/extend", response={200: RecordDetailOut, **BLOCKING_ERRORS}, summary="延长预备期")
def outcome_extend(request: HttpRequest, record_id: int, payload: ExtendIn) -> Any:
    """党支部党员大会决定、上级党委批准延长预备期（6至12个月）；在党员名册中登记延长预备期。"""
    actor = _actor(request)
    _writer(actor)
    record = selectors.record_get(actor, record_id)
    committee = _approving(actor, record, payload.approving_org_id)
    meeting_vote, committee_vote = _vote_in(payload.meeting_vote), _vote_in(payload.committee_vote)
    assert meeting_vote is not None and committee_vote is not None
    try:
        services.outcome_extend(
            actor=actor, record=record, meeting_date=payload.meeting_date, approved_on=payload.approved_on,
            months=payload.months, reason=payload.reason, meeting_vote=meeting_vote, approving_org=committee,
            committee_vote=committee_vote, override_reason=payload.override_reason, today=timezone.localdate(),
        )  # fmt: skip
    except services.RuleBlocked as exc:
        return _blocked(exc)
    return _detail(actor, record.pk)


@router.post("/records/{record_id}/cancel", response={200: RecordDetailOut, **BLOCKING_ERRORS},
             summary="取消预备党员资格")
def outcome_cancel(request: HttpRequest, record_id: int, payload: ProbationOutcomeIn) -> Any:
    """党支部党员大会决定、上级党委批准取消预备党员资格；在党员名册中登记，记录结束。"""
    actor = _actor(request)
    _writer(actor)
    record = selectors.record_get(actor, record_id)
    committee = _approving(actor, record, payload.approving_org_id)
    meeting_vote, committee_vote = _vote_in(payload.meeting_vote), _vote_in(payload.committee_vote)
    assert meeting_vote is not None and committee_vote is not None
    try:
        services.outcome_cancel(
            actor=actor, record=record, meeting_date=payload.meeting_date, approved_on=payload.approved_on,
            reason=payload.reason, meeting_vote=meeting_vote, approving_org=committee, committee_vote=committee_vote,
            override_reason=payload.override_reason, today=timezone.localdate(),
        )  # fmt: skip
    except services.RuleBlocked as exc:
        return _blocked(exc)
    return _detail(actor, record.pk)


# --- notices ------------------------------------------------------------------------------------------------
@router.get("/records/{record_id}/notices", response={200: list[NoticeOut], **READ_ERRORS}, summary="公示")
def notices_list(request: HttpRequest, record_id: int) -> list[NoticeOut]:
    actor = _actor(request)
    record = selectors.record_get(actor, record_id)
    return [_notice(n) for n in record.notices.order_by("start", "id")]


@router.post("/records/{record_id}/notices", response={201: NoticeOut, **WRITE_ERRORS}, summary="登记公示")
def notice_record(request: HttpRequest, record_id: int, payload: NoticeIn) -> Status[NoticeOut]:
    """登记公示（公示对象、地点、起止日期、反映的问题）。工作日按国家法定节假日和调休计算；超出日历
    覆盖范围的日期明确拒绝。"""
    actor = _actor(request)
    _writer(actor)
    record = selectors.record_get(actor, record_id)
    notice = services.notice_record(actor=actor, record=record, kind=payload.kind, place=payload.place, start=payload.start,
                                    end=payload.end, objections=payload.objections, objection_count=payload.objection_count,
                                    handling=payload.handling, objection_result=payload.objection_result,
                                    today=timezone.localdate())  # fmt: skip
    return Status(201, _notice(notice))


@router.patch("/records/{record_id}/notices/{notice_id}", response={200: NoticeOut, **WRITE_ERRORS},
              summary="登记公示反映的问题和处理情况")
def notice_update(request: HttpRequest, record_id: int, notice_id: int, payload: NoticeUpdateIn) -> NoticeOut:
    actor = _actor(request)
    _writer(actor)
    record = selectors.record_get(actor, record_id)
    notice = record.notices.filter(pk=notice_id).first()
    if notice is None:
        raise Http404
    notice = services.notice_update(actor=actor, notice=notice, version=payload.version, objections=payload.objections,
                                    objection_count=payload.objection_count, handling=payload.handling,
                                    objection_result=payload.objection_result)  # fmt: skip
    return _notice(notice)


# --- plans --------------------------------------------------------------------------------------------------
class PlanOut(Schema):
    id: int
    org: s.OrgRef
    year: int
    quota: int = Field(description="计划发展名额")
    approved: int = Field(description="当年批准为预备党员的人数（该党组织及其下级）")
    percent: float | None = Field(description="完成比例（%），名额为0时为 null")
    note: str
    version: int


class PlanSetIn(s.In):
    org_id: int = Field(description="乡镇（街道）党委、工委或基层党委")
    year: int = Field(ge=2000, le=2100)
    quota: int = Field(ge=0, le=100000)
    note: str = Field("", max_length=500)


def _plan_out(actor: User, plan: DevelopmentPlan) -> PlanOut:
    rows = selectors.plan_fulfilment(actor, plan.year, org=plan.org)
    row = next((r for r in rows if r.org.pk == plan.org_id), None)
    approved = row.approved if row else 0
    return PlanOut(id=plan.pk, org=_ref(actor, plan.org), year=plan.year, quota=plan.quota, approved=approved,  # type: ignore[arg-type]
                   percent=round(approved * 100 / plan.quota, 1) if plan.quota else None, note=plan.note,
                   version=plan.version)  # fmt: skip


@router.get("/plans", response={200: list[PlanOut], **READ_ERRORS}, summary="年度发展计划及完成情况")
def plans_list(request: HttpRequest, year: int | None = None, org_id: int | None = None) -> list[PlanOut]:
    """某年（默认今年）您管理范围内的年度发展党员计划，以及当年批准为预备党员的人数和完成比例。"""
    actor = _actor(request)
    org = org_selectors.org_get(actor, org_id) if org_id is not None else None
    year = year or timezone.localdate().year
    rows = selectors.plan_fulfilment(actor, year, org=org)
    plans = {p.org_id: p for p in DevelopmentPlan.objects.filter(year=year, org__in=[r.org for r in rows])}
    return [PlanOut(id=plans[r.org.pk].pk, org=_ref(actor, r.org), year=r.year, quota=r.quota, approved=r.approved,  # type: ignore[arg-type]
                    percent=r.percent, note=plans[r.org.pk].note, version=plans[r.org.pk].version) for r in rows]


@router.get("/plans/{plan_id}", response={200: PlanOut, **READ_ERRORS}, summary="年度发展计划")
def plan_detail(request: HttpRequest, plan_id: int) -> PlanOut:
    actor = _actor(request)
    return _plan_out(actor, selectors.plan_get(actor, plan_id))


@router.post("/plans", response={200: PlanOut, **WRITE_ERRORS}, summary="下达年度发展计划")
def plan_set(request: HttpRequest, payload: PlanSetIn) -> PlanOut:
    """由上级党组织（县委组织部）下达或修改某乡镇（街道）党委某年的计划发展名额（记入审计）。"""
    actor = _actor(request)
    _writer(actor)
    org = org_selectors.org_get(actor, payload.org_id)
    plan = services.plan_set(actor=actor, org=org, year=payload.year, quota=payload.quota, note=payload.note)
    return _plan_out(actor, plan)


# --- registers and counts -----------------------------------------------------------------------------------
@router.get("/orgs/{org_id}/register", response={200: RecordPage, **READ_ERRORS}, summary="花名册")
def register(request: HttpRequest, org_id: int, kind: str = "applicants", page: int = 1) -> dict[str, Any]:
    """该党组织及其下级的花名册：kind 为 applicants 入党申请人、activists 入党积极分子、candidates
    发展对象、probationary 预备党员（按当前状态）。证件号、手机号已遮盖。"""
    actor = _actor(request)
    org = org_selectors.org_get(actor, org_id)
    if kind not in selectors.REGISTERS:
        choices = "、".join(f"{k}（{v[1]}）" for k, v in selectors.REGISTERS.items())
        raise ServiceError(REGISTER_UNKNOWN.format(value=kind, choices=choices), "kind")
    today = timezone.localdate()
    return _paginate(selectors.register(actor, org, kind), page, lambda r: _brief(actor, r, today))


class LabelCount(Schema):
    label: str
    count: int


class CountsOut(Schema):
    org: s.OrgRef
    start: dt.date | None
    end: dt.date | None
    event: str | None = Field(description="统计口径（有期间时）：哪一个日期落在期间内")
    event_label: str | None
    total: int
    by_stage: list[LabelCount]
    by_status: list[LabelCount]
    by_sex: list[LabelCount]
    by_age: list[LabelCount] = Field(description="按期间末（无期间时按今天）的年龄")
    by_education: list[LabelCount]
    by_occupation: list[LabelCount]


def _pairs(items: Sequence[tuple[str, int]]) -> list[LabelCount]:
    return [LabelCount(label=k, count=v) for k, v in items]


@router.get("/orgs/{org_id}/counts", response={200: CountsOut, **READ_ERRORS}, summary="发展党员统计")
def counts(request: HttpRequest, org_id: int, start: dt.date | None = None, end: dt.date | None = None,
           event: str = "approved_on") -> CountsOut:
    """该党组织及其下级按阶段、状态、性别、年龄段、学历、人员类别的人数。给出 start/end 时统计
    event 日期（默认 approved_on 批准为预备党员，即新发展党员）在期间内的记录；不给时统计正在进行的记录。"""
    actor = _actor(request)
    org = org_selectors.org_get(actor, org_id)
    errors: dict[str, list[str]] = {}
    if event not in selectors.PERIOD_EVENTS:
        choices = "、".join(f"{k}（{v}）" for k, v in selectors.PERIOD_EVENTS.items())
        errors["event"] = [EVENT_UNKNOWN.format(value=event, choices=choices)]
    if start and end and end < start:
        errors["end"] = [PERIOD_ORDER]
    if errors:
        raise ServiceError(errors)
    c = selectors.counts(actor, org, start=start, end=end, event=event)
    period = start is not None or end is not None
    return CountsOut(
        org=_ref(actor, org), start=start, end=end, event=event if period else None,  # type: ignore[arg-type]
        event_label=selectors.PERIOD_EVENTS[event] if period else None, total=c.total, by_stage=_pairs(c.by_stage),
        by_status=_pairs(c.by_status), by_sex=_pairs(c.by_sex), by_age=_pairs(c.by_age),
        by_education=_pairs(c.by_education), by_occupation=_pairs(c.by_occupation),
    )  # fmt: skip
