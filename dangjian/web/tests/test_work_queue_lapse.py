"""The six-month alarms in the work queue: from the records, lost-contact members left to R5.5."""

import datetime as dt

from dangjian.dues import rules as dues_rules
from dangjian.members import rules as member_rules
from dangjian.members.services import member_add_event
from dangjian.orglife.services import AttendanceIn, MeetingFields, meeting_record
from dangjian.web.selectors import work_queue

TODAY = dt.date(2026, 11, 20)


def lapse(items):
    return {i.member.name: i for i in items if i.kind == "lapse"}


def test_members_without_organizational_life_for_six_months_are_flagged(tree):
    items = lapse(work_queue(tree.users["county_admin"], TODAY))
    # Nothing recorded since they joined in 2010: both members are past six months.
    assert items["李明"].group == f"lapse:{dues_rules.LAPSE_FLAG}"
    assert items["李明"].severity == "danger"
    assert "未参加党的组织生活" in items["李明"].title
    assert set(items) == {"李明", "王芳"}


def test_attending_last_month_clears_the_alarm_and_scope_applies(tree):
    admin = tree.users["county_admin"]
    meeting_record(
        actor=admin, org=tree.village_a1, today=TODAY,
        fields=MeetingFields(kind="theme_day", date=dt.date(2026, 10, 15), topic="主题党日"),
        attendance=[AttendanceIn(member=tree.member_a1, status="present")],
    )
    assert "李明" not in lapse(work_queue(admin, TODAY))
    # The 甲镇 organizer never sees 乙镇's 王芳, alarm or not.
    assert "王芳" not in lapse(work_queue(tree.users["township_organizer"], TODAY))


def test_lost_contact_members_are_left_to_their_own_rule(tree):
    admin = tree.users["county_admin"]
    member_add_event(actor=admin, member=tree.member_b1, kind=member_rules.LOST_CONTACT, date=dt.date(2026, 5, 25),
                     today=TODAY)
    items = work_queue(admin, TODAY)
    assert "王芳" not in lapse(items)
    assert any(i.kind == "lost_contact" and i.member.name == "王芳" for i in items)
