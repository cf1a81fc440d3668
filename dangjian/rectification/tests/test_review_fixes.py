"""Regression tests from the review of the rectification app: each one failed before its fix.

- a tie for the last place of a published assessment escaped the "last places" criterion;
- an organization last in two assessment schemes crashed the recording of candidates (one finding
  per criterion and case);
- assessment and star-rating findings carried no link to the records;
- a village was flagged "no development target for 2 years" in February, counting the year just begun;
- the facts of that criterion counted years the query never looked at;
- the share denominators counted today's organizations, not those of the year judged;
- milestones done and files added after the case was closed; an acceptance dated before an earlier one;
- the plan could not be changed (deadline extension) — now an audited update with a reason.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dangjian.assessment import rules as a_rules
from dangjian.assessment import services as a_services
from dangjian.assessment.models import Result
from dangjian.common.models import AuditEvent
from dangjian.recruitment.tests.conftest import advance, new_record
from dangjian.recruitment.tests.conftest import world as world  # noqa: F401  (the fixture)
from dangjian.rectification import rules, selectors, services
from dangjian.rectification.models import Case, Finding
from dangjian.rectification.tests.conftest import PNG, TODAY, assert_rejected
from dangjian.testing import make_org

D = dt.date.fromisoformat


def criteria(scan, org) -> set[str]:
    return {f.criterion for c in scan.candidates if c.org.pk == org.pk for f in c.findings}


def finding(scan, org, criterion):
    return next(f for c in scan.candidates if c.org.pk == org.pk for f in c.findings if f.criterion == criterion)


# --- assessment: ties at the bottom, two schemes, links -------------------------------------------------------


def _published_scheme(tree, owner, actor, name, scores: dict) -> object:
    """A one-item scheme of ``owner`` for 2026 with each village's self-assessed score, reviewed,
    finalized and published through the assessment app's own services."""
    # Bands on a 10-point scheme so that 8–10 is 好: the grade does not mask the place.
    scheme = a_services.scheme_create(actor=actor, owner=owner, year=2026, name=name, kind=a_rules.KIND_VILLAGE,
                                      bands_text="好,8\n一般,5\n差,0")
    area = a_services.node_add(actor=actor, scheme=scheme, parent=None, title="组织建设")
    item = a_services.node_add(actor=actor, scheme=scheme, parent=area, title="班子建设", max_points="10")
    a_services.scheme_activate(actor=actor, scheme=scheme, self_due=D("2026-12-25"), review_due=D("2026-12-31"))
    admin = tree.users["county_admin"]
    day = D("2026-12-20")
    for r in Result.objects.filter(scheme=scheme):
        a_services.self_assess(actor=actor, result=r, values={item.pk: (scores[r.org_id], "")})
        a_services.result_submit(actor=actor, result=r, today=day)
        a_services.result_review(actor=admin, result=r, decisions={}, today=day)
    a_services.scheme_finalize(actor=actor, scheme=scheme, today=day)
    a_services.scheme_publish(actor=actor, scheme=scheme, today=day)
    return scheme


def test_a_tie_for_last_place_is_last(tree):
    """甲镇's two villages both score 10 of 10: places 1 and 1 of 2, grade 好 — both are last."""
    town = tree.users["township_organizer"]
    a1, a2 = tree.village_a1, tree.village_a2
    scheme = _published_scheme(tree, tree.town_a, town, "村党组织考核", {a1.pk: "10", a2.pk: "10"})
    assert sorted(Result.objects.filter(scheme=scheme).values_list("rank", "of_total")) == [(1, 2), (1, 2)]
    scan = selectors.candidate_scan(tree.users["county_admin"], tree.county, 2026, D("2026-12-31"))
    assert rules.ASSESSMENT_LAST in criteria(scan, a1) and rules.ASSESSMENT_LAST in criteria(scan, a2)
    f = finding(scan, a1, rules.ASSESSMENT_LAST)
    assert "排名第1名（并列）（共2个），在倒数1名内" in f.facts
    assert f.links == (("考核排名（村党组织考核）", f"/assessment/schemes/{scheme.pk}/ranking/"),)


