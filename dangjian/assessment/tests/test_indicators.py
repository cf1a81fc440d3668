"""Platform indicators checked against hand-counted fixtures made through the other apps' services,
and a platform item scored from one of them with its trace."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from dangjian.assessment import indicators, rules, selectors, services
from dangjian.assessment.models import Result
from dangjian.assessment.tests.conftest import TODAY
from dangjian.dues import rules as dues_rules
from dangjian.dues import services as dues_services
from dangjian.orglife import rules as ol_rules
from dangjian.orglife import services as ol_services
from dangjian.testing import make_member

pytestmark = pytest.mark.django_db


def m(y: int, mo: int) -> dt.date:
    return dt.date(y, mo, 1)


def test_dues_rate(tree):
    admin = tree.users["county_admin"]
    # 李明, retired on a 3000 yuan pension: 0.5% = 15.00 a month. Jan–Mar due (45.00), Jan and Feb paid (30.00).
    dues_services.basis_set(actor=admin, member=tree.member_a1, category=dues_rules.RETIRED, base="3000",
                            effective_from=m(2026, 1), today=TODAY)
    for mo in (1, 2, 3):
        dues_services.entries_generate(actor=admin, org=tree.village_a1, month=m(2026, mo), today=TODAY)
    for mo in (1, 2):
        dues_services.payment_record(actor=admin, org=tree.village_a1, member=tree.member_a1, months=[m(2026, mo)],
                                     paid_on=dt.date(2026, mo, 10), today=TODAY)
    iv = indicators.compute("dues_rate", admin, tree.village_a1, 2026, TODAY)
    assert iv.value == D("66.67")
    assert iv.trace["counts"] == {"due": "45.00", "collected": "30.00"}
    assert "应收党费45.00元、实收30.00元" in iv.text
    # The township pools its villages: the same 45/30 (nothing due elsewhere).
    assert indicators.compute("dues_rate", admin, tree.town_a, 2026, TODAY).value == D("66.67")
    # Nothing due: no value (not 0%, not 100%).
    assert indicators.compute("dues_rate", admin, tree.village_b1, 2026, TODAY).value is None


def test_class_hours_rate(tree):
    admin = tree.users["county_admin"]
    other = make_member(tree.village_a1, name="周强", birth_date=dt.date(1980, 1, 1))
    ol_services.training_record(actor=admin, org=tree.village_a1, title="集中轮训", date=dt.date(2026, 3, 2),
                                hours=32, attendees=[tree.member_a1], today=TODAY)
    iv = indicators.compute("class_hours", admin, tree.village_a1, 2026, TODAY)
    # Two members: 李明 32 hours (target 32), 周强 none → 1 of 2.
    assert iv.value == D("50.00") and iv.trace["counts"]["members"] == 2 and iv.trace["counts"]["short"] == 1
    assert other.pk  # made through members.services


def test_orglife_compliance_hand_counted(tree):
    admin = tree.users["county_admin"]
    # 甲镇一村 in 2025 (committee of 3, no party groups): 党员大会 4 quarters + 支委会 12 months + 党课 4 quarters
    # + 主题党日 12 months + 组织生活会 1 + 民主评议 1 + 谈心谈话 1 = 35 periods. Held: one 党员大会 (Q1) and
    # one 主题党日 (March) → 2 done, 33 missed.
    for kind, day in ((ol_rules.GENERAL_MEETING, dt.date(2025, 2, 10)), (ol_rules.THEME_DAY, dt.date(2025, 3, 5))):
        ol_services.meeting_record(actor=admin, org=tree.village_a1, today=TODAY,
                                   fields=ol_services.MeetingFields(kind=kind, date=day, topic="学习"),
                                   attendance=[ol_services.AttendanceIn(member=tree.member_a1, status=ol_rules.PRESENT)])
    iv = indicators.compute("orglife_compliance", admin, tree.village_a1, 2025, TODAY)
    assert iv.trace["counts"] == {"branches": 1, "done": 2, "missed": 33}
    assert iv.value == D("5.71")
    assert iv.trace["links"][0]["url"].endswith("?year=2025")


def test_development_plan(tree):
    from dangjian.recruitment import services as rec_services

    admin = tree.users["county_admin"]
    rec_services.plan_set(actor=admin, org=tree.town_a, year=2026, quota=4)
    iv = indicators.compute("development_plan", admin, tree.town_a, 2026, TODAY)
    # A plan of 4, nobody approved as probationary in 2026 yet.
    assert iv.value == D("0.00") and iv.trace["counts"] == {"plans": 1, "quota": 4, "approved": 0}
    none = indicators.compute("development_plan", admin, tree.town_b, 2026, TODAY)
    assert none.value is None and "未下达发展计划" in none.text


def test_supervision_on_time(tree):
    from dangjian.supervision import services as sup

    admin = tree.users["county_admin"]
    town = tree.users["township_organizer"]
    issued = dt.date(2026, 3, 1)
    task = sup.task_issue(actor=admin, issuer=tree.county, title="春季党建任务", deadline=dt.date(2026, 3, 31),
                          receiver_orgs=[tree.town_a], today=issued)
    late = sup.task_issue(actor=admin, issuer=tree.county, title="半年总结", deadline=dt.date(2026, 6, 30),
                          receiver_orgs=[tree.town_a], today=issued)
    item = task.items.get()
    sup.item_submit(actor=town, item=item, text="已完成", today=dt.date(2026, 3, 20))
    sup.item_accept(actor=admin, item=item, today=dt.date(2026, 3, 25))
    iv = indicators.compute("supervision_on_time", admin, tree.town_a, 2026, TODAY)
    # Two items assigned, one accepted on time, the other open past its deadline.
    assert iv.value == D("50.00")
    assert iv.trace["counts"]["assigned"] == 2 and iv.trace["counts"]["accepted_on_time"] == 1
    assert iv.trace["counts"]["overdue_open"] == 1
    assert sorted(iv.trace["ids"]) == sorted([item.pk, late.items.get().pk])


def test_platform_item_frozen_with_trace(tree):
    admin = tree.users["county_admin"]
    dues_services.basis_set(actor=admin, member=tree.member_a1, category=dues_rules.RETIRED, base="3000",
                            effective_from=m(2026, 1), today=TODAY)
    dues_services.entries_generate(actor=admin, org=tree.village_a1, month=m(2026, 1), today=TODAY)
    dues_services.entries_generate(actor=admin, org=tree.village_a1, month=m(2026, 2), today=TODAY)
    dues_services.payment_record(actor=admin, org=tree.village_a1, member=tree.member_a1, months=[m(2026, 1)],
                                 paid_on=dt.date(2026, 1, 10), today=TODAY)
    town = tree.users["township_organizer"]
    scheme = services.scheme_create(actor=town, owner=tree.town_a, year=2026, name="党费考核", kind=rules.KIND_VILLAGE)
    node = services.node_add(actor=town, scheme=scheme, parent=None, title="党费收缴率", max_points="20",
                             method=rules.M_PROPORTIONAL, source=rules.SRC_PLATFORM, indicator="dues_rate")
    services.scheme_activate(actor=town, scheme=scheme)
    for r in Result.objects.filter(scheme=scheme):
        services.result_submit(actor=town, result=r, today=TODAY)
        services.result_review(actor=admin, result=r, decisions={}, today=TODAY)
    services.scheme_finalize(actor=town, scheme=scheme, today=TODAY)
    r1 = Result.objects.get(scheme=scheme, org=tree.village_a1)
    item = r1.items.get(node=node)
    # 15 of 30 → 50% of 20 points.
    assert (item.raw_value, item.final_score) == (D("50.00"), D("10.00"))
    assert item.trace["counts"] == {"due": "30.00", "collected": "15.00"}
    # Paying February later does not change the frozen score.
    dues_services.payment_record(actor=admin, org=tree.village_a1, member=tree.member_a1, months=[m(2026, 2)],
                                 paid_on=dt.date(2026, 2, 10), today=TODAY)
    sheet = selectors.score_sheet(admin, r1, TODAY)
    line = next(x for x in sheet.lines if x.view.node.pk == node.pk)
    assert line.line is not None and line.line.score == D("10.00") and not sheet.preview
