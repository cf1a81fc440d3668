"""Standard forms of membership development, generated from the records: the filing tables (备案表) of
activists and development targets, the public notices (公示), the pre-review request (预审请示), the
admission and conversion approval forms and lists (审批表/名单), and the full record of one person
(全程纪实), as .docx (python-docx) and .xlsx (XlsxWriter); the printable HTML of the full record is a
template fed with the same data.

Two halves:
- *data*: ``dossier_*`` turn what the selectors return (scoped records with their steps, people, votes,
  notices, outcomes, documents, overrides) into plain frozen dataclasses. This is the only part that
  touches model instances.
- *layout*: ``write_*`` take only those dataclasses and write to a path or a binary file object.

Layout follows GB/T 9704-2012 (党政机关公文格式) as far as it makes sense for forms: A4, margins 37 mm
top, 35 mm bottom, 28 mm left, 26 mm right; the title in 方正小标宋简体 二号 (22 pt) centred; body in
仿宋 三号 (16 pt); tables in 宋体 小四 (12 pt); the page number centred in the footer as "— 1 —".
Word takes a run's Chinese font from ``w:eastAsia`` of ``w:rFonts`` (python-docx's ``font.name`` only
sets the Latin ones), so every font here is set on all four attributes.

Nothing about a person is written in here: names, units, organizations and dates all come from the
record. ID numbers are the masked ones unless the caller passes the full ones, which it may only do
after an audited reveal (``services.record_reveal``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

import xlsxwriter
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from docx import Document as new_docx
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import Table

from dangjian.accounts.models import User
from dangjian.members import codes
from dangjian.members.rules import age_on
from dangjian.orgs.models import Org
from dangjian.recruitment import rules, selectors
from dangjian.recruitment import steps as S
from dangjian.recruitment.models import DevelopmentRecord, Outcome, Step

# --- layout constants (GB/T 9704) -----------------------------------------------------------------------------
PAGE_WIDTH_MM, PAGE_HEIGHT_MM = 210, 297
MARGIN_TOP_MM, MARGIN_BOTTOM_MM, MARGIN_LEFT_MM, MARGIN_RIGHT_MM = 37, 35, 28, 26
TITLE_FONT, TITLE_PT = "方正小标宋简体", 22  # 二号
BODY_FONT, BODY_PT = "仿宋", 16  # 三号
HEADING_FONT = "黑体"  # first-level headings (一、二、…)
TABLE_FONT, TABLE_PT = "宋体", 12  # 小四
PAGE_NUMBER_FONT, PAGE_NUMBER_PT = "宋体", 14  # 四号
BODY_LINE_PT = 28  # fixed line spacing: 22 lines on the type area

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Form kinds: per person and as lists.
ACTIVIST_FILING, CANDIDATE_FILING, PRE_REVIEW = "activist-filing", "candidate-filing", "pre-review"
ADMISSION_APPROVAL, CONVERSION_APPROVAL = "admission-approval", "conversion-approval"
FORM_TITLES = {
    ACTIVIST_FILING: "入党积极分子备案表",
    CANDIDATE_FILING: "发展对象备案表",
    PRE_REVIEW: "发展对象预审请示",
    ADMISSION_APPROVAL: "接收预备党员审批表",
    CONVERSION_APPROVAL: "预备党员转正审批表",
}
LIST_TITLES = {
    ACTIVIST_FILING: "入党积极分子备案名册",
    CANDIDATE_FILING: "发展对象备案名册",
    PRE_REVIEW: "发展对象预审请示",
    ADMISSION_APPROVAL: "接收预备党员审批名单",
    CONVERSION_APPROVAL: "预备党员转正审批名单",
}
# Which step's date puts a person on a list for a period, and which step must exist for the per-person form.
LIST_STEP = {ACTIVIST_FILING: S.ACTIVIST, CANDIDATE_FILING: S.CANDIDATE, PRE_REVIEW: S.COMMITTEE_REVIEW,
             ADMISSION_APPROVAL: S.ADMISSION_MEETING, CONVERSION_APPROVAL: S.CONVERSION_MEETING}  # fmt: skip
# Forms that officially carry the full 公民身份号码 (offered as an audited choice).
FORMS_WITH_ID = frozenset({ACTIVIST_FILING, CANDIDATE_FILING, ADMISSION_APPROVAL, CONVERSION_APPROVAL})

NOTICE_TITLES = {
    "activist": "关于拟确定{name}同志为入党积极分子的公示",
    "candidate": "关于拟确定{name}同志为发展对象的公示",
    "admission": "关于拟接收{name}同志为中共预备党员的公示",
    "conversion": "关于{name}同志拟转为中共正式党员的公示",
}
NOTICE_LEADS = {
    "activist": "经党支部委员会研究，拟确定{name}同志为入党积极分子。",
    "candidate": "经党支部委员会研究，拟将{name}同志列为发展对象。",
    "admission": "经党支部委员会审查，拟接收{name}同志为中共预备党员。",
    "conversion": "{name}同志预备期已满，经本人申请，党支部拟讨论其转为中共正式党员。",
}
DETAIL_VALUES = {
    "review_conclusion": {rules.QUALIFIED: "合格", rules.UNQUALIFIED: "不合格"},
    "pre_review_result": {"passed": "同意", "failed": "不同意"},
    "approval_result": {rules.APPROVED: "批准", rules.REJECTED: "不批准"},
    "decision": {"convert": "按期转为正式党员"},
}
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_CHOICE_LABELS = {"sex": dict(codes.SEX), "ethnicity": dict(codes.ETHNICITY), "education": dict(codes.EDUCATION),
                  "occupation": dict(codes.PERSONNEL_CATEGORY)}  # fmt: skip


# --- Chinese formatting -------------------------------------------------------------------------------------------


def cn_date(d: dt.date | None) -> str:
    """2026年5月18日 (no leading zeros, as official documents write dates)."""
    return f"{d.year}年{d.month}月{d.day}日" if d else ""


def cn_month(d: dt.date | None) -> str:
    """1995年5月: 出生年月 on forms."""
    return f"{d.year}年{d.month}月" if d else ""


def yes_no(value: bool) -> str:
    return "是" if value else "否"


# --- plain data ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonData:
    name: str
    sex: str  # labels, not codes
    birth_date: dt.date
    ethnicity: str
    education: str
    occupation: str
    unit_name: str
    job: str
    id_number: str  # masked unless revealed
    id_full: bool
    branch: str
    status: str
    stage: str

    @property
    def unit_and_job(self) -> str:
        return "".join(x for x in (self.unit_name, self.job) if x)

    @property
    def birth_cn(self) -> str:
        return cn_month(self.birth_date)

    def age(self, on: dt.date | None) -> int | None:
        return age_on(self.birth_date, on) if on else None


@dataclass(frozen=True)
class ExclusionData:
    name: str
    category: str
    approved_by_higher: bool
    approved_by_meeting: bool


@dataclass(frozen=True)
class VoteData:
    kind: str  # 党支部党员大会 / 党委会议
    meeting_date: dt.date
    should_attend_total: int
    exclusions: tuple[ExclusionData, ...]
    expected: int
    present: int
    written_opinions: int
    yes: int
    no: int
    abstain: int
    quorum_met: bool
    passed: bool

    @property
    def meeting_date_cn(self) -> str:
        return cn_date(self.meeting_date)

    @property
    def summary(self) -> str:
        """应到、实到、书面意见、赞成/反对/弃权 and the computed result, in one line."""
        parts = [f"应到会有表决权的党员{self.should_attend_total}人"]
        if self.expected != self.should_attend_total:
            parts.append(f"经批准不计入{self.should_attend_total - self.expected}人，应到{self.expected}人")
        parts.append(f"实到{self.present}人")
        if self.written_opinions:
            parts.append(f"书面意见{self.written_opinions}份")
        parts.append(f"赞成{self.yes}票，反对{self.no}票，弃权{self.abstain}票")
        parts.append(f"到会人数{'超过' if self.quorum_met else '未超过'}半数，{'通过' if self.passed else '未通过'}")
        return "，".join(parts) + "。"

    @property
    def short(self) -> str:
        return f"应到{self.expected}人，实到{self.present}人，赞成{self.yes}，反对{self.no}，弃权{self.abstain}"


@dataclass(frozen=True)
class OverrideData:
    rule: str  # "R1.12 集中培训"
    message: str
    reason: str
    approved_by: str
    approving_org: str
    at: dt.date

    @property
    def at_cn(self) -> str:
        return cn_date(self.at)


@dataclass(frozen=True)
class FileData:
    kind: str
    name: str
    uploaded_on: dt.date | None
    step: int | None

    @property
    def uploaded_cn(self) -> str:
        return cn_date(self.uploaded_on)

    @property
    def step_label(self) -> str:
        return f"第{self.step}步" if self.step else ""


@dataclass(frozen=True)
class StepData:
    number: int
    stage: int
    stage_label: str
    label: str  # in the wording of its rules version
    date: dt.date
    rules_version: str  # the rules' full name
    approving_org: str
    people: tuple[tuple[str, str, str], ...]  # (role label, name, position)
    outcome: str
    notes: str
    details: tuple[tuple[str, str], ...]  # (label, value) in display form
    raw: dict[str, Any]
    vote: VoteData | None
    overrides: tuple[OverrideData, ...]
    files: tuple[FileData, ...]
    recorded_by: str

    @property
    def date_cn(self) -> str:
        return cn_date(self.date)

    @property
    def people_text(self) -> str:
        return "；".join(f"{role}：{name}{f'（{pos}）' if pos else ''}" for role, name, pos in self.people)

    def names(self, role_label: str) -> list[str]:
        return [name for role, name, _ in self.people if role == role_label]


@dataclass(frozen=True)
class NoticeData:
    pk: int
    kind: str
    kind_label: str
    place: str
    start: dt.date
    end: dt.date
    workdays: int
    objection_count: int
    objections: str
    handling: str
    result: str

    @property
    def period_cn(self) -> str:
        return f"{cn_date(self.start)}至{cn_date(self.end)}（{self.workdays}个工作日）"


@dataclass(frozen=True)
class OutcomeData:
    kind: str
    date: dt.date
    approved_on: dt.date | None
    approving_org: str
    months: int | None
    reason: str
    meeting_vote: VoteData | None
    committee_vote: VoteData | None
    overrides: tuple[OverrideData, ...]

    @property
    def date_cn(self) -> str:
        return cn_date(self.date)

    @property
    def approved_cn(self) -> str:
        return cn_date(self.approved_on)


@dataclass(frozen=True)
class Dossier:
    """Everything a form says about one person."""

    record_id: int
    person: PersonData
    branch: str  # the responsible branch's full name: the issuing organization of the branch's documents
    branch_contact: str  # "联系人：… 电话：…" when the branch has them
    committee: str  # the approving committee (from the steps, else the nearest one with approval power)
    steps: tuple[StepData, ...]
    notices: tuple[NoticeData, ...]
    outcomes: tuple[OutcomeData, ...]
    files: tuple[FileData, ...]
    probation_ends_on: dt.date | None
    converted_on: dt.date | None
    generated_on: dt.date
    generated_by: str
    stages: tuple[tuple[int, str, tuple[StepData, ...]], ...] = field(default=())

    def step(self, number: int) -> StepData | None:
        """The latest recording of step ``number`` (repeatable steps have several)."""
        found = [s for s in self.steps if s.number == number]
        return found[-1] if found else None

    def steps_of(self, number: int) -> list[StepData]:
        return [s for s in self.steps if s.number == number]

    def date_of(self, number: int) -> dt.date | None:
        s = self.step(number)
        return s.date if s else None

    def date_cn(self, number: int) -> str:
        return cn_date(self.date_of(number))

    def detail(self, number: int, key: str) -> str:
        s = self.step(number)
        return _detail_text(key, s.raw.get(key)) if s and key in s.raw else ""

    def names(self, number: int, role: str) -> str:
        s = self.step(number)
        return "、".join(s.names(S.ROLE_LABELS[role])) if s else ""

    def notice(self, kind: str) -> NoticeData | None:
        found = [n for n in self.notices if n.kind == kind]
        return found[-1] if found else None

    @property
    def extensions(self) -> list[OutcomeData]:
        return [o for o in self.outcomes if o.kind == rules.OUTCOME_LABELS[rules.OUTCOME_EXTENDED]]

    @property
    def overrides(self) -> list[tuple[StepData | None, OverrideData]]:
        out: list[tuple[StepData | None, OverrideData]] = [(s, o) for s in self.steps for o in s.overrides]
        return out + [(None, o) for oc in self.outcomes for o in oc.overrides]

    @property
    def training(self) -> str:
        s = self.step(S.CENTRALIZED_TRAINING)
        if s is None:
            return ""
        days, hours = s.raw.get("training_days"), s.raw.get("training_hours")
        parts = [s.raw.get("training_name") or "", f"{days}天" if days else "", f"{hours}学时" if hours else ""]
        return f"{cn_date(s.date)} " + "，".join(p for p in parts if p)

    @property
    def review(self) -> str:
        s = self.step(S.POLITICAL_REVIEW)
        if s is None:
            return ""
        return f"{_detail_text('review_conclusion', s.raw.get('review_conclusion')) or '（未填写结论）'}（{cn_date(s.date)}）"


def _detail_text(key: str, value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return yes_no(value)
    if key in DETAIL_VALUES:
        return DETAIL_VALUES[key].get(str(value), str(value))
    if key == "unit_change" and isinstance(value, dict):
        moved = "培养材料已移交并接续培养" if value.get("records_transferred") else "培养材料未移交，培养时间重新计算"
        return f"变动到“{value.get('new_unit', '')}”，{moved}"
    if isinstance(value, str) and _ISO_DATE.match(value):
        return cn_date(dt.date.fromisoformat(value))
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return str(value)


def _detail_label(key: str) -> str:
    # The labels in steps.DETAIL_LABELS carry hints for data entry ("（qualified 合格 / ...）"); forms
    # show the name only.
    return re.split(r"[（：]", S.DETAIL_LABELS.get(key, key), maxsplit=1)[0]


# --- data: from the selectors' objects to plain data ---------------------------------------------------------------


def _vote_data(v: Any) -> VoteData | None:
    if v is None:
        return None
    cats = rules.EXCLUSION_CATEGORIES
    return VoteData(
        kind=v.get_kind_display(), meeting_date=v.meeting_date, should_attend_total=v.should_attend_total,
        exclusions=tuple(ExclusionData(e.get("name", ""), cats.get(e.get("category", ""), e.get("category", "")),
                                       bool(e.get("approved_by_higher")), bool(e.get("approved_by_meeting")))
                         for e in v.exclusions or ()),
        expected=v.expected, present=v.present, written_opinions=v.written_opinions, yes=v.yes, no=v.no,
        abstain=v.abstain, quorum_met=v.quorum_met, passed=v.passed,
    )  # fmt: skip


def _override_data(o: Any) -> OverrideData:
    by = o.approved_by
    return OverrideData(rule=f"{o.rule_code} {o.rule_name}", message=o.message, reason=o.reason,
                        approved_by=(by.display_name or by.username) if by else "", approving_org=o.approving_org.name,
                        at=timezone.localdate(o.at))  # fmt: skip


def _file_data(d: Any, step_numbers: dict[int, int]) -> FileData:
    return FileData(kind=d.get_kind_display(), name=d.original_name,
                    uploaded_on=timezone.localdate(d.uploaded_at) if d.uploaded_at else None, step=step_numbers.get(d.step_id))


def dossier_from(record: Any, *, steps: Iterable[tuple[Any, list[Any], Any, list[Any], list[Any]]], notices: Iterable[Any],
                 outcomes: Iterable[Any], files: Iterable[Any], committee: str, id_number: str | None = None,
                 generated_on: dt.date, generated_by: str = "") -> Dossier:
    """A Dossier from a scoped record (``selectors.record_get``/``record_list``) and its parts as the
    selectors load them: ``steps`` as (step, people, vote, documents, overrides). ``id_number``: the
    full number, only after an audited reveal; else the masked one is used."""
    org = record.org
    step_data = []
    step_numbers: dict[int, int] = {}
    for s, people, vote, docs, overrides in steps:
        step_numbers[s.pk] = s.number
        info = S.get(s.number)
        details = tuple((_detail_label(k), _detail_text(k, v)) for k, v in (s.details or {}).items() if _detail_text(k, v))
        by = s.recorded_by
        step_data.append(StepData(
            number=s.number, stage=info.stage, stage_label=info.stage_label, label=s.label, date=s.date,
            rules_version=S.VERSION_LABELS.get(s.rules_version, s.rules_version),
            approving_org=s.approving_org.name if s.approving_org else "",
            people=tuple((S.ROLE_LABELS.get(p.role, p.role), p.name, p.position) for p in people),
            outcome=s.outcome, notes=s.notes, details=details, raw=dict(s.details or {}), vote=_vote_data(vote),
            overrides=tuple(_override_data(o) for o in overrides),
            files=tuple(FileData(d.get_kind_display(), d.original_name, timezone.localdate(d.uploaded_at) if d.uploaded_at else None,
                                 s.number) for d in docs),
            recorded_by=(by.display_name or by.username) if by else "",
        ))  # fmt: skip
    step_data.sort(key=lambda x: (x.number, x.date))
    outcome_data = []
    for o in outcomes:
        outcome_data.append(OutcomeData(
            kind=o.get_kind_display(), date=o.date, approved_on=o.approved_on,
            approving_org=o.approving_org.name if o.approving_org else "", months=o.months, reason=o.reason,
            meeting_vote=_vote_data(o.meeting_vote), committee_vote=_vote_data(o.committee_vote),
            overrides=tuple(_override_data(x) for x in o.overrides.all()),
        ))  # fmt: skip
    person = PersonData(
        name=record.name, sex=_CHOICE_LABELS["sex"].get(record.sex, ""), birth_date=record.birth_date,
        ethnicity=_CHOICE_LABELS["ethnicity"].get(record.ethnicity, ""),
        education=_CHOICE_LABELS["education"].get(record.education, ""),
        occupation=_CHOICE_LABELS["occupation"].get(record.occupation, ""), unit_name=record.unit_name, job=record.job,
        id_number=id_number or record.id_number_masked, id_full=bool(id_number), branch=org.name,
        status=rules.STATUS_LABELS.get(record.status, record.status), stage=S.STAGES.get(record.stage, ""),
    )  # fmt: skip
    contact = "，".join(x for x in (f"联系人：{org.contact_name}" if org.contact_name else "",
                                   f"联系电话：{org.contact_phone}" if org.contact_phone else "") if x)  # fmt: skip
    ordered = tuple(step_data)
    stages = tuple((k, label, tuple(s for s in ordered if s.stage == k)) for k, label in S.STAGES.items())
    return Dossier(
        record_id=record.pk, person=person, branch=org.name, branch_contact=contact, committee=committee,
        steps=ordered, notices=tuple(_notice_data(n) for n in notices), outcomes=tuple(outcome_data),
        files=tuple(_file_data(f, step_numbers) for f in files), probation_ends_on=record.probation_ends_on,
        converted_on=record.converted_on, generated_on=generated_on, generated_by=generated_by, stages=stages,
    )  # fmt: skip


def _notice_data(n: Any) -> NoticeData:
    return NoticeData(pk=n.pk, kind=n.kind, kind_label=rules.NOTICE_KINDS.get(n.kind, n.kind), place=n.place, start=n.start,
                      end=n.end, workdays=n.workdays, objection_count=n.objection_count, objections=n.objections,
                      handling=n.handling, result=rules.OBJECTION_RESULTS.get(n.objection_result, ""))  # fmt: skip


def committee_name(record: Any, steps: Iterable[Any], *, resolve: bool = True) -> str:
    """The approving committee's name as the record shows it: the organization of the latest step that
    names one (approval, pre-review, filing), else (``resolve``) the nearest committee with approval power."""
    named = [s for s in steps if getattr(s, "approving_org", None) is not None]
    if named:
        return max(named, key=lambda s: (s.number, s.date)).approving_org.name
    if not resolve:
        return ""
    from dangjian.recruitment.services import approving_committee

    org = approving_committee(record)
    return org.name if org else ""


def _steps_prefetch() -> Prefetch:
    return Prefetch("steps", queryset=Step.objects.select_related("approving_org", "vote", "recorded_by").prefetch_related(
        "people", "documents", "overrides__approved_by", "overrides__approving_org").order_by("number", "date", "id"))  # fmt: skip


def _outcomes_prefetch() -> Prefetch:
    return Prefetch("outcomes", queryset=Outcome.objects.select_related(
        "approving_org", "meeting_vote", "committee_vote").prefetch_related(
        "overrides__approved_by", "overrides__approving_org"))  # fmt: skip


def _with_parts(qs: QuerySet[DevelopmentRecord]) -> QuerySet[DevelopmentRecord]:
    return qs.select_related("org").prefetch_related(_steps_prefetch(), _outcomes_prefetch(), "notices", "documents")


def record_in_scope(actor: User, record_id: int) -> DevelopmentRecord:
    """The record with everything its documents show; 404 outside the actor's scope (selectors.record_get)."""
    record = selectors.record_get(actor, record_id)
    return _with_parts(DevelopmentRecord.objects.filter(pk=record.pk)).get()


