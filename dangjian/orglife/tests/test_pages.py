"""The pages: they render for each role, write through the services, and answer 404 for anything
outside the user's subtree (another township's meetings, calendars, files, members)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from dangjian.common import crypto
from dangjian.members import rules as member_rules
from dangjian.members.services import member_add_event
from dangjian.orglife import rules, services
from dangjian.orglife.models import Attendance, Meeting, MeetingFile, TrainingAttendance
from dangjian.orglife.tests.conftest import record, row_counts
from dangjian.testing import make_member, make_org

pytestmark = pytest.mark.django_db
D = dt.date
LAST_YEAR = timezone.localdate().year - 1
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def past(month: int, day: int = 10) -> dt.date:
    return D(LAST_YEAR, month, day)


def real_record(tree, org, kind, date, **kw):
    return record(tree, org, kind, date, today=timezone.localdate(), **kw)


def meeting_post(**overrides):
    data = {
        "kind": rules.THEME_DAY, "date": past(3).isoformat(), "topic": "重温入党誓词", "place": "村党群服务中心",
        "host": "李明", "recorder": "", "group_name": "", "duration_hours": "2", "recorded_hours": "",
        "counts_as_study": "on", "agenda": "", "minutes": "", "decisions": "", "version": "",
    }  # fmt: skip
    data.update(overrides)
    return data


def test_landing_pages(tree, client_for):
    organizer = client_for("township_organizer")
    resp = organizer.get(reverse("orglife:home"))
    assert resp.status_code == 302 and resp["Location"] == reverse("orglife:org", args=[tree.town_a.pk])
    member = client_for("member")
    resp = member.get(reverse("orglife:home"))
    assert resp["Location"] == reverse("orglife:member", args=[tree.member_a1.pk])
    resp = member.get(resp["Location"])
    assert resp.status_code == 200 and 'data-testid="orglife-me"' in resp.content.decode()


def test_every_page_renders_for_the_branch_secretary(tree, client_for):
    c = client_for("branch_secretary")
    a1 = tree.village_a1
    make_org(a1, "第一党小组", "party_group")
    m = real_record(tree, a1, rules.APPRAISAL, past(12), present=[tree.member_a1])
    services.training_record(actor=tree.users["branch_secretary"], org=a1, title="集中学习", date=past(5), hours=3,
                             attendees=[tree.member_a1])
    y = f"?year={LAST_YEAR}"
    pages = [
        reverse("orglife:org", args=[a1.pk]) + y, reverse("orglife:meetings", args=[a1.pk]) + y,
        reverse("orglife:meetings", args=[a1.pk]) + y + "&kind=appraisal",
        reverse("orglife:meeting_create", args=[a1.pk]), reverse("orglife:calendar", args=[a1.pk]) + y,
        reverse("orglife:ranking", args=[a1.pk]) + y, reverse("orglife:class_hours", args=[a1.pk]) + y + "&short=1",
        reverse("orglife:trainings", args=[a1.pk]) + y, reverse("orglife:training_create", args=[a1.pk]),
        reverse("orglife:committee", args=[a1.pk]), reverse("orglife:meeting_detail", args=[m.pk]),
        reverse("orglife:meeting_edit", args=[m.pk]), reverse("orglife:meeting_grades", args=[m.pk]),
        reverse("orglife:member", args=[tree.member_a1.pk]) + y,
    ]  # fmt: skip
    for url in pages:
        resp = c.get(url)
        assert resp.status_code == 200, url
        assert "组织生活" in resp.content.decode() or "会议" in resp.content.decode(), url


def test_calendar_grid_shows_done_and_missed(tree, client_for):
    real_record(tree, tree.village_a1, rules.GENERAL_MEETING, past(3, 31), present=[tree.member_a1])
    real_record(tree, tree.village_a1, rules.GENERAL_MEETING, past(4, 1), present=[tree.member_a1])
    html = client_for("branch_secretary").get(
        reverse("orglife:calendar", args=[tree.village_a1.pk]) + f"?year={LAST_YEAR}").content.decode()
    for start, status in ((f"{LAST_YEAR}-01-01", "done"), (f"{LAST_YEAR}-04-01", "done"),
                          (f"{LAST_YEAR}-07-01", "missed"), (f"{LAST_YEAR}-10-01", "missed")):
        assert f'data-kind="general_meeting" data-start="{start}" data-status="{status}"' in html


def test_record_a_meeting_with_the_checklist_and_a_mobile_guest(tree, client_for):
    second = make_member(tree.village_a1, name="赵强")
    guest = tree.member_b1
    member_add_event(actor=None, member=guest, kind=member_rules.WENT_MOBILE, date=past(1, 5))
    number = crypto.decrypt(guest.id_number_enc)
    c = client_for("branch_secretary")
    url = reverse("orglife:meeting_create", args=[tree.village_a1.pk])
    form = c.get(url).content.decode()
    assert f'name="att-{tree.member_a1.pk}"' in form and f'name="att-{second.pk}"' in form
    # The guest row comes from the lookup by exact ID number.
    row = c.get(reverse("orglife:guest_lookup", args=[tree.village_a1.pk]),
                {"guest_lookup": number, "date": past(3).isoformat()}).content.decode()
    assert 'data-testid="guest-row"' in row and guest.name in row and f'value="{number}"' in row
    resp = c.post(url, meeting_post(**{f"att-{tree.member_a1.pk}": "present", f"att-{second.pk}": "leave",
                                       f"note-{second.pk}": "外出务工", "guest_id_number": number}))
    assert resp.status_code == 302, resp.content.decode()
    m = Meeting.objects.get()
    assert resp["Location"] == reverse("orglife:meeting_detail", args=[m.pk])
    rows = {a.member_id: a for a in Attendance.objects.filter(meeting=m)}
    assert rows[tree.member_a1.pk].status == "present" and rows[tree.member_a1.pk].class_hours == Decimal(2)
    assert rows[second.pk].status == "leave" and rows[second.pk].note == "外出务工"
    assert rows[guest.pk].is_guest
    detail = c.get(resp["Location"]).content.decode()
    assert "重温入党誓词" in detail and guest.name in detail


def test_bad_meeting_form_writes_nothing(tree, client_for):
    c = client_for("branch_secretary")
    url = reverse("orglife:meeting_create", args=[tree.village_a1.pk])
    before = row_counts()
    future = (timezone.localdate() + dt.timedelta(days=2)).isoformat()
    resp = c.post(url, meeting_post(date=future, **{f"att-{tree.member_a1.pk}": "present"}))
    assert resp.status_code == 200
    assert services.FUTURE_DATE.format(today=timezone.localdate().isoformat()) in resp.content.decode()
    resp = c.post(url, meeting_post(**{f"att-{tree.member_a1.pk}": "absent"}))
    assert services.NOBODY_PRESENT in resp.content.decode()
    resp = c.post(url, meeting_post(**{f"att-{tree.member_a1.pk}": "present", "guest_id_number": "110101199001011234"}))
    assert "未找到公民身份号码为“110101199001011234”的流动党员" in resp.content.decode()
    assert row_counts() == before


def test_grades_page_and_file_upload(tree, client_for, settings):
    c = client_for("branch_secretary")
    m = real_record(tree, tree.village_a1, rules.APPRAISAL, past(12), present=[tree.member_a1])
    resp = c.post(reverse("orglife:meeting_grades", args=[m.pk]), {f"grade-{tree.member_a1.pk}": "excellent"})
    assert resp.status_code == 302
    assert Attendance.objects.get(meeting=m).grade == rules.EXCELLENT
    resp = c.post(reverse("orglife:meeting_grades", args=[m.pk]), {f"grade-{tree.member_a1.pk}": "good"})
    assert resp.status_code == 200 and "无效" in resp.content.decode()
    assert Attendance.objects.get(meeting=m).grade == rules.EXCELLENT
    up = reverse("orglife:meeting_files_add", args=[m.pk])
    c.post(up, {"purpose": "photo", "uploaded": SimpleUploadedFile("合影.png", PNG)})
    c.post(up, {"purpose": "attachment", "uploaded": SimpleUploadedFile("病毒.exe", b"MZ" + b"\x00" * 30)})
    f = MeetingFile.objects.get()
    assert f.original_name == "合影.png"
    resp = c.get(reverse("orglife:file", args=[f.pk]))
    assert resp.status_code == 200 and b"".join(resp.streaming_content).startswith(b"\x89PNG")
    assert resp["X-Content-Type-Options"] == "nosniff"


def test_training_and_committee_pages_write(tree, client_for):
    c = client_for("branch_secretary")
    second = make_member(tree.village_a1, name="赵强")
    resp = c.post(reverse("orglife:training_create", args=[tree.village_a1.pk]), {
        "title": "党员冬训", "kind": "training", "date": past(1).isoformat(), "end_date": "", "days": "1",
        "half_days": "1", "hours": "", "place": "", "organizer": "", "note": "", "id_numbers": "",
        "attendee": [str(tree.member_a1.pk), str(second.pk)],
    })  # fmt: skip
    assert resp.status_code == 302
    assert sorted(TrainingAttendance.objects.values_list("class_hours", flat=True)) == [12, 12]
    resp = c.post(reverse("orglife:committee", args=[tree.village_a1.pk]), {
        "member": str(second.pk), "id_number": "", "post": "secretary", "started_on": past(2).isoformat()})
    assert resp.status_code == 302
    page = c.get(reverse("orglife:committee", args=[tree.village_a1.pk])).content.decode()
    assert "赵强" in page and "书记" in page


def test_another_townships_pages_are_404(tree, client_for):
    b1 = tree.village_b1
    m = real_record(tree, b1, rules.THEME_DAY, past(3), present=[tree.member_b1])
    mf = services.meeting_file_add(actor=tree.users["county_admin"], meeting=m,
                                   uploads=[services.UploadIn(SimpleUploadedFile("a.png", PNG), rules.PHOTO)])[0]
    session = services.training_record(actor=tree.users["county_admin"], org=b1, title="学习", date=past(4), hours=2,
                                       attendees=[tree.member_b1])
    post = services.committee_post_add(actor=tree.users["county_admin"], org=b1, member=tree.member_b1,
                                       post="secretary", started_on=past(1))
    urls = [
        reverse("orglife:org", args=[b1.pk]), reverse("orglife:meetings", args=[b1.pk]),
        reverse("orglife:meeting_create", args=[b1.pk]), reverse("orglife:guest_lookup", args=[b1.pk]),
        reverse("orglife:calendar", args=[b1.pk]), reverse("orglife:ranking", args=[tree.town_b.pk]),
        reverse("orglife:ranking", args=[tree.county.pk]), reverse("orglife:class_hours", args=[b1.pk]),
        reverse("orglife:trainings", args=[b1.pk]), reverse("orglife:training_create", args=[b1.pk]),
        reverse("orglife:committee", args=[b1.pk]), reverse("orglife:meeting_detail", args=[m.pk]),
        reverse("orglife:meeting_edit", args=[m.pk]), reverse("orglife:meeting_grades", args=[m.pk]),
        reverse("orglife:file", args=[mf.pk]), reverse("orglife:training_detail", args=[session.pk]),
        reverse("orglife:member", args=[tree.member_b1.pk]),
    ]  # fmt: skip
    organizer = client_for("township_organizer")
    for url in urls:
        assert organizer.get(url).status_code == 404, url
    before = row_counts()
    assert organizer.post(reverse("orglife:meeting_create", args=[b1.pk]), meeting_post(
        **{f"att-{tree.member_b1.pk}": "present"})).status_code == 404
    assert organizer.post(reverse("orglife:meeting_files_add", args=[m.pk]),
                          {"purpose": "photo", "uploaded": SimpleUploadedFile("b.png", PNG)}).status_code == 404
    assert organizer.post(reverse("orglife:committee_end", args=[post.pk]), {"ended_on": past(5).isoformat()}).status_code == 404
    assert row_counts() == before
    # The same pages exist for the county administrator.
    county = client_for("county_admin")
    assert county.get(reverse("orglife:meeting_detail", args=[m.pk])).status_code == 200
    assert county.get(reverse("orglife:ranking", args=[tree.county.pk])).status_code == 200


def test_read_only_roles(tree, client_for):
    m = real_record(tree, tree.village_a1, rules.THEME_DAY, past(3), present=[tree.member_a1])
    inspector = client_for("inspector")
    assert inspector.get(reverse("orglife:meeting_detail", args=[m.pk])).status_code == 200
    assert inspector.get(reverse("orglife:meeting_edit", args=[m.pk])).status_code == 404
    assert inspector.get(reverse("orglife:meeting_create", args=[tree.village_a1.pk])).status_code == 404
    member = client_for("member")
    for url in (reverse("orglife:meeting_detail", args=[m.pk]), reverse("orglife:org", args=[tree.village_a1.pk]),
                reverse("orglife:member", args=[tree.member_b1.pk])):
        assert member.get(url).status_code == 404, url
