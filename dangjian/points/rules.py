"""党员积分制管理与评星定级 (member points and star ratings), and 村党组织评星定级 (branch star ratings):
the rules as pure functions over plain values, no ORM. The local schemes of domain-rules.md §6.1
(E6.1–E6.5) are configurable templates here, not law.

- 适用方案: a branch's own scheme overrides the county's; the nearest scheme up the tree applies
  (``applicable_owner``).
- 年度积分: base (or E6.2's carry-over of last year's total) + approved entries, each item's yearly sum
  limited by its cap, the total limited by the scheme's cap (items marked "不受总分上限" are added after
  it, E6.2's county-level commendations); an approved 一票否决 entry sets the year's score to 0 (E6.3).
- 星级: score bands (E6.1: 60/70/80/90/96 → 1–5 stars; below the first band 不合格, 0 stars).
- 党组织星级 (E6.5): a rated branch starts at 100, gains and loses points through the year and may go
  above 100; bands → stars; below 3 stars flagged (Zhejiang treats those as rectification targets).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal("0")
TENTH = Decimal("0.1")

# --- item kinds and sources -------------------------------------------------------------------------------
ADD = "add"
DEDUCT = "deduct"
VETO = "veto"
KIND_LABELS = {ADD: "加分", DEDUCT: "扣分", VETO: "一票否决"}

MANUAL = "manual"
MEETING = "meeting"
DUES = "dues"
CLASS_HOURS = "class_hours"
SOURCE_LABELS = {
    MANUAL: "支部录入（需审核）",
    MEETING: "自动：参加组织生活（每次）",
    DUES: "自动：按月按时足额交纳党费（每月）",
    CLASS_HOURS: "自动：学习培训学时（每学时）",
}
AUTO_SOURCES = frozenset({MEETING, DUES, CLASS_HOURS})
# The records an automatic credit links to (PointsEntry.source_type / source_id).
SOURCE_ATTENDANCE = "attendance"
SOURCE_DUES = "dues_entry"
SOURCE_TRAINING = "training_attendance"
SOURCE_TYPE_LABELS = {SOURCE_ATTENDANCE: "组织生活出席记录", SOURCE_DUES: "党费收缴台账", SOURCE_TRAINING: "培训参训记录"}

# --- entry states -------------------------------------------------------------------------------------------
PENDING = "pending"
APPROVED = "approved"
REJECTED = "rejected"
ENTRY_STATUS_LABELS = {PENDING: "待审核", APPROVED: "已生效", REJECTED: "未通过"}

OPEN = "open"
UPHELD = "upheld"
DISMISSED = "rejected"
OBJECTION_STATUS_LABELS = {OPEN: "待处理", UPHELD: "异议成立", DISMISSED: "异议不成立"}

# --- branch rating (E6.5) ------------------------------------------------------------------------------------
BRANCH_START = Decimal("100")
BRANCH_CATEGORIES = {
    "system": "组织体系",
    "team": "班子队伍",
    "results": "发展成效",
    "service": "服务群众",
    "governance": "治理机制",
}
RATING_OPEN = "open"
RATING_FINAL = "final"
RATING_STATUS_LABELS = {RATING_OPEN: "评定中", RATING_FINAL: "已定级"}

DEFAULT_BANDS = (Decimal("60"), Decimal("70"), Decimal("80"), Decimal("90"), Decimal("96"))  # E6.1
STAR_LABELS = {0: "不合格", 1: "一星", 2: "二星", 3: "三星", 4: "四星", 5: "五星"}

# --- messages (the services raise them; the tests import them) ----------------------------------------------
BANDS_INVALID = "星级分数线应为5个从低到高的分数（一星至五星的最低分）。"


class PointsRuleError(ValueError):
    pass


def d(value: object) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def fmt(value: Decimal | None) -> str:
    """A score as people write it: 6, 0.5, 1.6 (no trailing zeros)."""
    if value is None:
        return ""
    return format(value.normalize(), "f") if value != value.to_integral_value() else str(int(value))


def round1(value: Decimal) -> Decimal:
    return value.quantize(TENTH, rounding=ROUND_HALF_UP)


# --- which scheme applies --------------------------------------------------------------------------------


def applicable_owner(member_org_path: str, owner_paths: Iterable[str]) -> str | None:
    """适用的积分方案: of the organizations that have a scheme for the year, the nearest one at or
    above the member's organization (the longest path that is a prefix of the member's). A branch's
    own scheme therefore overrides its township's, and the township's the county's."""
    best: str | None = None
    for p in owner_paths:
        if member_org_path.startswith(p) and (best is None or len(p) > len(best)):
            best = p
    return best


# --- bands and stars -------------------------------------------------------------------------------------------


def check_bands(bands: Sequence[object]) -> tuple[Decimal, ...]:
    """Five ascending thresholds (the lowest score of one to five stars)."""
    try:
        values = tuple(d(b) for b in bands)
    except (ArithmeticError, ValueError, TypeError):
        raise PointsRuleError(BANDS_INVALID) from None
    if len(values) != 5 or any(b < 0 for b in values) or any(a >= b for a, b in zip(values, values[1:], strict=False)):
        raise PointsRuleError(BANDS_INVALID)
    return values


