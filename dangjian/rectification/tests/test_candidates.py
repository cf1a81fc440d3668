"""Candidates found from the records, each criterion against hand-made fixtures made through the real
services: secretary vacancy (at the 3-month boundary), no development target for 2 years, organizational
life not held, satisfaction below 60%; and recording them as candidate cases."""

from __future__ import annotations

import datetime as dt

from dangjian.common.services import setting_update
from dangjian.orglife import services as orglife_services
from dangjian.orglife.services import AttendanceIn, MeetingFields
from dangjian.recruitment.tests.conftest import World, advance, new_record
from dangjian.recruitment.tests.conftest import world as world  # noqa: F401  (the fixture)
from dangjian.rectification import rules, selectors, services
from dangjian.rectification.models import Case, Finding
from dangjian.rectification.tests.conftest import TODAY
from dangjian.testing import make_member

D = dt.date.fromisoformat


def criteria(scan, org) -> set[str]:
    return {f.criterion for c in scan.candidates if c.org.pk == org.pk for f in c.findings}


def test_secretary_vacancy_three_months_boundary(tree):
    admin = tree.users["county_admin"]
    m1 = tree.member_a1
    m2 = make_member(tree.village_a2, name="周二村")
    m3 = tree.member_b1
    for village, member, ended in ((tree.village_a1, m1, "2026-08-15"), (tree.village_a2, m2, "2026-08-14")):
        post = orglife_services.committee_post_add(actor=admin, org=village, member=member, post="secretary",
                                                   started_on=D("2020-01-01"), today=TODAY)
        orglife_services.committee_post_end(actor=admin, post=post, ended_on=D(ended), today=TODAY)
    orglife_services.committee_post_add(actor=admin, org=tree.village_b1, member=m3, post="secretary",
                                        started_on=D("2020-01-01"), today=TODAY)
    scan = selectors.candidate_scan(admin, tree.county, 2026, TODAY)
    assert scan.on == TODAY and scan.judged == 3
    assert rules.SECRETARY_VACANT not in criteria(scan, tree.village_a1)  # exactly 3 months on 11-15
    assert rules.SECRETARY_VACANT in criteria(scan, tree.village_a2)  # 3 months and a day
    assert rules.SECRETARY_VACANT not in criteria(scan, tree.village_b1)  # in post
    f = next(f for c in scan.candidates if c.org.pk == tree.village_a2.pk for f in c.findings
             if f.criterion == rules.SECRETARY_VACANT)
    assert "2026-08-14离任" in f.facts
    assert f.links == (("支委职务（书记任职记录）", f"/orglife/orgs/{tree.village_a2.pk}/committee/"),)


def test_no_posts_recorded_uses_the_org_record(tree):
    admin = tree.users["county_admin"]
    tree.village_a1.secretary_name = "张书记"
    tree.village_a1.save(update_fields=["secretary_name"])
    scan = selectors.candidate_scan(admin, tree.county, 2026, TODAY)
    assert rules.SECRETARY_VACANT not in criteria(scan, tree.village_a1)
    assert rules.SECRETARY_VACANT in criteria(scan, tree.village_a2)  # no posts, no name, since 2000


def test_no_development_target_for_two_years(world: World):
    tree = world.tree
    admin = world.admin
    record = advance(world, new_record(world), 8)  # 发展对象 on 2022-06-06 in 甲镇一村
    assert record.candidate_on == D("2022-06-06")
    scan = selectors.candidate_scan(admin, tree.county, 2023, TODAY)
    assert rules.NO_DEVELOPMENT not in criteria(scan, tree.village_a1)  # only 2023 without
    assert rules.NO_DEVELOPMENT in criteria(scan, tree.village_a2)
    assert rules.NO_DEVELOPMENT in criteria(scan, tree.village_b1)
    scan = selectors.candidate_scan(admin, tree.county, 2024, TODAY)
    assert rules.NO_DEVELOPMENT in criteria(scan, tree.village_a1)  # 2023 and 2024
    f = next(f for c in scan.candidates if c.org.pk == tree.village_a1.pk for f in c.findings
             if f.criterion == rules.NO_DEVELOPMENT)
    assert "2023年至2024年连续2年" in f.facts
    assert f.links[0][1] == f"/recruitment/?org={tree.village_a1.pk}"


def test_no_development_applies_to_rural_villages_only(tree):
    admin = tree.users["county_admin"]
    tree.village_a2.category = "community"
    tree.village_a2.save(update_fields=["category"])
    scan = selectors.candidate_scan(admin, tree.county, 2026, TODAY)
    assert rules.NO_DEVELOPMENT not in criteria(scan, tree.village_a2)
    assert rules.NO_DEVELOPMENT in criteria(scan, tree.village_b1)


