"""Dues writes: each refuses bad input with its Chinese message and writes nothing (rows and audit
events compared), and writes its audit event when it succeeds."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from dangjian.common.errors import NotPermitted, ServiceError
from dangjian.common.models import AuditEvent
from dangjian.common.services import setting_update
from dangjian.dues import parameters, queries, rules, services
from dangjian.dues.models import BaseReview, DuesBasis, DuesEntry, HandUp, HardshipDecision
from dangjian.dues.tests.conftest import TODAY, assert_rejected, m, row_counts
from dangjian.members import rules as member_rules
from dangjian.members.services import member_add_event
from dangjian.testing import make_member

D = Decimal


def gen(branch, month, today=TODAY):
    return services.entries_generate(actor=branch.secretary, org=branch.tree.village_a1, month=month, today=today)


def pay(branch, member, months, paid_on, **kw):
    kw.setdefault("today", TODAY)
    return services.payment_record(actor=branch.secretary, org=branch.tree.village_a1, member=member,
                                   months=months, paid_on=paid_on, **kw)


def entry(member, month):
    return DuesEntry.objects.get(member=member, month=month)


# --- category and base ---------------------------------------------------------------------------------
def test_basis_set_is_history_and_audited(branch):
    sec, staff = branch.secretary, branch.staff
    before = AuditEvent.objects.filter(action="dues.basis_set").count()
    services.basis_set(actor=sec, member=staff, category=rules.CIVIL_SERVANT, base="6000", effective_from=dt.date(2026, 7, 20),
                       document="2026年调资", today=TODAY)
    records = list(DuesBasis.objects.filter(member=staff).order_by("effective_from"))
    assert [(b.effective_from, b.base) for b in records] == [(m(2024, 1), D("4000.00")), (m(2026, 7), D("6000.00"))]
    assert records[-1].recorded_by == sec and records[-1].document == "2026年调资"
    assert AuditEvent.objects.filter(action="dues.basis_set").count() == before + 1


@pytest.mark.parametrize(
    ("category", "base", "fixed", "message", "field"),
    [
        (rules.CIVIL_SERVANT, "-100", None, rules.BASE_NEGATIVE, "base"),
        (rules.CIVIL_SERVANT, "1000000.01", None, rules.BASE_ABSURD.format(base=D("1000000.01"), limit=rules.MAX_BASE), "base"),
        (rules.RETIRED, "", None, rules.BASE_REQUIRED.format(category=rules.CATEGORY_LABELS[rules.RETIRED]), "base"),
        (rules.FARMER, None, "1.20", rules.FARMER_RANGE.format(amount=D("1.20")), "fixed_amount"),
        (rules.FARMER, None, "0.10", rules.FARMER_RANGE.format(amount=D("0.10")), "fixed_amount"),
        (rules.STUDENT, None, "0.50", services.FIXED_NOT_USED.format(category=rules.CATEGORY_LABELS[rules.STUDENT]), "fixed_amount"),
        (rules.EXEMPT, None, None, rules.HARDSHIP_NEEDS_APPROVAL, "category"),
        (rules.HARDSHIP_REDUCED, None, "1.00", rules.HARDSHIP_NEEDS_APPROVAL, "category"),
        ("astronaut", "100", None, rules.CATEGORY_UNKNOWN.format(category="astronaut"), "category"),
    ],
)
def test_basis_set_rejects_bad_input(branch, category, base, fixed, message, field):
    assert_rejected(lambda: services.basis_set(actor=branch.secretary, member=branch.staff, category=category, base=base,
                                        fixed_amount=fixed, effective_from=m(2026, 1), today=TODAY), message, field=field)


def test_farmer_individual_amount_within_range(branch):
    services.basis_set(actor=branch.secretary, member=branch.farmer, category=rules.FARMER, fixed_amount="0.80",
                       effective_from=m(2026, 1), today=TODAY)
    gen(branch, m(2026, 2))
    assert entry(branch.farmer, m(2026, 2)).due_amount == D("0.80")


def test_farmer_county_amount_is_a_setting_validated_0_2_to_1(branch):
    admin = branch.tree.users["county_admin"]
    gen(branch, m(2026, 1))
    assert entry(branch.farmer, m(2026, 1)).due_amount == D("0.50")  # the registered default
    with pytest.raises(ServiceError):
        setting_update(actor=admin, key=parameters.FARMER_AMOUNT, value=1.5)
    with pytest.raises(ServiceError):
        setting_update(actor=admin, key=parameters.FARMER_AMOUNT, value=0.1)
    setting_update(actor=admin, key=parameters.FARMER_AMOUNT, value=0.3)
    gen(branch, m(2026, 2))
    assert entry(branch.farmer, m(2026, 2)).due_amount == D("0.30")
    assert entry(branch.farmer, m(2026, 1)).due_amount == D("0.50")  # rows already made keep their amount


def test_basis_set_outside_scope_or_read_only(branch):
    inspector = branch.tree.users["inspector"]
    with pytest.raises(NotPermitted):
        services.basis_set(actor=inspector, member=branch.staff, category=rules.STUDENT, effective_from=m(2026, 1))
    with pytest.raises(NotPermitted):
        services.basis_set(actor=branch.organizer, member=branch.tree.member_b1, category=rules.STUDENT,
                           effective_from=m(2026, 1))


# --- a base change mid-year (第十条) ----------------------------------------------------------------------
def test_base_change_mid_year_applies_from_its_month(branch):
    for mo in range(1, 7):
        gen(branch, m(2026, mo))
    pay(branch, branch.staff, [m(2026, 1), m(2026, 2)], dt.date(2026, 2, 10))
    pay(branch, branch.staff, [m(2026, 5)], dt.date(2026, 5, 10))
    result = services.basis_set(actor=branch.secretary, member=branch.staff, category=rules.CIVIL_SERVANT, base="6000.00",
                                effective_from=m(2026, 4), today=TODAY)
    dues = {e.month.month: e.due_amount for e in DuesEntry.objects.filter(member=branch.staff, month__year=2026)}
    assert dues == {1: D("40.00"), 2: D("40.00"), 3: D("40.00"), 4: D("90.00"), 5: D("40.00"), 6: D("90.00")}
    # May was already paid at the old base: kept, and said so.
    assert result.warnings == [services.PAID_NOT_ADJUSTED.format(name="赵一", months="2026年5月")]
    gen(branch, m(2026, 7))
    assert entry(branch.staff, m(2026, 7)).due_amount == D("90.00")
    assert entry(branch.staff, m(2026, 7)).base == D("6000.00")


# --- generating the month ---------------------------------------------------------------------------------
def test_generate_is_idempotent_and_names_members_without_basis(branch):
    first = gen(branch, m(2026, 3))
    assert first.value.created == 4 and first.value.without_basis == ["李明"]
    assert first.warnings == [services.NO_BASIS.format(name="李明", month="2026年3月")]
    dues = {e.member.name: e.due_amount for e in DuesEntry.objects.filter(month=m(2026, 3)).select_related("member")}
    assert dues == {"赵一": D("40.00"), "钱二": D("50.00"), "孙三": D("0.50"), "周四": D("0.20")}
    counts = row_counts()
    second = gen(branch, m(2026, 3))
    assert (second.value.created, second.value.refreshed, second.value.unchanged) == (0, 0, 4)
    counts["AuditEvent"] += 1  # the second run is audited too; nothing else changes
    assert row_counts() == counts


def test_generate_refuses_future_months_and_non_branches(branch):
    assert_rejected(lambda: gen(branch, m(2026, 12)), services.MONTH_IN_FUTURE.format(month="2026年12月"))
    town = branch.tree.town_a
    assert_rejected(lambda: services.entries_generate(actor=branch.organizer, org=town, month=m(2026, 3), today=TODAY),
             services.NOT_A_BRANCH.format(name=town.name))
    with pytest.raises(NotPermitted):
        services.entries_generate(actor=branch.secretary, org=branch.tree.village_b1, month=m(2026, 3), today=TODAY)


def test_probationary_member_owes_from_the_month_of_the_branch_meeting(branch):
    va1 = branch.tree.village_a1
    p = make_member(va1, name="吴五", birth_date=dt.date(2000, 5, 5), first_event=member_rules.ADMITTED,
                    date=dt.date(2026, 3, 20), joined_on=dt.date(2026, 3, 20), converted_on=None, today=TODAY)
    assert p.status == member_rules.PROBATIONARY and p.joined_on == dt.date(2026, 3, 20)
    services.basis_set(actor=branch.secretary, member=p, category=rules.STUDENT, effective_from=m(2026, 1), today=TODAY)
    gen(branch, m(2026, 2))
    gen(branch, m(2026, 3))
    assert not DuesEntry.objects.filter(member=p, month=m(2026, 2)).exists()
    assert entry(p, m(2026, 3)).due_amount == D("0.20")
    assert_rejected(lambda: pay(branch, p, [m(2026, 2)], dt.date(2026, 3, 25)),
             services.MONTH_BEFORE_JOINED.format(name="吴五", month="2026年2月", joined="2026-03-20"))
    pay(branch, p, [m(2026, 3)], dt.date(2026, 3, 25))
    assert entry(p, m(2026, 3)).paid_amount == D("0.20")


# --- payments ----------------------------------------------------------------------------------------------
def test_payment_single_month_is_recorded_and_audited(branch):
    gen(branch, m(2026, 10))
    audits = AuditEvent.objects.filter(action="dues.payment").count()
    result = pay(branch, branch.staff, [m(2026, 10)], dt.date(2026, 10, 8), method=rules.TRANSFER, receipt_number="R-001")
    e = entry(branch.staff, m(2026, 10))
    assert (e.paid_amount, e.paid_on, e.method, e.receipt_number, e.recorded_by) == (
        D("40.00"), dt.date(2026, 10, 8), rules.TRANSFER, "R-001", branch.secretary)
    assert result.warnings == []
    assert AuditEvent.objects.filter(action="dues.payment").count() == audits + 1


def test_payment_creates_missing_rows_for_a_quarter_with_consent(branch):
    assert_rejected(lambda: pay(branch, branch.retired, [m(2026, 7), m(2026, 8), m(2026, 9)], dt.date(2026, 7, 3),
                         method=rules.QUARTERLY),
             rules.CONSENT_REQUIRED.format(method=rules.METHOD_LABELS[rules.QUARTERLY]))
    pay(branch, branch.retired, [m(2026, 7), m(2026, 8), m(2026, 9)], dt.date(2026, 7, 3), method=rules.QUARTERLY,
        consent_note="2026年6月30日支委会同意按季交纳")
    rows = DuesEntry.objects.filter(member=branch.retired).order_by("month")
    assert [(e.month.month, e.due_amount, e.paid_amount) for e in rows] == [
        (7, D("50.00"), D("50.00")), (8, D("50.00"), D("50.00")), (9, D("50.00"), D("50.00"))]


def test_payment_on_behalf_needs_payer_and_consent(branch):
    assert_rejected(lambda: pay(branch, branch.farmer, [m(2026, 10)], dt.date(2026, 10, 8), method=rules.BY_RELATIVE,
                         consent_note="支委会同意"), rules.PAYER_REQUIRED, field="payer_name")
    pay(branch, branch.farmer, [m(2026, 10)], dt.date(2026, 10, 8), method=rules.BY_RELATIVE, consent_note="支委会同意",
        payer_name="孙妻")
    assert entry(branch.farmer, m(2026, 10)).payer_name == "孙妻"


def test_back_payment_beyond_six_months_is_a_warning_not_a_block(branch):
    result = pay(branch, branch.staff, [m(2026, 3), m(2026, 4), m(2026, 5)], dt.date(2026, 11, 10))
    assert result.warnings == [f"赵一：{rules.BACK_PAYMENT_BEYOND.format(month='2026年3月', limit=6)}",
                               f"赵一：{rules.BACK_PAYMENT_BEYOND.format(month='2026年4月', limit=6)}"]
    assert DuesEntry.objects.filter(member=branch.staff, paid_on=dt.date(2026, 11, 10)).count() == 3


def test_advance_payment_beyond_six_months_is_a_warning(branch):
    result = pay(branch, branch.student, [m(2027, 5), m(2027, 6)], dt.date(2026, 11, 10))
    assert result.warnings == [f"周四：{rules.ADVANCE_BEYOND.format(month='2027年6月', months=7, limit=6)}"]
    assert DuesEntry.objects.filter(member=branch.student, month__year=2027).count() == 2


def test_payment_rejections_write_nothing(branch):
    gen(branch, m(2026, 10))
    pay(branch, branch.staff, [m(2026, 10)], dt.date(2026, 10, 8))
    assert_rejected(lambda: pay(branch, branch.staff, [m(2026, 10)], dt.date(2026, 10, 9)),
             services.ALREADY_PAID.format(name="赵一", month="2026年10月", date=dt.date(2026, 10, 8)))
    assert_rejected(lambda: pay(branch, branch.retired, [m(2026, 10)], dt.date(2026, 10, 9), amount="50.01"),
             services.AMOUNT_OVER_DUE.format(name="钱二", month="2026年10月", amount=D("50.01"), due=D("50.00")))
    assert_rejected(lambda: pay(branch, branch.retired, [m(2026, 10)], dt.date(2026, 10, 9), amount="-1"), rules.AMOUNT_NEGATIVE)
    assert_rejected(lambda: pay(branch, branch.retired, [m(2026, 10), m(2026, 11)], dt.date(2026, 10, 9), amount="50"),
             services.AMOUNT_ONE_MONTH)
    assert_rejected(lambda: pay(branch, branch.retired, [m(2026, 10)], dt.date(2026, 11, 16)),
             services.PAID_ON_FUTURE.format(today=TODAY))
    assert_rejected(lambda: pay(branch, branch.tree.member_a1, [m(2026, 10)], dt.date(2026, 10, 9)),
             services.NO_BASIS.format(name="李明", month="2026年10月"))
    assert_rejected(lambda: pay(branch, branch.retired, [], dt.date(2026, 10, 9)), services.MONTHS_REQUIRED)
    assert_rejected(lambda: pay(branch, branch.retired, [m(2008, 1)], dt.date(2026, 10, 9)),
             rules.NO_RULES_BEFORE.format(month="2008年1月"))


def test_payment_for_a_member_not_in_that_branch(branch):
    b1 = branch.tree.member_b1
    services.basis_set(actor=branch.tree.users["county_admin"], member=b1, category=rules.STUDENT,
                       effective_from=m(2026, 1), today=TODAY)
    assert_rejected(lambda: pay(branch, b1, [m(2026, 10)], dt.date(2026, 10, 9)),
             services.MEMBER_NOT_IN_BRANCH.format(name="王芳", month="2026年10月", org=branch.tree.village_a1.name))


def test_payment_for_months_after_the_member_left(branch):
    member_add_event(actor=None, member=branch.retired, kind=member_rules.DIE, date=dt.date(2026, 5, 10), today=TODAY)
    branch.retired.refresh_from_db()
    pay(branch, branch.retired, [m(2026, 4)], dt.date(2026, 4, 9))
    assert_rejected(lambda: pay(branch, branch.retired, [m(2026, 5), m(2026, 6)], dt.date(2026, 5, 9)),
             services.MONTH_AFTER_LEFT.format(name="钱二", month="2026年5月", status="死亡"),
             services.MONTH_AFTER_LEFT.format(name="钱二", month="2026年6月", status="死亡"))
    gen(branch, m(2026, 6))
    assert not DuesEntry.objects.filter(member=branch.retired, month=m(2026, 6)).exists()


def test_exempt_month_cannot_be_paid(branch):
    d = services.hardship_decide(actor=branch.secretary, member=branch.farmer, kind=rules.EXEMPT_KIND,
                                 start_month=m(2026, 6), reason="重病", branch_decided_on=dt.date(2026, 5, 20),
                                 branch_meeting="5月20日支委会", today=TODAY)
    services.hardship_review(actor=branch.organizer, decision=d, approve=True, approved_on=dt.date(2026, 5, 28),
                             approval_document="甲镇党委〔2026〕5号", version=d.version, today=TODAY)
    assert_rejected(lambda: pay(branch, branch.farmer, [m(2026, 7)], dt.date(2026, 7, 9)),
             services.EXEMPT_MONTH.format(name="孙三", month="2026年7月"))


def test_batch_is_all_or_nothing(branch):
    gen(branch, m(2026, 10))
    rows = [
        services.PaymentRow(branch.staff.pk, (m(2026, 10),)),
        services.PaymentRow(branch.retired.pk, (m(2026, 10),), amount="60"),  # over the due amount
        services.PaymentRow(branch.tree.member_b1.pk, (m(2026, 10),)),  # another township's member
    ]
    err = assert_rejected(lambda: services.payments_record_batch(actor=branch.secretary, org=branch.tree.village_a1, rows=rows,
                                                          paid_on=dt.date(2026, 10, 12), today=TODAY))
    assert f"row-{branch.retired.pk}-amount" in err.errors
    assert f"row-{branch.tree.member_b1.pk}-months" in err.errors
    assert not DuesEntry.objects.filter(paid_on__isnull=False).exists()
    ok = services.payments_record_batch(actor=branch.secretary, org=branch.tree.village_a1, rows=rows[:2][:1] + [
        services.PaymentRow(branch.retired.pk, (m(2026, 10),), amount="25.00")], paid_on=dt.date(2026, 10, 12), today=TODAY)
    assert len(ok.value) == 2
    e = entry(branch.retired, m(2026, 10))
    assert (e.paid_amount, e.arrears) == (D("25.00"), D("25.00"))


def test_unknown_member_in_batch(branch):
    err = assert_rejected(lambda: services.payments_record_batch(
        actor=branch.secretary, org=branch.tree.village_a1, rows=[services.PaymentRow(999999, (m(2026, 10),))],
        paid_on=dt.date(2026, 10, 12), today=TODAY))
    assert err.messages == [services.MEMBER_UNKNOWN.format(row=1)]


# --- 第十一条 voluntary ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("amount", "to_centre"), [("1000.00", True), ("1000", True), ("999.99", False), ("5000", True)])
def test_voluntary_1000_yuan_rule(branch, amount, to_centre):
    r = services.voluntary_record(actor=branch.secretary, org=branch.tree.village_a1, member=branch.staff, amount=amount,
                                  paid_on=dt.date(2026, 7, 1), receipt_number="V-1", today=TODAY)
    assert r.value.to_centre is to_centre
    assert r.value.amount == D(amount)
    assert bool(r.warnings) is to_centre


@pytest.mark.parametrize(("amount", "message"), [("0", rules.AMOUNT_POSITIVE), ("-5", rules.AMOUNT_NEGATIVE),
                                                 ("1.234", rules.AMOUNT_TOO_MANY_PLACES), ("x", rules.AMOUNT_NOT_NUMBER)])
def test_voluntary_bad_amounts(branch, amount, message):
    assert_rejected(lambda: services.voluntary_record(actor=branch.secretary, org=branch.tree.village_a1, member=branch.staff,
                                               amount=amount, paid_on=dt.date(2026, 7, 1), today=TODAY), message)


# --- 第七条 hardship ----------------------------------------------------------------------------------------------
def test_hardship_needs_branch_decision_and_higher_committee_approval(branch):
    sec, org = branch.secretary, branch.organizer
    d = services.hardship_decide(actor=sec, member=branch.staff, kind=rules.REDUCE, amount="5.00", start_month=m(2026, 3),
                                 end_month=m(2026, 8), reason="家属重病", branch_decided_on=dt.date(2026, 2, 20),
                                 branch_meeting="2月20日支委会", today=TODAY)
    assert d.status == HardshipDecision.PENDING and d.approving_org == branch.tree.town_a
    gen(branch, m(2026, 3))
    assert entry(branch.staff, m(2026, 3)).due_amount == D("40.00")  # nothing changes before approval
    with pytest.raises(NotPermitted):  # the branch cannot approve its own decision
        services.hardship_review(actor=sec, decision=d, approve=True, approved_on=dt.date(2026, 2, 25),
                                 approval_document="x", version=d.version, today=TODAY)
    assert_rejected(lambda: services.hardship_review(actor=org, decision=d, approve=True, approved_on=dt.date(2026, 2, 19),
                                              approval_document="甲镇党委〔2026〕3号", version=d.version, today=TODAY),
             rules.HARDSHIP_APPROVAL_BEFORE_DECISION.format(approved=dt.date(2026, 2, 19), decided=dt.date(2026, 2, 20)))
    assert_rejected(lambda: services.hardship_review(actor=org, decision=d, approve=True, approved_on=dt.date(2026, 2, 25),
                                              approval_document="", version=d.version, today=TODAY),
             services.APPROVAL_DOCUMENT_REQUIRED)
    services.hardship_review(actor=org, decision=d, approve=True, approved_on=dt.date(2026, 2, 25),
                             approval_document="甲镇党委〔2026〕3号", version=d.version, today=TODAY)
    d.refresh_from_db()
    assert (d.status, d.approved_on, d.approval_document, d.approved_by) == (
        HardshipDecision.APPROVED, dt.date(2026, 2, 25), "甲镇党委〔2026〕3号", org)
    assert entry(branch.staff, m(2026, 3)).due_amount == D("5.00")  # the unpaid row follows the approval
    for mo in (8, 9):
        gen(branch, m(2026, mo))
    assert entry(branch.staff, m(2026, 8)).due_amount == D("5.00")
    assert entry(branch.staff, m(2026, 9)).due_amount == D("40.00")  # restored after the end month
    with pytest.raises(ServiceError):
        services.hardship_review(actor=org, decision=d, approve=True, approved_on=dt.date(2026, 2, 25),
                                 approval_document="again", version=d.version, today=TODAY)


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"kind": rules.REDUCE, "amount": None}, rules.REDUCED_AMOUNT_REQUIRED),
        ({"kind": rules.REDUCE, "amount": "0"}, services.REDUCE_AMOUNT_ZERO),
        ({"kind": rules.REDUCE, "amount": "40.00"}, rules.REDUCED_NOT_LESS.format(amount=D("40.00"), normal=D("40.00"))),
        ({"kind": rules.EXEMPT_KIND, "reason": ""}, services.REASON_REQUIRED),
        ({"kind": rules.EXEMPT_KIND, "branch_meeting": " "}, services.MEETING_REQUIRED),
        ({"kind": rules.EXEMPT_KIND, "branch_decided_on": dt.date(2026, 11, 16)}, rules.FUTURE_DATE.format(today=TODAY)),
        ({"kind": "forgive"}, rules.HARDSHIP_KIND_UNKNOWN.format(kind="forgive")),
    ],
)
def test_hardship_decision_bad_input(branch, kw, message):
    args = {"reason": "困难", "branch_decided_on": dt.date(2026, 2, 20), "branch_meeting": "支委会", **kw}
    assert_rejected(lambda: services.hardship_decide(actor=branch.secretary, member=branch.staff, start_month=m(2026, 3),
                                              today=TODAY, **args), message)


def test_rejected_hardship_changes_nothing(branch):
    d = services.hardship_decide(actor=branch.secretary, member=branch.staff, kind=rules.EXEMPT_KIND,
                                 start_month=m(2026, 3), reason="困难", branch_decided_on=dt.date(2026, 2, 20),
                                 branch_meeting="支委会", today=TODAY)
    bases = DuesBasis.objects.count()
    services.hardship_review(actor=branch.organizer, decision=d, approve=False, approved_on=dt.date(2026, 3, 1),
                             approval_document="", note="情况不符", version=d.version, today=TODAY)
    assert DuesBasis.objects.count() == bases
    d.refresh_from_db()
    assert d.status == HardshipDecision.REJECTED


# --- hand-ups ----------------------------------------------------------------------------------------------------
def test_handup_goes_to_the_parent(branch):
    pay(branch, branch.staff, [m(2026, 1)], dt.date(2026, 1, 5))
    r = services.handup_record(actor=branch.secretary, org=branch.tree.village_a1, month=m(2026, 1), amount="40.00",
                               handed_on=dt.date(2026, 2, 1), receipt_number="S-1", today=TODAY)
    assert r.value.to_org == branch.tree.town_a and r.warnings == []
    over = services.handup_record(actor=branch.secretary, org=branch.tree.village_a1, month=m(2026, 2), amount="10.00",
                                  handed_on=dt.date(2026, 3, 1), today=TODAY)
    assert over.warnings == [services.HANDUP_OVER.format(year=2026, name=branch.tree.village_a1.name, handed=D("50.00"),
                                                         collected=D("40.00"))]
    county = branch.tree.county
    assert_rejected(lambda: services.handup_record(actor=branch.tree.users["county_admin"], org=county, month=m(2026, 1),
                                            amount="1", handed_on=dt.date(2026, 2, 1), today=TODAY),
             services.HANDUP_NO_PARENT.format(name=county.name))
    assert_rejected(lambda: services.handup_record(actor=branch.secretary, org=branch.tree.village_a1, month=m(2026, 1),
                                            amount="-1", handed_on=dt.date(2026, 2, 1), today=TODAY), rules.AMOUNT_NEGATIVE)
    assert HandUp.objects.count() == 2


# --- 年初核定 ---------------------------------------------------------------------------------------------------
def test_base_review_confirms_and_changes_from_january(branch):
    rows = [
        services.ReviewRow(branch.staff.pk, rules.CIVIL_SERVANT, "4500"),  # changed
        services.ReviewRow(branch.retired.pk, rules.RETIRED, "5000.01"),  # unchanged
        services.ReviewRow(branch.farmer.pk, rules.FARMER),
        services.ReviewRow(branch.student.pk, rules.STUDENT),
    ]
    err = assert_rejected(lambda: services.base_review_confirm(actor=branch.secretary, org=branch.tree.village_a1, year=2026,
                                                        rows=rows, confirmed_on=dt.date(2026, 1, 10), today=TODAY),
                   services.REVIEW_MISSING.format(name="李明"))
    assert f"row-{branch.tree.member_a1.pk}-category" in err.errors
    rows.append(services.ReviewRow(branch.tree.member_a1.pk, rules.FARMER))
    bad = [*rows[:-1], services.ReviewRow(branch.tree.member_a1.pk, rules.ENTERPRISE, "-3")]
    assert_rejected(lambda: services.base_review_confirm(actor=branch.secretary, org=branch.tree.village_a1, year=2026,
                                                  rows=bad, confirmed_on=dt.date(2026, 1, 10), today=TODAY),
             rules.BASE_NEGATIVE)
    r = services.base_review_confirm(actor=branch.secretary, org=branch.tree.village_a1, year=2026, rows=rows,
                                     confirmed_on=dt.date(2026, 1, 10), document="1月10日支委会", today=TODAY)
    assert (r.value.members_count, r.value.changed_count) == (5, 2)
    bases = queries.bases_by_member([branch.staff.pk])[branch.staff.pk]
    assert rules.basis_for_month(bases, m(2026, 1)).base == D("4500.00")
    assert rules.basis_for_month(bases, m(2025, 12)).base == D("4000.00")
    assert_rejected(lambda: services.base_review_confirm(actor=branch.secretary, org=branch.tree.village_a1, year=2026,
                                                  rows=rows, confirmed_on=dt.date(2026, 1, 11), today=TODAY),
             services.REVIEW_DONE.format(name=branch.tree.village_a1.name, year=2026, date=dt.date(2026, 1, 10)))
    assert BaseReview.objects.count() == 1

