"""Writes: meetings with attendance, grades, files, training, committee posts. Bad input is refused
with its Chinese message and nothing written (audit rows included)."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dangjian.common.errors import ConflictError, NotPermitted
from dangjian.common.models import AuditEvent
from dangjian.members import rules as member_rules
from dangjian.members.services import member_add_event
from dangjian.orglife import params, rules, services
from dangjian.orglife.models import Attendance, CommitteePost, Meeting, MeetingFile, TrainingAttendance
from dangjian.orglife.services import AttendanceIn, MeetingFields, UploadIn
from dangjian.orglife.tests.conftest import TODAY, assert_rejected, new_member, record, row_counts, set_param
from dangjian.testing import make_member, make_org

pytestmark = pytest.mark.django_db
D = dt.date
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"


def docx() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return buf.getvalue()


def upload(name: str, data: bytes, purpose: str = rules.ATTACHMENT) -> UploadIn:
    return UploadIn(SimpleUploadedFile(name, data), purpose)


LAST_OF_MARCH = D(2026, 3, 31)


def fields(kind=rules.GENERAL_MEETING, date=LAST_OF_MARCH, **kw) -> MeetingFields:
    kw.setdefault("topic", "学习党的二十届四中全会精神")
    return MeetingFields(kind=kind, date=date, **kw)


def go_mobile(member, date):
    member_add_event(actor=None, member=member, kind=member_rules.WENT_MOBILE, date=date)
    member.refresh_from_db()


# --- recording a meeting ------------------------------------------------------------------------------


def test_record_meeting_with_attendance_writes_meeting_rows_and_one_audit_event(tree):
    second = make_member(tree.village_a1, name="赵强")
    third = make_member(tree.village_a1, name="孙丽", sex="2")
    before = AuditEvent.objects.count()
    m = services.meeting_record(
        actor=tree.users["branch_secretary"], org=tree.village_a1,
        fields=fields(counts_as_study=True, duration_hours=Decimal("2.5"), place="村党群服务中心", host="李明"),
        attendance=[AttendanceIn(tree.member_a1, rules.PRESENT), AttendanceIn(second, rules.LEAVE, "外出务工，已请假"),
                    AttendanceIn(third, rules.ABSENT)],
        today=TODAY,
    )  # fmt: skip
    assert m.branch == tree.village_a1 and m.county == tree.county
    assert m.credited_hours == Decimal("2.5")
    rows = {a.member_id: a for a in Attendance.objects.filter(meeting=m)}
    assert rows[tree.member_a1.pk].status == rules.PRESENT and rows[tree.member_a1.pk].class_hours == Decimal("2.5")
    assert rows[second.pk].class_hours == 0 and rows[second.pk].note == "外出务工，已请假"
    assert rows[third.pk].status == rules.ABSENT and not any(r.is_guest for r in rows.values())
    assert all(r.date == m.date and r.county == tree.county for r in rows.values())
    events = AuditEvent.objects.filter(action="orglife.meeting.create")
    assert AuditEvent.objects.count() == before + 1 and events.get().target_id == str(m.pk)
    assert "李明：出席" in events.get().changes["attendance"][1]


def test_recorded_class_hours_follow_the_crediting_setting(tree):
    m = record(tree, tree.village_a1, rules.PARTY_LECTURE, D(2026, 5, 1), present=[tree.member_a1],
               counts_as_study=True, duration_hours=Decimal("1.5"), recorded_hours=Decimal(3))
    assert m.credited_hours == 3
    set_param(params.USE_RECORDED_HOURS, False)
    set_param(params.HOURS_PER_STUDY_HOUR, 2)
    m2 = record(tree, tree.village_a1, rules.PARTY_LECTURE, D(2026, 6, 1), present=[tree.member_a1],
                counts_as_study=True, duration_hours=Decimal("1.5"), recorded_hours=Decimal(3))
    assert m2.credited_hours == 3  # 1.5 hours × 2
    # A meeting already recorded keeps the hours of the rule in force when it was recorded.
    m.refresh_from_db()
    assert m.credited_hours == 3


def test_meeting_dated_in_the_future_is_refused(tree):
    assert_rejected(lambda: record(tree, tree.village_a1, rules.THEME_DAY, TODAY + dt.timedelta(days=1), present=[tree.member_a1]),
             services.FUTURE_DATE.format(today=TODAY.isoformat()))


def test_meeting_before_the_branch_existed_is_refused(tree):
    young = make_org(tree.town_a, "中共甲镇新村支部委员会", "branch", established_on=D(2026, 6, 1))
    member = new_member(young, "钱进", D(2026, 6, 1))
    assert_rejected(lambda: record(tree, young, rules.THEME_DAY, D(2026, 5, 20), present=[member]),
             services.BEFORE_ESTABLISHED.format(date="2026-05-20", established="2026-06-01"))


def test_attendance_of_a_person_not_in_the_branch_is_refused(tree):
    outsider = tree.member_b1  # 乙镇一村, not mobile
    msg = services.NOT_BRANCH_MEMBER.format(name=outsider.name, date="2026-03-31", branch=tree.village_a1.name)
    assert_rejected(lambda: record(tree, tree.village_a1, rules.GENERAL_MEETING, D(2026, 3, 31),
                            present=[tree.member_a1, outsider]), msg)


def test_roster_is_the_one_on_the_meeting_date(tree):
    later = new_member(tree.village_a1, "周新", D(2026, 5, 1))
    assert_rejected(lambda: record(tree, tree.village_a1, rules.THEME_DAY, D(2026, 4, 20), present=[tree.member_a1, later]),
             services.NOT_BRANCH_MEMBER.format(name="周新", date="2026-04-20", branch=tree.village_a1.name))
    record(tree, tree.village_a1, rules.THEME_DAY, D(2026, 5, 20), present=[tree.member_a1, later])
    # A member who has since transferred away still counts where they were on the day.
    member_add_event(actor=None, member=later, kind=member_rules.TRANSFER, date=D(2026, 6, 1), to_org=tree.village_a2)
    later.refresh_from_db()
    record(tree, tree.village_a1, rules.THEME_DAY, D(2026, 5, 25), present=[tree.member_a1, later])
    assert_rejected(lambda: record(tree, tree.village_a1, rules.THEME_DAY, D(2026, 6, 25), present=[tree.member_a1, later]),
             services.NOT_BRANCH_MEMBER.format(name="周新", date="2026-06-25", branch=tree.village_a1.name))


def test_mobile_member_attends_elsewhere_as_a_guest(tree):
    guest = tree.member_b1
    go_mobile(guest, D(2026, 2, 1))
    m = record(tree, tree.village_a1, rules.THEME_DAY, D(2026, 3, 5), present=[tree.member_a1, guest])
    row = Attendance.objects.get(meeting=m, member=guest)
    assert row.is_guest and row.status == rules.PRESENT
    assert not Attendance.objects.get(meeting=m, member=tree.member_a1).is_guest
    # Only as present; and only while mobile.
    assert_rejected(lambda: record(tree, tree.village_a1, rules.THEME_DAY, D(2026, 3, 6), present=[tree.member_a1],
                            absent={guest: rules.LEAVE}),
             services.GUEST_PRESENT_ONLY.format(name=guest.name))
    assert_rejected(lambda: record(tree, tree.village_a1, rules.THEME_DAY, D(2026, 1, 20), present=[tree.member_a1, guest]),
             services.NOT_BRANCH_MEMBER.format(name=guest.name, date="2026-01-20", branch=tree.village_a1.name))


def test_away_as_mobile_member_needs_a_mobile_member(tree):
    stay = make_member(tree.village_a1, name="吴敏")
    assert_rejected(lambda: record(tree, tree.village_a1, rules.THEME_DAY, D(2026, 3, 5), present=[tree.member_a1],
                            absent={stay: rules.MOBILE_AWAY}),
             services.MOBILE_AWAY_NOT_MOBILE.format(name="吴敏", date="2026-03-05"))
    go_mobile(stay, D(2026, 3, 1))
    m = record(tree, tree.village_a1, rules.THEME_DAY, D(2026, 3, 5), present=[tree.member_a1],
               absent={stay: rules.MOBILE_AWAY})
    assert Attendance.objects.get(meeting=m, member=stay).status == rules.MOBILE_AWAY


def test_other_bad_input_is_refused_with_nothing_written(tree):
    m1 = tree.member_a1
    assert_rejected(lambda: record(tree, tree.village_a1, "tea_party", D(2026, 3, 5), present=[m1]),
             services.KIND_INVALID.format(value="tea_party"))
    assert_rejected(lambda: record(tree, tree.village_a1, rules.THEME_DAY, D(2026, 3, 5), topic="  ", present=[m1]),
             services.TOPIC_REQUIRED)
    assert_rejected(lambda: record(tree, tree.village_a1, rules.THEME_DAY, D(2026, 3, 5), absent={m1: rules.ABSENT}),
             services.NOBODY_PRESENT)
    assert_rejected(lambda: record(tree, tree.village_a1, rules.THEME_DAY, D(2026, 3, 5), present=[m1],
                            absent={m1: rules.ABSENT}), services.DUPLICATE_ATTENDEE.format(name=m1.name))
    assert_rejected(lambda: record(tree, tree.village_a1, rules.THEME_DAY, D(2026, 3, 5), present=[m1], counts_as_study=True),
             services.STUDY_NEEDS_HOURS)
    assert_rejected(lambda: record(tree, tree.village_a1, rules.THEME_DAY, D(2026, 3, 5), present=[m1],
                            duration_hours=Decimal(25)), services.HOURS_RANGE.format(label="时长（小时）"))
    assert_rejected(lambda: services.meeting_record(actor=tree.users["county_admin"], org=tree.village_a1, fields=fields(),
                                             attendance=[AttendanceIn(m1, "late")], today=TODAY),
             services.STATUS_INVALID.format(name=m1.name, value="late"))
    assert_rejected(lambda: record(tree, tree.town_a, rules.THEME_DAY, D(2026, 3, 5), present=[m1]),
             services.ORG_CANNOT_HOLD.format(type="乡镇党委/街道党工委"))


def test_only_writers_in_scope_record(tree):
    f = fields()
    att = [AttendanceIn(tree.member_a1, rules.PRESENT)]
    before = row_counts()
    for role in ("inspector", "member"):
        with pytest.raises(NotPermitted):
            services.meeting_record(actor=tree.users[role], org=tree.village_a1, fields=f, attendance=att, today=TODAY)
    with pytest.raises(NotPermitted):  # 一村书记 at 乙镇一村
        services.meeting_record(actor=tree.users["branch_secretary"], org=tree.village_b1, fields=f,
                                attendance=[AttendanceIn(tree.member_b1, rules.PRESENT)], today=TODAY)
    assert row_counts() == before


def test_party_group_meeting_counts_for_its_branch(tree):
    group = make_org(tree.village_a1, "第一党小组", "party_group")
    m = record(tree, group, rules.GROUP_MEETING, D(2026, 4, 8), present=[tree.member_a1])
    assert m.org == group and m.branch == tree.village_a1
    assert_rejected(lambda: record(tree, group, rules.THEME_DAY, D(2026, 4, 8), present=[tree.member_a1]), services.GROUP_ONLY)


# --- editing ---------------------------------------------------------------------------------------------


def test_edit_replaces_attendance_and_checks_the_version(tree):
    second = make_member(tree.village_a1, name="赵强")
    m = record(tree, tree.village_a1, rules.THEME_DAY, D(2026, 3, 5), present=[tree.member_a1], absent={second: rules.ABSENT})
    admin = tree.users["county_admin"]
    services.meeting_update(
        actor=admin, meeting=m, version=1, fields=fields(rules.THEME_DAY, D(2026, 3, 5), topic="参观红色教育基地"),
        attendance=[AttendanceIn(tree.member_a1, rules.PRESENT), AttendanceIn(second, rules.PRESENT)], today=TODAY,
    )  # fmt: skip
    m.refresh_from_db()
    assert m.topic == "参观红色教育基地" and m.version == 2
    assert set(m.attendance.values_list("status", flat=True)) == {rules.PRESENT}
    audit = AuditEvent.objects.get(action="orglife.meeting.update")
    assert audit.changes["topic"][1] == "参观红色教育基地" and "attendance" in audit.changes
    before = row_counts()
    with pytest.raises(ConflictError):
        services.meeting_update(actor=admin, meeting=m, version=1, fields=fields(rules.THEME_DAY, D(2026, 3, 5)),
                                attendance=[AttendanceIn(tree.member_a1, rules.PRESENT)], today=TODAY)
    assert row_counts() == before and Meeting.objects.get(pk=m.pk).version == 2
    # A bad edit writes nothing either, not even the version.
    assert_rejected(lambda: services.meeting_update(actor=admin, meeting=m, version=2, fields=fields(rules.THEME_DAY, TODAY + dt.timedelta(days=3)),
                                             attendance=[AttendanceIn(tree.member_a1, rules.PRESENT)], today=TODAY),
             services.FUTURE_DATE.format(today=TODAY.isoformat()))  # fmt: skip
    assert Meeting.objects.get(pk=m.pk).version == 2


# --- appraisal grades (§3.10) -------------------------------------------------------------------------------


def test_appraisal_grades(tree):
    second = make_member(tree.village_a1, name="赵强")
    admin = tree.users["county_admin"]
    m = services.meeting_record(
        actor=admin, org=tree.village_a1, fields=fields(rules.APPRAISAL, D(2026, 1, 20)),
        attendance=[AttendanceIn(tree.member_a1, rules.PRESENT, grade="优秀"), AttendanceIn(second, rules.PRESENT)],
        today=TODAY,
    )  # fmt: skip
    assert Attendance.objects.get(meeting=m, member=tree.member_a1).grade == rules.EXCELLENT
    services.appraisal_grades_record(actor=admin, meeting=m, grades={second.pk: "basically_qualified"})
    assert Attendance.objects.get(meeting=m, member=second).grade == rules.BASICALLY_QUALIFIED
    assert AuditEvent.objects.filter(action="orglife.appraisal.grades").count() == 1
    # Grades survive an edit of the meeting.
    services.meeting_update(actor=admin, meeting=m, version=Meeting.objects.get(pk=m.pk).version,
                            fields=fields(rules.APPRAISAL, D(2026, 1, 20)),
                            attendance=[AttendanceIn(tree.member_a1, rules.PRESENT), AttendanceIn(second, rules.PRESENT)],
                            today=TODAY)  # fmt: skip
    assert dict(Attendance.objects.filter(meeting=m).values_list("member_id", "grade")) == {
        tree.member_a1.pk: rules.EXCELLENT, second.pk: rules.BASICALLY_QUALIFIED}


def test_grades_outside_the_four_are_refused(tree):
    admin = tree.users["county_admin"]
    m = record(tree, tree.village_a1, rules.APPRAISAL, D(2026, 1, 20), present=[tree.member_a1])
    assert_rejected(lambda: services.appraisal_grades_record(actor=admin, meeting=m, grades={tree.member_a1.pk: "良好"}),
             services.GRADE_INVALID.format(name=tree.member_a1.name, value="良好"))
    assert_rejected(lambda: services.appraisal_grades_record(actor=admin, meeting=m, grades={tree.member_b1.pk: "合格"}),
             services.GRADE_NOT_ATTENDEE.format(name=tree.member_b1.name))
    assert_rejected(lambda: services.meeting_record(
        actor=admin, org=tree.village_a1, fields=fields(rules.APPRAISAL, D(2026, 1, 21)),
        attendance=[AttendanceIn(tree.member_a1, rules.PRESENT, grade="A")], today=TODAY),
        services.GRADE_INVALID.format(name=tree.member_a1.name, value="A"))  # fmt: skip
    assert_rejected(lambda: services.meeting_record(
        actor=admin, org=tree.village_a1, fields=fields(rules.THEME_DAY, D(2026, 1, 21)),
        attendance=[AttendanceIn(tree.member_a1, rules.PRESENT, grade="优秀")], today=TODAY),
        services.GRADE_NOT_APPRAISAL)  # fmt: skip
    theme = record(tree, tree.village_a1, rules.THEME_DAY, D(2026, 1, 22), present=[tree.member_a1])
    assert_rejected(lambda: services.appraisal_grades_record(actor=admin, meeting=theme, grades={tree.member_a1.pk: "合格"}),
             services.GRADE_NOT_APPRAISAL)
    assert Attendance.objects.get(meeting=m).grade == ""


# --- photos and attachments ------------------------------------------------------------------------------


def test_allowed_files_are_stored_with_the_meeting(tree, settings):
    m = services.meeting_record(
        actor=tree.users["county_admin"], org=tree.village_a1, fields=fields(),
        attendance=[AttendanceIn(tree.member_a1, rules.PRESENT)],
        uploads=[upload("合影.png", PNG, rules.PHOTO), upload("记录.pdf", PDF), upload("方案.docx", docx())], today=TODAY,
    )  # fmt: skip
    files = list(MeetingFile.objects.filter(meeting=m).order_by("original_name"))
    assert [(f.original_name, f.file_type, f.purpose) for f in files] == [
        ("合影.png", "png", rules.PHOTO), ("方案.docx", "docx", rules.ATTACHMENT), ("记录.pdf", "pdf", rules.ATTACHMENT)]
    for f in files:
        assert (settings.MEDIA_ROOT / f.file.name).exists()
        assert f.original_name not in f.file.name  # stored under a random name


def test_file_of_a_forbidden_type_is_refused_with_nothing_written(tree, settings):
    def attempt(*uploads):
        return lambda: services.meeting_record(
            actor=tree.users["county_admin"], org=tree.village_a1, fields=fields(),
            attendance=[AttendanceIn(tree.member_a1, rules.PRESENT)], uploads=list(uploads), today=TODAY)

    assert_rejected(attempt(upload("合影.png", PNG, rules.PHOTO), upload("tool.exe", b"MZ" + b"\x00" * 40)),
             rules.FILE_TYPE_NOT_ALLOWED.format(name="tool.exe", purpose="附件",
                                                allowed="docx、gif、jpeg、jpg、pdf、png、webp、xlsx"))
    assert_rejected(attempt(upload("photo.jpg", b"MZ" + b"\x00" * 40, rules.PHOTO)),
             rules.FILE_CONTENT_MISMATCH.format(name="photo.jpg", ext="jpg"))
    assert_rejected(attempt(upload("记录.pdf", PDF, rules.PHOTO)))
    set_param(params.FILE_MAX_MB, 1)
    assert_rejected(attempt(upload("大图.png", PNG + b"\x00" * (1024 * 1024))), rules.FILE_TOO_LARGE.format(name="大图.png", limit=1))
    assert not (settings.MEDIA_ROOT / "orglife").exists() or not any((settings.MEDIA_ROOT / "orglife").rglob("*.*"))
    m = record(tree, tree.village_a1, rules.THEME_DAY, D(2026, 3, 5), present=[tree.member_a1])
    assert_rejected(lambda: services.meeting_file_add(actor=tree.users["county_admin"], meeting=m,
                                               uploads=[upload("x.xlsx", docx())]),
             rules.FILE_CONTENT_MISMATCH.format(name="x.xlsx", ext="xlsx"))


# --- training ----------------------------------------------------------------------------------------------


def test_training_credits_each_attendee(tree):
    second = make_member(tree.village_a1, name="赵强")
    s = services.training_record(
        actor=tree.users["township_organizer"], org=tree.town_a, title="全镇党员冬训", date=D(2026, 1, 10),
        end_date=D(2026, 1, 12), days=2, half_days=1, attendees=[tree.member_a1, second], today=TODAY,
    )  # fmt: skip
    assert s.credited_hours == Decimal(20) and s.county == tree.county
    assert list(TrainingAttendance.objects.filter(session=s).values_list("class_hours", flat=True)) == [20, 20]
    assert AuditEvent.objects.filter(action="orglife.training.create", target_id=str(s.pk)).exists()
    set_param(params.HOURS_PER_DAY, 6)
    s2 = services.training_record(actor=tree.users["township_organizer"], org=tree.town_a, title="专题学习",
                                  date=D(2026, 2, 1), days=1, hours=2, attendees=[second], today=TODAY)
    assert s2.credited_hours == Decimal(8)


def test_bad_training_is_refused(tree):
    organizer = tree.users["township_organizer"]

    def attempt(**kw):
        args = dict(actor=organizer, org=tree.town_a, title="冬训", date=D(2026, 1, 10), days=1,
                    attendees=[tree.member_a1], today=TODAY)
        args.update(kw)
        return lambda: services.training_record(**args)

    assert_rejected(attempt(date=TODAY + dt.timedelta(days=1)), services.FUTURE_DATE.format(today=TODAY.isoformat()))
    assert_rejected(attempt(end_date=D(2026, 1, 9)), services.END_BEFORE_START)
    assert_rejected(attempt(days=0), services.TRAINING_NO_HOURS)
    assert_rejected(attempt(attendees=[]), services.NO_ATTENDEES)
    assert_rejected(attempt(title=""), services.TITLE_REQUIRED)
    assert_rejected(attempt(attendees=[tree.member_b1]),
             services.NOT_BRANCH_MEMBER.format(name=tree.member_b1.name, date="2026-01-10", branch=tree.town_a.name))
    with pytest.raises(NotPermitted):
        attempt(org=tree.town_b)()


# --- committee posts -------------------------------------------------------------------------------------


def test_committee_posts(tree):
    sec = tree.users["branch_secretary"]
    post = services.committee_post_add(actor=sec, org=tree.village_a1, member=tree.member_a1,
                                       post=rules.POST_SECRETARY, started_on=D(2021, 1, 5), today=TODAY)
    assert post.county == tree.county
    assert_rejected(lambda: services.committee_post_add(actor=sec, org=tree.village_a1, member=tree.member_a1,
                                                 post=rules.POST_SECRETARY, started_on=D(2022, 1, 5), today=TODAY),
             services.POST_OPEN.format(name=tree.member_a1.name, org=tree.village_a1.name, post="书记"))
    assert_rejected(lambda: services.committee_post_add(actor=sec, org=tree.village_a1, member=tree.member_a1,
                                                 post="chairman", started_on=D(2022, 1, 5), today=TODAY),
             services.POST_INVALID.format(value="chairman"))
    outsider = make_member(tree.village_a2, name="郑华")
    assert_rejected(lambda: services.committee_post_add(actor=tree.users["county_admin"], org=tree.village_a1, member=outsider,
                                                 post=rules.POST_MEMBER, started_on=D(2022, 1, 5), today=TODAY),
             services.POST_NOT_MEMBER.format(name="郑华", date="2022-01-05", org=tree.village_a1.name))
    assert_rejected(lambda: services.committee_post_end(actor=sec, post=post, ended_on=D(2020, 1, 1), today=TODAY),
             services.POST_END_BEFORE.format(date="2021-01-05"))
    services.committee_post_end(actor=sec, post=post, ended_on=D(2025, 12, 31), today=TODAY)
    assert CommitteePost.objects.get(pk=post.pk).ended_on == D(2025, 12, 31)
    assert_rejected(lambda: services.committee_post_end(actor=sec, post=post, ended_on=D(2026, 1, 1), today=TODAY),
             services.POST_ENDED.format(date="2025-12-31"))
