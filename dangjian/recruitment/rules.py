"""Membership-development rules (§1.2 of the domain reference, R1.1-R1.26) as pure functions over plain
values: no ORM, no settings lookups. Callers (services, selectors) gather the facts and the
configurable parameters (``params.current()``) and pass them in.

Versioning: every step is judged by the rule set in force on **that step's date** — the 2014 细则
before ``Params.effective_2026``, the 2026 revision from that day on (``version_on``).

Levels: ``pass``, ``warn`` (recorded, shown, never refuses), ``block`` (refuses the write unless a user
of the approving committee overrides it with a reason; results with ``overridable=False`` — dates in
the future or before birth, steps out of order, the Party Constitution's age and probation — can never
be overridden). Rules the reference marks UNCONFIRMED only ever warn.

Every rule is findable by its Chinese name (``RuleResult.name``) and its reference code (``R1.x``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from dangjian.common import workdays
from dangjian.members.rules import FULL, add_months, add_years, age_on
from dangjian.recruitment import steps as S

PASS, WARN, BLOCK = "pass", "warn", "block"
LEVEL_LABELS = {PASS: "通过", WARN: "提醒", BLOCK: "不符合"}

# --- derived status ------------------------------------------------------------------------------------
APPLICANT, ACTIVIST, CANDIDATE, PROBATIONARY, CONVERTED, ARCHIVED = (
    "applicant", "activist", "candidate", "probationary", "converted", "archived")  # fmt: skip
STOPPED, CANCELLED = "stopped", "cancelled"
STATUS_LABELS = {
    APPLICANT: "入党申请人",
    ACTIVIST: "入党积极分子",
    CANDIDATE: "发展对象",
    PROBATIONARY: "预备党员",
    CONVERTED: "已转正",
    ARCHIVED: "已归档",
    STOPPED: "已终止发展",
    CANCELLED: "已取消预备党员资格",
}
FINISHED = frozenset({ARCHIVED, STOPPED, CANCELLED})

# --- outcomes ---------------------------------------------------------------------------------------------
OUTCOME_STOPPED, OUTCOME_EXTENDED, OUTCOME_CANCELLED = "stopped", "extended", "cancelled"
OUTCOME_LABELS = {OUTCOME_STOPPED: "终止发展", OUTCOME_EXTENDED: "延长预备期", OUTCOME_CANCELLED: "取消预备党员资格"}

# --- vote exclusions (R1.15: the five customary categories) -------------------------------------------------
EXCLUSION_CATEGORIES = {
    "illness": "患有精神病或其他疾病而不能正确表达意志",
    "abroad": "自费出国半年以上",
    "detained": "受留党察看以上处分以外的被羁押或服刑",
    "bedridden": "年老体弱、卧床不起或长期生病",
    "away": "外出工作、学习半年以上且未按规定转移组织关系",
}
NOTICE_KINDS = {"activist": "入党积极分子公示", "candidate": "发展对象公示", "admission": "接收预备党员公示",
                "conversion": "预备党员转正公示"}  # fmt: skip
OBJECTION_RESULTS = {"none": "无异议", "resolved": "有异议，经核查不影响发展", "upheld": "有异议，经核查影响发展"}
QUALIFIED, UNQUALIFIED = "qualified", "unqualified"
APPROVED, REJECTED = "approved", "rejected"
COMMITTEE_TYPES = frozenset({"county_committee", "township_committee", "working_committee", "primary_committee"})
APPROVER_POSITIONS = ("党委委员", "组织员")


@dataclass(frozen=True)
class RuleResult:
    code: str  # "R1.9"
    name: str  # Chinese name of the rule
    article: str  # where it comes from
    level: str  # PASS / WARN / BLOCK
    message: str  # Chinese, what was found
    overridable: bool = True

    @property
    def title(self) -> str:
        """E.g. "R1.1 年满十八周岁（党章第一条；细则第五条）"."""
        return f"{self.code} {self.name}（{self.article}）"

    @property
    def blocks(self) -> bool:
        return self.level == BLOCK


@dataclass(frozen=True)
class Params:
    """The configurable numbers (see ``params.py`` for their settings and documented defaults)."""

    effective_2026: dt.date = dt.date(2026, 5, 18)
    approval_ceiling_months: int = 6
    candidate_notice_workdays: int = 5
    local_notice_workdays: int = 5
    oath_months: int = 1
    local_activist_wait_months: int = 0
    reminder_days: int = 30


@dataclass(frozen=True)
class OrgFacts:
    name: str
    org_type: str
    path: str
    can_approve: bool = False
    is_village_level: bool = False


@dataclass(frozen=True)
class Person:
    """A responsible person. ``status`` is their membership status on the step's date (members.rules
    FULL, PROBATIONARY...) when they are a member, else None."""

    role: str
    name: str
    member_id: int | None = None
    status: str | None = None
    under_party_probation: bool = False  # 留党察看, rights not yet restored
    correction_ordered: bool = False  # 民主评议中被限期改正


@dataclass(frozen=True)
class Exclusion:
    category: str
    approved_by_higher: bool
    approved_by_meeting: bool
    name: str = ""


@dataclass(frozen=True)
class VoteFacts:
    should_attend_total: int  # 应到会有表决权的党员 before exclusions
    present: int  # 实到会有表决权的党员
    yes: int
    no: int = 0
    abstain: int = 0
    written_opinions: int = 0  # absentees' written opinions, counted in the votes
    exclusions: tuple[Exclusion, ...] = ()
    roster_full: int | None = None  # full members on the branch roster that day, when known


@dataclass(frozen=True)
class VoteResult:
    expected: int  # should attend after approved exclusions
    excluded: int
    quorum_met: bool
    passed: bool


@dataclass(frozen=True)
class NoticeFacts:
    kind: str
    start: dt.date
    end: dt.date
    objection_result: str = "none"


@dataclass(frozen=True)
class StepFacts:
    number: int
    date: dt.date
    details: Mapping[str, Any] = field(default_factory=dict)
    people: tuple[Person, ...] = ()
    approving_org: OrgFacts | None = None
    vote: VoteFacts | None = None


@dataclass(frozen=True)
class ExtensionFacts:
    meeting_date: dt.date
    approved_on: dt.date
    months: int


@dataclass(frozen=True)
class RecordFacts:
    birth_date: dt.date
    branch: OrgFacts
    steps: tuple[StepFacts, ...] = ()
    notices: tuple[NoticeFacts, ...] = ()
    extensions: tuple[ExtensionFacts, ...] = ()
    outcome: str | None = None  # OUTCOME_STOPPED / OUTCOME_CANCELLED once the record ended
    leaving_unit_on: dt.date | None = None  # expected departure from the work/study unit (R1.13)

    def last(self, number: int) -> StepFacts | None:
        found = [s for s in self.steps if s.number == number]
        return max(found, key=lambda s: s.date) if found else None

    def all(self, number: int) -> list[StepFacts]:
        return sorted((s for s in self.steps if s.number == number), key=lambda s: s.date)

    @property
    def numbers(self) -> set[int]:
        return {s.number for s in self.steps}


# --- messages (the tests import them) -----------------------------------------------------------------
FUTURE_DATE = "日期（{date}）不能晚于今天（{today}）。"
BEFORE_BIRTH = "日期（{date}）不能早于出生日期（{birth}）。"
ENDED = "该发展记录已{status}，不能再录入步骤。"
ALREADY_RECORDED = "第{n}步“{label}”已经录入过，不能重复录入。"
MISSING_PREVIOUS = "请先录入第{missing}步：第{n}步“{label}”必须按顺序在其之后办理。"
AFTER_LATER = "第{n}步“{label}”只能在第{closing}步之前录入。"
DATE_BEFORE_PREVIOUS = "日期（{date}）早于上一步（第{prev}步“{prev_label}”，{prev_date}），请核对。"
AGE_UNDER_18 = "申请入党时（{date}）未满十八周岁（出生日期{birth}，{age}周岁）。"
AGE_OK = "申请时已满十八周岁。"
TALK_LATE = "收到入党申请（{applied}）后应在一个月内（{due}前）派人谈话，实际谈话日期{date}，已超期。"
TALK_OK = "在一个月内（{due}前）谈话。"
LOCAL_WAIT = "本县设定递交申请满{months}个月（{due}）后确定入党积极分子（地方规定，非全国统一要求）。"
ORG_MISSING = "请选择办理此步骤的上级党组织。"
ORG_NOT_HIGHER = "“{name}”不是本支部的上级党委，不能办理此步骤。"
ORG_NOT_COMMITTEE = "“{name}”是{type}，不是党委（工委），不能办理此步骤。"
FILING_OK = "已报“{name}”。"
MENTOR_COUNT = "应指定1至2名培养联系人（填写了{count}名）。"
MENTOR_NOT_FULL = "培养联系人“{name}”在{date}不是正式党员。"
MENTOR_OK = "培养联系人{count}名，均为正式党员。"
TRAINING_SHORT = (
    "确定为发展对象须经过一年以上培养教育和考察：培养自{start}起，满一年为{due}，{date}尚不满一年。"
)
TRAINING_OK = "培养教育自{start}起已满一年（{due}）。"
TRAINING_CONTINUED = "单位（居住地）变动后接续培养，培养时间连续计算（自{start}起）。"
TRAINING_RESTARTED = "{date}变动单位（居住地）后培养材料未移交接续，培养时间自{date}重新计算。"
ASSESSMENT_GAP = "入党积极分子每半年至少考察一次：{a}至{b}之间超过半年（应在{due}前考察）。"
ASSESSMENT_OK = "每半年均有考察记录。"
AGREED_MISSING = "2026年细则：确定发展对象须报上级党委同意，请填写上级党委同意的日期。"
AGREED_AFTER = "上级党委同意日期（{agreed}）不能晚于列为发展对象的日期（{date}）。"
NOTICE_MISSING = "2026年细则：发展对象须在列为发展对象前公示，公示期不少于{days}个工作日；尚无发展对象公示记录。"
NOTICE_SHORT = "公示期{start}至{end}共{count}个工作日，少于{days}个工作日。"
NOTICE_NOT_ENDED = "公示{end}才结束，须公示结束后（{date}之后）方可列为发展对象。"
NOTICE_BEFORE_AGREED = "公示开始日期（{start}）早于上级党委同意日期（{agreed}）。"
NOTICE_UPHELD = "公示中反映的问题经核查影响发展，不能列为发展对象。"
NOTICE_OK = "公示{start}至{end}，{count}个工作日，结果不影响发展。"
NOTICE_CALENDAR = "{message}"
LOCAL_NOTICE_SHORT = "{kind}{start}至{end}共{count}个工作日，少于本县设定的{days}个工作日（地方规定）。"
SPONSOR_COUNT = "发展对象应有两名入党介绍人（填写了{count}名）。"
SPONSOR_NOT_MEMBER = "入党介绍人“{name}”不是系统中的党员，须由正式党员担任。"
SPONSOR_PROBATIONARY = "入党介绍人“{name}”在{date}是预备党员，预备党员不能担任入党介绍人。"
SPONSOR_NOT_FULL = "入党介绍人“{name}”在{date}不是正式党员（{status}）。"
SPONSOR_DISCIPLINE = "入党介绍人“{name}”受留党察看处分、尚未恢复党员权利，不能担任入党介绍人。"
SPONSOR_CORRECTION = "入党介绍人“{name}”在民主评议中被限期改正，不能担任入党介绍人。"
SPONSOR_SAME = "两名入党介绍人不能是同一人。"
SPONSOR_OK = "两名入党介绍人均为正式党员。"
REVIEW_NO_CONCLUSION = "政治审查须形成结论性材料：请填写审查结论（合格/不合格）和结论摘要。"
REVIEW_FAILED_NOTE = "政治审查结论为不合格：不能接收为预备党员。"
REVIEW_NOT_PASSED = "政治审查未通过（或没有结论），不能接收为预备党员。"
REVIEW_OK = "政治审查已有合格结论（{date}）。"
TRAINING_DAYS = "集中培训一般不少于三天或不少于二十四个学时（填写的是{days}天、{hours}学时）。"
TRAINING_DAYS_OK = "集中培训{days}天、{hours}学时。"
NOT_APPROVER = "“{name}”是{type}，没有审批预备党员的权限：党总支、党组、临时党支部不能审批。"
NOT_APPROVER_POWER = "“{name}”未被赋予审批预备党员权限。"
VILLAGE_COMMITTEE = "“{name}”是村（社区）党组织，不能审批；村（社区）党组织发展党员须报乡镇（街道）党委审批。"
VILLAGE_NEEDS_TOWNSHIP = "村（社区）党组织发展党员须由乡镇党委（街道党工委）审批，“{name}”不是乡镇党委。"
APPROVER_OK = "“{name}”具有审批预备党员权限。"
PRE_REVIEW_FAILED = "上级党委预审未同意（或未登记预审意见），不能提交党支部党员大会讨论。"
MEETING_LATE_2026 = "2026年细则：预审合格后应在一个月内（{due}前）提交党支部党员大会讨论，实际{date}。"
MEETING_TIMELY = "预审后一个月内（{due}前）召开党支部党员大会。"
DEPARTURE = "发展对象预计{leaving}离开工作、学习单位，在三个月内（{date}起）离开的，一般不办理接收预备党员的手续。"
DEPARTURE_2026 = DEPARTURE + "（2026年细则是否保留此条待核实，仅作提醒。）"
VOTE_MISSING = "请填写表决情况（应到、实到、赞成、反对、弃权人数）。"
QUORUM_NOT_MET = "实到会有表决权的党员{present}人，未超过应到会有表决权的党员{expected}人的半数，会议无效。"
VOTE_NOT_PASSED = "赞成{yes}票，未超过应到会有表决权的党员{expected}人的半数，未通过。"
VOTE_OK = "应到{expected}人，实到{present}人，赞成{yes}票，超过应到人数的半数。"
ROSTER_DIFFERS = "填写的应到会有表决权党员{total}人，与{date}本支部正式党员{roster}人不一致（预备党员没有表决权），请核对。"
EXCLUSION_UNAPPROVED = "“{name}”不计入应到人数须经上级党组织和党员大会同意；未经同意，仍计入应到人数。"
TALKER_MISSING = "审批前上级党委应派党委委员或组织员同发展对象谈话：请填写谈话人及其职务。"
TALKER_OK = "上级党委已派{position}谈话。"
APPROVAL_LATE = "{what}应在三个月内审批（{due}前），实际{date}，已超过三个月。"
APPROVAL_CEILING = "{what}超过{months}个月（{ceiling}）仍未审批：特殊情况延长审批的，最长不超过{months}个月。"
APPROVAL_CEILING_2026 = APPROVAL_CEILING + "（2026年细则是否保留最长期限待核实，仅作提醒。）"
APPROVAL_OK = "在三个月内（{due}前）审批。"
COMMITTEE_VOTE = "审批须经党委集体讨论、表决，请填写党委会议的表决情况。"
COMMITTEE_NOT_PASSED = "党委会议表决未通过（或不足法定人数），不能批准。"
OATH_LATE = "入党宣誓一般在批准后{months}个月内（{due}前）进行，实际{date}（此期限待核实，仅作提醒）。"
NOT_WRITTEN = "转正应由本人提出书面申请。"
PROBATION_NOT_ENDED = "预备期为一年，从党支部党员大会通过之日（{admitted}）算起，至{ends}届满；不能提前讨论转正（{date}）。"
PROBATION_OK = "预备期已于{ends}届满。"
PARTY_STANDING = "党龄自预备期满之日（{ends}）起算。"
EXTENSION_MONTHS = "延长预备期应为6至12个月（填写的是{months}个月）。"
EXTENSION_TWICE_2026 = "2026年细则：预备期只能延长一次。"
EXTENSION_TOTAL = "延长预备期累计不能超过一年（已延长{done}个月，再延长{months}个月）。"
EXTENSION_EARLY = "预备期{ends}届满，延长预备期一般在预备期满时讨论（讨论日期{date}）。"
EXTENSION_OK = "延长预备期{months}个月，至{ends}。"
OUTCOME_REASON = "请填写原因。"
STOP_AFTER_ADMISSION = "已接收为预备党员的，不能“终止发展”，应按“取消预备党员资格”或“延长预备期”办理。"
NOT_PROBATIONARY_YET = "尚未接收为预备党员，不能办理“{what}”。"
DATE_BEFORE_MEETING = "审批日期（{date}）不能早于支部大会讨论日期（{meeting}）。"


def version_on(date: dt.date, params: Params) -> str:
    """The rule set in force on ``date``: "2026" from the revision's effective date, else "2014"."""
    return S.V2026 if date >= params.effective_2026 else S.V2014