def records_for_list(actor: User, org: Org, kind: str, start: dt.date, end: dt.date) -> list[DevelopmentRecord]:
    """The records of ``org``'s subtree (in scope) whose step for ``kind`` (LIST_STEP) lies in the period,
    ordered by branch and that step's date."""
    n = LIST_STEP[kind]
    ids = (selectors.record_list(actor, org=org).filter(steps__number=n, steps__date__gte=start, steps__date__lte=end)
           .values_list("pk", flat=True))  # fmt: skip
    records = list(_with_parts(DevelopmentRecord.objects.filter(pk__in=list(ids))))
    records.sort(key=lambda r: (r.org.path, min((s.date for s in r.steps.all() if s.number == n), default=start), r.pk))
    return records


def dossier(record: DevelopmentRecord, *, today: dt.date, generated_by: str = "", id_number: str | None = None,
            resolve_committee: bool = True) -> Dossier:
    """The Dossier of a record loaded by ``record_in_scope`` or ``records_for_list``. Lists pass
    ``resolve_committee=False``: their columns never show the committee, and looking it up for a record
    that names none costs queries per person."""
    steps_ = list(record.steps.all())
    return dossier_from(
        record, steps=[(s, list(s.people.all()), getattr(s, "vote", None), list(s.documents.all()), list(s.overrides.all()))
                       for s in steps_],
        notices=sorted(record.notices.all(), key=lambda n: (n.start, n.pk)), outcomes=list(record.outcomes.all()),
        files=sorted(record.documents.all(), key=lambda f: f.pk), committee=committee_name(record, steps_, resolve=resolve_committee),
        id_number=id_number, generated_on=today, generated_by=generated_by,
    )  # fmt: skip


