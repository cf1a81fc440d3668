"""考核 (assessment) rules as pure functions over plain values, no ORM.

- 考核对象类别 (``is_of_kind``): which organizations a scheme assesses.
- 计分方法 (``score_item``): manual score within [0, max], proportional to a rate, deduction per
  occurrence with a cap, rank-based, pass/fail, one-vote veto (一票否决). Every method returns the
  score *and* a Chinese sentence saying how it was reached, so every number on a score sheet can be
  explained.
- 述职评议 (``evaluation_score``): voter groups with weights, ballots counted per grade.
- 日常督查 (``inspection_score``): several visits are averaged (see its docstring why).
- 排名 (``competition_ranks``, 1,2,2,4) and 等次 (``grade_for``) from configurable bands.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

CENT = Decimal("0.01")
ZERO = Decimal("0")
HUNDRED = Decimal("100")


def q2(value: Decimal | int | float | str) -> Decimal:
    """Points and rates are kept to 2 places, rounded half-up (never a binary float)."""
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


# --- 考核对象类别 --------------------------------------------------------------------------------------------
KIND_TOWNSHIP = "township"
KIND_VILLAGE = "village"
KIND_COMMUNITY = "community"
KIND_AGENCY = "agency"
KIND_SCHOOL = "school"
KIND_ENTERPRISE = "enterprise"
KIND_ALL_BRANCHES = "all_branches"
KIND_LABELS = {
    KIND_TOWNSHIP: "乡镇（街道）党（工）委",
    KIND_VILLAGE: "村党组织（农村）",
    KIND_COMMUNITY: "社区党组织",
    KIND_AGENCY: "机关党组织",
    KIND_SCHOOL: "学校党组织",
    KIND_ENTERPRISE: "企业党组织（国有、非公）",
    KIND_ALL_BRANCHES: "全部党支部",
}
# Basic-level organizations (基层党组织) that can stand for a village, community, agency... Party groups
# and working committees are never assessed as such.
BASIC_TYPES = frozenset({"primary_committee", "general_branch", "branch", "joint_branch"})
BRANCH_TYPES = frozenset({"branch", "joint_branch", "temporary_branch"})
KIND_CATEGORIES = {
    KIND_VILLAGE: frozenset({"rural"}),
    KIND_COMMUNITY: frozenset({"community"}),
    KIND_AGENCY: frozenset({"agency"}),
    KIND_SCHOOL: frozenset({"school"}),
    KIND_ENTERPRISE: frozenset({"state_enterprise", "private_enterprise"}),
}


def is_of_kind(kind: str, *, org_type: str, category: str) -> bool:
    """Whether an organization of ``org_type``/``category`` is assessed by a scheme of ``kind``.
    Townships: 乡镇党委/街道党工委. All branches: 党支部、联合党支部、临时党支部. The others: a basic-level
    organization (党委、党总支、党支部、联合党支部) of that 组织类别. Only the top-most match of a subtree
    is assessed (``top_most``): a village's 党委 is assessed, not each of its branches."""
    if kind == KIND_TOWNSHIP:
        return org_type == "township_committee"
    if kind == KIND_ALL_BRANCHES:
        return org_type in BRANCH_TYPES
    if kind in KIND_CATEGORIES:
        return org_type in BASIC_TYPES and category in KIND_CATEGORIES[kind]
    raise ValueError(kind)


def top_most(paths: Sequence[str]) -> list[str]:
    """The paths not inside another of ``paths`` (sorted)."""
    kept: list[str] = []
    for p in sorted(paths):
        if not kept or not p.startswith(kept[-1]):
            kept.append(p)
    return kept


# --- status ----------------------------------------------------------------------------------------------
DRAFT = "draft"
ACTIVE = "active"
FINAL = "final"
PUBLISHED = "published"
CLOSED = "closed"
SCHEME_STATUS_LABELS = {DRAFT: "草稿", ACTIVE: "进行中（自评、审核）", FINAL: "已定分", PUBLISHED: "公示中", CLOSED: "已归档"}