def test_a_clear_first_place_is_not_last(tree):
    town = tree.users["township_organizer"]
    a1, a2 = tree.village_a1, tree.village_a2
    _published_scheme(tree, tree.town_a, town, "村党组织考核", {a1.pk: "10", a2.pk: "9"})
    scan = selectors.candidate_scan(tree.users["county_admin"], tree.county, 2026, D("2026-12-31"))
    assert rules.ASSESSMENT_LAST not in criteria(scan, a1)
    assert rules.ASSESSMENT_LAST in criteria(scan, a2)


def test_last_in_two_schemes_is_one_finding_and_recording_works(tree):
    admin, town = tree.users["county_admin"], tree.users["township_organizer"]
    a1, a2 = tree.village_a1, tree.village_a2
    s1 = _published_scheme(tree, tree.town_a, town, "甲镇村党组织考核", {a1.pk: "10", a2.pk: "9"})
    s2 = _published_scheme(tree, tree.town_a, town, "甲镇村党建专项考核", {a1.pk: "10", a2.pk: "8"})
    day = D("2026-12-31")
    scan = selectors.candidate_scan(admin, tree.county, 2026, day)
    f = finding(scan, a2, rules.ASSESSMENT_LAST)
    assert sum(1 for c in scan.candidates if c.org.pk == a2.pk for g in c.findings
               if g.criterion == rules.ASSESSMENT_LAST) == 1
    assert "“甲镇村党组织考核”" in f.facts and "“甲镇村党建专项考核”" in f.facts
    assert [url for _, url in f.links] == [f"/assessment/schemes/{s1.pk}/ranking/", f"/assessment/schemes/{s2.pk}/ranking/"]
    services.candidates_identify(actor=admin, org=tree.county, year=2026, today=day)
    stored = Finding.objects.get(case__org=a2, case__year=2026, criterion=rules.ASSESSMENT_LAST)
    assert len(stored.links) == 2


def test_rules_assessment_last_with_places_after():
    kw = {"of_total": 4, "grade": "好", "vetoed": False, "scheme": "考核", "bottom_places": 1}
    # competition ranks 1, 2, 3, 3: the two 3rds are both last
    assert rules.assessment_last(rank=3, below=0, **kw) is not None
    assert rules.assessment_last(rank=2, below=2, **kw) is None
    assert rules.assessment_last(rank=4, **kw) is not None  # no ties given: rank 4 of 4


# --- stars: link to the rating ------------------------------------------------------------------------------------


def test_stars_finding_links_to_the_branch_rating(tree):
    points_services = pytest.importorskip("dangjian.points.services")
    from dangjian.points import rules as points_rules
    from dangjian.points.models import BranchRating

    admin = tree.users["county_admin"]
    rating = BranchRating.objects.create(org=tree.village_a1, rater=tree.town_a, county=tree.county, year=2026,
                                         bands=[60, 70, 80, 90, 96], status=points_rules.RATING_FINAL, score=55, stars=1,
                                         rated_on=D("2026-12-20"))
    assert points_services  # the points app is installed
    scan = selectors.candidate_scan(admin, tree.county, 2026, D("2026-12-31"))
    f = finding(scan, tree.village_a1, rules.STARS_LOW)
    assert f.links == (("2026年党组织评星定级", f"/points/branch-ratings/{rating.pk}/"),)


# --- no development target: whole years only ------------------------------------------------------------------------


def test_no_development_does_not_count_the_year_just_begun():
    kw = {"established_on": D("2000-01-01"), "records_from_year": 0, "min_years": 2}
    # 1 February 2026: a target in 2024, none in 2025, none yet in 2026 → only 1 whole year without.
    assert rules.no_development(year=2026, candidate_years={2024}, on=D("2026-02-01"), **kw) is None
    # none in 2024 or 2025 → 2 whole years; the facts say 2026 has none so far either
    f = rules.no_development(year=2026, candidate_years={2023}, on=D("2026-02-01"), **kw)
    assert f is not None and "2024年至2025年连续2年没有确定发展对象，2026年截至2026-02-01也没有" in f.facts
    # a target already made this year clears the village
    assert rules.no_development(year=2026, candidate_years={2026}, on=D("2026-02-01"), **kw) is None
    # judged on 31 December the year is whole
    f = rules.no_development(year=2026, candidate_years={2024}, on=D("2026-12-31"), **kw)
    assert f is not None and "2025年至2026年连续2年" in f.facts


