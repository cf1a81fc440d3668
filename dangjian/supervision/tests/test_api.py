"""The supervision API: issue, acknowledge, progress, multipart evidence, return, resubmit, accept,
board; Chinese error bodies with nothing written; 404 outside scope (and for read-only roles' writes)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from dangjian.api.tests.conftest import Caller, session_caller, token_caller
from dangjian.supervision import rules
from dangjian.supervision.models import Item, Task
from dangjian.supervision.tests import scope_objects
from dangjian.supervision.tests.conftest import exe, png, row_counts
from dangjian.testing import Tree

pytestmark = [pytest.mark.django_db, pytest.mark.urls("dangjian.supervision.tests.api_urls")]
BASE = "/api/supervision"


@pytest.fixture(params=["token", "session"])
def call_as(request, tree: Tree):
    def make(role: str) -> Caller:
        user = tree.users[role]
        return token_caller(user) if request.param == "token" else session_caller(user)

    return make


def upload(caller: Caller, item_id: int, text: str, files) -> object:
    return caller.client.post(f"{BASE}/items/{item_id}/submit", {"text": text, "files": files}, headers=caller.headers)


def test_life_through_the_api(tree: Tree, call_as):
    today = timezone.localdate()
    admin, secretary = call_as("county_admin"), call_as("branch_secretary")
    resp = admin.post(f"{BASE}/tasks", {
        "issuer_id": tree.county.pk, "title": "学习教育", "deadline": (today + dt.timedelta(days=10)).isoformat(),
        "actions": "学习\n研讨", "receiver_org_ids": [tree.village_a1.pk, tree.village_b1.pk],
    })  # fmt: skip
    assert resp.status_code == 201, resp.content.decode()
    body = resp.json()
    assert body["task"]["actions"] == ["学习", "研讨"] and body["rates"]["assigned"] == 2
    assert {i["light"]["color"] for i in body["items"]} == {rules.AMBER}
    task_id = body["task"]["id"]
    item_id = next(i["id"] for i in body["items"] if i["receiver_org_id"] == tree.village_a1.pk)

    assert secretary.post(f"{BASE}/items/{item_id}/acknowledge").json()["status"] == rules.ACKNOWLEDGED
    assert secretary.post(f"{BASE}/items/{item_id}/progress", {"text": "学习了两次"}).json()["events"][-1]["text"] == "学习了两次"
    before = row_counts()
    bad = upload(secretary, item_id, "见附件", [exe()])
    assert bad.status_code == 422 and "“setup.exe”的文件类型不允许" in bad.json()["errors"]["files"][0]
    assert row_counts() == before
    ok = upload(secretary, item_id, "完成", [png(), png("二.png")])
    assert ok.status_code == 200, ok.content.decode()
    assert [e["name"] for e in ok.json()["events"][-1]["evidence"]] == ["现场照片.png", "二.png"]

    assert admin.post(f"{BASE}/items/{item_id}/return", {"reason": ""}).json()["errors"] == {"reason": [rules.RETURN_REASON]}
    returned = admin.post(f"{BASE}/items/{item_id}/return", {"reason": "缺少研讨记录"}).json()
    assert (returned["status"], returned["returned_count"], returned["light"]["sub"]) == (rules.RETURNED, 1, rules.SUB_RETURNED)
    assert upload(secretary, item_id, "补充研讨记录", [png()]).status_code == 200
    # The receiver cannot accept its own item: 404, as for anything it may not do.
    assert secretary.post(f"{BASE}/items/{item_id}/accept", {}).status_code == 404
    accepted = admin.post(f"{BASE}/items/{item_id}/accept", {"text": "通过"}).json()
    assert accepted["light"]["color"] == rules.GREEN and accepted["accepted_on"] == today.isoformat()

    evidence_id = ok.json()["events"][-1]["evidence"][0]["id"]
    download = secretary.get(f"{BASE}/evidence/{evidence_id}")
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"\x89PNG")
    assert call_as("township_organizer").get(f"{BASE}/evidence/{evidence_id}").status_code == 200
    board = admin.get(f"{BASE}/tasks/{task_id}/board").json()
    # 乙镇一村's item is not due yet: it counts for completion (1 of 2) but not for on time (1 of 1 decided).
    assert (board["rates"]["completion_rate"], board["rates"]["on_time_rate"], board["light_counts"]["green"]) == ("50.0", "100.0", 1)
    town_a = admin.get(f"{BASE}/tasks/{task_id}", {"township_id": tree.town_a.pk}).json()
    assert [i["receiver_org_id"] for i in town_a["items"]] == [tree.village_a1.pk]
    assert [t["id"] for t in call_as("township_organizer").get(f"{BASE}/tasks", {"box": "received"}).json()] == [task_id]
    assert [i["id"] for i in call_as("township_organizer").get(f"{BASE}/items").json()] == [item_id]


def test_bad_input_and_scope(tree: Tree, call_as):
    today = timezone.localdate()
    town = call_as("township_organizer")
    before = row_counts()
    past = town.post(f"{BASE}/tasks", {"issuer_id": tree.town_a.pk, "title": "x", "deadline": (today - dt.timedelta(days=1)).isoformat(),
                                       "receiver_org_ids": [tree.village_a1.pk]})  # fmt: skip
    assert past.status_code == 422 and "不能早于今天" in past.json()["errors"]["deadline"][0]
    # An organization outside the caller's scope is 404, like a missing one; the county (in nobody's
    # subtree of 甲镇) likewise.
    assert town.post(f"{BASE}/tasks", {"issuer_id": tree.town_a.pk, "title": "x", "deadline": today.isoformat(),
                                       "receiver_org_ids": [tree.village_b1.pk]}).status_code == 404  # fmt: skip
    assert town.post(f"{BASE}/tasks", {"issuer_id": tree.county.pk, "title": "x", "deadline": today.isoformat(),
                                       "receiver_org_ids": [tree.village_a1.pk]}).status_code == 404  # fmt: skip
    assert row_counts() == before

    admin_user = tree.users["county_admin"]
    a = scope_objects.make(admin_user, tree.village_a1, tree.town_a)
    b = scope_objects.make(admin_user, tree.village_b1, tree.town_b)
    inspector, member = call_as("inspector"), call_as("member")  # issuing their tokens is audited: before counting
    before = row_counts()
    for url in (f"/tasks/{b['task']}", f"/tasks/{b['task']}/board", f"/items/{b['item']}", f"/evidence/{b['evidence']}"):
        assert town.get(BASE + url).status_code == 404
    for act in ("acknowledge", "progress", "accept", "return", "cascade"):
        resp = town.post(f"{BASE}/items/{b['item']}/{act}", {"text": "x", "reason": "x", "receiver_org_ids": []})
        assert resp.status_code == 404 and resp.json()["detail"]
        assert inspector.post(f"{BASE}/items/{a['item']}/{act}", {"text": "x", "reason": "x", "receiver_org_ids": []}).status_code == 404
    assert upload(town, b["item"], "x", [png()]).status_code == 404
    assert member.get(f"{BASE}/items/{a['item']}").status_code == 404
    assert inspector.get(f"{BASE}/items/{a['item']}").status_code == 200
    assert row_counts() == before


def test_cascade_through_the_api(tree: Tree):
    today = timezone.localdate()
    admin = token_caller(tree.users["county_admin"])
    town = token_caller(tree.users["township_organizer"])
    body = admin.post(f"{BASE}/tasks", {"issuer_id": tree.county.pk, "title": "县级任务",
                                        "deadline": (today + dt.timedelta(days=8)).isoformat(),
                                        "receiver_org_ids": [tree.town_a.pk]}).json()  # fmt: skip
    parent_id = body["items"][0]["id"]
    resp = town.post(f"{BASE}/items/{parent_id}/cascade", {"receiver_org_ids": [tree.village_a1.pk]})
    assert resp.status_code == 201 and resp.json()["task"]["parent_item_id"] == parent_id
    child_id = resp.json()["items"][0]["id"]
    assert upload(token_caller(tree.users["branch_secretary"]), child_id, "完成", [png()]).status_code == 200
    town.post(f"{BASE}/items/{child_id}/accept", {})
    parent = admin.get(f"{BASE}/items/{parent_id}").json()
    assert parent["status"] == rules.SUBMITTED and parent["events"][-1]["by"] == "系统自动"
    assert [c["id"] for c in parent["children"]] == [child_id]
    assert Task.objects.count() == 2 and Item.objects.count() == 2


def test_session_write_needs_csrf(tree: Tree):
    client = Client(enforce_csrf_checks=True)
    client.force_login(tree.users["county_admin"])
    resp = client.post(f"{BASE}/tasks", "{}", content_type="application/json")
    assert resp.status_code in (401, 403)
    assert Task.objects.count() == 0