def vote_result(v: VoteFacts) -> VoteResult:
    """R1.15 quorum and passing, both strict "more than half" of the voting members who should attend,
    after the exclusions approved by both the higher organization and the meeting. Written opinions
    count as votes, not as presence. Exactly half is not enough."""
    excluded = sum(1 for e in v.exclusions if e.approved_by_higher and e.approved_by_meeting)
    expected = max(v.should_attend_total - excluded, 0)
    quorum = expected > 0 and v.present * 2 > expected
    return VoteResult(expected=expected, excluded=excluded, quorum_met=quorum, passed=quorum and v.yes * 2 > expected)


VOTE_NEGATIVE = "人数不能为负数。"
VOTE_EXCLUDED_TOO_MANY = "不计入应到人数的人数（{excluded}）超过了应到会有表决权的党员人数（{total}）。"
VOTE_PRESENT_TOO_MANY = "实到人数（{present}）与书面意见人数（{written}）之和超过应到人数（{expected}）。"
VOTE_BALLOTS_TOO_MANY = "赞成、反对、弃权票之和（{ballots}）超过实到人数与书面意见人数之和（{voters}）。"
VOTE_CATEGORY = "“{category}”不是可以不计入应到人数的情形。"


def vote_errors(v: VoteFacts) -> list[str]:
    """Input errors of a vote (impossible numbers); empty when the numbers can be true."""
    errors = []
    if min(v.should_attend_total, v.present, v.yes, v.no, v.abstain, v.written_opinions) < 0:
        return [VOTE_NEGATIVE]
    for e in v.exclusions:
        if e.category not in EXCLUSION_CATEGORIES:
            errors.append(VOTE_CATEGORY.format(category=e.category))
    r = vote_result(v)
    if r.excluded > v.should_attend_total:
        errors.append(VOTE_EXCLUDED_TOO_MANY.format(excluded=r.excluded, total=v.should_attend_total))
    if v.present + v.written_opinions > r.expected:
        errors.append(VOTE_PRESENT_TOO_MANY.format(present=v.present, written=v.written_opinions, expected=r.expected))
    ballots = v.yes + v.no + v.abstain
    if ballots > v.present + v.written_opinions:
        errors.append(VOTE_BALLOTS_TOO_MANY.format(ballots=ballots, voters=v.present + v.written_opinions))
    return errors


