"""Weak and lax grassroots Party organizations (软弱涣散基层党组织整顿): the rules as pure functions over
plain values, no ORM. Selectors gather the facts (SQL aggregates) and pass them in with the county's
parameters (params.py); services call the checks before writing anything.

Sources (domain reference §6.3): E6.11 (the 10 commonly listed situations; a 5%–10% reverse-ranking
share each year) and E6.12 (quantified "direct determination" items: the secretary's post vacant for
more than 3 months, (villages) no development target for 2 or more consecutive years, 三会一课 not held,
last place in the annual assessment, public satisfaction below 60%; township quotas not shared out
evenly). E6.5: below 3 stars is a rectification target (Zhejiang).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

# --- criteria (认定依据) ---------------------------------------------------------------------------------
SECRETARY_VACANT = "secretary_vacant"
NO_DEVELOPMENT = "no_development"
ORGLIFE = "orglife_not_held"
ASSESSMENT_LAST = "assessment_last"
SATISFACTION_LOW = "satisfaction_low"
STARS_LOW = "stars_low"
MANUAL = "manual"
CRITERION_LABELS = {
    SECRETARY_VACANT: "书记职位空缺超过规定月数",
    NO_DEVELOPMENT: "村连续多年无发展对象",
    ORGLIFE: "组织生活不正常（“三会一课”等未按规定开展）",
    ASSESSMENT_LAST: "年度考核排名靠后、等次为差或一票否决",
    SATISFACTION_LOW: "群众满意度低于规定比例",
    STARS_LOW: "支部星级低于规定星级",
    MANUAL: "人工提名",
}
CRITERION_ARTICLES = {
    SECRETARY_VACANT: "E6.11①、E6.12", NO_DEVELOPMENT: "E6.12", ORGLIFE: "E6.11④、E6.12", ASSESSMENT_LAST: "E6.12",
    SATISFACTION_LOW: "E6.11⑩、E6.12", STARS_LOW: "E6.5", MANUAL: "E6.11",
}  # fmt: skip
RECORD_CRITERIA = (SECRETARY_VACANT, NO_DEVELOPMENT, ORGLIFE, ASSESSMENT_LAST, SATISFACTION_LOW, STARS_LOW)

# E6.11's commonly listed situations (the exact official wording is UNCONFIRMED; 8 or 10 are reported).
CATEGORY_LABELS = {
    "c01": "①班子配备不齐、书记长期缺职、工作处于停滞状态",
    "c02": "②书记不胜任现职、工作不在状态、严重影响班子作用发挥",
    "c03": "③班子不团结、内耗严重、工作不能正常开展",
    "c04": "④组织制度形同虚设、“三会一课”等组织生活不正常",
    "c05": "⑤村务、财务管理混乱或不公开",
    "c06": "⑥宗族宗教和黑恶势力干扰渗透严重",
    "c07": "⑦社会治安问题和信访矛盾集中",
    "c08": "⑧换届选举中拉票贿选",
    "c09": "⑨集体经济薄弱",
    "c10": "⑩服务意识差、服务能力弱，群众意见大",
}
# The situation each record-based criterion belongs to ("" where E6.12 adds its own item).
CRITERION_CATEGORY = {SECRETARY_VACANT: "c01", ORGLIFE: "c04", SATISFACTION_LOW: "c10", NO_DEVELOPMENT: "",
                      ASSESSMENT_LAST: "", STARS_LOW: ""}

# --- case status -----------------------------------------------------------------------------------------
CANDIDATE = "candidate"
CONFIRMED = "confirmed"
RECTIFYING = "rectifying"
ACCEPTED = "accepted"
DISMISSED = "dismissed"
STATUS_LABELS = {CANDIDATE: "候选", CONFIRMED: "已确认", RECTIFYING: "整顿中", ACCEPTED: "已验收", DISMISSED: "已排除"}
STATUS_CSS = {CANDIDATE: "secondary", CONFIRMED: "warning", RECTIFYING: "danger", ACCEPTED: "success",
              DISMISSED: "light"}
TRANSITIONS: dict[str, frozenset[str]] = {
    CANDIDATE: frozenset({CONFIRMED, DISMISSED}),
    CONFIRMED: frozenset({RECTIFYING}),
    RECTIFYING: frozenset({ACCEPTED}),
    ACCEPTED: frozenset(),
    DISMISSED: frozenset(),
}
IDENTIFIED = frozenset({CONFIRMED, RECTIFYING, ACCEPTED})  # 识别（确认）的软弱涣散党组织
OPEN = frozenset({CONFIRMED, RECTIFYING})  # 整顿中

PASSED = "passed"
NOT_PASSED = "not_passed"
RESULT_LABELS = {PASSED: "验收通过", NOT_PASSED: "验收未通过"}


def may_transition(old: str, new: str) -> bool:
    return new in TRANSITIONS.get(old, frozenset())


# --- kinds of organization (the reverse-ranking share is compared within a kind) ---------------------------
KIND_VILLAGE = "village"
KIND_COMMUNITY = "community"
KIND_OTHER = "other"
KIND_LABELS = {KIND_VILLAGE: "村", KIND_COMMUNITY: "社区", KIND_OTHER: "其他基层党组织"}


def org_kind(category: str) -> str:
    """E6.12: one county reverse-ranked 15% of villages and 8% of communities — so shares are per kind."""
    if category == "rural":
        return KIND_VILLAGE
    if category == "community":
        return KIND_COMMUNITY
    return KIND_OTHER


# --- dates ----------------------------------------------------------------------------------------------------


def add_months(d: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, clamped to the month's last day (31 Jan + 1 month = 28/29 Feb)."""
    i = d.year * 12 + d.month - 1 + months
    y, m = i // 12, i % 12 + 1
    return dt.date(y, m, min(d.day, calendar.monthrange(y, m)[1]))


