"""Dues reads: the branch ledger, roll-ups against hand-counted figures, the publication, a member's
year, the six-month gap and the work queue."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.http import Http404

from dangjian.dues import rules, selectors, services
from dangjian.dues.tests.conftest import TODAY, m
from dangjian.members import rules as member_rules
from dangjian.members.models import Member
from dangjian.members.services import member_add_event
from dangjian.testing import make_member

D = Decimal


@pytest.fixture
def county(branch):
    """Three branches in two townships with a quarter of dues, hand-counted in the tests below."""
    t = branch.tree
    admin = t.users["county_admin"]
    chen = make_member(t.village_a2, name="陈六", birth_date=dt.date(1975, 2, 2), date=dt.date(2020, 5, 1),
                       joined_on=dt.date(2020, 5, 1))
    services.basis_set(actor=admin, member=chen, category=rules.ENTERPRISE, base="8000", effective_from=m(2025, 1),
                       today=TODAY)  # 120.00
    services.basis_set(actor=admin, member=t.member_b1, category=rules.RETIRED, base="3000", effective_from=m(2025, 1),
                       today=TODAY)  # 15.00
    for org in (t.village_a1, t.village_a2, t.village_b1):
        for mo in (1, 2, 3):
            services.entries_generate(actor=admin, org=org, month=m(2026, mo), today=TODAY)

    def pay(org, member, mo, day):
        services.payment_record(actor=admin, org=org, member=member, months=[m(2026, mo)], paid_on=day, today=TODAY)

    for member in (branch.staff, branch.retired, branch.farmer, branch.student):
        pay(t.village_a1, member, 1, dt.date(2026, 1, 8))
    pay(t.village_a1, branch.staff, 2, dt.date(2026, 2, 8))
    pay(t.village_a1, branch.retired, 2, dt.date(2026, 2, 8))
    pay(t.village_a2, chen, 1, dt.date(2026, 1, 9))
    pay(t.village_a2, chen, 3, dt.date(2026, 3, 9))
    pay(t.village_b1, t.member_b1, 1, dt.date(2026, 1, 10))
    services.voluntary_record(actor=admin, org=t.village_a1, member=branch.staff, amount="1000", paid_on=dt.date(2026, 2, 3),
                              today=TODAY)
    services.voluntary_record(actor=admin, org=t.village_a2, member=chen, amount="200", paid_on=dt.date(2026, 3, 3),
                              today=TODAY)
    services.handup_record(actor=admin, org=t.village_a1, month=m(2026, 1), amount="90.70", handed_on=dt.date(2026, 2, 1),
                           today=TODAY)
    services.handup_record(actor=admin, org=t.town_a, month=m(2026, 2), amount="100.00", handed_on=dt.date(2026, 3, 1),
                           today=TODAY)
    services.handup_record(actor=admin, org=t.village_b1, month=m(2026, 1), amount="15.00", handed_on=dt.date(2026, 2, 1),
                           today=TODAY)
    branch.chen = chen
    return branch


def first_quarter(rolls):
    return [(r.due, r.collected, r.voluntary, r.to_centre, r.handed_up, r.received) for r in rolls[:3]]


def test_rollup_by_month_equals_hand_count(county):
    t, admin = county.tree, county.tree.users["county_admin"]
    town = selectors.rollup_months(admin, t.town_a, 2026)
    assert first_quarter(town) == [
        (D("210.70"), D("210.70"), D("0.00"), D("0.00"), D("0.00"), D("90.70")),
        (D("210.70"), D("90.00"), D("1000.00"), D("1000.00"), D("100.00"), D("0.00")),
        (D("210.70"), D("120.00"), D("200.00"), D("0.00"), D("0.00"), D("0.00")),
    ]
    assert all(r.due == 0 and r.collected == 0 for r in town[3:])
    assert town[1].arrears == D("120.70") and town[1].rate == D("42.7")
    whole = selectors.rollup_months(admin, t.county, 2026)
    assert [(r.due, r.collected, r.received) for r in whole[:3]] == [
        (D("225.70"), D("225.70"), D("0.00")), (D("225.70"), D("90.00"), D("100.00")), (D("225.70"), D("120.00"), D("0.00"))]
    year = selectors.rollup_year(admin, t.county, 2026)
    assert (year.due, year.collected, year.voluntary, year.to_centre, year.received, year.arrears) == (
        D("677.10"), D("435.70"), D("1200.00"), D("1000.00"), D("100.00"), D("241.40"))
    assert selectors.rollup_year(admin, t.county, 2025).due == 0


def test_children_ranked_by_collection_rate(county):
    t, admin = county.tree, county.tree.users["county_admin"]
    towns = selectors.rollup_children(admin, t.county, 2026)
    assert [(c.rank, c.org, c.due, c.collected, c.rate) for c in towns] == [
        (1, t.town_a, D("632.10"), D("420.70"), D("66.6")), (2, t.town_b, D("45.00"), D("15.00"), D("33.3"))]
    assert towns[0].handed_up == D("100.00")
    villages = selectors.rollup_children(admin, t.town_a, 2026)
    assert [(c.org, c.collected, c.rate, c.handed_up, c.voluntary) for c in villages] == [
        (t.village_a2, D("240.00"), D("66.7"), D("0.00"), D("200.00")),
        (t.village_a1, D("180.70"), D("66.4"), D("90.70"), D("1000.00")),
    ]
    feb = selectors.rollup_children(admin, t.town_a, 2026, month=m(2026, 2))
    assert [(c.org, c.collected) for c in feb] == [(t.village_a1, D("90.00")), (t.village_a2, D("0.00"))]


def test_rollups_stay_in_scope(county):
    with pytest.raises(Http404):
        selectors.rollup_months(county.organizer, county.tree.town_b, 2026)
    with pytest.raises(Http404):
        selectors.rollup_children(county.secretary, county.tree.town_a, 2026)


def test_branch_ledger(county):
    t = county.tree
    led = selectors.branch_ledger(county.secretary, t.village_a1, m(2026, 2), today=TODAY)
    by_name = {r.member.name: (r.due, r.paid, r.arrears, r.status) for r in led.rows}
    assert by_name == {
        "赵一": (D("40.00"), D("40.00"), D("0.00"), "paid"), "钱二": (D("50.00"), D("50.00"), D("0.00"), "paid"),
        "孙三": (D("0.50"), D("0.00"), D("0.50"), "unpaid"), "周四": (D("0.20"), D("0.00"), D("0.20"), "unpaid"),
        "李明": (None, D("0.00"), D("0.00"), "no_basis"),
    }
    assert (led.due, led.paid, led.arrears, led.generated, led.not_generated) == (
        D("90.70"), D("90.00"), D("0.70"), 4, 1)
    later = selectors.branch_ledger(county.secretary, t.village_a1, m(2026, 6), today=TODAY)
    assert later.generated == 0 and {r.due for r in later.rows if r.member.name == "赵一"} == {D("40.00")}


def test_arrears_by_member(county):
    rows = selectors.arrears_by_member(county.organizer, county.tree.town_a, today=dt.date(2026, 4, 10))
    got = [(r["member__name"], r["months"], r["amount"], r["earliest"]) for r in rows]
    assert got == [("孙三", 2, D("1.00"), m(2026, 2)), ("周四", 2, D("0.40"), m(2026, 2)), ("陈六", 1, D("120.00"), m(2026, 2)),
                   ("钱二", 1, D("50.00"), m(2026, 3)), ("赵一", 1, D("40.00"), m(2026, 3))]


def test_publication_for_members_of_the_branch(county):
    t = county.tree
    member_user = t.users["member"]  # 李明, a member of 一村
    pub = selectors.publication(member_user, t.village_a1, 2026)
    assert (pub.totals.due, pub.totals.collected, pub.totals.voluntary, pub.totals.to_centre, pub.totals.handed_up) == (
        D("272.10"), D("180.70"), D("1000.00"), D("1000.00"), D("90.70"))
    rows = {r.name: (r.due, r.paid, r.months_paid, r.months_unpaid, r.voluntary) for r in pub.rows}
    assert rows["赵一"] == (D("120.00"), D("80.00"), 2, 1, D("1000.00"))
    assert rows["孙三"] == (D("1.50"), D("0.50"), 1, 2, D("0.00"))
    with pytest.raises(Http404):
        selectors.publication(member_user, t.village_a2, 2026)
    with pytest.raises(Http404):
        selectors.publication(county.organizer, t.village_b1, 2026)


def test_member_dues_summary(county):
    s = selectors.member_dues_summary(county.secretary, county.staff, 2026, today=dt.date(2026, 4, 15))
    assert [(x.month.month, x.due, x.paid, x.status) for x in s.months[:5]] == [
        (1, D("40.00"), D("40.00"), "paid"), (2, D("40.00"), D("40.00"), "paid"), (3, D("40.00"), D("0.00"), "unpaid"),
        (4, D("40.00"), D("0.00"), "not_due"), (5, None, D("0.00"), "upcoming")]
    assert (s.due, s.paid, s.arrears, s.arrears_months, s.voluntary, s.monthly_amount) == (
        D("160.00"), D("80.00"), D("40.00"), 1, D("1000.00"), D("40.00"))
    assert s.category_label == rules.CATEGORY_LABELS[rules.CIVIL_SERVANT]
    own = selectors.member_dues_summary(county.tree.users["member"], county.tree.member_a1, 2026, today=TODAY)
    assert own.due == 0 and own.category_label == "未核定"
    with pytest.raises(Http404):
        selectors.member_dues_summary(county.tree.users["member"], county.staff, 2026, today=TODAY)
    with pytest.raises(Http404):
        selectors.member_dues_summary(county.organizer, county.tree.member_b1, 2026, today=TODAY)


def test_member_summary_probationary_year(county):
    va1 = county.tree.village_a1
    p = make_member(va1, name="吴五", birth_date=dt.date(2000, 5, 5), first_event=member_rules.ADMITTED,
                    date=dt.date(2026, 3, 20), joined_on=dt.date(2026, 3, 20), converted_on=None, today=TODAY)
    services.basis_set(actor=county.secretary, member=p, category=rules.STUDENT, effective_from=m(2026, 1), today=TODAY)
    s = selectors.member_dues_summary(county.secretary, p, 2026, today=dt.date(2026, 6, 10))
    assert [x.status for x in s.months[:7]] == ["not_owed", "not_owed", "unpaid", "unpaid", "unpaid", "not_due", "upcoming"]
    assert (s.due, s.arrears, s.arrears_months) == (D("0.80"), D("0.60"), 3)


# --- R2.14 the gap ---------------------------------------------------------------------------------------------
def test_dues_gap_months(county, django_assert_max_num_queries):
    t = county.tree
    qs = Member.objects.all()
    with django_assert_max_num_queries(3):
        gaps = selectors.dues_gap_months(county.organizer, qs, TODAY)
    # last counted month: October 2026
    assert gaps == {
        county.staff.pk: 8, county.retired.pk: 8,  # paid through February: March–October
        county.farmer.pk: 9, county.student.pk: 9,  # paid January
        t.member_a1.pk: 0,  # no category/base yet: not in the ledger (work queue: 未核定)
        county.chen.pk: 7,  # paid March
    }  # 王芳 (乙镇) is outside the township organizer's scope: left out
    assert selectors.dues_gap_months(t.users["county_admin"], qs, TODAY)[t.member_b1.pk] == 9
    assert selectors.dues_gap_months(t.users["member"], qs, TODAY) == {t.member_a1.pk: 0}


def test_dues_gap_excludes_approved_exemption_and_counts_from_arrival(county):
    d = services.hardship_decide(actor=county.secretary, member=county.farmer, kind=rules.EXEMPT_KIND,
                                 start_month=m(2026, 6), end_month=m(2026, 8), reason="重病",
                                 branch_decided_on=dt.date(2026, 5, 20), branch_meeting="支委会", today=TODAY)
    gaps = selectors.dues_gap_months(county.organizer, Member.objects.filter(pk=county.farmer.pk), TODAY)
    assert gaps == {county.farmer.pk: 9}  # pending: no reason yet
    services.hardship_review(actor=county.organizer, decision=d, approve=True, approved_on=dt.date(2026, 5, 28),
                             approval_document="甲镇党委〔2026〕9号", version=d.version, today=TODAY)
    gaps = selectors.dues_gap_months(county.organizer, Member.objects.filter(pk=county.farmer.pk), TODAY)
    assert gaps == {county.farmer.pk: 6}  # Feb–May and Sep–Oct
    # a probationary member admitted in August with a basis from January owes from August
    p = make_member(county.tree.village_a1, name="吴五", birth_date=dt.date(2000, 5, 5), first_event=member_rules.ADMITTED,
                    date=dt.date(2026, 8, 20), joined_on=dt.date(2026, 8, 20), converted_on=None, today=TODAY)
    services.basis_set(actor=county.secretary, member=p, category=rules.STUDENT, effective_from=m(2026, 1), today=TODAY)
    assert selectors.dues_gap_months(county.secretary, Member.objects.filter(pk=p.pk), TODAY) == {p.pk: 3}
    member_add_event(actor=None, member=p, kind=member_rules.DIE, date=dt.date(2026, 10, 2), today=TODAY)
    assert selectors.dues_gap_months(county.secretary, Member.objects.filter(pk=p.pk), TODAY) == {p.pk: 0}


# --- the work queue ------------------------------------------------------------------------------------------------
def kinds(items):
    return sorted((i.kind, i.title) for i in items)


def test_work_items_january_base_review(county):
    t = county.tree
    jan = selectors.work_items(county.organizer, dt.date(2027, 1, 10))
    reviews = [i for i in jan if i.kind == "dues_base_review"]
    assert [(i.org, i.severity) for i in reviews] == [(t.village_a1, "warning"), (t.village_a2, "warning")]
    assert reviews[0].url == f"/dues/orgs/{t.village_a1.pk}/review/2027/"
    feb = [i for i in selectors.work_items(county.organizer, dt.date(2027, 2, 3)) if i.kind == "dues_base_review"]
    assert {i.severity for i in feb} == {"danger"}
    rows = [services.ReviewRow(x.pk, rules.STUDENT) for x in Member.objects.filter(org=t.village_a2)]
    services.base_review_confirm(actor=county.organizer, org=t.village_a2, year=2027, rows=rows,
                                 confirmed_on=dt.date(2027, 1, 12), today=dt.date(2027, 1, 12))
    again = [i.org for i in selectors.work_items(county.organizer, dt.date(2027, 1, 13)) if i.kind == "dues_base_review"]
    assert again == [t.village_a1]


def test_work_items_arrears_unassessed_and_hardship(county):
    t = county.tree
    services.entries_generate(actor=county.secretary, org=t.village_a1, month=m(2026, 4), today=TODAY)
    items = selectors.work_items(county.organizer, dt.date(2026, 5, 10))
    arrears = [(i.member, i.title, i.severity) for i in items if i.kind == "dues_arrears"]
    assert arrears == [(county.farmer, "孙三：欠交党费3个月", "warning"), (county.student, "周四：欠交党费3个月", "warning")]
    assert "合计1.50元" in next(i.detail for i in items if i.member == county.farmer)
    # while the yearly sheet is pending, its item names the members without a category
    review = next(i for i in items if i.kind == "dues_base_review" and i.org == t.village_a1)
    assert "其中1名党员尚未核定党费类别" in review.detail
    assert not [i for i in items if i.kind == "dues_unassessed"]
    rows = [services.ReviewRow(x.pk, rules.STUDENT) for x in Member.objects.filter(org=t.village_a1)]
    services.base_review_confirm(actor=county.secretary, org=t.village_a1, year=2026, rows=rows,
                                 confirmed_on=dt.date(2026, 5, 10), today=dt.date(2026, 5, 10))
    make_member(t.village_a1, name="吴五", birth_date=dt.date(1990, 5, 5), first_event=member_rules.ADMITTED,
                date=dt.date(2026, 5, 10), joined_on=dt.date(2026, 5, 10), converted_on=None, today=dt.date(2026, 5, 10))
    items = selectors.work_items(county.organizer, dt.date(2026, 5, 11))
    unassessed = [(i.org, i.title) for i in items if i.kind == "dues_unassessed"]
    assert unassessed == [(t.village_a1, f"{t.village_a1.name}：1名党员未核定党费")]
    assert t.village_a1 not in [i.org for i in items if i.kind == "dues_base_review"]
    assert not [i for i in items if i.kind == "dues_hardship"]
    services.hardship_decide(actor=county.secretary, member=county.staff, kind=rules.EXEMPT_KIND, start_month=m(2026, 6),
                             reason="困难", branch_decided_on=dt.date(2026, 5, 20), branch_meeting="支委会", today=TODAY)
    assert [i.kind for i in selectors.work_items(county.organizer, TODAY) if i.kind == "dues_hardship"] == ["dues_hardship"]
    assert not [i for i in selectors.work_items(county.secretary, TODAY) if i.kind == "dues_hardship"]
    assert selectors.work_items(t.users["member"], TODAY) == []
    # 王芳 of 乙镇 never appears for 甲镇's organizer
    assert all(i.org is None or i.org.path.startswith(t.town_a.path) for i in selectors.work_items(county.organizer, TODAY))
