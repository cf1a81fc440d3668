"""The API: candidates, cases, counts and surveys (read); identify, nominate, confirm, dismiss, plan
(create, update), milestones, progress with its files (multipart), acceptance (multipart) and surveys
(record, update) as writes — with the platform's token auth and error shapes. Bad input answers 422
with the services' Chinese messages by field and writes nothing; out-of-scope ids and read-only roles
are 404 and write nothing."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from dangjian.accounts.services import user_issue_api_token
from dangjian.common.models import AuditEvent
from dangjian.orglife import rules as file_rules
from dangjian.rectification import rules, services
from dangjian.rectification.models import (
    Acceptance,
    Case,
    Finding,
    Milestone,
    Plan,
    RectificationFile,
    SatisfactionSurvey,
)
from dangjian.rectification.tests import scope_objects
from dangjian.rectification.tests.conftest import PNG, row_counts

pytestmark = pytest.mark.urls("dangjian.rectification.tests.api_urls")
BASE = "/test-api/rectification"


class Caller:
    def __init__(self, user):
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {user_issue_api_token(actor=None, user=user)}"}

    def get(self, url, params=None):
        return self.client.get(BASE + url, params or {}, headers=self.headers)

    def post(self, url, body=None):
        return self.client.post(BASE + url, json.dumps(body or {}), content_type="application/json",
                                headers=self.headers)

    def patch(self, url, body=None):
        return self.client.patch(BASE + url, json.dumps(body or {}), content_type="application/json",
                                 headers=self.headers)

    def multipart(self, url, data):
        return self.client.post(BASE + url, data, headers=self.headers)

    def call(self, method, url, body):
        return {"POST": self.post, "PATCH": self.patch, "MULTIPART": self.multipart}[method](url, body)


def png(name="整改照片.png"):
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def exe(name="setup.exe"):
    return SimpleUploadedFile(name, b"MZ\x90\x00" + b"\x00" * 60, content_type="application/octet-stream")


def assert_refused(resp, status, **fields):
    """A refusal with ``status``; for 422 each field carries exactly the given Chinese messages."""
    assert resp.status_code == status, resp.content.decode()
    if fields:
        errors = resp.json()["errors"]
        for field, messages in fields.items():
            assert errors.get(field) == messages, errors


def test_candidates_cases_counts_and_confirm(tree):
    admin = tree.users["county_admin"]
    today = timezone.localdate()
    api = Caller(tree.users["township_organizer"])
    resp = api.get("/candidates", {"org_id": tree.town_a.pk, "year": today.year})
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert body["judged"] == 2
    found = {c["org_id"]: {f["criterion"] for f in c["findings"]} for c in body["candidates"]}
    # no secretary posts and no secretary name on record: vacant since 2000
    assert rules.SECRETARY_VACANT in found[tree.village_a1.pk]
    case = services.case_nominate(actor=admin, org=tree.village_a1, year=today.year, category="c02",
                                  reason="书记不胜任", today=today)
    resp = api.get("/cases", {"org_id": tree.town_a.pk, "year": today.year, "state": "candidates"})
    assert [c["id"] for c in resp.json()] == [case.pk]
    resp = api.post(f"/cases/{case.pk}/confirm", {"version": case.version})
    assert resp.status_code == 200, resp.content
    out = resp.json()
    assert out["case"]["status"] == rules.CONFIRMED and out["case"]["confirming_org_id"] == tree.town_a.pk
    assert out["warnings"] and "倒排比例" in out["warnings"][0]
    again = api.post(f"/cases/{case.pk}/confirm", {})
    assert again.status_code == 422 and "不能确认" in again.json()["detail"]
    resp = api.get("/counts", {"org_id": tree.county.pk, "year": today.year})
    assert resp.status_code == 404  # the county is outside 甲镇's scope
    counts = Caller(admin).get("/counts", {"org_id": tree.county.pk, "year": today.year}).json()
    assert counts["total"]["identified"] == 1 and counts["sentence"] == "整顿软弱涣散基层党组织1个，验收通过0个"
    row = next(r for r in counts["rows"] if r["org_id"] == tree.town_a.pk)
    assert row["shares"]["村"] == [1, 2, 50.0]


def test_progress_and_scope(tree):
    admin = tree.users["county_admin"]
    today = timezone.localdate()
    case = services.case_nominate(actor=admin, org=tree.village_b1, year=today.year, category="c02", reason="x",
                                  today=today)
    services.case_confirm(actor=admin, case=case, today=today)
    organizer = Caller(tree.users["township_organizer"])  # 甲镇: 乙镇一村 is outside
    member = Caller(tree.users["member"])
    before = row_counts()  # issuing tokens is audited: count after it
    assert organizer.get(f"/cases/{case.pk}").status_code == 404
    assert organizer.post(f"/cases/{case.pk}/progress", {"date": today.isoformat(), "text": "x"}).status_code == 404
    assert member.get(f"/cases/{case.pk}").status_code == 404
    assert row_counts() == before
    api = Caller(admin)
    # not rectifying yet: no plan
    resp = api.post(f"/cases/{case.pk}/progress", {"date": today.isoformat(), "text": "进展"})
    assert resp.status_code == 422 and services.NO_PLAN in resp.json()["detail"]
    detail = api.get(f"/cases/{case.pk}").json()
    assert detail["status"] == rules.CONFIRMED and detail["findings"][0]["criterion"] == rules.MANUAL
    assert detail["plan"] is None


# --- identification, nomination, dismissal ---------------------------------------------------------------------


def test_identify_records_candidates_once(tree):
    today = timezone.localdate()
    api = Caller(tree.users["township_organizer"])
    before = row_counts()
    bad = api.post(f"/orgs/{tree.town_a.pk}/identify", {"year": 1999})
    assert_refused(bad, 422, year=[services.YEAR_INVALID.format(year=today.year)])
    assert row_counts() == before
    resp = api.post(f"/orgs/{tree.town_a.pk}/identify", {"year": today.year})
    assert resp.status_code == 200, resp.content.decode()
    first = resp.json()
    # both villages of 甲镇 have no secretary on record: two candidates
    assert first["created"] == 2 and first["findings"] >= 2 and first["unchanged"] == 0
    assert set(Case.objects.filter(year=today.year).values_list("org_id", flat=True)) == {tree.village_a1.pk,
                                                                                        tree.village_a2.pk}
    again = api.post(f"/orgs/{tree.town_a.pk}/identify", {"year": today.year}).json()
    assert again == {"created": 0, "findings": 0, "unchanged": 0}
    assert Finding.objects.count() == first["findings"]


def test_nominate_and_dismiss(tree):
    today = timezone.localdate()
    admin = Caller(tree.users["county_admin"])
    api = Caller(tree.users["township_organizer"])
    before = row_counts()
    bad = api.post(f"/orgs/{tree.village_a1.pk}/nominations", {"year": today.year, "category": "", "reason": " "})
    assert_refused(bad, 422, category=[services.CATEGORY_INVALID], reason=[services.REASON_REQUIRED])
    # A township committee is not a grassroots organization: the service's "org" is this request's org_id.
    not_judged = admin.post(f"/orgs/{tree.town_a.pk}/nominations", {"year": today.year, "category": "c02", "reason": "x"})
    assert_refused(not_judged, 422, org_id=[services.ORG_NOT_JUDGED.format(name=tree.town_a.name)])
    too_long = api.post(f"/orgs/{tree.village_a1.pk}/nominations",
                        {"year": today.year, "category": "c02", "reason": "长" * 2001})
    assert_refused(too_long, 422, reason=["最多2000个字符。"])
    assert row_counts() == before

    resp = api.post(f"/orgs/{tree.village_a1.pk}/nominations",
                    {"year": today.year, "category": "c03", "reason": "班子不团结，内耗严重。"})
    assert resp.status_code == 201, resp.content.decode()
    case = resp.json()
    assert (case["org_id"], case["status"], case["year"]) == (tree.village_a1.pk, rules.CANDIDATE, today.year)
    assert [(f["criterion"], f["category"], f["facts"]) for f in case["findings"]] == [
        (rules.MANUAL, "c03", "班子不团结，内耗严重。")]
    event = AuditEvent.objects.get(action="rectification.case.nominate")
    assert (event.actor_id, event.reason) == (tree.users["township_organizer"].pk, "班子不团结，内耗严重。")

    before = row_counts()
    assert_refused(api.post(f"/cases/{case['id']}/dismiss", {"reason": "", "version": case["version"]}), 422,
                   reason=[services.REASON_REQUIRED])
    assert_refused(api.post(f"/cases/{case['id']}/dismiss", {"reason": "误报", "version": case["version"] + 5}), 409)
    assert row_counts() == before
    resp = api.post(f"/cases/{case['id']}/dismiss", {"reason": "经核实，班子已调整。", "version": case["version"]})
    assert resp.status_code == 200, resp.content.decode()
    out = resp.json()
    assert (out["status"], out["dismiss_reason"], out["version"]) == (rules.DISMISSED, "经核实，班子已调整。",
                                                                      case["version"] + 1)
    assert AuditEvent.objects.get(action="rectification.case.dismiss").reason == "经核实，班子已调整。"
    # dismissed: a second dismissal is refused with the status named
    assert_refused(api.post(f"/cases/{case['id']}/dismiss", {"reason": "再次"}), 422,
                   __all__=[services.STATUS_NOT.format(status="已排除", action="排除")])


# --- a case's life: plan, milestones, progress with files, plan update, acceptance ------------------------------


@pytest.fixture
def confirmed(tree):
    """甲镇一村, nominated and confirmed by 甲镇 (its township), today."""
    today = timezone.localdate()
    organizer = tree.users["township_organizer"]
    case = services.case_nominate(actor=organizer, org=tree.village_a1, year=today.year, category="c02",
                                  reason="书记长期外出。", today=today)
    services.case_confirm(actor=organizer, case=case, today=today)
    return Case.objects.get(pk=case.pk)


def plan_body(leader_id, deadline):
    return {"responsible_person": "甲镇组织委员", "responsibility": "调整班子、建立制度", "goal": "年底前组织生活正常",
            "reward_penalty": "验收不通过的约谈", "leader_id": leader_id, "leader_name": "张三", "leader_post": "镇党委书记",
            "deadline": deadline.isoformat(), "measures": "每周一次督导"}


def test_plan_create_and_update(tree, confirmed):
    today = timezone.localdate()
    organizer = tree.users["township_organizer"]
    api = Caller(organizer)
    leaders = api.get(f"/cases/{confirmed.pk}/leaders").json()
    assert {u["id"] for u in leaders} == {organizer.pk, tree.users["county_admin"].pk}
    # the branch secretary can see the village but may not decide its case: no choices, not an error
    assert Caller(tree.users["branch_secretary"]).get(f"/cases/{confirmed.pk}/leaders").json() == []

    before = row_counts()
    empty = api.post(f"/cases/{confirmed.pk}/plan", {})
    assert_refused(empty, 422, responsible_person=[rules.REQUIRED.format(label=rules.PLAN_LABELS["responsible_person"])],
                   leader_id=[rules.REQUIRED.format(label="包联领导（平台账号）")],
                   deadline=[rules.REQUIRED.format(label="整顿期限")])
    # the branch secretary's account is not one of the choices: refused, like an id that does not exist
    not_leader = api.post(f"/cases/{confirmed.pk}/plan", plan_body(tree.users["branch_secretary"].pk, today))
    assert_refused(not_leader, 422, leader_id=[services.LEADER_INVALID])
    assert api.post(f"/cases/{confirmed.pk}/plan", plan_body(987654321, today)).json() == not_leader.json()
    past = api.post(f"/cases/{confirmed.pk}/plan", plan_body(organizer.pk, today))
    assert_refused(past, 422, deadline=[rules.DEADLINE_NOT_AFTER.format(date=today.isoformat())])
    assert row_counts() == before

    deadline = today + dt.timedelta(days=90)
    resp = api.post(f"/cases/{confirmed.pk}/plan", plan_body(organizer.pk, deadline))
    assert resp.status_code == 201, resp.content.decode()
    case = resp.json()
    assert case["status"] == rules.RECTIFYING
    plan = case["plan"]
    assert (plan["leader_id"], plan["deadline"], plan["made_on"], plan["version"]) == (
        organizer.pk, deadline.isoformat(), today.isoformat(), 1)
    assert plan["responsible_person"] == "甲镇组织委员" and plan["measures"] == "每周一次督导"

    milestone = api.post(f"/cases/{confirmed.pk}/milestones",
                         {"title": "换届选举", "due": (today + dt.timedelta(days=60)).isoformat()}).json()
    before = row_counts()
    no_reason = api.patch(f"/cases/{confirmed.pk}/plan", {"version": 1, "deadline": (today + dt.timedelta(days=120)).isoformat()})
    assert_refused(no_reason, 422, reason=[services.REASON_REQUIRED])
    before_milestone = api.patch(f"/cases/{confirmed.pk}/plan", {
        "version": 1, "reason": "提前", "deadline": (today + dt.timedelta(days=30)).isoformat()})  # fmt: skip
    assert_refused(before_milestone, 422, deadline=[services.DEADLINE_BEFORE_MILESTONE.format(date=milestone["due"])])
    unchanged = api.patch(f"/cases/{confirmed.pk}/plan", {"version": 1, "reason": "无", "goal": "年底前组织生活正常"})
    assert_refused(unchanged, 422, __all__=[services.PLAN_UNCHANGED])
    assert row_counts() == before

    later = today + dt.timedelta(days=120)
    resp = api.patch(f"/cases/{confirmed.pk}/plan", {"version": 1, "reason": "因换届推迟，延长整顿期限。",
                                                     "deadline": later.isoformat()})
    assert resp.status_code == 200, resp.content.decode()
    plan = resp.json()["plan"]
    # only the deadline changed; everything left out kept its value
    assert (plan["deadline"], plan["version"], plan["goal"], plan["leader_id"]) == (
        later.isoformat(), 2, "年底前组织生活正常", organizer.pk)
    event = AuditEvent.objects.filter(action="rectification.plan.update").get()
    assert event.reason == "因换届推迟，延长整顿期限。" and event.changes["deadline"] == [str(deadline), str(later)]
    stale = api.patch(f"/cases/{confirmed.pk}/plan", {"version": 1, "reason": "再延", "deadline": later.isoformat()})
    assert_refused(stale, 409)
    assert Plan.objects.get().version == 2


def test_milestones_progress_files_and_acceptance(tree, confirmed):
    today = timezone.localdate()
    organizer = tree.users["township_organizer"]
    api = Caller(organizer)
    secretary = Caller(tree.users["branch_secretary"])  # the village's own writer reports progress
    services.plan_create(actor=organizer, case=confirmed, responsible_person="甲镇组织委员", responsibility="抓班子",
                         goal="组织生活正常", reward_penalty="约谈", leader=organizer, leader_name="张三",
                         leader_post="镇党委书记", deadline=today + dt.timedelta(days=90), today=today)  # fmt: skip

    before = row_counts()
    bad = secretary.post(f"/cases/{confirmed.pk}/milestones", {"title": " ", "due": (today + dt.timedelta(days=91)).isoformat()})
    assert_refused(bad, 422, title=[services.MILESTONE_TITLE],
                   due=[rules.DUE_AFTER_DEADLINE.format(date=(today + dt.timedelta(days=90)).isoformat())])
    assert row_counts() == before
    resp = secretary.post(f"/cases/{confirmed.pk}/milestones", {"title": "调整班子", "due": (today + dt.timedelta(days=30)).isoformat()})
    assert resp.status_code == 201, resp.content.decode()
    milestone = resp.json()
    assert (milestone["title"], milestone["case_id"], milestone["done_on"]) == ("调整班子", confirmed.pk, None)

    tomorrow = today + dt.timedelta(days=1)
    before = row_counts()
    future = secretary.post(f"/milestones/{milestone['id']}/done", {"done_on": tomorrow.isoformat()})
    assert_refused(future, 422, done_on=[rules.DATE_FUTURE.format(label="完成日期", today=today.isoformat())])
    assert row_counts() == before
    done = secretary.post(f"/milestones/{milestone['id']}/done", {"done_on": today.isoformat(), "note": "已选出新书记"})
    assert done.status_code == 200, done.content.decode()
    assert (done.json()["done_on"], done.json()["note"]) == (today.isoformat(), "已选出新书记")
    assert Milestone.objects.get().done_on == today
    assert_refused(secretary.post(f"/milestones/{milestone['id']}/done", {"done_on": today.isoformat()}), 422,
                   done_on=[services.MILESTONE_DONE.format(date=today.isoformat())])

    report = secretary.post(f"/cases/{confirmed.pk}/progress", {"date": today.isoformat(), "text": "已召开专题会议。"})
    assert report.status_code == 201, report.content.decode()
    progress_id = report.json()["id"]
    before = row_counts()
    forbidden = secretary.multipart(f"/progress/{progress_id}/files", {"files": [png(), exe()]})
    assert forbidden.status_code == 422, forbidden.content.decode()
    [message] = forbidden.json()["errors"]["files"]
    assert message.startswith(file_rules.FILE_TYPE_NOT_ALLOWED.split("{")[0]) and "setup.exe" in message
    assert_refused(secretary.multipart(f"/progress/{progress_id}/files", {}), 422, files=["请选择文件。"])
    assert row_counts() == before
    resp = secretary.multipart(f"/progress/{progress_id}/files", {"files": [png("会议.png"), png("签到.png")]})
    assert resp.status_code == 201, resp.content.decode()
    out = resp.json()
    assert out["files"] == ["会议.png", "签到.png"] and [f["file_type"] for f in out["attachments"]] == ["png", "png"]
    download = secretary.get(f"/files/{out['attachments'][0]['id']}")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PNG

    # acceptance: by the township, multipart, not by the village itself
    body = {"date": today.isoformat(), "accepted_by": "甲镇党委", "result": rules.NOT_PASSED, "notes": ""}
    before = row_counts()
    assert secretary.multipart(f"/cases/{confirmed.pk}/acceptances", {**body, "notes": "x"}).status_code == 404
    assert_refused(api.multipart(f"/cases/{confirmed.pk}/acceptances", body), 422, notes=[rules.NOTES_REQUIRED])
    assert_refused(api.multipart(f"/cases/{confirmed.pk}/acceptances", {**body, "result": "ok", "accepted_by": ""}), 422,
                   result=[rules.RESULT_INVALID], accepted_by=[rules.REQUIRED.format(label="验收组织（人员）")])
    assert_refused(api.multipart(f"/cases/{confirmed.pk}/acceptances", {**body, "date": "2026-13-40"}), 422,
                   date=["日期格式应为 YYYY-MM-DD，且须是有效日期。"])
    assert row_counts() == before
    failed = api.multipart(f"/cases/{confirmed.pk}/acceptances", {**body, "notes": "组织生活仍不正常。", "files": [png("验收.png")]})
    assert failed.status_code == 201, failed.content.decode()
    out = failed.json()
    assert (out["acceptance"]["result"], out["case"]["status"]) == (rules.NOT_PASSED, rules.RECTIFYING)
    assert [f["name"] for f in out["acceptance"]["attachments"]] == ["验收.png"]
    passed = api.multipart(f"/cases/{confirmed.pk}/acceptances", {**body, "result": rules.PASSED, "notes": "整改到位。"})
    assert passed.status_code == 201, passed.content.decode()
    out = passed.json()
    assert (out["case"]["status"], out["case"]["accepted_on"], out["acceptance"]["result_label"]) == (
        rules.ACCEPTED, today.isoformat(), "验收通过")
    assert Acceptance.objects.count() == 2 and RectificationFile.objects.count() == 3
    detail = api.get(f"/cases/{confirmed.pk}").json()
    assert [a["result"] for a in detail["acceptances"]] == [rules.NOT_PASSED, rules.PASSED]
    assert detail["progress"][0]["files"] == ["会议.png", "签到.png"]


# --- satisfaction surveys -------------------------------------------------------------------------------------------


def test_survey_record_and_update(tree):
    today = timezone.localdate()
    api = Caller(tree.users["township_organizer"])
    url = f"/orgs/{tree.village_a1.pk}/surveys"
    body = {"year": today.year, "date": today.isoformat(), "respondents": 80, "satisfied": 90, "method": ""}
    before = row_counts()
    assert_refused(api.post(url, body), 422, satisfied=[rules.COUNT_INVALID], method=[services.METHOD_REQUIRED])
    assert_refused(api.post(url, {**body, "satisfied": 3_000_000_000, "method": "问卷"}), 422,
                   satisfied=["不能大于2147483647。"])
    assert row_counts() == before
    resp = api.post(url, {**body, "satisfied": 40, "method": "入户问卷"})
    assert resp.status_code == 201, resp.content.decode()
    survey = resp.json()
    assert (survey["org_id"], survey["respondents"], survey["satisfied"], survey["percent"], survey["version"]) == (
        tree.village_a1.pk, 80, 40, 50.0, 1)
    before = row_counts()
    assert_refused(api.post(url, {**body, "satisfied": 40, "method": "入户问卷"}), 422,
                   year=[services.SURVEY_EXISTS.format(name=tree.village_a1.name, year=today.year)])
    assert row_counts() == before
    listed = api.get(url, {"year": today.year}).json()
    assert [s["id"] for s in listed] == [survey["id"]]

    sid = survey["id"]
    before = row_counts()
    assert_refused(api.patch(f"/surveys/{sid}", {"version": 1, "satisfied": 81}), 422, satisfied=[rules.COUNT_INVALID])
    assert_refused(api.patch(f"/surveys/{sid}", {"version": 7, "satisfied": 60}), 409)
    assert row_counts() == before
    resp = api.patch(f"/surveys/{sid}", {"version": 1, "satisfied": 60})
    assert resp.status_code == 200, resp.content.decode()
    out = resp.json()
    assert (out["satisfied"], out["respondents"], out["method"], out["percent"], out["version"]) == (
        60, 80, "入户问卷", 75.0, 2)
    assert SatisfactionSurvey.objects.get().satisfied == 60
    assert AuditEvent.objects.get(action="rectification.survey.update").changes == {"satisfied": [40, 60]}
    assert Caller(tree.users["inspector"]).get(f"/surveys/{sid}").json()["satisfied"] == 60


# --- scope and read-only roles: every write route --------------------------------------------------------------


def write_calls(ids: dict[str, int], org_id: int, leader_id: int) -> list[tuple[str, str, object]]:
    """Every write route with a body that would succeed for a caller allowed to make it."""
    today = timezone.localdate()
    case, progress = ids["rectification_case"], ids["rectification_progress"]
    return [
        ("POST", f"/orgs/{org_id}/identify", {"year": today.year}),
        ("POST", f"/orgs/{org_id}/nominations", {"year": today.year, "category": "c02", "reason": "书记不胜任"}),
        ("POST", f"/cases/{case}/confirm", {}),
        ("POST", f"/cases/{case}/dismiss", {"reason": "误报"}),
        ("POST", f"/cases/{case}/plan", plan_body(leader_id, today + dt.timedelta(days=60))),
        ("PATCH", f"/cases/{case}/plan", {"version": 1, "reason": "延期",
                                           "deadline": (today + dt.timedelta(days=200)).isoformat()}),
        ("POST", f"/cases/{case}/milestones", {"title": "建制度", "due": (today + dt.timedelta(days=10)).isoformat()}),
        ("POST", f"/milestones/{ids['rectification_milestone']}/done", {"done_on": today.isoformat()}),
        ("POST", f"/cases/{case}/progress", {"date": today.isoformat(), "text": "进展"}),
        ("MULTIPART", f"/progress/{progress}/files", {"files": [png()]}),
        ("MULTIPART", f"/cases/{case}/acceptances", {"date": today.isoformat(), "accepted_by": "县委组织部",
                                                     "result": rules.PASSED, "notes": "", "files": [png()]}),
        ("POST", f"/orgs/{org_id}/surveys", {"year": today.year - 1, "date": today.isoformat(), "respondents": 10,
                                            "satisfied": 9, "method": "问卷"}),
        ("PATCH", f"/surveys/{ids['rectification_survey']}", {"version": 1, "satisfied": 8}),
    ]


def read_urls(ids: dict[str, int], org_id: int) -> list[str]:
    return [f"/cases/{ids['rectification_case']}", f"/cases/{ids['rectification_case']}/leaders",
            f"/files/{ids['rectification_file']}", f"/surveys/{ids['rectification_survey']}",
            f"/orgs/{org_id}/surveys", f"/cases?org_id={org_id}"]


@pytest.mark.parametrize("role", ["township_organizer", "branch_secretary", "member"])
def test_out_of_scope_ids_are_404_and_write_nothing(tree, settings, tmp_path, role):
    """乙镇一村's objects, for 甲镇's users (and a member): missing, whatever the route."""
    admin = tree.users["county_admin"]
    ids = scope_objects.make(admin, tree.village_b1, tree.town_b)
    api = Caller(tree.users[role])
    before = row_counts()
    for method, url, body in write_calls(ids, tree.village_b1.pk, admin.pk):
        resp = api.call(method, url, body)
        assert resp.status_code == 404, f"{method} {url}: {resp.status_code} {resp.content.decode()}"
        assert resp.json()["detail"] == "未找到：该记录不存在，或不在您管理的范围内。"
    for url in read_urls(ids, tree.village_b1.pk):
        assert api.get(url).status_code == 404, url
    assert row_counts() == before


def test_read_only_roles_may_read_but_not_write(tree):
    """The inspector sees 甲镇一村's case, files and survey, and every write is refused as 404."""
    admin = tree.users["county_admin"]
    ids = scope_objects.make(admin, tree.village_a1, tree.town_a)
    inspector = Caller(tree.users["inspector"])
    for url in read_urls(ids, tree.village_a1.pk):
        assert inspector.get(url).status_code == 200, url
    before = row_counts()
    for method, url, body in write_calls(ids, tree.village_a1.pk, admin.pk):
        resp = inspector.call(method, url, body)
        assert resp.status_code == 404, f"{method} {url}: {resp.status_code} {resp.content.decode()}"
    assert row_counts() == before
    # The same calls are not refused for a writer above the village: the 404s above are the role's.
    county = Caller(admin)
    assert county.call(*write_calls(ids, tree.village_a1.pk, admin.pk)[6]).status_code == 201


