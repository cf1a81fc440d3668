"""Scope: a township organizer sees nothing of another township's dues — pages, API and services
answer as if it did not exist (404 / NotPermitted), and nothing is written."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.http import Http404
from django.test import Client
from django.urls import reverse

from dangjian.accounts.services import user_issue_api_token
from dangjian.common.errors import NotPermitted
from dangjian.dues import rules, selectors, services
from dangjian.dues.tests.conftest import TODAY, m, row_counts


@pytest.fixture
def other(tree):
    """乙镇一村 with dues, seen from 甲镇's organizer."""
    admin = tree.users["county_admin"]
    services.basis_set(actor=admin, member=tree.member_b1, category=rules.RETIRED, base="3000",
                       effective_from=m(2026, 1), today=TODAY)
    services.entries_generate(actor=admin, org=tree.village_b1, month=m(2026, 3), today=TODAY)
    return tree


def test_pages_404_for_another_township(other):
    c = Client()
    c.force_login(other.users["township_organizer"])
    vb1, b1 = other.village_b1.pk, other.member_b1.pk
    for url in [
        reverse("dues:org", args=[vb1]), reverse("dues:org", args=[other.town_b.pk]),
        reverse("dues:ledger", args=[vb1, 2026, 3]), reverse("dues:ledger_pick", args=[vb1]),
        reverse("dues:ledger_export", args=[vb1, 2026]), reverse("dues:publication", args=[vb1, 2026]),
        reverse("dues:review", args=[vb1, 2026]), reverse("dues:handup", args=[vb1]),
        reverse("dues:hardship_list", args=[vb1]), reverse("dues:member", args=[b1]),
        reverse("dues:member_basis", args=[b1]), reverse("dues:member_pay", args=[b1]),
        reverse("dues:member_voluntary", args=[b1]), reverse("dues:hardship_new", args=[b1]),
    ]:
        assert c.get(url).status_code == 404, url
    before = row_counts()
    assert c.post(reverse("dues:ledger_generate", args=[vb1, 2026, 3])).status_code == 404
    assert c.post(reverse("dues:ledger_pay", args=[vb1, 2026, 3]), {"paid_on": "2026-03-05", "pay": [b1]}).status_code == 404
    assert c.post(reverse("dues:member_basis", args=[b1]), {"category": "student", "effective_from": "2026-03"}).status_code == 404
    assert row_counts() == before
    assert c.get(reverse("dues:ledger", args=[other.village_a1.pk, 2026, 3])).status_code == 200


def test_api_404_for_another_township(other):
    c = Client()
    headers = {"Authorization": f"Bearer {user_issue_api_token(actor=None, user=other.users['township_organizer'])}"}
    vb1 = other.village_b1.pk
    assert c.get(f"/api/dues/orgs/{vb1}/ledger/2026/3", headers=headers).status_code == 404
    assert c.get(f"/api/dues/members/{other.member_b1.pk}", headers=headers).status_code == 404
    before = row_counts()
    body = json.dumps({"paid_on": "2026-03-05", "rows": [{"member_id": other.member_b1.pk}]})
    resp = c.post(f"/api/dues/orgs/{vb1}/ledger/2026/3/payments", body, content_type="application/json", headers=headers)
    assert resp.status_code == 404
    assert c.post(f"/api/dues/orgs/{vb1}/ledger/2026/3/generate", headers=headers).status_code == 404
    assert row_counts() == before
    assert c.get(f"/api/dues/orgs/{other.village_a1.pk}/ledger/2026/3", headers=headers).status_code == 200


def test_selectors_and_services_refuse_another_township(other):
    org = other.users["township_organizer"]
    with pytest.raises(Http404):
        selectors.branch_ledger(org, other.village_b1, m(2026, 3), today=TODAY)
    with pytest.raises(Http404):
        selectors.member_dues_summary(org, other.member_b1, 2026, today=TODAY)
    with pytest.raises(NotPermitted):
        services.payment_record(actor=org, org=other.village_b1, member=other.member_b1, months=[m(2026, 3)],
                                paid_on=dt.date(2026, 3, 5), today=TODAY)
    with pytest.raises(NotPermitted):
        services.handup_record(actor=org, org=other.village_b1, month=m(2026, 3), amount="1", handed_on=dt.date(2026, 4, 1),
                               today=TODAY)
    # paying 乙镇's member at 甲镇's branch: the member is not in that branch (and the name reveals nothing new)
    services.basis_set(actor=org, member=other.member_a1, category=rules.STUDENT, effective_from=m(2026, 1), today=TODAY)
    before = row_counts()
    with pytest.raises(services.ServiceError):
        services.payment_record(actor=org, org=other.village_a1, member=other.member_b1, months=[m(2026, 3)],
                                paid_on=dt.date(2026, 3, 5), today=TODAY)
    assert row_counts() == before
