"""党费使用 (R2.15): the service refuses bad input with nothing written, the page records and lists
uses for writers in scope only, and the yearly publication shows collection and use — totals by
purpose and by month checked against hand-counted fixtures."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.http import Http404
from django.test import Client
from django.urls import reverse

from dangjian.common.errors import NotPermitted
from dangjian.common.models import AuditEvent
from dangjian.dues import rules, selectors, services
from dangjian.dues.models import DuesUse
from dangjian.dues.tests.conftest import TODAY, assert_rejected, row_counts

D = Decimal


def record(actor, org, **kw):
    args = {"used_on": dt.date(2026, 3, 10), "amount": "300.00", "purpose": rules.USE_TRAINING,
            "decision": "2026年3月5日支委会", "today": TODAY, **kw}
    return services.dues_use_record(actor=actor, org=org, **args)


def test_record_writes_the_use_and_its_audit(branch):
    t = branch.tree
    before = AuditEvent.objects.count()
    use = record(branch.secretary, t.village_a1, amount=D("123.45"), note="党课培训资料")
    assert (use.amount, use.purpose, use.county_id, use.recorded_by) == (D("123.45"), rules.USE_TRAINING, t.county.pk,
                                                                          branch.secretary)
    ev = AuditEvent.objects.order_by("-id").first()
    assert AuditEvent.objects.count() == before + 1
    assert ev.action == "dues.use" and ev.action in services.AUDIT_ACTION_LABELS
    assert ev.changes["amount"] == [None, "123.45"] and ev.changes["purpose"] == [None, "培训党员"]


@pytest.mark.parametrize(("kw", "message", "field"), [
    ({"amount": "0"}, rules.AMOUNT_POSITIVE, "amount"),
    ({"amount": "-5"}, rules.AMOUNT_NEGATIVE, "amount"),
    ({"amount": "abc"}, rules.AMOUNT_NOT_NUMBER, "amount"),
    ({"amount": "1.234"}, rules.AMOUNT_TOO_MANY_PLACES, "amount"),
    ({"amount": 12.5}, rules.AMOUNT_NOT_NUMBER, "amount"),
    ({"amount": "10000000.01"}, rules.AMOUNT_ABSURD.format(amount="10000000.01"), "amount"),
    ({"used_on": dt.date(2026, 11, 16)}, services.USE_DATE_FUTURE.format(today=TODAY), "used_on"),
    ({"used_on": dt.date(2008, 3, 31)}, services.USE_DATE_BEFORE_RULES, "used_on"),
    ({"purpose": "party"}, services.USE_PURPOSE_UNKNOWN, "purpose"),
    ({"decision": "  "}, services.USE_DECISION_REQUIRED, "decision"),
    ({"purpose": rules.USE_OTHER}, services.USE_OTHER_NOTE_REQUIRED, "note"),
    ({"note": "长" * 501}, services.NOTE_TOO_LONG.format(label="说明", n=500), "note"),
])  # fmt: skip
def test_bad_input_rejected_nothing_written(branch, kw, message, field):
    assert_rejected(lambda: record(branch.secretary, branch.tree.village_a1, **kw), message, field=field)


def test_several_errors_at_once(branch):
    err = assert_rejected(lambda: record(branch.secretary, branch.tree.village_a1, amount="0", purpose="x", decision=""))
    assert set(err.errors) == {"amount", "purpose", "decision"}


def test_scope_and_read_only_roles(branch):
    t = branch.tree
    before = row_counts()
    with pytest.raises(NotPermitted):  # 甲镇's organizer, 乙镇's branch
        record(t.users["township_organizer"], t.village_b1)
    with pytest.raises(NotPermitted):  # a branch secretary, the neighbouring branch
        record(branch.secretary, t.village_a2)
    for role in ("inspector", "member"):
        with pytest.raises(NotPermitted):
            record(t.users[role], t.village_a1)
    assert row_counts() == before
    # a committee spends too (its own dues), in scope
    assert record(t.users["township_organizer"], t.town_a).org == t.town_a


@pytest.fixture
def uses(branch):
    """Hand-counted uses of 2026 in 甲镇's subtree (and some that must not count)."""
    t = branch.tree
    sec, town, admin = branch.secretary, t.users["township_organizer"], t.users["county_admin"]
    record(sec, t.village_a1, used_on=dt.date(2026, 1, 8), amount="100.00", purpose=rules.USE_TRAINING)
    record(sec, t.village_a1, used_on=dt.date(2026, 1, 31), amount="20.50", purpose=rules.USE_MATERIALS)
    record(sec, t.village_a1, used_on=dt.date(2026, 3, 1), amount="200.00", purpose=rules.USE_HARDSHIP)
    record(sec, t.village_a1, used_on=dt.date(2026, 3, 20), amount="0.01", purpose=rules.USE_TRAINING)
    record(town, t.village_a2, used_on=dt.date(2026, 3, 15), amount="50.00", purpose=rules.USE_COMMENDATION)
    record(town, t.town_a, used_on=dt.date(2026, 11, 15), amount="1000.00", purpose=rules.USE_RELIEF)
    record(sec, t.village_a1, used_on=dt.date(2026, 6, 30), amount="9.99", purpose=rules.USE_OTHER, note="购置党旗")
    # not counted: another year, another township
    record(sec, t.village_a1, used_on=dt.date(2025, 12, 31), amount="777.00")
    record(admin, t.village_b1, used_on=dt.date(2026, 3, 2), amount="555.00")
    return t