def training_start(record: RecordFacts) -> dt.date | None:
    """Start of the activist's training (R1.8): the activist date, or the latest change of unit whose
    training records were not handed over and continued (then training starts again there)."""
    activist = record.last(S.ACTIVIST)
    if activist is None:
        return None
    start = activist.date
    for s in record.all(S.ACTIVIST_TRAINING):
        change = s.details.get("unit_change")
        if isinstance(change, Mapping) and not change.get("records_transferred", False):
            start = max(start, s.date)
    return start


def probation_end(record: RecordFacts) -> dt.date | None:
    """R1.20/R1.21: one year from the branch meeting that admitted (step 15), plus every approved extension."""
    meeting = record.last(S.ADMISSION_MEETING)
    if meeting is None:
        return None
    end = add_years(meeting.date, 1)
    for e in sorted(record.extensions, key=lambda e: e.approved_on):
        end = add_months(end, e.months)
    return end


def party_standing_from(record: RecordFacts) -> dt.date | None:
    """R1.23 党龄 counts from the day probation ends (not the approval date)."""
    return probation_end(record)


def derive_status(numbers: Iterable[int], outcome: str | None, *, candidate_step: int = S.CANDIDATE) -> tuple[int, str]:
    """(stage 1-5, status) from the recorded step numbers and the final outcome; never typed. Under the
    2026 rules a development target is listed only after the higher committee agrees and the notice
    (R1.9): then ``candidate_step`` is step 8, not step 7."""
    nums = set(numbers)
    stage = S.get(max(nums)).stage if nums else 1
    if outcome == OUTCOME_STOPPED:
        return stage, STOPPED
    if outcome == OUTCOME_CANCELLED:
        return stage, CANCELLED
    for n, status in ((S.ARCHIVING, ARCHIVED), (S.CONVERSION_APPROVAL, CONVERTED), (S.ADMISSION_APPROVAL, PROBATIONARY),
                      (candidate_step, CANDIDATE), (S.ACTIVIST, ACTIVIST)):  # fmt: skip
        if n in nums:
            return stage, status
    return stage, APPLICANT


# --- the checks ---------------------------------------------------------------------------------------------


