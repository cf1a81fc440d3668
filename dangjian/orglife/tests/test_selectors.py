"""Reads: the compliance calendar across quarter and year boundaries, rates and rankings against
hand-counted fixtures, class hours against 32/56, months without organizational life, a member's
year, the work queue, and scope."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from dangjian.members import rules as member_rules
from dangjian.members.models import Member
from dangjian.members.services import member_add_event
from dangjian.orglife import params, rules, selectors, services
from dangjian.orglife.tests.conftest import TODAY, new_member, record, set_param
from dangjian.testing import make_member, make_org

pytestmark = pytest.mark.django_db
D = dt.date


def statuses(cal, kind):
    return {c.start.isoformat(): c.status for c in cal.calendar[kind]}


def admin(tree):
    return tree.users["county_admin"]


# --- the calendar -----------------------------------------------------------------------------------


def test_general_meeting_on_31_march_vs_1_april(tree):
    a2_member = make_member(tree.village_a2, name="郑华")
    record(tree, tree.village_a1, rules.GENERAL_MEETING, D(2026, 3, 31), present=[tree.member_a1])
    record(tree, tree.village_a2, rules.GENERAL_MEETING, D(2026, 4, 1), present=[a2_member])
    a1 = statuses(selectors.branch_calendar(admin(tree), tree.village_a1, 2026, TODAY), rules.GENERAL_MEETING)
    a2 = statuses(selectors.branch_calendar(admin(tree), tree.village_a2, 2026, TODAY), rules.GENERAL_MEETING)
    assert a1 == {"2026-01-01": rules.DONE, "2026-04-01": rules.MISSED, "2026-07-01": rules.MISSED, "2026-10-01": rules.DUE}
    assert a2 == {"2026-01-01": rules.MISSED, "2026-04-01": rules.DONE, "2026-07-01": rules.MISSED, "2026-10-01": rules.DUE}


def test_year_boundary(tree):
    record(tree, tree.village_a1, rules.GENERAL_MEETING, D(2025, 12, 31), present=[tree.member_a1])
    record(tree, tree.village_a1, rules.REVIEW_MEETING, D(2025, 12, 31), present=[tree.member_a1])
    record(tree, tree.village_a1, rules.THEME_DAY, D(2026, 1, 1), present=[tree.member_a1])
    y2025 = selectors.branch_calendar(admin(tree), tree.village_a1, 2025, TODAY)
    y2026 = selectors.branch_calendar(admin(tree), tree.village_a1, 2026, TODAY)
    assert statuses(y2025, rules.GENERAL_MEETING)["2025-10-01"] == rules.DONE
    assert statuses(y2025, rules.REVIEW_MEETING) == {"2025-01-01": rules.DONE}
    assert statuses(y2025, rules.THEME_DAY)["2025-12-01"] == rules.MISSED
    assert statuses(y2026, rules.GENERAL_MEETING)["2026-01-01"] == rules.MISSED
    assert statuses(y2026, rules.REVIEW_MEETING) == {"2026-01-01": rules.DUE}
    assert statuses(y2026, rules.THEME_DAY)["2026-01-01"] == rules.DONE
    # On New Year's Day the old year's yearly items are judged: missed if not held.
    assert statuses(selectors.branch_calendar(admin(tree), tree.village_a1, 2025, D(2026, 1, 1)),
                    rules.APPRAISAL) == {"2025-01-01": rules.MISSED}


def test_each_frequency(tree):
    """One meeting of every kind in May 2026; today 15 November: each kind's periods and May's status."""
    make_org(tree.village_a1, "第一党小组", "party_group")
    for kind in rules.KINDS:
        record(tree, tree.village_a1, kind, D(2026, 5, 12), present=[tree.member_a1])
    cal = selectors.branch_calendar(admin(tree), tree.village_a1, 2026, TODAY)
    expected_periods = {rules.GENERAL_MEETING: 4, rules.COMMITTEE_MEETING: 12, rules.GROUP_MEETING: 12,
                        rules.PARTY_LECTURE: 4, rules.THEME_DAY: 12, rules.REVIEW_MEETING: 1, rules.APPRAISAL: 1,
                        rules.HEART_TALK: 1}  # fmt: skip
    for kind, n in expected_periods.items():
        cells = cal.calendar[kind]
        assert len(cells) == n, kind
        may = next(c for c in cells if c.start <= D(2026, 5, 12) <= c.end)
        assert may.status == rules.DONE and may.held == 1, kind
    assert statuses(cal, rules.COMMITTEE_MEETING)["2026-06-01"] == rules.MISSED
    assert statuses(cal, rules.GENERAL_MEETING)["2026-07-01"] == rules.MISSED
    assert statuses(cal, rules.THEME_DAY)["2026-11-01"] == rules.DUE
    # 2026 so far: done 8; missed: committee, group, theme 9 each (Jan–Oct minus May), general and lecture 2 each.
    assert cal.tally == rules.Tally(done=8, due=2 * 3 + 1 * 2, missed=9 * 3 + 2 * 2)


def test_committee_and_group_meetings_apply_only_where_they_exist(tree):
    a2 = selectors.branch_calendar(admin(tree), tree.village_a2, 2026, TODAY)  # no committee, no groups
    assert set(statuses(a2, rules.COMMITTEE_MEETING).values()) == {rules.NOT_APPLICABLE}
    assert set(statuses(a2, rules.GROUP_MEETING).values()) == {rules.NOT_APPLICABLE}
    g1 = make_org(tree.village_a1, "第一党小组", "party_group")
    g2 = make_org(tree.village_a1, "第二党小组", "party_group")
    record(tree, g1, rules.GROUP_MEETING, D(2026, 3, 3), present=[tree.member_a1])
    record(tree, g1, rules.GROUP_MEETING, D(2026, 3, 20), present=[tree.member_a1])  # the same group twice
    record(tree, g1, rules.GROUP_MEETING, D(2026, 4, 3), present=[tree.member_a1])
    record(tree, g2, rules.GROUP_MEETING, D(2026, 4, 9), present=[tree.member_a1])
    a1 = statuses(selectors.branch_calendar(admin(tree), tree.village_a1, 2026, TODAY), rules.GROUP_MEETING)
    assert (a1["2026-03-01"], a1["2026-04-01"], a1["2026-05-01"]) == (rules.MISSED, rules.DONE, rules.MISSED)


def test_party_lecture_frequency_setting_changed(tree):
    record(tree, tree.village_a1, rules.PARTY_LECTURE, D(2026, 2, 10), present=[tree.member_a1])
    record(tree, tree.village_a1, rules.PARTY_LECTURE, D(2026, 8, 10), present=[tree.member_a1])

    def lecture():
        return statuses(selectors.branch_calendar(admin(tree), tree.village_a1, 2026, TODAY), rules.PARTY_LECTURE)

    assert lecture() == {"2026-01-01": rules.DONE, "2026-04-01": rules.MISSED, "2026-07-01": rules.DONE,
                         "2026-10-01": rules.DUE}  # quarterly by default
    set_param(params.LECTURE_PERIOD, 6)
    assert lecture() == {"2026-01-01": rules.DONE, "2026-07-01": rules.DONE}
    set_param(params.LECTURE_PERIOD, 1)
    assert list(lecture().values()).count(rules.MISSED) == 8  # Jan–Oct, minus February and August
    set_param(params.LECTURE_PERIOD, 12)
    assert lecture() == {"2026-01-01": rules.DONE}


def test_records_start_setting_and_a_branch_established_mid_year(tree):
    set_param(params.RECORDS_START, 202607)
    cal = selectors.branch_calendar(admin(tree), tree.village_a1, 2026, TODAY)
    assert statuses(cal, rules.THEME_DAY)["2026-06-01"] == rules.NOT_APPLICABLE
    assert statuses(cal, rules.THEME_DAY)["2026-07-01"] == rules.MISSED
    set_param(params.RECORDS_START, 0)
    young = make_org(tree.town_a, "中共甲镇新村支部委员会", "branch", established_on=D(2026, 9, 10))
    cal = selectors.branch_calendar(admin(tree), young, 2026, TODAY)
    assert statuses(cal, rules.THEME_DAY)["2026-09-01"] == rules.NOT_APPLICABLE
    assert statuses(cal, rules.THEME_DAY)["2026-10-01"] == rules.MISSED
    assert selectors.branch_calendar(admin(tree), young, 2025, TODAY).rate is None


# --- rates and rankings, hand-counted ---------------------------------------------------------------------
#
# Today 15 July 2026: Q1, Q2 and January–June are over; the yearly kinds are still due.
# 一村 (committee of 3): general 2, committee 6, lecture 2, theme day 6 → 16 judged.
# 二村 and 乙镇一村 (no committee): general 2, lecture 2, theme day 6 → 10 judged each.
#   一村: everything held                                  → 16/16 = 100.0 green
#   二村: general Q1; theme day Jan–Mar                     →  4/10 =  40.0 red
#   乙镇一村: general Q1 Q2; lecture Q1; theme day Jan–May  →  8/10 =  80.0 amber
#   甲镇: 20/26 = 76.9 amber; 乙镇: 8/10 = 80.0 amber; county: 28/36 = 77.8 amber.

JULY = D(2026, 7, 15)


@pytest.fixture
def season(tree):
    a2 = make_member(tree.village_a2, name="郑华")
    a1, b1 = tree.member_a1, tree.member_b1

    def held(org, kind, months, who):
        for m in months:
            record(tree, org, kind, D(2026, m, 10), present=[who], today=JULY)

    held(tree.village_a1, rules.GENERAL_MEETING, [2, 5], a1)
    held(tree.village_a1, rules.COMMITTEE_MEETING, range(1, 7), a1)
    held(tree.village_a1, rules.PARTY_LECTURE, [3, 6], a1)
    held(tree.village_a1, rules.THEME_DAY, range(1, 7), a1)
    held(tree.village_a2, rules.GENERAL_MEETING, [1], a2)
    held(tree.village_a2, rules.THEME_DAY, [1, 2, 3], a2)
    held(tree.village_b1, rules.GENERAL_MEETING, [3, 4], b1)
    held(tree.village_b1, rules.PARTY_LECTURE, [1], b1)
    held(tree.village_b1, rules.THEME_DAY, range(1, 6), b1)
    # A meeting of the year before counts for that year only.
    record(tree, tree.village_a2, rules.THEME_DAY, D(2025, 4, 1), present=[a2], today=JULY)
    return tree


def test_compliance_rates_against_the_hand_count(season):
    tree = season
    rows = {r.org.pk: r for r in selectors.compliance_rows(admin(tree), tree.county, 2026, JULY)}
    got = {pk: (r.tally.done, r.tally.missed, r.rate, r.band) for pk, r in rows.items()}
    assert got == {
        tree.village_a1.pk: (16, 0, Decimal("100.0"), rules.GREEN),
        tree.village_a2.pk: (4, 6, Decimal("40.0"), rules.RED),
        tree.village_b1.pk: (8, 2, Decimal("80.0"), rules.AMBER),
    }
    # A period not over yet counts once it is done: held early, it is not "due" any more.
    record(tree, tree.village_a2, rules.THEME_DAY, D(2026, 7, 3), present=[Member.objects.get(name="郑华")], today=JULY)
    a2 = selectors.branch_calendar(admin(tree), tree.village_a2, 2026, JULY)
    assert (a2.tally.done, a2.tally.missed, a2.rate) == (5, 6, Decimal("45.5"))


def test_township_ranking_against_the_hand_count(season):
    tree = season
    r = selectors.compliance_ranking(admin(tree), tree.county, 2026, JULY)
    assert (r.total.tally.done, r.total.tally.missed, r.total.rate, r.total.band) == (28, 8, Decimal("77.8"), rules.AMBER)
    assert (r.total.green, r.total.amber, r.total.red) == (1, 1, 1)
    assert [(g.org.pk, g.rank, g.rate, g.band, g.branches, g.red) for g in r.groups] == [
        (tree.town_b.pk, 1, Decimal("80.0"), rules.AMBER, 1, 0),
        (tree.town_a.pk, 2, Decimal("76.9"), rules.AMBER, 2, 1),
    ]
    assert [(b.org.pk, b.rank) for b in r.branches] == [
        (tree.village_a1.pk, 1), (tree.village_b1.pk, 2), (tree.village_a2.pk, 3)]
    # Thresholds are settings.
    set_param(params.AMBER_MIN, 77)
    r = selectors.compliance_ranking(admin(tree), tree.county, 2026, JULY)
    assert [g.band for g in r.groups] == [rules.AMBER, rules.RED]


def test_township_organizer_ranks_their_own_villages(season):
    tree = season
    organizer = tree.users["township_organizer"]
    r = selectors.compliance_ranking(organizer, tree.town_a, 2026, JULY)
    assert [(g.org.pk, g.rank) for g in r.groups] == [(tree.village_a1.pk, 1), (tree.village_a2.pk, 2)]
    assert r.total.rate == Decimal("76.9")
    with pytest.raises(Http404):
        selectors.compliance_ranking(organizer, tree.county, 2026, JULY)
    with pytest.raises(Http404):
        selectors.branch_calendar(organizer, tree.village_b1, 2026, JULY)


def test_compliance_is_counted_in_sql_not_per_meeting(season):
    tree = season

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            selectors.compliance_ranking(admin(tree), tree.county, 2026, JULY)
        return len(ctx.captured_queries)

    before = queries()
    for m in range(1, 7):
        record(tree, tree.village_a2, rules.COMMITTEE_MEETING, D(2026, m, 20), present=[Member.objects.get(name="郑华")],
               today=JULY)
    assert queries() == before


# --- class hours ------------------------------------------------------------------------------------------------


def test_class_hours_and_targets(tree):
    a1 = tree.member_a1
    second = make_member(tree.village_a1, name="赵强")
    organizer = tree.users["township_organizer"]
    services.training_record(actor=organizer, org=tree.town_a, title="冬训", date=D(2026, 1, 10), days=2,
                             attendees=[a1, second], today=TODAY)  # 16
    record(tree, tree.village_a1, rules.PARTY_LECTURE, D(2026, 3, 1), present=[a1], absent={second: rules.LEAVE},
           counts_as_study=True, duration_hours=Decimal(2))  # a1 +2
    record(tree, tree.village_a1, rules.THEME_DAY, D(2026, 4, 1), present=[a1, second])  # not study
    services.training_record(actor=organizer, org=tree.town_a, title="去年的培训", date=D(2025, 12, 20), days=1,
                             attendees=[a1], today=TODAY)  # another year
    h = selectors.member_class_hours(admin(tree), a1, 2026)
    assert (h.meeting_hours, h.training_hours, h.total, h.target, h.shortfall) == (2, 16, 18, 32, 14)
    assert not h.is_committee
    services.committee_post_add(actor=admin(tree), org=tree.village_a1, member=second, post=rules.POST_MEMBER,
                                started_on=D(2021, 1, 5), today=TODAY)
    rows = {m.pk: (m.hours, m.target, m.is_committee) for m in selectors.class_hours_members(admin(tree), tree.county, 2026)}
    assert rows[a1.pk] == (18, 32, False)
    assert rows[second.pk] == (16, 56, True)
    assert rows[tree.member_b1.pk] == (0, 32, False)
    # A post that ended before the year does not count for it; one that ended during it does.
    post = services.committee_post_add(actor=admin(tree), org=tree.village_a1, member=a1, post=rules.POST_SECRETARY,
                                       started_on=D(2020, 1, 5), today=TODAY)
    services.committee_post_end(actor=admin(tree), post=post, ended_on=D(2025, 12, 31), today=TODAY)
    assert selectors.member_class_hours(admin(tree), a1, 2026).target == 32
    assert selectors.member_class_hours(admin(tree), a1, 2025).target == 56
    assert selectors.member_class_hours(admin(tree), a1, 2025).total == 8


def test_who_is_short_by_branch_and_township(tree):
    a1 = tree.member_a1
    a2 = make_member(tree.village_a2, name="郑华")
    services.training_record(actor=admin(tree), org=tree.county, title="全县党员轮训", date=D(2026, 3, 1), days=4,
                             attendees=[a1, a2, tree.member_b1], today=TODAY)  # 32 each
    sec = make_member(tree.village_a1, name="赵强")
    services.committee_post_add(actor=admin(tree), org=tree.village_a1, member=sec, post=rules.POST_SECRETARY,
                                started_on=D(2026, 1, 1), today=TODAY)
    services.training_record(actor=admin(tree), org=tree.county, title="书记培训", date=D(2026, 4, 1), days=5,
                             attendees=[sec], today=TODAY)  # 40 < 56
    r = selectors.class_hours_rollup(admin(tree), tree.county, 2026)
    assert (r.total.members, r.total.short, r.total.committee, r.total.hours) == (4, 1, 1, Decimal(136))
    assert [(g.org.pk, g.members, g.short) for g in r.groups] == [(tree.town_a.pk, 3, 1), (tree.town_b.pk, 1, 0)]
    assert {(b.org.pk, b.members, b.short) for b in r.branches} == {
        (tree.village_a1.pk, 2, 1), (tree.village_a2.pk, 1, 0), (tree.village_b1.pk, 1, 0)}
    short = list(selectors.class_hours_members(admin(tree), tree.county, 2026, short_only=True))
    assert [(m.name, m.shortfall) for m in short] == [("赵强", 16)]
    set_param(params.COMMITTEE_TARGET, 40)
    assert selectors.class_hours_rollup(admin(tree), tree.county, 2026).total.short == 0
    set_param(params.MEMBER_TARGET, 33)
    assert selectors.class_hours_rollup(admin(tree), tree.county, 2026).total.short == 3


# --- months without organizational life (R2.14) ------------------------------------------------------------

AUG = D(2026, 8, 15)


def gaps(tree, actor=None, today=AUG):
    return selectors.orglife_gap_months(actor or admin(tree), Member.objects.all(), today)


def test_gap_without_approved_reasons(tree):
    a1 = tree.member_a1
    other = make_member(tree.village_a1, name="赵强")
    record(tree, tree.village_a1, rules.THEME_DAY, D(2026, 3, 10), present=[a1, other], today=AUG)
    record(tree, tree.village_a1, rules.THEME_DAY, D(2026, 4, 10), present=[other], absent={a1: rules.ABSENT}, today=AUG)
    record(tree, tree.village_a1, rules.THEME_DAY, D(2026, 8, 3), present=[other], absent={a1: rules.ABSENT}, today=AUG)
    g = gaps(tree)
    assert g[a1.pk] == 4  # April–July
    assert g[other.pk] == 0  # took part this month
    details = selectors.orglife_gap_details(admin(tree), Member.objects.filter(pk=a1.pk), AUG)[a1.pk]
    assert details.last_took_part == D(2026, 3, 10) and details.excused_months == ()


def test_gap_with_approved_reasons(tree):
    a1 = tree.member_a1
    other = make_member(tree.village_a1, name="赵强")
    record(tree, tree.village_a1, rules.THEME_DAY, D(2026, 3, 10), present=[a1, other], today=AUG)
    record(tree, tree.village_a1, rules.THEME_DAY, D(2026, 5, 10), present=[other], absent={a1: rules.LEAVE}, today=AUG)
    record(tree, tree.village_a1, rules.THEME_DAY, D(2026, 6, 10), present=[other], absent={a1: rules.ILLNESS}, today=AUG)
    # July: leave at one meeting, absent without reason at another → the month counts.
    record(tree, tree.village_a1, rules.THEME_DAY, D(2026, 7, 3), present=[other], absent={a1: rules.LEAVE}, today=AUG)
    record(tree, tree.village_a1, rules.COMMITTEE_MEETING, D(2026, 7, 20), present=[other], absent={a1: rules.ABSENT},
           today=AUG)
    assert gaps(tree)[a1.pk] == 2  # April and July; May and June excused
    details = selectors.orglife_gap_details(admin(tree), Member.objects.filter(pk=a1.pk), AUG)[a1.pk]
    assert details.excused_months == (D(2026, 5, 1), D(2026, 6, 1))
    # A leave before the last time they took part changes nothing.
    record(tree, tree.village_a1, rules.COMMITTEE_MEETING, D(2026, 2, 20), present=[other], absent={a1: rules.LEAVE},
           today=AUG)
    assert gaps(tree)[a1.pk] == 2


def test_gap_of_a_mobile_member_attending_elsewhere(tree):
    set_param(params.RECORDS_START, 202601)
    mobile = tree.member_b1
    member_add_event(actor=None, member=mobile, kind=member_rules.WENT_MOBILE, date=D(2026, 1, 15))
    mobile.refresh_from_db()
    host = tree.member_a1
    home_colleague = make_member(tree.village_b1, name="冯刚")
    # The home branch records them away every month; they took part at 甲镇一村 in June.
    for month in range(2, 8):
        record(tree, tree.village_b1, rules.THEME_DAY, D(2026, month, 5), present=[home_colleague],
               absent={mobile: rules.MOBILE_AWAY}, today=AUG)
    record(tree, tree.village_a1, rules.THEME_DAY, D(2026, 6, 18), present=[host, mobile], today=AUG)
    assert gaps(tree)[mobile.pk] == 1  # July only: June counts for them at the host
    # Without the guest attendance, "away" alone is not an approved reason by default...
    from dangjian.orglife.models import Attendance

    Attendance.objects.filter(member=mobile, is_guest=True).delete()
    assert gaps(tree)[mobile.pk] == 7  # January–July
    # ...unless the county decides it is.
    set_param(params.MOBILE_AWAY_EXCUSED, True)
    assert gaps(tree)[mobile.pk] == 1  # January (went mobile on the 15th, no meeting that month)


def test_gap_does_not_count_months_before_joining(tree):
    newcomer = new_member(tree.village_a1, "周新", D(2026, 6, 3))
    g = gaps(tree)
    assert g[newcomer.pk] == 2  # June, July
    # Transferred in: months spent elsewhere are not this platform's to count.
    moved = make_member(tree.village_a2, name="钱进", first_event="transfer_in", date=D(2026, 7, 20),
                        joined_on=D(2001, 7, 1), converted_on=D(2002, 7, 1))
    assert gaps(tree)[moved.pk] == 1
    set_param(params.RECORDS_START, 202605)
    assert gaps(tree)[tree.member_b1.pk] == 3  # May, June, July


def test_gap_is_scoped_and_two_queries(tree):
    organizer = tree.users["township_organizer"]
    assert set(gaps(tree, organizer)) == {tree.member_a1.pk}
    for i in range(5):
        make_member(tree.village_a1, name=f"党员{i}")
    with CaptureQueriesContext(connection) as ctx:
        result = selectors.orglife_gap_months(organizer, Member.objects.all(), AUG)
    assert len(result) == 6
    # Two queries for the members and their absences, plus the settings read (records start, reasons).
    assert len(ctx.captured_queries) <= 5


# --- a member's year ----------------------------------------------------------------------------------------


def test_member_orglife_summary(tree):
    a1 = tree.member_a1
    mobile = tree.member_b1
    member_add_event(actor=None, member=mobile, kind=member_rules.WENT_MOBILE, date=D(2026, 1, 15))
    record(tree, tree.village_a1, rules.THEME_DAY, D(2026, 2, 5), present=[a1, mobile])
    record(tree, tree.village_a1, rules.PARTY_LECTURE, D(2026, 3, 5), present=[a1], counts_as_study=True,
           duration_hours=Decimal(3))
    record(tree, tree.village_a1, rules.THEME_DAY, D(2026, 4, 5), present=[mobile], absent={a1: rules.LEAVE})
    services.meeting_record(actor=admin(tree), org=tree.village_a1,
                            fields=services.MeetingFields(kind=rules.APPRAISAL, date=D(2026, 5, 5), topic="民主评议"),
                            attendance=[services.AttendanceIn(a1, rules.PRESENT, grade="合格")], today=TODAY)
    record(tree, tree.village_a1, rules.THEME_DAY, D(2025, 6, 5), present=[a1])  # another year
    me = tree.users["member"]  # 李明 himself
    s = selectors.member_orglife_summary(me, a1, 2026)
    assert (s.took_part, s.absent_with_reason, s.absent_without_reason) == (3, 1, 0)
    assert s.grade_label == "合格" and s.class_hours.total == 3 and s.class_hours.target == 32
    assert [a.date for a in s.attendance] == [D(2026, 2, 5), D(2026, 3, 5), D(2026, 4, 5), D(2026, 5, 5)]
    # The mobile member's summary includes the meetings they attended as a guest elsewhere.
    guest = selectors.member_orglife_summary(admin(tree), mobile, 2026)
    assert guest.took_part == 2 and all(a.is_guest for a in guest.attendance)
    with pytest.raises(Http404):
        selectors.member_orglife_summary(me, mobile, 2026)
    with pytest.raises(Http404):
        selectors.member_orglife_summary(tree.users["township_organizer"], mobile, 2026)


# --- work queue ---------------------------------------------------------------------------------------------


def test_work_items(tree):
    today = D(2026, 11, 25)
    a2 = make_member(tree.village_a2, name="郑华")
    for m in range(1, 12):
        record(tree, tree.village_a1, rules.THEME_DAY, D(2026, m, 3), present=[tree.member_a1], today=today)
        record(tree, tree.village_a1, rules.COMMITTEE_MEETING, D(2026, m, 3), present=[tree.member_a1], today=today)
    for q in (1, 4, 7, 10):
        record(tree, tree.village_a1, rules.GENERAL_MEETING, D(2026, q, 4), present=[tree.member_a1], today=today)
        record(tree, tree.village_a1, rules.PARTY_LECTURE, D(2026, q, 4), present=[tree.member_a1], today=today)
        record(tree, tree.village_a2, rules.GENERAL_MEETING, D(2026, q, 4), present=[a2], today=today)
    items = selectors.work_items(tree.users["township_organizer"], today)
    by = {(i.kind, i.org.pk) for i in items}
    # 一村 held everything due this month; 二村 has no theme day in November yet and is red (no theme days
    # nor lectures all year); both have members short of class hours in Q4.
    assert (("orglife_due", tree.village_a2.pk) in by) and (("orglife_due", tree.village_a1.pk) not in by)
    assert ("orglife_red", tree.village_a2.pk) in by and ("orglife_red", tree.village_a1.pk) not in by
    assert {("class_hours_short", tree.village_a1.pk), ("class_hours_short", tree.village_a2.pk)} <= by
    assert not any(i.org.pk == tree.village_b1.pk for i in items)  # another township
    due = next(i for i in items if i.kind == "orglife_due")
    assert due.due == D(2026, 11, 30) and "主题党日（11月）" in due.detail and due.severity == "warning"
    assert due.url == f"/orglife/orgs/{tree.village_a2.pk}/calendar/?year=2026"
    # Before Q4 there is no class-hours item; a member-role user has none at all.
    june = selectors.work_items(tree.users["township_organizer"], D(2026, 6, 20))
    assert june and not any(i.kind == "class_hours_short" for i in june)
    assert selectors.work_items(tree.users["member"], today) == []


def test_mobile_member_lookup_by_id_number(tree):
    from dangjian.common import crypto

    mobile = tree.member_b1
    number = crypto.decrypt(mobile.id_number_enc)
    sec = tree.users["branch_secretary"]  # 甲镇一村: 乙镇 is outside their scope
    assert selectors.mobile_member_by_id_number(sec, number, D(2026, 3, 1)) is None  # not mobile
    member_add_event(actor=None, member=mobile, kind=member_rules.WENT_MOBILE, date=D(2026, 1, 15))
    assert selectors.mobile_member_by_id_number(sec, number, D(2026, 3, 1)) == mobile
    assert selectors.mobile_member_by_id_number(sec, number, D(2026, 1, 1)) is None  # not yet mobile then
    assert selectors.mobile_member_by_id_number(tree.users["inspector"], number, D(2026, 3, 1)) is None
    assert selectors.mobile_member_by_id_number(sec, number[:-1], D(2026, 3, 1)) is None
