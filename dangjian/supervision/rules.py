"""督办的规则 (pure functions over plain values, no ORM): periods of a recurring task, the item's
life (签收 → 进度 → 报送 → 通过 / 退回 → 再报送), the lights (红黄绿灯), reminders and escalation, and
the rates of the board.

红黄绿灯 — decided here once, for every page, the API, the board and the work queue:
- 绿灯 green: accepted (验收通过). Accepted after the deadline is still green, but "逾期完成" and it does
  not count as on time (按时完成 means accepted on or before the deadline).
- 红灯 red: not accepted and the deadline has passed — from the day AFTER the deadline (the deadline
  day itself is still a day to finish on). An item submitted but not yet reviewed after its deadline
  is red too ("逾期待验收"): the issuer must act. From that same day the item is escalated (升级督办)
  to the task's liaison leader (包联领导) and stays red for the issuer until accepted.
- 黄灯 amber: open otherwise, with a sub-status, by precedence:
  "待验收" (submitted, awaiting the issuer's review) > "退回待重报" (returned, the receiver must
  submit again) > "临期" (within the reminder window: deadline − N ≤ today ≤ deadline, N the setting
  ``supervision.reminder_days``, default 5; the reminder reaches the receiver's work queue) >
  "未到期" (not due yet: today < deadline − N).
So with N = 5: deadline−6 amber 未到期 and no reminder; deadline−5 amber 临期 with the reminder;
the deadline day amber 临期 ("今日到期"); deadline+1 red and escalated.

A cascaded item (转办) follows its children: its light is the worst of its own and its children's
(red > amber > green) until it is accepted itself. An overdue item may still be cascaded, its children
then due on a day from today on, later than its own deadline (``cascade_deadline_error``): its own
deadline still makes it red and escalated until it is accepted, whatever its children's lights.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

# --- recurrence (周期) --------------------------------------------------------------------------------
ONCE = "none"
MONTHLY = "monthly"
QUARTERLY = "quarterly"
HALF_YEARLY = "half_yearly"
YEARLY = "yearly"
RECURRENCE_LABELS = {ONCE: "一次性", MONTHLY: "每月", QUARTERLY: "每季度", HALF_YEARLY: "每半年", YEARLY: "每年"}
RECURRENCE_MONTHS = {MONTHLY: 1, QUARTERLY: 3, HALF_YEARLY: 6, YEARLY: 12}
# Issuing creates every period's items at once (nothing waits for a scheduler), so the number is capped.
MAX_PERIODS = 36

# --- item status (cached on Item by the services) -------------------------------------------------------
ASSIGNED = "assigned"
ACKNOWLEDGED = "acknowledged"
SUBMITTED = "submitted"
RETURNED = "returned"
ACCEPTED = "accepted"
STATUS_LABELS = {ASSIGNED: "待签收", ACKNOWLEDGED: "办理中", SUBMITTED: "已报送待验收", RETURNED: "被退回",
                 ACCEPTED: "验收通过"}  # fmt: skip
OPEN_STATUSES = (ASSIGNED, ACKNOWLEDGED, SUBMITTED, RETURNED)
# The receiver still has to act (a submitted item waits for the issuer).
RECEIVER_TODO = (ASSIGNED, ACKNOWLEDGED, RETURNED)

# --- history events ---------------------------------------------------------------------------------------
EV_ACKNOWLEDGE = "acknowledge"
EV_PROGRESS = "progress"
EV_SUBMIT = "submit"
EV_RETURN = "return"
EV_ACCEPT = "accept"
EV_CASCADE = "cascade"
EVENT_LABELS = {EV_ACKNOWLEDGE: "签收", EV_PROGRESS: "报告进度", EV_SUBMIT: "报送佐证", EV_RETURN: "退回",
                EV_ACCEPT: "验收通过", EV_CASCADE: "转办下级"}  # fmt: skip

IMAGE_FILE_TYPES = ("jpeg", "png", "gif", "webp")

# --- lights --------------------------------------------------------------------------------------------
GREEN = "green"
AMBER = "amber"
RED = "red"
LIGHT_LABELS = {GREEN: "绿灯", AMBER: "黄灯", RED: "红灯"}
LIGHT_BADGES = {GREEN: "success", AMBER: "warning", RED: "danger"}
_SEVERITY = {GREEN: 0, AMBER: 1, RED: 2}

SUB_DONE = "done"
SUB_DONE_LATE = "done_late"
SUB_OVERDUE = "overdue"
SUB_OVERDUE_SUBMITTED = "overdue_submitted"
SUB_SUBMITTED = "submitted"
SUB_RETURNED = "returned"
SUB_DUE_SOON = "due_soon"
SUB_NOT_DUE = "not_due"
SUB_LABELS = {
    SUB_DONE: "按时完成", SUB_DONE_LATE: "逾期完成", SUB_OVERDUE: "逾期未完成", SUB_OVERDUE_SUBMITTED: "逾期待验收",
    SUB_SUBMITTED: "待验收", SUB_RETURNED: "退回待重报", SUB_DUE_SOON: "临期", SUB_NOT_DUE: "未到期",
}  # fmt: skip

# --- messages (the tests import them) -------------------------------------------------------------------
TITLE_REQUIRED = "请填写任务名称。"
DEADLINE_PAST = "完成时限（{deadline}）不能早于今天（{today}）。"
RECURRENCE_INVALID = "“{value}”不是有效的周期。"
RECUR_UNTIL_REQUIRED = "周期性任务请填写周期截止日期。"
RECUR_UNTIL_BEFORE = "周期截止日期不能早于首期完成时限。"
TOO_MANY_PERIODS = "周期任务一次最多生成{n}期，请缩短周期截止日期。"
NO_RECEIVERS = "请至少选择一个承办党组织或承办人。"
RECEIVER_OUTSIDE = "“{name}”不在{issuer}的下级范围内，不能向其交办。"
RECEIVER_DISSOLVED = "“{name}”已撤销，不能向其交办。"
RECEIVER_USER_OUTSIDE = "“{name}”所在党组织不在{issuer}的管理范围内，不能向其交办。"
RECEIVER_USER_ROLE = "“{name}”不是可以办理任务的工作人员账号。"
LIAISON_SCOPE = "包联领导“{name}”的管理范围不包括“{org}”，不能包联这项任务。"
LIAISON_ROLE = "包联领导应为党组织工作人员账号。"
NOT_ISSUER = "只有交办党组织的工作人员才能验收或退回。"
NOT_RECEIVER = "只有承办单位（或承办人）才能办理此事项。"
BAD_STATUS = "此事项当前状态为“{status}”，不能{action}。"
TEXT_REQUIRED = "请填写{what}。"
RETURN_REASON = "退回时请写明原因。"
EVIDENCE_REQUIRED = "请填写报送说明或上传佐证材料。"
CASCADED_SUBMIT = "此事项已转办下级，下级全部验收通过后将自动报送，不能直接报送。"
CASCADE_DEADLINE = "转办的完成时限不能晚于本事项的完成时限（{deadline}）。"
CASCADE_OVERDUE_DEADLINE = "此事项已逾期（完成时限{deadline}），请另定下级完成时限：今天（{today}）或以后的日期。"
CASCADE_AGAIN = "此事项已转办给“{name}”，不能重复转办。"
CASCADE_REPEATED = "“{name}”选了不止一次，同一事项只能转办给它一次。"
CASCADE_RECEIVER = "“{name}”不在{org}的下级范围内，不能转办给它。"
CASCADE_DONE = "此事项已验收通过，不能再转办。"
CASCADE_NAMED = "此事项交办给个人办理，不能转办。"


@dataclass(frozen=True)
class Light:
    color: str  # GREEN / AMBER / RED
    sub: str  # one of SUB_LABELS
    days_left: int  # deadline − today (negative when overdue)

    @property
    def label(self) -> str:
        return LIGHT_LABELS[self.color]

    @property
    def sub_label(self) -> str:
        if self.sub == SUB_DUE_SOON:
            return "今日到期" if self.days_left == 0 else f"临期（{self.days_left}天后到期）"
        if self.sub in (SUB_OVERDUE, SUB_OVERDUE_SUBMITTED):
            return f"{SUB_LABELS[self.sub]}（逾期{-self.days_left}天）"
        return SUB_LABELS[self.sub]

    @property
    def badge(self) -> str:
        return LIGHT_BADGES[self.color]


def light(*, status: str, deadline: dt.date, today: dt.date, reminder_days: int,
          accepted_on: dt.date | None = None) -> Light:
    """红黄绿灯 of one item (see the module text for the exact days)."""
    days_left = (deadline - today).days
    if status == ACCEPTED:
        return Light(GREEN, SUB_DONE if is_on_time(deadline, accepted_on) else SUB_DONE_LATE, days_left)
    if today > deadline:
        return Light(RED, SUB_OVERDUE_SUBMITTED if status == SUBMITTED else SUB_OVERDUE, days_left)
    if status == SUBMITTED:
        return Light(AMBER, SUB_SUBMITTED, days_left)
    if status == RETURNED:
        return Light(AMBER, SUB_RETURNED, days_left)
    if days_left <= reminder_days:
        return Light(AMBER, SUB_DUE_SOON, days_left)
    return Light(AMBER, SUB_NOT_DUE, days_left)


def worst(lights: Iterable[Light]) -> Light | None:
    """The worst light (red > amber > green; among equals the one with the fewest days left)."""
    ordered = sorted(lights, key=lambda lt: (-_SEVERITY[lt.color], lt.days_left))
    return ordered[0] if ordered else None


def follow_children(own: Light, children: Iterable[Light]) -> Light:
    """A cascaded item's light: its own once accepted, else the worst of its own and its children's."""
    if own.color == GREEN:
        return own
    return worst([own, *children]) or own


def is_on_time(deadline: dt.date, accepted_on: dt.date | None) -> bool:
    """按时完成: accepted on or before the deadline."""
    return accepted_on is not None and accepted_on <= deadline


def overdue_days(deadline: dt.date, accepted_on: dt.date | None, today: dt.date) -> int:
    """逾期天数: days past the deadline until acceptance (or until today while open); 0 when on time."""
    end = accepted_on if accepted_on is not None and accepted_on <= today else today
    return max(0, (end - deadline).days)


def reminder_due(*, status: str, deadline: dt.date, today: dt.date, reminder_days: int) -> bool:
    """到期提醒: the receiver still has to act and deadline − N ≤ today ≤ deadline."""
    return status in RECEIVER_TODO and 0 <= (deadline - today).days <= reminder_days


def cascade_deadline_error(*, deadline: dt.date | None, item_deadline: dt.date, today: dt.date) -> str | None:
    """The children's deadline when an item is cascaded (转办), None when ``deadline`` may be used (None:
    not given, the item's own deadline then). While the item is not overdue: not after the item's
    deadline and not before today. Once it is overdue (today > its deadline) no day satisfies both, yet
    the receiver must still be able to pass it on: any day from today on, given explicitly. The item
    itself stays red and escalated by its own deadline (``light``, ``escalated``) until accepted."""
    if today > item_deadline:
        if deadline is None or deadline < today:
            return CASCADE_OVERDUE_DEADLINE.format(deadline=item_deadline, today=today)
        return None
    deadline = deadline or item_deadline
    if deadline > item_deadline:
        return CASCADE_DEADLINE.format(deadline=item_deadline)
    if deadline < today:
        return DEADLINE_PAST.format(deadline=deadline, today=today)
    return None


def escalated(*, status: str, deadline: dt.date, today: dt.date) -> bool:
    """升级督办 to the liaison leader: not accepted and the deadline has passed (the day after it)."""
    return status != ACCEPTED and today > deadline


# --- the item's life ------------------------------------------------------------------------------------
ALLOWED_FROM = {
    EV_ACKNOWLEDGE: (ASSIGNED,),
    EV_PROGRESS: (ASSIGNED, ACKNOWLEDGED, RETURNED),
    EV_SUBMIT: (ASSIGNED, ACKNOWLEDGED, RETURNED),
    EV_RETURN: (SUBMITTED,),
    EV_ACCEPT: (SUBMITTED,),
    EV_CASCADE: (ASSIGNED, ACKNOWLEDGED, RETURNED),
}


def transition_error(status: str, event: str) -> str | None:
    """The Chinese refusal when ``event`` may not happen to an item in ``status``, else None."""
    if status in ALLOWED_FROM[event]:
        return None
    return BAD_STATUS.format(status=STATUS_LABELS[status], action=EVENT_LABELS[event])


def status_after(event: str, status: str) -> str:
    """签收 → 办理中; 进度 keeps the status (an unacknowledged item counts as acknowledged); 报送 →
    待验收; 退回 → 被退回; 通过 → 验收通过; 转办 keeps it."""
    return {
        EV_ACKNOWLEDGE: ACKNOWLEDGED,
        EV_PROGRESS: ACKNOWLEDGED if status == ASSIGNED else status,
        EV_SUBMIT: SUBMITTED,
        EV_RETURN: RETURNED,
        EV_ACCEPT: ACCEPTED,
        EV_CASCADE: ACKNOWLEDGED if status == ASSIGNED else status,
    }[event]


# --- periods ----------------------------------------------------------------------------------------------


def _add_months(d: dt.date, months: int, month_end: bool) -> dt.date:
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, last if month_end else min(d.day, last))


def period_label(recurrence: str, deadline: dt.date) -> str:
    """期次 named after the deadline's period: 2026年12月 / 2026年第4季度 / 2026年下半年 / 2026年度."""
    if recurrence == MONTHLY:
        return f"{deadline.year}年{deadline.month}月"
    if recurrence == QUARTERLY:
        return f"{deadline.year}年第{(deadline.month - 1) // 3 + 1}季度"
    if recurrence == HALF_YEARLY:
        return f"{deadline.year}年{'上' if deadline.month <= 6 else '下'}半年"
    if recurrence == YEARLY:
        return f"{deadline.year}年度"
    return ""


