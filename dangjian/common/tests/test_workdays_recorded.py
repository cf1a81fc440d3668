"""Working days for a year chinese-calendar does not cover yet, from the 放假安排 a county administrator
recorded (common.workdays, common.services.holiday_schedule_save). The arrangement below is a test
arrangement for the first uncovered year, not a published one: 1-1..1-3 off, 2-6..2-12 off with Saturday
1-30 and Sunday 2-14 worked."""

from __future__ import annotations

import datetime as dt

import pytest

from dangjian.common import services, workdays
from dangjian.common.errors import NotPermitted, ServiceError
from dangjian.common.models import AuditEvent, HolidaySchedule

YEAR = workdays.coverage()[1] + 1
LAST = YEAR - 1


def d(month: int, day: int, year: int = YEAR) -> dt.date:
    return dt.date(year, month, day)


def first_weekday_of(year: int, month: int, weekday: int) -> dt.date:
    day = dt.date(year, month, 1)
    return day + dt.timedelta(days=(weekday - day.weekday()) % 7)


SATURDAY = first_weekday_of(YEAR, 1, 5) + dt.timedelta(days=21)  # the fourth Saturday of January
SUNDAY = first_weekday_of(YEAR, 2, 6) + dt.timedelta(days=7)  # the second Sunday of February


def record(admin, **overrides) -> HolidaySchedule:
    values = {"year": YEAR, "holidays": f"{YEAR}-01-01至{YEAR}-01-03\n{YEAR}-02-06 至 {YEAR}-02-12",
              "makeup_workdays": f"{SATURDAY.isoformat()}、{SUNDAY.isoformat()}", "basis": "国办发明电〔测试〕1号"}
    values.update(overrides)
    return services.holiday_schedule_save(actor=admin, **values)


def test_parse_days_reads_ranges_lists_and_chinese_dates() -> None:
    days, errors = workdays.parse_days(f"{YEAR}-01-01至{YEAR}-01-03，{YEAR}年2月6日\n{YEAR}/2/7 ~ {YEAR}.2.8", YEAR)
    assert errors == []
    assert days == [d(1, 1), d(1, 2), d(1, 3), d(2, 6), d(2, 7), d(2, 8)]
    days, errors = workdays.parse_days(
        f"一月一日 {YEAR}-02-30 {YEAR}-03-05至{YEAR}-03-01 {LAST}-11-30至{YEAR}-01-01 {YEAR + 1}-01-01", YEAR)
    assert errors == [
        workdays.DAY_UNREADABLE.format(text="一月一日"), workdays.DAY_UNREADABLE.format(text=f"{YEAR}-02-30"),
        workdays.RANGE_BACKWARDS.format(text=f"{YEAR}-03-05至{YEAR}-03-01"),
        workdays.DAY_OTHER_YEAR.format(date=f"{LAST}-11-30", year=YEAR),
        workdays.DAY_OTHER_YEAR.format(date=f"{YEAR + 1}-01-01", year=YEAR),
    ]  # fmt: skip
    # The December before the year is the notice's to set too (the 2019 notice set 2018-12-29..31).
    assert days == [dt.date(LAST, 12, day) for day in range(1, 32)] + [d(1, 1)]


def test_check_schedule() -> None:
    assert workdays.check_schedule(YEAR, [d(1, 1)], [SATURDAY]) == {}
    weekday = first_weekday_of(YEAR, 3, 0)
    assert workdays.check_schedule(YEAR, [], [weekday]) == {
        "holidays": [workdays.HOLIDAYS_REQUIRED],
        "makeup_workdays": [workdays.MAKEUP_NOT_WEEKEND.format(date=weekday.isoformat())],
    }
    assert workdays.check_schedule(YEAR, [SATURDAY], [SATURDAY])["makeup_workdays"] == [
        workdays.BOTH_KINDS.format(date=SATURDAY.isoformat())]
    first, last = workdays.coverage()
    assert workdays.check_schedule(LAST, [d(1, 1, LAST)], []) == {
        "year": [workdays.YEAR_COVERED.format(year=LAST, first=first, last=last)]}