R_PENDING = "pending"
R_SUBMITTED = "submitted"
R_REVIEWED = "reviewed"
R_FINAL = "final"
RESULT_STATUS_LABELS = {R_PENDING: "待自评", R_SUBMITTED: "已提交待审核", R_REVIEWED: "已审核", R_FINAL: "已定分"}

REVIEW_OWNER = "owner"
REVIEW_TOWNSHIP = "township"
REVIEW_LABELS = {REVIEW_OWNER: "方案制定单位审核", REVIEW_TOWNSHIP: "所在乡镇（街道）审核"}

# --- sources and methods ---------------------------------------------------------------------------------
SRC_MANUAL = "manual"
SRC_PLATFORM = "platform"
SRC_INSPECTION = "inspection"
SRC_EVALUATION = "evaluation"
SOURCE_LABELS = {SRC_MANUAL: "自评+审核", SRC_PLATFORM: "平台监测（系统计算）", SRC_INSPECTION: "日常督查",
                 SRC_EVALUATION: "述职评议"}  # fmt: skip

M_MANUAL = "manual"
M_PROPORTIONAL = "proportional"
M_DEDUCTION = "deduction"
M_RANK = "rank"
M_PASS_FAIL = "pass_fail"
M_VETO = "veto"
METHOD_LABELS = {
    M_MANUAL: "直接评分（0至满分）",
    M_PROPORTIONAL: "按比例计分（满分×百分率）",
    M_DEDUCTION: "按次扣分（每次扣分，设上限）",
    M_RANK: "按名次计分",
    M_PASS_FAIL: "达标得满分、不达标不得分",
    M_VETO: "一票否决",
}
# What the raw value of each method is, for the entry forms.
METHOD_VALUE_LABELS = {
    M_MANUAL: "得分", M_PROPORTIONAL: "百分率（%）", M_DEDUCTION: "发生次数", M_RANK: "参与排名的数值（越大越好）",
    M_PASS_FAIL: "是否达标（1 达标 / 0 不达标）", M_VETO: "是否触发否决（1 触发 / 0 未触发）",
}  # fmt: skip


def value_label(method: str, params: dict[str, Any] | None) -> str:
    """What to enter for an item on the self-assessment and review forms."""
    if method in (M_PASS_FAIL, M_VETO) and has_threshold(params):
        t = Decimal(str((params or {})["threshold"]))
        line = "达标线" if method == M_PASS_FAIL else "否决线（低于即否决）"
        return f"数值（{line}{_p(t)}）"
    return METHOD_VALUE_LABELS[method]


# Default grade bands (好 ≥90, 较好 ≥80, 一般 ≥60, 差 below): [label, minimum], best first.
DEFAULT_BANDS: list[list[Any]] = [["好", "90"], ["较好", "80"], ["一般", "60"], ["差", "0"]]
# Default 述职评议 grade values (percent of a group's points a ballot of that grade is worth).
EVAL_GRADES = ("good", "fair", "average", "poor")
EVAL_GRADE_LABELS = {"good": "好", "fair": "较好", "average": "一般", "poor": "差"}

# --- messages (the tests import them) ---------------------------------------------------------------------
SCORE_NEGATIVE = "“{item}”的得分不能为负数。"
SCORE_ABOVE_MAX = "“{item}”的得分{value}超过满分{max}。"
RATE_RANGE = "“{item}”的百分率应在0至100之间。"
COUNT_BAD = "“{item}”的发生次数应为不小于0的整数。"
FLAG_BAD = "“{item}”只能填1或0。"
NOT_A_NUMBER = "“{item}”不是有效的数字。"
RANK_VALUE_BAD = "“{item}”的排名数值不能为负数。"
VALUE_NEGATIVE = "“{item}”的数值不能为负数。"
BANDS_BAD = "等次设置有误：每行“等次名称,最低分”，从高到低，最后一档最低分为0。"