def _r(code: str, name: str, article: str, level: str, message: str, *, overridable: bool = True) -> RuleResult:
    return RuleResult(code, name, article, level, message, overridable)


def _art(version: str, a2014: str, a2026: str) -> str:
    return f"细则（2026）{a2026}" if version == S.V2026 else f"细则（2014）{a2014}"


def _check_order(record: RecordFacts, p: StepFacts) -> list[RuleResult]:
    out = []
    name, art = "按步骤顺序办理", "细则规定的五个阶段二十五个步骤"
    step = S.get(p.number)
    label = step.label_2014
    recorded = record.numbers
    if not step.repeatable and p.number in recorded:
        out.append(_r("R0.3", name, art, BLOCK, ALREADY_RECORDED.format(n=p.number, label=label), overridable=False))
        return out
    missing = [m for m in range(1, p.number) if m not in recorded and m not in S.REPEATABLE]
    if missing:
        out.append(_r("R0.3", name, art, BLOCK, MISSING_PREVIOUS.format(missing=missing[0], n=p.number, label=label),
                      overridable=False))
        return out
    closing = {S.ACTIVIST_TRAINING: S.CANDIDATE, S.PROBATION_EDUCATION: S.CONVERSION_MEETING}.get(p.number)
    if closing is not None and closing in recorded:
        out.append(_r("R0.3", name, art, BLOCK, AFTER_LATER.format(n=p.number, label=label, closing=closing),
                      overridable=False))
        return out
    earlier = [s for s in record.steps if s.number < p.number or (s.number == p.number and step.repeatable)]
    if earlier:
        prev = max(earlier, key=lambda s: (s.date, s.number))
        if p.date < prev.date:
            out.append(_r("R0.4", "日期先后", art, BLOCK, DATE_BEFORE_PREVIOUS.format(
                date=p.date, prev=prev.number, prev_label=S.get(prev.number).label_2014, prev_date=prev.date),
                overridable=False))  # fmt: skip
    return out


def _check_higher(p: StepFacts, branch: OrgFacts, code: str, name: str, article: str) -> list[RuleResult]:
    """The step is done by a Party committee above the branch (filing, agreement)."""
    o = p.approving_org
    if o is None:
        return [_r(code, name, article, BLOCK, ORG_MISSING,
                   overridable=False)]
    if not (branch.path.startswith(o.path) and branch.path != o.path):
        return [_r(code, name, article, BLOCK, ORG_NOT_HIGHER.format(name=o.name),
                   overridable=False)]
    if o.org_type not in COMMITTEE_TYPES:
        return [_r(code, name, article, BLOCK, ORG_NOT_COMMITTEE.format(name=o.name, type=ORG_TYPE_LABELS.get(o.org_type, o.org_type)),
                   overridable=False)]
    return [_r(code, name, article, PASS, FILING_OK.format(name=o.name))]


ORG_TYPE_LABELS = {
    "county_committee": "县（市、区）委", "township_committee": "乡镇党委/街道党工委", "working_committee": "工委",
    "primary_committee": "基层党委", "general_branch": "党总支", "branch": "党支部", "joint_branch": "联合党支部",
    "temporary_branch": "临时党支部", "party_group": "党小组",
}  # fmt: skip


def check_approver(o: OrgFacts | None, branch: OrgFacts) -> list[RuleResult]:
    """R1.18 审批权限: only a Party committee (党委、工委) above the branch with approval power; no general
    branch, party group, temporary branch, nor a village or community committee; village and
    community organizations' admissions go to the township (sub-district) committee. Never
    overridable: a recorded reason does not give an organization the power to approve."""
    code, name = "R1.18", "审批权限"
    article = "共产党员网问答；《中国共产党农村基层组织工作条例》"
    if o is None:
        return [_r(code, name, article, BLOCK, ORG_MISSING,
                   overridable=False)]
    if o.org_type not in COMMITTEE_TYPES:
        return [_r(code, name, article, BLOCK, NOT_APPROVER.format(name=o.name, type=ORG_TYPE_LABELS.get(o.org_type, o.org_type)),
                   overridable=False)]
    if o.is_village_level:
        return [_r(code, name, article, BLOCK, VILLAGE_COMMITTEE.format(name=o.name),
                   overridable=False)]
    if not (branch.path.startswith(o.path) and branch.path != o.path):
        return [_r(code, name, article, BLOCK, ORG_NOT_HIGHER.format(name=o.name),
                   overridable=False)]
    if branch.is_village_level and o.org_type not in ("township_committee", "county_committee"):
        return [_r(code, name, article, BLOCK, VILLAGE_NEEDS_TOWNSHIP.format(name=o.name),
                   overridable=False)]
    if not o.can_approve:
        return [_r(code, name, article, BLOCK, NOT_APPROVER_POWER.format(name=o.name),
                   overridable=False)]
    return [_r(code, name, article, PASS, APPROVER_OK.format(name=o.name))]


def check_vote(v: VoteFacts | None, *, date: dt.date, version: str, conversion: bool = False) -> list[RuleResult]:
    """R1.15 (and R1.22 for conversion, by the same rules): quorum and passing at the branch meeting.
    A meeting without a quorum is not valid and a resolution without a majority has not passed: these
    blocks can never be overridden (the result is computed, never typed)."""
    code = "R1.22" if conversion else "R1.15"
    name = "转正表决" if conversion else "支部大会的人数和表决"
    article = _art(version, "第三十三条" if conversion else "第二十条、第二十一条", "第三十二条" if conversion else "第十九条、第二十条")
    if v is None:
        return [_r(code, name, article, BLOCK, VOTE_MISSING, overridable=False)]
    out = []
    r = vote_result(v)
    for e in v.exclusions:
        if not (e.approved_by_higher and e.approved_by_meeting):
            out.append(_r(code, name, article, WARN, EXCLUSION_UNAPPROVED.format(name=e.name or EXCLUSION_CATEGORIES.get(e.category, ""))))
    if v.roster_full is not None and v.roster_full != v.should_attend_total:
        out.append(_r(code, name, article, WARN, ROSTER_DIFFERS.format(total=v.should_attend_total, date=date, roster=v.roster_full)))
    if not r.quorum_met:
        out.append(_r(code, name, article, BLOCK, QUORUM_NOT_MET.format(present=v.present, expected=r.expected),
                        overridable=False))
    elif not r.passed:
        out.append(_r(code, name, article, BLOCK, VOTE_NOT_PASSED.format(yes=v.yes, expected=r.expected),
                        overridable=False))
    else:
        out.append(_r(code, name, article, PASS, VOTE_OK.format(expected=r.expected, present=v.present, yes=v.yes)))
    return out


def _check_committee_vote(v: VoteFacts | None, version: str) -> list[RuleResult]:
    code, name, article = "R1.17", "党委集体讨论表决", _art(version, "第二十四条", "第二十五条")
    if v is None:
        return [_r(code, name, article, BLOCK, COMMITTEE_VOTE, overridable=False)]
    if not vote_result(v).passed:
        return [_r(code, name, article, BLOCK, COMMITTEE_NOT_PASSED, overridable=False)]
    return [_r(code, name, article, PASS, "党委会议集体讨论、表决通过。")]


