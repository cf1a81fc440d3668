"""Selectors: scope (404 outside it), lists and registers, counts in SQL, plan fulfilment, deadlines
and the work-queue items."""

from __future__ import annotations

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from dangjian.recruitment import rules, selectors, services
from dangjian.recruitment.services import StepIn
from dangjian.recruitment.tests.conftest import TODAY, D, World, advance, happy_steps, new_record
from dangjian.testing import valid_id_number

pytestmark = pytest.mark.django_db


def _other_branch_record(world: World):
    b1 = world.tree.village_b1
    birth = D("1999-09-09")
    return services.record_create(actor=world.admin, org=b1, id_number=valid_id_number(birth, "2"), name="吴倩", sex="2",
                                  birth_date=birth, education="college", occupation="worker",
                                  application=StepIn(1, D("2026-11-01")), today=TODAY)


def test_scope_and_404(world: World) -> None:
    mine = new_record(world)
    theirs = _other_branch_record(world)
    secretary = world.tree.users["branch_secretary"]
    assert list(selectors.records_visible(secretary)) == [mine]
    assert {r.pk for r in selectors.records_visible(world.admin)} == {mine.pk, theirs.pk}
    with pytest.raises(Http404):
        selectors.record_get(secretary, theirs.pk)
    with pytest.raises(Http404):
        selectors.record_get(secretary, "x")
    assert list(selectors.records_visible(world.tree.users["member"])) == []
    assert selectors.record_get(world.tree.users["inspector"], mine.pk) == mine


def test_lists_registers_and_detail(world: World) -> None:
    a = advance(world, new_record(world), 7)  # activist
    b = _other_branch_record(world)  # applicant
    assert list(selectors.record_list(world.admin, stage=2)) == [a]
    assert list(selectors.record_list(world.admin, status=rules.APPLICANT)) == [b]
    assert list(selectors.record_list(world.admin, org=world.town)) == [a]
    assert list(selectors.register(world.admin, world.tree.county, "activists")) == [a]
    assert list(selectors.register(world.admin, world.tree.county, "applicants")) == [b]
    detail = selectors.record_detail(world.admin, a.pk, today=TODAY)
    assert detail.status_label == "入党积极分子"
    assert detail.next_steps == [6, 7]
    assert [v.label for v in detail.steps][:3] == ["递交入党申请书", "党组织派人谈话", "推荐和确定入党积极分子"]
    assert {d.code for d in detail.deadlines} == {"assessment_due"}


def test_counts_in_one_query(world: World) -> None:
    r = advance(world, new_record(world), 18)  # approved 2022-11-15
    _other_branch_record(world)
    with CaptureQueriesContext(connection) as ctx:
        c = selectors.counts(world.admin, world.tree.county, start=D("2022-01-01"), end=D("2022-12-31"))
    assert len([q for q in ctx.captured_queries if "COUNT" in q["sql"].upper()]) == 1
    assert c.total == 1
    assert dict(c.by_sex) == {"男": 1, "女": 0}
    assert dict(c.by_age)["30岁及以下"] == 1  # born 1995-05-01: 27 at the end of 2022
    assert dict(c.by_education)["大学本科"] == 1
    assert dict(c.by_occupation)["农牧渔民"] == 1
    assert dict(c.by_status)["预备党员"] == 1
    pipeline = selectors.counts(world.admin, world.tree.county)
    assert (pipeline.total, dict(pipeline.by_stage)["申请入党"], dict(pipeline.by_stage)["预备党员的接收"]) == (2, 1, 1)
    assert r.status == rules.PROBATIONARY


def test_plan_fulfilment(world: World) -> None:
    services.plan_set(actor=world.admin, org=world.town, year=2022, quota=4)
    services.plan_set(actor=world.admin, org=world.tree.town_b, year=2022, quota=2)
    advance(world, new_record(world), 18)
    rows = selectors.plan_fulfilment(world.admin, 2022)
    assert [(r.org.name, r.quota, r.approved, r.percent) for r in rows] == [
        ("中共甲镇委员会", 4, 1, 25.0), ("中共乙镇委员会", 2, 0, 0.0)]
    assert [r.org for r in selectors.plan_fulfilment(world.tree.users["township_organizer"], 2022)] == [world.town]


def test_deadlines_and_work_items(world: World) -> None:
    late = new_record(world, application=StepIn(1, D("2026-10-01")))  # talk due 2026-11-01: overdue
    soon = _other_branch_record(world)  # applied 2026-11-01: talk due 2026-12-01, upcoming
    county_items = selectors.work_items(world.admin, TODAY)
    assert [(i.title, str(i.due), i.severity) for i in county_items] == [
        ("周新（中共甲镇一村支部委员会）：入党申请人谈话到期（已超期）", "2026-11-01", "danger")]
    town_b_rows = selectors.deadlines_in_scope(world.admin, TODAY, org=world.tree.town_b)
    assert town_b_rows == []  # the county sees only overdue items; tomorrow's are the branch's business
    secretary = world.tree.users["branch_secretary"]
    assert [i.group for i in selectors.work_items(secretary, TODAY)] == ["recruitment:talk_due"]
    services.step_record(actor=world.admin, record=late, step=StepIn(2, D("2026-11-10"), people=happy_steps(world)[2].people),
                         today=TODAY)
    assert selectors.work_items(secretary, TODAY) == []
    assert selectors.work_items(world.tree.users["member"], TODAY) == []
    rows = selectors.deadlines_in_scope(world.admin, D("2026-12-02"))
    assert {(r.record.pk, r.deadline.code, r.state) for r in rows} == {(soon.pk, "talk_due", rules.OVERDUE)}


def test_record_for_member(world: World) -> None:
    record = advance(world, new_record(world), 18)
    assert selectors.record_for_member(world.admin, record.member_id) == record
    assert selectors.record_for_member(world.tree.users["member"], record.member_id) is None
