"""Working days (工作日) for public notices (公示, R1.9, R1.26), from the chinese-calendar package:
weekends and statutory holidays are not working days; the make-up working days (调休上班日, e.g. a
Saturday before the Spring Festival) are.

The package only knows the years the State Council has published. A date outside them raises
``CalendarNotCovered`` with a Chinese message; nothing here ever guesses a future year's holidays.
"""

from __future__ import annotations

import datetime as dt

import chinese_calendar

NOT_COVERED = (
    "工作日日历只覆盖{first}年至{last}年（国务院已公布的放假安排），{date}不在其中，无法计算工作日。"
    "请更新 chinese-calendar 软件包后再办理，或改用已覆盖的日期。"
)
NEGATIVE = "工作日天数不能为负数。"
MAX_SPAN_DAYS = 3660  # no notice lasts ten years; stops a typo from looping over centuries


class CalendarNotCovered(ValueError):
    """A date outside the years chinese-calendar covers; ``str()`` is the Chinese message."""


def coverage() -> tuple[int, int]:
    """(first year, last year) the installed chinese-calendar covers."""
    years = [d.year for d in chinese_calendar.holidays]
    return min(years), max(years)


def _check(date: dt.date) -> None:
    first, last = coverage()
    if not first <= date.year <= last:
        raise CalendarNotCovered(NOT_COVERED.format(first=first, last=last, date=date.isoformat()))


def is_workday(date: dt.date) -> bool:
    """Whether ``date`` is a working day in mainland China (调休 make-up days included)."""
    _check(date)
    return bool(chinese_calendar.is_workday(date))


def add_workdays(start: dt.date, n: int) -> dt.date:
    """The date ``n`` working days after ``start`` (``start`` itself not counted; ``n`` = 0 gives
    ``start``). E.g. from Friday 2026-02-13, 1 working day later is Saturday 2026-02-14 (调休上班)."""
    if n < 0:
        raise ValueError(NEGATIVE)
    _check(start)
    d = start
    for _ in range(MAX_SPAN_DAYS):
        if n == 0:
            return d
        d += dt.timedelta(days=1)
        if is_workday(d):
            n -= 1
    raise ValueError(NEGATIVE)


def workdays_between(a: dt.date, b: dt.date) -> int:
    """How many working days lie in ``a`` .. ``b``, both days included (0 when ``b`` is before ``a``).
    A notice posted from ``a`` to ``b`` lasted this many working days."""
    if b < a:
        return 0
    _check(a)
    _check(b)
    if (b - a).days > MAX_SPAN_DAYS:
        raise ValueError(NEGATIVE)
    return sum(1 for i in range((b - a).days + 1) if chinese_calendar.is_workday(a + dt.timedelta(days=i)))


def notice_end(start: dt.date, n: int) -> dt.date:
    """The last day of a notice of ``n`` working days posted on ``start``: the ``n``-th working day
    counting ``start`` itself if it is a working day."""
    if n <= 0:
        raise ValueError(NEGATIVE)
    first = start if is_workday(start) else add_workdays(start, 1)
    return add_workdays(first, n - 1)
