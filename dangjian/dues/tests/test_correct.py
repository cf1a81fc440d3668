"""更正交纳登记: a paid ledger row corrected to new values or voided back to unpaid, with a required
reason, an optimistic version check and an audit event with old → new values; bad input and stale
versions write nothing; the ledger row's form for writers in scope only."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from dangjian.common.errors import ConflictError, NotPermitted, ServiceError
from dangjian.common.models import AuditEvent
from dangjian.dues import rules, selectors, services
from dangjian.dues.models import DuesEntry
from dangjian.dues.tests.conftest import TODAY, assert_rejected, m, row_counts

D = Decimal


@pytest.fixture
def paid(branch) -> DuesEntry:
    """赵一's March 2026 (due 40.00) paid in cash on 2026-03-05, receipt R-1."""
    res = services.payment_record(actor=branch.secretary, org=branch.tree.village_a1, member=branch.staff,
                                  months=[m(2026, 3)], paid_on=dt.date(2026, 3, 5), receipt_number="R-1", today=TODAY)
    return res.value[0]


def correct(actor, entry, **kw):
    args = {"version": entry.version, "reason": "收据金额登记有误", "today": TODAY, **kw}
    return services.dues_payment_correct(actor=actor, entry=entry, **args)


def test_correct_amount_date_method(branch, paid):
    v = paid.version
    e = correct(branch.secretary, paid, paid_amount="30.00", paid_on=dt.date(2026, 3, 6), method=rules.TRANSFER)
    e.refresh_from_db()
    assert (e.paid_amount, e.paid_on, e.method, e.version) == (D("30.00"), dt.date(2026, 3, 6), rules.TRANSFER, v + 1)
    assert e.receipt_number == "R-1"
    ev = AuditEvent.objects.order_by("-id").first()
    assert ev.action == "dues.payment_correct" and ev.action in services.AUDIT_ACTION_LABELS
    assert ev.reason == "收据金额登记有误"
    assert ev.changes["paid_amount"] == ["40.00", "30.00"]
    assert ev.changes["paid_on"] == ["2026-03-05", "2026-03-06"]
    assert ev.changes["method"] == ["现金", "转账/线上"]
    # the ledger now shows a partial payment
    row = next(r for r in selectors.branch_ledger(branch.secretary, branch.tree.village_a1, m(2026, 3), today=TODAY).rows
               if r.member == branch.staff)
    assert (row.status, row.paid, row.arrears) == ("partial", D("30.00"), D("10.00"))


def test_only_some_values_keep_the_rest(branch, paid):
    e = correct(branch.secretary, paid, paid_on=dt.date(2026, 3, 4))
    assert (e.paid_amount, e.paid_on, e.method) == (D("40.00"), dt.date(2026, 3, 4), rules.CASH)
    ev = AuditEvent.objects.order_by("-id").first()
    assert set(ev.changes) == {"month", "void", "paid_on"}


def test_void_back_to_unpaid(branch, paid):
    before = AuditEvent.objects.count()
    e = correct(branch.secretary, paid, void=True, reason="重复登记")
    e.refresh_from_db()
    assert (e.paid_amount, e.paid_on, e.method, e.receipt_number) == (D("0.00"), None, "", "")
    assert AuditEvent.objects.count() == before + 1
    ev = AuditEvent.objects.order_by("-id").first()
    assert ev.changes["paid_amount"] == ["40.00", "0.00"] and ev.changes["paid_on"] == ["2026-03-05", None]
    assert ev.changes["receipt_number"] == ["R-1", ""] and ev.changes["void"] is True
    # the month can be paid again
    services.payment_record(actor=branch.secretary, org=branch.tree.village_a1, member=branch.staff,
                            months=[m(2026, 3)], paid_on=dt.date(2026, 3, 9), today=TODAY)
    e.refresh_from_db()
    assert (e.paid_amount, e.paid_on) == (D("40.00"), dt.date(2026, 3, 9))


@pytest.mark.parametrize(("kw", "message", "field"), [
    ({"reason": " "}, services.CORRECT_REASON_REQUIRED, "reason"),
    ({"reason": "长" * 201}, services.NOTE_TOO_LONG.format(label="更正原因", n=200), "reason"),
    ({"paid_amount": "40.01"}, services.AMOUNT_OVER_DUE.format(name="赵一", month="2026年3月", amount="40.01",
                                                              due="40.00"), "paid_amount"),
    ({"paid_amount": "0"}, services.AMOUNT_ZERO.format(name="赵一", month="2026年3月"), "paid_amount"),
    ({"paid_amount": "-1"}, rules.AMOUNT_NEGATIVE, "paid_amount"),
    ({"paid_amount": "3.333"}, rules.AMOUNT_TOO_MANY_PLACES, "paid_amount"),
    ({"paid_on": dt.date(2026, 11, 16)}, services.PAID_ON_FUTURE.format(today=TODAY), "paid_on"),
    ({"method": "bitcoin"}, rules.METHOD_UNKNOWN.format(method="bitcoin"), "method"),
    ({"method": rules.QUARTERLY}, rules.CONSENT_REQUIRED.format(method=rules.METHOD_LABELS[rules.QUARTERLY]), "method"),
    ({"void": True, "paid_amount": "10"}, services.CORRECT_VOID_WITH_VALUES, "__all__"),
    ({"paid_amount": "40.00", "paid_on": dt.date(2026, 3, 5)}, services.CORRECT_NOTHING, "__all__"),
])  # fmt: skip
def test_bad_input_rejected_nothing_written(branch, paid, kw, message, field):
    assert rules.month_label(m(2026, 3)) == "2026年3月"
    assert_rejected(lambda: correct(branch.secretary, paid, **kw), message, field=field)
    paid.refresh_from_db()
    assert (paid.paid_amount, paid.paid_on, paid.method) == (D("40.00"), dt.date(2026, 3, 5), rules.CASH)


