"""JSON API routes of this app, mounted by dangjian.api.api under /api/orglife/.

Thin, like the rest of the API: reads through orglife.selectors and writes through orglife.services,
so scope (404 outside the caller's subtree), rules and audit are theirs. The error handlers of the
API object apply: 404, 422 with ``errors`` by field in Chinese, 409 on a stale version, 401.
Hours are numbers with one decimal.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from typing import Any, cast

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from pydantic import ConfigDict

from dangjian.accounts.models import User
from dangjian.accounts.selectors import scope_for
from dangjian.api.schemas import ErrorOut, OrgRef, Page, ValidationErrorOut
from dangjian.common.errors import ServiceError
from dangjian.members.models import Member
from dangjian.members.selectors import member_get, members_visible
from dangjian.orglife import params, rules, selectors, services
from dangjian.orglife.models import Attendance, Meeting
from dangjian.orgs.models import Org
from dangjian.orgs.selectors import org_get

router = Router()

READ_ERRORS: dict[int, Any] = {401: ErrorOut, 404: ErrorOut}
WRITE_ERRORS: dict[int, Any] = {**READ_ERRORS, 422: ValidationErrorOut}

ATTENDEE_WHO = "每一项须且只须给出 member_id（本范围内的党员）或 id_number（在本党组织参加活动的流动党员）之一。"
GUEST_NOT_FOUND = "未找到公民身份号码为“{number}”、会议当日在册的流动党员。"


class In(Schema):
    model_config = ConfigDict(extra="forbid")


class AttendanceIn(In):
    member_id: int | None = Field(None, description="本党支部（或其下级）的党员 id")
    id_number: str | None = Field(None, description="流动党员的完整公民身份号码（在本党组织参加活动，R5.4）")
    status: str = Field(description="present 出席；leave 请假；illness 病假；mobile_away 外出流动；absent 无故缺席")
    note: str = Field("", max_length=200, description="说明（缺席原因等）")
    grade: str = Field("", description="民主评议党员的等次：excellent/qualified/basically_qualified/unqualified 或 优秀/合格/基本合格/不合格")


class MeetingIn(In):
    kind: str = Field(description="general_meeting 支部党员大会；committee_meeting 支委会；group_meeting 党小组会；"
                                  "party_lecture 党课；theme_day 主题党日；review_meeting 组织生活会；appraisal 民主评议党员；"
                                  "heart_talk 谈心谈话")
    date: dt.date
    topic: str = Field(max_length=200)
    place: str = Field("", max_length=200)
    host: str = Field("", max_length=50)
    recorder: str = Field("", max_length=50)
    group_name: str = Field("", max_length=100)
    agenda: str = ""
    minutes: str = ""
    decisions: str = ""
    counts_as_study: bool = False
    duration_hours: float | None = Field(None, ge=0, le=24)
    recorded_hours: float | None = Field(None, ge=0, le=24, description="记录的学时；不填则按时长折算")
    attendance: list[AttendanceIn]


class AppraisalGradesIn(In):
    grades: dict[int, str] = Field(description="党员 id → 等次（代码或中文）；空字符串清除")


class AttendanceOut(Schema):
    member_id: int | None = Field(description="党员 id；不在您管理范围内的（外来流动党员）只给姓名")
    member_name: str
    is_guest: bool = Field(description="是否为在本党组织参加活动的流动党员")
    status: str
    status_label: str
    note: str
    grade: str
    grade_label: str
    class_hours: float


class MeetingOut(Schema):
    id: int
    org: OrgRef
    branch: OrgRef
    kind: str
    kind_label: str
    date: dt.date
    topic: str
    place: str
    host: str
    recorder: str
    group_name: str
    counts_as_study: bool
    credited_hours: float = Field(description="每位出席党员计入的学时")
    present: int
    attendees: int
    version: int


class MeetingFileOut(Schema):
    id: int
    purpose: str
    name: str
    size: int
    url: str


class MeetingDetail(MeetingOut):
    agenda: str
    minutes: str
    decisions: str
    duration_hours: float | None
    recorded_hours: float | None
    attendance: list[AttendanceOut]
    files: list[MeetingFileOut]


class MeetingPage(Page):
    items: list[MeetingOut]


class CompliancePeriodOut(Schema):
    label: str
    start: dt.date
    end: dt.date
    held: int
    required: int
    status: str = Field(description="done 已开展；due 待开展（本期未结束）；missed 未开展；na 不适用")
    status_label: str


class ComplianceKindOut(Schema):
    kind: str
    kind_label: str
    frequency_label: str
    periods: list[CompliancePeriodOut]


class ComplianceRankOut(Schema):
    org: OrgRef
    rank: int | None
    branches: int
    done: int
    due: int
    missed: int
    rate: float | None = Field(description="合规率（%）= 已开展 ÷（已开展 + 未开展）")
    band: str = Field(description="green / amber / red / none")
    band_label: str
    red: int


class ComplianceOut(Schema):
    org: OrgRef
    year: int
    total: ComplianceRankOut
    calendar: list[ComplianceKindOut] | None = Field(description="党支部的完成情况日历；上级党组织为 null")
    groups: list[ComplianceRankOut] = Field(description="下一级党组织（对县委即各乡镇）的合计，按合规率排名")
    branches: list[ComplianceRankOut] = Field(description="各党支部，按合规率排名")


class ClassHourItem(Schema):
    date: dt.date
    source: str = Field(description="meeting 会议；training 培训")
    title: str
    kind_label: str
    hours: float


class ClassHoursOut(Schema):
    member_id: int
    name: str
    year: int
    meeting_hours: float
    training_hours: float
    total: float
    target: float = Field(description="年度学时要求：党员32，书记和委员56（可设置）")
    shortfall: float
    is_committee: bool
    items: list[ClassHourItem]


# --- building answers -----------------------------------------------------------------------------------


def _actor(request: HttpRequest) -> User:
    return cast(User, request.auth)  # type: ignore[attr-defined]


def _ref(actor: User, org: Org) -> OrgRef:
    return OrgRef(id=org.pk if scope_for(actor).contains_path(org.path) else None, name=org.name)


def _hours(value: Any) -> float | None:
    return None if value is None else float(value)


def _meeting_fields(actor: User, m: Meeting, *, present: int, attendees: int) -> dict[str, Any]:
    return dict(
        id=m.pk, org=_ref(actor, m.org), branch=_ref(actor, m.branch), kind=m.kind,
        kind_label=rules.KIND_LABELS.get(m.kind, m.kind), date=m.date, topic=m.topic, place=m.place, host=m.host,
        recorder=m.recorder, group_name=m.group_name, counts_as_study=m.counts_as_study,
        credited_hours=float(m.credited_hours), present=present, attendees=attendees, version=m.version,
    )  # fmt: skip


def _attendance(actor: User, a: Attendance, visible: set[int]) -> AttendanceOut:
    return AttendanceOut(
        member_id=a.member_id if a.member_id in visible else None, member_name=a.member.name, is_guest=a.is_guest,
        status=a.status, status_label=rules.ATTENDANCE_LABELS.get(a.status, a.status), note=a.note, grade=a.grade,
        grade_label=rules.GRADE_LABELS.get(a.grade, ""), class_hours=float(a.class_hours),
    )  # fmt: skip


def _detail(actor: User, meeting: Meeting) -> MeetingDetail:
    meeting = selectors.meeting_get(actor, meeting.pk)
    rows = selectors.meeting_attendance(actor, meeting)
    visible = set(members_visible(actor).filter(pk__in=[a.member_id for a in rows]).values_list("pk", flat=True))
    present = sum(a.status in rules.TOOK_PART for a in rows)
    return MeetingDetail(
        **_meeting_fields(actor, meeting, present=present, attendees=len(rows)),
        agenda=meeting.agenda, minutes=meeting.minutes, decisions=meeting.decisions,
        duration_hours=_hours(meeting.duration_hours), recorded_hours=_hours(meeting.recorded_hours),
        attendance=[_attendance(actor, a, visible) for a in rows],
        files=[MeetingFileOut(id=f.pk, purpose=f.purpose, name=f.original_name, size=f.size, url=reverse("orglife:file", args=[f.pk]))
               for f in selectors.meeting_files(actor, meeting)],
    )  # fmt: skip


def _rank(actor: User, r: selectors.RankRow) -> ComplianceRankOut:
    return ComplianceRankOut(
        org=_ref(actor, r.org), rank=r.rank, branches=r.branches, done=r.tally.done, due=r.tally.due,
        missed=r.tally.missed, rate=_hours(r.rate), band=r.band, band_label=rules.BAND_LABELS[r.band], red=r.red,
    )  # fmt: skip


def _year(year: int | None) -> int:
    y = year or timezone.localdate().year
    if not 2000 <= y <= 2100:
        raise ServiceError("年度应在2000至2100之间。", "year")
    return y


def _decimal(value: float | None) -> Any:
    return None if value is None else Decimal(str(value))


def _resolve_attendance(actor: User, payload: MeetingIn) -> list[services.AttendanceIn]:
    out = []
    errors: list[str] = []
    for a in payload.attendance:
        if (a.member_id is None) == (a.id_number is None):
            errors.append(ATTENDEE_WHO)
            continue
        member: Member | None
        if a.member_id is not None:
            member = member_get(actor, a.member_id)
        else:
            member = selectors.mobile_member_by_id_number(actor, a.id_number or "", payload.date)
            if member is None:
                errors.append(GUEST_NOT_FOUND.format(number=a.id_number))
                continue
        out.append(services.AttendanceIn(member=member, status=a.status, note=a.note, grade=a.grade))
    if errors:
        raise ServiceError({"attendance": errors})
    return out


# --- meetings ---------------------------------------------------------------------------------------------


@router.get("/orgs/{org_id}/meetings", response={200: MeetingPage, **READ_ERRORS}, summary="会议记录")
def meetings_list(request: HttpRequest, org_id: int, year: int | None = None, kind: str = "", page: int = 1) -> dict[str, Any]:
    """该党组织及其下级召开的会议，按日期倒序。year：年度；kind：会议类型代码。"""
    actor = _actor(request)
    org = org_get(actor, org_id)
    qs = selectors.org_meetings(actor, org, year=year, kind=kind)
    size = settings.PAGE_SIZE
    count = qs.count()
    page = max(page, 1)
    items = qs[(page - 1) * size : page * size]
    return {
        "count": count, "page": page, "pages": max(math.ceil(count / size), 1), "page_size": size,
        "items": [MeetingOut(**_meeting_fields(actor, m, present=m.present, attendees=m.attendees))  # type: ignore[attr-defined]
                  for m in items],
    }  # fmt: skip


@router.post("/orgs/{org_id}/meetings", response={201: MeetingDetail, **WRITE_ERRORS}, summary="记录会议及出席情况")
def meeting_create(request: HttpRequest, org_id: int, payload: MeetingIn) -> Status[MeetingDetail]:
    """记录一次会议和每位党员的出席情况。日期不能晚于今天；只能登记会议当日本党支部（或其下级）的党员，
    或以公民身份号码登记在本党组织参加活动的流动党员；民主评议党员可同时登记等次。"""
    actor = _actor(request)
    org = org_get(actor, org_id)
    attendance = _resolve_attendance(actor, payload)
    fields = services.MeetingFields(
        kind=payload.kind, date=payload.date, topic=payload.topic, place=payload.place, host=payload.host,
        recorder=payload.recorder, group_name=payload.group_name, agenda=payload.agenda, minutes=payload.minutes,
        decisions=payload.decisions, counts_as_study=payload.counts_as_study,
        duration_hours=_decimal(payload.duration_hours), recorded_hours=_decimal(payload.recorded_hours),
    )  # fmt: skip
    meeting = services.meeting_record(actor=actor, org=org, fields=fields, attendance=attendance)
    return Status(201, _detail(actor, meeting))


@router.get("/meetings/{meeting_id}", response={200: MeetingDetail, **READ_ERRORS}, summary="会议详情")
def meeting_detail(request: HttpRequest, meeting_id: int) -> MeetingDetail:
    actor = _actor(request)
    return _detail(actor, selectors.meeting_get(actor, meeting_id))


@router.get("/meetings/{meeting_id}/attendance", response={200: list[AttendanceOut], **READ_ERRORS}, summary="出席情况")
def meeting_attendance(request: HttpRequest, meeting_id: int) -> list[AttendanceOut]:
    actor = _actor(request)
    return _detail(actor, selectors.meeting_get(actor, meeting_id)).attendance


@router.post("/meetings/{meeting_id}/grades", response={200: MeetingDetail, **WRITE_ERRORS}, summary="民主评议等次")
def meeting_grades(request: HttpRequest, meeting_id: int, payload: AppraisalGradesIn) -> MeetingDetail:
    """登记民主评议党员的等次：优秀、合格、基本合格、不合格（§3.10）。"""
    actor = _actor(request)
    meeting = selectors.meeting_get(actor, meeting_id)
    services.appraisal_grades_record(actor=actor, meeting=meeting, grades=payload.grades)
    return _detail(actor, meeting)


# --- compliance and class hours -----------------------------------------------------------------------------


@router.get("/orgs/{org_id}/compliance", response={200: ComplianceOut, **WRITE_ERRORS}, summary="组织生活完成情况")
def compliance(request: HttpRequest, org_id: int, year: int | None = None) -> ComplianceOut:
    """党支部：各类组织生活按期的完成情况（已开展/待开展/未开展）和合规率；上级党组织：下一级和各党支部
    的合规率排名及红黄绿。"""
    actor = _actor(request)
    org = org_get(actor, org_id)
    y = _year(year)
    today = timezone.localdate()
    ranking = selectors.compliance_ranking(actor, org, y, today)
    calendar = None
    if org.org_type in selectors.COMPLIANCE_TYPES:
        lecture = params.lecture_period_months()
        cal = selectors.branch_calendar(actor, org, y, today)
        calendar = [
            ComplianceKindOut(
                kind=k, kind_label=rules.KIND_LABELS[k],
                frequency_label=rules.frequency_label(rules.required_period_months(k, lecture_period_months=lecture)),
                periods=[CompliancePeriodOut(label=c.label, start=c.start, end=c.end, held=c.held, required=c.required,
                                   status=c.status, status_label=c.status_label) for c in cells],
            )
            for k, cells in cal.calendar.items()
        ]  # fmt: skip
    return ComplianceOut(
        org=_ref(actor, org), year=y, total=_rank(actor, ranking.total), calendar=calendar,
        groups=[_rank(actor, g) for g in ranking.groups], branches=[_rank(actor, b) for b in ranking.branches],
    )  # fmt: skip


@router.get("/members/{member_id}/class-hours", response={200: ClassHoursOut, **WRITE_ERRORS}, summary="党员学时")
def class_hours(request: HttpRequest, member_id: int, year: int | None = None) -> ClassHoursOut:
    """党员一年的学时：计入学习的会议和培训，合计与年度要求（党员32、书记和委员56学时）。"""
    actor = _actor(request)
    member = member_get(actor, member_id)
    h = selectors.member_class_hours(actor, member, _year(year))
    items = [ClassHourItem(date=a.date, source="meeting", title=a.meeting.topic,
                           kind_label=rules.KIND_LABELS.get(a.meeting.kind, ""), hours=float(a.class_hours))
             for a in h.meetings]  # fmt: skip
    items += [ClassHourItem(date=t.date, source="training", title=t.session.title,
                            kind_label=t.session.get_kind_display(), hours=float(t.class_hours))
              for t in h.trainings]  # fmt: skip
    items.sort(key=lambda i: i.date)
    return ClassHoursOut(
        member_id=member.pk, name=member.name, year=h.year, meeting_hours=float(h.meeting_hours),
        training_hours=float(h.training_hours), total=float(h.total), target=float(h.target),
        shortfall=float(h.shortfall), is_committee=h.is_committee, items=items,
    )  # fmt: skip
