"""Writes of organizational life. Every service validates everything first and raises ServiceError
(field → Chinese messages) before touching the database; then it writes in one transaction together
with its audit event. Messages are the module constants below (the tests import them).

Who may attend: a member on the roster of the meeting's branch on the meeting date (from the
membership events, so a member who has since moved still counts where they were), or a member who
was a mobile member (流动党员) on that date, recorded as a guest at the organization where they are
(R5.4: the attendance counts for them). Anyone else is refused.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.files.base import File
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.accounts.selectors import require_writer, scope_for
from dangjian.common.audit import audit_record, diff
from dangjian.common.errors import ConflictError, FieldErrors, NotPermitted, ServiceError
from dangjian.common.scope import subtree_upper_bound
from dangjian.common.uploads import upload_facts
from dangjian.members import rules as member_rules
from dangjian.members.models import Member
from dangjian.orglife import params, rules
from dangjian.orglife.models import (
    Attendance,
    CommitteePost,
    Meeting,
    MeetingFile,
    TrainingAttendance,
    TrainingSession,
)
from dangjian.orglife.selectors import RosterState, roster_states
from dangjian.orgs import rules as org_rules
from dangjian.orgs.models import Org, OrgType

KIND_INVALID = "“{value}”不是有效的会议类型。"
ORG_CANNOT_HOLD = "“{type}”不能召开会议。"
GROUP_ONLY = "党小组只能召开党小组会。"
GROUP_PARENT = "党小组的上级不是党支部（含党总支、基层党委），无法确定参会党员。"
FUTURE_DATE = "日期不能晚于今天（{today}）。"
DATE_REQUIRED = "请填写日期。"
BEFORE_ESTABLISHED = "日期（{date}）早于党组织成立日期（{established}）。"
AFTER_DISSOLVED = "党组织已于{dissolved}撤销，不能记录此后的活动。"
TOPIC_REQUIRED = "请填写会议主题。"
HOURS_RANGE = "{label}应在0至24之间，最多一位小数。"
STUDY_NEEDS_HOURS = "计入学习学时的会议，请填写时长或学时。"
STATUS_INVALID = "“{name}”的出席情况“{value}”无效。"
NOT_BRANCH_MEMBER = "“{name}”在{date}不是“{branch}”的党员，也不是流动党员，不能登记。"
NOT_ACTIVE = "“{name}”在{date}不是正式党员或预备党员，不能登记。"
GUEST_PRESENT_ONLY = "“{name}”是在本党组织参加活动的流动党员，只能登记为出席。"
MOBILE_AWAY_NOT_MOBILE = "“{name}”在{date}不是流动党员，不能登记为“外出流动”。"
DUPLICATE_ATTENDEE = "“{name}”重复登记。"
NOBODY_PRESENT = "请登记出席情况：至少要有一名党员出席。"
GRADE_INVALID = "“{name}”的评议等次“{value}”无效：只能是优秀、合格、基本合格、不合格。"
GRADE_NOT_APPRAISAL = "只有民主评议党员才能登记评议等次。"
GRADE_NOT_ATTENDEE = "“{name}”不在本次民主评议的名单中，不能评定等次。"
NO_GRADES = "没有要登记的评议等次。"
TITLE_REQUIRED = "请填写培训名称。"
END_BEFORE_START = "结束日期不能早于开始日期。"
TRAINING_NO_HOURS = "请填写培训天数、半天数或学习时长（按学时计算规则折算后应大于0）。"
TRAINING_RANGE = "{label}超出合理范围。"
NO_ATTENDEES = "请至少登记一名参训党员。"
POST_INVALID = "“{value}”不是有效的支委职务。"
POST_OPEN = "“{name}”已担任“{org}”的{post}，请先登记离任。"
POST_ENDED = "该任职已于{date}登记离任。"
POST_END_BEFORE = "离任日期不能早于任职日期（{date}）。"
POST_NOT_MEMBER = "“{name}”在{date}不是“{org}”或其下级党组织的党员。"
FILE_PURPOSE_INVALID = "文件类别无效。"

ORG_TYPE_LABELS = dict(OrgType.choices)
HOLDS_MEETINGS = org_rules.HOLDS_MEMBERS | {org_rules.PARTY_GROUP}
MAX_HOURS = Decimal("24")


@dataclass(frozen=True)
class AttendanceIn:
    """One line of the attendance checklist. ``grade`` only for 民主评议党员."""

    member: Member
    status: str
    note: str = ""
    grade: str = ""


@dataclass(frozen=True)
class UploadIn:
    file: File
    purpose: str  # rules.PHOTO or rules.ATTACHMENT


@dataclass
class MeetingFields:
    kind: str
    date: dt.date
    topic: str
    place: str = ""
    host: str = ""
    recorder: str = ""
    group_name: str = ""
    agenda: str = ""
    minutes: str = ""
    decisions: str = ""
    counts_as_study: bool = False
    duration_hours: Decimal | None = None
    recorded_hours: Decimal | None = None

    PLAIN = ("kind", "date", "topic", "place", "host", "recorder", "group_name", "agenda", "minutes", "decisions",
             "counts_as_study", "duration_hours", "recorded_hours")  # fmt: skip

    def values(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.PLAIN}




# --- shared checks ----------------------------------------------------------------------------------------


def _check_writable(actor: User, org: Org) -> None:
    require_writer(actor)
    if not scope_for(actor).contains_path(org.path):
        raise NotPermitted


def _county_of(org: Org) -> Org | None:
    return org if org.org_type == OrgType.COUNTY_COMMITTEE else org.county


def _check_date(errors: FieldErrors, org: Org, date: dt.date | None, today: dt.date, field: str = "date") -> None:
    if date is None:
        return
    if date > today:
        errors.add(field, FUTURE_DATE.format(today=today.isoformat()))
    elif date < org.established_on:
        errors.add(field, BEFORE_ESTABLISHED.format(date=date.isoformat(), established=org.established_on.isoformat()))
    elif org.dissolved_on is not None and date > org.dissolved_on:
        errors.add(field, AFTER_DISSOLVED.format(dissolved=org.dissolved_on.isoformat()))


def _hours(errors: FieldErrors, value: Any, field: str, label: str, *, maximum: Decimal = MAX_HOURS) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        d = Decimal(str(value))
    except InvalidOperation:
        errors.add(field, HOURS_RANGE.format(label=label))
        return None
    if not d.is_finite() or d < 0 or d > maximum or d != d.quantize(Decimal("0.1")):
        errors.add(field, (HOURS_RANGE if maximum == MAX_HOURS else TRAINING_RANGE).format(label=label))
        return None
    return d


def _in_subtree(path: str | None, org: Org) -> bool:
    return path is not None and org.path <= path < subtree_upper_bound(org.path)


def _check_people(errors: FieldErrors, members: Sequence[Member], *, org: Org, date: dt.date,
                  field: str) -> dict[int, bool]:
    """Every person must be an active member of ``org``'s subtree on ``date``, or a mobile member
    attending as a guest. Returns member id → is_guest."""
    states = roster_states([m.pk for m in members], date)
    guests: dict[int, bool] = {}
    seen: set[int] = set()
    for m in members:
        if m.pk in seen:
            errors.add(field, DUPLICATE_ATTENDEE.format(name=m.name))
            continue
        seen.add(m.pk)
        st = states.get(m.pk, RosterState(None, None, False))
        if st.status not in member_rules.ACTIVE:
            if _in_subtree(st.org_path, org) or st.mobile:
                errors.add(field, NOT_ACTIVE.format(name=m.name, date=date.isoformat()))
            else:
                errors.add(field, NOT_BRANCH_MEMBER.format(name=m.name, date=date.isoformat(), branch=org.name))
            continue
        if _in_subtree(st.org_path, org):
            guests[m.pk] = False
        elif st.mobile:
            guests[m.pk] = True
        else:
            errors.add(field, NOT_BRANCH_MEMBER.format(name=m.name, date=date.isoformat(), branch=org.name))
    return guests


def _meeting_branch(errors: FieldErrors, org: Org, kind: str) -> Org:
    if org.org_type not in HOLDS_MEETINGS:
        errors.add("org", ORG_CANNOT_HOLD.format(type=ORG_TYPE_LABELS.get(org.org_type, org.org_type)))
        return org
    if org.org_type != org_rules.PARTY_GROUP:
        return org
    if kind and kind != rules.GROUP_MEETING:
        errors.add("kind", GROUP_ONLY)
    parent = Org.objects.get_parent(org)
    if parent is None or parent.org_type not in org_rules.HOLDS_MEMBERS:
        errors.add("org", GROUP_PARENT)
        return org
    return parent


def _inspect_upload(upload: UploadIn, max_mb: float) -> tuple[str | None, str]:
    """(error message or None, sniffed type) for one upload; reads only its head and zip directory."""
    if upload.purpose not in rules.FILE_PURPOSE_LABELS:
        return FILE_PURPOSE_INVALID, ""
    f = upload.file
    name, size, head, zip_names = upload_facts(f)
    message = rules.check_upload(name=name, size=size, head=head, zip_names=zip_names, purpose=upload.purpose,
                                 max_mb=max_mb)
    return message, rules.sniff_type(head, zip_names) or ""


def _check_uploads(errors: FieldErrors, uploads: Sequence[UploadIn]) -> list[str]:
    max_mb = params.value(params.FILE_MAX_MB)
    types = []
    for u in uploads:
        message, kind = _inspect_upload(u, max_mb)
        if message:
            errors.add("photos" if u.purpose == rules.PHOTO else "attachments", message)
        types.append(kind)
    return types


def _save_uploads(actor: User, meeting: Meeting, uploads: Sequence[UploadIn], types: list[str]) -> list[MeetingFile]:
    saved = []
    for u, kind in zip(uploads, types, strict=True):
        name = (u.file.name or "").rsplit("/", 1)[-1]
        mf = MeetingFile(
            meeting=meeting, county=meeting.county, purpose=u.purpose, original_name=name[:200],
            size=int(u.file.size or 0), file_type=kind, uploaded_by=actor,
        )  # fmt: skip
        mf.file.save(name, u.file, save=False)
        mf.save()
        saved.append(mf)
    return saved


# --- meetings -----------------------------------------------------------------------------------------


def _validate_meeting(
    actor: User, org: Org, f: MeetingFields, attendance: Sequence[AttendanceIn], uploads: Sequence[UploadIn],
    today: dt.date,
) -> tuple[Org, dict[int, bool], Decimal, list[str]]:
    errors = FieldErrors()
    if f.kind not in rules.KIND_LABELS:
        errors.add("kind", KIND_INVALID.format(value=f.kind))
    branch = _meeting_branch(errors, org, f.kind)
    if f.date is None:
        errors.add("date", DATE_REQUIRED)
    _check_date(errors, org, f.date, today)
    if not (f.topic or "").strip():
        errors.add("topic", TOPIC_REQUIRED)
    duration = _hours(errors, f.duration_hours, "duration_hours", "时长（小时）")
    recorded = _hours(errors, f.recorded_hours, "recorded_hours", "记录学时")
    if f.counts_as_study and duration is None and recorded is None and "duration_hours" not in errors:
        errors.add("duration_hours", STUDY_NEEDS_HOURS)
    c = params.crediting()
    credited = rules.meeting_class_hours(
        counts_as_study=f.counts_as_study, duration_hours=duration, recorded_hours=recorded,
        per_study_hour=c.per_study_hour, use_recorded=c.use_recorded,
    )  # fmt: skip
    for a in attendance:
        if a.status not in rules.ATTENDANCE_LABELS:
            errors.add("attendance", STATUS_INVALID.format(name=a.member.name, value=a.status))
        if a.grade:
            if f.kind != rules.APPRAISAL:
                errors.add("attendance", GRADE_NOT_APPRAISAL)
            elif rules.grade_code(a.grade) is None:
                errors.add("attendance", GRADE_INVALID.format(name=a.member.name, value=a.grade))
    if not any(a.status in rules.TOOK_PART for a in attendance):
        errors.add("attendance", NOBODY_PRESENT)
    guests: dict[int, bool] = {}
    if f.date is not None and "org" not in errors:
        guests = _check_people(errors, [a.member for a in attendance], org=branch, date=f.date, field="attendance")
        states = roster_states([a.member.pk for a in attendance if a.status == rules.MOBILE_AWAY], f.date)
        for a in attendance:
            if guests.get(a.member.pk) and a.status != rules.PRESENT:
                errors.add("attendance", GUEST_PRESENT_ONLY.format(name=a.member.name))
            if a.status == rules.MOBILE_AWAY and not states.get(a.member.pk, RosterState(None, None, False)).mobile:
                errors.add("attendance", MOBILE_AWAY_NOT_MOBILE.format(name=a.member.name, date=f.date.isoformat()))
    types = _check_uploads(errors, uploads)
    if errors:
        raise ServiceError(dict(errors))
    if f.duration_hours is not None:
        f.duration_hours = duration
    if f.recorded_hours is not None:
        f.recorded_hours = recorded
    return branch, guests, credited, types


def _attendance_summary(rows: Sequence[tuple[str, str, str]]) -> list[str]:
    """"姓名：出席情况（等次）" lines for the audit event, in name order."""
    return [f"{name}：{rules.ATTENDANCE_LABELS.get(status, status)}" + (f"（{rules.GRADE_LABELS[grade]}）" if grade else "")
            for name, status, grade in sorted(rows)]


def _write_attendance(meeting: Meeting, attendance: Sequence[AttendanceIn], guests: dict[int, bool],
                      keep_grades: dict[int, str]) -> None:
    Attendance.objects.bulk_create([
        Attendance(
            meeting=meeting, member=a.member, county=meeting.county, date=meeting.date, status=a.status,
            note=(a.note or "").strip()[:200], is_guest=guests.get(a.member.pk, False),
            grade=(rules.grade_code(a.grade) or "") if a.grade else keep_grades.get(a.member.pk, ""),
            class_hours=meeting.credited_hours if a.status in rules.TOOK_PART else Decimal("0"),
        )
        for a in attendance
    ])  # fmt: skip


@transaction.atomic
def meeting_record(
    *,
    actor: User,
    org: Org,
    fields: MeetingFields,
    attendance: Sequence[AttendanceIn],
    uploads: Sequence[UploadIn] = (),
    today: dt.date | None = None,
) -> Meeting:
    """Record a meeting held by ``org`` with its attendance (and any photos and attachments).
    Refused, with nothing written: a future date, a date outside the organization's life, a person
    who was neither on the branch's roster on that date nor a mobile member attending as a guest, a
    grade outside the four or on a meeting that is not 民主评议党员, a file of a forbidden type."""
    today = today or timezone.localdate()
    _check_writable(actor, org)
    branch, guests, credited, types = _validate_meeting(actor, org, fields, attendance, uploads, today)
    meeting = Meeting(
        org=org, branch=branch, county=_county_of(org), credited_hours=credited, recorded_by=actor,
        **{k: v for k, v in fields.values().items()},
    )  # fmt: skip
    meeting.topic = meeting.topic.strip()
    meeting.save()
    _write_attendance(meeting, attendance, guests, {})
    files = _save_uploads(actor, meeting, uploads, types)
    audit_record(
        actor=actor, action="orglife.meeting.create", org=org, target=meeting,
        changes={
            **diff({}, {k: v for k, v in fields.values().items() if v not in ("", None, False)}),
            "credited_hours": [None, str(credited)],
            "attendance": [None, _attendance_summary(
                [(a.member.name, a.status, rules.grade_code(a.grade) or "") for a in attendance])],
            **({"files": [None, [f.original_name for f in files]]} if files else {}),
        },
    )  # fmt: skip
    return meeting


@transaction.atomic
def meeting_update(
    *,
    actor: User,
    meeting: Meeting,
    version: int,
    fields: MeetingFields,
    attendance: Sequence[AttendanceIn],
    uploads: Sequence[UploadIn] = (),
    today: dt.date | None = None,
) -> Meeting:
    """Edit a meeting and replace its attendance list. Grades already recorded stay with the members
    still on the list (while the meeting remains a 民主评议党员). ``version`` is the one the user
    loaded: if someone saved since, ConflictError and nothing is written."""
    today = today or timezone.localdate()
    org = meeting.org
    _check_writable(actor, org)
    branch, guests, credited, types = _validate_meeting(actor, org, fields, attendance, uploads, today)
    if not Meeting.objects.filter(pk=meeting.pk, version=version).update(version=F("version") + 1):
        raise ConflictError
    old = {k: getattr(meeting, k) for k in MeetingFields.PLAIN}
    old_rows = list(meeting.attendance.select_related("member").values_list("member__name", "status", "grade", "member_id"))
    keep = {mid: g for _, _, g, mid in old_rows if g} if fields.kind == rules.APPRAISAL else {}
    for k, v in fields.values().items():
        setattr(meeting, k, v)
    meeting.topic = meeting.topic.strip()
    meeting.branch = branch
    meeting.credited_hours = credited
    meeting.version = version + 1
    meeting.save()
    meeting.attendance.all().delete()
    _write_attendance(meeting, attendance, guests, keep)
    files = _save_uploads(actor, meeting, uploads, types)
    new_rows = [(a.member.name, a.status, (rules.grade_code(a.grade) or "") if a.grade else keep.get(a.member.pk, ""))
                for a in attendance]
    changes: dict[str, Any] = diff(old, fields.values())
    old_summary = _attendance_summary([(n, s, g) for n, s, g, _ in old_rows])
    new_summary = _attendance_summary(new_rows)
    if old_summary != new_summary:
        changes["attendance"] = [old_summary, new_summary]
    if files:
        changes["files"] = [None, [f.original_name for f in files]]
    audit_record(actor=actor, action="orglife.meeting.update", org=org, target=meeting, changes=changes)
    return meeting


@transaction.atomic
def meeting_file_add(*, actor: User, meeting: Meeting, uploads: Sequence[UploadIn]) -> list[MeetingFile]:
    """Add photos or attachments to a meeting (images; pdf, docx, xlsx; within the size limit)."""
    _check_writable(actor, meeting.org)
    errors = FieldErrors()
    types = _check_uploads(errors, uploads)
    if errors:
        raise ServiceError(dict(errors))
    files = _save_uploads(actor, meeting, uploads, types)
    audit_record(actor=actor, action="orglife.meeting.files", org=meeting.org, target=meeting,
                 changes={"files": [None, [f.original_name for f in files]]})
    return files


@transaction.atomic
def appraisal_grades_record(*, actor: User, meeting: Meeting, grades: Mapping[int, str]) -> Meeting:
    """民主评议党员: record each member's grade (优秀 / 合格 / 基本合格 / 不合格, §3.10), given as codes or
    Chinese names, for members on the meeting's list; an empty value clears a grade."""
    _check_writable(actor, meeting.org)
    errors = FieldErrors()
    if meeting.kind != rules.APPRAISAL:
        raise ServiceError(GRADE_NOT_APPRAISAL, "grades")
    rows = {a.member_id: a for a in meeting.attendance.select_related("member")}
    if not grades:
        errors.add("grades", NO_GRADES)
    codes: dict[int, str] = {}
    for member_id, value in grades.items():
        row = rows.get(member_id)
        if row is None:
            name = Member.objects.filter(pk=member_id).values_list("name", flat=True).first() or str(member_id)
            errors.add("grades", GRADE_NOT_ATTENDEE.format(name=name))
            continue
        if (value or "").strip() == "":
            codes[member_id] = ""
            continue
        code = rules.grade_code(value)
        if code is None:
            errors.add("grades", GRADE_INVALID.format(name=row.member.name, value=value))
            continue
        codes[member_id] = code
    if errors:
        raise ServiceError(dict(errors))
    changes: dict[str, Any] = {}
    for member_id, code in codes.items():
        row = rows[member_id]
        if row.grade != code:
            changes[row.member.name] = [rules.GRADE_LABELS.get(row.grade, ""), rules.GRADE_LABELS.get(code, "")]
            row.grade = code
            row.save(update_fields=["grade"])
    Meeting.objects.filter(pk=meeting.pk).update(version=F("version") + 1)
    meeting.refresh_from_db(fields=["version"])
    audit_record(actor=actor, action="orglife.appraisal.grades", org=meeting.org, target=meeting, changes=changes)
    return meeting