# --- review: duplicates, no-op edits, input the page would refuse --------------------------------------------------


def test_the_same_nomination_twice_is_recorded_once(tree):
    """A phone retrying a nomination (same category, same reason) must not add the finding twice; another
    reason for the same organization and year is a new finding, as before."""
    today = timezone.localdate()
    api = Caller(tree.users["township_organizer"])
    url = f"/orgs/{tree.village_a1.pk}/nominations"
    body = {"year": today.year, "category": "c03", "reason": "班子不团结，内耗严重。"}
    assert api.post(url, body).status_code == 201
    before = row_counts()
    again = api.post(url, {**body, "reason": " 班子不团结，内耗严重。 "})
    assert_refused(again, 422, reason=[services.NOMINATION_REPEATED.format(name=tree.village_a1.name, year=today.year)])
    assert row_counts() == before
    other = api.post(url, {**body, "reason": "书记长期外出，工作停滞。"})
    assert other.status_code == 201, other.content.decode()
    assert [f["facts"] for f in other.json()["findings"]] == ["班子不团结，内耗严重。", "书记长期外出，工作停滞。"]
    assert AuditEvent.objects.filter(action="rectification.case.nominate").count() == 2


def test_survey_update_that_changes_nothing_writes_nothing(tree):
    """An empty PATCH, or one repeating the stored values, is refused: no version bump (which would make
    another editor's save a 409 for nothing) and no empty audit event."""
    today = timezone.localdate()
    api = Caller(tree.users["township_organizer"])
    sv = api.post(f"/orgs/{tree.village_a1.pk}/surveys", {"year": today.year, "date": today.isoformat(),
                                                         "respondents": 80, "satisfied": 40, "method": "入户问卷"}).json()
    before = row_counts()
    for body in ({"version": 1}, {"version": 1, "satisfied": 40, "method": "入户问卷"}):
        assert_refused(api.patch(f"/surveys/{sv['id']}", body), 422, __all__=[services.SURVEY_UNCHANGED])
    assert row_counts() == before
    assert SatisfactionSurvey.objects.get().version == 1


