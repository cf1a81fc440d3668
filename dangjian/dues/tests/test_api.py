"""/api/dues/: compute without saving, the branch-month ledger, recording payments, a member's dues."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.test import Client

from dangjian.accounts.services import user_issue_api_token
from dangjian.dues import rules, services
from dangjian.dues.models import DuesEntry
from dangjian.dues.tests.conftest import TODAY, m, row_counts

D = Decimal


class Caller:
    def __init__(self, user):
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {user_issue_api_token(actor=None, user=user)}"}

    def get(self, url, params=None):
        return self.client.get(url, params or {}, headers=self.headers)

    def post(self, url, body=None):
        return self.client.post(url, json.dumps(body or {}), content_type="application/json", headers=self.headers)


@pytest.fixture
def api(tree):
    return lambda role: Caller(tree.users[role])


@pytest.mark.parametrize(
    ("params", "amount", "rate"),
    [
        ({"category": "civil_servant", "base": "3000.00"}, "15.00", "0.005"),
        ({"category": "enterprise", "base": "3000.01"}, "30.00", "0.01"),
        ({"category": "institution", "base": "5000.00"}, "50.00", "0.01"),
        ({"category": "gov_worker", "base": "5000.01"}, "75.00", "0.015"),
        ({"category": "annual_salary", "base": "10000.00"}, "150.00", "0.015"),
        ({"category": "self_employed", "base": "10000.01"}, "200.00", "0.02"),
        ({"category": "retired", "base": "5000.00"}, "25.00", "0.005"),
        ({"category": "retired", "base": "5000.01"}, "50.00", "0.01"),
        ({"category": "farmer"}, "0.50", None),
        ({"category": "farmer", "fixed_amount": "0.8"}, "0.80", None),
        ({"category": "student"}, "0.20", None),
        ({"category": "minimum_allowance"}, "0.20", None),
        ({"category": "exempt"}, "0.00", None),
    ],
)
def test_compute_without_saving(branch, api, params, amount, rate):
    caller = api("inspector")  # issuing the token is audited: count after it
    before = row_counts()
    resp = caller.get("/api/dues/compute", {"date": "2026-03-15", **params})
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert body["amount"] == amount and body["rate"] == rate and body["month"] == "2026-03"
    assert row_counts() == before


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"category": "civil_servant", "base": "-1"}, rules.BASE_NEGATIVE),
        ({"category": "civil_servant", "base": "1000000.01"},
         rules.BASE_ABSURD.format(base=D("1000000.01"), limit=rules.MAX_BASE)),
        ({"category": "farmer", "fixed_amount": "1.5"}, rules.FARMER_RANGE.format(amount=D("1.50"))),
        ({"category": "student", "date": "2008-01-01"}, rules.NO_RULES_BEFORE.format(month="2008年1月")),
    ],
)
def test_compute_bad_input_422(branch, api, params, message):
    resp = api("inspector").get("/api/dues/compute", {"date": "2026-03-15", **params})
    assert resp.status_code == 422
    assert message in resp.json()["detail"]


def test_ledger_and_payments(branch, api):
    t = branch.tree
    services.entries_generate(actor=branch.secretary, org=t.village_a1, month=m(2026, 3), today=TODAY)
    sec = api("branch_secretary")
    url = f"/api/dues/orgs/{t.village_a1.pk}/ledger/2026/3"
    resp = sec.get(url)
    assert resp.status_code == 200
    rows = {r["name"]: r for r in resp.json()["rows"]}
    assert rows["赵一"]["due"] == "40.00" and rows["赵一"]["status"] == "unpaid" and rows["李明"]["due"] is None
    assert resp.json()["due"] == "90.70"

    before = row_counts()
    bad = sec.post(url + "/payments", {"paid_on": "2026-03-10", "rows": [
        {"member_id": branch.staff.pk}, {"member_id": branch.retired.pk, "amount": "50.001"}]})
    assert bad.status_code == 422
    assert f"row-{branch.retired.pk}-amount" in bad.json()["errors"]
    assert row_counts() == before

    ok = sec.post(url + "/payments", {"paid_on": "2026-03-10", "rows": [
        {"member_id": branch.staff.pk, "method": "transfer", "receipt_number": "T-1"},
        {"member_id": branch.retired.pk, "amount": 20},
        {"member_id": branch.student.pk, "months": ["2026-03", "2026-04", "2026-05"], "method": "quarterly",
         "consent_note": "支委会同意"}]})
    assert ok.status_code == 200, ok.content
    body = ok.json()
    assert body["recorded"] == 5 and body["warnings"] == []
    assert body["ledger"]["paid"] == "60.20"
    assert DuesEntry.objects.get(member=branch.retired, month=m(2026, 3)).paid_amount == D("20.00")
    assert DuesEntry.objects.filter(member=branch.student, paid_on=dt.date(2026, 3, 10)).count() == 3

    gen = sec.post(f"/api/dues/orgs/{t.village_a1.pk}/ledger/2026/4/generate")
    assert gen.status_code == 200 and gen.json()["without_basis"] == ["李明"]


def test_payments_read_only_roles_404(branch, api):
    t = branch.tree
    inspector = api("inspector")
    before = row_counts()
    resp = inspector.post(f"/api/dues/orgs/{t.village_a1.pk}/ledger/2026/3/payments",
                                 {"paid_on": "2026-03-10", "rows": [{"member_id": branch.staff.pk}]})
    assert resp.status_code == 404
    assert row_counts() == before


def test_payment_before_joining_via_api(branch, api):
    t = branch.tree
    resp = api("branch_secretary").post(f"/api/dues/orgs/{t.village_a1.pk}/ledger/2023/12/payments",
                                        {"paid_on": "2024-01-10", "rows": [{"member_id": branch.staff.pk}]})
    assert resp.status_code == 422
    assert services.MONTH_BEFORE_JOINED.format(name="赵一", month="2023年12月", joined="2024-01-10") in resp.json()["detail"]


def test_member_dues(branch, api):
    services.payment_record(actor=branch.secretary, org=branch.tree.village_a1, member=branch.staff,
                            months=[m(2025, 1)], paid_on=dt.date(2025, 1, 9), today=TODAY)
    resp = api("township_organizer").get(f"/api/dues/members/{branch.staff.pk}", {"year": 2025})
    assert resp.status_code == 200
    body = resp.json()
    assert body["year"] == 2025 and body["category"] == "civil_servant" and body["monthly_amount"] == "40.00"
    assert body["months"][0] == {"month": "2025-01", "due": "40.00", "paid": "40.00", "paid_on": "2025-01-09",
                                 "method": "cash", "receipt_number": "", "status": "paid", "status_label": "已交",
                                 "in_ledger": True}
    assert body["paid"] == "40.00" and body["due"] == "480.00" and body["arrears"] == "440.00" and body["arrears_months"] == 11
    own = api("member").get(f"/api/dues/members/{branch.tree.member_a1.pk}")
    assert own.status_code == 200
    assert api("member").get(f"/api/dues/members/{branch.staff.pk}").status_code == 404
