"""The five stages and 25 steps of membership development (发展党员), §1.1 of the domain reference.

Each step has a number (1-25), a stable code, its stage, its Chinese label in the wording of the 2014
细则 and of the 2026 revision (支部大会 → 党支部党员大会; step 8 备案 → 报上级党委同意并公示), the
roles of the people responsible for it, and the keys of the step-specific facts it records in
``Step.details``. Steps 6 (培养教育考察) and 21 (继续教育考察) are repeated: one row per assessment.
"""

from __future__ import annotations

from dataclasses import dataclass

V2014 = "2014"
V2026 = "2026"
VERSION_LABELS = {V2014: "2014年《中国共产党发展党员工作细则》", V2026: "2026年修订的《中国共产党发展党员工作细则》"}

STAGES: dict[int, str] = {
    1: "申请入党",
    2: "入党积极分子的确定和培养教育",
    3: "发展对象的确定和考察",
    4: "预备党员的接收",
    5: "预备党员的教育考察和转正",
}

# --- roles of responsible people (StepPerson.role) ---------------------------------------------------
TALKER = "talker"  # 谈话人 (step 2; step 16: 党委委员或组织员)
MENTOR = "mentor"  # 培养联系人 (step 5)
SPONSOR = "sponsor"  # 入党介绍人 (step 9)
RESPONSIBLE = "responsible"  # 经办人 (any step)
ROLE_LABELS = {TALKER: "谈话人", MENTOR: "培养联系人", SPONSOR: "入党介绍人", RESPONSIBLE: "经办人"}

# --- keys of Step.details, with their Chinese labels (for forms and the 全程纪实) ----------------------
DETAIL_LABELS: dict[str, str] = {
    "received_by": "接收申请的党组织",
    "talk_content": "谈话内容",
    "nominated_by": "推荐方式（党员推荐、群团组织推优）",
    "decided_by": "决定机构（支委会/支部大会）",
    "filing_number": "备案文号",
    "assessment": "考察意见",
    "unit_change": "单位（居住地）变动：{new_unit 新单位, records_transferred 培养材料已移交并接续培养}",
    "agreed_on": "上级党委同意日期（2026）",
    "review_conclusion": "政治审查结论（qualified 合格 / unqualified 不合格）",
    "review_summary": "政治审查结论性材料摘要",
    "training_name": "培训班名称",
    "training_days": "培训天数",
    "training_hours": "培训学时",
    "certificate": "结业证书编号",
    "committee_opinion": "支委会审查意见",
    "pre_review_result": "预审意见（passed 同意 / failed 不同意）",
    "form_number": "入党志愿书编号",
    "talker_position": "谈话人职务（党委委员/组织员）",
    "approval_result": "审批结果（approved 批准 / rejected 不批准）",
    "group_name": "编入的党小组",
    "oath_place": "宣誓地点",
    "written": "书面申请（是/否）",
    "decision": "支部党员大会决议（convert 按期转正）",
    "archive_number": "档案编号",
    "archived_items": "归档材料",
}


@dataclass(frozen=True)
class Step:
    number: int
    code: str
    stage: int
    label_2014: str
    label_2026: str
    people: tuple[str, ...] = ()  # roles expected among the responsible people
    details: tuple[str, ...] = ()  # keys of the step-specific facts (see DETAIL_LABELS)
    repeatable: bool = False
    needs_approving_org: bool = False  # the step is done by a higher Party committee (Step.approving_org)
    has_vote: bool = False  # a meeting whose vote is recorded (Vote)

    def label(self, version: str) -> str:
        return self.label_2026 if version == V2026 else self.label_2014

    @property
    def stage_label(self) -> str:
        return STAGES[self.stage]


def _s(number: int, code: str, stage: int, label: str, label_2026: str | None = None, **kw: object) -> Step:
    return Step(number, code, stage, label, label_2026 or label, **kw)  # type: ignore[arg-type]