# --- docx primitives ---------------------------------------------------------------------------------------------


def _set_fonts(rpr_parent: Any, name: str) -> None:
    """All four rFonts attributes: Word picks Chinese glyphs from eastAsia, digits and Latin from ascii/hAnsi."""
    rpr = rpr_parent.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)


def _run(paragraph: Any, text: str, *, font: str = BODY_FONT, size: float = BODY_PT, bold: bool = False) -> Any:
    r = paragraph.add_run(text)
    r.font.size = Pt(size)
    r.font.bold = bold or None
    _set_fonts(r._element, font)
    return r


def _page_number_footer(section: Any) -> None:
    p = section.footer.paragraphs[0] if section.footer.paragraphs else section.footer.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(p, "— ", font=PAGE_NUMBER_FONT, size=PAGE_NUMBER_PT)
    r = _run(p, "", font=PAGE_NUMBER_FONT, size=PAGE_NUMBER_PT)
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = " PAGE "
    sep = OxmlElement("w:fldChar")
    sep.set(qn("w:fldCharType"), "separate")
    shown = OxmlElement("w:t")
    shown.text = "1"
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    for el in (begin, instr, sep, shown, end):
        r._element.append(el)
    _run(p, " —", font=PAGE_NUMBER_FONT, size=PAGE_NUMBER_PT)


