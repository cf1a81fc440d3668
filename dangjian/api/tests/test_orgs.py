"""Organization endpoints as the roles that use them, with token and session auth."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from dangjian.common.errors import CONFLICT
from dangjian.common.models import AuditEvent
from dangjian.orgs.models import Division, Org, OrgEvent
from dangjian.testing import make_member, make_org

pytestmark = pytest.mark.django_db


def test_me_for_org_user_and_member(tree, as_role):
    body = as_role("township_organizer").get("/api/me").json()
    assert body["role"] == "township_organizer" and body["role_label"] == "乡镇（街道）组织委员"
    assert body["can_write"] is True
    assert [o["id"] for o in body["orgs"]] == [tree.town_a.pk]
    assert body["member"] is None

    body = as_role("member").get("/api/me").json()
    assert body["role"] == "member" and body["orgs"] == [] and body["can_write"] is False
    assert body["member"]["id"] == tree.member_a1.pk
    assert body["member"]["id_number_masked"] == tree.member_a1.id_number_masked
    assert "*" in body["member"]["id_number_masked"]


def test_orgs_list_roots_children_and_search(tree, as_role):
    town = as_role("township_organizer")
    roots = town.get("/api/orgs").json()
    assert roots["count"] == 1 and roots["items"][0]["id"] == tree.town_a.pk
    assert roots["items"][0]["org_type_label"] == "乡镇党委/街道党工委"

    children = town.get("/api/orgs", {"parent": tree.town_a.pk}).json()
    assert {o["id"] for o in children["items"]} == {tree.village_a1.pk, tree.village_a2.pk}

    found = town.get("/api/orgs", {"q": "一村"}).json()
    assert [o["id"] for o in found["items"]] == [tree.village_a1.pk]  # 乙镇一村 is not in scope

    county = as_role("county_admin").get("/api/orgs", {"q": "一村"}).json()
    assert {o["id"] for o in county["items"]} == {tree.village_a1.pk, tree.village_b1.pk}
    within = as_role("county_admin").get("/api/orgs", {"q": "一村", "parent": tree.town_b.pk}).json()
    assert [o["id"] for o in within["items"]] == [tree.village_b1.pk]


def test_orgs_list_paginates(tree, api_as, settings):
    settings.PAGE_SIZE = 2
    for i in range(3):
        make_org(tree.town_a, f"中共甲镇新{i}支部委员会", "branch")
    caller = api_as("township_organizer")
    first = caller.get("/api/orgs", {"parent": tree.town_a.pk}).json()
    assert first["count"] == 5 and first["pages"] == 3 and len(first["items"]) == 2
    third = caller.get("/api/orgs", {"parent": tree.town_a.pk, "page": 3}).json()
    assert len(third["items"]) == 1
    ids = {o["id"] for p in (1, 2, 3) for o in caller.get("/api/orgs", {"parent": tree.town_a.pk, "page": p}).json()["items"]}
    assert len(ids) == 5


def test_org_detail_has_national_fields_and_findings(tree, as_role):
    body = as_role("inspector").get(f"/api/orgs/{tree.village_a2.pk}").json()
    assert body["name"] == "中共甲镇二村支部委员会"
    assert body["code"] == tree.village_a2.code
    assert body["category"] == "rural" and body["category_label"] == "农村"
    assert body["unit_situation_label"] == "与上级党组织相同"
    assert body["established_on"] == "2000-01-01"
    assert body["parent"] == {"id": tree.town_a.pk, "name": "中共甲镇委员会"}
    assert body["version"] == 1
    findings = {f["code"]: f for f in body["findings"]}
    # No members at all, and a village branch with no term on record.
    assert findings["few_full_members"]["name"] == "正式党员不足3人"
    assert findings["few_full_members"]["article"].startswith("R3.1")
    assert "0人" in findings["few_full_members"]["message"]
    assert findings["village_term_missing"]["name"] == "村（社区）党组织无任期记录"

    a1 = as_role("inspector").get(f"/api/orgs/{tree.village_a1.pk}").json()
    assert "village_term_missing" not in {f["code"] for f in a1["findings"]}
    assert a1["term_ends_on"] == "2026-01-01"


def test_org_detail_hides_ids_of_orgs_outside_scope(tree, api_as):
    body = api_as("township_organizer").get(f"/api/orgs/{tree.town_a.pk}").json()
    assert body["parent"] == {"id": None, "name": "中共示范县委员会"}
    assert body["ancestors"] == []
    county_view = api_as("county_admin").get(f"/api/orgs/{tree.village_a1.pk}").json()
    assert [a["id"] for a in county_view["ancestors"]] == [tree.county.pk, tree.town_a.pk]


def test_children_counts_members_and_events(tree, as_role):
    caller = as_role("township_organizer")
    children = caller.get(f"/api/orgs/{tree.town_a.pk}/children").json()
    assert [c["id"] for c in children] == [tree.village_a1.pk, tree.village_a2.pk]

    counts = caller.get(f"/api/orgs/{tree.town_a.pk}/counts").json()
    assert counts["total"] == 1 and counts["by_status"]["full"] == 1
    assert {c["label"]: c["count"] for c in counts["by_sex"]} == {"男": 1, "女": 0}
    assert sum(c["count"] for c in counts["by_age"]) == 1

    members = caller.get(f"/api/orgs/{tree.town_a.pk}/members").json()
    assert members["count"] == 1
    item = members["items"][0]
    assert item["name"] == "李明" and item["status_label"] == "正式党员"
    assert item["id_number_masked"] == tree.member_a1.id_number_masked
    assert item["phone_masked"] != "13800000001" and item["phone_masked"].endswith("0001")

    events = caller.get(f"/api/orgs/{tree.village_a1.pk}/events").json()
    assert [e["kind_label"] for e in events] == ["成立"]
    assert events[0]["date"] == "2000-01-01"


def test_org_members_as_of_a_date_and_by_status(tree, api_as):
    member = make_member(tree.village_a2, name="赵强", date=dt.date(2015, 7, 1))
    county = api_as("county_admin")
    resp = county.post(f"/api/members/{member.pk}/events", {
        "kind": "transfer", "date": "2020-05-01", "to_org": tree.village_b1.pk, "letter_number": "甲转2020-1",
    })
    assert resp.status_code == 201, resp.content
    now = county.get(f"/api/orgs/{tree.village_a2.pk}/members").json()
    assert now["count"] == 0
    then = county.get(f"/api/orgs/{tree.village_a2.pk}/members", {"as_of": "2019-12-31"}).json()
    assert [m["name"] for m in then["items"]] == ["赵强"]
    assert then["items"][0]["status_as_of"] == "full" and then["items"][0]["org_as_of"] == tree.village_a2.pk
    # Only that date's values: the organization and status then, never where the member is today.
    assert then["items"][0]["org"] == {"id": tree.village_a2.pk, "name": tree.village_a2.name}
    assert then["items"][0]["status"] == "full" and tree.village_b1.name not in json.dumps(then, ensure_ascii=False)
    before_joining = county.get(f"/api/orgs/{tree.village_a2.pk}/members", {"as_of": "2014-12-31"}).json()
    assert before_joining["count"] == 0
    # 甲镇's roster of 2019 still lists the member who has since left the township (scope applies to
    # the organization on that date), with that date's organization only (nothing about 乙镇), and
    # the member's own record is out of reach.
    caller = api_as("township_organizer")
    then = caller.get(f"/api/orgs/{tree.town_a.pk}/members", {"as_of": "2019-12-31"}).json()
    assert {m["name"] for m in then["items"]} == {"李明", "赵强"}
    moved = next(m for m in then["items"] if m["name"] == "赵强")
    assert moved["org"] == {"id": tree.village_a2.pk, "name": tree.village_a2.name}
    assert moved["org_as_of"] == tree.village_a2.pk
    assert tree.village_b1.name not in json.dumps(then, ensure_ascii=False)
    assert caller.get(f"/api/members/{member.pk}").status_code == 404
    assert caller.get(f"/api/orgs/{tree.village_a2.pk}/members", {"status": "all"}).json()["count"] == 0
    assert caller.get(f"/api/orgs/{tree.town_a.pk}/members", {"as_of": "2021-01-01"}).json()["count"] == 1
    full = caller.get(f"/api/orgs/{tree.town_a.pk}/members", {"status": "full"}).json()
    assert [m["name"] for m in full["items"]] == ["李明"]
    bad = caller.get(f"/api/orgs/{tree.town_a.pk}/members", {"status": "nonsense"})
    assert bad.status_code == 422 and "不是有效的党籍状态" in bad.json()["errors"]["status"][0]
    bad_date = caller.get(f"/api/orgs/{tree.town_a.pk}/members", {"as_of": "2020-13-01"})
    assert bad_date.status_code == 422 and "YYYY-MM-DD" in bad_date.json()["errors"]["as_of"][0]


# --- writes -----------------------------------------------------------------------------------------
def test_create_org(tree, as_role):
    caller = as_role("township_organizer")
    audits = AuditEvent.objects.count()
    resp = caller.post("/api/orgs", {
        "parent": tree.town_a.pk, "name": "中共甲镇三村支部委员会", "code": "JZ003", "org_type": "branch",
        "established_on": "2021-03-01", "doc_number": "甲组〔2021〕3号", "category": "rural",
        "secretary_name": "孙书记", "term_started_on": "2021-03-01", "term_years": 5,
    })
    assert resp.status_code == 201, resp.content
    body = resp.json()
    org = Org.objects.get(pk=body["id"])
    assert Org.objects.get_parent(org) == tree.town_a and org.secretary_name == "孙书记" and org.term_years == 5
    assert body["parent"]["id"] == tree.town_a.pk and body["established_on"] == "2021-03-01"
    ev = OrgEvent.objects.get(org=org)
    assert ev.kind == "established" and ev.doc_number == "甲组〔2021〕3号"
    assert AuditEvent.objects.count() == audits + 1
    assert AuditEvent.objects.first().actor == tree.users["township_organizer"]  # type: ignore[union-attr]


def test_create_org_with_division_and_approving_org(tree, api_as):
    division = Division.objects.create(code="110101001", name="甲镇", level="township")
    resp = api_as("township_organizer").post("/api/orgs", {
        "parent": tree.town_a.pk, "name": "中共甲镇四村支部委员会", "code": "JZ004", "org_type": "branch",
        "established_on": "2021-03-01", "division_id": division.pk, "approving_org_id": tree.town_a.pk,
    })
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert body["division"]["name"] == "甲镇"
    assert body["approving_org"] == {"id": tree.town_a.pk, "name": "中共甲镇委员会"}


def test_update_org_fields_and_stale_version(tree, as_role):
    caller = as_role("branch_secretary")
    url = f"/api/orgs/{tree.village_a1.pk}"
    version = caller.get(url).json()["version"]
    resp = caller.patch(url, {"version": version, "contact_phone": "0571-1234567", "committee_size": 5})
    assert resp.status_code == 200, resp.content
    assert resp.json()["contact_phone"] == "0571-1234567" and resp.json()["version"] == version + 1

    audits = AuditEvent.objects.count()
    stale = caller.patch(url, {"version": version, "contact_phone": "0000"})
    assert stale.status_code == 409
    assert stale.json()["detail"] == CONFLICT and stale.json()["errors"]["__all__"] == [CONFLICT]
    tree.village_a1.refresh_from_db()
    assert tree.village_a1.contact_phone == "0571-1234567"
    assert AuditEvent.objects.count() == audits


def test_update_org_validates_input(tree, api_as):
    caller = api_as("township_organizer")
    url = f"/api/orgs/{tree.village_a1.pk}"
    before = AuditEvent.objects.count()
    resp = caller.patch(url, {"version": 1, "category": "moon_base", "committee_size": -1})
    assert resp.status_code == 422
    errors = resp.json()["errors"]
    assert "不是有效的选项" in errors["category"][0] and "不能小于0" in errors["committee_size"][0]
    resp = caller.patch(url, {"version": 1, "secretary_name": None})
    assert resp.status_code == 422 and resp.json()["errors"]["secretary_name"] == ["此项不能为空。"]
    resp = caller.patch(url, {"version": 1, "division_id": 999999})
    assert resp.status_code == 422 and resp.json()["errors"]["division_id"] == ["行政区划不存在。"]
    resp = caller.patch(url, {"version": 1})
    assert resp.status_code == 422 and resp.json()["errors"]["__all__"] == ["没有要修改的内容。"]
    resp = caller.patch(url, {"contact_phone": "1"})
    assert resp.status_code == 422 and resp.json()["errors"]["version"] == ["此项为必填项。"]
    assert AuditEvent.objects.count() == before
    tree.village_a1.refresh_from_db()
    assert tree.village_a1.version == 1 and tree.village_a1.committee_size == 3


def test_update_org_can_clear_a_nullable_field(tree, api_as):
    resp = api_as("township_organizer").patch(f"/api/orgs/{tree.village_a1.pk}", {"version": 1, "term_started_on": None})
    assert resp.status_code == 200, resp.content
    assert resp.json()["term_started_on"] is None
    assert "village_term_missing" in {f["code"] for f in resp.json()["findings"]}


def test_rename_and_change_type(tree, as_role):
    caller = as_role("township_organizer")
    resp = caller.post(f"/api/orgs/{tree.village_a2.pk}/rename", {
        "name": "中共甲镇二村委员会", "short_name": "二村", "date": "2022-01-05", "doc_number": "甲组〔2022〕1号",
    })
    assert resp.status_code == 200, resp.content
    assert resp.json()["name"] == "中共甲镇二村委员会" and resp.json()["short_name"] == "二村"
    resp = caller.post(f"/api/orgs/{tree.village_a2.pk}/change-type", {
        "org_type": "general_branch", "date": "2022-02-01", "doc_number": "甲组〔2022〕2号",
    })
    assert resp.status_code == 200, resp.content
    assert resp.json()["org_type"] == "general_branch" and resp.json()["org_type_label"] == "党总支"
    events = caller.get(f"/api/orgs/{tree.village_a2.pk}/events").json()
    assert [e["kind"] for e in events] == ["established", "renamed", "type_changed"]
    assert events[1]["doc_number"] == "甲组〔2022〕1号"
    assert events[1]["recorded_by"] == "甲镇组织委员"


def test_move_merge_and_dissolve(tree, as_role):
    caller = as_role("county_admin")
    resp = caller.post(f"/api/orgs/{tree.village_a2.pk}/move", {
        "parent": tree.town_b.pk, "date": "2022-01-01", "doc_number": "县组〔2022〕1号",
    })
    assert resp.status_code == 200, resp.content
    assert resp.json()["parent"]["id"] == tree.town_b.pk
    # The township organizer of 甲镇 no longer sees it.
    assert as_role("township_organizer").get(f"/api/orgs/{tree.village_a2.pk}").status_code == 404

    resp = caller.post(f"/api/orgs/{tree.village_a1.pk}/merge", {
        "into": tree.village_b1.pk, "date": "2022-06-01", "doc_number": "县组〔2022〕6号",
    })
    assert resp.status_code == 200, resp.content
    assert resp.json()["is_active"] is False and resp.json()["dissolved_on"] == "2022-06-01"
    tree.member_a1.refresh_from_db()
    assert tree.member_a1.org == tree.village_b1

    resp = caller.post(f"/api/orgs/{tree.village_a2.pk}/dissolve", {
        "date": "2022-07-01", "doc_number": "县组〔2022〕7号", "note": "村庄撤并",
    })
    assert resp.status_code == 200, resp.content
    assert resp.json()["dissolved_on"] == "2022-07-01"
    events = caller.get(f"/api/orgs/{tree.village_a2.pk}/events").json()
    assert events[-1]["kind_label"] == "撤销" and events[-1]["note"] == "村庄撤并"
    # Dissolved organizations drop out of lists unless asked for.
    listed = caller.get("/api/orgs", {"parent": tree.town_b.pk}).json()
    assert tree.village_a2.pk not in {o["id"] for o in listed["items"]}
    listed = caller.get("/api/orgs", {"parent": tree.town_b.pk, "include_dissolved": "true"}).json()
    assert tree.village_a2.pk in {o["id"] for o in listed["items"]}


@pytest.mark.parametrize("role", ["inspector", "member"])
def test_read_only_roles_cannot_write_orgs(tree, as_role, role):
    caller = as_role(role)
    o = tree.village_a2.pk
    writes = [
        ("POST", "/api/orgs", {"parent": tree.town_a.pk, "name": "中共甲镇X支部委员会", "code": "X1", "org_type": "branch",
                               "established_on": "2021-01-01"}),
        ("PATCH", f"/api/orgs/{o}", {"version": 1, "contact_phone": "1"}),
        ("POST", f"/api/orgs/{o}/rename", {"name": "新名", "date": "2021-01-01"}),
        ("POST", f"/api/orgs/{o}/change-type", {"org_type": "general_branch", "date": "2021-01-01"}),
        ("POST", f"/api/orgs/{o}/move", {"parent": tree.town_a.pk, "date": "2021-01-01"}),
        ("POST", f"/api/orgs/{o}/merge", {"into": tree.village_a1.pk, "date": "2021-01-01"}),
        ("POST", f"/api/orgs/{o}/dissolve", {"date": "2021-01-01"}),
    ]
    before = (Org.objects.count(), OrgEvent.objects.count(), AuditEvent.objects.count())
    for method, url, body in writes:
        resp = caller.call(method, url, body)
        assert resp.status_code == 404, (method, url, resp.content)
        assert "未找到" in resp.json()["detail"]
    assert (Org.objects.count(), OrgEvent.objects.count(), AuditEvent.objects.count()) == before
    tree.village_a2.refresh_from_db()
    assert tree.village_a2.version == 1 and tree.village_a2.is_active
