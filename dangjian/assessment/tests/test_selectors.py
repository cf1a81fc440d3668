"""Work items (self-assessment due, review pending, notice ending), the organization panel, scope of
the accessors, and published_rankings for rectification."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.http import Http404

from dangjian.assessment import selectors, services
from dangjian.assessment.models import Result
from dangjian.assessment.tests.conftest import TODAY, World, self_values

pytestmark = pytest.mark.django_db


def kinds(items):
    return sorted((i.kind, i.org.name, i.severity) for i in items)


def test_work_items_through_the_round(active: World):
    t = active.tree
    sec, town, admin = t.users["branch_secretary"], t.users["township_organizer"], t.users["county_admin"]
    # Self-assessment due 12-25: within 7 days of 12-20 → warning; after it → danger.
    assert kinds(selectors.work_items(sec, TODAY)) == [("assessment_self_due", "中共甲镇一村支部委员会", "warning")]
    assert kinds(selectors.work_items(sec, dt.date(2026, 12, 26)))[0][2] == "danger"
    assert kinds(selectors.work_items(sec, dt.date(2026, 11, 1)))[0][2] == "info"
    # The township owns the scheme: it reviews, it does not self-assess.
    assert selectors.work_items(town, TODAY) == []
    assert selectors.work_items(t.users["inspector"], TODAY) == []
    assert selectors.work_items(t.users["member"], TODAY) == []
    r1 = active.result(t.village_a1)
    services.self_assess(actor=sec, result=r1, values=self_values(active, "8", "0", "1", "0", "3"))
    services.result_submit(actor=sec, result=r1, today=TODAY)
    assert selectors.work_items(sec, TODAY) == []
    review = selectors.work_items(town, TODAY)
    # Review due 12-31: 11 days away on 12-20 → info; within 7 days → warning.
    assert kinds(review) == [("assessment_review", "中共甲镇一村支部委员会", "info")]
    assert kinds(selectors.work_items(town, dt.date(2026, 12, 24)))[0][2] == "warning"
    assert review[0].url.endswith(f"/assessment/results/{r1.pk}/review/")
    assert kinds(selectors.work_items(admin, TODAY)) == [("assessment_review", "中共甲镇一村支部委员会", "info")]
    assert selectors.work_items(t.users["branch_secretary"], TODAY) == []


def test_notice_work_item_and_org_panel(active: World):
    t = active.tree
    town, admin = t.users["township_organizer"], t.users["county_admin"]
    assert selectors.org_panel(t.users["branch_secretary"], t.village_a1).status_label == "待自评"
    for r in Result.objects.filter(scheme=active.scheme):
        services.self_assess(actor=town, result=r, values=self_values(active, "8", "0", "1", "0", "3"))
        services.result_submit(actor=town, result=r, today=TODAY)
        services.result_review(actor=admin, result=r, decisions={}, today=TODAY)
    services.scheme_finalize(actor=town, scheme=active.scheme, today=TODAY)
    services.scheme_publish(actor=town, scheme=active.scheme, start=dt.date(2026, 12, 21), today=TODAY)
    items = selectors.work_items(town, dt.date(2026, 12, 24))
    assert [(i.kind, i.due, i.severity) for i in items] == [("assessment_notice", dt.date(2026, 12, 25), "info")]
    assert selectors.work_items(town, dt.date(2026, 12, 26))[0].severity == "warning"
    panel = selectors.org_panel(t.users["branch_secretary"], t.village_a1)
    assert panel is not None and panel.status_label == "公示中"
    # 8 + 10 (no deduction) + 5 (passed) + rank item shared first place 5 = 28, both villages alike.
    assert (panel.result.total, panel.result.rank, panel.result.of_total) == (D("28.00"), 1, 2)
    assert selectors.org_panel(t.users["township_organizer"], t.village_b1) is None


def test_scope_of_accessors(active: World):
    t = active.tree
    r2 = active.result(t.village_a2)
    sec = t.users["branch_secretary"]
    with pytest.raises(Http404):
        selectors.result_get(sec, r2.pk)
    assert selectors.result_get(t.users["inspector"], r2.pk) == r2
    # 乙镇's users do not see 甲镇's scheme at all; a draft is seen by its owner's side only.
    other = services.scheme_copy(actor=t.users["township_organizer"], scheme=active.scheme, year=2027)
    assert other not in selectors.schemes_visible(sec)
    assert other in selectors.schemes_visible(t.users["inspector"])
    for user in (t.users["member"],):
        with pytest.raises(Http404):
            selectors.scheme_get(user, active.scheme.pk)
    with pytest.raises(Http404):
        selectors.node_get(sec, "abc")


def test_published_rankings_only_public_rounds(active: World):
    t = active.tree
    assert selectors.published_rankings(t.county, 2026) == []
    town, admin = t.users["township_organizer"], t.users["county_admin"]
    for r, manual in zip(Result.objects.filter(scheme=active.scheme).order_by("org__path"), ("8", "9"), strict=True):
        services.self_assess(actor=town, result=r, values=self_values(active, manual, "0", "1", "0", "3"))
        services.result_submit(actor=town, result=r, today=TODAY)
        services.result_review(actor=admin, result=r, decisions={}, today=TODAY)
    services.scheme_finalize(actor=town, scheme=active.scheme, today=TODAY)
    assert selectors.published_rankings(t.county, 2026) == []  # final but not published yet
    services.scheme_publish(actor=town, scheme=active.scheme, today=TODAY)
    got = selectors.published_rankings(t.county, 2026)
    assert [(r.org_id, r.rank, r.of_total, r.total, r.vetoed, r.scheme_name) for r in got] == [
        (t.village_a2.pk, 1, 2, D("29.00"), False, "村党组织党建工作考核"),
        (t.village_a1.pk, 2, 2, D("28.00"), False, "村党组织党建工作考核")]
    assert selectors.published_rankings(t.town_b, 2026) == []
