"""The API of 党费使用 and 更正交纳登记: the same services; bad input 422 and a stale version 409 with
nothing written; another township's organization 404."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.test import Client

from dangjian.accounts.services import user_issue_api_token
from dangjian.dues import rules, services
from dangjian.dues.models import DuesUse
from dangjian.dues.tests.conftest import TODAY, m, row_counts

D = Decimal


def api(user):
    c = Client()
    headers = {"Authorization": f"Bearer {user_issue_api_token(actor=None, user=user)}"}

    def call(method: str, url: str, body: dict | None = None):
        if method == "GET":
            return c.get(url, headers=headers)
        return c.post(url, json.dumps(body or {}), content_type="application/json", headers=headers)

    return call


def test_uses_api(branch):
    t = branch.tree
    call = api(t.users["township_organizer"])
    va1 = t.village_a1.pk
    resp = call("POST", f"/api/dues/orgs/{va1}/uses", {"used_on": "2026-03-10", "amount": "66.60",
                                                        "purpose": rules.USE_MATERIALS, "decision": "支委会"})
    assert resp.status_code == 200, resp.content
    assert resp.json()["amount"] == "66.60" and resp.json()["purpose_label"] == "订阅或购买党员教育材料"
    listed = call("GET", f"/api/dues/orgs/{t.town_a.pk}/uses?year=2026").json()
    assert [u["amount"] for u in listed] == ["66.60"]
    before = row_counts()
    resp = call("POST", f"/api/dues/orgs/{va1}/uses", {"used_on": "2099-01-01", "amount": "0", "purpose": "x",
                                                        "decision": ""})
    assert resp.status_code == 422
    assert row_counts() == before
    # another township: 404, nothing written
    vb1 = t.village_b1.pk
    assert call("GET", f"/api/dues/orgs/{vb1}/uses").status_code == 404
    resp = call("POST", f"/api/dues/orgs/{vb1}/uses", {"used_on": "2026-03-10", "amount": "1", "purpose": "training",
                                                        "decision": "会议"})
    assert resp.status_code == 404
    assert row_counts() == before
    # read-only roles cannot write
    resp = api(t.users["inspector"])("POST", f"/api/dues/orgs/{va1}/uses",
                                     {"used_on": "2026-03-10", "amount": "1", "purpose": "training", "decision": "会"})
    assert resp.status_code in (403, 404)
    assert DuesUse.objects.count() == 1


@pytest.fixture
def paid(branch):
    return services.payment_record(actor=branch.secretary, org=branch.tree.village_a1, member=branch.staff,
                                   months=[m(2026, 3)], paid_on=dt.date(2026, 3, 5), today=TODAY).value[0]


def test_correct_api(branch, paid):
    t = branch.tree
    call = api(branch.secretary)
    url = f"/api/dues/orgs/{t.village_a1.pk}/ledger/2026/3/correct"
    resp = call("POST", url, {"member_id": branch.staff.pk, "version": paid.version, "reason": "金额有误",
                              "paid_amount": "12.00"})
    assert resp.status_code == 200, resp.content
    assert resp.json()["paid"] == "12.00" and resp.json()["version"] == paid.version + 1
    before = row_counts()
    stale = call("POST", url, {"member_id": branch.staff.pk, "version": paid.version, "reason": "x", "paid_amount": "1"})
    assert stale.status_code == 409
    bad = call("POST", url, {"member_id": branch.staff.pk, "version": paid.version + 1, "reason": "",
                             "paid_amount": "99"})
    assert bad.status_code == 422
    assert row_counts() == before
    resp = call("POST", url, {"member_id": branch.staff.pk, "version": paid.version + 1, "reason": "误登",
                              "void": True})
    assert resp.status_code == 200 and resp.json()["paid_on"] is None and resp.json()["paid"] == "0.00"


def test_correct_api_404_for_another_township(branch):
    t = branch.tree
    admin = t.users["county_admin"]
    services.basis_set(actor=admin, member=t.member_b1, category=rules.RETIRED, base="3000",
                       effective_from=m(2026, 1), today=TODAY)
    e = services.payment_record(actor=admin, org=t.village_b1, member=t.member_b1, months=[m(2026, 3)],
                                paid_on=dt.date(2026, 3, 5), today=TODAY).value[0]
    call = api(t.users["township_organizer"])  # issuing the token is audited: before the count
    before = row_counts()
    resp = call(
        "POST", f"/api/dues/orgs/{t.village_b1.pk}/ledger/2026/3/correct",
        {"member_id": t.member_b1.pk, "version": e.version, "reason": "x", "paid_amount": "1"})
    assert resp.status_code == 404
    assert row_counts() == before
    e.refresh_from_db()
    assert e.paid_amount == D("15.00")