def _check_approval_time(meeting: StepFacts | None, date: dt.date, version: str, params: Params, *,
                         what: str, code: str, article: str, ceiling_applies: bool = True) -> list[RuleResult]:
    """Approval within 3 months of the branch meeting; warn after 3, block after the configurable
    ceiling under 2014; under 2026 the ceiling is UNCONFIRMED, so it only warns. The ceiling is
    R1.17's, for admission: conversion (R1.23) knows only the 3 months (``ceiling_applies=False``)."""
    name = "三个月内审批"
    if meeting is None:
        return []
    if date < meeting.date:
        return [_r(code, name, article, BLOCK, DATE_BEFORE_MEETING.format(date=date, meeting=meeting.date), overridable=False)]
    due = add_months(meeting.date, 3)
    ceiling = add_months(meeting.date, params.approval_ceiling_months)
    if date > ceiling and ceiling_applies:
        if version == S.V2026:
            msg = APPROVAL_CEILING_2026.format(what=what, months=params.approval_ceiling_months, ceiling=ceiling)
            return [_r(code, name, article, WARN, msg)]
        return [_r(code, name, article, BLOCK,
                   APPROVAL_CEILING.format(what=what, months=params.approval_ceiling_months, ceiling=ceiling))]
    if date > due:
        return [_r(code, name, article, WARN, APPROVAL_LATE.format(what=what, due=due, date=date))]
    return [_r(code, name, article, PASS, APPROVAL_OK.format(due=due))]


def _check_departure(record: RecordFacts, date: dt.date, version: str) -> list[RuleResult]:
    code, name = "R1.13", "三个月内离开单位的一般不办理接收"
    leaving = record.leaving_unit_on
    if leaving is None or leaving < date or leaving > add_months(date, 3):
        return []
    if version == S.V2026:
        return [_r(code, name, "细则（2026）待核实", WARN, DEPARTURE_2026.format(leaving=leaving, date=date))]
    return [_r(code, name, "细则（2014）第十九条", BLOCK, DEPARTURE.format(leaving=leaving, date=date))]


def _status_label(status: str | None) -> str:
    from dangjian.members.rules import STATUS_LABELS as M

    return M.get(status or "", "非党员")


def check_step(record: RecordFacts, proposed: StepFacts, *, today: dt.date, params: Params) -> list[RuleResult]:
    """Every rule that applies to recording ``proposed`` on ``record``, judged by the rule set in force
    on ``proposed.date``. Returns all results (pass, warn, block); the caller refuses on any block."""
    p, n = proposed, proposed.number
    if n not in S.BY_NUMBER:
        raise ValueError(n)
    version = version_on(p.date, params)
    out: list[RuleResult] = []
    if p.date > today:
        out.append(_r("R0.1", "日期不得晚于今天", "录入规则", BLOCK, FUTURE_DATE.format(date=p.date, today=today), overridable=False))
    if p.date < record.birth_date:
        out.append(_r("R0.2", "日期不得早于出生日期", "录入规则", BLOCK, BEFORE_BIRTH.format(date=p.date, birth=record.birth_date),
                      overridable=False))
    if record.outcome in (OUTCOME_STOPPED, OUTCOME_CANCELLED):
        out.append(_r("R0.5", "发展程序已终止", "录入规则", BLOCK, ENDED.format(status=OUTCOME_LABELS[record.outcome]),
                      overridable=False))
        return out
    out += _check_order(record, p)
    if any(r.blocks and not r.overridable for r in out):
        return out

    if n == S.APPLICATION:
        age = age_on(record.birth_date, p.date)
        level = BLOCK if age < 18 else PASS
        msg = AGE_UNDER_18.format(date=p.date, birth=record.birth_date, age=age) if age < 18 else AGE_OK
        out.append(_r("R1.1", "年满十八周岁", "党章第一条；细则第五条", level, msg, overridable=False))
    elif n == S.TALK:
        applied = record.last(S.APPLICATION)
        assert applied is not None
        due = add_months(applied.date, 1)
        art = _art(version, "第七条", "第七条")
        if p.date > due:
            out.append(_r("R1.3", "一个月内派人谈话", art, WARN, TALK_LATE.format(applied=applied.date, due=due, date=p.date)))
        else:
            out.append(_r("R1.3", "一个月内派人谈话", art, PASS, TALK_OK.format(due=due)))
    elif n == S.ACTIVIST:
        applied = record.last(S.APPLICATION)
        if params.local_activist_wait_months > 0 and applied is not None:
            due = add_months(applied.date, params.local_activist_wait_months)
            if p.date < due:
                out.append(_r("R1.4", "申请后确定入党积极分子的时间（地方规定）", "地方规定", WARN,
                              LOCAL_WAIT.format(months=params.local_activist_wait_months, due=due)))
    elif n == S.ACTIVIST_FILING:
        out += _check_higher(p, record.branch, "R1.5", "报上级党委备案", _art(version, "第八条", "第八条"))
    elif n == S.MENTORS:
        out += _check_mentors(p, version)
    elif n == S.CANDIDATE:
        out += _check_training(record, p, version)
    elif n == S.CANDIDATE_FILING:
        if version == S.V2026:
            out += _check_higher(p, record.branch, "R1.9", "报上级党委同意", "细则（2026）第十三条")
            out += _check_candidate_notice(record, p, params)
        else:
            out += _check_higher(p, record.branch, "R1.9", "报上级党委备案", "细则（2014）第十三条")
    elif n == S.SPONSORS:
        out += _check_sponsors(p, version)
    elif n == S.POLITICAL_REVIEW:
        art = _art(version, "第十六条", "第十六条")
        conclusion = p.details.get("review_conclusion")
        if conclusion not in (QUALIFIED, UNQUALIFIED) or not str(p.details.get("review_summary") or "").strip():
            out.append(_r("R1.11", "政治审查须有结论", art, BLOCK, REVIEW_NO_CONCLUSION))
        elif conclusion == UNQUALIFIED:
            out.append(_r("R1.11", "政治审查须有结论", art, WARN, REVIEW_FAILED_NOTE))
        else:
            out.append(_r("R1.11", "政治审查须有结论", art, PASS, REVIEW_OK.format(date=p.date)))
    elif n == S.CENTRALIZED_TRAINING:
        days, hours = _number(p.details.get("training_days")), _number(p.details.get("training_hours"))
        art = _art(version, "第十七条", "第十七条")
        ok = days >= 3 or hours >= 24
        out.append(_r("R1.12", "集中培训不少于三天或二十四学时", art, PASS if ok else BLOCK,
                      (TRAINING_DAYS_OK if ok else TRAINING_DAYS).format(days=_fmt(days), hours=_fmt(hours))))
    elif n == S.PRE_REVIEW:
        out += check_approver(p.approving_org, record.branch)
    elif n == S.ADMISSION_MEETING:
        out += _check_admission_meeting(record, p, version)
    elif n == S.APPROVAL_TALK:
        position = str(p.details.get("talker_position") or "")
        talkers = [x for x in p.people if x.role == S.TALKER]
        art = "党章第五条；" + _art(version, "第二十三条", "第二十四条")
        if not talkers or position not in APPROVER_POSITIONS:
            out.append(_r("R1.16", "审批前上级党委派人谈话", art, BLOCK, TALKER_MISSING))
        else:
            out.append(_r("R1.16", "审批前上级党委派人谈话", art, PASS, TALKER_OK.format(position=position)))
    elif n == S.ADMISSION_APPROVAL:
        out += check_approver(p.approving_org, record.branch)
        out += _check_committee_vote(p.vote, version)
        out += _check_approval_time(record.last(S.ADMISSION_MEETING), p.date, version, params, what="接收预备党员",
                                    code="R1.17", article=_art(version, "第二十四条", "第二十五条"))
        out += _check_departure(record, p.date, version)
    elif n == S.OATH:
        approved = record.last(S.ADMISSION_APPROVAL)
        if approved is not None:
            due = add_months(approved.date, params.oath_months)
            if p.date > due:
                out.append(_r("R1.19", "及时入党宣誓", "党章第六条（期限待核实）", WARN,
                              OATH_LATE.format(months=params.oath_months, due=due, date=p.date)))
    elif n == S.CONVERSION_APPLICATION:
        if p.details.get("written") is False:
            out.append(_r("R1.22", "书面转正申请", _art(version, "第三十二条", "第三十二条"), WARN, NOT_WRITTEN))
    elif n == S.CONVERSION_MEETING:
        ends = probation_end(record)
        art = "党章第七条；" + _art(version, "第三十一条", "第三十一条")
        if ends is not None and p.date < ends:
            meeting = record.last(S.ADMISSION_MEETING)
            out.append(_r("R1.20", "预备期一年、不得提前转正", art, BLOCK, PROBATION_NOT_ENDED.format(
                admitted=meeting.date if meeting else "", ends=ends, date=p.date), overridable=False))
        elif ends is not None:
            out.append(_r("R1.20", "预备期一年、不得提前转正", art, PASS, PROBATION_OK.format(ends=ends)))
        out += check_vote(p.vote, date=p.date, version=version, conversion=True)
    elif n == S.CONVERSION_APPROVAL:
        out += check_approver(p.approving_org, record.branch)
        out += _check_committee_vote(p.vote, version)
        out += _check_approval_time(record.last(S.CONVERSION_MEETING), p.date, version, params, what="预备党员转正",
                                    code="R1.23", article=_art(version, "第三十三条", "第三十三条"), ceiling_applies=False)
        ends = party_standing_from(record)
        if ends is not None:
            out.append(_r("R1.23", "党龄自预备期满之日起算", "党章第七条", PASS, PARTY_STANDING.format(ends=ends)))
    return out