def test_survey_year_out_of_range_is_one_message(tree):
    """A wrong year is reported once, on year: not also as a date that does not fit that year."""
    today = timezone.localdate()
    api = Caller(tree.users["township_organizer"])
    for year in (1999, 10**20):
        resp = api.post(f"/orgs/{tree.village_a1.pk}/surveys", {"year": year, "date": today.isoformat(),
                                                               "respondents": 10, "satisfied": 9, "method": "问卷"})
        assert_refused(resp, 422, year=[services.YEAR_INVALID.format(year=today.year)])
        assert set(resp.json()["errors"]) == {"year"}, resp.json()


def test_acceptance_too_long_accepted_by_is_refused_not_cut(tree, confirmed):
    """The page refuses more than 200 characters; the API must not silently keep only the first 200."""
    today = timezone.localdate()
    organizer = tree.users["township_organizer"]
    services.plan_create(actor=organizer, case=confirmed, responsible_person="甲镇组织委员", responsibility="抓班子",
                         goal="组织生活正常", reward_penalty="约谈", leader=organizer, leader_name="张三",
                         leader_post="镇党委书记", deadline=today + dt.timedelta(days=90), today=today)  # fmt: skip
    api = Caller(organizer)  # issuing its token is audited: before the count
    before = row_counts()
    resp = api.multipart(f"/cases/{confirmed.pk}/acceptances", {
        "date": today.isoformat(), "accepted_by": "县" * 201, "result": rules.PASSED, "notes": ""})  # fmt: skip
    assert_refused(resp, 422, accepted_by=["最多200个字符。"])
    assert row_counts() == before