# --- training ------------------------------------------------------------------------------------------

TRAINING_KINDS = dict(TrainingSession.KIND_CHOICES)


@transaction.atomic
def training_record(
    *,
    actor: User,
    org: Org,
    title: str,
    date: dt.date,
    end_date: dt.date | None = None,
    kind: str = "training",
    days: Decimal | int | str | None = 0,
    half_days: int | None = 0,
    hours: Decimal | int | str | None = 0,
    place: str = "",
    organizer: str = "",
    note: str = "",
    attendees: Sequence[Member],
    today: dt.date | None = None,
) -> TrainingSession:
    """Record a training session (集中培训 / 学习) held by ``org`` and credit its class hours to each
    attendee by the crediting rule (R5.1: whole days, half days, hours of study). Attendees are
    members of ``org``'s subtree on the first day, or mobile members attending as guests."""
    today = today or timezone.localdate()
    _check_writable(actor, org)
    errors = FieldErrors()
    if not (title or "").strip():
        errors.add("title", TITLE_REQUIRED)
    if kind not in TRAINING_KINDS:
        errors.add("kind", KIND_INVALID.format(value=kind))
    end_date = end_date or date
    _check_date(errors, org, date, today)
    if end_date < date:
        errors.add("end_date", END_BEFORE_START)
    elif end_date > today:
        errors.add("end_date", FUTURE_DATE.format(today=today.isoformat()))
    d = _hours(errors, days or 0, "days", "整天数", maximum=Decimal("366")) or Decimal(0)
    h = _hours(errors, hours or 0, "hours", "学习时长", maximum=Decimal("2000")) or Decimal(0)
    half = int(half_days or 0)
    if not 0 <= half <= 732:
        errors.add("half_days", TRAINING_RANGE.format(label="半天数"))
    c = params.crediting()
    credited = rules.training_class_hours(days=d, half_days=half, hours=h, hours_per_day=c.hours_per_day,
                                          hours_per_half_day=c.hours_per_half_day, per_study_hour=c.per_study_hour)
    if credited <= 0 and not ({"days", "hours", "half_days"} & set(errors)):
        errors.add("days", TRAINING_NO_HOURS)
    if not attendees:
        errors.add("attendees", NO_ATTENDEES)
    elif date <= today:
        _check_people(errors, attendees, org=org, date=date, field="attendees")
    if errors:
        raise ServiceError(dict(errors))
    session = TrainingSession.objects.create(
        org=org, county=_county_of(org), kind=kind, title=title.strip(), date=date, end_date=end_date,
        place=place, organizer=organizer, days=d, half_days=half, hours=h, credited_hours=credited, note=note,
        recorded_by=actor,
    )  # fmt: skip
    TrainingAttendance.objects.bulk_create([
        TrainingAttendance(session=session, member=m, county=session.county, date=date, class_hours=credited)
        for m in attendees
    ])  # fmt: skip
    audit_record(
        actor=actor, action="orglife.training.create", org=org, target=session,
        changes={"title": [None, session.title], "date": [None, str(date)], "end_date": [None, str(end_date)],
                 "credited_hours": [None, str(credited)], "attendees": [None, sorted(m.name for m in attendees)]},
    )  # fmt: skip
    return session


