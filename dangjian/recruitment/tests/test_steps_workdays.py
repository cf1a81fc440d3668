"""The 25 steps, and working days across the Spring Festival and National Day (chinese-calendar data:
2025 春节 1-28..2-4 with 调休 Sun 1-26 and Sat 2-8; 2025 国庆 10-1..10-8 with Sun 9-28 and Sat 10-11;
2026 春节 2-15..2-23 with Sat 2-14 and Sat 2-28; 2026 国庆 10-1..10-7 with Sun 9-20 and Sat 10-10)."""

from __future__ import annotations

import datetime as dt

import pytest

from dangjian.common import workdays as W
from dangjian.recruitment import steps as S

D = dt.date.fromisoformat


def test_twenty_five_steps_in_five_stages() -> None:
    assert [s.number for s in S.STEPS] == list(range(1, 26))
    by_stage = {k: [s.number for s in S.STEPS if s.stage == k] for k in S.STAGES}
    assert by_stage == {1: [1, 2], 2: [3, 4, 5, 6], 3: [7, 8, 9, 10, 11], 4: list(range(12, 19)), 5: list(range(19, 26))}
    assert len({s.code for s in S.STEPS}) == 25
    assert {6, 21} == S.REPEATABLE


def test_2014_and_2026_wording() -> None:
    assert S.label(15, S.V2014) == "支部大会讨论"
    assert S.label(15, S.V2026) == "党支部党员大会讨论"
    assert S.label(23, S.V2026) == "党支部党员大会讨论"
    assert S.label(8, S.V2014) == "报上级党委备案"
    assert S.label(8, S.V2026) == "报上级党委同意并公示"
    assert S.label(1, S.V2026) == S.label(1, S.V2014) == "递交入党申请书"
    for s in S.STEPS:
        assert all(k in S.DETAIL_LABELS for k in s.details), s


@pytest.mark.parametrize(("day", "workday"), [
    ("2026-02-13", True), ("2026-02-14", True),  # Saturday 调休 before the Spring Festival
    ("2026-02-15", False), ("2026-02-23", False), ("2026-02-24", True), ("2026-02-28", True),
    ("2026-09-20", True), ("2026-10-01", False), ("2026-10-07", False), ("2026-10-08", True), ("2026-10-10", True),
    ("2026-10-11", False), ("2025-01-26", True), ("2025-02-04", False), ("2025-02-08", True), ("2025-09-28", True),
    ("2025-10-08", False), ("2025-10-11", True), ("2025-10-12", False),
])  # fmt: skip
def test_is_workday_with_make_up_days(day: str, workday: bool) -> None:
    assert W.is_workday(D(day)) is workday


def test_notice_across_spring_festival_2026() -> None:
    # Fri 2-13, Sat 2-14 (调休), then the holiday to 2-23, then Tue 2-24, Wed 2-25, Thu 2-26.
    assert W.notice_end(D("2026-02-13"), 5) == D("2026-02-26")
    assert W.workdays_between(D("2026-02-13"), D("2026-02-26")) == 5
    assert W.workdays_between(D("2026-02-13"), D("2026-02-25")) == 4
    assert W.workdays_between(D("2026-02-15"), D("2026-02-23")) == 0
    assert W.add_workdays(D("2026-02-13"), 1) == D("2026-02-14")
    assert W.add_workdays(D("2026-02-14"), 1) == D("2026-02-24")


def test_notice_across_spring_festival_2025() -> None:
    # Fri 1-24, Sun 1-26 (调休), Mon 1-27, holiday 1-28..2-4, Wed 2-5, Thu 2-6.
    assert W.notice_end(D("2025-01-24"), 5) == D("2025-02-06")
    assert W.workdays_between(D("2025-01-24"), D("2025-02-06")) == 5


def test_notice_across_national_day() -> None:
    assert W.notice_end(D("2026-09-28"), 5) == D("2026-10-09")
    assert W.notice_end(D("2026-10-08"), 3) == D("2026-10-10")  # Saturday 10-10 is a make-up day
    assert W.notice_end(D("2026-09-18"), 3) == D("2026-09-21")  # Sunday 9-20 is a make-up day
    assert W.notice_end(D("2025-09-26"), 5) == D("2025-10-09")  # Sun 9-28 counts, 10-1..10-8 do not
    assert W.workdays_between(D("2025-09-26"), D("2025-10-09")) == 5
    assert W.notice_end(D("2026-10-01"), 1) == D("2026-10-08")  # posted on a holiday: starts counting after


def test_workdays_between_edges() -> None:
    assert W.workdays_between(D("2026-03-02"), D("2026-03-02")) == 1
    assert W.workdays_between(D("2026-03-02"), D("2026-03-01")) == 0
    assert W.workdays_between(D("2026-03-07"), D("2026-03-08")) == 0  # a plain weekend
    assert W.add_workdays(D("2026-03-02"), 0) == D("2026-03-02")
    with pytest.raises(ValueError):
        W.add_workdays(D("2026-03-02"), -1)


@pytest.mark.django_db  # a year the package lacks is looked up among the recorded ones
def test_outside_the_calendar_is_an_explicit_error() -> None:
    first, last = W.coverage()
    assert (first, last) == (2004, 2026)
    with pytest.raises(W.CalendarNotCovered) as info:
        W.notice_end(D("2026-12-28"), 5)  # 12-28..12-31 are 4 days; the fifth is in 2027
    assert "2027-01-01" in str(info.value) and "无法计算工作日" in str(info.value)
    with pytest.raises(W.CalendarNotCovered):
        W.workdays_between(D("2026-12-30"), D("2027-01-05"))
    with pytest.raises(W.CalendarNotCovered):
        W.is_workday(D("2003-06-02"))
    assert W.notice_end(D("2026-12-24"), 5) == D("2026-12-30")


def test_a_notice_period_of_over_ten_years_blocks_with_a_message() -> None:
    # A typo in the end year (2025-11-04 for 2015-11-04) inside the calendar's years: the notice check must answer
    # with a blocking Chinese message, not a ValueError that the callers do not catch (a 500).
    from dangjian.recruitment import rules

    with pytest.raises(W.CalendarNotCovered) as info:
        W.workdays_between(D("2015-05-04"), D("2025-11-04"))
    assert str(info.value) == W.SPAN_TOO_LONG.format(start="2015-05-04", end="2025-11-04")
    results = rules.check_notice(rules.NoticeFacts("candidate", D("2015-05-04"), D("2025-11-04")), params=rules.Params())
    assert [(r.code, r.blocks, r.message) for r in results] == [
        ("R1.26", True, W.SPAN_TOO_LONG.format(start="2015-05-04", end="2025-11-04"))]

