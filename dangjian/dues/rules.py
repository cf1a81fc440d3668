"""党费 rules as pure functions over plain values (Decimal yuan, dates): no ORM, no settings lookups —
callers read configurable parameters (dues.parameters) and pass them in.

Source: 《关于中国共产党党费收缴、使用和管理的规定》(中组发〔2008〕3号, 施行日期 2008-04-01, 第三十二条),
summarised in the domain reference §2 (R2.1–R2.15). Every rule below is findable by its Chinese name
and its article:

- 计算基数 (第一条, R2.1)                      → ``check_base``
- 在职党员交纳比例 (第二条, R2.2)               → ``DuesRules.serving_brackets``, ``monthly_dues``
- 年薪制人员 (第三条, R2.3)                     → ``ANNUAL_SALARY``
- 不按月取得收入的个体经营者等 (第四条, R2.4)    → ``SELF_EMPLOYED``, ``quarter_average``
- 离退休党员交纳比例 (第五条, R2.5)             → ``DuesRules.retired_brackets``
- 农民、学生、下岗失业、抚恤救济、低保 (第六条, R2.6) → ``check_farmer_amount``, ``FIXED_SMALL``
- 困难党员少交或免交 (第七条, R2.7)             → ``HARDSHIP_REDUCED``, ``EXEMPT``, ``check_hardship``
- 预备党员交纳党费 (第八条, R2.8)               → ``first_dues_month``
- 工资收入变化后的交纳 (第十条, R2.10)          → ``basis_for_month``
- 自愿多交党费、1000元以上全部上缴中央 (第十一条, R2.11) → ``voluntary_goes_to_centre``
- 按月交纳、按季交纳、委托代交、补交不超过6个月 (第十二条, R2.12) → ``payment_warnings``, ``check_method``
- 连续6个月不交纳党费 (党章第九条, R2.14)        → ``gap_months``

Money: Decimal yuan, 2 places, rounded half-up to the fen (``to_fen``); never float.
Months are the first day of the month (``dt.date(y, m, 1)``) or an ordinal ``y * 12 + m - 1``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

FEN = Decimal("0.01")
ZERO = Decimal("0.00")

# --- categories (党员交纳党费类别) -------------------------------------------------------------------
CIVIL_SERVANT = "civil_servant"  # 机关工作人员（非工人）: 职务工资、级别工资、津贴补贴
INSTITUTION = "institution"  # 事业单位工作人员: 岗位工资、薪级工资、绩效工资、津贴补贴
GOV_WORKER = "gov_worker"  # 机关工人: 岗位工资、技术等级工资、津贴补贴
ENTERPRISE = "enterprise"  # 企业职工: 基本工资、岗位工资等固定部分 + 奖金等不固定部分
ANNUAL_SALARY = "annual_salary"  # 年薪制: 当月实际领取的薪酬收入
SELF_EMPLOYED = "self_employed"  # 不按月取得收入的个体经营者等: 上一季度月平均纯收入
RETIRED = "retired"  # 离退休: 实际领取的离退休费总额或养老金总额
FARMER = "farmer"  # 农民党员: 每月0.2元至1元
STUDENT = "student"  # 学生党员: 每月0.2元
UNEMPLOYED = "unemployed"  # 下岗失业党员: 每月0.2元
RELIEF = "relief"  # 依靠抚恤或救济生活的党员: 每月0.2元
MINIMUM_ALLOWANCE = "minimum_allowance"  # 领取当地最低生活保障金的党员: 每月0.2元
HARDSHIP_REDUCED = "hardship_reduced"  # 困难少交（第七条）
EXEMPT = "exempt"  # 困难免交（第七条）

CATEGORY_LABELS = {
    CIVIL_SERVANT: "在职·机关工作人员",
    INSTITUTION: "在职·事业单位工作人员",
    GOV_WORKER: "在职·机关工人",
    ENTERPRISE: "在职·企业职工",
    ANNUAL_SALARY: "年薪制人员",
    SELF_EMPLOYED: "不按月取得收入的个体经营者等",
    RETIRED: "离退休人员",
    FARMER: "农民党员",
    STUDENT: "学生党员",
    UNEMPLOYED: "下岗失业党员",
    RELIEF: "依靠抚恤或救济生活的党员",
    MINIMUM_ALLOWANCE: "领取最低生活保障金（低保）的党员",
    HARDSHIP_REDUCED: "生活困难·少交（经批准）",
    EXEMPT: "生活困难·免交（经批准）",
}
CATEGORY_ARTICLES = {
    CIVIL_SERVANT: "第一条、第二条（R2.1、R2.2）",
    INSTITUTION: "第一条、第二条（R2.1、R2.2）",
    GOV_WORKER: "第一条、第二条（R2.1、R2.2）",
    ENTERPRISE: "第一条、第二条（R2.1、R2.2）",
    ANNUAL_SALARY: "第三条（R2.3）",
    SELF_EMPLOYED: "第四条（R2.4）",
    RETIRED: "第五条（R2.5）",
    FARMER: "第六条（R2.6）",
    STUDENT: "第六条（R2.6）",
    UNEMPLOYED: "第六条（R2.6）",
    RELIEF: "第六条（R2.6）",
    MINIMUM_ALLOWANCE: "第六条（R2.6）",
    HARDSHIP_REDUCED: "第七条（R2.7）",
    EXEMPT: "第七条（R2.7）",
}
BASE_HELP = {
    CIVIL_SERVANT: "税后月工资收入中相对固定的、经常性的部分：职务工资、级别工资、津贴补贴",
    INSTITUTION: "岗位工资、薪级工资、绩效工资、津贴补贴（税后）",
    GOV_WORKER: "岗位工资、技术等级工资、津贴补贴（税后）",
    ENTERPRISE: "基本工资、岗位工资等固定部分，加奖金等不固定部分（税后）",
    ANNUAL_SALARY: "当月实际领取的薪酬收入（税后）",
    SELF_EMPLOYED: "上一季度月平均纯收入",
    RETIRED: "实际领取的离退休费总额或养老金总额",
}
SERVING = frozenset({CIVIL_SERVANT, INSTITUTION, GOV_WORKER, ENTERPRISE})
# 第二条 brackets apply to serving staff and, by 第三条 and 第四条, to annual-salary and self-employed members.
SALARY_BRACKET_CATEGORIES = SERVING | {ANNUAL_SALARY, SELF_EMPLOYED}
BASE_CATEGORIES = SALARY_BRACKET_CATEGORIES | {RETIRED}
FIXED_SMALL_CATEGORIES = frozenset({STUDENT, UNEMPLOYED, RELIEF, MINIMUM_ALLOWANCE})
HARDSHIP_CATEGORIES = frozenset({HARDSHIP_REDUCED, EXEMPT})
CATEGORIES = tuple(CATEGORY_LABELS)
# What a branch may set directly; the hardship categories need the higher committee's approval.
DIRECT_CATEGORIES = tuple(c for c in CATEGORIES if c not in HARDSHIP_CATEGORIES)

# --- how paid (第十二条) ----------------------------------------------------------------------------
CASH = "cash"
TRANSFER = "transfer"
BY_RELATIVE = "by_relative"
BY_MEMBER = "by_member"
QUARTERLY = "quarterly"
METHOD_LABELS = {
    CASH: "现金",
    TRANSFER: "转账/线上",
    BY_RELATIVE: "委托亲属代交（经支部同意）",
    BY_MEMBER: "委托其他党员代交（经支部同意）",
    QUARTERLY: "按季交纳（经支部同意）",
}
NEEDS_CONSENT = frozenset({BY_RELATIVE, BY_MEMBER, QUARTERLY})
ON_BEHALF = frozenset({BY_RELATIVE, BY_MEMBER})

# --- hardship (第七条) ------------------------------------------------------------------------------
REDUCE = "reduce"
EXEMPT_KIND = "exempt"
HARDSHIP_KIND_LABELS = {REDUCE: "少交", EXEMPT_KIND: "免交"}

# --- uses of dues (R2.15) ----------------------------------------------------------------------------
USE_TRAINING = "training"
USE_MATERIALS = "materials"
USE_COMMENDATION = "commendation"
USE_HARDSHIP = "hardship_aid"
USE_RELIEF = "relief_repair"
USE_OTHER = "other"
USE_PURPOSE_LABELS = {
    USE_TRAINING: "培训党员",
    USE_MATERIALS: "订阅或购买党员教育材料",
    USE_COMMENDATION: "表彰先进基层党组织和优秀党员",
    USE_HARDSHIP: "补助生活困难党员",
    USE_RELIEF: "党员受灾救济和党员教育设施修缮",
    USE_OTHER: "其他",
}

# --- limits -----------------------------------------------------------------------------------------
# Not a rule of the Party: a monthly base above this is a typing error (an extra zero, a year's pay).
MAX_BASE = Decimal("1000000.00")
MAX_PAYMENT = Decimal("10000000.00")

# --- messages (the tests import these) --------------------------------------------------------------
BASE_REQUIRED = "“{category}”须填写计算基数（元/月）。"
BASE_NOT_NUMBER = "计算基数应为数字（元，最多两位小数）。"
BASE_NEGATIVE = "计算基数不能为负数。"
BASE_ZERO = "计算基数应大于0；没有收入的，请按实际情况选择类别（如下岗失业、低保）。"
BASE_TOO_MANY_PLACES = "计算基数最多保留两位小数（到分）。"
BASE_ABSURD = "计算基数{base}元/月超过上限{limit}元/月，请核对（是否多输了一位，或填成了年收入）。"
BASE_NOT_USED = "“{category}”按固定标准交纳，不填写计算基数。"
FARMER_RANGE = "农民党员每月交纳党费应在0.2元至1元之间（第六条），填写的是{amount}元。"
AMOUNT_NOT_NUMBER = "金额应为数字（元，最多两位小数）。"
AMOUNT_NEGATIVE = "金额不能为负数。"
AMOUNT_TOO_MANY_PLACES = "金额最多保留两位小数（到分）。"
AMOUNT_ABSURD = "金额{amount}元超过上限，请核对。"
AMOUNT_POSITIVE = "金额应大于0。"
CATEGORY_UNKNOWN = "“{category}”不是有效的党费类别。"
HARDSHIP_NEEDS_APPROVAL = "少交或免交党费须经党支部研究并报上一级党委批准（第七条），请通过“困难党员少交/免交”办理。"
REDUCED_AMOUNT_REQUIRED = "少交党费须填写批准后的每月交纳金额。"
REDUCED_NOT_LESS = "少交后的金额（{amount}元）应低于按规定应交的金额（{normal}元）。"
NO_RULES_BEFORE = "{month}早于2008年党费规定的施行日期（2008年4月1日），系统不计算此前的党费。"
METHOD_UNKNOWN = "“{method}”不是有效的交纳方式。"
CONSENT_REQUIRED = "“{method}”须经党支部同意（第十二条），请填写支部同意的会议或日期。"
PAYER_REQUIRED = "委托代交须填写代交人姓名。"
BACK_PAYMENT_BEYOND = "补交{month}的党费：距交纳月份已超过{limit}个月（第十二条“补交党费的时间一般不得超过6个月”），请在台账备注中说明原因。"
ADVANCE_BEYOND = "预交{month}的党费：超前{months}个月，一般不超过{limit}个月。"
HARDSHIP_APPROVAL_BEFORE_DECISION = "上级党委批准日期（{approved}）不能早于党支部研究决定日期（{decided}）。"
HARDSHIP_END_BEFORE_START = "少交/免交的截止月份不能早于起始月份。"
HARDSHIP_KIND_UNKNOWN = "“{kind}”不是有效的减免方式（少交或免交）。"
FUTURE_DATE = "日期不能晚于今天（{today}）。"


class DuesRuleError(ValueError):
    """Input the dues rules refuse; ``str()`` is the Chinese message, ``field`` the input it concerns."""

    def __init__(self, message: str, field: str = "__all__") -> None:
        super().__init__(message)
        self.field = field


# --- money ------------------------------------------------------------------------------------------
def to_fen(value: Decimal) -> Decimal:
    """四舍五入到分 (half-up to 0.01 yuan)."""
    return value.quantize(FEN, rounding=ROUND_HALF_UP)


def parse_money(value: object, *, field: str = "amount", not_number: str = AMOUNT_NOT_NUMBER,
                negative: str = AMOUNT_NEGATIVE, places: str = AMOUNT_TOO_MANY_PLACES) -> Decimal:
    """A yuan amount as Decimal with at most 2 places. Floats are refused: they cannot hold 0.1 exactly."""
    if isinstance(value, bool | float):
        raise DuesRuleError(not_number, field)
    try:
        d = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise DuesRuleError(not_number, field) from None
    if not d.is_finite():
        raise DuesRuleError(not_number, field)
    if d < 0:
        raise DuesRuleError(negative, field)
    if d != d.quantize(FEN, rounding=ROUND_HALF_UP):
        raise DuesRuleError(places, field)
    return d.quantize(FEN)


def parse_positive_amount(value: object, *, field: str = "amount") -> Decimal:
    """A payment, hand-up or use: a yuan amount above 0 and not above MAX_PAYMENT."""
    d = parse_money(value, field=field)
    if d == 0:
        raise DuesRuleError(AMOUNT_POSITIVE, field)
    if d > MAX_PAYMENT:
        raise DuesRuleError(AMOUNT_ABSURD.format(amount=d), field)
    return d


# --- months -----------------------------------------------------------------------------------------
def month_start(d: dt.date) -> dt.date:
    return d.replace(day=1)


def month_ord(d: dt.date) -> int:
    return d.year * 12 + d.month - 1


def month_from_ord(n: int) -> dt.date:
    return dt.date(n // 12, n % 12 + 1, 1)


def add_months(month: dt.date, n: int) -> dt.date:
    return month_from_ord(month_ord(month) + n)


def month_end(month: dt.date) -> dt.date:
    return add_months(month_start(month), 1) - dt.timedelta(days=1)


def month_label(month: dt.date) -> str:
    return f"{month.year}年{month.month}月"


def months_of_year(year: int) -> list[dt.date]:
    return [dt.date(year, m, 1) for m in range(1, 13)]


# --- the rule set -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Bracket:
    upper: Decimal | None  # inclusive upper limit (含); None: no limit
    rate: Decimal
    label: str


@dataclass(frozen=True)
class DuesRules:
    name: str
    effective_from: dt.date
    serving_brackets: tuple[Bracket, ...]
    retired_brackets: tuple[Bracket, ...]
    fixed_small: Decimal
    farmer_min: Decimal
    farmer_max: Decimal
    voluntary_to_centre: Decimal
    back_payment_months: int
    advance_months: int


RULES_2008 = DuesRules(
    name="《关于中国共产党党费收缴、使用和管理的规定》（中组发〔2008〕3号）",
    effective_from=dt.date(2008, 4, 1),
    # 在职党员交纳比例（第二条）: each limit INCLUSIVE (含); the whole base at one rate — not progressive.
    serving_brackets=(
        Bracket(Decimal("3000"), Decimal("0.005"), "3000元以下（含3000元）交纳0.5%"),
        Bracket(Decimal("5000"), Decimal("0.01"), "3000元以上至5000元（含5000元）交纳1%"),
        Bracket(Decimal("10000"), Decimal("0.015"), "5000元以上至10000元（含10000元）交纳1.5%"),
        Bracket(None, Decimal("0.02"), "10000元以上交纳2%"),
    ),
    # 离退休党员交纳比例（第五条）
    retired_brackets=(
        Bracket(Decimal("5000"), Decimal("0.005"), "5000元以下（含5000元）交纳0.5%"),
        Bracket(None, Decimal("0.01"), "5000元以上交纳1%"),
    ),
    fixed_small=Decimal("0.20"),  # 学生、下岗失业、抚恤救济、低保：每月0.2元（第六条）
    farmer_min=Decimal("0.20"),  # 农民党员：每月0.2元至1元（第六条）
    farmer_max=Decimal("1.00"),
    voluntary_to_centre=Decimal("1000.00"),  # 一次1000元以上全部上缴中央（第十一条）
    back_payment_months=6,  # 补交党费的时间一般不得超过6个月（第十二条）
    advance_months=6,  # 预交 likewise "generally" 6 months in practice (R2.12, secondary source)
)
RULE_SETS = (RULES_2008,)
FIXED_SMALL = RULES_2008.fixed_small


def rules_for(month: dt.date) -> DuesRules:
    """The rule set in force in ``month``; months before 2008-04 are refused."""
    found = None
    for rs in RULE_SETS:
        if month_start(rs.effective_from) <= month_start(month):
            found = rs
    if found is None:
        raise DuesRuleError(NO_RULES_BEFORE.format(month=month_label(month)), "month")
    return found


def bracket_for(base: Decimal, brackets: Iterable[Bracket]) -> Bracket:
    """The bracket whose inclusive upper limit first holds ``base``."""
    last = None
    for b in brackets:
        last = b
        if b.upper is None or base <= b.upper:
            return b
    assert last is not None
    return last


# --- 计算基数 (第一条) -------------------------------------------------------------------------------
def check_base(category: str, base: object) -> Decimal | None:
    """The validated monthly base for ``category`` (None for the fixed-amount categories).
    Negative, more than 2 places, zero or absurd (> MAX_BASE) bases are refused."""
    if category not in CATEGORY_LABELS:
        raise DuesRuleError(CATEGORY_UNKNOWN.format(category=category), "category")
    label = CATEGORY_LABELS[category]
    if category not in BASE_CATEGORIES:
        if base not in (None, ""):
            raise DuesRuleError(BASE_NOT_USED.format(category=label), "base")
        return None
    if base is None or base == "":
        raise DuesRuleError(BASE_REQUIRED.format(category=label), "base")
    d = parse_money(base, field="base", not_number=BASE_NOT_NUMBER, negative=BASE_NEGATIVE, places=BASE_TOO_MANY_PLACES)
    if d == 0:
        raise DuesRuleError(BASE_ZERO, "base")
    if d > MAX_BASE:
        raise DuesRuleError(BASE_ABSURD.format(base=d, limit=MAX_BASE), "base")
    return d


def check_farmer_amount(amount: object, rules: DuesRules = RULES_2008) -> Decimal:
    """农民党员每月交纳党费0.2元至1元（第六条）, both ends included."""
    d = parse_money(amount, field="fixed_amount")
    if not rules.farmer_min <= d <= rules.farmer_max:
        raise DuesRuleError(FARMER_RANGE.format(amount=d), "fixed_amount")
    return d


def quarter_average(monthly_net_incomes: Iterable[Decimal]) -> Decimal:
    """个体经营者等的计算基数：上一季度月平均纯收入（第四条）, to the fen. Pass the quarter's three
    monthly net incomes (a loss month counts as 0); the average of a loss quarter is 0."""
    values = [max(Decimal(v), ZERO) for v in monthly_net_incomes]
    if not values:
        return ZERO
    return to_fen(sum(values, ZERO) / len(values))


# --- the monthly amount -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Amount:
    amount: Decimal
    rate: Decimal | None  # None for fixed amounts
    explanation: str  # the bracket or fixed rule, in Chinese
    article: str


def monthly_dues(category: str, base: object = None, *, month: dt.date, farmer_amount: object = None,
                 reduced_amount: object = None) -> Amount:
    """每月应交党费 for one member in ``month``, by the rules in force then.

    - 在职 (four unit types), 年薪制, 个体经营者等: the base's bracket of 第二条 — inclusive upper limits,
      the whole base at that one rate (not progressive);
    - 离退休: ≤5000 元 0.5%, >5000 元 1% (第五条);
    - 农民: ``farmer_amount`` (the county setting or the branch's choice), 0.2–1 元 (第六条);
    - 学生、下岗失业、抚恤救济、低保: 0.2 元 (第六条);
    - 困难少交: the approved ``reduced_amount``; 免交: 0 (第七条).

    Rounded half-up to the fen. Raises DuesRuleError with a Chinese message on bad input."""
    rules = rules_for(month)
    checked = check_base(category, base)
    article = CATEGORY_ARTICLES[category]
    if category in SALARY_BRACKET_CATEGORIES or category == RETIRED:
        assert checked is not None
        brackets = rules.retired_brackets if category == RETIRED else rules.serving_brackets
        b = bracket_for(checked, brackets)
        return Amount(to_fen(checked * b.rate), b.rate, b.label, article)
    if category == FARMER:
        if farmer_amount is None:
            raise DuesRuleError(FARMER_RANGE.format(amount="（空）"), "fixed_amount")
        amount = check_farmer_amount(farmer_amount, rules)
        return Amount(amount, None, f"农民党员每月{amount}元（0.2元至1元）", article)
    if category in FIXED_SMALL_CATEGORIES:
        return Amount(rules.fixed_small, None, f"{CATEGORY_LABELS[category]}每月{rules.fixed_small}元", article)
    if category == EXEMPT:
        return Amount(ZERO, None, "经上级党委批准免交", article)
    # HARDSHIP_REDUCED
    if reduced_amount is None or reduced_amount == "":
        raise DuesRuleError(REDUCED_AMOUNT_REQUIRED, "fixed_amount")
    amount = parse_money(reduced_amount, field="fixed_amount")
    return Amount(amount, None, f"经上级党委批准少交，每月{amount}元", article)


# --- 工资收入变化 (第十条): which basis applies in a month -------------------------------------------
@dataclass(frozen=True)
class Basis:
    """One dated category/base record: it applies from ``effective_from`` (a month) until the next."""

    category: str
    base: Decimal | None
    fixed_amount: Decimal | None
    effective_from: dt.date
    seq: int = 0  # records of the same month: the later one (a correction) wins


def basis_for_month(bases: Iterable[Basis], month: dt.date) -> Basis | None:
    """The record in force in ``month``: the latest whose effective month is not after it. A new base
    applies from the month the new salary is first drawn (第十条), never to earlier months."""
    m = month_start(month)
    best: Basis | None = None
    for b in bases:
        if month_start(b.effective_from) <= m and (
            best is None or (month_start(b.effective_from), b.seq) > (month_start(best.effective_from), best.seq)
        ):
            best = b
    return best


# --- 预备党员 (第八条) and the roster ---------------------------------------------------------------
def first_dues_month(joined_on: dt.date) -> dt.date:
    """预备党员从支部大会通过其为预备党员之日起交纳党费（第八条）: dues are owed from that month."""
    return month_start(joined_on)


# --- 自愿多交 (第十一条) ------------------------------------------------------------------------------
def voluntary_goes_to_centre(amount: Decimal, rules: DuesRules = RULES_2008) -> bool:
    """党员自愿一次多交纳1000元以上的党费，全部上缴中央（第十一条）: one payment of 1000.00 or more."""
    return amount >= rules.voluntary_to_centre


# --- 交纳方式、补交与预交 (第十二条) ------------------------------------------------------------------
def check_method(method: str, *, consent: str, payer_name: str) -> None:
    """按季交纳、委托亲属或其他党员代交须经党支部同意（第十二条）."""
    if method not in METHOD_LABELS:
        raise DuesRuleError(METHOD_UNKNOWN.format(method=method), "method")
    if method in NEEDS_CONSENT and not consent.strip():
        raise DuesRuleError(CONSENT_REQUIRED.format(method=METHOD_LABELS[method]), "consent_note")
    if method in ON_BEHALF and not payer_name.strip():
        raise DuesRuleError(PAYER_REQUIRED, "payer_name")


def payment_warnings(month: dt.date, paid_on: dt.date, rules: DuesRules = RULES_2008) -> list[str]:
    """补交一般不超过6个月、预交一般不超过6个月（第十二条）: "generally", so warnings, never blocks."""
    diff = month_ord(paid_on) - month_ord(month)
    if diff > rules.back_payment_months:
        return [BACK_PAYMENT_BEYOND.format(month=month_label(month), limit=rules.back_payment_months)]
    if -diff > rules.advance_months:
        return [ADVANCE_BEYOND.format(month=month_label(month), months=-diff, limit=rules.advance_months)]
    return []


# --- 困难党员少交或免交 (第七条) ---------------------------------------------------------------------
def check_hardship(*, kind: str, start: dt.date, end: dt.date | None, decided_on: dt.date,
                   approved_on: dt.date | None, today: dt.date) -> None:
    """经党支部研究，报上一级党委批准，可以少交或免交（第七条）: the approval cannot precede the branch's
    decision, and neither may lie in the future."""
    if kind not in HARDSHIP_KIND_LABELS:
        raise DuesRuleError(HARDSHIP_KIND_UNKNOWN.format(kind=kind), "kind")
    if end is not None and month_start(end) < month_start(start):
        raise DuesRuleError(HARDSHIP_END_BEFORE_START, "end_month")
    if decided_on > today:
        raise DuesRuleError(FUTURE_DATE.format(today=today), "branch_decided_on")
    if approved_on is not None:
        if approved_on > today:
            raise DuesRuleError(FUTURE_DATE.format(today=today), "approved_on")
        if approved_on < decided_on:
            raise DuesRuleError(
                HARDSHIP_APPROVAL_BEFORE_DECISION.format(approved=approved_on, decided=decided_on), "approved_on"
            )


# --- 连续6个月不交纳党费 (党章第九条, R2.14) ---------------------------------------------------------
def last_counted_month(today: dt.date) -> dt.date:
    """The last month the gap counts: the month before ``today``'s. The current month can still be
    paid, so it is not yet a month "without paying"."""
    return add_months(month_start(today), -1)


def gap_months(*, owes_from: dt.date | None, last_paid: dt.date | None, today: dt.date,
               exempt: Iterable[tuple[dt.date, dt.date | None]] = ()) -> int:
    """Consecutive completed months without dues paid, up to the month before ``today``'s.

    Counted from the month after the last fully paid month, or from ``owes_from`` (the first month
    the member owed dues here) when nothing was paid since then. Months inside an approved exemption
    (``exempt``: (first month, last month or None = open)) neither count nor break the run: they are
    an approved reason (R2.14 "无正当理由"). A member who owes nothing (``owes_from`` None) has 0."""
    if owes_from is None:
        return 0
    first = month_ord(owes_from)
    if last_paid is not None:
        first = max(first, month_ord(last_paid) + 1)
    last = month_ord(last_counted_month(today))
    if last < first:
        return 0
    excluded: set[int] = set()
    for start, end in exempt:
        lo = max(first, month_ord(start))
        hi = min(last, month_ord(end) if end is not None else last)
        excluded.update(range(lo, hi + 1))
    return (last - first + 1) - len(excluded)


# --- 自行脱党: six consecutive months (Party Constitution Art. 9; §2 R2.14) ---------------------------
LAPSE_MONTHS = 6  # 连续六个月不参加党的组织生活、或不交纳党费、或不做党所分配的工作，就被认为是自行脱党

LAPSE_FIRST = "first"
LAPSE_SECOND = "second"
LAPSE_FLAG = "flag"
LAPSE_LABELS = {
    LAPSE_FIRST: "连续未交党费或未参加组织生活（提醒）",
    LAPSE_SECOND: "连续未交党费或未参加组织生活（再次提醒）",
    LAPSE_FLAG: "连续6个月未交党费或未参加组织生活（自行脱党，须支部处理）",
}


def lapse_level(*, dues_months: int, life_months: int, first_alert: int, second_alert: int) -> str | None:
    """自行脱党预警 (R2.14): the months since dues were last paid and since the member last took part in
    organizational life (months with an approved reason already left out by the caller) are judged
    separately — either reaching 6 is enough. Alerts at ``first_alert`` and ``second_alert`` months
    (local settings, default 3 and 5) come before the 6-month flag for the branch to act on."""
    worst = max(dues_months, life_months)
    if worst >= LAPSE_MONTHS:
        return LAPSE_FLAG
    if worst >= second_alert:
        return LAPSE_SECOND
    if worst >= first_alert:
        return LAPSE_FIRST
    return None
