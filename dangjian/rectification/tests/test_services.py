"""The life of a case through the services: nomination, confirmation with the share warning, the plan
with the "四定一包", milestones, progress with files, acceptance not passed then passed; counts per
township checked by hand; bad input refused with nothing written; scope."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dangjian.common.errors import NotPermitted
from dangjian.common.models import AuditEvent
from dangjian.rectification import rules, selectors, services
from dangjian.rectification.models import Acceptance, Case, RectificationFile
from dangjian.rectification.tests.conftest import PNG, TODAY, assert_rejected, row_counts
from dangjian.testing import make_org

D = dt.date.fromisoformat


def png(name="照片.png"):
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def nominate(actor, org, year=2026, category="c03"):
    return services.case_nominate(actor=actor, org=org, year=year, category=category, reason="班子不团结。", today=TODAY)


def plan(actor, case, leader, **kw):
    values = {"responsible_person": "甲镇组织委员王某", "responsibility": "每月到村指导", "goal": "年底前组织生活正常",
              "reward_penalty": "验收不通过约谈", "leader": leader, "leader_name": "李副书记", "leader_post": "县委副书记",
              "deadline": D("2027-03-31"), **kw}  # fmt: skip
    return services.plan_create(actor=actor, case=case, today=TODAY, **values)


def test_whole_life_of_a_case(tree):
    admin = tree.users["county_admin"]
    organizer = tree.users["township_organizer"]
    case = nominate(organizer, tree.village_a1)
    assert case.status == rules.CANDIDATE
    assert case.findings.get().criterion == rules.MANUAL
    result = services.case_confirm(actor=organizer, case=case, today=TODAY)
    case.refresh_from_db()
    assert case.status == rules.CONFIRMED and case.confirming_org == tree.town_a
    assert result.warnings  # 1 of 2 villages of 甲镇 is beyond 10%
    p = plan(organizer, case, admin)
    case.refresh_from_db()
    assert case.status == rules.RECTIFYING and p.leader == admin
    m = services.milestone_add(actor=organizer, case=case, title="调整班子", due=D("2026-12-31"), today=TODAY)
    # the village's own secretary reports progress with a photo
    secretary = tree.users["branch_secretary"]
    report = services.progress_report(actor=secretary, case=case, date=TODAY, text="已召开专题组织生活会。",
                                      files=[png()], today=TODAY)
    assert report.files.get().file_type == "png"
    services.milestone_done(actor=secretary, milestone=m, done_on=TODAY, note="已完成", today=TODAY)
    acc = services.acceptance_record(actor=organizer, case=case, date=TODAY, accepted_by="甲镇党委",
                                     result=rules.NOT_PASSED, notes="组织生活仍不正常，继续整顿。", today=TODAY)
    case.refresh_from_db()
    assert acc.result == rules.NOT_PASSED and case.status == rules.RECTIFYING
    later = TODAY + dt.timedelta(days=20)
    services.acceptance_record(actor=organizer, case=case, date=later, accepted_by="甲镇党委", result=rules.PASSED,
                               files=[png("验收.png")], today=later)
    case.refresh_from_db()
    assert case.status == rules.ACCEPTED and case.accepted_on == later
    actions = list(AuditEvent.objects.filter(target_type="rectification.case", target_id=str(case.pk))
                   .order_by("id").values_list("action", flat=True))
    assert actions == ["rectification.case.nominate", "rectification.case.confirm", "rectification.plan.create",
                       "rectification.milestone.add", "rectification.progress.report", "rectification.milestone.done",
                       "rectification.acceptance.record", "rectification.acceptance.record"]
    assert RectificationFile.objects.filter(case=case).count() == 2


def test_share_warning_is_per_level_and_never_blocks(tree):
    admin = tree.users["county_admin"]
    # The county has 3 rural villages; 10% of 3 = 0.3, so even the first confirmation warns.
    c1 = nominate(admin, tree.village_a1)
    r1 = services.case_confirm(actor=admin, case=c1, today=TODAY)
    assert len(r1.warnings) == 1 and "已确认软弱涣散村党组织1个，共3个" in r1.warnings[0]
    from dangjian.common.services import setting_update

    setting_update(actor=admin, key="rectification.reverse_ranking_share_percent", value=70)
    c2 = nominate(admin, tree.village_b1)
    assert services.case_confirm(actor=admin, case=c2, today=TODAY).warnings == []  # 2 of 3, guide 2.1
    c3 = nominate(admin, tree.village_a2)
    r3 = services.case_confirm(actor=admin, case=c3, today=TODAY)
    assert r3.warnings and "共3个，超过倒排比例参考70%（2.1个）" in r3.warnings[0]
    assert Case.objects.filter(status=rules.CONFIRMED).count() == 3


def test_counts_per_township_by_hand(tree):
    admin = tree.users["county_admin"]
    extra = make_org(tree.town_b, "中共乙镇二村支部委员会", "branch", category="rural")
    community = make_org(tree.town_b, "中共乙镇社区支部委员会", "branch", category="community")
    a1, a2, b1 = (nominate(admin, o) for o in (tree.village_a1, tree.village_a2, tree.village_b1))
    nominate(admin, extra)  # stays a candidate
    c_comm = nominate(admin, community)
    for c in (a1, a2, b1, c_comm):
        services.case_confirm(actor=admin, case=c, today=TODAY)
    services.case_dismiss  # noqa: B018  (dismissal is tested elsewhere)
    for c in (a1, a2, b1):
        plan(admin, c, admin)
    services.acceptance_record(actor=admin, case=a1, date=TODAY, accepted_by="县委组织部", result=rules.PASSED, today=TODAY)
    services.acceptance_record(actor=admin, case=a2, date=TODAY, accepted_by="县委组织部", result=rules.NOT_PASSED,
                               notes="继续整顿", today=TODAY)
    nominate(admin, tree.village_a1, year=2025)  # another year: not counted
    counts = selectors.counts(admin, tree.county, 2026)
    by = {r.org.pk: r for r in counts.rows}
    a, b = by[tree.town_a.pk], by[tree.town_b.pk]
    # 甲镇: a1 accepted, a2 rectifying after failing acceptance.
    assert (a.candidates, a.identified, a.rectifying, a.accepted, a.not_passed) == (0, 2, 1, 1, 1)
    # 乙镇: b1 rectifying, the community confirmed (no plan yet), 乙镇二村 a candidate.
    assert (b.candidates, b.identified, b.rectifying, b.accepted, b.not_passed) == (1, 2, 2, 0, 0)
    assert counts.total.identified == 4 and counts.total.accepted == 1
    assert counts.total.sentence == "整顿软弱涣散基层党组织4个，验收通过1个"
    assert a.judged == {rules.KIND_VILLAGE: 2} and a.identified_kind == {rules.KIND_VILLAGE: 2}
    assert b.judged == {rules.KIND_VILLAGE: 2, rules.KIND_COMMUNITY: 1}
    assert str(b.share(rules.KIND_VILLAGE)) == "50.0" and str(b.share(rules.KIND_COMMUNITY)) == "100.0"
    # each count lists exactly the organizations behind it
    listed = {s: {c.org_id for c in selectors.case_list(admin, tree.town_a, year=2026, state=s)}
              for s in selectors.STATES}
    assert listed["identified"] == {tree.village_a1.pk, tree.village_a2.pk}
    assert listed["accepted"] == {tree.village_a1.pk} and listed["not_passed"] == {tree.village_a2.pk}
    # the township organizer sees only 甲镇
    t = selectors.counts(tree.users["township_organizer"], tree.town_a, 2026)
    assert t.total.identified == 2 and {r.org.pk for r in t.rows} == {tree.village_a1.pk, tree.village_a2.pk}


# --- bad input, nothing written ------------------------------------------------------------------------------


@pytest.fixture
def confirmed(tree):
    admin = tree.users["county_admin"]
    case = nominate(admin, tree.village_a1)
    services.case_confirm(actor=admin, case=case, today=TODAY)
    case.refresh_from_db()
    return case


def test_missing_four_ding_fields_rejected(tree, confirmed):
    admin = tree.users["county_admin"]
    err = assert_rejected(lambda: plan(admin, confirmed, None, responsibility=" ", goal="", reward_penalty="",
                                       deadline=TODAY))
    assert {"responsibility", "goal", "reward_penalty", "leader", "deadline"} <= set(err.errors)
    confirmed.refresh_from_db()
    assert confirmed.status == rules.CONFIRMED


def test_leader_must_see_the_org(tree, confirmed):
    admin = tree.users["county_admin"]
    assert_rejected(lambda: plan(admin, confirmed, tree.users["inspector"]), services.LEADER_INVALID)
    assert_rejected(lambda: plan(admin, confirmed, tree.users["branch_secretary"]), services.LEADER_INVALID)


def test_acceptance_before_the_plan_rejected(tree, confirmed):
    admin = tree.users["county_admin"]
    assert_rejected(lambda: services.acceptance_record(actor=admin, case=confirmed, date=TODAY, accepted_by="县",
                                                       result=rules.PASSED, today=TODAY), "尚未制定整顿方案，不能验收。")
    plan(admin, confirmed, admin)
    before_plan = TODAY - dt.timedelta(days=1)
    assert_rejected(lambda: services.acceptance_record(actor=admin, case=confirmed, date=before_plan, accepted_by="县",
                                                       result=rules.PASSED, today=TODAY),
                    rules.DATE_BEFORE_PLAN.format(label="验收日期", date=TODAY.isoformat()), field="date")
    assert_rejected(lambda: services.acceptance_record(actor=admin, case=confirmed, date=TODAY, accepted_by="县",
                                                       result=rules.NOT_PASSED, notes="", today=TODAY),
                    rules.NOTES_REQUIRED)
    assert not Acceptance.objects.exists()


def test_forbidden_file_type_rejected(tree, confirmed):
    admin = tree.users["county_admin"]
    plan(admin, confirmed, admin)
    exe = SimpleUploadedFile("整改.exe", b"MZ\x90\x00" + b"\x00" * 60)
    renamed = SimpleUploadedFile("照片.png", b"MZ\x90\x00" + b"\x00" * 60)
    err = assert_rejected(lambda: services.progress_report(actor=admin, case=confirmed, date=TODAY, text="进展",
                                                           files=[png(), exe], today=TODAY), field="files")
    assert "“整改.exe”的文件类型不允许" in err.messages[0]
    err = assert_rejected(lambda: services.progress_report(actor=admin, case=confirmed, date=TODAY, text="进展",
                                                           files=[renamed], today=TODAY))
    assert "“照片.png”的内容与扩展名不符" in err.messages[0]
    assert not RectificationFile.objects.exists()


def test_case_for_an_org_outside_scope_rejected(tree):
    organizer = tree.users["township_organizer"]
    before = row_counts()
    with pytest.raises(NotPermitted):
        nominate(organizer, tree.village_b1)  # 乙镇's village
    with pytest.raises(NotPermitted):
        nominate(tree.users["branch_secretary"], tree.village_a1)  # an organization does not judge itself
    with pytest.raises(NotPermitted):
        nominate(tree.users["inspector"], tree.village_a1)
    assert row_counts() == before


def test_nomination_input_checked(tree):
    admin = tree.users["county_admin"]
    err = assert_rejected(lambda: services.case_nominate(actor=admin, org=tree.village_a1, year=2030, category="x",
                                                         reason=" ", today=TODAY))
    assert set(err.errors) == {"year", "category", "reason"}
    assert_rejected(lambda: nominate(admin, tree.town_a), services.ORG_NOT_JUDGED.format(name=tree.town_a.name))


def test_confirm_twice_and_dismiss_needs_reason(tree, confirmed):
    admin = tree.users["county_admin"]
    assert_rejected(lambda: services.case_confirm(actor=admin, case=confirmed, today=TODAY),
                    services.STATUS_NOT.format(status="已确认", action="确认"))
    other = nominate(admin, tree.village_a2)
    assert_rejected(lambda: services.case_dismiss(actor=admin, case=other, reason="", today=TODAY), services.REASON_REQUIRED)
    services.case_dismiss(actor=admin, case=other, reason="经核实班子团结", today=TODAY)
    assert_rejected(lambda: nominate(admin, tree.village_a2), field="__all__")


def test_milestone_and_survey_checks(tree, confirmed):
    admin = tree.users["county_admin"]
    plan(admin, confirmed, admin)
    assert_rejected(lambda: services.milestone_add(actor=admin, case=confirmed, title="", due=D("2027-06-01"),
                                                   today=TODAY), services.MILESTONE_TITLE,
                    rules.DUE_AFTER_DEADLINE.format(date="2027-03-31"))
    assert_rejected(lambda: services.survey_record(actor=admin, org=tree.village_a2, year=2026, date=TODAY,
                                                   respondents=10, satisfied=11, method="问卷", today=TODAY),
                    rules.COUNT_INVALID)
    services.survey_record(actor=admin, org=tree.village_a2, year=2026, date=TODAY, respondents=10, satisfied=5,
                           method="问卷", today=TODAY)
    assert_rejected(lambda: services.survey_record(actor=admin, org=tree.village_a2, year=2026, date=TODAY,
                                                   respondents=10, satisfied=5, method="问卷", today=TODAY),
                    services.SURVEY_EXISTS.format(name=tree.village_a2.name, year=2026))


# --- work queue and panel --------------------------------------------------------------------------------------


def test_work_items_go_to_whoever_acts_next(tree):
    admin = tree.users["county_admin"]
    organizer = tree.users["township_organizer"]
    secretary = tree.users["branch_secretary"]
    case = nominate(organizer, tree.village_a1)
    kinds = lambda u, day=TODAY: sorted(i.kind for i in selectors.work_items(u, day))  # noqa: E731
    assert kinds(organizer) == ["rectification_confirm"] and kinds(admin) == ["rectification_confirm"]
    assert kinds(secretary) == [] and kinds(tree.users["inspector"]) == [] and kinds(tree.users["member"]) == []
    services.case_confirm(actor=organizer, case=case, today=TODAY)
    plan(organizer, case, admin, deadline=D("2027-01-31"))
    services.milestone_add(actor=organizer, case=case, title="调整班子", due=D("2026-11-20"), today=TODAY)
    # the milestone (due in 5 days) goes to the village and the 包 leader; not to the township
    assert kinds(secretary) == ["rectification_milestone"]
    assert kinds(admin) == ["rectification_milestone"]
    assert kinds(organizer) == []
    overdue = [i for i in selectors.work_items(secretary, D("2026-11-21"))]
    assert overdue[0].severity == "danger"
    # acceptance due at the deadline: the confirming level (甲镇) within the reminder days
    assert "rectification_acceptance" in kinds(organizer, D("2027-01-20"))
    assert "rectification_acceptance" not in kinds(organizer, D("2027-01-10"))
    assert "rectification_acceptance" not in kinds(admin, D("2027-01-20"))


def test_org_panel(tree):
    admin = tree.users["county_admin"]
    assert selectors.org_panel(admin, tree.village_a1) is None
    case = nominate(admin, tree.village_a1)
    services.case_confirm(actor=admin, case=case, today=TODAY)
    plan(admin, case, admin)
    services.milestone_add(actor=admin, case=case, title="一", due=D("2026-12-01"), today=TODAY)
    m = services.milestone_add(actor=admin, case=case, title="二", due=D("2026-12-02"), today=TODAY)
    services.milestone_done(actor=admin, milestone=m, done_on=TODAY, today=TODAY)
    panel = selectors.org_panel(tree.users["inspector"], tree.village_a1)
    assert panel is not None
    assert (panel.status_label, panel.deadline, panel.milestones_done, panel.milestones_total) == (
        "整顿中", D("2027-03-31"), 1, 2)
    assert selectors.org_panel(tree.users["member"], tree.village_a1) is None
    assert selectors.org_panel(tree.users["township_organizer"], tree.village_b1) is None