@pytest.mark.django_db
def test_a_notice_into_an_uncovered_year_is_refused_until_the_year_is_recorded(tree) -> None:
    start = dt.date(LAST, 12, 28)
    with pytest.raises(workdays.CalendarNotCovered) as info:
        workdays.notice_end(start, 5)
    assert f"{YEAR}-01-01" in str(info.value) and f"录入{YEAR}年的放假安排" in str(info.value)
    record(tree.users["county_admin"])
    # The package's last days of December, then the recorded year: 1-1..1-3 off.
    tail = workdays.workdays_between(start, dt.date(LAST, 12, 31))
    end = workdays.notice_end(start, 5)
    assert end == workdays.add_workdays(d(1, 3), 5 - tail) and end > d(1, 3)
    assert not workdays.is_workday(d(1, 1)) and not workdays.is_workday(d(2, 9))
    assert workdays.is_workday(SATURDAY) and workdays.is_workday(SUNDAY)
    plain_saturday = SATURDAY + dt.timedelta(days=7)
    assert not workdays.is_workday(plain_saturday)
    # February: 28 or 29 days, 4 weekends, 7 holidays (2-6..2-12, two of them a weekend) and one Sunday worked.
    feb_end = dt.date(YEAR, 3, 1) - dt.timedelta(days=1)
    weekdays = sum(1 for i in range(feb_end.day) if dt.date(YEAR, 2, i + 1).weekday() < 5)
    off_weekdays = sum(1 for i in range(6, 13) if dt.date(YEAR, 2, i).weekday() < 5)
    assert workdays.workdays_between(d(2, 1), feb_end) == weekdays - off_weekdays + 1


@pytest.mark.django_db
def test_saving_correcting_and_deleting_are_audited(tree) -> None:
    admin = tree.users["county_admin"]
    row = record(admin)
    assert row.holidays[:3] == [f"{YEAR}-01-01", f"{YEAR}-01-02", f"{YEAR}-01-03"] and len(row.holidays) == 10
    assert row.makeup_workdays == sorted([SATURDAY.isoformat(), SUNDAY.isoformat()])
    record(admin, holidays=f"{YEAR}-01-01", makeup_workdays="")
    row.refresh_from_db()
    assert row.holidays == [f"{YEAR}-01-01"] and row.makeup_workdays == []
    assert workdays.is_workday(d(2, 9)) == (d(2, 9).weekday() < 5)
    events = list(AuditEvent.objects.filter(action__startswith="holiday_schedule").order_by("pk"))
    assert [e.action for e in events] == ["holiday_schedule.save", "holiday_schedule.save"]
    assert events[1].changes["holidays"][0][:1] == [f"{YEAR}-01-01"] and events[1].changes["holidays"][1] == [f"{YEAR}-01-01"]
    services.holiday_schedule_delete(actor=admin, year=YEAR)
    assert not HolidaySchedule.objects.exists()
    assert AuditEvent.objects.filter(action="holiday_schedule.delete").count() == 1
    with pytest.raises(workdays.CalendarNotCovered):
        workdays.is_workday(d(1, 4))


@pytest.mark.django_db
@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"holidays": "元旦"}, "holidays", workdays.DAY_UNREADABLE.format(text="元旦")),
    ({"holidays": ""}, "holidays", workdays.HOLIDAYS_REQUIRED),
    ({"makeup_workdays": f"{YEAR}-01-01"}, "makeup_workdays", workdays.BOTH_KINDS.format(date=f"{YEAR}-01-01")),
    ({"basis": " "}, "basis", workdays.BASIS_REQUIRED),
    ({"year": LAST, "holidays": f"{LAST}-01-01", "makeup_workdays": ""}, "year", None),
])  # fmt: skip
def test_bad_input_is_refused_in_chinese_and_nothing_is_written(tree, overrides, field, message) -> None:
    events = AuditEvent.objects.count()
    with pytest.raises(ServiceError) as info:
        record(tree.users["county_admin"], **overrides)
    assert field in info.value.errors
    if message is not None:
        assert message in info.value.errors[field]
    assert not HolidaySchedule.objects.exists() and AuditEvent.objects.count() == events


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["township_organizer", "branch_secretary", "inspector", "member"])
def test_only_a_county_administrator_records_the_calendar(tree, role) -> None:
    with pytest.raises(NotPermitted):
        record(tree.users[role])
    record(tree.users["county_admin"])
    with pytest.raises(NotPermitted):
        services.holiday_schedule_delete(actor=tree.users[role], year=YEAR)
    assert HolidaySchedule.objects.count() == 1


@pytest.mark.django_db
def test_the_notice_may_set_the_december_before_it_over_the_package(tree) -> None:
    last_day = dt.date(LAST, 12, 31)
    saturday = last_day - dt.timedelta(days=(last_day.weekday() - 5) % 7)  # the year's last Saturday
    weekday = next(last_day - dt.timedelta(days=k) for k in range(7) if (last_day - dt.timedelta(days=k)).weekday() < 5)
    assert workdays.is_workday(weekday) and not workdays.is_workday(saturday)  # the package's answer
    record(tree.users["county_admin"], holidays=f"{weekday.isoformat()}\n{YEAR}-01-01",
           makeup_workdays=saturday.isoformat())
    assert not workdays.is_workday(weekday) and workdays.is_workday(saturday)
    assert workdays.workdays_between(saturday, saturday) == 1
    # Other December days still follow the package.
    assert workdays.is_workday(dt.date(LAST, 12, 1)) == (dt.date(LAST, 12, 1).weekday() < 5)