def stars_for(score: Decimal, bands: Sequence[Decimal]) -> int:
    """星级 by score: the highest band whose lowest score is reached; 0 (不合格) below the first.
    E6.1: 60-69 一星, 70-79 二星, 80-89 三星, 90-95 四星, ≥96 五星, <60 不合格 — with decimal scores the
    band runs up to just below the next threshold (95.9 is four stars)."""
    stars = 0
    for i, b in enumerate(bands):
        if score >= b:
            stars = i + 1
    return stars


# --- the year's total ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemRule:
    kind: str
    cap: Decimal | None  # 单项年度上限 (absolute), None = no cap
    beyond_total_cap: bool = False  # 不受总分上限 (E6.2: county-level commendations)


@dataclass(frozen=True)
class ItemLine:
    item_id: int
    raw: Decimal  # signed sum of the approved entries
    counted: Decimal  # after the item's cap

    @property
    def capped(self) -> bool:
        return self.raw != self.counted


@dataclass(frozen=True)
class Total:
    base: Decimal
    adds: Decimal  # counted additions (within caps)
    deducts: Decimal  # counted deductions (a positive number)
    before_cap: Decimal
    total: Decimal
    vetoed: bool
    lines: tuple[ItemLine, ...] = field(default=())

    @property
    def total_capped(self) -> bool:
        return self.before_cap != self.total and not self.vetoed


def item_counted(kind: str, raw: Decimal, cap: Decimal | None) -> Decimal:
    """One item's yearly sum within its cap: an addition at most ``cap``, a deduction at most ``cap``
    taken off; a veto item counts no points (it acts on the whole year)."""
    if kind == VETO:
        return ZERO
    if cap is None:
        return raw
    if kind == ADD:
        return min(raw, cap)
    return max(raw, -cap)


def year_total(*, base: Decimal, sums: Mapping[int, Decimal], items: Mapping[int, ItemRule], total_cap: Decimal | None,
               vetoed: bool) -> Total:
    """年度积分: base + each item's yearly sum within its cap; the part subject to the scheme's total cap is
    limited to it (items "不受总分上限" are added after), never below 0; a veto makes it 0.

    ``sums``: item id → signed sum of the member's approved entries of the year."""
    lines = []
    capped_part = base
    beyond = ZERO
    adds = deducts = ZERO
    for item_id in sorted(sums):
        rule = items[item_id]
        counted = item_counted(rule.kind, sums[item_id], rule.cap)
        lines.append(ItemLine(item_id, sums[item_id], counted))
        if counted > 0:
            adds += counted
        else:
            deducts -= counted
        if rule.beyond_total_cap and counted > 0:
            beyond += counted
        else:
            capped_part += counted
    before_cap = capped_part + beyond
    if total_cap is not None:
        capped_part = min(capped_part, total_cap)
    total = max(capped_part + beyond, ZERO)
    if vetoed:
        total = ZERO
    return Total(base, adds, deducts, before_cap, total, vetoed, tuple(lines))


def carry_over_base(previous_total: Decimal | None, percent: Decimal, scheme_base: Decimal) -> Decimal:
    """E6.2: the next year's base is a share (20%) of the previous year's total. Without a previous
    total (a new member, or the first year), the scheme's own base."""
    if percent <= 0 or previous_total is None:
        return scheme_base
    return round1(previous_total * percent / Decimal(100))


def entry_points(kind: str, points: Decimal, quantity: Decimal = Decimal(1)) -> Decimal:
    """The signed points of one entry: per-occurrence points × occurrences, negative for a deduction."""
    value = round1(points * quantity)
    if kind == DEDUCT:
        return -value
    if kind == VETO:
        return ZERO
    return value


# --- quarters and deadlines ----------------------------------------------------------------------------------------