def new_document(*, title: str, author: str = "", landscape: bool = False) -> DocxDocument:
    """An empty A4 document with the official margins, fonts and page numbers."""
    doc = new_docx()
    sec = doc.sections[0]
    if landscape:
        sec.orientation = WD_ORIENT.LANDSCAPE
        sec.page_width, sec.page_height = Mm(PAGE_HEIGHT_MM), Mm(PAGE_WIDTH_MM)
    else:
        sec.orientation = WD_ORIENT.PORTRAIT
        sec.page_width, sec.page_height = Mm(PAGE_WIDTH_MM), Mm(PAGE_HEIGHT_MM)
    sec.top_margin, sec.bottom_margin = Mm(MARGIN_TOP_MM), Mm(MARGIN_BOTTOM_MM)
    sec.left_margin, sec.right_margin = Mm(MARGIN_LEFT_MM), Mm(MARGIN_RIGHT_MM)
    sec.header_distance, sec.footer_distance = Mm(15), Mm(20)
    normal = doc.styles["Normal"]
    normal.font.size = Pt(BODY_PT)
    _set_fonts(normal.element, BODY_FONT)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    normal.element.get_or_add_rPr().append(lang)
    _page_number_footer(sec)
    doc.core_properties.title = title
    doc.core_properties.author = author
    doc.core_properties.language = "zh-CN"
    return doc


def _title(doc: DocxDocument, text: str) -> None:
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.space_after = Pt(BODY_LINE_PT)
    _run(p, text, font=TITLE_FONT, size=TITLE_PT)


def _para(doc: DocxDocument, text: str = "", *, indent: bool = True, align: Any = None, font: str = BODY_FONT,
          size: float = BODY_PT, bold: bool = False) -> Any:
    p = doc.add_paragraph()
    fmt = p.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(BODY_LINE_PT)
    fmt.space_after = Pt(0)
    if indent:
        fmt.first_line_indent = Pt(size * 2)  # 首行缩进二字
    if align is not None:
        p.alignment = align
    if text:
        _run(p, text, font=font, size=size, bold=bold)
    return p


def _heading(doc: DocxDocument, text: str) -> None:
    _para(doc, text, font=HEADING_FONT)


