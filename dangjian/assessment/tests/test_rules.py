"""The pure assessment rules: every scoring method (caps, floors, the veto), ranking ties, grade bands,
evaluation and inspection arithmetic, and which organizations a scheme of each kind assesses."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from dangjian.assessment import rules


def test_manual_score_checked_within_max():
    assert rules.check_raw(rules.M_MANUAL, D("7.5"), max_points=D(10), item="党建责任") == D("7.50")
    with pytest.raises(rules.RuleError) as above:
        rules.check_raw(rules.M_MANUAL, D("10.01"), max_points=D(10), item="党建责任")
    assert above.value.message == rules.SCORE_ABOVE_MAX.format(item="党建责任", value="10.01", max="10.00")
    with pytest.raises(rules.RuleError) as neg:
        rules.check_raw(rules.M_MANUAL, D("-1"), max_points=D(10), item="党建责任")
    assert neg.value.message == rules.SCORE_NEGATIVE.format(item="党建责任")
    s = rules.score_item(rules.M_MANUAL, D("7.5"), D(10), {})
    assert s.score == D("7.50") and "7.5分" in s.explanation and not s.veto


def test_deduction_per_occurrence_and_cap():
    # 3 occurrences × 2 = 6 under a cap of 5: deduct 5 of 10.
    s = rules.score_item(rules.M_DEDUCTION, D(3), D(10), {"per": "2", "cap": "5"})
    assert s.score == D("5.00")
    assert "超过扣分上限按5分扣" in s.explanation
    # Under the cap: 2 × 2 = 4.
    assert rules.score_item(rules.M_DEDUCTION, D(2), D(10), {"per": "2", "cap": "5"}).score == D("6.00")
    # No cap: never below 0.
    assert rules.score_item(rules.M_DEDUCTION, D(9), D(10), {"per": "2"}).score == D("0.00")
    with pytest.raises(rules.RuleError):
        rules.check_raw(rules.M_DEDUCTION, D("1.5"), max_points=D(10), item="x")


def test_rank_based_steps_down_to_floor():
    assert rules.score_item(rules.M_RANK, None, D(10), {"step": "2", "floor": "3"}, rank=1, of_total=5).score == D(10)
    assert rules.score_item(rules.M_RANK, None, D(10), {"step": "2", "floor": "3"}, rank=3, of_total=5).score == D(6)
    s = rules.score_item(rules.M_RANK, None, D(10), {"step": "2", "floor": "3"}, rank=5, of_total=5)
    assert s.score == D(3) and "第5名（共5个单位）" in s.explanation


def test_pass_fail_with_and_without_threshold():
    assert rules.score_item(rules.M_PASS_FAIL, D(1), D(5), {}).score == D(5)
    assert rules.score_item(rules.M_PASS_FAIL, D(0), D(5), {}).score == D(0)
    assert rules.score_item(rules.M_PASS_FAIL, D("95"), D(5), {"threshold": "90"}).score == D(5)
    assert rules.score_item(rules.M_PASS_FAIL, D("89.99"), D(5), {"threshold": "90"}).score == D(0)


def test_veto_marks_lowest_grade_whatever_the_points():
    s = rules.score_item(rules.M_VETO, D(1), D(0), {})
    assert s.veto and s.score == 0 and "最低等次" in s.explanation
    assert not rules.score_item(rules.M_VETO, D(0), D(0), {}).veto
    assert rules.score_item(rules.M_VETO, D(50), D(0), {"threshold": "60"}).veto
    assert rules.grade_for(D(99), rules.DEFAULT_BANDS, vetoed=True) == "差"
    assert rules.grade_for(D(99), rules.DEFAULT_BANDS) == "好"


def test_proportional():
    s = rules.score_item(rules.M_PROPORTIONAL, D("87.5"), D(20), {})
    assert s.score == D("17.50") and "20分 × 87.5% = 17.5分" in s.explanation


def test_competition_ranks_ties_1_2_2_4():
    assert rules.competition_ranks([D(90), D(85), D(85), D(70)]) == [1, 2, 2, 4]
    assert rules.competition_ranks([D(70), D(85), None, D(90), D(85)]) == [4, 2, None, 1, 2]


def test_veto_ranks_after_everyone():
    places = rules.result_ranks([(D(95), True), (D(80), False), (D(80), False), (D(60), False), (D(50), True)])
    assert places == [4, 1, 1, 3, 5]


def test_grade_bands_parse_and_apply():
    bands = rules.parse_bands("优秀,95\n良好，85\n合格,60\n不合格,0")
    assert rules.grade_for(D(95), bands) == "优秀"
    assert rules.grade_for(D("94.99"), bands) == "良好"
    assert rules.grade_for(D(59), bands) == "不合格"
    for bad in ("好,90\n差,10", "好,80\n较好,90\n差,0", "好"):
        with pytest.raises(rules.RuleError):
            rules.parse_bands(bad)


def test_evaluation_weighted_groups_e66():
    values = {"good": D(100), "fair": D(80), "average": D(60), "poor": D(0)}
    # County plenary (24 points): 30 好, 10 较好 → mean 95% → 22.8; own unit (16): 8 好, 2 一般 → 92% → 14.72.
    plenary = rules.group_score("县委全会", D(24), {"good": 30, "fair": 10}, values)
    unit = rules.group_score("本单位", D(16), {"good": 8, "average": 2}, values)
    assert plenary.mean_percent == D("95.00") and plenary.points == D("22.80")
    assert unit.points == D("14.72")
    s = rules.evaluation_score([plenary, unit], D(40))
    assert s.score == D("37.52") and "合计37.52分" in s.explanation
    # Weights not adding up to the item's points: scaled.
    scaled = rules.evaluation_score([plenary, unit], D(20))
    assert scaled.score == D("18.76")


def test_inspection_visits_averaged():
    s = rules.inspection_score([(dt.date(2026, 3, 1), D(8)), (dt.date(2026, 6, 1), D(9))], D(10))
    assert s.score == D("8.50") and "2次" in s.explanation


@pytest.mark.parametrize(("kind", "org_type", "category", "expected"), [
    ("township", "township_committee", "other", True),
    ("township", "branch", "rural", False),
    ("village", "branch", "rural", True),
    ("village", "general_branch", "rural", True),
    ("village", "branch", "community", False),
    ("village", "party_group", "rural", False),
    ("community", "branch", "community", True),
    ("enterprise", "branch", "private_enterprise", True),
    ("all_branches", "joint_branch", "agency", True),
    ("all_branches", "general_branch", "agency", False),
])  # fmt: skip
def test_is_of_kind(kind, org_type, category, expected):
    assert rules.is_of_kind(kind, org_type=org_type, category=category) is expected


def test_top_most():
    assert rules.top_most(["00010001", "000100010001", "00010002"]) == ["00010001", "00010002"]


def test_notice_end_counts_first_day():
    assert rules.notice_end(dt.date(2026, 1, 10), 5) == dt.date(2026, 1, 14)