STEPS: tuple[Step, ...] = (
    _s(1, "application", 1, "递交入党申请书", details=("received_by",)),
    _s(2, "talk", 1, "党组织派人谈话", people=(TALKER,), details=("talk_content",)),
    _s(3, "activist", 2, "推荐和确定入党积极分子", details=("nominated_by", "decided_by")),
    _s(4, "activist_filing", 2, "上级党委备案", details=("filing_number",), needs_approving_org=True),
    _s(5, "mentors", 2, "指定培养联系人", people=(MENTOR,)),
    _s(6, "activist_training", 2, "培养教育考察", details=("assessment", "unit_change"), repeatable=True),
    _s(7, "candidate", 3, "确定发展对象", "党支部委员会会议研究确定发展对象", details=("committee_opinion",)),
    _s(8, "candidate_filing", 3, "报上级党委备案", "报上级党委同意并公示", details=("filing_number", "agreed_on"),
       needs_approving_org=True),
    _s(9, "sponsors", 3, "确定入党介绍人", people=(SPONSOR,)),
    _s(10, "political_review", 3, "进行政治审查", details=("review_conclusion", "review_summary")),
    _s(11, "centralized_training", 3, "开展集中培训", details=("training_name", "training_days", "training_hours",
                                                           "certificate")),
    _s(12, "committee_review", 4, "支部委员会审查", "党支部委员会会议审查", details=("committee_opinion",)),
    _s(13, "pre_review", 4, "上级党委预审", details=("pre_review_result",), needs_approving_org=True),
    _s(14, "application_form", 4, "填写入党志愿书", details=("form_number",)),
    _s(15, "admission_meeting", 4, "支部大会讨论", "党支部党员大会讨论", has_vote=True),
    _s(16, "approval_talk", 4, "上级党委派人谈话", people=(TALKER,), details=("talker_position", "talk_content")),
    _s(17, "admission_approval", 4, "上级党委审批", details=("approval_result",), needs_approving_org=True, has_vote=True),
    _s(18, "admission_filing", 4, "再上一级党委组织部门备案", details=("filing_number",)),
    _s(19, "assignment", 5, "编入党支部和党小组", details=("group_name",)),
    _s(20, "oath", 5, "入党宣誓", details=("oath_place",)),
    _s(21, "probation_education", 5, "继续教育考察", details=("assessment",), repeatable=True),
    _s(22, "conversion_application", 5, "提出转正申请", details=("written",)),
    _s(23, "conversion_meeting", 5, "支部大会讨论", "党支部党员大会讨论", details=("decision",), has_vote=True),
    _s(24, "conversion_approval", 5, "上级党委审批", details=("approval_result",), needs_approving_org=True,
       has_vote=True),
    _s(25, "archiving", 5, "材料归档", details=("archive_number", "archived_items")),
)
BY_NUMBER: dict[int, Step] = {s.number: s for s in STEPS}
BY_CODE: dict[str, Step] = {s.code: s for s in STEPS}
REPEATABLE = frozenset(s.number for s in STEPS if s.repeatable)

# Step numbers the rules and services refer to by name.
APPLICATION, TALK, ACTIVIST, ACTIVIST_FILING, MENTORS, ACTIVIST_TRAINING = 1, 2, 3, 4, 5, 6
CANDIDATE, CANDIDATE_FILING, SPONSORS, POLITICAL_REVIEW, CENTRALIZED_TRAINING = 7, 8, 9, 10, 11
COMMITTEE_REVIEW, PRE_REVIEW, APPLICATION_FORM, ADMISSION_MEETING, APPROVAL_TALK = 12, 13, 14, 15, 16
ADMISSION_APPROVAL, ADMISSION_FILING, ASSIGNMENT, OATH, PROBATION_EDUCATION = 17, 18, 19, 20, 21
CONVERSION_APPLICATION, CONVERSION_MEETING, CONVERSION_APPROVAL, ARCHIVING = 22, 23, 24, 25


def get(number: int) -> Step:
    """The step with ``number``; KeyError for a number outside 1-25."""
    return BY_NUMBER[number]


def label(number: int, version: str) -> str:
    """The step's Chinese label in the wording of ``version`` ("2014" or "2026")."""
    return BY_NUMBER[number].label(version)
