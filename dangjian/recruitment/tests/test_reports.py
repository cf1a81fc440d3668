"""Plans, registers and statistics pages: figures checked against a hand-counted fixture built through
the services, scope (404 outside; the organization picker accepts only organizations in scope), and
exports that open in openpyxl with the right rows (masked ID numbers unless the audited full export)."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from dangjian.common import crypto
from dangjian.common.models import AuditEvent
from dangjian.orgs.models import Org
from dangjian.recruitment import services, sheets
from dangjian.recruitment import views_reports as views
from dangjian.recruitment.models import DevelopmentPlan, DevelopmentRecord
from dangjian.recruitment.tests.conftest import TODAY, D, World, advance, new_record, row_counts
from dangjian.testing import make_org, valid_id_number
from dangjian.web.forms import ORG_NOT_FOUND

pytestmark = pytest.mark.django_db


@dataclass
class People:
    """Hand-counted fixture. In 甲镇一村: 申请甲 (female applicant), 积极乙 (male activist), 预备丙 (male,
    approved as probationary 2022-11-15), 终止戊 (stopped). In 甲镇二村: 申请丁 (male applicant born 1980,
    a worker with a college diploma). In 乙镇一村: 乙镇己 (female applicant)."""

    w: World
    a: DevelopmentRecord
    b: DevelopmentRecord
    c: DevelopmentRecord
    d: DevelopmentRecord
    stopped: DevelopmentRecord
    other: DevelopmentRecord


def record_in(w: World, org: Org, name: str, *, sex: str = "1", birth: dt.date = dt.date(1995, 5, 1), **kw: Any):
    return services.record_create(
        actor=w.admin, org=org, id_number=valid_id_number(birth, sex), name=name, sex=sex, birth_date=birth,
        education=kw.pop("education", "bachelor"), occupation=kw.pop("occupation", "farmer"),
        application=services.StepIn(1, D("2021-03-01")), today=TODAY, **kw,
    )  # fmt: skip


@pytest.fixture
def people(world: World) -> People:
    t = world.tree
    a = new_record(world, name="申请甲", sex="2", id_number=valid_id_number(D("1995-05-01"), "2"), phone="13900000001")
    b = advance(world, new_record(world, name="积极乙", id_number=valid_id_number(D("1995-05-01"))), 4)
    c = advance(world, new_record(world, name="预备丙", id_number=valid_id_number(D("1995-05-01"))), 18)
    stopped = new_record(world, name="终止戊", id_number=valid_id_number(D("1995-05-01")))
    services.outcome_stop(actor=world.admin, record=stopped, date=D("2021-04-01"), reason="本人申请", today=TODAY)
    d = record_in(world, t.village_a2, "申请丁", birth=dt.date(1980, 1, 1), education="college", occupation="worker")
    other = record_in(world, t.village_b1, "乙镇己", sex="2")
    return People(world, a, b, c, d, stopped, other)


def client_for(w: World, role: str) -> Client:
    c = Client()
    c.force_login(w.tree.users[role])
    return c


def sheet_rows(resp) -> list[tuple[Any, ...]]:
    assert resp.status_code == 200, resp.content[:500]
    assert resp["Content-Type"] == views.XLSX
    wb = openpyxl.load_workbook(io.BytesIO(resp.content), read_only=True)
    return [tuple(r) for r in wb.worksheets[0].iter_rows(values_only=True)]


# --- plans ------------------------------------------------------------------------------------------------


def test_plans_show_quota_against_fulfilment(people: People) -> None:
    w = people.w
    services.plan_set(actor=w.admin, org=w.town, year=2022, quota=4, note="县委下达")
    services.plan_set(actor=w.admin, org=w.tree.town_b, year=2022, quota=2)
    url = reverse("recruitment:report_plans") + "?year=2022"
    resp = client_for(w, "county_admin").get(url)
    assert resp.status_code == 200
    got = [(r.org.name, r.quota, r.approved, r.percent) for r, _ in resp.context["rows"]]
    # Only 预备丙 was approved in 2022 (in 甲镇); 乙镇 none.
    assert got == [("中共甲镇委员会", 4, 1, 25.0), ("中共乙镇委员会", 2, 0, 0.0)]
    assert resp.context["totals"] == {"quota": 6, "approved": 1, "percent": 16.7}
    body = resp.content.decode()
    assert "25.0%" in body and "16.7%" in body and 'data-testid="plan-form"' in body
    # The township sees its own plan only, and no form; a branch sees none (the plan sits above it).
    town = client_for(w, "township_organizer").get(url)
    assert [(r.org.name, r.approved) for r, _ in town.context["rows"]] == [("中共甲镇委员会", 1)]
    assert 'data-testid="plan-form"' not in town.content.decode() and "中共乙镇委员会" not in town.content.decode()
    assert client_for(w, "branch_secretary").get(url).context["rows"] == []
    assert client_for(w, "county_admin").get(reverse("recruitment:report_plans") + "?year=2023").context["rows"] == []
    assert client_for(w, "county_admin").get(reverse("recruitment:report_plans") + "?year=abc").status_code == 404

    rows = sheet_rows(client_for(w, "county_admin").get(reverse("recruitment:report_plans_export") + "?year=2022"))
    assert rows[0][0] == "2022年度发展党员计划完成情况"
    assert rows[1] == ("序号", "党组织", "计划发展名额", "已批准为预备党员", "完成比例（%）")
    assert rows[2:] == [(1, "中共甲镇委员会", 4, 1, 25), (2, "中共乙镇委员会", 2, 0, 0), ("合计", None, 6, 1, 16.7)]
    town_rows = sheet_rows(client_for(w, "township_organizer").get(reverse("recruitment:report_plans_export") + "?year=2022"))
    assert [r[1] for r in town_rows[2:]] == ["中共甲镇委员会", None]


def test_a_county_admin_sets_a_plan_and_bad_input_writes_nothing(people: People) -> None:
    w = people.w
    admin = client_for(w, "county_admin")
    url = reverse("recruitment:report_plan_set")
    far = make_org(None, "中共邻县委员会", "county_committee")
    far_town = make_org(far, "中共邻县某镇委员会", "township_committee")
    for data, message in [
        ({"org": w.branch.pk, "year": 2022, "quota": 3}, ORG_NOT_FOUND),  # a branch is not offered
        ({"org": far_town.pk, "year": 2022, "quota": 3}, ORG_NOT_FOUND),  # out of scope
        ({"org": w.town.pk, "year": 1999, "quota": 3}, "大于或等于2000"),
        ({"org": w.town.pk, "year": 2022, "quota": -1}, "大于或等于0"),
        ({"org": w.town.pk, "year": 2022}, "这个字段是必填项"),
    ]:
        before = row_counts()
        resp = admin.post(url, data)
        assert resp.status_code == 422, data
        assert message in resp.content.decode(), (data, resp.content.decode()[:3000])
        assert row_counts() == before
    before = row_counts()
    for role in ("township_organizer", "inspector", "branch_secretary", "member"):
        assert client_for(w, role).post(url, {"org": w.town.pk, "year": 2022, "quota": 3}).status_code == 404
    assert row_counts() == before

    resp = admin.post(url, {"org": w.town.pk, "year": 2022, "quota": 3, "note": "县委下达"})
    assert resp.status_code == 302 and resp["Location"].endswith("?year=2022")
    plan = DevelopmentPlan.objects.get(org=w.town, year=2022)
    assert (plan.quota, plan.note, plan.updated_by) == (3, "县委下达", w.admin)
    assert AuditEvent.objects.filter(action="recruitment.plan.set").count() == 1
    # Setting it again changes the quota (one plan per township and year).
    admin.post(url, {"org": w.town.pk, "year": 2022, "quota": 5})
    assert DevelopmentPlan.objects.get(org=w.town, year=2022).quota == 5

    edit = admin.get(reverse("recruitment:report_plan_edit", args=[plan.pk]))
    assert edit.status_code == 200 and edit.context["form"].initial["quota"] == 5
    # The township sees its own plan's year, but may not set it: plans come from above.
    own = client_for(w, "township_organizer").get(reverse("recruitment:report_plan_edit", args=[plan.pk]))
    assert own.status_code == 200 and own.context["form"] is None
    before = row_counts()
    assert client_for(w, "township_organizer").post(url, {"org": w.town.pk, "year": 2022, "quota": 9}).status_code == 404
    assert row_counts() == before
    far_plan = DevelopmentPlan.objects.create(org=far_town, year=2022, quota=1)
    assert admin.get(reverse("recruitment:report_plan_edit", args=[far_plan.pk])).status_code == 404


def test_a_township_sets_the_plan_of_a_committee_below_it(people: People) -> None:
    w = people.w
    company = make_org(w.town, "中共甲镇某公司委员会", "primary_committee")
    town = client_for(w, "township_organizer")
    page = town.get(reverse("recruitment:report_plans"))
    assert page.context["form"] is not None
    assert list(page.context["form"].fields["org"].queryset) == [company]  # not 甲镇 itself, nor 乙镇
    before = row_counts()
    assert town.post(reverse("recruitment:report_plan_set"), {"org": w.town.pk, "year": 2022, "quota": 9}).status_code == 422
    assert row_counts() == before
    resp = town.post(reverse("recruitment:report_plan_set"), {"org": company.pk, "year": 2022, "quota": 2})
    assert resp.status_code == 302
    assert DevelopmentPlan.objects.get(org=company, year=2022).quota == 2


# --- registers --------------------------------------------------------------------------------------------


def test_registers_list_by_status_within_the_subtree(people: People, monkeypatch) -> None:
    w = people.w
    town = client_for(w, "township_organizer")

    def names(org: Org, kind: str, client: Client = town, page: int = 1) -> list[str]:
        resp = client.get(reverse("recruitment:report_register", args=[org.pk]), {"kind": kind, "page": page})
        assert resp.status_code == 200
        return [row["record"].name for row in resp.context["rows"]]

    assert names(w.town, "applicants") == ["申请甲", "申请丁"]  # 一村 before 二村; 终止戊 is not an applicant
    assert names(w.town, "activists") == ["积极乙"]
    assert names(w.town, "candidates") == []
    assert names(w.town, "probationary") == ["预备丙"]
    assert names(w.branch, "applicants") == ["申请甲"]
    county = client_for(w, "county_admin")
    assert names(w.tree.county, "applicants", county) == ["申请甲", "申请丁", "乙镇己"]
    secretary = client_for(w, "branch_secretary")
    assert names(w.branch, "applicants", secretary) == ["申请甲"]
    # Masked ID numbers on the page, never the full one.
    body = town.get(reverse("recruitment:report_register", args=[w.town.pk])).content.decode()
    assert people.a.id_number_masked in body and crypto.decrypt(people.a.id_number_enc) not in body
    monkeypatch.setattr(views, "REGISTER_PAGE_SIZE", 1)
    assert names(w.town, "applicants", page=2) == ["申请丁"]
    assert town.get(reverse("recruitment:report_register", args=[w.town.pk]), {"kind": "nobody"}).status_code == 404


def test_registers_and_statistics_404_outside_the_scope(people: People) -> None:
    w = people.w
    t = w.tree
    cases = {
        "township_organizer": [t.town_b, t.village_b1, t.county],
        "branch_secretary": [t.village_a2, t.town_a, t.village_b1],
        "inspector": [t.town_b, t.village_b1],
    }
    for role, orgs in cases.items():
        c = client_for(w, role)
        for org in orgs:
            for name in ("report_register", "report_register_export", "report_org_statistics", "report_statistics_export"):
                assert c.get(reverse(f"recruitment:{name}", args=[org.pk])).status_code == 404, (role, org, name)
    member = client_for(w, "member")
    for name in ("report_plans", "report_plans_export", "report_registers", "report_statistics"):
        assert member.get(reverse(f"recruitment:{name}")).status_code == 404
    assert member.get(reverse("recruitment:report_register", args=[t.village_a1.pk])).status_code == 404


def test_the_org_picker_takes_only_organizations_in_scope(people: People) -> None:
    w = people.w
    t = w.tree
    town = client_for(w, "township_organizer")
    # No organization chosen: the user's own organization's register.
    resp = town.get(reverse("recruitment:report_registers"))
    assert resp.status_code == 302 and resp["Location"] == reverse("recruitment:report_register", args=[t.town_a.pk])
    resp = town.get(reverse("recruitment:report_registers"), {"org": t.village_a2.pk, "kind": "applicants"})
    assert resp.status_code == 302
    assert resp["Location"] == reverse("recruitment:report_register", args=[t.village_a2.pk]) + "?kind=applicants"
    # Another township's organization is "not found" in the picker, exactly like a missing one.
    for org_id in (t.village_b1.pk, 987654321):
        resp = town.get(reverse("recruitment:report_registers"), {"org": org_id})
        assert resp.status_code == 200 and ORG_NOT_FOUND in resp.content.decode()
        assert t.village_b1.name not in resp.content.decode()
    resp = town.get(reverse("recruitment:report_statistics"), {"org": t.village_b1.pk})
    assert resp.status_code == 200 and ORG_NOT_FOUND in resp.content.decode()
    assert town.get(reverse("recruitment:report_statistics"), {"org": t.village_a1.pk})["Location"] == \
        reverse("recruitment:report_org_statistics", args=[t.village_a1.pk])
    # The picker's search (web:org_pick) offers only organizations in scope.
    found = town.get(reverse("web:org_pick"), {"q": "一村"}).content.decode()
    assert t.village_a1.name in found and t.village_b1.name not in found
    # The page's own picker shows the current organization selected.
    page = town.get(reverse("recruitment:report_register", args=[t.village_a1.pk])).content.decode()
    assert 'data-testid="org-picker-org"' in page and f'value="{t.village_a1.pk}" checked' in page


def test_register_exports_masked_and_full_with_audit(people: People) -> None:
    w = people.w
    town = client_for(w, "township_organizer")
    url = reverse("recruitment:report_register_export", args=[w.town.pk])
    audits = AuditEvent.objects.filter(action="recruitment.export.full").count()
    rows = sheet_rows(town.get(url, {"kind": "applicants"}))
    assert rows[0][0].startswith("中共甲镇委员会入党申请人花名册")
    assert rows[1] == tuple(sheets.REGISTER_HEADERS)
    data = rows[2:]
    assert [(r[0], r[1], r[2]) for r in data] == [(1, "申请甲", "女"), (2, "申请丁", "男")]
    head = {h: i for i, h in enumerate(sheets.REGISTER_HEADERS)}
    assert data[0][head["公民身份号码"]] == people.a.id_number_masked and "*" in data[0][head["公民身份号码"]]
    assert data[0][head["手机号码"]] == people.a.phone_masked != "13900000001"
    assert data[1][head["学历"]] == "大学专科" and data[1][head["人员类别（职业）"]] == "工人（工勤技能人员）"
    assert data[1][head["出生年份"]] == 1980 and data[0][head["申请入党日期"]] == "2021-03-01"
    assert data[0][head["党支部"]] == "中共甲镇一村支部委员会" and data[1][head["状态"]] == "入党申请人"
    assert AuditEvent.objects.filter(action="recruitment.export.full").count() == audits  # masked: not audited

    full = sheet_rows(town.get(url, {"kind": "applicants", "full": "1"}))[2:]
    assert full[0][head["公民身份号码"]] == crypto.decrypt(people.a.id_number_enc)
    assert full[0][head["手机号码"]] == "13900000001"
    ev = AuditEvent.objects.filter(action="recruitment.export.full").latest("pk")
    assert AuditEvent.objects.filter(action="recruitment.export.full").count() == audits + 1
    assert (ev.actor, ev.org) == (w.tree.users["township_organizer"], w.town)

    probationary = sheet_rows(town.get(url, {"kind": "probationary"}))[2:]
    assert [(r[1], r[head["批准为预备党员日期"]], r[head["预备期满日期"]]) for r in probationary] == [
        ("预备丙", "2022-11-15", "2023-10-10")]
    before = row_counts()
    assert client_for(w, "township_organizer").get(
        reverse("recruitment:report_register_export", args=[w.tree.village_b1.pk]), {"full": "1"}).status_code == 404
    assert row_counts() == before


# --- statistics -------------------------------------------------------------------------------------------


def figures(resp) -> dict[str, dict[str, int]]:
    assert resp.status_code == 200, resp.content.decode()[:2000]
    return {key: {label: n for label, n in data if n} for key, _, data in resp.context["tables"]}


def test_statistics_of_the_pipeline_and_of_a_period(people: People) -> None:
    w = people.w
    town = client_for(w, "township_organizer")
    url = reverse("recruitment:report_org_statistics", args=[w.town.pk])
    resp = town.get(url)
    # Open records of 甲镇: 申请甲, 积极乙, 预备丙, 申请丁 (终止戊 is finished).
    assert resp.context["counts"].total == 4
    f = figures(resp)
    assert f["by_stage"] == {"申请入党": 2, "入党积极分子的确定和培养教育": 1, "预备党员的接收": 1}
    assert f["by_status"] == {"入党申请人": 2, "入党积极分子": 1, "预备党员": 1}
    assert f["by_sex"] == {"男": 3, "女": 1}
    assert f["by_education"] == {"大学本科": 3, "大学专科": 1}
    assert f["by_occupation"] == {"农牧渔民": 3, "工人（工勤技能人员）": 1}
    assert sum(f["by_age"].values()) == 4
    body = resp.content.decode()
    assert 'data-testid="stats-total">4<' in body and "vendor/echarts/echarts.min.js" in body and "stats-charts" in body
    assert '<option value="approved_on" selected>' in body  # the default measure, shown as chosen

    # 2022: newly approved probationary members (default), aged on 2022-12-31.
    period = {"start": "2022-01-01", "end": "2022-12-31"}
    f = figures(town.get(url, period))
    assert f["by_status"] == {"预备党员": 1} and f["by_age"] == {"30岁及以下": 1} and f["by_sex"] == {"男": 1}
    # Applications in March 2021: 申请甲, 积极乙, 预备丙, 终止戊 in 一村 and 申请丁 in 二村.
    f = figures(town.get(url, {**period, "start": "2021-03-01", "end": "2021-03-31", "event": "applied_on"}))
    assert sum(f["by_sex"].values()) == 5 and f["by_status"] == {"入党申请人": 2, "入党积极分子": 1, "预备党员": 1,
                                                                "已终止发展": 1}
    assert f["by_age"] == {"30岁及以下": 4, "41-45岁": 1}  # ages on 2021-03-31
    county = figures(client_for(w, "county_admin").get(reverse("recruitment:report_org_statistics",
                                                                args=[w.tree.county.pk])))
    assert county["by_sex"] == {"男": 3, "女": 2}
    bad = town.get(url, {"start": "2022-12-31", "end": "2022-01-01"})
    assert bad.status_code == 422 and "结束日期不能早于开始日期" in bad.content.decode() and "counts" not in bad.context

    rows = sheet_rows(town.get(reverse("recruitment:report_statistics_export", args=[w.town.pk]), period))
    assert rows[1] == ("分类", "项目", "人数")
    assert rows[2] == ("合计", None, 1)
    by = {(r[0], r[1]): r[2] for r in rows[3:]}
    assert by[("按性别", "男")] == 1 and by[("按性别", "女")] == 0 and by[("按状态", "预备党员")] == 1
    assert by[("按年龄", "30岁及以下")] == 1 and sum(n for (k, _), n in by.items() if k == "按学历") == 1