def _number(value: Any) -> float:
    try:
        return float(value or 0)
    except (TypeError, ValueError):
        return 0.0


def _fmt(x: float) -> str:
    return str(int(x)) if x == int(x) else str(x)


def _check_mentors(p: StepFacts, version: str) -> list[RuleResult]:
    code, name, art = "R1.6", "培养联系人为1至2名正式党员", _art(version, "第九条", "第九条")
    mentors = [x for x in p.people if x.role == S.MENTOR]
    out = []
    if not 1 <= len(mentors) <= 2:
        out.append(_r(code, name, art, BLOCK, MENTOR_COUNT.format(count=len(mentors))))
    for m in mentors:
        if m.status != FULL:
            out.append(_r(code, name, art, BLOCK, MENTOR_NOT_FULL.format(name=m.name, date=p.date)))
    if not out:
        out.append(_r(code, name, art, PASS, MENTOR_OK.format(count=len(mentors))))
    return out


def _check_training(record: RecordFacts, p: StepFacts, version: str) -> list[RuleResult]:
    out: list[RuleResult] = []
    start = training_start(record)
    if start is None:
        return out
    activist = record.last(S.ACTIVIST)
    assert activist is not None
    changes = [s for s in record.all(S.ACTIVIST_TRAINING) if isinstance(s.details.get("unit_change"), Mapping)]
    if changes:
        if start == activist.date:
            out.append(_r("R1.8", "变动单位后培养时间连续计算", "细则（2014）第十二条", PASS, TRAINING_CONTINUED.format(start=start)))
        else:
            out.append(_r("R1.8", "变动单位后培养时间连续计算", "细则（2014）第十二条", WARN, TRAINING_RESTARTED.format(date=start)))
    due = add_years(start, 1)
    art = _art(version, "第十三条", "第十三条")
    if p.date < due:
        out.append(_r("R1.9", "一年以上培养教育和考察", art, BLOCK, TRAINING_SHORT.format(start=start, due=due, date=p.date)))
    else:
        out.append(_r("R1.9", "一年以上培养教育和考察", art, PASS, TRAINING_OK.format(start=start, due=due)))
    # R1.7: from the activist date, no gap of more than six months without an assessment, up to this step.
    points = [activist.date, *(s.date for s in record.all(S.ACTIVIST_TRAINING) if s.details.get("assessment")), p.date]
    points.sort()
    art7 = _art(version, "第十一条", "第十一条")
    for a, b in zip(points, points[1:], strict=False):
        if b > add_months(a, 6):
            out.append(_r("R1.7", "每半年考察一次", art7, BLOCK, ASSESSMENT_GAP.format(a=a, b=b, due=add_months(a, 6))))
            break
    else:
        out.append(_r("R1.7", "每半年考察一次", art7, PASS, ASSESSMENT_OK))
    return out


def _candidate_notice(record: RecordFacts) -> NoticeFacts | None:
    found = [x for x in record.notices if x.kind == "candidate"]
    return max(found, key=lambda x: x.start) if found else None


