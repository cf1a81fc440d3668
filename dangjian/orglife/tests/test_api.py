"""/api/orglife/: meetings and attendance (list, create, detail, grades), compliance of an
organization, class hours of a member. Same scope (404) and error shapes (422, Chinese) as the rest
of the API; bad input writes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from dangjian.api.tests.conftest import token_caller
from dangjian.common import crypto
from dangjian.members import rules as member_rules
from dangjian.members.services import member_add_event
from dangjian.orglife import rules, services
from dangjian.orglife.models import Attendance, Meeting
from dangjian.orglife.tests.conftest import record, row_counts
from dangjian.testing import make_member

pytestmark = pytest.mark.django_db
D = dt.date
LAST_YEAR = timezone.localdate().year - 1


def body(members, **overrides):
    data = {
        "kind": "theme_day", "date": D(LAST_YEAR, 3, 5).isoformat(), "topic": "重温入党誓词", "place": "村部",
        "counts_as_study": True, "duration_hours": 1.5,
        "attendance": [{"member_id": m.pk, "status": "present"} for m in members],
    }  # fmt: skip
    data.update(overrides)
    return data


def test_create_and_list_meetings(tree):
    api = token_caller(tree.users["branch_secretary"])
    second = make_member(tree.village_a1, name="赵强")
    b = body([tree.member_a1])
    b["attendance"].append({"member_id": second.pk, "status": "leave", "note": "外出务工"})
    resp = api.post(f"/api/orglife/orgs/{tree.village_a1.pk}/meetings", b)
    assert resp.status_code == 201, resp.json()
    data = resp.json()
    assert data["kind_label"] == "主题党日" and data["credited_hours"] == 1.5 and data["present"] == 1
    assert {a["member_name"]: (a["status"], a["class_hours"]) for a in data["attendance"]} == {
        "李明": ("present", 1.5), "赵强": ("leave", 0.0)}
    listed = api.get(f"/api/orglife/orgs/{tree.village_a1.pk}/meetings", {"year": LAST_YEAR}).json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == data["id"] and listed["items"][0]["attendees"] == 2
    assert api.get(f"/api/orglife/orgs/{tree.village_a1.pk}/meetings", {"kind": "appraisal"}).json()["count"] == 0
    assert api.get(f"/api/orglife/orgs/{tree.town_a.pk}/meetings").status_code == 404  # above the secretary's branch
    att = api.get(f"/api/orglife/meetings/{data['id']}/attendance").json()
    assert len(att) == 2


def test_mobile_guest_by_id_number_and_grades(tree):
    api = token_caller(tree.users["branch_secretary"])
    guest = tree.member_b1
    member_add_event(actor=None, member=guest, kind=member_rules.WENT_MOBILE, date=D(LAST_YEAR, 1, 2))
    number = crypto.decrypt(guest.id_number_enc)
    b = body([tree.member_a1], kind="appraisal")
    b["attendance"].append({"id_number": number, "status": "present"})
    resp = api.post(f"/api/orglife/orgs/{tree.village_a1.pk}/meetings", b)
    assert resp.status_code == 201, resp.json()
    rows = {a["member_name"]: a for a in resp.json()["attendance"]}
    # The guest is out of the secretary's scope: a name, no id.
    assert rows[guest.name]["is_guest"] and rows[guest.name]["member_id"] is None
    mid = resp.json()["id"]
    resp = api.post(f"/api/orglife/meetings/{mid}/grades", {"grades": {str(tree.member_a1.pk): "优秀", str(guest.pk): "合格"}})
    assert resp.status_code == 200
    assert {a["member_name"]: a["grade_label"] for a in resp.json()["attendance"]} == {"李明": "优秀", guest.name: "合格"}
    before = row_counts()
    resp = api.post(f"/api/orglife/meetings/{mid}/grades", {"grades": {str(tree.member_a1.pk): "良好"}})
    assert resp.status_code == 422
    assert resp.json()["errors"]["grades"] == [services.GRADE_INVALID.format(name="李明", value="良好")]
    assert row_counts() == before


def test_bad_input_is_422_with_nothing_written(tree):
    api = token_caller(tree.users["branch_secretary"])
    organizer = token_caller(tree.users["township_organizer"])
    other = make_member(tree.village_a2, name="郑华")  # 甲镇二村: in a township user's scope, not this branch
    url = f"/api/orglife/orgs/{tree.village_a1.pk}/meetings"
    today = timezone.localdate()
    before = row_counts()
    resp = api.post(url, body([tree.member_a1], date=(today + dt.timedelta(days=1)).isoformat()))
    assert resp.status_code == 422 and resp.json()["errors"]["date"] == [services.FUTURE_DATE.format(today=today.isoformat())]
    resp = organizer.post(url, body([tree.member_a1, other]))
    assert resp.status_code == 422
    assert resp.json()["errors"]["attendance"] == [services.NOT_BRANCH_MEMBER.format(
        name="郑华", date=f"{LAST_YEAR}-03-05", branch=tree.village_a1.name)]
    resp = api.post(url, body([tree.member_a1], kind="picnic"))
    assert resp.status_code == 422 and "kind" in resp.json()["errors"]
    resp = api.post(url, {**body([tree.member_a1]), "attendance": [{"status": "present"}]})
    assert resp.status_code == 422
    resp = api.post(url, {**body([tree.member_a1]), "attendance": [{"id_number": "110101199001011234", "status": "present"}]})
    assert resp.status_code == 422 and "110101199001011234" in resp.json()["detail"]
    resp = api.post(url, {**body([tree.member_a1]), "colour": "red"})
    assert resp.status_code == 422
    assert row_counts() == before


def test_compliance_and_class_hours(tree):
    a1 = tree.member_a1
    today = timezone.localdate()
    record(tree, tree.village_a1, rules.GENERAL_MEETING, D(LAST_YEAR, 3, 31), present=[a1], today=today,
           counts_as_study=True, duration_hours=Decimal(2))
    record(tree, tree.village_a1, rules.GENERAL_MEETING, D(LAST_YEAR, 4, 1), present=[a1], today=today)
    services.training_record(actor=tree.users["county_admin"], org=tree.county, title="轮训", date=D(LAST_YEAR, 5, 1),
                             days=2, attendees=[a1], today=today)
    api = token_caller(tree.users["township_organizer"])
    c = api.get(f"/api/orglife/orgs/{tree.village_a1.pk}/compliance", {"year": LAST_YEAR}).json()
    general = next(k for k in c["calendar"] if k["kind"] == "general_meeting")
    assert [p["status"] for p in general["periods"]] == ["done", "done", "missed", "missed"]
    assert general["frequency_label"] == "每季度"
    assert c["total"]["done"] == 2 and c["total"]["band"] == "red"
    town = api.get(f"/api/orglife/orgs/{tree.town_a.pk}/compliance", {"year": LAST_YEAR}).json()
    assert town["calendar"] is None and [g["org"]["id"] for g in town["groups"]] == [tree.village_a1.pk, tree.village_a2.pk]
    assert town["groups"][0]["rank"] == 1
    h = api.get(f"/api/orglife/members/{a1.pk}/class-hours", {"year": LAST_YEAR}).json()
    assert (h["meeting_hours"], h["training_hours"], h["total"], h["target"], h["shortfall"]) == (2.0, 16.0, 18.0, 32.0, 14.0)
    assert [i["source"] for i in h["items"]] == ["meeting", "training"]
    me = token_caller(tree.users["member"])
    assert me.get(f"/api/orglife/members/{a1.pk}/class-hours").status_code == 200


def test_another_township_is_404(tree):
    m = record(tree, tree.village_b1, rules.THEME_DAY, D(LAST_YEAR, 3, 5), present=[tree.member_b1],
               today=timezone.localdate())
    api = token_caller(tree.users["township_organizer"])
    inspector = token_caller(tree.users["inspector"])
    for url in (f"/api/orglife/orgs/{tree.village_b1.pk}/meetings", f"/api/orglife/meetings/{m.pk}",
                f"/api/orglife/meetings/{m.pk}/attendance", f"/api/orglife/orgs/{tree.village_b1.pk}/compliance",
                f"/api/orglife/orgs/{tree.county.pk}/compliance", f"/api/orglife/members/{tree.member_b1.pk}/class-hours"):
        resp = api.get(url)
        assert resp.status_code == 404, url
    before = row_counts()
    assert api.post(f"/api/orglife/orgs/{tree.village_b1.pk}/meetings", body([tree.member_b1])).status_code == 404
    # An id out of scope inside the body of a request in scope.
    assert api.post(f"/api/orglife/orgs/{tree.village_a1.pk}/meetings",
                    body([tree.member_a1, tree.member_b1])).status_code == 404
    assert api.post(f"/api/orglife/meetings/{m.pk}/grades", {"grades": {str(tree.member_b1.pk): "合格"}}).status_code == 404
    assert inspector.post(f"/api/orglife/orgs/{tree.village_a1.pk}/meetings", body([tree.member_a1])).status_code == 404
    assert row_counts() == before
    assert Meeting.objects.count() == 1 and Attendance.objects.count() == 1
