"""The membership-development API (/api/recruitment/): every route, each role, the rule results of the
check-without-saving calls, bad input rejected with Chinese messages and nothing written (rows and
audit events counted), overrides only by the approving committee's users, and scope (404 exactly like
a missing id, nothing written)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from dangjian.api.tests.conftest import Caller, session_caller, token_caller
from dangjian.common import crypto
from dangjian.common.models import AuditEvent
from dangjian.members import rules as member_rules
from dangjian.members.models import Member
from dangjian.orgs.models import Org
from dangjian.recruitment import services
from dangjian.recruitment import steps as S
from dangjian.recruitment.models import DevelopmentPlan, DevelopmentRecord, PublicNotice, RuleOverride, Step
from dangjian.recruitment.tests.conftest import (
    BIRTH,
    TODAY,
    D,
    World,
    advance,
    happy_steps,
    new_record,
    row_counts,
)
from dangjian.testing import valid_id_number

pytestmark = pytest.mark.django_db
BASE = "/api/recruitment"
NONEXISTENT = 987654321


@pytest.fixture(params=["token", "session"])
def call_as(request, world: World):
    """``call_as("branch_secretary")`` → a Caller of that demo user, by token and by session."""

    def make(role: str) -> Caller:
        user = world.tree.users[role]
        return token_caller(user) if request.param == "token" else session_caller(user)

    return make


def api(world: World, role: str) -> Caller:
    return token_caller(world.tree.users[role])


def create_body(world: World, **kw: Any) -> dict[str, Any]:
    birth = kw.pop("birth_date", BIRTH)
    text = birth if isinstance(birth, str) else birth.isoformat()
    body = {
        "org_id": world.branch.pk, "name": "周新", "sex": "1", "birth_date": text,
        "id_number": valid_id_number(BIRTH if isinstance(birth, str) else birth, "1"), "education": "bachelor", "occupation": "farmer",
        "phone": "13900000009", "application": {"date": "2021-03-01", "details": {"received_by": "一村党支部"}},
    }  # fmt: skip
    body.update(kw)
    return body


def check_unchanged(before: dict[str, int]) -> None:
    assert row_counts() == before


def check_rejected(resp, status: int, *messages: str, field: str | None = None) -> dict[str, Any]:
    assert resp.status_code == status, resp.content.decode()
    body = resp.json()
    text = resp.content.decode()
    for m in messages:
        assert m in text, (m, text)
    if field is not None:
        assert field in body["errors"], body
    return body


# --- the route list ----------------------------------------------------------------------------------------


ROUTES = {
    ("GET", "/records"), ("POST", "/records"), ("POST", "/records/check"), ("GET", "/records/{record_id}"),
    ("POST", "/records/{record_id}/reveal"), ("POST", "/records/{record_id}/steps/check"),
    ("POST", "/records/{record_id}/steps"), ("POST", "/records/{record_id}/steps/{step_id}/withdraw"),
    ("POST", "/records/{record_id}/stop"), ("POST", "/records/{record_id}/extend"), ("POST", "/records/{record_id}/cancel"),
    ("GET", "/records/{record_id}/notices"), ("POST", "/records/{record_id}/notices"),
    ("PATCH", "/records/{record_id}/notices/{notice_id}"), ("GET", "/plans"), ("POST", "/plans"),
    ("GET", "/plans/{plan_id}"), ("GET", "/orgs/{org_id}/register"), ("GET", "/orgs/{org_id}/counts"),
}  # fmt: skip


def test_the_routes_are_these_and_tagged(world: World) -> None:
    """A new route must be added here and to the scope cases below (test_out_of_scope_ids...)."""
    schema = api(world, "county_admin").get("/api/openapi.json").json()
    routes = {(m.upper(), p.removeprefix(BASE)) for p, ops in schema["paths"].items() if p.startswith(BASE + "/")
              for m in ops}  # fmt: skip
    assert routes == ROUTES
    tags = {t for p, ops in schema["paths"].items() if p.startswith(BASE) for op in ops.values() for t in op["tags"]}
    assert tags == {"发展党员"}


# --- records ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["county_admin", "township_organizer", "branch_secretary"])
def test_writers_create_a_record_and_read_it(world: World, call_as, role: str) -> None:
    caller = call_as(role)
    audits = AuditEvent.objects.filter(action="recruitment.record.create").count()
    resp = caller.post(f"{BASE}/records", create_body(world))
    assert resp.status_code == 201, resp.content.decode()
    body = resp.json()
    rec = body["record"]
    assert (rec["name"], rec["status"], rec["status_label"], rec["stage"], rec["last_step"]) == (
        "周新", "applicant", "入党申请人", 1, 1)
    assert rec["applied_on"] == "2021-03-01"
    assert rec["org"] == {"id": world.branch.pk, "name": world.branch.name}
    # Masked personal data, the birth year but never the birth date.
    assert "*" in rec["id_number_masked"] and rec["phone_masked"] != "13900000009" and rec["birth_year"] == 1995
    assert "birth_date" not in rec and "1995-05-01" not in resp.content.decode()
    assert [(s["number"], s["date"], s["details"]) for s in rec["steps"]] == [(1, "2021-03-01", {"received_by": "一村党支部"})]
    assert [r["code"] for r in body["results"]] == ["R1.1"] and body["results"][0]["level"] == "pass"
    assert [n["number"] for n in rec["next_steps"]] == [2]
    assert [d["code"] for d in rec["deadlines"]] == ["talk_due"] and rec["deadlines"][0]["state"] == "overdue"
    assert AuditEvent.objects.filter(action="recruitment.record.create").count() == audits + 1

    got = caller.get(f"{BASE}/records/{rec['id']}")
    assert got.status_code == 200 and got.json() == rec
    listed = caller.get(f"{BASE}/records", {"status": "applicant"}).json()
    assert [r["id"] for r in listed["items"]] == [rec["id"]] and listed["count"] == 1


def test_create_bad_input_is_422_in_chinese_and_writes_nothing(world: World) -> None:
    caller = api(world, "branch_secretary")
    taken = new_record(world, name="已有", id_number=valid_id_number(BIRTH))
    young = D("2010-01-01")
    valid = valid_id_number(BIRTH)
    wrong_check_digit = valid[:-1] + ("0" if valid[-1] != "0" else "1")
    cases = [
        (create_body(world, id_number=wrong_check_digit), "id_number", "校验码"),
        (create_body(world, sex="9"), "sex", "不是有效的性别"),
        (create_body(world, education="phd-ish"), "education", "不是有效的学历"),
        (create_body(world, phone="12345"), "phone", services.PHONE_FORMAT),
        (create_body(world, name="  "), "name", services.NAME_REQUIRED),
        (create_body(world, id_number=crypto.decrypt(taken.id_number_enc)), "id_number", "已有正在进行的发展党员记录"),
        (create_body(world, application={"number": 2, "date": "2021-03-01"}), "number", services.FIRST_STEP),
        (create_body(world, application={"date": "2021-03-01", "details": {"colour": "红"}}), "details", "没有“colour”这项信息"),
        (create_body(world, application={"date": "2021-02-30"}), "application.date", "日期格式应为"),
        (create_body(world, birth_date="1995-13-01"), "birth_date", "日期格式应为"),
        ({k: v for k, v in create_body(world).items() if k != "name"}, "name", "此项为必填项"),
        ({**create_body(world), "favourite": 1}, "favourite", "不认识的字段"),
    ]
    for body, field, message in cases:
        before = row_counts()
        resp = caller.post(f"{BASE}/records", body)
        check_rejected(resp, 422, message, field=field)
        check_unchanged(before)
    # Rules that can never be overridden: under 18, and a date in the future — 422 with every result.
    for body in (create_body(world, birth_date=young, application={"date": "2025-06-01"}),
                 create_body(world, application={"date": (timezone.localdate() + dt.timedelta(days=3)).isoformat()}),
                 create_body(world, birth_date=young, application={"date": "2025-06-01"}, override_reason="特殊情况")):
        before = row_counts()
        out = check_rejected(caller.post(f"{BASE}/records", body), 422)
        assert any(r["level"] == "block" and not r["overridable"] for r in out["results"]), out
        assert out["errors"]["rules"]
        check_unchanged(before)
    # An organization outside the caller's scope: 404, as a missing one.
    before = row_counts()
    for org in (world.tree.village_b1.pk, world.tree.village_a2.pk, NONEXISTENT):
        resp = caller.post(f"{BASE}/records", create_body(world, org_id=org))
        assert resp.status_code == 404 and resp.json() == {"detail": "未找到：该记录不存在，或不在您管理的范围内。"}
    check_unchanged(before)


def test_check_a_new_record_without_saving(world: World, call_as) -> None:
    caller = call_as("inspector")  # a read: the read-only inspector may check too
    before = row_counts()
    young = {"org_id": world.branch.pk, "birth_date": "2005-06-02", "application": {"date": "2023-06-01"}}
    out = caller.post(f"{BASE}/records/check", young)
    assert out.status_code == 200, out.content.decode()
    body = out.json()
    assert (body["ok"], body["blocks"]) == (False, 1)
    (r,) = body["results"]
    assert (r["code"], r["name"], r["article"], r["level"], r["level_label"], r["overridable"]) == (
        "R1.1", "年满十八周岁", "党章第一条；细则第五条", "block", "不符合", False)
    assert "未满十八周岁" in r["message"]
    ok = caller.post(f"{BASE}/records/check", {**young, "application": {"date": "2023-06-02"}}).json()
    assert (ok["ok"], ok["blocks"], [x["level"] for x in ok["results"]]) == (True, 0, ["pass"])
    bad = caller.post(f"{BASE}/records/check", {**young, "application": {"number": 3, "date": "2023-06-02"}})
    check_rejected(bad, 422, services.FIRST_STEP, field="number")
    assert caller.post(f"{BASE}/records/check", {**young, "org_id": world.tree.village_b1.pk}).status_code == 404
    check_unchanged(before)


def test_reveal_is_audited(world: World) -> None:
    record = new_record(world, phone="13900000009")
    caller = api(world, "branch_secretary")
    audits = AuditEvent.objects.filter(action="recruitment.reveal.phone").count()
    resp = caller.post(f"{BASE}/records/{record.pk}/reveal", {"field": "phone"})
    assert resp.json() == {"field": "phone", "value": "13900000009"}
    assert AuditEvent.objects.filter(action="recruitment.reveal.phone").count() == audits + 1
    check_rejected(caller.post(f"{BASE}/records/{record.pk}/reveal", {"field": "birth"}), 422, field="field")


# --- steps ------------------------------------------------------------------------------------------------


def step_body(world: World, n: int, **kw: Any) -> dict[str, Any]:
    """The happy step ``n`` as the API takes it."""
    s = happy_steps(world)[n]
    body: dict[str, Any] = {"number": n, "date": s.date.isoformat(), "details": dict(s.details)}
    if s.people:
        body["people"] = [{"role": p.role, "member_id": p.member.pk} if p.member else {"role": p.role, "name": p.name}
                          for p in s.people]  # fmt: skip
    if s.approving_org is not None:
        body["approving_org_id"] = s.approving_org.pk
    if s.vote is not None:
        v = s.vote
        body["vote"] = {"should_attend_total": v.should_attend_total, "present": v.present, "yes": v.yes}
    body.update(kw)
    return body


def test_check_a_step_without_saving_returns_every_result(world: World, call_as) -> None:
    record = new_record(world)
    caller = call_as("branch_secretary")
    before = row_counts()
    version = DevelopmentRecord.objects.get(pk=record.pk).version
    ok = caller.post(f"{BASE}/records/{record.pk}/steps/check", step_body(world, 2)).json()
    assert ok["ok"] is True and [(r["code"], r["level"]) for r in ok["results"]] == [("R1.3", "pass")]
    late = caller.post(f"{BASE}/records/{record.pk}/steps/check", step_body(world, 2, date="2021-05-10")).json()
    assert (late["ok"], late["warnings"]) == (True, 1)
    assert [(r["code"], r["name"], r["level"]) for r in late["results"]] == [("R1.3", "一个月内派人谈话", "warn")]
    # Out of order: step 3 before the talk.
    order = caller.post(f"{BASE}/records/{record.pk}/steps/check", step_body(world, 3)).json()
    assert order["ok"] is False and any(r["level"] == "block" and not r["overridable"] for r in order["results"])
    # Bad input is 422 here as it would be on saving.
    bad = caller.post(f"{BASE}/records/{record.pk}/steps/check", step_body(world, 2, details={"x": 1}))
    check_rejected(bad, 422, "没有“x”这项信息", field="details")
    check_unchanged(before)
    assert DevelopmentRecord.objects.get(pk=record.pk).version == version


def test_record_steps_through_admission_and_read_the_full_record(world: World) -> None:
    record = advance(world, new_record(world), 15)
    caller = api(world, "branch_secretary")
    resp = caller.post(f"{BASE}/records/{record.pk}/steps", step_body(world, 15))
    assert resp.status_code == 201, resp.content.decode()
    body = resp.json()
    assert Step.objects.get(pk=body["step_id"]).number == 15
    meeting = body["record"]["steps"][-1]
    assert meeting["vote"]["quorum_met"] is True and meeting["vote"]["passed"] is True and meeting["vote"]["expected"] == 4
    assert meeting["label"] == "支部大会讨论" and meeting["rules_version"] == "2014"
    assert {r["code"] for r in body["results"]} >= {"R1.15"}
    resp = caller.post(f"{BASE}/records/{record.pk}/steps", step_body(world, 16))
    assert resp.status_code == 201
    members = Member.objects.count()
    # Step 17 names the township committee: outside the secretary's subtree, but above the branch.
    resp = caller.post(f"{BASE}/records/{record.pk}/steps", step_body(world, 17))
    assert resp.status_code == 201, resp.content.decode()
    rec = resp.json()["record"]
    assert rec["status"] == "probationary" and rec["member_id"] and Member.objects.count() == members + 1
    assert rec["steps"][-1]["approving_org"] == {"id": None, "name": world.town.name}
    assert rec["probation_ends_on"] == "2023-10-10"
    # Another township's committee is not one this record may name.
    before = row_counts()
    other = step_body(world, 18)
    assert caller.post(f"{BASE}/records/{record.pk}/steps/check",
                       step_body(world, 24, approving_org_id=world.tree.town_b.pk)).status_code == 404
    check_unchanged(before)
    assert caller.post(f"{BASE}/records/{record.pk}/steps", other).status_code == 201


def test_a_blocked_step_is_422_with_every_result_and_writes_nothing(world: World) -> None:
    record = advance(world, new_record(world), 11)
    short = step_body(world, 11, details={"training_days": 2, "training_hours": 16})
    # Callers first: issuing a token is an audit event of its own.
    secretary, inspector, town = (api(world, r) for r in ("branch_secretary", "inspector", "township_organizer"))
    before = row_counts()
    out = check_rejected(secretary.post(f"{BASE}/records/{record.pk}/steps", short), 422, "集中培训不少于三天或二十四学时")
    assert [(r["code"], r["level"], r["overridable"]) for r in out["results"]] == [("R1.12", "block", True)]
    check_unchanged(before)
    # Override: not by the branch secretary, nor by the read-only inspector of the same township ...
    out = check_rejected(secretary.post(f"{BASE}/records/{record.pk}/steps", {**short, "override_reason": "因公出差"}), 422,
                         "只有审批党委（中共甲镇委员会）的工作人员", field="override_reason")
    assert out["results"][0]["code"] == "R1.12"
    check_unchanged(before)
    assert inspector.post(f"{BASE}/records/{record.pk}/steps", {**short, "override_reason": "因公出差"}).status_code == 404
    check_unchanged(before)
    # ... by the township committee's organizer, with a reason: saved, the override stored and audited.
    resp = town.post(f"{BASE}/records/{record.pk}/steps", {**short, "override_reason": "个别特殊情况：因公出差补训"})
    assert resp.status_code == 201, resp.content.decode()
    step = Step.objects.get(pk=resp.json()["step_id"])
    ov = RuleOverride.objects.get(step=step)
    assert (ov.rule_code, ov.approved_by, ov.approving_org, ov.reason) == (
        "R1.12", world.tree.users["township_organizer"], world.town, "个别特殊情况：因公出差补训")
    assert AuditEvent.objects.filter(action="recruitment.rule.override").count() == 1
    shown = resp.json()["record"]["steps"][-1]["overrides"]
    assert [(o["rule_code"], o["approving_org"]) for o in shown] == [("R1.12", "中共甲镇委员会")]


def test_step_bad_input_and_stale_version(world: World) -> None:
    record = new_record(world)
    caller = api(world, "branch_secretary")
    other = world.tree.member_b1.pk  # a member of another township
    cases = [
        (step_body(world, 2, people=[{"role": "sponsor", "name": "某人"}]), 422, "第2步不能登记“入党介绍人”"),
        (step_body(world, 2, people=[{"role": "talker"}]), 422, "请填写谈话人的姓名或选择党员"),
        (step_body(world, 2, vote={"should_attend_total": 3, "present": 2, "yes": 2}), 422, "第2步不登记表决情况"),
        (step_body(world, 2, approving_org_id=world.town.pk), 422, "第2步不需要选择上级党委"),
        (step_body(world, 2, number=26), 422, "不能大于25"),
        (step_body(world, 2, date="2021/03/15"), 422, "日期格式应为"),
        (step_body(world, 2, people=[{"role": "talker", "member_id": other}]), 404, ""),
        (step_body(world, 2, version=1), 409, ""),
    ]
    for body, status, message in cases:
        before = row_counts()
        check_rejected(caller.post(f"{BASE}/records/{record.pk}/steps", body), status, message)
        check_unchanged(before)


def test_withdraw_only_the_latest_step(world: World) -> None:
    record = advance(world, new_record(world), 4)
    caller = api(world, "branch_secretary")
    steps_ = {s.number: s for s in record.steps.all()}
    before = row_counts()
    check_rejected(caller.post(f"{BASE}/records/{record.pk}/steps/{steps_[2].pk}/withdraw", {"reason": "误录"}), 422,
                   "只能撤销最近录入的一个步骤（第3步）", field="step")
    check_rejected(caller.post(f"{BASE}/records/{record.pk}/steps/{steps_[3].pk}/withdraw", {"reason": " "}), 422,
                   services.WITHDRAW_REASON, field="reason")
    other = new_record(world, name="另一人", id_number=valid_id_number(BIRTH))
    first_of_other = other.steps.get().pk
    # A step of another record through this record's URL: 404, like a missing step.
    assert caller.post(f"{BASE}/records/{record.pk}/steps/{first_of_other}/withdraw", {"reason": "误录"}).status_code == 404
    before = row_counts()
    resp = caller.post(f"{BASE}/records/{record.pk}/steps/{steps_[3].pk}/withdraw", {"reason": "日期录错"})
    assert resp.status_code == 200, resp.content.decode()
    assert resp.json()["last_step"] == 2 and resp.json()["status"] == "applicant"
    assert row_counts()["Step"] == before["Step"] - 1
    assert AuditEvent.objects.filter(action="recruitment.step.withdraw", reason="日期录错").count() == 1


# --- outcomes ---------------------------------------------------------------------------------------------


def test_stop_development(world: World) -> None:
    record = advance(world, new_record(world), 4)
    caller = api(world, "branch_secretary")
    before = row_counts()
    check_rejected(caller.post(f"{BASE}/records/{record.pk}/stop", {"date": "2021-07-01", "reason": ""}), 422)
    check_unchanged(before)
    resp = caller.post(f"{BASE}/records/{record.pk}/stop", {"date": "2021-07-01", "reason": "本人申请不再发展"})
    assert resp.status_code == 200, resp.content.decode()
    rec = resp.json()
    assert rec["status"] == "stopped" and rec["next_steps"] == []
    assert [(o["kind"], o["kind_label"], o["reason"]) for o in rec["outcomes"]] == [("stopped", "终止发展", "本人申请不再发展")]


def vote(total: int = 4, present: int = 4, yes: int = 4) -> dict[str, int]:
    return {"should_attend_total": total, "present": present, "yes": yes}


def probationer(world: World) -> DevelopmentRecord:
    return advance(world, new_record(world), 18)


def test_extend_probation(world: World) -> None:
    record = probationer(world)
    caller = api(world, "township_organizer")
    body = {"meeting_date": "2023-09-25", "approved_on": "2023-10-08", "months": 6, "reason": "需要继续考察",
            "meeting_vote": vote(), "approving_org_id": world.town.pk, "committee_vote": vote(7, 6, 6)}
    before = row_counts()
    check_rejected(caller.post(f"{BASE}/records/{record.pk}/extend", {**body, "reason": " "}), 422, field="reason")
    check_rejected(caller.post(f"{BASE}/records/{record.pk}/extend", {**body, "months": 0}), 422, "不能小于1")
    check_rejected(caller.post(f"{BASE}/records/{record.pk}/extend",
                               {**body, "meeting_vote": vote(4, 2, 2)}), 422)  # no quorum: more than half must attend
    check_unchanged(before)
    resp = caller.post(f"{BASE}/records/{record.pk}/extend", body)
    assert resp.status_code == 200, resp.content.decode()
    rec = resp.json()
    assert rec["probation_ends_on"] == "2024-04-10"
    (o,) = rec["outcomes"]
    assert (o["kind"], o["months"], o["meeting_vote"]["passed"], o["approving_org"]["name"]) == ("extended", 6, True, world.town.name)


def test_cancel_probation(world: World) -> None:
    record = probationer(world)
    caller = api(world, "township_organizer")
    body = {"meeting_date": "2023-09-25", "approved_on": "2023-10-08", "reason": "不履行党员义务",
            "meeting_vote": vote(), "approving_org_id": world.town.pk, "committee_vote": vote(7, 6, 6)}
    before = row_counts()
    assert caller.post(f"{BASE}/records/{record.pk}/cancel",
                       {**body, "approving_org_id": world.tree.town_b.pk}).status_code == 404
    check_unchanged(before)
    resp = caller.post(f"{BASE}/records/{record.pk}/cancel", body)
    assert resp.status_code == 200, resp.content.decode()
    assert resp.json()["status"] == "cancelled"
    assert Member.objects.get(pk=record.member_id).status == member_rules.CANCELLED


# --- notices ----------------------------------------------------------------------------------------------


def test_notices(world: World) -> None:
    record = advance(world, new_record(world), 4)
    caller = api(world, "branch_secretary")
    body = {"kind": "activist", "place": "一村党务公开栏", "start": "2021-05-24", "end": "2021-05-28"}
    before = row_counts()
    for bad, field in (({**body, "end": "2021-05-20"}, "end"), ({**body, "kind": "x"}, "kind"),
                       ({**body, "place": " "}, "place"), ({**body, "objection_result": "maybe"}, "objection_result")):
        check_rejected(caller.post(f"{BASE}/records/{record.pk}/notices", bad), 422, field=field)
    check_unchanged(before)
    resp = caller.post(f"{BASE}/records/{record.pk}/notices", body)
    assert resp.status_code == 201, resp.content.decode()
    n = resp.json()
    assert (n["kind_label"], n["workdays"], n["objection_result"]) == ("入党积极分子公示", 5, "none")
    upd = {"version": n["version"], "objections": "有群众反映", "objection_count": 1, "handling": "经核查不属实",
           "objection_result": "resolved"}
    resp = caller.patch(f"{BASE}/records/{record.pk}/notices/{n['id']}", upd)
    assert resp.status_code == 200 and resp.json()["objection_result_label"] == "有异议，经核查不影响发展"
    assert caller.patch(f"{BASE}/records/{record.pk}/notices/{n['id']}", upd).status_code == 409  # stale version
    assert [x["id"] for x in caller.get(f"{BASE}/records/{record.pk}/notices").json()] == [n["id"]]
    other = new_record(world, name="另一人", id_number=valid_id_number(BIRTH))
    assert caller.patch(f"{BASE}/records/{other.pk}/notices/{n['id']}", {**upd, "version": 2}).status_code == 404
    assert PublicNotice.objects.get(pk=n["id"]).version == 2


# --- plans, registers, counts -----------------------------------------------------------------------------


def test_plans_set_by_the_county_and_seen_with_fulfilment(world: World) -> None:
    admin, town = api(world, "county_admin"), api(world, "township_organizer")
    before = row_counts()
    # Only from above: the township cannot set its own quota (404, as a write it has no business with).
    assert town.post(f"{BASE}/plans", {"org_id": world.town.pk, "year": 2022, "quota": 9}).status_code == 404
    check_rejected(admin.post(f"{BASE}/plans", {"org_id": world.branch.pk, "year": 2022, "quota": 2}), 422,
                   "不能是“党支部”", field="org")
    check_rejected(admin.post(f"{BASE}/plans", {"org_id": world.town.pk, "year": 1999, "quota": 2}), 422, field="year")
    check_rejected(admin.post(f"{BASE}/plans", {"org_id": world.town.pk, "year": 2022, "quota": -1}), 422, field="quota")
    check_unchanged(before)
    resp = admin.post(f"{BASE}/plans", {"org_id": world.town.pk, "year": 2022, "quota": 4, "note": "县委下达"})
    assert resp.status_code == 200, resp.content.decode()
    plan = resp.json()
    assert (plan["quota"], plan["approved"], plan["percent"]) == (4, 0, 0.0)
    advance(world, new_record(world), 18)  # approved 2022-11-15 in 一村 under 甲镇
    assert town.get(f"{BASE}/plans/{plan['id']}").json()["approved"] == 1
    listed = town.get(f"{BASE}/plans", {"year": 2022}).json()
    assert [(p["org"]["name"], p["quota"], p["approved"], p["percent"]) for p in listed] == [("中共甲镇委员会", 4, 1, 25.0)]
    assert town.get(f"{BASE}/plans", {"year": 2023}).json() == []
    assert api(world, "branch_secretary").get(f"{BASE}/plans/{plan['id']}").status_code == 404  # above the branch
    b_plan = DevelopmentPlan.objects.create(org=world.tree.town_b, year=2022, quota=3)
    assert town.get(f"{BASE}/plans/{b_plan.pk}").status_code == 404
    assert admin.get(f"{BASE}/plans/{b_plan.pk}").status_code == 200


def test_registers_and_counts(world: World) -> None:
    admin = world.admin
    new_record(world, name="申请甲", id_number=valid_id_number(BIRTH, "2"), sex="2")
    advance(world, new_record(world, name="积极乙", id_number=valid_id_number(BIRTH)), 4)
    advance(world, new_record(world, name="预备丙", id_number=valid_id_number(BIRTH)), 18)
    services.record_create(actor=admin, org=world.tree.village_b1, id_number=valid_id_number(BIRTH), name="乙镇丁",
                           sex="1", birth_date=BIRTH, education="bachelor", occupation="farmer",
                           application=services.StepIn(1, D("2021-03-01")), today=TODAY)  # fmt: skip
    town = api(world, "township_organizer")
    names = {k: [r["name"] for r in town.get(f"{BASE}/orgs/{world.town.pk}/register", {"kind": k}).json()["items"]]
             for k in ("applicants", "activists", "candidates", "probationary")}
    assert names == {"applicants": ["申请甲"], "activists": ["积极乙"], "candidates": [], "probationary": ["预备丙"]}
    check_rejected(town.get(f"{BASE}/orgs/{world.town.pk}/register", {"kind": "x"}), 422, "不是有效的花名册", field="kind")
    county = api(world, "county_admin").get(f"{BASE}/orgs/{world.tree.county.pk}/register").json()
    assert [r["name"] for r in county["items"]] == ["申请甲", "乙镇丁"]
    c = town.get(f"{BASE}/orgs/{world.town.pk}/counts").json()
    assert c["total"] == 3 and c["event"] is None
    assert dict((x["label"], x["count"]) for x in c["by_sex"]) == {"男": 2, "女": 1}
    assert [x["count"] for x in c["by_stage"]] == [1, 1, 0, 1, 0]  # step 18 (filing) is still stage 4
    period = town.get(f"{BASE}/orgs/{world.town.pk}/counts", {"start": "2022-01-01", "end": "2022-12-31"}).json()
    assert (period["total"], period["event"], period["event_label"]) == (1, "approved_on", "批准为预备党员")
    assert dict((x["label"], x["count"]) for x in period["by_age"])["30岁及以下"] == 1
    check_rejected(town.get(f"{BASE}/orgs/{world.town.pk}/counts", {"start": "2022-12-31", "end": "2022-01-01"}), 422,
                   "结束日期不能早于开始日期", field="end")
    check_rejected(town.get(f"{BASE}/orgs/{world.town.pk}/counts", {"event": "born"}), 422, field="event")
    assert town.get(f"{BASE}/orgs/{world.tree.town_b.pk}/counts").status_code == 404


# --- roles and scope --------------------------------------------------------------------------------------


def test_read_only_roles_write_nothing(world: World, call_as) -> None:
    record = advance(world, new_record(world), 4)
    latest = record.steps.order_by("-date", "-number").first()
    for role in ("inspector", "member"):
        caller = call_as(role)
        before = row_counts()
        for url, body in [
            (f"{BASE}/records", create_body(world)),
            (f"{BASE}/records/{record.pk}/steps", step_body(world, 5)),
            (f"{BASE}/records/{record.pk}/steps/{latest.pk}/withdraw", {"reason": "误录"}),
            (f"{BASE}/records/{record.pk}/stop", {"date": "2021-07-01", "reason": "本人申请"}),
            (f"{BASE}/records/{record.pk}/notices", {"kind": "activist", "place": "栏", "start": "2021-05-24",
                                                     "end": "2021-05-28"}),
            (f"{BASE}/plans", {"org_id": world.town.pk, "year": 2022, "quota": 1}),
        ]:
            assert caller.post(url, body).status_code == 404, (role, url)
        check_unchanged(before)
    inspector = call_as("inspector")
    assert inspector.get(f"{BASE}/records/{record.pk}").status_code == 200
    member = call_as("member")
    assert member.get(f"{BASE}/records/{record.pk}").status_code == 404
    assert member.get(f"{BASE}/records").json()["count"] == 0


def scoped_cases(record: int, step: int, notice: int, plan: int, org: int) -> list[tuple[str, str, Any]]:
    """Every route with an id, with a body that would be valid for ids in scope."""
    stop = {"date": "2021-07-01", "reason": "本人申请"}
    outcome = {"meeting_date": "2023-09-25", "approved_on": "2023-10-08", "reason": "考察", "meeting_vote": vote(),
               "approving_org_id": org, "committee_vote": vote(7, 6, 6)}
    return [
        ("GET", f"{BASE}/records/{record}", None),
        ("POST", f"{BASE}/records/{record}/reveal", {"field": "id_number"}),
        ("POST", f"{BASE}/records/{record}/steps/check", {"number": 5, "date": "2021-06-10"}),
        ("POST", f"{BASE}/records/{record}/steps", {"number": 5, "date": "2021-06-10", "notes": "x"}),
        ("POST", f"{BASE}/records/{record}/steps/{step}/withdraw", {"reason": "误录"}),
        ("POST", f"{BASE}/records/{record}/stop", stop),
        ("POST", f"{BASE}/records/{record}/extend", {**outcome, "months": 6}),
        ("POST", f"{BASE}/records/{record}/cancel", outcome),
        ("GET", f"{BASE}/records/{record}/notices", None),
        ("POST", f"{BASE}/records/{record}/notices", {"kind": "activist", "place": "栏", "start": "2021-05-24",
                                                      "end": "2021-05-28"}),
        ("PATCH", f"{BASE}/records/{record}/notices/{notice}", {"version": 1, "objection_result": "none"}),
        ("GET", f"{BASE}/plans/{plan}", None),
        ("GET", f"{BASE}/orgs/{org}/register", None),
        ("GET", f"{BASE}/orgs/{org}/counts", None),
        ("GET", f"{BASE}/records?org_id={org}", None),
        ("GET", f"{BASE}/plans?org_id={org}", None),
        ("POST", f"{BASE}/records", {**create_body_for(org)}),
        ("POST", f"{BASE}/records/check", {"org_id": org, "birth_date": "1995-05-01", "application": {"date": "2021-03-01"}}),
        ("POST", f"{BASE}/plans", {"org_id": org, "year": 2022, "quota": 1}),
    ]


def create_body_for(org: int) -> dict[str, Any]:
    return {"org_id": org, "name": "钱进", "sex": "1", "birth_date": "1995-05-01", "id_number": valid_id_number(BIRTH),
            "education": "bachelor", "occupation": "farmer", "application": {"date": "2021-03-01"}}


def objects_in(world: World, org) -> tuple[int, int, int, int, int]:
    """A record at step 3 in ``org`` with a notice, and a plan of ``org``'s township."""
    admin = world.admin
    record = services.record_create(actor=admin, org=org, id_number=valid_id_number(BIRTH), name="甲", sex="1",
                                    birth_date=BIRTH, education="bachelor", occupation="farmer",
                                    application=services.StepIn(1, D("2021-03-01")), today=TODAY)  # fmt: skip
    services.step_record(actor=admin, record=record, step=services.StepIn(2, D("2021-03-15"), people=[
        services.PersonIn(S.TALKER, name="赵书记")]), today=TODAY)  # fmt: skip
    step = services.step_record(actor=admin, record=record, step=services.StepIn(3, D("2021-06-01")), today=TODAY)
    notice = services.notice_record(actor=admin, record=record, kind="activist", place="栏", start=D("2021-05-24"),
                                    end=D("2021-05-28"), today=TODAY)  # fmt: skip
    town = Org.objects.get_parent(org)
    plan = services.plan_set(actor=admin, org=town, year=2022, quota=3)
    return record.pk, step.pk, notice.pk, plan.pk, org.pk