def _signature(doc: DocxDocument, org: str, date: dt.date) -> None:
    """The issuing organization and the date, right-aligned below the body."""
    _para(doc)
    _para(doc, org, indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)
    _para(doc, cn_date(date), indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)


def _cell(cell: Any, text: str, *, bold: bool = False, align: Any = WD_ALIGN_PARAGRAPH.CENTER) -> None:
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    p = cell.paragraphs[0]
    p.alignment = align
    p.paragraph_format.space_after = Pt(0)
    p.paragraph_format.first_line_indent = Pt(0)
    p.paragraph_format.line_spacing = 1.0
    lines = str(text).split("\n")
    for i, line in enumerate(lines):
        if i:
            p = cell.add_paragraph()
            p.alignment = align
            p.paragraph_format.space_after = Pt(0)
        _run(p, line, font=TABLE_FONT, size=TABLE_PT, bold=bold)


def _grid(doc: DocxDocument, header: Sequence[str], rows: Iterable[Sequence[str]], widths_mm: Sequence[float] | None = None) -> Table:
    table = doc.add_table(rows=1, cols=len(header))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for c, h in enumerate(header):
        _cell(table.rows[0].cells[c], h, bold=True)
    _repeat_header(table)
    for row in rows:
        cells = table.add_row().cells
        for c, v in enumerate(row):
            _cell(cells[c], v)
    if widths_mm:
        for row_ in table.rows:
            for c, w in enumerate(widths_mm):
                row_.cells[c].width = Mm(w)
    return table


def _repeat_header(table: Table) -> None:
    trpr = table.rows[0]._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    trpr.append(el)


def _form(doc: DocxDocument, pairs: Sequence[tuple[str, str]], *, cols: int = 2) -> Table:
    """A form table: label | value pairs, ``cols`` pairs a row; a pair whose label ends with "*" spans
    the whole row (long texts)."""
    table = doc.add_table(rows=0, cols=cols * 2)
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    i = 0
    row: Any = None
    for label, value in pairs:
        wide = label.endswith("*")
        label = label.rstrip("*")
        if wide or row is None or i == cols:
            row, i = table.add_row(), 0
        if wide:
            if i:
                row, i = table.add_row(), 0
            _cell(row.cells[0], label, bold=True)
            merged = row.cells[1].merge(row.cells[cols * 2 - 1])
            _cell(merged, value, align=WD_ALIGN_PARAGRAPH.LEFT)
            i = cols
            continue
        _cell(row.cells[i * 2], label, bold=True)
        _cell(row.cells[i * 2 + 1], value)
        i += 1
    return table


def _save(doc: DocxDocument, out: str | IO[bytes]) -> None:
    doc.save(out)


# --- column sets (shared by the .docx lists and the .xlsx) ------------------------------------------------------------

Column = tuple[str, Callable[[Dossier], str], float]  # header, value, width (mm in docx; ×0.5 chars in xlsx)


def _vote_cell(d: Dossier, n: int) -> str:
    s = d.step(n)
    return s.vote.short if s and s.vote else ""


def _age_at(d: Dossier, n: int) -> str:
    on = d.date_of(n)
    age = d.person.age(on)
    return f"{d.person.birth_cn}\n（{age}岁）" if age is not None else d.person.birth_cn


BASE_COLUMNS: list[Column] = [
    ("姓名", lambda d: d.person.name, 16),
    ("性别", lambda d: d.person.sex, 10),
    ("出生年月", lambda d: d.person.birth_cn, 20),
    ("民族", lambda d: d.person.ethnicity, 12),
    ("学历", lambda d: d.person.education, 18),
    ("工作单位及职务", lambda d: d.person.unit_and_job, 30),
]
ID_COLUMN: Column = ("公民身份号码", lambda d: d.person.id_number, 36)
BRANCH_COLUMN: Column = ("所在党支部", lambda d: d.branch, 30)

LIST_COLUMNS: dict[str, list[Column]] = {
    ACTIVIST_FILING: [*BASE_COLUMNS, ID_COLUMN, BRANCH_COLUMN,
                      ("申请入党日期", lambda d: d.date_cn(S.APPLICATION), 22),
                      ("确定为入党积极分子日期", lambda d: d.date_cn(S.ACTIVIST), 22),
                      ("推荐方式", lambda d: d.detail(S.ACTIVIST, "nominated_by"), 18),
                      ("培养联系人", lambda d: d.names(S.MENTORS, S.MENTOR), 20),
                      ("备案日期", lambda d: d.date_cn(S.ACTIVIST_FILING), 22)],
    CANDIDATE_FILING: [*BASE_COLUMNS, ID_COLUMN, BRANCH_COLUMN,
                       ("申请入党日期", lambda d: d.date_cn(S.APPLICATION), 22),
                       ("确定为入党积极分子日期", lambda d: d.date_cn(S.ACTIVIST), 22),
                       ("培养考察次数", lambda d: str(len(d.steps_of(S.ACTIVIST_TRAINING))), 12),
                       ("确定为发展对象日期", lambda d: d.date_cn(S.CANDIDATE), 22),
                       ("公示情况", lambda d: (lambda n: f"{n.period_cn}，{n.result}" if n else "")(d.notice("candidate")), 36),
                       ("备案（同意）日期", lambda d: d.date_cn(S.CANDIDATE_FILING), 22)],
    PRE_REVIEW: [*BASE_COLUMNS,
                 ("申请入党日期", lambda d: d.date_cn(S.APPLICATION), 22),
                 ("确定为入党积极分子日期", lambda d: d.date_cn(S.ACTIVIST), 22),
                 ("确定为发展对象日期", lambda d: d.date_cn(S.CANDIDATE), 22),
                 ("入党介绍人", lambda d: d.names(S.SPONSORS, S.SPONSOR), 20),
                 ("政治审查结论", lambda d: d.review, 24),
                 ("集中培训情况", lambda d: d.training, 30),
                 ("支委会审查日期", lambda d: d.date_cn(S.COMMITTEE_REVIEW), 22)],
    ADMISSION_APPROVAL: [("姓名", lambda d: d.person.name, 16), ("性别", lambda d: d.person.sex, 10),
                         ("出生年月（年龄）", lambda d: _age_at(d, S.ADMISSION_MEETING), 22),
                         *BASE_COLUMNS[3:], ID_COLUMN, BRANCH_COLUMN,
                         ("申请入党日期", lambda d: d.date_cn(S.APPLICATION), 22),
                         ("确定为发展对象日期", lambda d: d.date_cn(S.CANDIDATE), 22),
                         ("入党介绍人", lambda d: d.names(S.SPONSORS, S.SPONSOR), 20),
                         ("预审日期", lambda d: d.date_cn(S.PRE_REVIEW), 22),
                         ("支部党员大会日期", lambda d: d.date_cn(S.ADMISSION_MEETING), 22),
                         ("表决情况", lambda d: _vote_cell(d, S.ADMISSION_MEETING), 40),
                         ("审批日期", lambda d: d.date_cn(S.ADMISSION_APPROVAL), 22),
                         ("审批意见", lambda d: d.detail(S.ADMISSION_APPROVAL, "approval_result"), 14)],
    CONVERSION_APPROVAL: [("姓名", lambda d: d.person.name, 16), ("性别", lambda d: d.person.sex, 10),
                          ("出生年月（年龄）", lambda d: _age_at(d, S.CONVERSION_MEETING), 22),
                          *BASE_COLUMNS[3:], ID_COLUMN, BRANCH_COLUMN,
                          ("接收为预备党员日期", lambda d: d.date_cn(S.ADMISSION_MEETING), 22),
                          ("批准日期", lambda d: d.date_cn(S.ADMISSION_APPROVAL), 22),
                          ("预备期满日期", lambda d: cn_date(d.probation_ends_on), 22),
                          ("延长预备期", lambda d: "；".join(f"{o.months}个月（{o.approved_cn}批准）" for o in d.extensions), 22),
                          ("转正申请日期", lambda d: d.date_cn(S.CONVERSION_APPLICATION), 22),
                          ("支部党员大会日期", lambda d: d.date_cn(S.CONVERSION_MEETING), 22),
                          ("表决情况", lambda d: _vote_cell(d, S.CONVERSION_MEETING), 40),
                          ("审批日期", lambda d: d.date_cn(S.CONVERSION_APPROVAL), 22),
                          ("审批意见", lambda d: d.detail(S.CONVERSION_APPROVAL, "approval_result"), 14)],
}  # fmt: skip