def test_no_development_facts_count_only_real_years(world):
    """甲镇一村's last development target was made in 2014: judged for 2026 it has had none for 12
    years (2015–2026) — not "since the village was founded" because the query stopped looking at 2016."""
    from dangjian.recruitment.models import DevelopmentRecord

    record = advance(world, new_record(world), 8)
    # The record was made through the services (dated 2022); move its 发展对象 date back to 2014.
    DevelopmentRecord.objects.filter(pk=record.pk).update(candidate_on=D("2014-05-01"))
    scan = selectors.candidate_scan(world.admin, world.tree.county, 2026, D("2026-12-31"))
    f = finding(scan, world.tree.village_a1, rules.NO_DEVELOPMENT)
    assert "2015年至2026年连续12年没有确定发展对象" in f.facts


# --- the share denominators are the year's organizations ----------------------------------------------------------


def test_counts_denominators_are_the_years_organizations(tree):
    admin = tree.users["county_admin"]
    make_org(tree.town_b, "中共乙镇新村支部委员会", "branch", category="rural", established_on=D("2026-03-01"))
    # 甲镇二村 was dissolved in 2026: it was one of 甲镇's villages all through 2025.
    type(tree.village_a2).objects.filter(pk=tree.village_a2.pk).update(dissolved_on=D("2026-06-01"))
    c = selectors.counts(admin, tree.county, 2025, today=TODAY)
    by = {r.org.pk: r for r in c.rows}
    assert by[tree.town_a.pk].judged == {rules.KIND_VILLAGE: 2}
    assert by[tree.town_b.pk].judged == {rules.KIND_VILLAGE: 1}
    assert c.total.judged == {rules.KIND_VILLAGE: 3}
    now = selectors.counts(admin, tree.county, 2026, today=TODAY)
    assert now.total.judged == {rules.KIND_VILLAGE: 3}  # 甲镇一村, 乙镇一村, 乙镇新村


def test_share_warning_counts_the_years_organizations(tree):
    """Confirming for 2025 compares with 2025's villages: 1 of 3 is within 40%, whereas against
    today's 2 villages (one dissolved in 2026) it would be 50% and warn."""
    from dangjian.common.services import setting_update

    admin = tree.users["county_admin"]
    setting_update(actor=admin, key="rectification.reverse_ranking_share_percent", value=40)
    case = services.case_nominate(actor=admin, org=tree.village_a1, year=2025, category="c03", reason="班子不团结。",
                                  today=TODAY)
    type(tree.village_a2).objects.filter(pk=tree.village_a2.pk).update(dissolved_on=D("2026-06-01"))
    assert services.case_confirm(actor=admin, case=case, today=TODAY).warnings == []


# --- closed cases stay closed; acceptances in order -----------------------------------------------------------------


def _png(name="照片.png"):
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def _planned(tree, deadline="2027-03-31"):
    admin = tree.users["county_admin"]
    case = services.case_nominate(actor=admin, org=tree.village_a1, year=2026, category="c03", reason="班子不团结。",
                                  today=TODAY)
    services.case_confirm(actor=admin, case=case, today=TODAY)
    services.plan_create(actor=admin, case=case, responsible_person="甲镇组织委员王某", responsibility="每月到村指导",
                         goal="年底前组织生活正常", reward_penalty="验收不通过约谈", leader=admin, leader_name="李副书记",
                         leader_post="县委副书记", deadline=D(deadline), today=TODAY)  # fmt: skip
    case.refresh_from_db()
    return case