class RuleError(ValueError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def parse_decimal(raw: Any, item: str) -> Decimal:
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        raise RuleError(NOT_A_NUMBER.format(item=item)) from None
    if not value.is_finite():
        raise RuleError(NOT_A_NUMBER.format(item=item))
    return value


def has_threshold(params: dict[str, Any] | None) -> bool:
    return (params or {}).get("threshold") not in (None, "")


def check_raw(method: str, raw: Decimal, *, max_points: Decimal, item: str,
              params: dict[str, Any] | None = None) -> Decimal:
    """The raw value of an item (a score, a rate, a count, a flag) checked for its method; raises
    RuleError with the Chinese message. Returns it rounded to 2 places. A pass/fail or veto item with a
    ``threshold`` takes the number compared with it (``score_item``), not a 1/0 flag — else it could
    never pass."""
    if method in (M_PASS_FAIL, M_VETO) and has_threshold(params):
        if raw < 0:
            raise RuleError(VALUE_NEGATIVE.format(item=item))
        return q2(raw)
    if method == M_MANUAL:
        if raw < 0:
            raise RuleError(SCORE_NEGATIVE.format(item=item))
        if raw > max_points:
            raise RuleError(SCORE_ABOVE_MAX.format(item=item, value=q2(raw), max=q2(max_points)))
    elif method == M_PROPORTIONAL:
        if not ZERO <= raw <= HUNDRED:
            raise RuleError(RATE_RANGE.format(item=item))
    elif method == M_DEDUCTION:
        if raw < 0 or raw != raw.to_integral_value():
            raise RuleError(COUNT_BAD.format(item=item))
    elif method in (M_PASS_FAIL, M_VETO):
        if raw not in (ZERO, Decimal(1)):
            raise RuleError(FLAG_BAD.format(item=item))
    elif method == M_RANK:
        if raw < 0:
            raise RuleError(RANK_VALUE_BAD.format(item=item))
    else:
        raise ValueError(method)
    return q2(raw)


@dataclass(frozen=True)
class Scored:
    score: Decimal
    explanation: str
    veto: bool = False


def _p(d: Decimal) -> str:
    """Points for a sentence: 2 places, trailing zeros dropped (20, 7.5, 0.25)."""
    text = f"{q2(d):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def score_manual(value: Decimal, max_points: Decimal) -> Scored:
    """直接评分: the score given, which must lie in [0, max] (checked by ``check_raw``)."""
    v = min(max(q2(value), ZERO), max_points)
    return Scored(v, f"直接评分：{_p(v)}分（满分{_p(max_points)}分）。")


def score_proportional(rate: Decimal, max_points: Decimal) -> Scored:
    """按比例计分: max × rate%, rounded to 2 places; a rate above 100% counts as 100%."""
    r = min(max(rate, ZERO), HUNDRED)
    s = q2(max_points * r / HUNDRED)
    return Scored(s, f"按比例计分：满分{_p(max_points)}分 × {_p(r)}% = {_p(s)}分。")


def score_deduction(occurrences: int, max_points: Decimal, *, per: Decimal, cap: Decimal | None) -> Scored:
    """按次扣分: ``per`` points for each occurrence, at most ``cap`` in all (no cap: at most the item's
    points), never below 0."""
    limit = max_points if cap is None else min(cap, max_points)
    raw = q2(per * occurrences)
    deducted = min(raw, limit)
    s = q2(max_points - deducted)
    capped = f"，超过扣分上限按{_p(limit)}分扣" if raw > limit else ""
    return Scored(s, f"按次扣分：发生{occurrences}次 × 每次{_p(per)}分 = {_p(raw)}分{capped}；"
                     f"{_p(max_points)} − {_p(deducted)} = {_p(s)}分。")  # fmt: skip


def score_rank(rank: int | None, of_total: int, max_points: Decimal, *, step: Decimal, floor: Decimal) -> Scored:
    """按名次计分: the first place gets full points, each place below ``step`` points less, never below
    ``floor``. Equal values share a place (1, 2, 2, 4)."""
    if rank is None:
        return Scored(q2(floor), f"无可排名的数值，按最低分{_p(floor)}分计。")
    s = q2(max(max_points - step * (rank - 1), floor))
    return Scored(s, f"按名次计分：第{rank}名（共{of_total}个单位），满分{_p(max_points)}分、每降一名减{_p(step)}分、"
                     f"最低{_p(floor)}分，得{_p(s)}分。")  # fmt: skip


def score_pass_fail(passed: bool, max_points: Decimal, *, basis: str = "") -> Scored:
    """达标得满分、不达标得0分."""
    s = max_points if passed else ZERO
    return Scored(q2(s), f"{basis}{'达标' if passed else '未达标'}：得{_p(s)}分（满分{_p(max_points)}分）。")


def score_veto(triggered: bool, *, basis: str = "") -> Scored:
    """一票否决: no points either way; when triggered, the whole result is 不合格 — the lowest grade —
    whatever the total."""
    if triggered:
        return Scored(ZERO, f"{basis}触发一票否决：总评直接定为最低等次（不合格），不论其他项目得分多少。", veto=True)
    return Scored(ZERO, f"{basis}未触发一票否决。")


def score_item(method: str, raw: Decimal | None, max_points: Decimal, params: dict[str, Any], *,
               rank: int | None = None, of_total: int = 0) -> Scored:
    """One leaf item's score from its raw value. ``params``: deduction ``per``/``cap``; rank
    ``step``/``floor``; pass/fail and veto an optional ``threshold`` (the raw value is then a number
    compared with it: pass when ≥, veto when < — e.g. a rate below 60%). A missing raw value scores 0
    (the item was not entered)."""
    if method == M_RANK:
        return score_rank(rank, of_total, max_points, step=Decimal(str(params.get("step", 1))),
                          floor=Decimal(str(params.get("floor", 0))))
    if raw is None:
        if method == M_VETO:
            return score_veto(False, basis="未填报，")
        return Scored(ZERO, "未填报，按0分计。")
    if method == M_MANUAL:
        return score_manual(raw, max_points)
    if method == M_PROPORTIONAL:
        return score_proportional(raw, max_points)
    if method == M_DEDUCTION:
        cap = params.get("cap")
        return score_deduction(int(raw), max_points, per=Decimal(str(params.get("per", 1))),
                               cap=None if cap in (None, "") else Decimal(str(cap)))
    threshold = params.get("threshold")
    if method == M_PASS_FAIL:
        if threshold not in (None, ""):
            t = Decimal(str(threshold))
            return score_pass_fail(raw >= t, max_points, basis=f"数值{_p(raw)}，达标线{_p(t)}，")
        return score_pass_fail(raw == 1, max_points)
    if method == M_VETO:
        if threshold not in (None, ""):
            t = Decimal(str(threshold))
            return score_veto(raw < t, basis=f"数值{_p(raw)}，否决线{_p(t)}（低于即否决），")
        return score_veto(raw == 1)
    raise ValueError(method)


# --- ranking and grades -----------------------------------------------------------------------------------


def competition_ranks(values: Sequence[Decimal | None]) -> list[int | None]:
    """Standard competition ranks (1, 2, 2, 4), larger is better; None is unranked. Returned in the
    order of ``values`` (which need not be sorted)."""
    ordered = sorted((v for v in values if v is not None), reverse=True)
    first: dict[Decimal, int] = {}
    for i, v in enumerate(ordered, start=1):
        first.setdefault(v, i)
    return [None if v is None else first[v] for v in values]


def result_ranks(totals: Sequence[tuple[Decimal, bool]]) -> list[int]:
    """Places of the assessed organizations from (total, vetoed): the non-vetoed by total (1, 2, 2, 4),
    then the vetoed after all of them, by total among themselves — a veto outweighs any points."""
    ok = [t for t, v in totals if not v]
    vetoed = [t for t, v in totals if v]
    ok_ranks = competition_ranks(ok)
    veto_ranks = competition_ranks(vetoed)
    out: list[int] = []
    i = j = 0
    for _t, v in totals:
        if v:
            out.append(len(ok) + (veto_ranks[j] or 0))
            j += 1
        else:
            out.append(ok_ranks[i] or 0)
            i += 1
    return out


def parse_bands(text: str) -> list[list[str]]:
    """Grade bands from lines ``好,90`` … ``差,0`` (best first, minimums strictly falling, last 0)."""
    bands: list[list[str]] = []
    for line in text.replace("，", ",").splitlines():
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split(",")]
        if len(parts) != 2 or not parts[0]:
            raise RuleError(BANDS_BAD)
        try:
            minimum = Decimal(parts[1])
        except InvalidOperation:
            raise RuleError(BANDS_BAD) from None
        bands.append([parts[0][:10], f"{q2(minimum):f}"])
    mins = [Decimal(b[1]) for b in bands]
    if len(bands) < 2 or mins[-1] != 0 or any(a <= b for a, b in zip(mins, mins[1:], strict=False)):
        raise RuleError(BANDS_BAD)
    return bands