def quarter_range(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    if not 1 <= quarter <= 4:
        raise PointsRuleError("季度应为1至4。")
    start = dt.date(year, 3 * quarter - 2, 1)
    end = dt.date(year, 12, 31) if quarter == 4 else dt.date(year, 3 * quarter + 1, 1) - dt.timedelta(days=1)
    return start, end


def quarter_of(day: dt.date) -> int:
    return (day.month - 1) // 3 + 1


def month_end(month: dt.date) -> dt.date:
    nxt = dt.date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def dues_on_time(*, month: dt.date, paid_on: dt.date | None, paid: Decimal, due: Decimal, grace_days: int = 0) -> bool:
    """按时足额交纳党费 for one month: paid in full no later than the month's last day (plus a local grace
    period, default 0). Paying ahead (预交) is on time. A month with nothing due (免交) earns nothing."""
    if paid_on is None or due <= 0 or paid < due:
        return False
    return paid_on <= month_end(month) + dt.timedelta(days=grace_days)


def objection_deadline(posted_on: dt.date, notice_days: int) -> dt.date:
    """季度公示 runs ``notice_days`` days from the day of posting (the day itself is the first)."""
    return posted_on + dt.timedelta(days=max(notice_days, 1) - 1)


def may_decide_entry(*, decider_id: int, entered_by_id: int | None) -> bool:
    """Who enters an entry may not approve it: E6.1 has a record keeper and a separate review group;
    the same person recording and approving a mark on a member's year would be no check at all."""
    return entered_by_id is None or decider_id != entered_by_id


def branch_score(lines: Iterable[Decimal], start: Decimal = BRANCH_START) -> Decimal:
    """E6.5 branch variant: starts at 100, every recorded gain or loss is applied; may exceed 100;
    never below 0."""
    return max(start + sum(lines, ZERO), ZERO)


# --- templates (E6.1–E6.4): to copy into a new scheme ----------------------------------------------------------


@dataclass(frozen=True)
class TemplateItem:
    name: str
    kind: str
    points: Decimal
    cap: Decimal | None = None
    source: str = MANUAL
    evidence_required: bool = False
    meeting_kinds: str = ""
    beyond_total_cap: bool = False


@dataclass(frozen=True)
class Template:
    code: str
    name: str
    source: str
    base: Decimal
    total_cap: Decimal | None
    carry_over_percent: Decimal
    bands: tuple[Decimal, ...]
    items: tuple[TemplateItem, ...]


def _t(name: str, kind: str, points: str, cap: str | None = None, **kw: object) -> TemplateItem:
    return TemplateItem(name, kind, Decimal(points), Decimal(cap) if cap is not None else None, **kw)  # type: ignore[arg-type]


VETO_ITEMS_E63 = (
    _t("受到市纪委及以上公开通报批评", VETO, "0", evidence_required=True),
    _t("参与被禁止的事件", VETO, "0", evidence_required=True),
    _t("违法犯罪", VETO, "0", evidence_required=True),
    _t("严重违背社会公德", VETO, "0", evidence_required=True),
    _t("参与邪教", VETO, "0", evidence_required=True),
)

TEMPLATES: dict[str, Template] = {
    "E6.1": Template(
        "E6.1", "华宁县“共产党员户+星级”（基础分60，季度公示）", "domain-rules.md E6.1", Decimal("60"), None, ZERO,
        DEFAULT_BANDS,
        (
            _t("参加组织生活", ADD, "1", "12", source=MEETING),
            _t("按时足额交纳党费", ADD, "0.5", "6", source=DUES),
            _t("学习培训（每学时）", ADD, "0.2", "8", source=CLASS_HOURS),
            _t("参与人居环境整治等农村工作", ADD, "2", "10", evidence_required=True),
            _t("为群众办实事、做好事", ADD, "2", "10", evidence_required=True),
            _t("参与维护稳定工作", ADD, "2", "6", evidence_required=True),
            _t("参与脱贫攻坚、帮扶", ADD, "2", "6", evidence_required=True),
            _t("不履行党员义务", DEDUCT, "5", "20", evidence_required=True),
            _t("违法违纪", DEDUCT, "10", "40", evidence_required=True),
            _t("违背社会公德", DEDUCT, "5", "20", evidence_required=True),
        ),
    ),
    "E6.2": Template(
        "E6.2", "县工信局（基础20+任务70+奖励10，上年总分20%结转）", "domain-rules.md E6.2", Decimal("20"),
        Decimal("100"), Decimal("20"), DEFAULT_BANDS,
        (
            _t("基础分扣减：政治素质、服务、守法、道德、组织生活、廉洁", DEDUCT, "2", "20", evidence_required=True),
            _t("岗位职责和公开承诺完成情况（每月）", ADD, "6", "70", evidence_required=True),
            _t("奖励：额外工作、重大贡献、见义勇为、县级以下表彰", ADD, "2", "10", evidence_required=True),
            _t("县级及以上表彰（不受总分上限，报县委组织部备案）", ADD, "5", None, evidence_required=True,
               beyond_total_cap=True),
        ),
    ),
    "E6.3": Template(
        "E6.3", "单位积分（基础70+民主评议20+贡献10，一票否决）", "domain-rules.md E6.3", Decimal("70"),
        Decimal("100"), ZERO, DEFAULT_BANDS,
        (
            _t("民主评议结果（按评议结果的20%计）", ADD, "1", "20"),
            _t("贡献加分", ADD, "2", "10", evidence_required=True),
            *VETO_ITEMS_E63,
        ),
    ),
    "E6.4": Template(
        "E6.4", "通用积分指南（基础60，理论学习与组织生活计分）", "domain-rules.md E6.4", Decimal("60"), None, ZERO,
        DEFAULT_BANDS,
        (
            _t("理论学习（每次）", ADD, "2", "12", evidence_required=True),
            _t("学习笔记", ADD, "4", "4", evidence_required=True),
            _t("心得体会", ADD, "4", "4", evidence_required=True),
            _t("三会一课（每次）", ADD, "3", "12", source=MEETING,
               meeting_kinds="general_meeting,committee_meeting,group_meeting,party_lecture"),
            _t("主题党日（每次）", ADD, "2", "8", source=MEETING, meeting_kinds="theme_day"),
        ),
    ),
}