@pytest.mark.parametrize("role", ["township_organizer", "branch_secretary", "inspector", "member"])
def test_out_of_scope_ids_answer_404_like_missing_ids_and_write_nothing(world: World, role: str) -> None:
    outside = [objects_in(world, world.tree.village_b1)]
    if role == "branch_secretary":
        outside.append(objects_in(world, world.tree.village_a2))
    caller = api(world, role)
    missing = [caller.call(m, u, b) for m, u, b in scoped_cases(*(NONEXISTENT,) * 5)]
    for ids in outside:
        for (method, url, body), as_missing in zip(scoped_cases(*ids), missing, strict=True):
            before = row_counts()
            resp = caller.call(method, url, body)
            assert resp.status_code == 404, (role, method, url, resp.status_code, resp.content.decode())
            assert as_missing.status_code == 404, (method, url, as_missing.content.decode())
            assert resp.json() == as_missing.json(), (method, url)
            check_unchanged(before)


def test_the_scope_cases_cover_every_route_with_an_id(world: World) -> None:
    covered = {("GET", "/records"), ("POST", "/records"), ("POST", "/records/check"), ("GET", "/plans"), ("POST", "/plans")}
    names = {"1": "{record_id}", "2": "{step_id}", "3": "{notice_id}", "4": "{plan_id}", "5": "{org_id}"}
    for method, url, _ in scoped_cases(1, 2, 3, 4, 5):
        parts = url.split("?")[0].removeprefix(BASE).split("/")
        covered.add((method, "/".join(names.get(p, p) for p in parts)))
    assert covered == ROUTES


def test_the_same_cases_work_inside_the_scope(world: World) -> None:
    """The 404s above mean something only because the same requests reach records in scope."""
    record, step, notice, plan, org = objects_in(world, world.branch)
    admin = api(world, "county_admin")
    ok = 0
    for method, url, body in scoped_cases(record, step, notice, plan, org):
        resp = admin.call(method, url, body)
        assert resp.status_code != 404, (method, url, resp.content.decode())
        ok += resp.status_code < 300
    assert ok >= 12