def test_unpaid_entry_cannot_be_corrected(branch):
    services.entries_generate(actor=branch.secretary, org=branch.tree.village_a1, month=m(2026, 4), today=TODAY)
    e = DuesEntry.objects.get(member=branch.staff, month=m(2026, 4))
    assert_rejected(lambda: correct(branch.secretary, e, paid_amount="10"),
             services.CORRECT_NOT_PAID.format(name="赵一", month="2026年4月"))


def test_stale_version_is_a_conflict(branch, paid):
    stale = DuesEntry.objects.get(pk=paid.pk)
    correct(branch.secretary, paid, paid_amount="35.00")  # someone else saves first
    before = row_counts()
    with pytest.raises(ConflictError):
        correct(branch.organizer, stale, paid_amount="20.00")
    assert row_counts() == before
    stale.refresh_from_db()
    assert stale.paid_amount == D("35.00")
    with pytest.raises(ConflictError):  # a version from the future is stale too
        correct(branch.secretary, stale, version=stale.version + 5, paid_amount="20.00")


def test_scope_and_read_only_roles(branch, paid):
    t = branch.tree
    admin = t.users["county_admin"]
    services.basis_set(actor=admin, member=t.member_b1, category=rules.RETIRED, base="3000",
                       effective_from=m(2026, 1), today=TODAY)
    other = services.payment_record(actor=admin, org=t.village_b1, member=t.member_b1, months=[m(2026, 3)],
                                    paid_on=dt.date(2026, 3, 5), today=TODAY).value[0]
    before = row_counts()
    with pytest.raises(NotPermitted):
        correct(t.users["township_organizer"], other, paid_amount="1.00")
    for role in ("inspector", "member"):
        with pytest.raises(NotPermitted):
            correct(t.users[role], paid, paid_amount="1.00")
    assert row_counts() == before
    with pytest.raises(ServiceError):
        correct(t.users["township_organizer"], paid, reason="")


# --- the ledger row's form --------------------------------------------------------------------------------
def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_ledger_row_form_corrects(branch, paid):
    t = branch.tree
    c = _client(branch.secretary)
    page = c.get(reverse("dues:ledger", args=[t.village_a1.pk, 2026, 3])).content.decode()
    assert f'data-testid="correct-{branch.staff.pk}"' in page
    assert f'id="correct-form-{branch.staff.pk}"' in page
    url = reverse("dues:ledger_correct", args=[t.village_a1.pk, 2026, 3])
    resp = c.post(url, {"member": branch.staff.pk, "version": paid.version, "paid_amount": "25.00",
                        "paid_on": "2026-03-05", "method": rules.CASH, "reason": "少收了15元"})
    assert resp.status_code == 302
    paid.refresh_from_db()
    assert paid.paid_amount == D("25.00")
    # voiding ignores the pre-filled date and method of the row
    resp = c.post(url, {"member": branch.staff.pk, "version": paid.version, "paid_on": "2026-03-05",
                        "method": rules.CASH, "void": "1", "reason": "误登"})
    assert resp.status_code == 302
    paid.refresh_from_db()
    assert (paid.paid_amount, paid.paid_on) == (D("0.00"), None)


def test_ledger_row_form_errors_and_conflict(branch, paid):
    t = branch.tree
    c = _client(branch.secretary)
    url = reverse("dues:ledger_correct", args=[t.village_a1.pk, 2026, 3])
    before = row_counts()
    resp = c.post(url, {"member": branch.staff.pk, "version": paid.version, "paid_amount": "99", "reason": ""})
    assert resp.status_code == 422
    body = resp.content.decode()
    assert services.CORRECT_REASON_REQUIRED in body and "超过应交40.00元" in body
    resp = c.post(url, {"member": branch.staff.pk, "version": paid.version - 1, "paid_amount": "10", "reason": "x"})
    assert resp.status_code == 409
    assert "已被他人修改" in resp.content.decode()
    assert row_counts() == before


def test_ledger_row_form_404(branch, paid):
    t = branch.tree
    data = {"member": branch.staff.pk, "version": paid.version, "paid_amount": "10", "reason": "x"}
    for role in ("inspector", "member"):
        c = _client(t.users[role])
        assert c.post(reverse("dues:ledger_correct", args=[t.village_a1.pk, 2026, 3]), data).status_code == 404
    c = _client(t.users["township_organizer"])
    before = row_counts()
    # another township's branch; a month with no row; a member with no row in this ledger
    assert c.post(reverse("dues:ledger_correct", args=[t.village_b1.pk, 2026, 3]), data).status_code == 404
    assert c.post(reverse("dues:ledger_correct", args=[t.village_a1.pk, 2026, 4]), data).status_code == 404
    assert c.post(reverse("dues:ledger_correct", args=[t.village_a2.pk, 2026, 3]), data).status_code == 404
    assert c.post(reverse("dues:ledger_correct", args=[t.village_a1.pk, 2026, 3]),
                  {**data, "member": t.member_b1.pk}).status_code == 404
    assert c.get(reverse("dues:ledger_correct", args=[t.village_a1.pk, 2026, 3])).status_code == 405
    assert row_counts() == before
