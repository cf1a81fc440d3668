"""The pure rules: bands at their exact boundaries, caps per item and in total, the veto, E6.2's
carry-over, which scheme applies, dues on time, quarters."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dangjian.points import rules

BANDS = rules.DEFAULT_BANDS


@pytest.mark.parametrize(("score", "stars"), [
    ("0", 0), ("59", 0), ("59.9", 0), ("60", 1), ("69.9", 1), ("70", 2), ("79", 2), ("80", 3), ("89.9", 3),
    ("90", 4), ("95", 4), ("95.9", 4), ("96", 5), ("120", 5),
])  # fmt: skip
def test_e61_bands_at_the_boundaries(score, stars):
    assert rules.stars_for(D(score), BANDS) == stars


def test_bands_must_be_five_ascending():
    assert rules.check_bands(["60", 70, "80", "90", "96"]) == BANDS
    for bad in (["60", "70"], ["60", "60", "80", "90", "96"], ["x", 1, 2, 3, 4], ["-1", 1, 2, 3, 4]):
        with pytest.raises(rules.PointsRuleError):
            rules.check_bands(bad)


ITEMS = {
    1: rules.ItemRule(rules.ADD, D("12")),  # 参加组织生活, cap 12
    2: rules.ItemRule(rules.DEDUCT, D("20")),  # 违纪, cap 20
    3: rules.ItemRule(rules.ADD, None),  # no cap
    4: rules.ItemRule(rules.ADD, None, beyond_total_cap=True),  # 县级以上表彰
    5: rules.ItemRule(rules.VETO, None),
}


def test_item_caps_limit_each_items_yearly_sum():
    t = rules.year_total(base=D("60"), sums={1: D("15"), 2: D("-25"), 3: D("7")}, items=ITEMS, total_cap=None,
                         vetoed=False)
    # 60 + min(15, 12) + max(-25, -20) + 7 = 59
    assert t.total == D("59")
    assert t.adds == D("19") and t.deducts == D("20")
    assert [(x.item_id, x.counted, x.capped) for x in t.lines] == [(1, D("12"), True), (2, D("-20"), True),
                                                                   (3, D("7"), False)]


def test_total_cap_and_items_beyond_it():
    t = rules.year_total(base=D("70"), sums={1: D("12"), 3: D("25"), 4: D("5")}, items=ITEMS, total_cap=D("100"),
                         vetoed=False)
    # 70 + 12 + 25 = 107 → capped at 100; the county commendation's 5 is added after the cap.
    assert t.before_cap == D("112")
    assert t.total == D("105")
    assert t.total_capped


def test_total_never_below_zero_and_veto_makes_it_zero():
    assert rules.year_total(base=D("10"), sums={2: D("-20")}, items=ITEMS, total_cap=None, vetoed=False).total == 0
    vetoed = rules.year_total(base=D("60"), sums={1: D("12"), 5: D("0")}, items=ITEMS, total_cap=None, vetoed=True)
    assert vetoed.total == 0 and vetoed.vetoed
    assert rules.stars_for(vetoed.total, BANDS) == 0


def test_entry_points_signs():
    assert rules.entry_points(rules.ADD, D("0.5"), D("3")) == D("1.5")
    assert rules.entry_points(rules.DEDUCT, D("5"), D("2")) == D("-10")
    assert rules.entry_points(rules.VETO, D("0"), D("1")) == 0


def test_carry_over_e62():
    assert rules.carry_over_base(D("93"), D("20"), D("20")) == D("18.6")
    assert rules.carry_over_base(None, D("20"), D("20")) == D("20")
    assert rules.carry_over_base(D("93"), D("0"), D("60")) == D("60")


def test_nearest_scheme_applies():
    owners = ["0001", "00010001", "000100010002"]
    assert rules.applicable_owner("000100010002", owners) == "000100010002"  # the branch's own
    assert rules.applicable_owner("000100010003", owners) == "00010001"  # the township's
    assert rules.applicable_owner("000100020001", owners) == "0001"  # the county's
    assert rules.applicable_owner("0002", owners) is None


@pytest.mark.parametrize(("paid_on", "paid", "due", "grace", "on_time"), [
    (dt.date(2026, 3, 31), "10", "10", 0, True),
    (dt.date(2026, 4, 1), "10", "10", 0, False),
    (dt.date(2026, 4, 1), "10", "10", 1, True),
    (dt.date(2026, 1, 15), "10", "10", 0, True),  # paid ahead
    (dt.date(2026, 3, 10), "5", "10", 0, False),  # not in full
    (dt.date(2026, 3, 10), "0", "0", 0, False),  # nothing due (exempt): no credit
    (None, "10", "10", 0, False),
])  # fmt: skip
def test_dues_on_time(paid_on, paid, due, grace, on_time):
    assert rules.dues_on_time(month=dt.date(2026, 3, 1), paid_on=paid_on, paid=D(paid), due=D(due),
                              grace_days=grace) is on_time


def test_quarters_and_notice():
    assert rules.quarter_range(2026, 1) == (dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    assert rules.quarter_range(2026, 4) == (dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    assert rules.quarter_of(dt.date(2026, 7, 1)) == 3
    assert rules.objection_deadline(dt.date(2026, 10, 10), 5) == dt.date(2026, 10, 14)


def test_no_self_approval():
    assert rules.may_decide_entry(decider_id=2, entered_by_id=1)
    assert not rules.may_decide_entry(decider_id=1, entered_by_id=1)


def test_branch_score_may_exceed_100():
    assert rules.branch_score([D("5"), D("-2"), D("8")]) == D("111")
    assert rules.stars_for(rules.branch_score([D("-25")]), [D(x) for x in (60, 70, 80, 90, 100)]) == 2


def test_templates_are_valid():
    for t in rules.TEMPLATES.values():
        assert rules.check_bands(t.bands) == t.bands
        assert t.items
        assert all(i.kind in rules.KIND_LABELS and i.source in rules.SOURCE_LABELS for i in t.items)
    assert sum(1 for i in rules.TEMPLATES["E6.3"].items if i.kind == rules.VETO) == 5


_scores = st.decimals(min_value=0, max_value=200, places=1, allow_nan=False, allow_infinity=False)


@given(base=_scores, add=_scores, deduct=_scores, beyond=_scores, cap=st.one_of(st.none(), _scores),
       add_cap=st.one_of(st.none(), _scores), vetoed=st.booleans())
def test_year_total_properties(base, add, deduct, beyond, cap, add_cap, vetoed):
    items = {1: rules.ItemRule(rules.ADD, add_cap), 2: rules.ItemRule(rules.DEDUCT, None),
             3: rules.ItemRule(rules.ADD, None, beyond_total_cap=True)}
    t = rules.year_total(base=base, sums={1: add, 2: -deduct, 3: beyond}, items=items, total_cap=cap, vetoed=vetoed)
    counted_add = min(add, add_cap) if add_cap is not None else add
    if vetoed:
        assert t.total == 0
        return
    assert t.total >= 0
    assert t.adds == counted_add + beyond and t.deducts == deduct
    expected = base + counted_add - deduct
    if cap is not None:
        expected = min(expected, cap)
    assert t.total == max(expected + beyond, 0)
    # Stars only grow with the score.
    assert rules.stars_for(t.total, BANDS) <= rules.stars_for(t.total + 1, BANDS)