def bands_text(bands: list[list[Any]]) -> str:
    return "\n".join(f"{b[0]},{_p(Decimal(str(b[1])))}" for b in bands)


def grade_for(total: Decimal, bands: list[list[Any]], *, vetoed: bool = False) -> str:
    """等次: the first band (best first) whose minimum the total reaches; a veto gives the lowest."""
    if vetoed:
        return str(bands[-1][0])
    for label, minimum in bands:
        if total >= Decimal(str(minimum)):
            return str(label)
    return str(bands[-1][0])


# --- 述职评议 and 日常督查 -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupScore:
    name: str
    weight: Decimal  # the points this voter group is worth (E6.6: county plenary 24, own unit 16)
    counts: dict[str, int]
    ballots: int
    mean_percent: Decimal  # the ballots' mean grade value, in percent
    points: Decimal  # weight × mean


def group_score(name: str, weight: Decimal, counts: dict[str, int], values: dict[str, Decimal]) -> GroupScore:
    """One voter group: the mean of its ballots' grade values (好 100%, 较好 80%... configurable) times
    the group's points. No ballots: 0."""
    n = sum(counts.get(g, 0) for g in EVAL_GRADES)
    if n == 0:
        return GroupScore(name, weight, counts, 0, ZERO, ZERO)
    total = sum((values[g] * counts.get(g, 0) for g in EVAL_GRADES), ZERO)
    mean = q2(total / n)
    return GroupScore(name, weight, counts, n, mean, q2(weight * total / n / HUNDRED))


