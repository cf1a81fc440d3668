"""Each development rule at its boundaries (the day before, the day of, the day after), under both rule
versions. Pure: no database."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dangjian.members.rules import add_months
from dangjian.recruitment import rules as R
from dangjian.recruitment import steps as S
from dangjian.recruitment.tests.facts import (
    BIRTH,
    BRANCH,
    FULL_A,
    FULL_B,
    HAPPY,
    PARAMS,
    TOWN,
    D,
    check,
    history,
    levels,
    step,
    vote,
)  # fmt: skip

EFFECTIVE = PARAMS.effective_2026


def test_the_happy_history_passes_every_step() -> None:
    for n in HAPPY:
        results = check(n)
        assert not R.blocking(results), (n, [r.message for r in results])
        assert not [r for r in results if r.level == R.WARN], (n, [r.message for r in results])


def test_title_names_rule_and_article() -> None:
    r = check(1, step(1, "2013-04-30"), birth_date=D("1995-05-01"))[0]
    assert r.title == "R1.1 年满十八周岁（党章第一条；细则第五条）"


@pytest.mark.parametrize(("applied", "level"), [("2013-04-30", R.BLOCK), ("2013-05-01", R.PASS), ("2013-05-02", R.PASS)])
def test_r1_1_eighteen_at_application(applied: str, level: str) -> None:
    results = check(1, step(1, applied))
    assert levels(results, "R1.1") == [level]
    if level == R.BLOCK:
        assert not results[0].overridable
        assert "未满十八周岁" in results[0].message


@pytest.mark.parametrize(("talk", "level"), [("2021-03-31", R.PASS), ("2021-04-01", R.PASS), ("2021-04-02", R.WARN)])
def test_r1_3_talk_within_a_month(talk: str, level: str) -> None:
    assert levels(check(2, step(2, talk)), "R1.3") == [level]


def test_r1_4_local_wait_only_when_set() -> None:
    assert levels(check(3), "R1.4") == []
    params = dataclasses.replace(PARAMS, local_activist_wait_months=6)
    assert levels(check(3, step(3, "2021-08-31"), params=params), "R1.4") == [R.WARN]
    assert levels(check(3, step(3, "2021-09-01"), params=params), "R1.4") == []


@pytest.mark.parametrize(("count", "level"), [(0, R.BLOCK), (1, R.PASS), (2, R.PASS), (3, R.BLOCK)])
def test_r1_6_one_or_two_mentors(count: int, level: str) -> None:
    people = tuple(R.Person(S.MENTOR, f"联系人{i}", i, "full") for i in range(count))
    assert set(levels(check(5, step(5, people=people)), "R1.6")) == {level}


def test_r1_6_mentor_must_be_full_member() -> None:
    people = (R.Person(S.MENTOR, "预备党员甲", 9, "probationary"),)
    results = check(5, step(5, people=people))
    assert levels(results, "R1.6") == [R.BLOCK]
    assert "不是正式党员" in results[-1].message


@pytest.mark.parametrize(("date", "level"), [("2022-05-31", R.BLOCK), ("2022-06-01", R.PASS), ("2022-06-02", R.PASS)])
def test_r1_9_one_year_of_training(date: str, level: str) -> None:
    results = check(7, step(7, date), assessments=("2021-12-01", "2022-05-30"))
    assert levels(results, "R1.9") == [level]


@pytest.mark.parametrize(("second", "level"), [("2022-05-31", R.PASS), ("2022-06-01", R.PASS), ("2022-06-02", R.BLOCK)])
def test_r1_7_assessment_every_six_months(second: str, level: str) -> None:
    # Activist 2021-06-01; assessed 2021-12-01 (exactly six months), then again, then target on 2022-11-30.
    results = check(7, step(7, "2022-11-30"), assessments=("2021-12-01", second))
    assert levels(results, "R1.7") == [level]


def test_r1_7_first_assessment_late() -> None:
    results = check(7, step(7, "2022-06-06"), assessments=("2021-12-02", "2022-05-30"))
    assert levels(results, "R1.7") == [R.BLOCK]
    assert "2021-06-01至2021-12-02之间超过半年" in [r.message for r in results if r.code == "R1.7"][0]


def _with_unit_change(transferred: bool) -> R.RecordFacts:
    rec = history(7)
    change = R.StepFacts(6, D("2021-10-01"), {"unit_change": {"new_unit": "乙厂", "records_transferred": transferred},
                                              "assessment": "接续考察"})
    return dataclasses.replace(rec, steps=(*rec.steps, change))


def test_r1_8_training_continues_across_a_change_of_unit() -> None:
    rec = _with_unit_change(True)
    assert R.training_start(rec) == D("2021-06-01")
    results = R.check_step(rec, step(7, "2022-06-01"), today=D("2026-11-15"), params=PARAMS)
    assert levels(results, "R1.8") == [R.PASS]
    assert levels(results, "R1.9") == [R.PASS]


def test_r1_8_training_restarts_when_records_not_handed_over() -> None:
    rec = _with_unit_change(False)
    assert R.training_start(rec) == D("2021-10-01")
    results = R.check_step(rec, step(7, "2022-09-30"), today=D("2026-11-15"), params=PARAMS)
    assert levels(results, "R1.8") == [R.WARN]
    assert levels(results, "R1.9") == [R.BLOCK]
    results = R.check_step(rec, step(7, "2022-10-01"), today=D("2026-11-15"), params=PARAMS)
    assert levels(results, "R1.9") == [R.PASS]


# --- step 8 under both versions ---------------------------------------------------------------------------


def _2026_history(notice: R.NoticeFacts | None) -> R.RecordFacts:
    # Shift the happy history so the activist year ends after the 2026 revision took effect.
    rec = history(8)
    shifted = tuple(dataclasses.replace(s, date=add_months(s.date, 47)) for s in rec.steps)
    return dataclasses.replace(rec, steps=shifted, notices=(notice,) if notice else ())


def test_step_8_by_the_version_of_its_date() -> None:
    rec = _2026_history(None)
    day_before = EFFECTIVE - D("2026-05-18").resolution
    before = R.check_step(rec, step(8, day_before), today=D("2026-11-15"), params=PARAMS)
    assert levels(before, "R1.9") == [R.PASS]  # 2014: filing, no notice
    assert "备案" in before[-1].name
    on = R.check_step(rec, step(8, EFFECTIVE), today=D("2026-11-15"), params=PARAMS)
    assert R.BLOCK in levels(on, "R1.9")
    messages = [r.message for r in on if r.blocks]
    assert R.AGREED_MISSING in messages
    assert R.NOTICE_MISSING.format(days=5) in messages


def _notice_check(start: str, end: str, listing: str, result: str = "none") -> list[R.RuleResult]:
    rec = _2026_history(R.NoticeFacts("candidate", D(start), D(end), result))
    p = step(8, listing, details={"agreed_on": start})
    return R.check_step(rec, p, today=D("2026-11-15"), params=PARAMS)


def test_2026_notice_five_working_days_ending_before_listing() -> None:
    ok = _notice_check("2026-06-01", "2026-06-05", "2026-06-08")
    assert levels(ok, "R1.9") == [R.PASS, R.PASS]
    # Ending on the listing day: not before it.
    assert R.BLOCK in levels(_notice_check("2026-06-01", "2026-06-05", "2026-06-05"), "R1.9")
    # Listing the day after the notice ends.
    assert R.BLOCK not in levels(_notice_check("2026-06-01", "2026-06-05", "2026-06-06"), "R1.9")
    four = _notice_check("2026-06-01", "2026-06-04", "2026-06-08")
    assert R.NOTICE_SHORT.format(start="2026-06-01", end="2026-06-04", count=4, days=5) in [r.message for r in four]
    upheld = _notice_check("2026-06-01", "2026-06-05", "2026-06-08", "upheld")
    assert R.NOTICE_UPHELD in [r.message for r in upheld if r.blocks]


def test_2026_notice_across_national_day() -> None:
    # 9-28, 9-29, 9-30 then the holiday to 10-7: 10-8 is the fourth working day, 10-9 the fifth.
    assert R.BLOCK in levels(_notice_check("2026-09-28", "2026-10-08", "2026-10-12"), "R1.9")
    assert levels(_notice_check("2026-09-28", "2026-10-09", "2026-10-12"), "R1.9") == [R.PASS, R.PASS]


@pytest.mark.django_db  # a year chinese-calendar lacks is looked up among the recorded 放假安排 (none here)
def test_notice_past_the_calendar_is_refused_not_guessed() -> None:
    results = R.check_notice(R.NoticeFacts("admission", D("2026-12-28"), D("2027-01-08")), params=PARAMS)
    assert results[0].level == R.BLOCK
    assert "2027-01-08不在其中" in results[0].message
    local = R.check_notice(R.NoticeFacts("admission", D("2026-06-01"), D("2026-06-04")), params=PARAMS)
    assert local[0].level == R.WARN  # local rule: warn only


# --- sponsors, review, training -------------------------------------------------------------------------------


@pytest.mark.parametrize(("sponsor", "message"), [
    (R.Person(S.SPONSOR, "预备甲", 7, "probationary"), R.SPONSOR_PROBATIONARY.format(name="预备甲", date="2022-06-20")),
    (R.Person(S.SPONSOR, "察看乙", 8, "full", under_party_probation=True), R.SPONSOR_DISCIPLINE.format(name="察看乙")),
    (R.Person(S.SPONSOR, "限改丙", 9, "full", correction_ordered=True), R.SPONSOR_CORRECTION.format(name="限改丙")),
    (R.Person(S.SPONSOR, "群众丁", None, None), R.SPONSOR_NOT_MEMBER.format(name="群众丁")),
])  # fmt: skip
def test_r1_10_sponsors(sponsor: R.Person, message: str) -> None:
    results = check(9, step(9, people=(FULL_A, sponsor)))
    assert message in [r.message for r in results if r.blocks]


def test_r1_10_exactly_two() -> None:
    assert R.SPONSOR_COUNT.format(count=1) in [r.message for r in check(9, step(9, people=(FULL_A,)))]
    assert R.SPONSOR_SAME in [r.message for r in check(9, step(9, people=(FULL_A, FULL_A)))]
    assert levels(check(9, step(9, people=(FULL_A, FULL_B))), "R1.10") == [R.PASS]


def test_r1_11_political_review() -> None:
    assert levels(check(10, step(10, details={"review_conclusion": "qualified"})), "R1.11") == [R.BLOCK]
    bad = {"review_conclusion": "unqualified", "review_summary": "有问题"}
    assert levels(check(10, step(10, details=bad)), "R1.11") == [R.WARN]
    # ...and then admission is refused.
    rec = history(15)
    steps_ = tuple(dataclasses.replace(s, details=bad) if s.number == 10 else s for s in rec.steps)
    results = R.check_step(dataclasses.replace(rec, steps=steps_), step(15), today=D("2026-11-15"), params=PARAMS)
    assert R.REVIEW_NOT_PASSED in [r.message for r in results if r.blocks]


@pytest.mark.parametrize(("days", "hours", "level"), [
    (2, 23, R.BLOCK), (3, 0, R.PASS), (2.5, 20, R.BLOCK), (0, 24, R.PASS), (0, 23.5, R.BLOCK), (4, 32, R.PASS),
])  # fmt: skip
def test_r1_12_centralized_training(days: float, hours: float, level: str) -> None:
    results = check(11, step(11, details={"training_days": days, "training_hours": hours}))
    assert levels(results, "R1.12") == [level]


# --- pre-review, meeting, votes ---------------------------------------------------------------------------


def _2026_meeting(pre: str, meeting: str) -> list[R.RuleResult]:
    rec = history(15)
    steps_ = tuple(dataclasses.replace(s, date=D(pre)) if s.number in (13, 14) else s for s in rec.steps)
    return R.check_step(dataclasses.replace(rec, steps=steps_), step(15, meeting), today=D("2026-11-15"), params=PARAMS)


@pytest.mark.parametrize(("meeting", "level"), [("2026-07-09", R.PASS), ("2026-07-10", R.PASS), ("2026-07-11", R.BLOCK)])
def test_r1_14_meeting_within_a_month_of_pre_review_2026(meeting: str, level: str) -> None:
    assert levels(_2026_meeting("2026-06-10", meeting), "R1.14") == [level]


def test_r1_14_not_in_2014() -> None:
    assert levels(check(15, step(15, "2022-12-10")), "R1.14") == []


@pytest.mark.parametrize(("present", "yes", "quorum", "passed"), [
    (5, 5, False, False),  # exactly half present: no quorum
    (6, 5, True, False),  # exactly half yes: not passed
    (6, 6, True, True),
])  # fmt: skip
def test_vote_arithmetic_exactly_half_is_not_enough(present: int, yes: int, quorum: bool, passed: bool) -> None:
    r = R.vote_result(vote(10, present, yes))
    assert (r.expected, r.quorum_met, r.passed) == (10, quorum, passed)
    results = R.check_vote(vote(10, present, yes), date=D("2022-10-10"), version=S.V2014)
    assert [x.level for x in results] == [R.PASS if passed else R.BLOCK]


def test_vote_odd_should_attend() -> None:
    assert R.vote_result(vote(9, 5, 5)).passed
    assert not R.vote_result(vote(9, 4, 4)).quorum_met


def test_vote_exclusions_and_written_opinions() -> None:
    both = R.Exclusion("abroad", True, True, "出国甲")
    half = R.Exclusion("away", True, False, "外出乙")
    v = vote(12, 5, 6, written_opinions=1, exclusions=(both, both, half))
    r = R.vote_result(v)
    assert (r.expected, r.excluded) == (10, 2)  # only exclusions approved by both count
    assert not r.quorum_met  # written opinions are votes, not presence: 5 of 10
    v = vote(12, 6, 6, written_opinions=1, exclusions=(both, both))
    assert R.vote_result(v).passed  # 5 present + 1 written yes = 6 of 10
    results = R.check_vote(vote(12, 8, 8, exclusions=(half,)), date=D("2022-10-10"), version=S.V2014)
    assert R.EXCLUSION_UNAPPROVED.format(name="外出乙") in [x.message for x in results if x.level == R.WARN]


def test_vote_input_errors() -> None:
    assert R.vote_errors(vote(10, 11, 5)) == [R.VOTE_PRESENT_TOO_MANY.format(present=11, written=0, expected=10)]
    assert R.vote_errors(vote(10, 6, 5, no=2)) == [R.VOTE_BALLOTS_TOO_MANY.format(ballots=7, voters=6)]
    assert R.vote_errors(vote(10, 6, 6, exclusions=(R.Exclusion("holiday", True, True),))) == [
        R.VOTE_CATEGORY.format(category="holiday")]
    assert R.vote_errors(vote(10, 6, 6)) == []
    roster = R.check_vote(vote(10, 8, 8, roster_full=11), date=D("2022-10-10"), version=S.V2014)
    assert R.WARN in [x.level for x in roster]


# --- approval ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("approved", "level"), [
    ("2023-01-10", R.PASS), ("2023-01-11", R.WARN), ("2023-04-10", R.WARN), ("2023-04-11", R.BLOCK),
])  # fmt: skip
def test_r1_17_approval_within_three_months_ceiling_six_2014(approved: str, level: str) -> None:
    assert levels(check(17, step(17, approved)), "R1.17")[-1] == level  # meeting 2022-10-10


def test_r1_17_ceiling_is_a_setting_and_only_warns_under_2026() -> None:
    params = dataclasses.replace(PARAMS, approval_ceiling_months=4)
    assert levels(check(17, step(17, "2023-02-11"), params=params), "R1.17")[-1] == R.BLOCK
    rec = history(17)
    steps_ = tuple(dataclasses.replace(s, date=D("2026-05-20")) if s.number in range(13, 17) else s for s in rec.steps)
    results = R.check_step(dataclasses.replace(rec, steps=steps_), step(17, "2026-11-21"), today=D("2026-12-01"), params=PARAMS)
    assert levels(results, "R1.17")[-1] == R.WARN
    assert "待核实" in [r.message for r in results if r.code == "R1.17"][-1]


def test_r1_17_committee_vote_required() -> None:
    assert R.COMMITTEE_VOTE in [r.message for r in check(17, step(17, vote=None)) if r.blocks]
    assert R.COMMITTEE_NOT_PASSED in [r.message for r in check(17, step(17, vote=vote(7, 4, 3))) if r.blocks]


@pytest.mark.parametrize(("org", "message"), [
    (R.OrgFacts("甲镇总支", "general_branch", "00010001"), "没有审批预备党员的权限"),
    (R.OrgFacts("临时支部", "temporary_branch", "00010001"), "没有审批预备党员的权限"),
    (R.OrgFacts("党小组", "party_group", "00010001"), "没有审批预备党员的权限"),
    (R.OrgFacts("一村党委", "primary_committee", "00010001", can_approve=True, is_village_level=True), "村（社区）党组织"),
    (R.OrgFacts("某企业党委", "primary_committee", "00010001", can_approve=True), "须由乡镇党委"),
    (dataclasses.replace(TOWN, can_approve=False), "未被赋予审批预备党员权限"),
    (R.OrgFacts("乙镇党委", "township_committee", "00010002", can_approve=True), "不是本支部的上级党委"),
])  # fmt: skip
def test_r1_18_who_may_approve(org: R.OrgFacts, message: str) -> None:
    results = R.check_approver(org, BRANCH)
    assert results[0].level == R.BLOCK and message in results[0].message
    assert R.check_approver(TOWN, BRANCH)[0].level == R.PASS
    # A non-village branch may be approved by a primary committee with approval power.
    firm = R.OrgFacts("某厂支部", "branch", "000100030001")
    assert R.check_approver(R.OrgFacts("某厂党委", "primary_committee", "00010003", can_approve=True), firm)[0].level == R.PASS


def test_r1_16_talk_before_approval() -> None:
    assert levels(check(16, step(16, details={"talker_position": "村民"})), "R1.16") == [R.BLOCK]
    assert levels(check(16), "R1.16") == [R.PASS]


@pytest.mark.parametrize(("leaving", "level"), [("2023-01-10", [R.BLOCK]), ("2023-01-11", [])])
def test_r1_13_three_month_departure_2014(leaving: str, level: list[str]) -> None:
    assert levels(check(15, leaving_unit_on=D(leaving)), "R1.13") == level  # meeting 2022-10-10


def test_r1_13_departure_only_warns_under_2026() -> None:
    results = _2026_meeting("2026-06-10", "2026-07-01")
    assert levels(results, "R1.13") == []
    rec = dataclasses.replace(history(15), leaving_unit_on=D("2026-08-01"))
    steps_ = tuple(dataclasses.replace(s, date=D("2026-06-10")) if s.number in (13, 14) else s for s in rec.steps)
    results = R.check_step(dataclasses.replace(rec, steps=steps_), step(15, "2026-07-01"), today=D("2026-11-15"), params=PARAMS)
    assert levels(results, "R1.13") == [R.WARN]


# --- probation, extension, conversion ----------------------------------------------------------------------


@pytest.mark.parametrize(("meeting", "level"), [("2023-10-09", R.BLOCK), ("2023-10-10", R.PASS), ("2023-10-11", R.PASS)])
def test_r1_20_probation_never_shortened(meeting: str, level: str) -> None:
    results = check(23, step(23, meeting))
    assert levels(results, "R1.20") == [level]
    if level == R.BLOCK:
        assert not [r for r in results if r.code == "R1.20"][0].overridable


def test_probation_end_with_extension_and_party_standing() -> None:
    rec = dataclasses.replace(history(23), extensions=(R.ExtensionFacts(D("2023-10-10"), D("2023-11-01"), 6),))
    assert R.probation_end(rec) == D("2024-04-10")
    assert R.party_standing_from(rec) == D("2024-04-10")
    results = R.check_step(rec, step(23, "2024-04-09"), today=D("2026-11-15"), params=PARAMS)
    assert levels(results, "R1.20") == [R.BLOCK]
    conv = R.check_step(history(24), step(24), today=D("2026-11-15"), params=PARAMS)
    assert R.PARTY_STANDING.format(ends=D("2023-10-10")) in [r.message for r in conv]


@pytest.mark.parametrize(("months", "ok"), [(5, False), (6, True), (12, True), (13, False)])
def test_r1_21_extension_six_to_twelve_months(months: int, ok: bool) -> None:
    rec = history(23)
    ext = R.ExtensionFacts(D("2023-10-10"), D("2023-11-01"), months)
    results = R.check_extension(rec, ext, vote=vote(), approving_org=TOWN, committee_vote=vote(7, 6, 6),
                                today=D("2026-11-15"), params=PARAMS)
    assert (R.BLOCK not in levels(results, "R1.21")) is ok


def test_r1_21_extension_once_under_2026_twice_allowed_under_2014_within_a_year() -> None:
    first = R.ExtensionFacts(D("2023-10-10"), D("2023-11-01"), 6)
    rec = dataclasses.replace(history(23), extensions=(first,))
    second_2014 = R.ExtensionFacts(D("2024-04-10"), D("2024-05-01"), 6)
    results = R.check_extension(rec, second_2014, vote=vote(), approving_org=TOWN, committee_vote=vote(7, 6, 6),
                                today=D("2026-11-15"), params=PARAMS)
    assert R.BLOCK not in levels(results, "R1.21")
    too_long = dataclasses.replace(second_2014, months=7)
    results = R.check_extension(rec, too_long, vote=vote(), approving_org=TOWN, committee_vote=vote(7, 6, 6),
                                today=D("2026-11-15"), params=PARAMS)
    assert R.EXTENSION_TOTAL.format(done=6, months=7) in [r.message for r in results]
    params = dataclasses.replace(PARAMS, effective_2026=D("2024-01-01"))
    results = R.check_extension(rec, second_2014, vote=vote(), approving_org=TOWN, committee_vote=vote(7, 6, 6),
                                today=D("2026-11-15"), params=params)
    assert R.EXTENSION_TWICE_2026 in [r.message for r in results if r.blocks]


# R1.23 gives only the 3 months: the 6-month ceiling is R1.17's (admission), so a late conversion warns.
@pytest.mark.parametrize(("approved", "level"), [("2024-01-10", R.PASS), ("2024-01-11", R.WARN), ("2024-04-11", R.WARN)])
def test_r1_23_conversion_approval_within_three_months(approved: str, level: str) -> None:
    assert levels(check(24, step(24, approved)), "R1.23")[0] == level  # meeting 2023-10-10


# --- input rules, order, status, deadlines ----------------------------------------------------------------


def test_dates_not_in_the_future_nor_before_birth() -> None:
    future = check(1, step(1, "2026-11-16"))
    assert R.FUTURE_DATE.format(date="2026-11-16", today="2026-11-15") in [r.message for r in future]
    assert levels(check(1, step(1, "2026-11-15")), "R0.1") == []
    before = check(1, step(1, "1995-04-30"))
    assert R.BEFORE_BIRTH.format(date="1995-04-30", birth=BIRTH) in [r.message for r in before]
    assert all(not r.overridable for r in future + before if r.blocks)


def test_steps_in_order() -> None:
    rec = history(3)
    skipped = R.check_step(dataclasses.replace(rec, steps=rec.steps[:1]), step(3), today=D("2026-11-15"), params=PARAMS)
    assert R.MISSING_PREVIOUS.format(missing=2, n=3, label="推荐和确定入党积极分子") in [r.message for r in skipped]
    twice = R.check_step(rec, step(2), today=D("2026-11-15"), params=PARAMS)
    assert R.ALREADY_RECORDED.format(n=2, label="党组织派人谈话") in [r.message for r in twice]
    early = R.check_step(rec, step(3, "2021-03-14"), today=D("2026-11-15"), params=PARAMS)
    assert levels(early, "R0.4") == [R.BLOCK]
    same_day = R.check_step(rec, step(3, "2021-03-15"), today=D("2026-11-15"), params=PARAMS)
    assert levels(same_day, "R0.4") == []
    late_assessment = R.check_step(history(8), step(6, "2022-07-01"), today=D("2026-11-15"), params=PARAMS)
    assert R.AFTER_LATER.format(n=6, label="培养教育考察", closing=7) in [r.message for r in late_assessment]
    stopped = R.check_step(dataclasses.replace(rec, outcome=R.OUTCOME_STOPPED), step(3), today=D("2026-11-15"), params=PARAMS)
    assert [r.code for r in stopped] == ["R0.5"]


def test_derive_status() -> None:
    assert R.derive_status([1], None) == (1, R.APPLICANT)
    assert R.derive_status([1, 2, 3], None) == (2, R.ACTIVIST)
    assert R.derive_status(range(1, 8), None) == (3, R.CANDIDATE)
    assert R.derive_status(range(1, 18), None) == (4, R.PROBATIONARY)
    assert R.derive_status(range(1, 25), None) == (5, R.CONVERTED)
    assert R.derive_status(range(1, 26), None) == (5, R.ARCHIVED)
    assert R.derive_status([1, 2, 3], R.OUTCOME_STOPPED) == (2, R.STOPPED)
    assert R.derive_status(range(1, 21), R.OUTCOME_CANCELLED) == (5, R.CANCELLED)
    assert R.derive_status(range(1, 21), R.OUTCOME_EXTENDED) == (5, R.PROBATIONARY)


def _due(rec: R.RecordFacts, today: str) -> dict[str, tuple[str, str | None]]:
    return {d.code: (str(d.due), d.state(D(today), 30)) for d in R.deadlines(rec, today=D(today), params=PARAMS)}


def test_deadlines() -> None:
    assert _due(history(2), "2021-03-10") == {"talk_due": ("2021-04-01", R.UPCOMING)}
    assert _due(history(2), "2021-04-02") == {"talk_due": ("2021-04-01", R.OVERDUE)}
    assert _due(history(6), "2021-06-20")["assessment_due"] == ("2021-12-01", None)
    assert _due(history(7), "2022-06-01")["assessment_due"] == ("2022-11-30", None)
    assert _due(history(17), "2022-12-20")["approval_due"] == ("2023-01-10", R.UPCOMING)
    probation = _due(history(21), "2023-09-15")
    assert probation["probation_ending"] == ("2023-10-10", R.UPCOMING)
    assert _due(history(24), "2024-02-01") == {"conversion_approval_due": ("2024-01-10", R.OVERDUE)}
    assert _due(history(26), "2024-02-01") == {}
    rec = dataclasses.replace(history(8), notices=(R.NoticeFacts("candidate", D("2026-02-13"), D("2026-02-26")),))
    assert _due(rec, "2026-02-20")["notice_closing"] == ("2026-02-26", R.UPCOMING)
    assert R.deadlines(dataclasses.replace(history(5), outcome=R.OUTCOME_STOPPED), today=D("2021-07-01"), params=PARAMS) == []


def test_version_on_boundary() -> None:
    assert R.version_on(D("2026-05-17"), PARAMS) == S.V2014
    assert R.version_on(D("2026-05-18"), PARAMS) == S.V2026


@given(total=st.integers(0, 60), present=st.integers(0, 60), yes=st.integers(0, 60), excluded=st.integers(0, 5))
def test_vote_result_is_strict_more_than_half(total: int, present: int, yes: int, excluded: int) -> None:
    ex = tuple(R.Exclusion("abroad", True, True) for _ in range(excluded))
    r = R.vote_result(vote(total, present, yes, exclusions=ex))
    expected = max(total - excluded, 0)
    assert r.expected == expected
    assert r.quorum_met == (expected > 0 and 2 * present > expected)
    assert r.passed == (r.quorum_met and 2 * yes > expected)
    if expected % 2 == 0 and present == expected // 2:
        assert not r.quorum_met


def _dated(upto: int, moves: dict[int, str]) -> R.RecordFacts:
    rec = history(upto)
    return dataclasses.replace(rec, steps=tuple(dataclasses.replace(s, date=D(moves[s.number])) if s.number in moves else s
                                                for s in rec.steps))


def test_r1_14_by_the_meeting_date_day_before_and_day_of_the_revision() -> None:
    rec = _dated(15, {13: "2026-04-01", 14: "2026-04-02"})
    before = R.check_step(rec, step(15, "2026-05-17"), today=D("2026-11-15"), params=PARAMS)
    assert levels(before, "R1.14") == []  # 2014: no one-month limit
    on = R.check_step(rec, step(15, "2026-05-18"), today=D("2026-11-15"), params=PARAMS)
    assert levels(on, "R1.14") == [R.BLOCK]  # 2026: due 2026-05-01


def test_r1_17_ceiling_day_before_and_day_of_the_revision() -> None:
    rec = _dated(17, {13: "2025-10-20", 14: "2025-10-25", 15: "2025-11-01", 16: "2025-11-05"})
    before = R.check_step(rec, step(17, "2026-05-17"), today=D("2026-11-15"), params=PARAMS)
    assert levels(before, "R1.17")[-1] == R.BLOCK  # 2014: past the 6-month ceiling (2026-05-01)
    on = R.check_step(rec, step(17, "2026-05-18"), today=D("2026-11-15"), params=PARAMS)
    assert levels(on, "R1.17")[-1] == R.WARN  # 2026: ceiling unconfirmed, warns only


# --- blocks that no override may lift: the result is computed or the power is not there ------------------


def assert_blocks_without_override(results: list[R.RuleResult], message: str) -> None:
    hits = [r for r in results if r.blocks and message in r.message]
    assert hits, [r.message for r in results]
    assert not any(r.overridable for r in hits), [r.title for r in hits]


@pytest.mark.parametrize(("n", "v", "message"), [
    (15, None, R.VOTE_MISSING),
    (15, vote(10, 5, 5), "未超过应到会"),  # exactly half present: no quorum
    (15, vote(10, 6, 5), "未超过应到会"),  # exactly half yes: not passed
    (23, vote(10, 6, 5), "未超过应到会"),
    (17, None, R.COMMITTEE_VOTE),
    (17, vote(7, 4, 3), R.COMMITTEE_NOT_PASSED),
])  # fmt: skip
def test_vote_blocks_cannot_be_overridden(n: int, v: R.VoteFacts | None, message: str) -> None:
    assert_blocks_without_override(check(n, step(n, vote=v)), message)


def test_failed_political_review_cannot_be_overridden() -> None:
    rec = history(15)
    bad = {"review_conclusion": "unqualified", "review_summary": "有问题"}
    steps_ = tuple(dataclasses.replace(s, details=bad) if s.number == 10 else s for s in rec.steps)
    results = R.check_step(dataclasses.replace(rec, steps=steps_), step(15), today=D("2026-11-15"), params=PARAMS)
    assert_blocks_without_override(results, R.REVIEW_NOT_PASSED)


def test_approval_power_cannot_be_overridden() -> None:
    no_power = dataclasses.replace(TOWN, can_approve=False)
    assert_blocks_without_override(R.check_approver(no_power, BRANCH), "未被赋予审批预备党员权限")
    assert_blocks_without_override(check(17, step(17, approving_org=no_power)), "未被赋予审批预备党员权限")


@pytest.mark.parametrize("result", [None, "", "failed"])
def test_admission_meeting_needs_a_passed_pre_review(result: str | None) -> None:
    rec = history(15)
    details = {} if result is None else {"pre_review_result": result}
    steps_ = tuple(dataclasses.replace(s, details=details) if s.number == 13 else s for s in rec.steps)
    results = R.check_step(dataclasses.replace(rec, steps=steps_), step(15), today=D("2026-11-15"), params=PARAMS)
    assert R.PRE_REVIEW_FAILED in [r.message for r in results if r.blocks]
    assert R.PRE_REVIEW_FAILED not in [r.message for r in check(15) if r.blocks]


def test_no_extension_after_the_meeting_resolved_to_convert() -> None:
    ext = R.ExtensionFacts(meeting_date=D("2023-10-10"), approved_on=D("2023-10-20"), months=6)
    args = {"vote": vote(), "approving_org": TOWN, "committee_vote": vote(7, 7, 7), "today": D("2026-11-15"),
            "params": PARAMS}
    assert R.CONVERSION_RESOLVED.format(what="延长预备期") not in [r.message for r in R.check_extension(history(23), ext, **args)]
    blocked = [r for r in R.check_extension(history(24), ext, **args) if r.blocks]
    assert R.CONVERSION_RESOLVED.format(what="延长预备期") in [r.message for r in blocked]


def test_under_2026_the_target_is_listed_at_step_8() -> None:
    assert R.derive_status(range(1, 8), None, candidate_step=S.CANDIDATE_FILING) == (3, R.ACTIVIST)
    assert R.derive_status(range(1, 9), None, candidate_step=S.CANDIDATE_FILING) == (3, R.CANDIDATE)