# --- committee posts ---------------------------------------------------------------------------------


@transaction.atomic
def committee_post_add(*, actor: User, org: Org, member: Member, post: str, started_on: dt.date,
                       today: dt.date | None = None) -> CommitteePost:
    """Record that ``member`` took a post on ``org``'s committee (书记, 委员...): from that year on
    they have the 56-hour target (R5.1) while they hold it."""
    today = today or timezone.localdate()
    _check_writable(actor, org)
    errors = FieldErrors()
    if post not in rules.POST_LABELS:
        errors.add("post", POST_INVALID.format(value=post))
    _check_date(errors, org, started_on, today, "started_on")
    if "started_on" not in errors:
        st = roster_states([member.pk], started_on).get(member.pk)
        if st is None or st.status not in member_rules.ACTIVE or not _in_subtree(st.org_path, org):
            errors.add("member", POST_NOT_MEMBER.format(name=member.name, date=started_on.isoformat(), org=org.name))
    if post in rules.POST_LABELS and CommitteePost.objects.filter(org=org, member=member, post=post,
                                                                  ended_on__isnull=True).exists():
        errors.add("post", POST_OPEN.format(name=member.name, org=org.name, post=rules.POST_LABELS[post]))
    if errors:
        raise ServiceError(dict(errors))
    cp = CommitteePost.objects.create(org=org, member=member, county=_county_of(org), post=post,
                                      started_on=started_on, recorded_by=actor)
    audit_record(actor=actor, action="orglife.committee_post.add", org=org, target=cp,
                 changes={"member": [None, member.name], "post": [None, rules.POST_LABELS[post]],
                          "started_on": [None, str(started_on)]})  # fmt: skip
    return cp


@transaction.atomic
def committee_post_end(*, actor: User, post: CommitteePost, ended_on: dt.date,
                       today: dt.date | None = None) -> CommitteePost:
    today = today or timezone.localdate()
    _check_writable(actor, post.org)
    errors = FieldErrors()
    if post.ended_on is not None:
        errors.add("ended_on", POST_ENDED.format(date=post.ended_on.isoformat()))
    elif ended_on > today:
        errors.add("ended_on", FUTURE_DATE.format(today=today.isoformat()))
    elif ended_on < post.started_on:
        errors.add("ended_on", POST_END_BEFORE.format(date=post.started_on.isoformat()))
    if errors:
        raise ServiceError(dict(errors))
    post.ended_on = ended_on
    post.save(update_fields=["ended_on"])
    audit_record(actor=actor, action="orglife.committee_post.end", org=post.org, target=post,
                 changes={"member": post.member.name, "ended_on": [None, str(ended_on)]})
    return post
