"""Membership rules as pure functions over plain values: the state machine of membership events,
党龄, age, and the lost-contact / suspension deadlines (§5 R5.5 of the domain reference).

Membership is a sequence of dated events; ``replay`` folds them into the state after each one, so the
roster of any date is exact and an event inserted in the past is checked against everything after it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

# --- statuses ---------------------------------------------------------------------------------------
PROBATIONARY = "probationary"
FULL = "full"
SUSPENDED = "suspended"
TRANSFERRED_OUT = "transferred_out"
DIED = "died"
EXPELLED = "expelled"
REMOVED = "removed"
LEFT = "left"
CANCELLED = "cancelled"

STATUS_LABELS = {
    PROBATIONARY: "预备党员",
    FULL: "正式党员",
    SUSPENDED: "停止党籍",
    TRANSFERRED_OUT: "已转出",
    DIED: "死亡",
    EXPELLED: "开除党籍",
    REMOVED: "除名",
    LEFT: "退党",
    CANCELLED: "取消预备党员资格",
}
ACTIVE = frozenset({PROBATIONARY, FULL})
# Counted in an organization's roster (suspended members stay on it, marked, until removed).
ON_ROSTER = frozenset({PROBATIONARY, FULL, SUSPENDED})
TERMINAL = frozenset({TRANSFERRED_OUT, DIED, EXPELLED, REMOVED, LEFT, CANCELLED})

# --- event kinds ------------------------------------------------------------------------------------
RECORDED = "recorded"
ADMITTED = "admitted"
TRANSFER_IN = "transfer_in"
CONVERTED = "converted"
PROBATION_EXTENDED = "probation_extended"
PROBATION_CANCELLED = "probation_cancelled"
TRANSFER = "transfer"
TRANSFER_OUT = "transfer_out"
WENT_MOBILE = "went_mobile"
RETURNED = "returned"
LOST_CONTACT = "lost_contact"
CONTACT_RESTORED = "contact_restored"
SUSPEND = "suspend"
RESTORE = "restore"
DIE = "die"
EXPEL = "expel"
REMOVE = "remove"
LEAVE = "leave"

EVENT_LABELS = {
    RECORDED: "补录党员信息",
    ADMITTED: "接收为预备党员",
    TRANSFER_IN: "从外单位转入",
    CONVERTED: "预备党员转正",
    PROBATION_EXTENDED: "延长预备期",
    PROBATION_CANCELLED: "取消预备党员资格",
    TRANSFER: "组织关系转接",
    TRANSFER_OUT: "转出本县（市、区）",
    WENT_MOBILE: "外出流动",
    RETURNED: "流动返回",
    LOST_CONTACT: "失去联系",
    CONTACT_RESTORED: "恢复联系",
    SUSPEND: "停止党籍",
    RESTORE: "恢复党籍",
    DIE: "死亡",
    EXPEL: "开除党籍",
    REMOVE: "除名",
    LEAVE: "退党",
}
INITIAL_KINDS = frozenset({RECORDED, ADMITTED, TRANSFER_IN})
# Entries that may also come later in a history: coming back into the county (after 转出本县), and
# joining again (R5.5: members who were removed, expelled or left are not restored, but "where they
# qualify, they may join again"; a cancelled probationary member may likewise be admitted again).
RETURN_KINDS = frozenset({TRANSFER_IN, ADMITTED})
REJOIN_AFTER = frozenset({EXPELLED, REMOVED, LEFT, CANCELLED})
REMOVAL_REASONS = {"self_lapsed": "自行脱党", "unqualified": "不合格党员除名", "other": "其他"}

# --- messages (the tests import these) --------------------------------------------------------------
FUTURE_DATE = "日期不能晚于今天（{date}）。"
BEFORE_BIRTH = "日期不能早于出生日期（{birth}）。"
FIRST_EVENT_REQUIRED = "该党员还没有入党或转入记录，请先录入“接收为预备党员”、“从外单位转入”或“补录党员信息”。"
ALREADY_RECORDED = "该党员已有入党或转入记录，不能重复录入。"
NOT_ACTIVE = "{date}该党员的状态是“{status}”，不能办理“{event}”。"
NOT_PROBATIONARY = "只有预备党员才能办理“{event}”（{date}该党员是“{status}”）。"
CONVERSION_BEFORE_ADMISSION = "转正日期（{date}）不能早于接收为预备党员的日期（{admitted}）。"
CONVERSION_BEFORE_PROBATION_ENDS = (
    "预备期为一年，不能提前转正：该党员{admitted}接收为预备党员，预备期至{ends}届满，转正日期（{date}）不能早于届满日期。"
)
EXTENSION_MONTHS = "延长预备期只能是6至12个月（填写的是{months}个月）。"
EXTENSION_TWICE = "该预备党员已经延长过预备期，不能再次延长。"
TRANSFER_SAME_ORG = "转入党组织与转出党组织相同。"
TRANSFER_WRONG_ORG = "{date}该党员的组织关系不在转出党组织，可能已经转出，不能重复办理转接。"
ALREADY_MOBILE = "该党员已是流动党员。"
NOT_MOBILE = "该党员不是流动党员，不能登记返回。"
ALREADY_LOST = "该党员已登记为失联党员。"
NOT_LOST = "该党员未登记失联，不能登记恢复联系。"
NOT_SUSPENDED = "只有停止党籍的党员才能恢复党籍。"
NO_RESTORE_AFTER = "“{status}”的党员原则上不予恢复党籍；符合条件的可以重新入党。"
JOIN_BEFORE_18 = "入党时（{date}）未满18周岁。"
STATUS_FOR_RECORD = "补录或转入时，党员状态只能是正式党员或预备党员。"
BEFORE_FIRST_EVENT = "日期（{date}）早于该党员的第一条党籍记录（{first}{event}），请核对日期。"


class MembershipRuleError(ValueError):
    """A membership event that the rules do not allow; ``str()`` is the Chinese message."""


@dataclass(frozen=True)
class MemberState:
    status: str | None = None
    org_id: int | None = None
    admitted_on: dt.date | None = None
    converted_on: dt.date | None = None
    probation_ends_on: dt.date | None = None
    extended: bool = False
    is_mobile: bool = False
    is_lost_contact: bool = False
    lost_contact_on: dt.date | None = None
    suspended_on: dt.date | None = None
    status_before_suspension: str | None = None


@dataclass(frozen=True)
class Event:
    kind: str
    date: dt.date
    org_id: int | None = None  # the organization after the event (initial events, transfers)
    from_org_id: int | None = None  # transfers: the organization the member leaves
    status: str | None = None  # initial RECORDED / TRANSFER_IN: full or probationary
    joined_on: dt.date | None = None  # RECORDED / TRANSFER_IN: 入党日期
    converted_on: dt.date | None = None  # RECORDED / TRANSFER_IN of a full member: 转正日期
    months: int | None = None  # PROBATION_EXTENDED
    extra: dict = field(default_factory=dict)


def add_months(d: dt.date, months: int) -> dt.date:
    """Same day ``months`` later; the 31st becomes the month's last day."""
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    for day in (d.day, 30, 29, 28):
        try:
            return dt.date(year, month, day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def add_years(d: dt.date, years: int) -> dt.date:
    return add_months(d, 12 * years)


def full_years(start: dt.date, end: dt.date) -> int:
    """Completed years from ``start`` to ``end`` (0 if end is earlier)."""
    years = end.year - start.year - ((end.month, end.day) < (start.month, start.day))
    return max(years, 0)


def age_on(birth: dt.date, on: dt.date) -> int:
    return full_years(birth, on)


def party_age(*, converted_on: dt.date | None, as_of: dt.date, correction: int = 0) -> int | None:
    """党龄: completed years from the end of probation (R1.23: the day probation ends, which is the
    stored conversion date, not the approval date), plus the national record's 党龄校正值 (which
    subtracts periods such as suspension). None for probationary members, and None — unknown — for a
    full member recorded without a conversion date; pages tell the two apart by the status."""
    if converted_on is None or converted_on > as_of:
        return None
    return max(full_years(converted_on, as_of) + correction, 0)


def check_admission_age(*, birth: dt.date | None, date: dt.date) -> None:
    """入党年龄：年满十八岁 (Party Constitution Art. 1)."""
    if birth and age_on(birth, date) < 18:
        raise MembershipRuleError(JOIN_BEFORE_18.format(date=date.isoformat()))


def check_dates(*, date: dt.date, today: dt.date, birth: dt.date | None) -> None:
    if date > today:
        raise MembershipRuleError(FUTURE_DATE.format(date=today.isoformat()))
    if birth and date < birth:
        raise MembershipRuleError(BEFORE_BIRTH.format(birth=birth.isoformat()))


def apply_event(state: MemberState, ev: Event) -> MemberState:
    """The state after ``ev``; raises MembershipRuleError with a Chinese message if not allowed."""
    label = EVENT_LABELS.get(ev.kind, ev.kind)
    status_label = STATUS_LABELS.get(state.status or "", "未入党")

    if ev.kind in INITIAL_KINDS:
        rejoining = ev.kind == ADMITTED and state.status in REJOIN_AFTER
        if state.status is not None and state.status != TRANSFERRED_OUT and not rejoining:
            raise MembershipRuleError(ALREADY_RECORDED)
        if ev.kind == ADMITTED:
            return MemberState(
                status=PROBATIONARY, org_id=ev.org_id, admitted_on=ev.date, probation_ends_on=add_years(ev.date, 1)
            )
        # Coming back into the county: unless told otherwise, the member is what they were when they
        # left (full if they had converted, else probationary), with the same conversion date.
        returning_probationary = state.status == TRANSFERRED_OUT and state.admitted_on and not state.converted_on
        status = ev.status or (PROBATIONARY if returning_probationary else FULL)
        if status not in ACTIVE:
            raise MembershipRuleError(STATUS_FOR_RECORD)
        joined = ev.joined_on or state.admitted_on or ev.date
        converted = (ev.converted_on or state.converted_on) if status == FULL else None
        if converted and converted < joined:
            raise MembershipRuleError(CONVERSION_BEFORE_ADMISSION.format(date=converted, admitted=joined))
        return MemberState(
            status=status,
            org_id=ev.org_id,
            admitted_on=joined,
            converted_on=converted,
            probation_ends_on=add_years(joined, 1) if status == PROBATIONARY else None,
        )

    if state.status is None:
        raise MembershipRuleError(FIRST_EVENT_REQUIRED)

    def need_active() -> None:
        if state.status not in ACTIVE:
            raise MembershipRuleError(NOT_ACTIVE.format(date=ev.date, status=status_label, event=label))

    def need_probationary() -> None:
        if state.status != PROBATIONARY:
            raise MembershipRuleError(NOT_PROBATIONARY.format(date=ev.date, status=status_label, event=label))

    if ev.kind == CONVERTED:
        need_probationary()
        if state.admitted_on and ev.date < state.admitted_on:
            raise MembershipRuleError(CONVERSION_BEFORE_ADMISSION.format(date=ev.date, admitted=state.admitted_on))
        # R1.20: probation is one year (or the extended term) and is never shortened.
        ends = state.probation_ends_on
        if ends and ev.date < ends:
            raise MembershipRuleError(CONVERSION_BEFORE_PROBATION_ENDS.format(
                date=ev.date, admitted=state.admitted_on, ends=ends))
        # R1.23: 党龄 counts from the day probation ends, not from the approval (the event's date).
        return replace(state, status=FULL, converted_on=ends or ev.date, probation_ends_on=None)
    if ev.kind == PROBATION_EXTENDED:
        need_probationary()
        months = ev.months or 0
        if not 6 <= months <= 12:
            raise MembershipRuleError(EXTENSION_MONTHS.format(months=months))
        if state.extended:
            raise MembershipRuleError(EXTENSION_TWICE)
        base = state.probation_ends_on or ev.date
        return replace(state, extended=True, probation_ends_on=add_months(base, months))
    if ev.kind == PROBATION_CANCELLED:
        need_probationary()
        # Off the roster like every other final status: no longer mobile or lost.
        return replace(state, status=CANCELLED, probation_ends_on=None, is_mobile=False, is_lost_contact=False)
    if ev.kind == TRANSFER:
        # A suspended member's relation is still held by a branch and moves with it (e.g. a merger).
        if state.status not in ON_ROSTER:
            raise MembershipRuleError(NOT_ACTIVE.format(date=ev.date, status=status_label, event=label))
        if ev.from_org_id is not None and ev.from_org_id != state.org_id:
            raise MembershipRuleError(TRANSFER_WRONG_ORG.format(date=ev.date))
        if ev.org_id == state.org_id:
            raise MembershipRuleError(TRANSFER_SAME_ORG)
        return replace(state, org_id=ev.org_id)
    if ev.kind == TRANSFER_OUT:
        need_active()
        return replace(state, status=TRANSFERRED_OUT, is_mobile=False, is_lost_contact=False)
    if ev.kind == WENT_MOBILE:
        need_active()
        if state.is_mobile:
            raise MembershipRuleError(ALREADY_MOBILE)
        return replace(state, is_mobile=True)
    if ev.kind == RETURNED:
        if not state.is_mobile:
            raise MembershipRuleError(NOT_MOBILE)
        return replace(state, is_mobile=False)
    if ev.kind == LOST_CONTACT:
        need_active()
        if state.is_lost_contact:
            raise MembershipRuleError(ALREADY_LOST)
        return replace(state, is_lost_contact=True, lost_contact_on=ev.date)
    if ev.kind == CONTACT_RESTORED:
        if not state.is_lost_contact:
            raise MembershipRuleError(NOT_LOST)
        return replace(state, is_lost_contact=False, lost_contact_on=None)
    if ev.kind == SUSPEND:
        need_active()
        return replace(state, status=SUSPENDED, suspended_on=ev.date, status_before_suspension=state.status)
    if ev.kind == RESTORE:
        if state.status in TERMINAL:
            raise MembershipRuleError(NO_RESTORE_AFTER.format(status=status_label))
        if state.status != SUSPENDED:
            raise MembershipRuleError(NOT_SUSPENDED)
        return replace(
            state, status=state.status_before_suspension or FULL, suspended_on=None, status_before_suspension=None,
            is_lost_contact=False, lost_contact_on=None,
        )
    if ev.kind in (DIE, EXPEL, REMOVE, LEAVE):
        if state.status in TERMINAL:
            raise MembershipRuleError(NOT_ACTIVE.format(date=ev.date, status=status_label, event=label))
        if ev.kind == LEAVE:
            need_active()
        final = {DIE: DIED, EXPEL: EXPELLED, REMOVE: REMOVED, LEAVE: LEFT}[ev.kind]
        return replace(state, status=final, is_mobile=False, is_lost_contact=False)
    raise MembershipRuleError(f"未知的事项类型：{ev.kind}")


def replay(events: Iterable[Event]) -> list[MemberState]:
    """The state after each event, in order. Raises on the first event the rules refuse."""
    state = MemberState()
    states = []
    for ev in events:
        state = apply_event(state, ev)
        states.append(state)
    return states


# --- §5 R5.5 lost contact and suspension deadlines ------------------------------------------------
LOST_CONTACT_SUSPEND_MONTHS = 6  # 失联满6个月，经多方查找仍无音讯的，应予停止党籍
SUSPENSION_REMOVE_MONTHS = 24  # 停止党籍满2年仍无音讯的，按自行脱党予以除名


def lost_contact_deadline(lost_on: dt.date) -> dt.date:
    """失联党员：失联满6个月 → 作出停止党籍决定 (R5.5)."""
    return add_months(lost_on, LOST_CONTACT_SUSPEND_MONTHS)


def suspension_deadline(suspended_on: dt.date) -> dt.date:
    """停止党籍满2年 → 按自行脱党予以除名 (R5.5)."""
    return add_months(suspended_on, SUSPENSION_REMOVE_MONTHS)


def latest_start_due(on: dt.date, months: int) -> dt.date:
    """The latest start date whose deadline ``add_months(start, months)`` falls on or before ``on``,
    so "due by ``on``" is the SQL filter ``start <= latest_start_due(on, months)``. Plain
    ``add_months(on, -months)`` is a few days short at month ends: 失联 on 31 August is due on
    28/29 February, which is the last day of its month, and every later day of August is due then too."""
    start = add_months(on, -months)
    if (on + dt.timedelta(days=1)).day == 1:
        start = add_months(start.replace(day=1), 1) - dt.timedelta(days=1)
    return start