def whole_months(start: dt.date, end: dt.date) -> int:
    """Whole months from ``start`` to ``end`` (0 if end is before start)."""
    if end < start:
        return 0
    n = (end.year - start.year) * 12 + end.month - start.month
    while n > 0 and add_months(start, n) > end:
        n -= 1
    return n


def judged_on(year: int, today: dt.date) -> dt.date:
    """The day a year's facts are judged on: its last day, or today while the year is running."""
    return min(today, dt.date(year, 12, 31))


# --- findings ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """One criterion met by one organization: the facts in Chinese, so a reader can check them against
    the records (the selectors add the links to those records)."""

    criterion: str
    facts: str
    category: str = ""
    links: tuple[tuple[str, str], ...] = field(default=())

    @property
    def label(self) -> str:
        return CRITERION_LABELS[self.criterion]

    @property
    def article(self) -> str:
        return CRITERION_ARTICLES[self.criterion]


def secretary_vacancy(*, posts: Sequence[tuple[dt.date, dt.date | None]], on: dt.date, established_on: dt.date,
                      secretary_name: str, records_start: dt.date | None, months: int) -> Finding | None:
    """书记职位空缺超过``months``个月 (E6.12), judged on ``on``.

    - A secretary holds the post on ``on`` (started on or before it, not ended before it) → not vacant.
    - The last secretary left on ``ended_on`` and nobody followed → vacant since that day; flagged only
      when ``on`` is later than ``ended_on`` + ``months`` months (exactly 3 months is not "more than 3").
    - No secretary was ever recorded: the platform may simply not hold the posts yet. If the
      organization's own record names a secretary (``secretary_name``), that is taken as filled — it is
      not fair to flag an organization for a gap in our data. If the name is blank too, the post is
      counted vacant from the later of the organization's establishment and the day the platform's
      records began (``records_start``), so a new organization gets the same 3 months as anyone.
    """
    started = [(s, e) for s, e in posts if s <= on]
    if any(e is None or e >= on for _, e in started):
        return None
    ended = [e for _, e in started if e is not None]
    if ended:
        since = max(ended)
        how = f"原书记{since.isoformat()}离任，此后未登记新任书记"
    else:
        if secretary_name.strip():
            return None
        since = max(established_on, records_start or established_on)
        how = f"没有登记过书记任职，党组织信息中“书记”一栏也为空，自{since.isoformat()}起计"
    if on <= add_months(since, months):
        return None
    n = whole_months(since, on)
    days = (on - add_months(since, n)).days
    # "空缺3个月，超过3个月" would read as a contradiction: the days beyond the whole months are shown.
    span = f"{n}个月" + (f"零{days}天" if days else "")
    return Finding(SECRETARY_VACANT, f"{how}；至{on.isoformat()}书记职位已空缺{span}，超过{months}个月。",
                   CRITERION_CATEGORY[SECRETARY_VACANT])


def years_without_candidates(*, year: int, candidate_years: Iterable[int], first_year: int) -> int:
    """Consecutive years, counted back from ``year``, in which nobody was made a development target
    (发展对象), not counting years before ``first_year`` (the first whole year the organization existed
    and the platform's development records were kept)."""
    have = set(candidate_years)
    n = 0
    y = year
    while y >= first_year and y not in have:
        n += 1
        y -= 1
    return n


def no_development(*, year: int, candidate_years: Iterable[int], established_on: dt.date, records_from_year: int,
                   min_years: int, on: dt.date | None = None) -> Finding | None:
    """（村）连续``min_years``年以上没有发展对象 (E6.12): no development record of the village's
    subtree reached the 发展对象 stage (确定为发展对象; under the 2026 细则 the higher committee's
    agreement, step 8) in each of the ``min_years`` years up to ``year``.

    Only whole years are counted: while ``year`` is still running (``on`` before 31 December) it
    cannot yet be a year "without" — in February nobody has had the chance — so the count ends with
    the year before; a target already made this year still clears the village."""
    have = set(candidate_years)
    running = on is not None and on < dt.date(year, 12, 31)
    if running and year in have:
        return None
    last = year - 1 if running else year
    first = established_on.year if (established_on.month, established_on.day) == (1, 1) else established_on.year + 1
    first = max(first, records_from_year)
    n = years_without_candidates(year=last, candidate_years=have, first_year=first)
    if n < min_years:
        return None
    span = f"{last}年" if n == 1 else f"{last - n + 1}年至{last}年连续{n}年"
    still = f"，{year}年截至{on.isoformat()}也没有" if running and on is not None else ""
    return Finding(NO_DEVELOPMENT, f"{span}没有确定发展对象{still}（要求：不得连续{min_years}年以上没有）。",
                   CRITERION_CATEGORY[NO_DEVELOPMENT])


def orglife_not_held(*, done: int, missed: int, missed_items: Sequence[str], min_percent: float) -> Finding | None:
    """组织生活不正常 (E6.11④): of the periods already judged this year (组织生活完成情况日历), the share
    held is below ``min_percent``; compared on the exact fraction. Nothing judged yet → not flagged."""
    judged = done + missed
    if judged == 0 or Decimal(done) * 100 >= Decimal(str(min_percent)) * judged:
        return None
    rate = (Decimal(done) * 100 / judged).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    shown = "、".join(missed_items[:8]) + ("等" if len(missed_items) > 8 else "")
    return Finding(ORGLIFE, f"已到期的{judged}期组织生活中开展{done}期、未开展{missed}期，完成率{rate}%，低于{min_percent:g}%。"
                            f"未开展：{shown}。", CRITERION_CATEGORY[ORGLIFE])


def satisfaction_percent(satisfied: int, respondents: int) -> Decimal | None:
    if respondents <= 0:
        return None
    return (Decimal(satisfied) * 100 / respondents).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def satisfaction_low(*, satisfied: int, respondents: int, min_percent: float, method: str = "") -> Finding | None:
    """年度群众满意度低于``min_percent``% (E6.12); exactly 60% is not below 60%."""
    if respondents <= 0 or Decimal(satisfied) * 100 >= Decimal(str(min_percent)) * respondents:
        return None
    how = f"（{method}）" if method else ""
    return Finding(SATISFACTION_LOW, f"群众满意度测评{how}{respondents}人参加、{satisfied}人满意，满意度"
                                     f"{satisfaction_percent(satisfied, respondents)}%，低于{min_percent:g}%。",
                   CRITERION_CATEGORY[SATISFACTION_LOW])


def assessment_last(*, rank: int | None, of_total: int, grade: str, vetoed: bool, scheme: str,
                    bottom_places: int, below: int | None = None) -> Finding | None:
    """年度考核末位 (E6.12): in the last ``bottom_places`` places of the published ranking, or graded 差,
    or vetoed (一票否决).

    ``below`` is how many organizations of the ranking are placed after this one. Rankings are
    competition ranks (1, 2, 2, 4): two tied for last of four are both 3rd, so "rank > of_total - N"
    would let a tie at the bottom escape; an organization is in the last N when fewer than N are
    placed after it. Without ``below`` the ranks are taken to have no ties."""
    reasons = []
    if vetoed:
        reasons.append("被一票否决")
    if grade == "差":
        reasons.append("等次为“差”")
    if rank is not None and bottom_places > 0:
        after = of_total - rank if below is None else below
        if after < bottom_places:
            tied = "（并列）" if after < of_total - rank else ""
            reasons.append(f"排名第{rank}名{tied}（共{of_total}个），在倒数{bottom_places}名内")
    if not reasons:
        return None
    return Finding(ASSESSMENT_LAST, f"“{scheme}”年度考核结果：{'，'.join(reasons)}。", CRITERION_CATEGORY[ASSESSMENT_LAST])


def merge_findings(a: Finding, b: Finding) -> Finding:
    """Two findings of one criterion for one organization (e.g. last in two assessment schemes) become
    one: a case records each criterion once (the facts and links of both are kept)."""
    links = a.links + tuple(x for x in b.links if x not in a.links)
    return Finding(a.criterion, f"{a.facts}{b.facts}", a.category or b.category, links)


def stars_low(*, stars: int | None, min_stars: int) -> Finding | None:
    """支部星级评定低于``min_stars``星 (E6.5); not rated → not flagged."""
    if stars is None or stars >= min_stars:
        return None
    return Finding(STARS_LOW, f"本年度星级评定为{stars}星，低于{min_stars}星。", CRITERION_CATEGORY[STARS_LOW])


# --- the reverse-ranking share (倒排比例) ----------------------------------------------------------------------


def share_guide(*, orgs_of_kind: int, share_percent: float) -> Decimal:
    """share × number of organizations of the kind: a guide, to one decimal (1.5 means the second one
    is already beyond it)."""
    return (Decimal(orgs_of_kind) * Decimal(str(share_percent)) / 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def share_exceeded(*, confirmed: int, orgs_of_kind: int, share_percent: float) -> bool:
    """True when ``confirmed`` organizations of a kind are more than share × number (exact comparison)."""
    return Decimal(confirmed) * 100 > Decimal(str(share_percent)) * orgs_of_kind


def share_percent_used(confirmed: int, orgs_of_kind: int) -> Decimal | None:
    if orgs_of_kind <= 0:
        return None
    return (Decimal(confirmed) * 100 / orgs_of_kind).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


# --- plan, milestones, progress, acceptance -----------------------------------------------------------------
REQUIRED = "请填写{label}。"
DEADLINE_NOT_AFTER = "整顿期限应晚于方案制定日期（{date}）。"
DATE_FUTURE = "{label}不能晚于今天（{today}）。"
DATE_BEFORE_PLAN = "{label}不能早于整顿方案制定日期（{date}）。"
DUE_AFTER_DEADLINE = "节点完成期限不能晚于整顿期限（{date}）。"
RESULT_INVALID = "验收结果应为“验收通过”或“验收未通过”。"
NOTES_REQUIRED = "验收未通过的，请写明存在的问题和继续整顿的要求。"
COUNT_INVALID = "满意人数应在0至参加测评人数之间，参加人数应大于0。"

PLAN_LABELS = {
    "responsible_person": "定人（整顿责任人）", "responsibility": "定责（整顿责任）", "goal": "定目标（整顿目标）",
    "reward_penalty": "定奖惩（奖惩措施）", "leader_name": "包（包联领导姓名）", "leader_post": "包联领导职务",
}  # fmt: skip


def check_plan(*, values: dict[str, str], has_leader_user: bool, made_on: dt.date,
               deadline: dt.date | None) -> dict[str, list[str]]:
    """整顿方案“四定一包”: every 定 filled, the leader who owns the turnaround named (an account, so it
    lands in their work queue, and a name with post), and a deadline after the day the plan is made."""
    errors: dict[str, list[str]] = {}
    for key, label in PLAN_LABELS.items():
        if not (values.get(key) or "").strip():
            errors.setdefault(key, []).append(REQUIRED.format(label=label))
    if not has_leader_user:
        errors.setdefault("leader", []).append(REQUIRED.format(label="包联领导（平台账号）"))
    if deadline is None:
        errors.setdefault("deadline", []).append(REQUIRED.format(label="整顿期限"))
    elif deadline <= made_on:
        errors.setdefault("deadline", []).append(DEADLINE_NOT_AFTER.format(date=made_on.isoformat()))
    return errors


def check_dated(*, label: str, date: dt.date | None, plan_made_on: dt.date, today: dt.date) -> list[str]:
    """A progress report, a milestone done or an acceptance: on or after the plan, not in the future."""
    if date is None:
        return [REQUIRED.format(label=label)]
    if date > today:
        return [DATE_FUTURE.format(label=label, today=today.isoformat())]
    if date < plan_made_on:
        return [DATE_BEFORE_PLAN.format(label=label, date=plan_made_on.isoformat())]
    return []


def check_acceptance(*, date: dt.date | None, plan_made_on: dt.date | None, today: dt.date, result: str,
                     accepted_by: str, notes: str) -> dict[str, list[str]]:
    """验收: after a plan exists, dated between the plan and today, by whom, the result, and notes for a
    result not passed (the case continues rectifying and is accepted again later)."""
    errors: dict[str, list[str]] = {}
    if plan_made_on is None:
        errors["__all__"] = ["尚未制定整顿方案，不能验收。"]
    else:
        msgs = check_dated(label="验收日期", date=date, plan_made_on=plan_made_on, today=today)
        if msgs:
            errors["date"] = msgs
    if result not in RESULT_LABELS:
        errors["result"] = [RESULT_INVALID]
    if not accepted_by.strip():
        errors["accepted_by"] = [REQUIRED.format(label="验收组织（人员）")]
    if result == NOT_PASSED and not notes.strip():
        errors["notes"] = [NOTES_REQUIRED]
    return errors


# --- due states for the work queue ----------------------------------------------------------------------------
OVERDUE = "overdue"
DUE_SOON = "due_soon"


def due_state(due: dt.date, today: dt.date, reminder_days: int) -> str | None:
    if due < today:
        return OVERDUE
    if (due - today).days <= reminder_days:
        return DUE_SOON
    return None