def list_title(kind: str, org: str, start: dt.date, end: dt.date) -> str:
    return f"{org}{LIST_TITLES[kind]}（{cn_date(start)}至{cn_date(end)}）"


# --- layout: the per-person forms --------------------------------------------------------------------------------------


def _person_pairs(d: Dossier, *, with_id: bool = True) -> list[tuple[str, str]]:
    p = d.person
    pairs = [("姓名", p.name), ("性别", p.sex), ("出生年月", p.birth_cn), ("民族", p.ethnicity), ("学历", p.education),
             ("人员类别", p.occupation)]  # fmt: skip
    if with_id:
        pairs.append(("公民身份号码*", p.id_number))
    pairs += [("工作单位及职务*", p.unit_and_job), ("所在党支部*", d.branch)]
    return pairs


def write_filing(d: Dossier, kind: str, out: str | IO[bytes]) -> None:
    """入党积极分子备案表 / 发展对象备案表 of one person, filed with the higher committee."""
    title = FORM_TITLES[kind]
    doc = new_document(title=f"{title}（{d.person.name}）", author=d.branch)
    _title(doc, title)
    pairs = _person_pairs(d)
    pairs += [("申请入党日期", d.date_cn(S.APPLICATION)), ("党组织谈话日期", d.date_cn(S.TALK)),
              ("确定为入党积极分子日期", d.date_cn(S.ACTIVIST)), ("推荐方式", d.detail(S.ACTIVIST, "nominated_by")),
              ("培养联系人*", d.names(S.MENTORS, S.MENTOR))]  # fmt: skip
    if kind == CANDIDATE_FILING:
        assessments = d.steps_of(S.ACTIVIST_TRAINING)
        pairs += [("培养教育考察*", "；".join(f"{s.date_cn}：{s.raw.get('assessment', '')}" for s in assessments)
                   or "（无记录）"),
                  ("确定为发展对象日期", d.date_cn(S.CANDIDATE))]  # fmt: skip
        notice = d.notice("candidate")
        if notice:
            pairs.append(("公示情况*", f"{notice.place}，{notice.period_cn}，{notice.result}"))
        filing = d.step(S.CANDIDATE_FILING)
    else:
        filing = d.step(S.ACTIVIST_FILING)
    if kind == ACTIVIST_FILING:
        opinion = f"经{d.detail(S.ACTIVIST, 'decided_by') or '党支部'}研究，同意确定为入党积极分子。"
    else:
        opinion = d.detail(S.CANDIDATE, "committee_opinion") or "经党支部委员会研究，同意列为发展对象。"
    pairs.append(("党支部意见*", f"{opinion}\n{d.branch}（盖章）\n{cn_date(d.date_of(LIST_STEP[kind]))}"))
    if filing is not None:
        number = filing.raw.get("filing_number") or ""
        agreed = filing.raw.get("agreed_on")
        text = f"已备案{f'（{number}）' if number else ''}。"
        if agreed:
            text = f"同意（{_detail_text('agreed_on', agreed)}）。{text}"
        pairs.append(("上级党委意见*", f"{text}\n{filing.approving_org or d.committee}（盖章）\n{filing.date_cn}"))
    else:
        pairs.append(("上级党委意见*", f"\n{d.committee}（盖章）\n年  月  日"))
    _form(doc, pairs)
    _save(doc, out)


def write_notice(d: Dossier, notice: NoticeData, out: str | IO[bytes]) -> None:
    """公示 of one person (activist, development target, admission or conversion), issued by the branch
    on the notice's first day."""
    p = d.person
    title = NOTICE_TITLES[notice.kind].format(name=p.name)
    doc = new_document(title=title, author=d.branch)
    _title(doc, title)
    _para(doc, "党员、群众：", indent=False)
    _para(doc, NOTICE_LEADS[notice.kind].format(name=p.name) + "现将有关情况公示如下：")
    bio = f"{p.name}，{p.sex}，{p.ethnicity}，{p.birth_cn}出生，{p.education}学历"
    bio += f"，{p.unit_and_job}" if p.unit_and_job else ""
    facts = [f"{d.date_cn(S.APPLICATION)}递交入党申请书"] if d.date_of(S.APPLICATION) else []
    if d.date_of(S.ACTIVIST):
        facts.append(f"{d.date_cn(S.ACTIVIST)}被确定为入党积极分子")
    if notice.kind in ("admission", "conversion") and d.date_of(S.CANDIDATE):
        facts.append(f"{d.date_cn(S.CANDIDATE)}被列为发展对象")
    if notice.kind == "conversion" and d.date_of(S.ADMISSION_MEETING):
        facts.append(f"{d.date_cn(S.ADMISSION_MEETING)}经党支部党员大会讨论接收为中共预备党员"
                     f"{f'，预备期至{cn_date(d.probation_ends_on)}' if d.probation_ends_on else ''}")
    _para(doc, f"{bio}。" + ("，".join(facts) + "。" if facts else ""))
    _para(doc, f"公示时间：{notice.period_cn}。")
    _para(doc, f"公示范围：{notice.place}。")
    where = "、".join(x for x in (d.branch, d.committee) if x)
    text = (f"公示期间，党员和群众可通过来信、来电、来访等方式，向{where}反映情况和问题。反映问题要实事求是，"
            "以个人名义反映的应签署真实姓名，以单位名义反映的应加盖公章。")
    _para(doc, text)
    if d.branch_contact:
        _para(doc, f"{d.branch_contact}。")
    _signature(doc, d.branch, notice.start)
    _save(doc, out)


