"""The rules of organizational life, as pure functions over plain values."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dangjian.orglife import rules

D = dt.date


# --- frequencies (§3.2) --------------------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "months"), [
    (rules.GENERAL_MEETING, 3), (rules.COMMITTEE_MEETING, 1), (rules.GROUP_MEETING, 1), (rules.THEME_DAY, 1),
    (rules.REVIEW_MEETING, 12), (rules.APPRAISAL, 12), (rules.HEART_TALK, 12),
])  # fmt: skip
def test_fixed_frequencies(kind, months):
    # The party-lecture setting must not move any other kind.
    for lecture in (1, 3, 6, 12):
        assert rules.required_period_months(kind, lecture_period_months=lecture) == months


@pytest.mark.parametrize(("setting", "months"), [(1, 1), (2, 2), (3, 3), (4, 4), (5, 4), (6, 6), (7, 6), (11, 6), (12, 12),
                                                 (0, 1), (99, 12)])
def test_party_lecture_frequency_is_the_setting(setting, months):
    assert rules.required_period_months(rules.PARTY_LECTURE, lecture_period_months=setting) == months


def test_periods_tile_the_year_and_never_cross_it():
    for months in rules.PERIOD_CHOICES:
        periods = rules.periods_of_year(2026, months)
        assert periods[0][1] == D(2026, 1, 1) and periods[-1][2] == D(2026, 12, 31)
        for (_, _, end), (_, start, _) in zip(periods, periods[1:], strict=False):
            assert start == end + dt.timedelta(days=1)
    assert rules.period_of(D(2026, 3, 31), 3) == (D(2026, 1, 1), D(2026, 3, 31))
    assert rules.period_of(D(2026, 4, 1), 3) == (D(2026, 4, 1), D(2026, 6, 30))
    assert rules.period_of(D(2025, 12, 31), 12) == (D(2025, 1, 1), D(2025, 12, 31))
    assert rules.period_of(D(2024, 2, 29), 1) == (D(2024, 2, 1), D(2024, 2, 29))


FACTS = rules.BranchFacts(established_on=D(2000, 1, 1), has_committee=True, party_groups=0)


NOV = D(2026, 11, 15)


def cells(counts, *, today=NOV, facts=FACTS, lecture=3, year=2026):
    return rules.compliance_calendar(year=year, today=today, facts=facts, counts=counts, lecture_period_months=lecture)


def statuses(cal, kind):
    return [c.status for c in cal[kind]]


def test_general_meeting_on_31_march_is_the_first_quarter_and_on_1_april_the_second():
    q1 = cells({(rules.GENERAL_MEETING, 3): 1})
    q2 = cells({(rules.GENERAL_MEETING, 4): 1})
    assert statuses(q1, rules.GENERAL_MEETING) == [rules.DONE, rules.MISSED, rules.MISSED, rules.DUE]
    assert statuses(q2, rules.GENERAL_MEETING) == [rules.MISSED, rules.DONE, rules.MISSED, rules.DUE]


def test_period_not_over_is_due_and_later_periods_too():
    cal = cells({}, today=D(2026, 5, 10))
    assert statuses(cal, rules.GENERAL_MEETING) == [rules.MISSED, rules.DUE, rules.DUE, rules.DUE]
    assert statuses(cal, rules.THEME_DAY)[:6] == [rules.MISSED] * 4 + [rules.DUE] * 2
    # The last day of a period is still inside it.
    on_last_day = cells({}, today=D(2026, 3, 31))
    assert statuses(on_last_day, rules.GENERAL_MEETING)[0] == rules.DUE
    assert [c.is_current for c in cal[rules.THEME_DAY]][4] is True
    assert [c.is_future for c in cal[rules.THEME_DAY]][5] is True


def test_kinds_that_do_not_apply():
    no_committee = rules.BranchFacts(established_on=D(2000, 1, 1), has_committee=False)
    cal = cells({(rules.COMMITTEE_MEETING, 1): 1}, facts=no_committee)
    assert set(statuses(cal, rules.COMMITTEE_MEETING)) == {rules.NOT_APPLICABLE}
    assert set(statuses(cal, rules.GROUP_MEETING)) == {rules.NOT_APPLICABLE}  # no party groups


def test_each_party_group_meets_every_month():
    two_groups = rules.BranchFacts(established_on=D(2000, 1, 1), party_groups=2)
    cal = cells({(rules.GROUP_MEETING, 1): 2, (rules.GROUP_MEETING, 2): 1}, facts=two_groups)
    assert statuses(cal, rules.GROUP_MEETING)[:3] == [rules.DONE, rules.MISSED, rules.MISSED]
    assert cal[rules.GROUP_MEETING][1].required == 2 and cal[rules.GROUP_MEETING][1].held == 1


def test_branch_established_or_dissolved_within_the_year():
    facts = rules.BranchFacts(established_on=D(2026, 2, 15), dissolved_on=D(2026, 8, 10))
    cal = cells({(rules.THEME_DAY, 2): 1}, facts=facts)
    # January: did not exist; February: partial but held → done; March–July judged; August partial,
    # not held → not applicable; later: dissolved.
    assert statuses(cal, rules.THEME_DAY) == (
        [rules.NOT_APPLICABLE, rules.DONE] + [rules.MISSED] * 5 + [rules.NOT_APPLICABLE] * 5
    )
    # The first quarter was partial and not held: not judged.
    assert statuses(cal, rules.GENERAL_MEETING)[0] == rules.NOT_APPLICABLE


def test_records_start_month():
    facts = rules.BranchFacts(established_on=D(2000, 1, 1), records_start=D(2026, 7, 1))
    cal = cells({}, facts=facts)
    assert statuses(cal, rules.THEME_DAY)[:6] == [rules.NOT_APPLICABLE] * 6
    assert statuses(cal, rules.THEME_DAY)[6:10] == [rules.MISSED] * 4


def test_yearly_kinds_are_due_until_31_december_and_missed_after():
    assert statuses(cells({}, today=D(2026, 12, 31)), rules.REVIEW_MEETING) == [rules.DUE]
    assert statuses(cells({}, today=D(2027, 1, 1)), rules.REVIEW_MEETING) == [rules.MISSED]
    assert statuses(cells({(rules.REVIEW_MEETING, 12): 1}, today=D(2027, 1, 1)), rules.REVIEW_MEETING) == [rules.DONE]


def test_lecture_calendar_follows_the_setting():
    counts = {(rules.PARTY_LECTURE, 3): 1}
    assert statuses(cells(counts, lecture=3), rules.PARTY_LECTURE) == [rules.DONE, rules.MISSED, rules.MISSED, rules.DUE]
    assert statuses(cells(counts, lecture=6), rules.PARTY_LECTURE) == [rules.DONE, rules.DUE]
    assert statuses(cells(counts, lecture=12), rules.PARTY_LECTURE) == [rules.DONE]
    assert statuses(cells({}, lecture=12), rules.PARTY_LECTURE) == [rules.DUE]
    assert [c.label for c in cells(counts, lecture=6)[rules.PARTY_LECTURE]] == ["上半年", "下半年"]


def test_tally_counts_each_status():
    cal = cells({(rules.GENERAL_MEETING, 3): 1}, today=D(2026, 7, 1))
    t = rules.tally(c for cs in cal.values() for c in cs)
    # general: Q1 done, Q2 missed, Q3 Q4 due; committee: Jan–Jun missed, Jul–Dec due;
    # lecture as general but not held: Q1 Q2 missed; theme day as committee; yearly kinds due.
    assert t == rules.Tally(done=1, due=2 + 6 + 2 + 6 + 3, missed=1 + 6 + 2 + 6)


# --- rate and bands -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("done", "missed", "rate"), [
    (9, 1, Decimal("90.0")), (2, 1, Decimal("66.7")), (1, 2, Decimal("33.3")), (1, 5, Decimal("16.7")),
    (1, 7, Decimal("12.5")), (0, 3, Decimal("0.0")), (4, 0, Decimal("100.0")), (0, 0, None),
])  # fmt: skip
def test_compliance_rate(done, missed, rate):
    assert rules.compliance_rate(done, missed) == rate


def test_bands_compare_the_exact_fraction():
    assert rules.compliance_band(9, 1, green_min=90, amber_min=70) == rules.GREEN
    # 8/9 = 88.9 % → amber, and 179/200 = 89.5 % rounds to 89.5, still amber
    assert rules.compliance_band(8, 1, green_min=90, amber_min=70) == rules.AMBER
    assert rules.compliance_band(1799, 200, green_min=90, amber_min=70) == rules.AMBER  # 89.9949... %
    assert rules.compliance_band(7, 3, green_min=90, amber_min=70) == rules.AMBER
    assert rules.compliance_band(69, 31, green_min=90, amber_min=70) == rules.RED
    assert rules.compliance_band(0, 0, green_min=90, amber_min=70) == rules.NO_BAND
    assert rules.compliance_band(7, 3, green_min=60, amber_min=50) == rules.GREEN


def test_competition_ranks():
    values = [Decimal(100), Decimal(80), Decimal(80), Decimal(40), None]
    assert rules.competition_ranks(values) == [1, 2, 2, 4, None]


# --- attendance and grades -------------------------------------------------------------------------------


def test_approved_reasons():
    assert rules.approved_reasons(mobile_away_excused=False) == {rules.LEAVE, rules.ILLNESS}
    assert rules.approved_reasons(mobile_away_excused=True) == {rules.LEAVE, rules.ILLNESS, rules.MOBILE_AWAY}
    assert frozenset({rules.PRESENT}) == rules.TOOK_PART
    assert rules.ABSENT not in rules.ABSENT_WITH_REASON


def test_four_appraisal_grades_by_code_or_name():
    assert [rules.grade_code(x) for x in ("优秀", "合格", "基本合格", "不合格")] == [
        rules.EXCELLENT, rules.QUALIFIED, rules.BASICALLY_QUALIFIED, rules.UNQUALIFIED]  # fmt: skip
    assert rules.grade_code("qualified") == rules.QUALIFIED
    for bad in ("良好", "称职", "", "A", "excellent "[:-2]):
        assert rules.grade_code(bad) is None


# --- class hours (R5.1) -------------------------------------------------------------------------------


def test_training_crediting_example():
    # 1 day = 8, half a day = 4, study 1 per hour: 2 days + 1 half day + 3 hours = 23
    assert rules.training_class_hours(days=2, half_days=1, hours=3, hours_per_day=8, hours_per_half_day=4,
                                      per_study_hour=1) == Decimal("23.0")
    assert rules.training_class_hours(days=Decimal("0.5"), hours_per_day=6, hours_per_half_day=3,
                                      per_study_hour=1) == Decimal("3.0")
    assert rules.training_class_hours(hours=Decimal("1.5"), hours_per_day=8, hours_per_half_day=4,
                                      per_study_hour=Decimal("1.5")) == Decimal("2.3")  # 2.25 half up


def test_meeting_crediting():
    kw = dict(per_study_hour=1, use_recorded=True)
    assert rules.meeting_class_hours(counts_as_study=False, duration_hours=Decimal(2), recorded_hours=Decimal(3), **kw) == 0
    assert rules.meeting_class_hours(counts_as_study=True, duration_hours=Decimal("1.5"), recorded_hours=None, **kw) == Decimal("1.5")
    assert rules.meeting_class_hours(counts_as_study=True, duration_hours=Decimal(2), recorded_hours=Decimal(3), **kw) == 3
    assert rules.meeting_class_hours(counts_as_study=True, duration_hours=Decimal(2), recorded_hours=Decimal(3),
                                     per_study_hour=1, use_recorded=False) == 2


def test_yearly_targets():
    assert rules.yearly_class_hour_target(is_committee=False, member_target=32, committee_target=56) == 32
    assert rules.yearly_class_hour_target(is_committee=True, member_target=32, committee_target=56) == 56
    assert rules.class_hours_shortfall(Decimal(18), Decimal(32)) == 14
    assert rules.class_hours_shortfall(Decimal(40), Decimal(32)) == 0


def test_post_held_in_year():
    assert rules.post_held_in_year(D(2025, 3, 1), None, 2026)
    assert rules.post_held_in_year(D(2025, 3, 1), D(2026, 1, 1), 2026)
    assert not rules.post_held_in_year(D(2025, 3, 1), D(2025, 12, 31), 2026)
    assert not rules.post_held_in_year(D(2027, 1, 1), None, 2026)


# --- months without organizational life (R2.14) -------------------------------------------------------------


LONG_AGO = D(2020, 1, 1)


def gap(today, counting_from=LONG_AGO, last=None, excused=()):
    return rules.gap_months(today=today, counting_from=counting_from, last_took_part=last,
                            excused=[rules.month_index(d) for d in excused])


def test_gap_counts_whole_months_before_the_current_one():
    assert gap(D(2026, 8, 15), last=D(2026, 3, 10)) == 4  # April–July
    assert gap(D(2026, 8, 1), last=D(2026, 7, 31)) == 0
    assert gap(D(2026, 8, 15), last=D(2026, 8, 2)) == 0  # took part this month
    assert gap(D(2026, 1, 5), last=D(2025, 6, 30)) == 6  # July–December, across the year
    assert gap(D(2026, 8, 15), counting_from=D(2026, 6, 1)) == 2  # joined in June: June, July
    assert gap(D(2026, 8, 15), counting_from=D(2026, 8, 1)) == 0


def test_excused_months_are_skipped_not_breaking_the_run():
    # Absent without reason in April and July, on approved leave in May and June.
    assert gap(D(2026, 8, 15), last=D(2026, 3, 10), excused=[D(2026, 5, 1), D(2026, 6, 1)]) == 2
    # Excused months outside the run change nothing.
    assert gap(D(2026, 8, 15), last=D(2026, 3, 10), excused=[D(2026, 2, 1), D(2026, 8, 1)]) == 4


@given(st.dates(min_value=D(2000, 1, 1), max_value=D(2040, 12, 31)), st.integers(0, 200), st.integers(0, 200))
def test_gap_is_never_negative_and_at_most_the_months_since(today, back, joined_back):
    last = today - dt.timedelta(days=back * 15)
    joined = today - dt.timedelta(days=joined_back * 15)
    g = gap(today, counting_from=joined, last=last)
    assert 0 <= g <= max(rules.month_index(today) - rules.month_index(last) - 1, 0)


# --- uploads -----------------------------------------------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 8
PDF = b"%PDF-1.7\n" + b"\x00" * 7
EXE = b"MZ\x90\x00" + b"\x00" * 12


def office(member: str) -> tuple[bytes, list[str]]:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(member, "<x/>")
    data = buf.getvalue()
    return data[:16], zipfile.ZipFile(io.BytesIO(data)).namelist()


def check(name, head, purpose=rules.ATTACHMENT, size=1000, zip_names=None, max_mb=20):
    return rules.check_upload(name=name, size=size, head=head, zip_names=zip_names, purpose=purpose, max_mb=max_mb)


def test_allowed_files():
    assert check("合影.PNG", PNG, rules.PHOTO) is None
    assert check("记录.pdf", PDF) is None
    head, names = office("word/document.xml")
    assert check("记录.docx", head, zip_names=names) is None
    head, names = office("xl/workbook.xml")
    assert check("签到表.xlsx", head, zip_names=names) is None


def test_forbidden_files():
    assert check("tool.exe", EXE) == rules.FILE_TYPE_NOT_ALLOWED.format(
        name="tool.exe", purpose="附件", allowed="docx、gif、jpeg、jpg、pdf、png、webp、xlsx")
    assert check("记录.pdf", PDF, rules.PHOTO).startswith("“记录.pdf”的文件类型不允许：照片")
    assert check("photo.jpg", EXE) == rules.FILE_CONTENT_MISMATCH.format(name="photo.jpg", ext="jpg")
    head, names = office("xl/workbook.xml")
    assert check("伪装.docx", head, zip_names=names) == rules.FILE_CONTENT_MISMATCH.format(name="伪装.docx", ext="docx")
    assert check("big.pdf", PDF, size=2 * 1024 * 1024 + 1, max_mb=2) == rules.FILE_TOO_LARGE.format(name="big.pdf", limit=2)
    assert check("empty.pdf", PDF, size=0) == rules.FILE_EMPTY.format(name="empty.pdf")
    assert check("noext", PDF) is not None
