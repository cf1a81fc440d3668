"""The pure rules: each criterion at its boundary, the share guide, the plan and acceptance checks."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from dangjian.rectification import rules as R

D = dt.date.fromisoformat


def vacancy(posts, on, *, name="", established="2000-01-01", start=None, months=3):
    return R.secretary_vacancy(posts=posts, on=D(on), established_on=D(established), secretary_name=name,
                               records_start=start, months=months)


def test_add_months_clamps_to_month_end():
    assert R.add_months(D("2026-01-31"), 1) == D("2026-02-28")
    assert R.add_months(D("2024-01-31"), 1) == D("2024-02-29")
    assert R.add_months(D("2026-11-30"), 3) == D("2027-02-28")
    assert R.whole_months(D("2026-03-31"), D("2026-06-30")) == 3
    assert R.whole_months(D("2026-03-31"), D("2026-06-29")) == 2


def test_secretary_held_is_not_vacant():
    assert vacancy([(D("2020-01-01"), None)], "2026-12-31") is None
    # left on the judging day itself: still held that day
    assert vacancy([(D("2020-01-01"), D("2026-12-31"))], "2026-12-31") is None


def test_secretary_vacant_exactly_three_months_is_not_more_than_three():
    posts = [(D("2020-01-01"), D("2026-03-31"))]
    assert vacancy(posts, "2026-06-30") is None  # exactly 3 months
    f = vacancy(posts, "2026-07-01")  # 3 months and a day
    assert f is not None and f.criterion == R.SECRETARY_VACANT and f.category == "c01"
    assert "2026-03-31离任" in f.facts and "空缺3个月" in f.facts


def test_a_successor_ends_the_vacancy_and_a_future_post_does_not():
    posts = [(D("2020-01-01"), D("2026-01-10")), (D("2026-02-01"), None)]
    assert vacancy(posts, "2026-12-31") is None
    later = [(D("2020-01-01"), D("2026-01-10")), (D("2027-02-01"), None)]
    f = vacancy(later, "2026-12-31")
    assert f is not None and "空缺11个月" in f.facts


def test_no_posts_recorded_but_the_org_names_a_secretary_is_not_flagged():
    assert vacancy([], "2026-12-31", name="张书记") is None


def test_no_posts_and_no_name_counts_from_establishment_or_records_start():
    assert vacancy([], "2026-12-30", established="2026-09-30") is None  # exactly 3 months old
    f = vacancy([], "2026-12-31", established="2026-09-30")
    assert f is not None and "没有登记过书记任职" in f.facts
    assert vacancy([], "2026-12-31", start=D("2026-10-01")) is None
    assert vacancy([], "2026-12-31", start=D("2026-09-01")) is not None


def test_no_development_two_consecutive_years():
    kw = {"established_on": D("2000-01-01"), "records_from_year": 0, "min_years": 2}
    assert R.no_development(year=2026, candidate_years={2026}, **kw) is None
    assert R.no_development(year=2026, candidate_years={2025}, **kw) is None  # only 1 year without
    f = R.no_development(year=2026, candidate_years={2024}, **kw)
    assert f is not None and "2025年至2026年连续2年" in f.facts
    f = R.no_development(year=2026, candidate_years=set(), **{**kw, "records_from_year": 2023})
    assert f is not None and "连续4年" in f.facts
    # a village established on 2025-03-01 has one whole year only
    assert R.no_development(year=2026, candidate_years=set(), **{**kw, "established_on": D("2025-03-01")}) is None
    # records kept only since 2026: one year, not two
    assert R.no_development(year=2026, candidate_years=set(), **{**kw, "records_from_year": 2026}) is None


def test_orglife_below_threshold_on_the_exact_fraction():
    assert R.orglife_not_held(done=3, missed=2, missed_items=[], min_percent=60) is None  # exactly 60%
    f = R.orglife_not_held(done=5, missed=4, missed_items=["党课（第一季度）"], min_percent=60)
    assert f is not None and "完成率55.6%" in f.facts and "党课（第一季度）" in f.facts
    assert R.orglife_not_held(done=0, missed=0, missed_items=[], min_percent=60) is None


def test_satisfaction_below_sixty():
    assert R.satisfaction_low(satisfied=60, respondents=100, min_percent=60) is None
    f = R.satisfaction_low(satisfied=59, respondents=100, min_percent=60, method="入户问卷")
    assert f is not None and "满意度59.0%" in f.facts and f.category == "c10"
    assert R.satisfaction_low(satisfied=0, respondents=0, min_percent=60) is None
    assert R.satisfaction_percent(2, 3) == Decimal("66.7")


def test_assessment_last_places_grade_and_veto():
    kw = {"of_total": 10, "scheme": "2026年村考核", "bottom_places": 1}
    assert R.assessment_last(rank=9, grade="一般", vetoed=False, **kw) is None
    assert R.assessment_last(rank=10, grade="一般", vetoed=False, **kw) is not None
    assert R.assessment_last(rank=3, grade="差", vetoed=False, **kw) is not None
    f = R.assessment_last(rank=None, grade="", vetoed=True, **kw)
    assert f is not None and "一票否决" in f.facts


def test_stars_below_three():
    assert R.stars_low(stars=3, min_stars=3) is None
    assert R.stars_low(stars=2, min_stars=3) is not None
    assert R.stars_low(stars=None, min_stars=3) is None


def test_share_guide_warns_only_beyond_share():
    assert R.share_guide(orgs_of_kind=15, share_percent=10) == Decimal("1.5")
    assert not R.share_exceeded(confirmed=1, orgs_of_kind=15, share_percent=10)
    assert R.share_exceeded(confirmed=2, orgs_of_kind=15, share_percent=10)
    assert not R.share_exceeded(confirmed=2, orgs_of_kind=20, share_percent=10)  # exactly 10%
    assert R.share_percent_used(1, 3) == Decimal("33.3")


@given(st.integers(0, 500), st.integers(1, 500))
def test_satisfaction_flag_agrees_with_the_percentage(satisfied, respondents):
    satisfied = min(satisfied, respondents)
    flagged = R.satisfaction_low(satisfied=satisfied, respondents=respondents, min_percent=60) is not None
    assert flagged == (satisfied / respondents < 0.6 and satisfied * 100 < 60 * respondents)


def test_transitions():
    assert R.may_transition(R.CANDIDATE, R.CONFIRMED)
    assert R.may_transition(R.CANDIDATE, R.DISMISSED)
    assert not R.may_transition(R.CONFIRMED, R.ACCEPTED)
    assert not R.may_transition(R.DISMISSED, R.CONFIRMED)


def test_plan_needs_every_ding_the_leader_and_a_later_deadline():
    errors = R.check_plan(values={"responsible_person": "王", "responsibility": "", "goal": "x", "reward_penalty": "y",
                                  "leader_name": "李", "leader_post": ""}, has_leader_user=False,
                          made_on=D("2026-11-15"), deadline=D("2026-11-15"))
    assert set(errors) == {"responsibility", "leader_post", "leader", "deadline"}


def test_acceptance_checks():
    ok = R.check_acceptance(date=D("2026-11-15"), plan_made_on=D("2026-10-01"), today=D("2026-11-15"), result=R.PASSED,
                            accepted_by="县委组织部", notes="")
    assert ok == {}
    before = R.check_acceptance(date=D("2026-09-30"), plan_made_on=D("2026-10-01"), today=D("2026-11-15"),
                                result=R.NOT_PASSED, accepted_by="", notes="")
    assert set(before) == {"date", "accepted_by", "notes"}
    assert R.check_acceptance(date=D("2026-11-15"), plan_made_on=None, today=D("2026-11-15"), result=R.PASSED,
                              accepted_by="x", notes="")["__all__"]
