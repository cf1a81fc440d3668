"""The pure rules: lights at the boundary days, sub-statuses, cascaded lights, periods, transitions, rates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dangjian.supervision import rules as R

DEADLINE = dt.date(2026, 11, 30)


def lt(status: str, today: dt.date, accepted_on: dt.date | None = None, n: int = 5) -> R.Light:
    return R.light(status=status, deadline=DEADLINE, today=today, reminder_days=n, accepted_on=accepted_on)


@pytest.mark.parametrize(("offset", "color", "sub", "reminder", "escalated"), [
    (-6, R.AMBER, R.SUB_NOT_DUE, False, False),   # deadline − N − 1
    (-5, R.AMBER, R.SUB_DUE_SOON, True, False),   # deadline − N
    (0, R.AMBER, R.SUB_DUE_SOON, True, False),    # the deadline day itself
    (1, R.RED, R.SUB_OVERDUE, False, True),       # deadline + 1
])  # fmt: skip
def test_boundary_days(offset, color, sub, reminder, escalated):
    today = DEADLINE + dt.timedelta(days=offset)
    light = lt(R.ACKNOWLEDGED, today)
    assert (light.color, light.sub, light.days_left) == (color, sub, -offset)
    assert R.reminder_due(status=R.ACKNOWLEDGED, deadline=DEADLINE, today=today, reminder_days=5) is reminder
    assert R.escalated(status=R.ACKNOWLEDGED, deadline=DEADLINE, today=today) is escalated


def test_sub_labels():
    assert lt(R.ASSIGNED, DEADLINE).sub_label == "今日到期"
    assert lt(R.ASSIGNED, DEADLINE - dt.timedelta(days=3)).sub_label == "临期（3天后到期）"
    assert lt(R.ASSIGNED, DEADLINE + dt.timedelta(days=4)).sub_label == "逾期未完成（逾期4天）"


def test_reminder_setting_moves_the_window():
    today = DEADLINE - dt.timedelta(days=8)
    assert lt(R.ASSIGNED, today, n=5).sub == R.SUB_NOT_DUE
    assert lt(R.ASSIGNED, today, n=8).sub == R.SUB_DUE_SOON
    assert R.reminder_due(status=R.ASSIGNED, deadline=DEADLINE, today=today, reminder_days=8)


def test_amber_precedence_submitted_then_returned():
    soon = DEADLINE - dt.timedelta(days=1)
    assert lt(R.SUBMITTED, soon).sub == R.SUB_SUBMITTED
    assert lt(R.RETURNED, soon).sub == R.SUB_RETURNED
    # No reminder to the receiver while the issuer has the item.
    assert not R.reminder_due(status=R.SUBMITTED, deadline=DEADLINE, today=soon, reminder_days=5)
    assert R.reminder_due(status=R.RETURNED, deadline=DEADLINE, today=soon, reminder_days=5)


def test_submitted_after_deadline_is_red_and_escalated():
    late = DEADLINE + dt.timedelta(days=1)
    assert (lt(R.SUBMITTED, late).color, lt(R.SUBMITTED, late).sub) == (R.RED, R.SUB_OVERDUE_SUBMITTED)
    assert R.escalated(status=R.SUBMITTED, deadline=DEADLINE, today=late)


def test_green_on_time_and_late():
    on_time = lt(R.ACCEPTED, DEADLINE + dt.timedelta(days=10), accepted_on=DEADLINE)
    late = lt(R.ACCEPTED, DEADLINE + dt.timedelta(days=10), accepted_on=DEADLINE + dt.timedelta(days=1))
    assert (on_time.color, on_time.sub) == (R.GREEN, R.SUB_DONE)
    assert (late.color, late.sub) == (R.GREEN, R.SUB_DONE_LATE)
    assert R.is_on_time(DEADLINE, DEADLINE) and not R.is_on_time(DEADLINE, DEADLINE + dt.timedelta(days=1))
    assert not R.is_on_time(DEADLINE, None)
    assert not R.escalated(status=R.ACCEPTED, deadline=DEADLINE, today=DEADLINE + dt.timedelta(days=3))


def test_overdue_days():
    assert R.overdue_days(DEADLINE, None, DEADLINE) == 0
    assert R.overdue_days(DEADLINE, None, DEADLINE + dt.timedelta(days=3)) == 3
    assert R.overdue_days(DEADLINE, DEADLINE + dt.timedelta(days=2), DEADLINE + dt.timedelta(days=9)) == 2
    assert R.overdue_days(DEADLINE, DEADLINE - dt.timedelta(days=2), DEADLINE + dt.timedelta(days=9)) == 0


def test_parent_follows_worst_child():
    today = DEADLINE - dt.timedelta(days=10)
    own = lt(R.ACKNOWLEDGED, today)
    red = R.Light(R.RED, R.SUB_OVERDUE, -1)
    green = R.Light(R.GREEN, R.SUB_DONE, 3)
    assert R.follow_children(own, [green, red]) == red
    assert R.follow_children(own, [green, green]) == own
    accepted = lt(R.ACCEPTED, today, accepted_on=today)
    assert R.follow_children(accepted, [red]) == accepted


def test_transitions():
    assert R.transition_error(R.ASSIGNED, R.EV_ACKNOWLEDGE) is None
    assert R.transition_error(R.ACCEPTED, R.EV_SUBMIT) == "此事项当前状态为“验收通过”，不能报送佐证。"
    assert R.transition_error(R.ACKNOWLEDGED, R.EV_ACCEPT) == "此事项当前状态为“办理中”，不能验收通过。"
    assert R.transition_error(R.RETURNED, R.EV_SUBMIT) is None
    assert R.status_after(R.EV_PROGRESS, R.ASSIGNED) == R.ACKNOWLEDGED
    assert R.status_after(R.EV_PROGRESS, R.RETURNED) == R.RETURNED
    assert R.status_after(R.EV_RETURN, R.SUBMITTED) == R.RETURNED


def test_periods_quarterly_and_month_end():
    got = R.period_deadlines(dt.date(2026, 12, 31), R.QUARTERLY, dt.date(2027, 12, 31))
    assert got == [("2026年第4季度", dt.date(2026, 12, 31)), ("2027年第1季度", dt.date(2027, 3, 31)),
                   ("2027年第2季度", dt.date(2027, 6, 30)), ("2027年第3季度", dt.date(2027, 9, 30)),
                   ("2027年第4季度", dt.date(2027, 12, 31))]  # fmt: skip
    monthly = R.period_deadlines(dt.date(2027, 1, 31), R.MONTHLY, dt.date(2027, 4, 15))
    assert [d for _, d in monthly] == [dt.date(2027, 1, 31), dt.date(2027, 2, 28), dt.date(2027, 3, 31)]
    mid = R.period_deadlines(dt.date(2027, 1, 20), R.MONTHLY, dt.date(2027, 3, 20))
    assert [d for _, d in mid] == [dt.date(2027, 1, 20), dt.date(2027, 2, 20), dt.date(2027, 3, 20)]
    assert R.period_deadlines(dt.date(2027, 6, 30), R.HALF_YEARLY, dt.date(2027, 12, 31))[1] == ("2027年下半年", dt.date(2027, 12, 31))
    assert R.period_deadlines(DEADLINE, R.ONCE, None) == [("", DEADLINE)]


@given(st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2030, 12, 31)), st.sampled_from(list(R.RECURRENCE_MONTHS)),
       st.integers(min_value=0, max_value=800))
def test_periods_are_increasing_and_bounded(first, recurrence, span):
    until = first + dt.timedelta(days=span)
    got = R.period_deadlines(first, recurrence, until)
    days = [d for _, d in got]
    assert days[0] == first and all(a < b for a, b in zip(days, days[1:], strict=False)) and days[-1] <= until


def test_rate():
    assert R.rate(2, 3) == Decimal("66.7")
    assert R.rate(0, 0) is None
    assert R.rate(3, 3) == Decimal("100.0")