def test_plan_with_a_wrong_leader_reports_every_problem_at_once(tree, confirmed):
    """A leader id that is not offered and a missing 定 are both reported, as the service reports all."""
    api = Caller(tree.users["township_organizer"])
    body = {**plan_body(tree.users["branch_secretary"].pk, timezone.localdate() + dt.timedelta(days=30)), "goal": " "}
    before = row_counts()
    assert_refused(api.post(f"/cases/{confirmed.pk}/plan", body), 422, leader_id=[services.LEADER_INVALID],
                   goal=[rules.REQUIRED.format(label=rules.PLAN_LABELS["goal"])])
    assert row_counts() == before


def test_progress_json_with_files_is_refused(tree, confirmed):
    """Files cannot ride in the JSON body: a client sending them must learn so, not lose them silently."""
    today = timezone.localdate()
    organizer = tree.users["township_organizer"]
    services.plan_create(actor=organizer, case=confirmed, responsible_person="甲镇组织委员", responsibility="抓班子",
                         goal="组织生活正常", reward_penalty="约谈", leader=organizer, leader_name="张三",
                         leader_post="镇党委书记", deadline=today + dt.timedelta(days=90), today=today)  # fmt: skip
    api = Caller(organizer)
    before = row_counts()
    resp = api.post(f"/cases/{confirmed.pk}/progress",
                    {"date": today.isoformat(), "text": "已召开专题会议。", "files": ["会议.png"]})
    assert resp.status_code == 422 and "files" in resp.json()["errors"], resp.content.decode()
    assert row_counts() == before