def write_pre_review(dossiers: Sequence[Dossier], branch: str, committee: str, issued_on: dt.date,
                     out: str | IO[bytes]) -> None:
    """预审请示 from the branch to the approving committee, listing the development targets with their
    key dates: application, activist, development target, political review, training."""
    first = dossiers[0].person.name if dossiers else ""
    count = f"等{len(dossiers)}名同志" if len(dossiers) > 1 else "同志"
    title = f"关于对{first}{count}进行发展党员预审的请示"
    doc = new_document(title=title, author=branch, landscape=True)  # 13 columns
    _title(doc, title)
    _para(doc, f"{committee}：", indent=False)
    _para(doc, f"经党支部委员会审查，{first}{count}已经过一年以上培养教育和考察，确定为发展对象后经过政治审查和集中培训，"
               "基本具备党员条件，拟提交党支部党员大会讨论接收为中共预备党员。现将有关情况报告如下，请予预审。")  # fmt: skip
    cols = LIST_COLUMNS[PRE_REVIEW]
    _grid(doc, ["序号"] + [c[0] for c in cols], ([str(i)] + [c[1](d) for c in cols] for i, d in enumerate(dossiers, 1)),
          [10] + [c[2] for c in cols])  # fmt: skip
    _para(doc, "妥否，请批示。")
    _signature(doc, branch, issued_on)
    _save(doc, out)


def write_approval(d: Dossier, kind: str, out: str | IO[bytes]) -> None:
    """接收预备党员审批表 / 预备党员转正审批表 of one person, for the committee meeting."""
    title = FORM_TITLES[kind]
    doc = new_document(title=f"{title}（{d.person.name}）", author=d.committee)
    _title(doc, title)
    pairs = _person_pairs(d)
    if kind == ADMISSION_APPROVAL:
        meeting, approval = S.ADMISSION_MEETING, S.ADMISSION_APPROVAL
        pairs += [("申请入党日期", d.date_cn(S.APPLICATION)), ("确定为入党积极分子日期", d.date_cn(S.ACTIVIST)),
                  ("确定为发展对象日期", d.date_cn(S.CANDIDATE)), ("入党介绍人", d.names(S.SPONSORS, S.SPONSOR)),
                  ("政治审查*", d.review), ("集中培训*", d.training),
                  ("上级党委预审*", f"{d.detail(S.PRE_REVIEW, 'pre_review_result')}（{d.date_cn(S.PRE_REVIEW)}）"
                   if d.step(S.PRE_REVIEW) else ""),
                  ("入党志愿书编号", d.detail(S.APPLICATION_FORM, "form_number")),
                  ("谈话人", d.names(S.APPROVAL_TALK, S.TALKER))]  # fmt: skip
    else:
        meeting, approval = S.CONVERSION_MEETING, S.CONVERSION_APPROVAL
        pairs += [("接收为预备党员日期", d.date_cn(S.ADMISSION_MEETING)), ("批准日期", d.date_cn(S.ADMISSION_APPROVAL)),
                  ("预备期满日期", cn_date(d.probation_ends_on)), ("转正申请日期", d.date_cn(S.CONVERSION_APPLICATION)),
                  ("延长预备期*", "；".join(f"延长{o.months}个月（{o.approved_cn}批准）：{o.reason}" for o in d.extensions)
                   or "无")]  # fmt: skip
    m = d.step(meeting)
    pairs.append(("支部党员大会*", f"{m.date_cn}召开。{m.vote.summary if m.vote else ''}" if m else "（尚未召开）"))
    a = d.step(approval)
    if a is not None:
        text = f"{d.detail(approval, 'approval_result') or '批准'}。{a.vote.summary if a.vote else ''}"
        pairs.append(("上级党委审批意见*", f"{text}\n{a.approving_org or d.committee}（盖章）\n{a.date_cn}"))
    else:
        pairs.append(("上级党委审批意见*", f"\n{d.committee}（盖章）\n年  月  日"))
    _form(doc, pairs)
    _save(doc, out)


# --- layout: lists --------------------------------------------------------------------------------------------------


def write_list_docx(kind: str, dossiers: Sequence[Dossier], org: str, start: dt.date, end: dt.date,
                    out: str | IO[bytes], *, issued_on: dt.date) -> None:
    """A list for a branch or township over a period (landscape: the lists are wide)."""
    title = list_title(kind, org, start, end)
    doc = new_document(title=title, author=org, landscape=True)
    _title(doc, title)
    cols = LIST_COLUMNS[kind]
    _grid(doc, ["序号"] + [c[0] for c in cols], ([str(i)] + [c[1](d) for c in cols] for i, d in enumerate(dossiers, 1)))
    _para(doc, f"共{len(dossiers)}人。", indent=False)
    _signature(doc, org, issued_on)
    _save(doc, out)


def write_list_xlsx(kind: str, dossiers: Sequence[Dossier], org: str, start: dt.date, end: dt.date,
                    out: str | IO[bytes]) -> None:
    """The same list as a spreadsheet (one row per person, masked ID numbers unless revealed)."""
    cols = LIST_COLUMNS[kind]
    wb = xlsxwriter.Workbook(out, {"in_memory": True})
    ws = wb.add_worksheet(LIST_TITLES[kind][:31])
    base = {"font_name": TABLE_FONT, "font_size": 11, "valign": "vcenter"}
    title_f = wb.add_format({**base, "font_name": TITLE_FONT, "font_size": 18, "align": "center"})
    head = wb.add_format({**base, "bold": True, "align": "center", "border": 1, "text_wrap": True})
    cell = wb.add_format({**base, "border": 1, "text_wrap": True})
    last = len(cols)
    ws.merge_range(0, 0, 0, last, list_title(kind, org, start, end), title_f)
    ws.set_row(0, 36)
    ws.write_string(1, 0, "序号", head)
    ws.set_column(0, 0, 5)
    for c, (h, _, width) in enumerate(cols, 1):
        ws.write_string(1, c, h, head)
        ws.set_column(c, c, max(width * 0.55, 6))
    for r, d in enumerate(dossiers, 2):
        ws.write_number(r, 0, r - 1, cell)
        for c, (_, value, _) in enumerate(cols, 1):
            ws.write_string(r, c, value(d).replace("\n", ""), cell)
    ws.freeze_panes(2, 2)
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.set_margins(left=MARGIN_LEFT_MM / 25.4, right=MARGIN_RIGHT_MM / 25.4, top=MARGIN_TOP_MM / 25.4,
                   bottom=MARGIN_BOTTOM_MM / 25.4)
    ws.repeat_rows(1)
    ws.fit_to_pages(1, 0)
    ws.set_footer("&C— &P —")
    wb.set_properties({"title": list_title(kind, org, start, end), "author": org})
    wb.close()