def period_deadlines(first: dt.date, recurrence: str, until: dt.date | None) -> list[tuple[str, dt.date]]:
    """Each period's (label, deadline): the first deadline, then every 1/3/6/12 months after it (a
    month-end deadline stays at month end; the 31st becomes the month's last day) up to ``until``."""
    if recurrence == ONCE or until is None:
        return [(period_label(recurrence, first), first)]
    step = RECURRENCE_MONTHS[recurrence]
    month_end = first.day == calendar.monthrange(first.year, first.month)[1]
    out = []
    k = 0
    while True:
        d = _add_months(first, k * step, month_end)
        if d > until:
            break
        out.append((period_label(recurrence, d), d))
        k += 1
        if k > MAX_PERIODS:
            break
    return out


# --- rates ------------------------------------------------------------------------------------------------
# 完成率 = accepted / assigned (every item of the filter, all periods); 按时完成率 = accepted on or before
# the deadline / decided items (see ``on_time_rate``).


def on_time_rate(on_time: int, accepted: int, overdue_open: int) -> Decimal | None:
    """按时完成率 over the items whose outcome is decided — accepted (on time or late) or open past
    the deadline; an item not yet due is neither on time nor late, so a monthly task issued for a
    year does not read 8 % on time after its first month done on time."""
    return rate(on_time, accepted + overdue_open)


def rate(part: int, whole: int) -> Decimal | None:
    """A percentage with one decimal, half up; None when there is nothing to count."""
    if whole <= 0:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
