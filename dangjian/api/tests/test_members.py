"""Member endpoints as the roles that use them, with token and session auth."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from dangjian.common import crypto
from dangjian.common.errors import CONFLICT
from dangjian.common.models import AuditEvent
from dangjian.members.models import Member, MembershipEvent
from dangjian.members.rules import age_on, party_age
from dangjian.testing import make_member, valid_id_number

pytestmark = pytest.mark.django_db


def new_member_body(tree, **over):
    birth = dt.date(1992, 4, 18)
    body = {
        "org": tree.village_a1.pk, "name": "周敏", "sex": "2", "birth_date": birth.isoformat(),
        "id_number": valid_id_number(birth, "2"), "phone": "13912345678", "education": "college",
        "personnel_category": "farmer", "first_event": "recorded", "date": "2016-07-01", "status": "full",
        "joined_on": "2015-07-01", "converted_on": "2016-07-01", "job": "村会计",
    }
    body.update(over)
    return body


def test_search_members(tree, as_role):
    make_member(tree.village_a2, name="张伟", birth_date=dt.date(1980, 1, 1))
    caller = as_role("township_organizer")
    every = caller.get("/api/members").json()
    assert {m["name"] for m in every["items"]} == {"李明", "张伟"}  # 王芳 is in 乙镇
    assert [m["name"] for m in caller.get("/api/members", {"q": "zw"}).json()["items"]] == ["张伟"]
    assert [m["name"] for m in caller.get("/api/members", {"q": "liming"}).json()["items"]] == ["李明"]
    assert caller.get("/api/members", {"q": "王芳"}).json()["count"] == 0
    in_org = caller.get("/api/members", {"org": tree.village_a2.pk}).json()
    assert [m["name"] for m in in_org["items"]] == ["张伟"]
    # Exact ID number search; lists show only the mask.
    full_id = crypto.decrypt(tree.member_a1.id_number_enc)
    by_id = caller.get("/api/members", {"q": full_id})
    assert [m["id"] for m in by_id.json()["items"]] == [tree.member_a1.pk]
    assert full_id not in by_id.content.decode()


def test_member_sees_only_themselves(tree, as_role):
    caller = as_role("member")
    assert [m["id"] for m in caller.get("/api/members").json()["items"]] == [tree.member_a1.pk]
    assert caller.get(f"/api/members/{tree.member_a1.pk}").status_code == 200
    assert caller.get(f"/api/members/{tree.member_a1.pk}/timeline").status_code == 200


def test_member_detail_is_masked_with_party_age(tree, as_role):
    resp = as_role("inspector").get(f"/api/members/{tree.member_a1.pk}")
    assert resp.status_code == 200
    body = resp.json()
    full_id = crypto.decrypt(tree.member_a1.id_number_enc)
    assert body["id_number_masked"] == full_id[:6] + "********" + full_id[-4:]
    assert full_id not in resp.content.decode() and "13800000001" not in resp.content.decode()
    # Birth year and age, never the birth date: with the mask it would give the full ID number.
    assert "birth_date" not in body and "1985-06-15" not in resp.content.decode()
    assert body["birth_year"] == 1985 and body["age"] == age_on(dt.date(1985, 6, 15), timezone.localdate())
    assert body["sex_label"] == "男"
    assert body["education_label"] == "大学本科" and body["personnel_category_label"] == "农牧渔民"
    assert body["converted_on"] == "2011-07-01"
    assert body["party_age"] == party_age(converted_on=dt.date(2011, 7, 1), as_of=timezone.localdate())
    assert body["org"] == {"id": tree.village_a1.pk, "name": "中共甲镇一村支部委员会"}
    assert body["version"] == 1


def test_timeline(tree, as_role):
    events = as_role("branch_secretary").get(f"/api/members/{tree.member_a1.pk}/timeline").json()
    assert len(events) == 1
    assert events[0]["kind"] == "recorded" and events[0]["kind_label"] == "补录党员信息"
    assert events[0]["date"] == "2010-07-01" and events[0]["status_after_label"] == "正式党员"
    assert events[0]["to_org"]["id"] == tree.village_a1.pk


@pytest.mark.parametrize("role", ["county_admin", "township_organizer", "branch_secretary", "inspector", "member"])
def test_reveal_returns_full_value_and_is_audited(tree, as_role, role):
    caller = as_role(role)
    before = AuditEvent.objects.count()
    resp = caller.post(f"/api/members/{tree.member_a1.pk}/reveal", {"field": "id_number"})
    assert resp.status_code == 200, resp.content
    assert resp.json() == {"field": "id_number", "value": crypto.decrypt(tree.member_a1.id_number_enc)}
    assert AuditEvent.objects.count() == before + 1
    ev = AuditEvent.objects.first()
    assert ev is not None
    assert ev.action == "member.reveal.id_number" and ev.actor == tree.users[role]
    assert ev.target_id == str(tree.member_a1.pk) and ev.org == tree.village_a1

    resp = caller.post(f"/api/members/{tree.member_a1.pk}/reveal", {"field": "phone"})
    assert resp.json()["value"] == "13800000001"
    assert AuditEvent.objects.first().action == "member.reveal.phone"  # type: ignore[union-attr]


def test_reveal_rejects_other_fields(tree, api_as):
    caller = api_as("county_admin")
    before = AuditEvent.objects.count()
    resp = caller.post(f"/api/members/{tree.member_a1.pk}/reveal", {"field": "id_number_enc"})
    assert resp.status_code == 422 and "不是有效的选项" in resp.json()["errors"]["field"][0]
    assert AuditEvent.objects.count() == before


def test_create_member(tree, as_role):
    caller = as_role("branch_secretary")
    before = AuditEvent.objects.count()
    body = new_member_body(tree)
    resp = caller.post("/api/members", body)
    assert resp.status_code == 201, resp.content
    out = resp.json()
    member = Member.objects.get(pk=out["id"])
    assert member.name == "周敏" and member.org == tree.village_a1 and member.status == "full"
    assert crypto.decrypt(member.id_number_enc) == body["id_number"] and crypto.decrypt(member.phone_enc) == "13912345678"
    assert out["id_number_masked"] == body["id_number"][:6] + "********" + body["id_number"][-4:]
    assert body["id_number"] not in resp.content.decode()
    assert out["joined_on"] == "2015-07-01" and out["converted_on"] == "2016-07-01" and out["job"] == "村会计"
    assert member.events.get().kind == "recorded"
    assert AuditEvent.objects.count() == before + 1
    assert AuditEvent.objects.first().action == "member.create"  # type: ignore[union-attr]


def test_create_member_admitted_as_probationary(tree, api_as):
    body = new_member_body(tree, first_event="admitted", date="2024-06-01", joined_on=None, converted_on=None)
    resp = api_as("township_organizer").post("/api/members", body)
    assert resp.status_code == 201, resp.content
    out = resp.json()
    assert out["status"] == "probationary" and out["party_age"] is None
    assert out["probation_ends_on"] == "2025-06-01"


def test_update_member_and_stale_version(tree, as_role):
    caller = as_role("township_organizer")
    url = f"/api/members/{tree.member_a1.pk}"
    resp = caller.patch(url, {"version": 1, "job": "村委委员", "phone": "13700000000", "education": "college"})
    assert resp.status_code == 200, resp.content
    assert resp.json()["job"] == "村委委员" and resp.json()["version"] == 2
    assert resp.json()["phone_masked"].endswith("0000") and "13700000000" not in resp.content.decode()
    tree.member_a1.refresh_from_db()
    assert crypto.decrypt(tree.member_a1.phone_enc) == "13700000000"

    # A second user had loaded version 1 too: their save is refused, nothing silently lost.
    before = AuditEvent.objects.count()
    stale = caller.patch(url, {"version": 1, "job": "会计"})
    assert stale.status_code == 409
    assert stale.json()["detail"] == CONFLICT and stale.json()["errors"] == {"__all__": [CONFLICT]}
    tree.member_a1.refresh_from_db()
    assert tree.member_a1.job == "村委委员" and tree.member_a1.version == 2
    assert AuditEvent.objects.count() == before


def test_update_member_refuses_nulls(tree, api_as):
    resp = api_as("county_admin").patch(f"/api/members/{tree.member_a1.pk}", {"version": 1, "name": None})
    assert resp.status_code == 422 and resp.json()["errors"]["name"] == ["此项不能为空。"]


def test_member_events_convert_and_transfer(tree, as_role):
    caller = as_role("township_organizer")
    body = new_member_body(tree, first_event="admitted", date="2023-03-01", joined_on=None, converted_on=None)
    member_id = caller.post("/api/members", body).json()["id"]
    resp = caller.post(f"/api/members/{member_id}/events", {"kind": "converted", "date": "2024-03-01"})
    assert resp.status_code == 201, resp.content
    assert resp.json()["event"]["kind_label"] == "预备党员转正"
    assert resp.json()["member"]["status"] == "full" and resp.json()["member"]["converted_on"] == "2024-03-01"

    resp = caller.post(f"/api/members/{member_id}/events", {
        "kind": "transfer", "date": "2024-05-10", "out_date": "2024-05-08", "to_org": tree.village_a2.pk,
        "letter_number": "甲组转字2024-08",
    })
    assert resp.status_code == 201, resp.content
    ev = resp.json()["event"]
    assert ev["from_org"]["id"] == tree.village_a1.pk and ev["to_org"]["id"] == tree.village_a2.pk
    assert ev["out_date"] == "2024-05-08" and ev["letter_number"] == "甲组转字2024-08"
    assert resp.json()["member"]["org"]["id"] == tree.village_a2.pk
    timeline = caller.get(f"/api/members/{member_id}/timeline").json()
    assert [e["kind"] for e in timeline] == ["admitted", "converted", "transfer"]


def test_member_event_with_stale_version_is_409(tree, api_as):
    caller = api_as("county_admin")
    before = MembershipEvent.objects.count()
    resp = caller.post(f"/api/members/{tree.member_a1.pk}/events", {"kind": "went_mobile", "date": "2020-01-01", "version": 7})
    assert resp.status_code == 409 and resp.json()["detail"] == CONFLICT
    assert MembershipEvent.objects.count() == before


@pytest.mark.parametrize("role", ["inspector", "member"])
def test_read_only_roles_cannot_write_members(tree, as_role, role):
    caller = as_role(role)
    m = tree.member_a1.pk
    writes = [
        ("POST", "/api/members", new_member_body(tree)),
        ("PATCH", f"/api/members/{m}", {"version": 1, "job": "x"}),
        ("POST", f"/api/members/{m}/events", {"kind": "went_mobile", "date": "2020-01-01"}),
    ]
    before = (Member.objects.count(), MembershipEvent.objects.count(), AuditEvent.objects.count())
    for method, url, body in writes:
        resp = caller.call(method, url, body)
        assert resp.status_code == 404, (role, method, url, resp.content)
    assert (Member.objects.count(), MembershipEvent.objects.count(), AuditEvent.objects.count()) == before
    tree.member_a1.refresh_from_db()
    assert tree.member_a1.version == 1 and tree.member_a1.job == ""