def test_nothing_is_added_to_an_accepted_case(tree):
    admin = tree.users["county_admin"]
    case = _planned(tree)
    m = services.milestone_add(actor=admin, case=case, title="调整班子", due=D("2026-12-31"), today=TODAY)
    report = services.progress_report(actor=admin, case=case, date=TODAY, text="已召开会议。", today=TODAY)
    services.acceptance_record(actor=admin, case=case, date=TODAY, accepted_by="县委组织部", result=rules.PASSED,
                               today=TODAY)
    closed = services.STATUS_NOT.format(status="已验收", action="登记节点完成")
    assert_rejected(lambda: services.milestone_done(actor=admin, milestone=m, done_on=TODAY, today=TODAY), closed)
    assert_rejected(lambda: services.progress_files_add(actor=admin, progress=report, files=[_png()]),
                    services.STATUS_NOT.format(status="已验收", action="补充整顿材料"))


def test_a_later_acceptance_is_not_dated_before_the_last(tree):
    admin = tree.users["county_admin"]
    case = _planned(tree)
    later = TODAY + dt.timedelta(days=10)
    services.acceptance_record(actor=admin, case=case, date=later, accepted_by="县委组织部", result=rules.NOT_PASSED,
                               notes="继续整顿", today=later)
    assert_rejected(lambda: services.acceptance_record(actor=admin, case=case, date=TODAY, accepted_by="县委组织部",
                                                       result=rules.PASSED, today=later),
                    services.ACCEPTANCE_BEFORE_LAST.format(date=later.isoformat()), field="date")
    case.refresh_from_db()
    assert case.status == rules.RECTIFYING


# --- plan update (deadline extension) ------------------------------------------------------------------------------


def _update(actor, case, **kw):
    plan = case.plan
    values = {"responsible_person": plan.responsible_person, "responsibility": plan.responsibility, "goal": plan.goal,
              "reward_penalty": plan.reward_penalty, "leader": plan.leader, "leader_name": plan.leader_name,
              "leader_post": plan.leader_post, "deadline": plan.deadline, "measures": plan.measures,
              "reason": "换届推迟，延长期限", "version": plan.version, **kw}  # fmt: skip
    return services.plan_update(actor=actor, case=case, today=TODAY, **values)


def test_plan_deadline_extended_with_reason_and_audited(tree):
    admin = tree.users["county_admin"]
    case = _planned(tree)
    plan = _update(admin, case, deadline=D("2027-06-30"))
    assert plan.deadline == D("2027-06-30") and plan.version == 2
    ev = AuditEvent.objects.filter(action="rectification.plan.update").get()
    assert ev.changes == {"deadline": ["2027-03-31", "2027-06-30"]} and ev.reason == "换届推迟，延长期限"
    # acceptance falls due at the new deadline
    kinds = [i.kind for i in selectors.work_items(admin, D("2027-03-25"))]
    assert "rectification_acceptance" not in kinds
    assert "rectification_acceptance" in [i.kind for i in selectors.work_items(admin, D("2027-06-25"))]


def test_plan_update_refused_with_nothing_written(tree):
    admin = tree.users["county_admin"]
    case = _planned(tree)
    services.milestone_add(actor=admin, case=case, title="换届", due=D("2027-03-01"), today=TODAY)
    case = Case.objects.get(pk=case.pk)
    assert_rejected(lambda: _update(admin, case, deadline=D("2027-02-01")),
                    services.DEADLINE_BEFORE_MILESTONE.format(date="2027-03-01"), field="deadline")
    assert_rejected(lambda: _update(admin, case, deadline=D("2027-06-30"), reason=" "), services.REASON_REQUIRED)
    assert_rejected(lambda: _update(admin, case, goal=""), field="goal")
    assert_rejected(lambda: _update(admin, case), services.PLAN_UNCHANGED)
    with pytest.raises(services.NotPermitted):
        _update(tree.users["branch_secretary"], case, deadline=D("2027-06-30"))
    services.acceptance_record(actor=admin, case=case, date=TODAY, accepted_by="县委组织部", result=rules.PASSED,
                               today=TODAY)
    case = Case.objects.get(pk=case.pk)
    assert_rejected(lambda: _update(admin, case, deadline=D("2027-06-30")),
                    services.STATUS_NOT.format(status="已验收", action="调整整顿方案"))