# --- layout: the full record (全程纪实) ---------------------------------------------------------------------------------


def _vote_rows(v: VoteData) -> list[tuple[str, str]]:
    rows = [("会议", f"{v.kind}（{v.meeting_date_cn}）"), ("应到会有表决权的党员", f"{v.should_attend_total}人")]
    for e in v.exclusions:
        ok = e.approved_by_higher and e.approved_by_meeting
        rows.append(("不计入应到人数", f"{e.name or '（未填姓名）'}：{e.category}"
                                        f"（{'经上级党组织和党员大会同意' if ok else '未经同意，仍计入'}）"))
    rows += [("应到人数（扣除经批准不计入的）", f"{v.expected}人"), ("实到会有表决权的党员", f"{v.present}人"),
             ("书面意见", f"{v.written_opinions}份"), ("赞成", f"{v.yes}票"), ("反对", f"{v.no}票"), ("弃权", f"{v.abstain}票"),
             ("到会人数超过半数", yes_no(v.quorum_met)), ("赞成票超过应到人数半数（通过）", yes_no(v.passed))]  # fmt: skip
    return rows


def step_rows(s: StepData) -> list[tuple[str, str]]:
    """The lines of one step in the full record (shared by the .docx and the HTML page)."""
    rows = [("日期", s.date_cn), ("适用细则", s.rules_version)]
    if s.approving_org:
        rows.append(("上级党委", s.approving_org))
    if s.people:
        rows.append(("责任人", s.people_text))
    rows += list(s.details)
    if s.outcome:
        rows.append(("结果", s.outcome))
    if s.vote:
        rows += _vote_rows(s.vote)
    for o in s.overrides:
        rows.append(("特殊情况处理", f"{o.rule}：{o.message}　理由：{o.reason}（{o.approving_org} {o.approved_by}，{o.at_cn}）"))
    for f in s.files:
        rows.append(("材料", f"{f.kind}：{f.name}"))
    if s.notes:
        rows.append(("备注", s.notes))
    if s.recorded_by:
        rows.append(("录入人", s.recorded_by))
    return rows


def notice_rows(n: NoticeData) -> list[tuple[str, str]]:
    rows = [("公示期", n.period_cn), ("公示地点（范围）", n.place), ("公示结果", n.result)]
    if n.objection_count or n.objections:
        rows.append(("反映的问题", f"{n.objection_count}件：{n.objections}"))
    if n.handling:
        rows.append(("核查处理情况", n.handling))
    return rows


def outcome_rows(o: OutcomeData) -> list[tuple[str, str]]:
    rows = [("党员大会讨论日期", o.date_cn), ("原因", o.reason)]
    if o.months:
        rows.append(("延长月数", f"{o.months}个月"))
    if o.approved_on or o.approving_org:
        rows.append(("上级党委批准", f"{o.approving_org} {o.approved_cn}"))
    for v in (o.meeting_vote, o.committee_vote):
        if v:
            rows += _vote_rows(v)
    for x in o.overrides:
        rows.append(("特殊情况处理", f"{x.rule}：{x.message}　理由：{x.reason}（{x.approving_org} {x.approved_by}，{x.at_cn}）"))
    return rows


CN_NUMERALS = "一二三四五六七八九十"


@dataclass(frozen=True)
class Section:
    """A part of the full record: its heading and its items, each (subtitle, rows, step number or None)."""

    heading: str
    items: tuple[tuple[str, tuple[tuple[str, str], ...], int | None], ...]


def full_record_outline(d: Dossier) -> list[Section]:
    """The full record after the person's basic facts, in order: one section per stage with its steps,
    then the notices, the outcomes. The .docx and the HTML page both lay out exactly this."""
    raw: list[tuple[str, list[tuple[str, tuple[tuple[str, str], ...], int | None]]]] = []
    for k, label, steps_ in d.stages:
        if steps_:
            raw.append((f"第{'一二三四五'[k - 1]}阶段：{label}",
                        [(f"第{s.number}步　{s.label}", tuple(step_rows(s)), s.number) for s in steps_]))  # fmt: skip
    if d.notices:
        raw.append(("公示", [(n.kind_label, tuple(notice_rows(n)), None) for n in d.notices]))
    if d.outcomes:
        raw.append(("终止、延长预备期或取消预备党员资格", [(o.kind, tuple(outcome_rows(o)), None) for o in d.outcomes]))
    # 一、 is the basic facts; the sections follow from 二、.
    return [Section(f"{CN_NUMERALS[i + 1]}、{title}", tuple(items)) for i, (title, items) in enumerate(raw)]


FILES_HEADER = ("序号", "材料类别", "文件名", "步骤", "上传日期")


def file_rows(d: Dossier) -> list[tuple[str, str, str, str, str]]:
    return [(str(i), f.kind, f.name, f.step_label, f.uploaded_cn) for i, f in enumerate(d.files, 1)]


def write_full_record(d: Dossier, out: str | IO[bytes]) -> None:
    """全程纪实 of one person: every step in stage order with its date, responsible people, outcome,
    vote, notices, rule version, overrides and documents."""
    p = d.person
    title = f"{p.name}同志发展党员全程纪实"
    doc = new_document(title=title, author=d.branch)
    _title(doc, title)
    _heading(doc, "一、基本情况")
    _form(doc, [*_person_pairs(d), ("目前状态", p.status), ("所处阶段", p.stage)])
    outline = full_record_outline(d)
    for section in outline:
        _heading(doc, section.heading)
        for subtitle, rows, _ in section.items:
            _para(doc, subtitle, indent=False, bold=True)
            _grid(doc, ["项目", "内容"], rows, [45, 111])
    _heading(doc, f"{CN_NUMERALS[len(outline) + 1]}、材料目录")
    _grid(doc, FILES_HEADER, file_rows(d) or [("", "（无）", "", "", "")], [12, 30, 64, 20, 30])
    _para(doc)
    _para(doc, f"{d.branch}　　{cn_date(d.generated_on)}生成{f'（{d.generated_by}）' if d.generated_by else ''}",
          indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT, size=TABLE_PT)  # fmt: skip
    _save(doc, out)