def _meeting(admin, org, kind, date, member):
    orglife_services.meeting_record(actor=admin, org=org, fields=MeetingFields(kind=kind, date=date, topic="学习"),
                                    attendance=[AttendanceIn(member, "present")], today=TODAY)


def test_orglife_not_held(tree):
    admin = tree.users["county_admin"]
    setting_update(actor=admin, key="orglife.records_start_month", value=202609)
    # 甲镇一村 (with a committee): Sep and Oct committee meetings and theme days, 4 of 4 judged periods.
    for d in ("2026-09-10", "2026-10-10"):
        _meeting(admin, tree.village_a1, "committee_meeting", D(d), tree.member_a1)
        _meeting(admin, tree.village_a1, "theme_day", D(d), tree.member_a1)
    # 乙镇一村: only September's theme day, 1 of 2 → 50%.
    _meeting(admin, tree.village_b1, "theme_day", D("2026-09-12"), tree.member_b1)
    scan = selectors.candidate_scan(admin, tree.county, 2026, TODAY)
    assert rules.ORGLIFE not in criteria(scan, tree.village_a1)
    assert rules.ORGLIFE in criteria(scan, tree.village_a2)  # nothing held: 0 of 2
    f = next(f for c in scan.candidates if c.org.pk == tree.village_b1.pk for f in c.findings
             if f.criterion == rules.ORGLIFE)
    assert "开展1期、未开展1期，完成率50.0%" in f.facts and "主题党日（10月）" in f.facts


def test_orglife_at_threshold_is_not_flagged(tree):
    admin = tree.users["county_admin"]
    setting_update(actor=admin, key="orglife.records_start_month", value=202609)
    setting_update(actor=admin, key="rectification.orglife_rate_min_percent", value=50)
    _meeting(admin, tree.village_b1, "theme_day", D("2026-09-12"), tree.member_b1)
    scan = selectors.candidate_scan(admin, tree.county, 2026, TODAY)
    assert rules.ORGLIFE not in criteria(scan, tree.village_b1)  # exactly 50%


def test_satisfaction_below_sixty(tree):
    admin = tree.users["county_admin"]
    services.survey_record(actor=admin, org=tree.village_a1, year=2026, date=TODAY, respondents=50, satisfied=30,
                           method="入户问卷", today=TODAY)  # 60%: not below
    low = services.survey_record(actor=admin, org=tree.village_a2, year=2026, date=TODAY, respondents=50,
                                 satisfied=29, method="村民代表测评", today=TODAY)  # 58%
    scan = selectors.candidate_scan(admin, tree.county, 2026, TODAY)
    assert rules.SATISFACTION_LOW not in criteria(scan, tree.village_a1)
    assert rules.SATISFACTION_LOW in criteria(scan, tree.village_a2)
    f = next(f for c in scan.candidates if c.org.pk == tree.village_a2.pk for f in c.findings
             if f.criterion == rules.SATISFACTION_LOW)
    assert "50人参加、29人满意，满意度58.0%" in f.facts
    assert f.links == (("群众满意度测评", f"/rectification/surveys/{low.pk}/"),)


def test_scan_stays_in_scope_and_skips_own_org(tree):
    scan = selectors.candidate_scan(tree.users["township_organizer"], tree.town_a, 2026, TODAY)
    assert {c.org.pk for c in scan.candidates} <= {tree.village_a1.pk, tree.village_a2.pk}
    assert scan.judged == 2
    secretary = tree.users["branch_secretary"]
    assert selectors.candidate_scan(secretary, tree.village_a1, 2026, TODAY).judged == 0


def test_identify_records_candidates_once(tree):
    admin = tree.users["county_admin"]
    out = services.candidates_identify(actor=admin, org=tree.county, year=2026, today=TODAY)
    # Nothing recorded anywhere: every village has no secretary and no development target.
    assert out.created == 3
    assert Case.objects.filter(year=2026, status=rules.CANDIDATE).count() == 3
    n = Finding.objects.count()
    assert n == out.findings and n >= 6
    again = services.candidates_identify(actor=admin, org=tree.county, year=2026, today=TODAY)
    assert (again.created, again.findings) == (0, 0)
    assert Finding.objects.count() == n
    case = Case.objects.get(org=tree.village_a1, year=2026)
    services.case_dismiss(actor=admin, case=case, reason="新书记已到任", today=TODAY)
    third = services.candidates_identify(actor=admin, org=tree.county, year=2026, today=TODAY)
    assert third.unchanged == 1
    case.refresh_from_db()
    assert case.status == rules.DISMISSED


def test_unavailable_sources_are_named(tree):
    scan = selectors.candidate_scan(tree.users["county_admin"], tree.county, 2026, TODAY)
    import importlib.util

    if importlib.util.find_spec("dangjian.assessment.selectors") is None:
        assert any("考核" in u for u in scan.unavailable)