def test_plan_edit_page(client, tree):
    admin = tree.users["county_admin"]
    case = _planned(tree)
    client.force_login(admin)
    url = f"/rectification/cases/{case.pk}/plan/edit/"
    assert client.get(url).status_code == 200
    data = {"responsible_person": "甲镇组织委员王某", "responsibility": "每月到村指导", "goal": "年底前组织生活正常",
            "reward_penalty": "验收不通过约谈", "leader": str(admin.pk), "leader_name": "李副书记",
            "leader_post": "县委副书记", "deadline": "2027-05-31", "measures": "", "version": "1", "reason": ""}
    r = client.post(url, data)
    assert r.status_code == 422 and services.REASON_REQUIRED in r.content.decode()
    r = client.post(url, {**data, "reason": "延长期限"})
    assert r.status_code == 302
    case.plan.refresh_from_db()
    assert case.plan.deadline == D("2027-05-31")
    # outside the deciding level: 404, nothing written
    client.force_login(tree.users["branch_secretary"])
    assert client.post(url, {**data, "deadline": "2027-07-31", "reason": "x"}).status_code == 404
    case.plan.refresh_from_db()
    assert case.plan.deadline == D("2027-05-31")


# --- an organization moved to another township after confirmation ----------------------------------------------------


def test_acceptance_work_item_follows_a_moved_org(tree):
    from dangjian.accounts.models import Role
    from dangjian.accounts.services import user_create
    from dangjian.orgs.services import org_move

    admin, town_a = tree.users["county_admin"], tree.users["township_organizer"]
    town_b = user_create(actor=None, username="organizer_b", password="x-Pass-1234567", role=Role.TOWNSHIP_ORGANIZER,
                         display_name="乙镇组织委员", orgs=[tree.town_b])
    case = services.case_nominate(actor=town_a, org=tree.village_a1, year=2026, category="c03", reason="班子不团结。",
                                  today=TODAY)
    services.case_confirm(actor=town_a, case=case, today=TODAY)
    services.plan_create(actor=town_a, case=case, responsible_person="王某", responsibility="指导", goal="正常",
                         reward_penalty="约谈", leader=admin, leader_name="李副书记", leader_post="县委副书记",
                         deadline=D("2027-01-31"), today=TODAY)  # fmt: skip
    day = D("2027-01-25")
    assert "rectification_acceptance" in [i.kind for i in selectors.work_items(town_a, day)]
    org_move(actor=admin, org=tree.village_a1, new_parent=tree.town_b, date=TODAY, doc_number="县委〔2026〕1号")
    # 甲镇 no longer sees the village; 乙镇, its township now, is the one to accept it
    assert "rectification_acceptance" not in [i.kind for i in selectors.work_items(town_a, day)]
    assert "rectification_acceptance" in [i.kind for i in selectors.work_items(town_b, day)]


# --- small input checks ---------------------------------------------------------------------------------------------


def test_vacancy_facts_show_the_days_beyond_whole_months():
    f = rules.secretary_vacancy(posts=[(D("2020-01-01"), D("2026-03-31"))], on=D("2026-07-01"),
                                established_on=D("2000-01-01"), secretary_name="", records_start=None, months=3)
    assert f is not None and "已空缺3个月零1天，超过3个月" in f.facts


def test_nomination_for_a_year_before_the_org_existed_refused(tree):
    admin = tree.users["county_admin"]
    v = make_org(tree.town_b, "中共乙镇新村支部委员会", "branch", category="rural", established_on=D("2026-03-01"))
    assert_rejected(lambda: services.case_nominate(actor=admin, org=v, year=2025, category="c03", reason="理由",
                                                   today=TODAY),
                    services.ORG_NOT_YET.format(name=v.name, date="2026-03-01", year=2025), field="year")