def _check_candidate_notice(record: RecordFacts, p: StepFacts, params: Params) -> list[RuleResult]:
    """R1.9 (2026): the higher committee agrees, then a public notice of at least N working days that
    ends before the listing (step 8's date) and whose result does not stand in the way."""
    code, name, art = "R1.9", "发展对象公示不少于五个工作日", "细则（2026）第十三条"
    out = []
    agreed = p.details.get("agreed_on")
    agreed_on = _as_date(agreed)
    if agreed_on is None:
        out.append(_r(code, "报上级党委同意", art, BLOCK, AGREED_MISSING))
    elif agreed_on > p.date:
        out.append(_r(code, "报上级党委同意", art, BLOCK, AGREED_AFTER.format(agreed=agreed_on, date=p.date)))
    notice = _candidate_notice(record)
    days = params.candidate_notice_workdays
    if notice is None:
        out.append(_r(code, name, art, BLOCK, NOTICE_MISSING.format(days=days)))
        return out
    try:
        count = workdays.workdays_between(notice.start, notice.end)
    except workdays.CalendarNotCovered as exc:
        out.append(_r(code, name, art, BLOCK, str(exc)))
        return out
    ok = True
    if count < days:
        ok = False
        out.append(_r(code, name, art, BLOCK, NOTICE_SHORT.format(start=notice.start, end=notice.end, count=count, days=days)))
    if notice.end >= p.date:
        ok = False
        out.append(_r(code, name, art, BLOCK, NOTICE_NOT_ENDED.format(end=notice.end, date=notice.end)))
    if agreed_on is not None and notice.start < agreed_on:
        out.append(_r(code, name, art, WARN, NOTICE_BEFORE_AGREED.format(start=notice.start, agreed=agreed_on)))
    if notice.objection_result == "upheld":
        ok = False
        out.append(_r(code, name, art, BLOCK, NOTICE_UPHELD))
    if ok:
        out.append(_r(code, name, art, PASS, NOTICE_OK.format(start=notice.start, end=notice.end, count=count)))
    return out


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and value:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _check_sponsors(p: StepFacts, version: str) -> list[RuleResult]:
    code, name = "R1.10", "两名正式党员作入党介绍人"
    art = "党章第五条；" + _art(version, "第十四条", "第十四条")
    sponsors = [x for x in p.people if x.role == S.SPONSOR]
    out = []
    if len(sponsors) != 2:
        out.append(_r(code, name, art, BLOCK, SPONSOR_COUNT.format(count=len(sponsors))))
    ids = [s.member_id for s in sponsors if s.member_id is not None]
    if len(ids) != len(set(ids)):
        out.append(_r(code, name, art, BLOCK, SPONSOR_SAME))
    for s in sponsors:
        if s.member_id is None:
            out.append(_r(code, name, art, BLOCK, SPONSOR_NOT_MEMBER.format(name=s.name)))
        elif s.status == "probationary":
            out.append(_r(code, name, art, BLOCK, SPONSOR_PROBATIONARY.format(name=s.name, date=p.date)))
        elif s.status != FULL:
            out.append(_r(code, name, art, BLOCK, SPONSOR_NOT_FULL.format(name=s.name, date=p.date, status=_status_label(s.status))))
        if s.under_party_probation:
            out.append(_r(code, name, art, BLOCK, SPONSOR_DISCIPLINE.format(name=s.name)))
        if s.correction_ordered:
            out.append(_r(code, name, art, BLOCK, SPONSOR_CORRECTION.format(name=s.name)))
    if not out:
        out.append(_r(code, name, art, PASS, SPONSOR_OK))
    return out


def _check_admission_meeting(record: RecordFacts, p: StepFacts, version: str) -> list[RuleResult]:
    out = []
    review = record.last(S.POLITICAL_REVIEW)
    art11 = _art(version, "第十六条", "第十六条")
    if review is None or review.details.get("review_conclusion") != QUALIFIED:
        # No exception clause (unlike R1.12's 除个别特殊情况外): never overridable.
        out.append(_r("R1.11", "政治审查合格方可接收", art11, BLOCK, REVIEW_NOT_PASSED, overridable=False))
    else:
        out.append(_r("R1.11", "政治审查合格方可接收", art11, PASS, REVIEW_OK.format(date=review.date)))
    pre = record.last(S.PRE_REVIEW)
    # R1.13: only those who pass the pre-review receive the 入党志愿书 — no passed pre-review, no meeting.
    if pre is None or pre.details.get("pre_review_result") != "passed":
        out.append(_r("R1.13", "上级党委预审", _art(version, "第十九条", "第十八条"), BLOCK, PRE_REVIEW_FAILED))
    if version == S.V2026 and pre is not None:
        due = add_months(pre.date, 1)
        level = BLOCK if p.date > due else PASS
        msg = (MEETING_LATE_2026 if level == BLOCK else MEETING_TIMELY).format(due=due, date=p.date)
        out.append(_r("R1.14", "预审后一个月内提交党员大会", "细则（2026）第十九条", level, msg))
    out += _check_departure(record, p.date, version)
    out += check_vote(p.vote, date=p.date, version=version)
    return out


def check_extension(record: RecordFacts, ext: ExtensionFacts, *, vote: VoteFacts | None, approving_org: OrgFacts | None,
                    committee_vote: VoteFacts | None, today: dt.date, params: Params) -> list[RuleResult]:
    """R1.21 延长预备期: decided by the branch meeting (same quorum and vote) and approved by the higher
    committee; 6 to 12 months; under 2026 only once; never more than a year in all (党章第七条)."""
    version = version_on(ext.meeting_date, params)
    out = _common_outcome(record, ext.meeting_date, ext.approved_on, today, what=OUTCOME_LABELS[OUTCOME_EXTENDED])
    code, name = "R1.21", "延长预备期6至12个月"
    art = "党章第七条；" + _art(version, "第三十二条", "第三十一条")
    if not 6 <= ext.months <= 12:
        out.append(_r(code, name, art, BLOCK, EXTENSION_MONTHS.format(months=ext.months), overridable=False))
    done = sum(e.months for e in record.extensions)
    if record.extensions and version == S.V2026:
        out.append(_r(code, "预备期只能延长一次", art, BLOCK, EXTENSION_TWICE_2026, overridable=False))
    elif done + ext.months > 12:
        out.append(_r(code, name, art, BLOCK, EXTENSION_TOTAL.format(done=done, months=ext.months), overridable=False))
    ends = probation_end(record)
    if ends is not None and ext.meeting_date < ends:
        out.append(_r(code, name, art, WARN, EXTENSION_EARLY.format(ends=ends, date=ext.meeting_date)))
    if not any(r.blocks for r in out) and ends is not None:
        out.append(_r(code, name, art, PASS, EXTENSION_OK.format(months=ext.months, ends=add_months(ends, ext.months))))
    out += check_vote(vote, date=ext.meeting_date, version=version, conversion=True)
    out += check_approver(approving_org, record.branch)
    out += _check_committee_vote(committee_vote, version)
    return out


def check_cancellation(record: RecordFacts, *, meeting_date: dt.date, approved_on: dt.date, reason: str,
                       vote: VoteFacts | None, approving_org: OrgFacts | None, committee_vote: VoteFacts | None,
                       today: dt.date, params: Params) -> list[RuleResult]:
    """R1.21(c) 取消预备党员资格: branch meeting decision and higher approval, with a reason."""
    version = version_on(meeting_date, params)
    out = _common_outcome(record, meeting_date, approved_on, today, what=OUTCOME_LABELS[OUTCOME_CANCELLED])
    if not reason.strip():
        out.append(_r("R1.21", "取消预备党员资格", "党章第七条", BLOCK, OUTCOME_REASON, overridable=False))
    out += check_vote(vote, date=meeting_date, version=version, conversion=True)
    out += check_approver(approving_org, record.branch)
    out += _check_committee_vote(committee_vote, version)
    return out


def check_stop(record: RecordFacts, *, date: dt.date, reason: str, today: dt.date) -> list[RuleResult]:
    """终止发展 before admission (an applicant, activist or target who is no longer developed)."""
    out = []
    if record.outcome is not None:
        out.append(_r("R0.5", "发展程序已终止", "录入规则", BLOCK, ENDED.format(status=OUTCOME_LABELS[record.outcome]), overridable=False))
    if S.ADMISSION_APPROVAL in record.numbers:
        out.append(_r("R0.6", "终止发展", "录入规则", BLOCK, STOP_AFTER_ADMISSION, overridable=False))
    out += _dates(record, date, today)
    if not reason.strip():
        out.append(_r("R0.6", "终止发展", "录入规则", BLOCK, OUTCOME_REASON, overridable=False))
    return out


