"""The 2008 dues rules as pure functions: brackets at their boundaries, fixed amounts, rounding,
months, warnings, the gap count."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dangjian.dues import rules

MONTH = dt.date(2026, 3, 1)
D = Decimal


def amount(category: str, base: object = None, **kw: object) -> Decimal:
    return rules.monthly_dues(category, base, month=MONTH, **kw).amount  # type: ignore[arg-type]


# --- 第二条 brackets: inclusive upper limits, the whole base at one rate ---------------------------------
@pytest.mark.parametrize(
    ("base", "expected", "rate"),
    [
        ("0.01", "0.00", "0.005"),  # 0.00005 rounds half-up to 0.00
        ("1.00", "0.01", "0.005"),  # 0.005 → 0.01 (half-up, not banker's)
        ("3000.00", "15.00", "0.005"),  # 3000 inclusive: 0.5%
        ("3000.01", "30.00", "0.01"),  # above 3000: the WHOLE base at 1% (30.0001 → 30.00)
        ("5000.00", "50.00", "0.01"),
        ("5000.01", "75.00", "0.015"),  # 75.00015 → 75.00
        ("10000.00", "150.00", "0.015"),
        ("10000.01", "200.00", "0.02"),  # 200.0002 → 200.00
        ("4321.50", "43.22", "0.01"),  # 43.215 → 43.22 half-up
        ("2999.00", "15.00", "0.005"),  # 14.995 → 15.00 half-up
    ],
)
@pytest.mark.parametrize("category", sorted(rules.SALARY_BRACKET_CATEGORIES))
def test_serving_brackets_at_their_boundaries(category, base, expected, rate):
    a = rules.monthly_dues(category, base, month=MONTH)
    assert a.amount == D(expected)
    assert a.rate == D(rate)
    assert a.amount.as_tuple().exponent == -2


def test_brackets_are_not_progressive():
    # progressive slicing would give 3000*0.5% + 0.01*1% = 15.00; the rule charges 1% on the whole base.
    assert amount(rules.ENTERPRISE, "3000.01") == D("30.00")
    assert amount(rules.ENTERPRISE, "10000.01") == D("200.00")


@pytest.mark.parametrize(
    ("base", "expected"),
    [("5000.00", "25.00"), ("5000.01", "50.00"), ("3000.00", "15.00"), ("12000.00", "120.00"), ("4999.99", "25.00")],
)
def test_retired_brackets(base, expected):
    assert amount(rules.RETIRED, base) == D(expected)


@pytest.mark.parametrize("category", sorted(rules.FIXED_SMALL_CATEGORIES))
def test_students_unemployed_relief_minimum_allowance_pay_0_20(category):
    a = rules.monthly_dues(category, month=MONTH)
    assert a.amount == D("0.20")
    assert a.rate is None


@pytest.mark.parametrize("value", ["0.2", "0.20", "0.5", "1", "1.00"])
def test_farmer_amount_within_0_2_and_1(value):
    assert amount(rules.FARMER, farmer_amount=value) == D(value).quantize(D("0.01"))


@pytest.mark.parametrize("value", ["0.19", "1.01", "0", "2", "-0.5"])
def test_farmer_amount_outside_range_refused(value):
    with pytest.raises(rules.DuesRuleError):
        rules.check_farmer_amount(value)


def test_farmer_range_message():
    with pytest.raises(rules.DuesRuleError) as info:
        rules.check_farmer_amount("1.01")
    assert str(info.value) == rules.FARMER_RANGE.format(amount=D("1.01"))


def test_exempt_is_zero_and_reduced_is_the_approved_amount():
    assert amount(rules.EXEMPT) == D("0.00")
    assert amount(rules.HARDSHIP_REDUCED, reduced_amount="3.50") == D("3.50")
    with pytest.raises(rules.DuesRuleError, match="少交"):
        amount(rules.HARDSHIP_REDUCED)


@pytest.mark.parametrize(
    ("base", "message"),
    [
        ("-1", rules.BASE_NEGATIVE),
        ("0", rules.BASE_ZERO),
        ("1000000.01", rules.BASE_ABSURD.format(base=D("1000000.01"), limit=rules.MAX_BASE)),
        ("12.345", rules.BASE_TOO_MANY_PLACES),
        ("abc", rules.BASE_NOT_NUMBER),
        ("NaN", rules.BASE_NOT_NUMBER),
        (3000.5, rules.BASE_NOT_NUMBER),  # a float is refused: money is Decimal
        (None, rules.BASE_REQUIRED.format(category=rules.CATEGORY_LABELS[rules.CIVIL_SERVANT])),
    ],
)
def test_bad_bases_refused(base, message):
    with pytest.raises(rules.DuesRuleError) as info:
        rules.check_base(rules.CIVIL_SERVANT, base)
    assert str(info.value) == message
    assert info.value.field == "base"


def test_fixed_categories_take_no_base():
    with pytest.raises(rules.DuesRuleError, match="不填写计算基数"):
        rules.check_base(rules.STUDENT, "100")


def test_max_base_is_accepted():
    assert amount(rules.CIVIL_SERVANT, "1000000.00") == D("20000.00")


def test_unknown_category():
    with pytest.raises(rules.DuesRuleError, match="不是有效的党费类别"):
        rules.check_base("pilot", "100")


def test_no_rules_before_april_2008():
    with pytest.raises(rules.DuesRuleError) as info:
        rules.monthly_dues(rules.STUDENT, month=dt.date(2008, 3, 1))
    assert str(info.value) == rules.NO_RULES_BEFORE.format(month="2008年3月")
    assert rules.monthly_dues(rules.STUDENT, month=dt.date(2008, 4, 1)).amount == D("0.20")


# --- hypothesis: the amount function ---------------------------------------------------------------------
bases = st.decimals(min_value=D("0.01"), max_value=rules.MAX_BASE, places=2, allow_nan=False, allow_infinity=False)
rate_categories = st.sampled_from(sorted(rules.BASE_CATEGORIES))


@given(category=rate_categories, a=bases, b=bases)
def test_amount_is_monotone_in_the_base_within_a_category(category, a, b):
    lo, hi = sorted((a, b))
    assert rules.monthly_dues(category, lo, month=MONTH).amount <= rules.monthly_dues(category, hi, month=MONTH).amount


@given(category=rate_categories, base=bases)
def test_amount_has_two_places_is_not_negative_and_matches_its_bracket(category, base):
    a = rules.monthly_dues(category, base, month=MONTH)
    assert a.amount.as_tuple().exponent == -2
    assert a.amount >= 0
    assert a.rate is not None
    assert abs(a.amount - base * a.rate) <= D("0.005")


@given(category=st.sampled_from(sorted(rules.FIXED_SMALL_CATEGORIES | {rules.EXEMPT})))
def test_fixed_amounts_have_two_places(category):
    a = rules.monthly_dues(category, month=MONTH)
    assert a.amount.as_tuple().exponent == -2 and a.amount >= 0


@given(value=st.decimals(min_value=D("0.20"), max_value=D("1.00"), places=2))
def test_any_farmer_amount_in_range_is_kept(value):
    assert amount(rules.FARMER, farmer_amount=value) == value


# --- 第十条 the basis in force ---------------------------------------------------------------------------
def test_new_base_applies_from_its_month_not_before():
    old = rules.Basis(rules.CIVIL_SERVANT, D("4000"), None, dt.date(2026, 1, 1), 1)
    new = rules.Basis(rules.CIVIL_SERVANT, D("6000"), None, dt.date(2026, 7, 1), 2)
    assert rules.basis_for_month([new, old], dt.date(2026, 6, 1)) is old
    assert rules.basis_for_month([new, old], dt.date(2026, 7, 1)) is new
    assert rules.basis_for_month([new, old], dt.date(2025, 12, 1)) is None
    fix = rules.Basis(rules.CIVIL_SERVANT, D("6100"), None, dt.date(2026, 7, 1), 3)  # a correction, same month
    assert rules.basis_for_month([old, fix, new], dt.date(2026, 8, 1)) is fix


def test_probationary_members_pay_from_the_month_of_admission():
    assert rules.first_dues_month(dt.date(2026, 3, 31)) == dt.date(2026, 3, 1)


def test_self_employed_base_is_previous_quarter_average():
    assert rules.quarter_average([D("3000"), D("4000"), D("5000.01")]) == D("4000.00")
    assert rules.quarter_average([D("-500"), D("0"), D("1500")]) == D("500.00")


# --- 第十一条 / 第十二条 -----------------------------------------------------------------------------------
def test_voluntary_1000_goes_to_centre():
    assert rules.voluntary_goes_to_centre(D("1000.00"))
    assert not rules.voluntary_goes_to_centre(D("999.99"))


def test_back_payment_beyond_six_months_is_a_warning():
    paid_on = dt.date(2026, 11, 20)
    assert rules.payment_warnings(dt.date(2026, 5, 1), paid_on) == []  # 6 months back: allowed
    w = rules.payment_warnings(dt.date(2026, 4, 1), paid_on)  # 7 months back
    assert w == [rules.BACK_PAYMENT_BEYOND.format(month="2026年4月", limit=6)]
    assert rules.payment_warnings(dt.date(2027, 5, 1), paid_on) == []  # 6 ahead
    assert rules.payment_warnings(dt.date(2027, 6, 1), paid_on) == [
        rules.ADVANCE_BEYOND.format(month="2027年6月", months=7, limit=6)
    ]


@pytest.mark.parametrize(
    ("method", "consent", "payer", "message"),
    [
        (rules.QUARTERLY, "", "", rules.CONSENT_REQUIRED.format(method=rules.METHOD_LABELS[rules.QUARTERLY])),
        (rules.BY_RELATIVE, "3月支委会", "", rules.PAYER_REQUIRED),
        (rules.BY_MEMBER, "", "王五", rules.CONSENT_REQUIRED.format(method=rules.METHOD_LABELS[rules.BY_MEMBER])),
        ("cheque", "", "", rules.METHOD_UNKNOWN.format(method="cheque")),
    ],
)
def test_methods_needing_consent(method, consent, payer, message):
    with pytest.raises(rules.DuesRuleError) as info:
        rules.check_method(method, consent=consent, payer_name=payer)
    assert str(info.value) == message


def test_hardship_dates():
    today = dt.date(2026, 5, 1)
    with pytest.raises(rules.DuesRuleError, match="不能早于"):
        rules.check_hardship(kind=rules.REDUCE, start=dt.date(2026, 3, 1), end=None, decided_on=dt.date(2026, 3, 5),
                             approved_on=dt.date(2026, 3, 4), today=today)
    with pytest.raises(rules.DuesRuleError, match="截止月份"):
        rules.check_hardship(kind=rules.EXEMPT_KIND, start=dt.date(2026, 3, 1), end=dt.date(2026, 2, 1),
                             decided_on=dt.date(2026, 3, 5), approved_on=None, today=today)


# --- R2.14 the gap ---------------------------------------------------------------------------------------
def test_gap_counts_completed_months_since_last_paid():
    today = dt.date(2026, 7, 15)
    assert rules.gap_months(owes_from=dt.date(2024, 1, 1), last_paid=dt.date(2026, 1, 1), today=today) == 5  # Feb–Jun
    assert rules.gap_months(owes_from=dt.date(2024, 1, 1), last_paid=dt.date(2026, 6, 1), today=today) == 0
    assert rules.gap_months(owes_from=dt.date(2024, 1, 1), last_paid=dt.date(2026, 9, 1), today=today) == 0  # advance
    assert rules.gap_months(owes_from=dt.date(2026, 3, 1), last_paid=None, today=today) == 4  # Mar–Jun
    assert rules.gap_months(owes_from=None, last_paid=None, today=today) == 0


def test_gap_skips_exempt_months():
    today = dt.date(2026, 7, 15)
    exempt = [(dt.date(2026, 3, 1), dt.date(2026, 4, 1))]
    # Feb, (Mar, Apr exempt), May, Jun
    assert rules.gap_months(owes_from=dt.date(2024, 1, 1), last_paid=dt.date(2026, 1, 1), today=today, exempt=exempt) == 3
    open_ended = [(dt.date(2026, 3, 1), None)]
    assert rules.gap_months(owes_from=dt.date(2024, 1, 1), last_paid=dt.date(2026, 1, 1), today=today,
                            exempt=open_ended) == 1
