"""The API: candidates, cases, counts (read), confirm and progress (write), with the platform's token
auth and error shapes; out-of-scope ids are 404 and write nothing."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.utils import timezone

from dangjian.accounts.services import user_issue_api_token
from dangjian.rectification import rules, services
from dangjian.rectification.tests.conftest import row_counts

pytestmark = pytest.mark.urls("dangjian.rectification.tests.api_urls")
BASE = "/test-api/rectification"


class Caller:
    def __init__(self, user):
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {user_issue_api_token(actor=None, user=user)}"}

    def get(self, url, params=None):
        return self.client.get(BASE + url, params or {}, headers=self.headers)

    def post(self, url, body=None):
        return self.client.post(BASE + url, json.dumps(body or {}), content_type="application/json",
                                headers=self.headers)


def test_candidates_cases_counts_and_confirm(tree):
    admin = tree.users["county_admin"]
    today = timezone.localdate()
    api = Caller(tree.users["township_organizer"])
    resp = api.get("/candidates", {"org_id": tree.town_a.pk, "year": today.year})
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert body["judged"] == 2
    found = {c["org_id"]: {f["criterion"] for f in c["findings"]} for c in body["candidates"]}
    # no secretary posts and no secretary name on record: vacant since 2000
    assert rules.SECRETARY_VACANT in found[tree.village_a1.pk]
    case = services.case_nominate(actor=admin, org=tree.village_a1, year=today.year, category="c02",
                                  reason="书记不胜任", today=today)
    resp = api.get("/cases", {"org_id": tree.town_a.pk, "year": today.year, "state": "candidates"})
    assert [c["id"] for c in resp.json()] == [case.pk]
    resp = api.post(f"/cases/{case.pk}/confirm", {"version": case.version})
    assert resp.status_code == 200, resp.content
    out = resp.json()
    assert out["case"]["status"] == rules.CONFIRMED and out["case"]["confirming_org_id"] == tree.town_a.pk
    assert out["warnings"] and "倒排比例" in out["warnings"][0]
    again = api.post(f"/cases/{case.pk}/confirm", {})
    assert again.status_code == 422 and "不能确认" in again.json()["detail"]
    resp = api.get("/counts", {"org_id": tree.county.pk, "year": today.year})
    assert resp.status_code == 404  # the county is outside 甲镇's scope
    counts = Caller(admin).get("/counts", {"org_id": tree.county.pk, "year": today.year}).json()
    assert counts["total"]["identified"] == 1 and counts["sentence"] == "整顿软弱涣散基层党组织1个，验收通过0个"
    row = next(r for r in counts["rows"] if r["org_id"] == tree.town_a.pk)
    assert row["shares"]["村"] == [1, 2, 50.0]


def test_progress_and_scope(tree):
    admin = tree.users["county_admin"]
    today = timezone.localdate()
    case = services.case_nominate(actor=admin, org=tree.village_b1, year=today.year, category="c02", reason="x",
                                  today=today)
    services.case_confirm(actor=admin, case=case, today=today)
    organizer = Caller(tree.users["township_organizer"])  # 甲镇: 乙镇一村 is outside
    member = Caller(tree.users["member"])
    before = row_counts()  # issuing tokens is audited: count after it
    assert organizer.get(f"/cases/{case.pk}").status_code == 404
    assert organizer.post(f"/cases/{case.pk}/progress", {"date": today.isoformat(), "text": "x"}).status_code == 404
    assert member.get(f"/cases/{case.pk}").status_code == 404
    assert row_counts() == before
    api = Caller(admin)
    # not rectifying yet: no plan
    resp = api.post(f"/cases/{case.pk}/progress", {"date": today.isoformat(), "text": "进展"})
    assert resp.status_code == 422 and services.NO_PLAN in resp.json()["detail"]
    detail = api.get(f"/cases/{case.pk}").json()
    assert detail["status"] == rules.CONFIRMED and detail["findings"][0]["criterion"] == rules.MANUAL
    assert detail["plan"] is None
