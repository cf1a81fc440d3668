"""Working days (工作日) for public notices (公示, R1.9, R1.26): weekends and statutory holidays are not
working days; the make-up working days (调休上班日, e.g. a Saturday before the Spring Festival) are.

Two sources, in this order:
1. the chinese-calendar package, for the years it covers (the State Council's published arrangements);
2. for a year the installed package does not cover yet, the arrangement a county administrator recorded
   from the State Council's notice (``common.models.HolidaySchedule``, page 参数设置 → 工作日日历). Each
   year's notice comes out in the autumn before; an offline intranet cannot update the package in time,
   and a notice posted in late December runs into January. A year's notice may also set days of the
   December before it; a recorded year's December days override what the package says for them.
A date covered by neither raises ``CalendarNotCovered`` with a Chinese message; nothing here ever guesses
a year's holidays. Each public function reads a recorded year at most once per call (one small query),
so the answer always follows the latest record, in every process.

``parse_days`` and ``check_schedule`` are the pure checks the recording service applies.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass, field

import chinese_calendar

NOT_COVERED = (
    "工作日日历只覆盖{first}年至{last}年（国务院已公布的放假安排），{date}不在其中，无法计算工作日。"
    "请县委组织部管理员在“参数设置 → 工作日日历”中按国务院办公厅的通知录入{year}年的放假安排"
    "（或更新 chinese-calendar 软件包）后再办理。"
)
NEGATIVE = "工作日天数不能为负数。"
SPAN_TOO_LONG = "{start}至{end}超过十年，不是一个公示期，请检查日期（多半是年份写错了）。"
MAX_SPAN_DAYS = 3660  # no notice lasts ten years; stops a typo from looping over centuries

DAY_UNREADABLE = "“{text}”不是日期，请写成 2027-01-01 或 2027-01-01至2027-01-03。"
DAY_OTHER_YEAR = "{date}不在{year}年（通知中上一年12月的放假或调休日期也可以录入）。"
RANGE_BACKWARDS = "“{text}”的结束日期早于开始日期。"
HOLIDAYS_REQUIRED = "请录入放假日期（至少有元旦）。"
MAKEUP_NOT_WEEKEND = "调休上班日应是周六或周日：{date}是工作日，不需要录入。"
BOTH_KINDS = "{date}既录为放假又录为调休上班。"
YEAR_COVERED = "{year}年已由 chinese-calendar 软件包覆盖（{first}年至{last}年），以软件包为准，不需要录入。"
YEAR_RANGE = "年份应在2000年至2100年之间。"
BASIS_REQUIRED = "请填写依据（国务院办公厅通知的文号或标题）。"

_RANGE_SEP = re.compile(r"\s*(?:至|到|~|～|—|--)\s*")
_ITEM_SEP = re.compile(r"[\s,，、;；]+")


class CalendarNotCovered(ValueError):
    """A date outside both sources; ``str()`` is the Chinese message."""


class SpanTooLong(CalendarNotCovered):
    """A period longer than MAX_SPAN_DAYS (a typo in a year). A CalendarNotCovered so that every caller,
    which already turns that into a blocking field message, answers it the same way instead of a 500."""


@functools.cache  # the package's data does not change while the process runs; asked for every day counted
def coverage() -> tuple[int, int]:
    """(first year, last year) the installed chinese-calendar covers."""
    years = [d.year for d in chinese_calendar.holidays]
    return min(years), max(years)


def covered_by_package(year: int) -> bool:
    first, last = coverage()
    return first <= year <= last


@dataclass(frozen=True)
class YearSchedule:
    """A recorded year's arrangement: the holidays and the make-up working days."""

    holidays: frozenset[dt.date]
    makeup_workdays: frozenset[dt.date]

    def is_workday(self, date: dt.date) -> bool:
        if date in self.makeup_workdays:
            return True
        return date.weekday() < 5 and date not in self.holidays


def _recorded(year: int) -> YearSchedule | None:
    from dangjian.common.models import HolidaySchedule

    row = HolidaySchedule.objects.filter(year=year).values_list("holidays", "makeup_workdays").first()
    if row is None:
        return None
    return YearSchedule(frozenset(map(dt.date.fromisoformat, row[0])), frozenset(map(dt.date.fromisoformat, row[1])))