def test_publication_of_a_branch_by_purpose_and_month(uses):
    t = uses
    pub = selectors.publication(t.users["township_organizer"], t.village_a1, 2026)
    # 一村 only: 100 + 20.50 + 200 + 0.01 + 9.99
    assert pub.used == D("330.50")
    assert {p.purpose: (p.amount, p.count) for p in pub.by_purpose} == {
        rules.USE_TRAINING: (D("100.01"), 2), rules.USE_MATERIALS: (D("20.50"), 1),
        rules.USE_COMMENDATION: (D("0.00"), 0), rules.USE_HARDSHIP: (D("200.00"), 1),
        rules.USE_RELIEF: (D("0.00"), 0), rules.USE_OTHER: (D("9.99"), 1),
    }  # fmt: skip
    assert [p.label for p in pub.by_purpose] == list(rules.USE_PURPOSE_LABELS.values())
    by_month = {r.month.month: r.used for r in pub.months}
    assert by_month == {1: D("120.50"), 2: D("0"), 3: D("200.01"), 4: D("0"), 5: D("0"), 6: D("9.99"), 7: D("0"),
                        8: D("0"), 9: D("0"), 10: D("0"), 11: D("0"), 12: D("0")}
    assert [u.amount for u in pub.uses] == [D("100.00"), D("20.50"), D("200.00"), D("0.01"), D("9.99")]


def test_publication_of_the_township_rolls_up(uses):
    t = uses
    pub = selectors.publication(t.users["township_organizer"], t.town_a, 2026)
    assert pub.used == D("1380.50")  # 330.50 (一村) + 50 (二村) + 1000 (镇党委)
    purposes = {p.purpose: p.amount for p in pub.by_purpose}
    assert purposes[rules.USE_COMMENDATION] == D("50.00") and purposes[rules.USE_RELIEF] == D("1000.00")
    months = {r.month.month: r.used for r in pub.months}
    assert (months[1], months[3], months[6], months[11]) == (D("120.50"), D("250.01"), D("9.99"), D("1000.00"))
    assert sum(months.values()) == pub.used
    # the county sees 乙镇's use too
    county = selectors.publication(t.users["county_admin"], t.county, 2026)
    assert county.used == D("1935.50")
    assert selectors.publication(t.users["county_admin"], t.county, 2025).used == D("777.00")


def test_publication_members_see_uses_of_their_branch(uses):
    t = uses
    pub = selectors.publication(t.users["member"], t.village_a1, 2026)
    assert pub.used == D("330.50")


def test_publication_page_shows_collection_and_use(uses):
    t = uses
    c = Client()
    c.force_login(t.users["township_organizer"])
    resp = c.get(reverse("dues:publication", args=[t.village_a1.pk, 2026]))
    body = resp.content.decode()
    assert resp.status_code == 200
    assert "收缴、使用情况公示" in body and "党费使用情况另行公示" not in body
    assert 'data-testid="publication-used">330.50<' in body
    assert 'data-testid="purpose-training">100.01<' in body
    assert 'data-testid="used-3">200.01<' in body
    assert "2026年3月5日支委会" in body


def test_uses_page_records_and_lists(branch):
    t = branch.tree
    c = Client()
    c.force_login(branch.secretary)
    url = reverse("dues:uses", args=[t.village_a1.pk])
    assert c.get(url).status_code == 200
    resp = c.post(url, {"used_on": "2026-03-10", "amount": "88.80", "purpose": rules.USE_TRAINING,
                        "decision": "2026年3月支委会", "note": ""})
    assert resp.status_code == 302
    use = DuesUse.objects.get()
    assert (use.org, use.amount, use.used_on) == (t.village_a1, D("88.80"), dt.date(2026, 3, 10))
    page = c.get(url + "?year=2026").content.decode()
    assert "88.80" in page and "培训党员" in page


def test_uses_page_bad_input_shows_errors_writes_nothing(branch):
    t = branch.tree
    c = Client()
    c.force_login(branch.secretary)
    before = row_counts()
    resp = c.post(reverse("dues:uses", args=[t.village_a1.pk]),
                  {"used_on": "2026-03-10", "amount": "-1", "purpose": rules.USE_OTHER, "decision": "会议"})
    assert resp.status_code == 422
    body = resp.content.decode()
    assert rules.AMOUNT_NEGATIVE in body and services.USE_OTHER_NOTE_REQUIRED in body
    assert row_counts() == before


def test_uses_page_404_for_readers_and_out_of_scope(branch):
    t = branch.tree
    for role in ("inspector", "member"):
        c = Client()
        c.force_login(t.users[role])
        assert c.get(reverse("dues:uses", args=[t.village_a1.pk])).status_code == 404
    c = Client()
    c.force_login(t.users["township_organizer"])
    before = row_counts()
    assert c.get(reverse("dues:uses", args=[t.village_b1.pk])).status_code == 404
    resp = c.post(reverse("dues:uses", args=[t.village_b1.pk]),
                  {"used_on": "2026-03-10", "amount": "10", "purpose": rules.USE_TRAINING, "decision": "会议"})
    assert resp.status_code == 404
    assert row_counts() == before
    with pytest.raises(Http404):
        selectors.dues_uses(t.users["township_organizer"], t.village_b1, 2026)