def test_survey_date_belongs_to_its_year(tree):
    admin = tree.users["county_admin"]
    assert_rejected(lambda: services.survey_record(actor=admin, org=tree.village_a1, year=2026, date=D("2023-05-01"),
                                                   respondents=10, satisfied=5, method="问卷", today=TODAY),
                    services.SURVEY_DATE_YEAR.format(year=2026), field="date")
    # a 2025 survey held in January 2026 is fine
    services.survey_record(actor=admin, org=tree.village_a1, year=2025, date=D("2026-01-10"), respondents=10,
                           satisfied=5, method="问卷", today=TODAY)


# --- the share is the county's guide, not a quota per township (E6.12) ---------------------------------------------


def test_township_confirmation_compared_with_the_county_not_its_own_villages(tree):
    """甲镇 confirms 1 of its 2 villages (50%); the county has 3 villages, so 1 confirmed is 33.3% —
    within a 40% guide. Comparing with 甲镇's own villages would hand each township the same quota."""
    from dangjian.common.services import setting_update

    admin, town = tree.users["county_admin"], tree.users["township_organizer"]
    setting_update(actor=admin, key="rectification.reverse_ranking_share_percent", value=40)
    case = services.case_nominate(actor=town, org=tree.village_a1, year=2026, category="c03", reason="班子不团结。",
                                  today=TODAY)
    assert services.case_confirm(actor=town, case=case, today=TODAY).warnings == []
    other = services.case_nominate(actor=town, org=tree.village_a2, year=2026, category="c03", reason="理由",
                                   today=TODAY)
    line = selectors.case_detail(town, other.pk).share
    assert line.startswith("中共示范县委员会2026年已确认村党组织1个，共3个（33.3%）")
    # the second one makes 2 of 3 (66.7%): beyond the county's guide of 1.2
    w = services.case_confirm(actor=town, case=other, today=TODAY).warnings
    assert len(w) == 1 and "已确认软弱涣散村党组织2个，共3个，超过倒排比例参考40%（1.2个）" in w[0]


def test_a_dissolved_org_is_not_confirmed(tree):
    admin = tree.users["county_admin"]
    case = services.case_nominate(actor=admin, org=tree.village_a2, year=2026, category="c03", reason="理由",
                                  today=TODAY)
    type(tree.village_a2).objects.filter(pk=tree.village_a2.pk).update(dissolved_on=TODAY)
    assert_rejected(lambda: services.case_confirm(actor=admin, case=case, today=TODAY),
                    services.ORG_DISSOLVED.format(name=tree.village_a2.name))
    services.case_dismiss(actor=admin, case=case, reason="已撤销", today=TODAY)  # dismissing still works


# --- one turnaround is not identified again the next year -----------------------------------------------------------


def test_an_org_still_rectifying_last_years_case_is_not_a_new_candidate(tree):
    admin = tree.users["county_admin"]
    old = services.case_nominate(actor=admin, org=tree.village_a1, year=2025, category="c03", reason="班子不团结。",
                                 today=TODAY)
    services.case_confirm(actor=admin, case=old, today=TODAY)
    out = services.candidates_identify(actor=admin, org=tree.county, year=2026, today=TODAY)
    # every village meets some criterion (no records at all); 甲镇一村 is still on its 2025 case
    assert not Case.objects.filter(org=tree.village_a1, year=2026).exists()
    assert out.created == 2 and out.unchanged == 1
    scan = selectors.candidate_scan(admin, tree.county, 2026, TODAY)
    assert next(c.case for c in scan.candidates if c.org.pk == tree.village_a1.pk).pk == old.pk
    assert_rejected(lambda: services.case_nominate(actor=admin, org=tree.village_a1, year=2026, category="c03",
                                                   reason="理由", today=TODAY),
                    services.STILL_OPEN.format(name=tree.village_a1.name, year=2025))
    counts = selectors.counts(admin, tree.county, 2026, today=TODAY)
    assert counts.total.candidates == 2 and counts.total.identified == 0