def _dates(record: RecordFacts, date: dt.date, today: dt.date) -> list[RuleResult]:
    out = []
    if date > today:
        out.append(_r("R0.1", "日期不得晚于今天", "录入规则", BLOCK, FUTURE_DATE.format(date=date, today=today), overridable=False))
    if date < record.birth_date:
        out.append(_r("R0.2", "日期不得早于出生日期", "录入规则", BLOCK, BEFORE_BIRTH.format(date=date, birth=record.birth_date),
                      overridable=False))
    last = max((s.date for s in record.steps), default=None)
    if last is not None and date < last:
        out.append(_r("R0.4", "日期先后", "录入规则", BLOCK, f"日期（{date}）早于最近一个步骤的日期（{last}），请核对。", overridable=False))
    return out


CONVERSION_RESOLVED = "党支部党员大会已决议转正（第23步）：如需{what}，请先撤销第23步，再按党员大会的新决议办理。"


def _common_outcome(record: RecordFacts, meeting_date: dt.date, approved_on: dt.date, today: dt.date, *, what: str) -> list[RuleResult]:
    out = []
    if record.outcome is not None:
        out.append(_r("R0.5", "发展程序已终止", "录入规则", BLOCK, ENDED.format(status=OUTCOME_LABELS[record.outcome]), overridable=False))
    if S.ADMISSION_APPROVAL not in record.numbers or S.CONVERSION_APPROVAL in record.numbers:
        out.append(_r("R0.6", what, "录入规则", BLOCK, NOT_PROBATIONARY_YET.format(what=what), overridable=False))
    elif S.CONVERSION_MEETING in record.numbers:
        # The branch meeting already resolved to convert (step 23): extending or cancelling contradicts it.
        out.append(_r("R0.6", what, "录入规则", BLOCK, CONVERSION_RESOLVED.format(what=what), overridable=False))
    out += _dates(record, meeting_date, today)
    out += [r for r in _dates(record, approved_on, today) if r.code != "R0.4"]
    if approved_on < meeting_date:
        out.append(_r("R0.4", "日期先后", "录入规则", BLOCK, DATE_BEFORE_MEETING.format(date=approved_on, meeting=meeting_date),
                      overridable=False))
    return out


def check_notice(notice: NoticeFacts, *, params: Params) -> list[RuleResult]:
    """R1.26 notices other than the 2026 development-target notice: local rules only, so a notice
    shorter than the county's setting warns. A period the calendar does not cover blocks."""
    try:
        count = workdays.workdays_between(notice.start, notice.end)
    except workdays.CalendarNotCovered as exc:
        return [_r("R1.26", "公示期", "各地规定", BLOCK, str(exc), overridable=False)]
    days = params.candidate_notice_workdays if notice.kind == "candidate" else params.local_notice_workdays
    if count < days:
        level = BLOCK if notice.kind == "candidate" else WARN
        msg = NOTICE_SHORT.format(start=notice.start, end=notice.end, count=count, days=days) if notice.kind == "candidate" \
            else LOCAL_NOTICE_SHORT.format(kind=NOTICE_KINDS.get(notice.kind, ""), start=notice.start, end=notice.end, count=count, days=days)
        return [_r("R1.26", "公示期", "细则（2026）第十三条；各地规定", level, msg)]
    return [_r("R1.26", "公示期", "细则（2026）第十三条；各地规定", PASS,
               NOTICE_OK.format(start=notice.start, end=notice.end, count=count))]


def blocking(results: Sequence[RuleResult]) -> list[RuleResult]:
    return [r for r in results if r.blocks]


# --- deadlines --------------------------------------------------------------------------------------------

OVERDUE, UPCOMING = "overdue", "upcoming"


@dataclass(frozen=True)
class Deadline:
    code: str  # "talk_due", "assessment_due", "meeting_due", "approval_due", "probation_ending",
    # "conversion_approval_due", "oath_due", "notice_closing"
    name: str  # Chinese
    article: str
    due: dt.date
    step: int | None  # the step awaited

    def state(self, today: dt.date, window_days: int) -> str | None:
        """OVERDUE when the due date has passed, UPCOMING within ``window_days``, else None."""
        if self.due < today:
            return OVERDUE
        if (self.due - today).days <= window_days:
            return UPCOMING
        return None


DEADLINE_NAMES = {
    "talk_due": ("入党申请人谈话到期", "R1.3"),
    "assessment_due": ("入党积极分子半年考察到期", "R1.7"),
    "meeting_due": ("预审后一个月内召开党员大会", "R1.14"),
    "approval_due": ("接收预备党员审批将满三个月", "R1.17"),
    "probation_ending": ("预备期即将届满", "R1.20"),
    "conversion_approval_due": ("转正审批将满三个月", "R1.23"),
    "oath_due": ("入党宣誓", "R1.19"),
    "notice_closing": ("公示即将结束", "R1.26"),
}


def deadlines(record: RecordFacts, *, today: dt.date, params: Params) -> list[Deadline]:
    """Every pending deadline of the record (whether near or not); ``Deadline.state`` says which are
    overdue or upcoming. A finished record (archived, stopped, cancelled) has none."""
    nums = record.numbers
    if record.outcome in (OUTCOME_STOPPED, OUTCOME_CANCELLED) or S.ARCHIVING in nums:
        return []
    out: list[Deadline] = []

    def add(code: str, due: dt.date, step: int | None) -> None:
        name, art = DEADLINE_NAMES[code]
        out.append(Deadline(code, name, art, due, step))

    first = record.last(S.APPLICATION)
    if first is not None and S.TALK not in nums:
        add("talk_due", add_months(first.date, 1), S.TALK)
    start = training_start(record)
    if start is not None and S.CANDIDATE not in nums:
        assessed = [s.date for s in record.all(S.ACTIVIST_TRAINING) if s.details.get("assessment")]
        add("assessment_due", add_months(max([start, *assessed]), 6), S.ACTIVIST_TRAINING)
    pre = record.last(S.PRE_REVIEW)
    if pre is not None and S.ADMISSION_MEETING not in nums and version_on(today, params) == S.V2026:
        add("meeting_due", add_months(pre.date, 1), S.ADMISSION_MEETING)
    meeting = record.last(S.ADMISSION_MEETING)
    if meeting is not None and S.ADMISSION_APPROVAL not in nums:
        add("approval_due", add_months(meeting.date, 3), S.ADMISSION_APPROVAL)
    approved = record.last(S.ADMISSION_APPROVAL)
    if approved is not None and S.OATH not in nums:
        add("oath_due", add_months(approved.date, params.oath_months), S.OATH)
    ends = probation_end(record)
    if approved is not None and ends is not None and S.CONVERSION_MEETING not in nums:
        add("probation_ending", ends, S.CONVERSION_MEETING)
    conv = record.last(S.CONVERSION_MEETING)
    if conv is not None and S.CONVERSION_APPROVAL not in nums:
        add("conversion_approval_due", add_months(conv.date, 3), S.CONVERSION_APPROVAL)
    for notice in record.notices:
        if notice.end >= today:
            add("notice_closing", notice.end, None)
    return out