def evaluation_score(groups: list[GroupScore], max_points: Decimal) -> Scored:
    """述职评议: the groups' points summed (weighted mean of grade values); when the groups' weights do
    not add up to the item's points, the sum is scaled to them (score = max × Σpoints / Σweights)."""
    weights = sum((g.weight for g in groups), ZERO)
    if not groups or weights == 0:
        return Scored(ZERO, "尚无评议票，按0分计。")
    parts = []
    for g in groups:
        c = "、".join(f"{EVAL_GRADE_LABELS[k]}{g.counts.get(k, 0)}票" for k in EVAL_GRADES)
        parts.append(f"{g.name}（权重{_p(g.weight)}分）：{c}，平均{_p(g.mean_percent)}%，得{_p(g.points)}分")
    got = sum((g.points for g in groups), ZERO)
    if weights == max_points:
        s = q2(got)
        tail = f"合计{_p(s)}分。"
    else:
        s = q2(max_points * got / weights)
        tail = f"合计{_p(got)}分（共{_p(weights)}分），折算为本项满分{_p(max_points)}分：得{_p(s)}分。"
    return Scored(min(s, max_points), "述职评议：" + "；".join(parts) + "；" + tail)


def inspection_score(visits: list[tuple[dt.date, Decimal]], max_points: Decimal) -> Scored:
    """日常督查: the mean of the visits' scores for the item. Averaged, not summed, so an organization
    visited more often is neither rewarded nor punished for the number of visits; each visit's score
    already lies within the item's points."""
    if not visits:
        return Scored(ZERO, "尚无督查记录，按0分计。")
    mean = q2(sum((s for _d, s in visits), ZERO) / len(visits))
    listed = "、".join(f"{d:%Y-%m-%d} {_p(s)}分" for d, s in visits)
    return Scored(min(mean, max_points), f"日常督查{len(visits)}次（{listed}），取平均分{_p(mean)}分（满分{_p(max_points)}分）。")


def notice_end(start: dt.date, days: int) -> dt.date:
    """公示 of ``days`` calendar days starting on ``start`` (start counts as the first day)."""
    return start + dt.timedelta(days=max(days, 1) - 1)