@dataclass
class _Calendar:
    """One call's view of the calendar: recorded years read once each, on first need."""

    _years: dict[int, YearSchedule | None] = field(default_factory=dict)

    def _schedule(self, year: int) -> YearSchedule | None:
        if year not in self._years:
            self._years[year] = _recorded(year)
        return self._years[year]

    def check(self, date: dt.date) -> None:
        if covered_by_package(date.year):
            return
        if self._schedule(date.year) is None:
            first, last = coverage()
            raise CalendarNotCovered(NOT_COVERED.format(first=first, last=last, date=date.isoformat(), year=date.year))

    def is_workday(self, date: dt.date) -> bool:
        self.check(date)
        # A year's notice may also set the last days of December before it (the 2019 notice: 2018-12-29
        # worked, 12-30 and 12-31 off), which the package, published with the year before, cannot know.
        if date.month == 12 and not covered_by_package(date.year + 1):
            following = self._schedule(date.year + 1)
            if following is not None and (date in following.holidays or date in following.makeup_workdays):
                return date in following.makeup_workdays
        if covered_by_package(date.year):
            return bool(chinese_calendar.is_workday(date))
        schedule = self._years[date.year]
        assert schedule is not None  # check() raised otherwise
        return schedule.is_workday(date)

    def add_workdays(self, start: dt.date, n: int) -> dt.date:
        if n < 0:
            raise ValueError(NEGATIVE)
        self.check(start)
        d = start
        for _ in range(MAX_SPAN_DAYS):
            if n == 0:
                return d
            d += dt.timedelta(days=1)
            if self.is_workday(d):
                n -= 1
        raise ValueError(NEGATIVE)


def is_workday(date: dt.date) -> bool:
    """Whether ``date`` is a working day in mainland China (调休 make-up days included)."""
    return _Calendar().is_workday(date)


def add_workdays(start: dt.date, n: int) -> dt.date:
    """The date ``n`` working days after ``start`` (``start`` itself not counted; ``n`` = 0 gives
    ``start``). E.g. from Friday 2026-02-13, 1 working day later is Saturday 2026-02-14 (调休上班)."""
    return _Calendar().add_workdays(start, n)


def workdays_between(a: dt.date, b: dt.date) -> int:
    """How many working days lie in ``a`` .. ``b``, both days included (0 when ``b`` is before ``a``).
    A notice posted from ``a`` to ``b`` lasted this many working days."""
    if b < a:
        return 0
    cal = _Calendar()
    cal.check(a)
    cal.check(b)
    if (b - a).days > MAX_SPAN_DAYS:
        raise SpanTooLong(SPAN_TOO_LONG.format(start=a.isoformat(), end=b.isoformat()))
    return sum(1 for i in range((b - a).days + 1) if cal.is_workday(a + dt.timedelta(days=i)))


def notice_end(start: dt.date, n: int) -> dt.date:
    """The last day of a notice of ``n`` working days posted on ``start``: the ``n``-th working day
    counting ``start`` itself if it is a working day."""
    if n <= 0:
        raise ValueError(NEGATIVE)
    cal = _Calendar()
    first = start if cal.is_workday(start) else cal.add_workdays(start, 1)
    return cal.add_workdays(first, n - 1)


# --- recording a year (pure checks) -------------------------------------------------------------------


def _day(text: str) -> dt.date | None:
    normalised = text.strip().replace("/", "-").replace(".", "-")
    m = re.fullmatch(r"(\d{4})(?:-|年)(\d{1,2})(?:-|月)(\d{1,2})日?", normalised)
    if m is None:
        return None
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


def parse_days(text: str, year: int) -> tuple[list[dt.date], list[str]]:
    """Dates as an administrator copies them from the notice: single days or ranges (2027-02-06至
    2027-02-13), separated by spaces, commas, 、 or new lines; days of ``year``, or of the December before
    it (a notice may set those). Returns (sorted distinct days, errors)."""
    days: set[dt.date] = set()
    errors: list[str] = []
    joined = _RANGE_SEP.sub("至", text.strip())
    for item in (p for p in _ITEM_SEP.split(joined) if p):
        ends = item.split("至")
        parsed = [_day(e) for e in ends]
        if len(ends) > 2 or any(p is None for p in parsed):
            errors.append(DAY_UNREADABLE.format(text=item))
            continue
        first, last = parsed[0], parsed[-1]
        assert first is not None and last is not None
        if last < first:
            errors.append(RANGE_BACKWARDS.format(text=item))
            continue
        span = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
        inside = [d for d in span if d.year == year or (d.year == year - 1 and d.month == 12)]
        errors += [DAY_OTHER_YEAR.format(date=d.isoformat(), year=year) for d in span if d not in inside][:1]
        days.update(inside)
    return sorted(days), errors


def check_schedule(year: int, holidays: list[dt.date], makeup: list[dt.date], *,
                   require_holidays: bool = True) -> dict[str, list[str]]:
    """Field → messages for a year's arrangement (empty when it may be recorded)."""
    errors: dict[str, list[str]] = {}
    if not 2000 <= year <= 2100:
        errors.setdefault("year", []).append(YEAR_RANGE)
    elif covered_by_package(year):
        first, last = coverage()
        errors.setdefault("year", []).append(YEAR_COVERED.format(year=year, first=first, last=last))
    if require_holidays and not holidays:
        errors.setdefault("holidays", []).append(HOLIDAYS_REQUIRED)
    for d in makeup:
        if d.weekday() < 5:
            errors.setdefault("makeup_workdays", []).append(MAKEUP_NOT_WEEKEND.format(date=d.isoformat()))
    for d in sorted(set(holidays) & set(makeup)):
        errors.setdefault("makeup_workdays", []).append(BOTH_KINDS.format(date=d.isoformat()))
    return errors
