"""Selectors: scope of reads (a member sees only themselves), the work queue's items at their
boundary days, and the organization page's panel."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404

from dangjian.points import selectors, services
from dangjian.points.tests.conftest import PNG, TODAY


def kinds(items):
    return sorted((i.kind, i.org.name if i.org else "", i.severity) for i in items)


def test_reads_are_scoped(world):
    t = world.tree
    other = services.scheme_create(actor=world.admin, org=t.village_b1, year=2026, template="E6.1", today=TODAY)
    county = services.scheme_create(actor=world.admin, org=t.county, year=2026, template="E6.4", today=TODAY)
    assert selectors.scheme_get(world.secretary, county.pk) == county  # a scheme above applies: visible
    for user in (world.secretary, world.organizer, t.users["inspector"]):
        with pytest.raises(Http404):
            selectors.scheme_get(user, other.pk)
    with pytest.raises(Http404):
        selectors.scheme_get(t.users["member"], world.scheme.pk)
    # A member sees their own points only.
    own = selectors.member_points(t.users["member"], t.member_a1, 2026, today=TODAY)
    assert own.total is not None and own.total.total.total == 60
    with pytest.raises(Http404):
        selectors.member_points(t.users["member"], world.zhang, 2026, today=TODAY)
    with pytest.raises(Http404):
        selectors.member_points(world.secretary, t.member_b1, 2026, today=TODAY)
    with pytest.raises(Http404):
        selectors.branch_table(t.users["member"], t.village_a1, 2026)
    with pytest.raises(Http404):
        selectors.entry_get(world.secretary, "abc")


def test_work_items_pending_objection_posting_rating(world):
    t = world.tree
    e = services.entry_add(actor=world.secretary, member=world.zhang, item=world.item("为群众办实事、做好事"),
                           date=dt.date(2026, 9, 1), reason="x", evidence=[SimpleUploadedFile("a.png", PNG)],
                           today=TODAY)
    # The one who entered it has nothing to approve; the township has.
    sec_items = selectors.work_items(world.secretary, dt.date(2026, 10, 5))
    org_items = selectors.work_items(world.organizer, dt.date(2026, 10, 5))
    assert "points_pending" not in {i.kind for i in sec_items}
    assert ("points_pending", t.village_a1.name, "warning") in kinds(org_items)
    # Q3 ended 30 September: posting due within 15 days (warning), red after.
    assert ("points_posting_due", t.village_a1.name, "warning") in kinds(sec_items)
    assert ("points_posting_due", t.village_a1.name, "danger") in kinds(
        selectors.work_items(world.secretary, dt.date(2026, 10, 16)))
    assert ("points_posting_due", t.village_a1.name, "warning") in kinds(
        selectors.work_items(world.secretary, dt.date(2026, 10, 15)))
    assert "points_posting_due" not in {i.kind for i in selectors.work_items(t.users["inspector"], dt.date(2026, 10, 5))}
    services.entry_decide(actor=world.organizer, entry=e, approve=True, today=dt.date(2026, 10, 5))
    posting = services.posting_publish(actor=world.secretary, org=t.village_a1, year=2026, quarter=3,
                                       today=dt.date(2026, 10, 5))
    services.objection_file(actor=world.secretary, posting=posting, member=world.zhang, reason="偏低",
                            today=dt.date(2026, 10, 6))
    items = selectors.work_items(world.secretary, dt.date(2026, 10, 7))
    assert "points_posting_due" not in {i.kind for i in items}
    assert ("points_objection", t.village_a1.name, "warning") in kinds(items)
    assert ("points_objection", t.village_a1.name, "danger") in kinds(
        selectors.work_items(world.secretary, dt.date(2026, 10, 10)))  # notice period ended 9 October
    # Year-end rating: info in December, warning in January, danger after 31 January (default 31 days).
    assert ("points_rating_due", t.village_a1.name, "info") in kinds(selectors.work_items(world.secretary, dt.date(2026, 12, 1)))
    assert "points_rating_due" not in {i.kind for i in selectors.work_items(world.secretary, dt.date(2026, 11, 30))}
    assert ("points_rating_due", t.village_a1.name, "warning") in kinds(
        selectors.work_items(world.secretary, dt.date(2027, 1, 31)))
    services.ratings_finalize(actor=world.secretary, org=t.village_a1, year=2026, today=dt.date(2027, 1, 5))
    assert "points_rating_due" not in {i.kind for i in selectors.work_items(world.secretary, dt.date(2027, 1, 20))}
    assert selectors.work_items(t.users["member"], dt.date(2026, 10, 7)) == []


def test_org_panel(world):
    t = world.tree
    panel = selectors.org_panel(world.secretary, t.village_a1, TODAY)
    assert panel is not None and panel.is_branch and panel.members == 2 and panel.unqualified == 0
    assert dict((s, n) for s, _, n in panel.distribution)[1] == 2
    assert selectors.org_panel(world.secretary, t.village_b1, TODAY) is None  # out of scope
    assert selectors.org_panel(world.organizer, t.village_a2, TODAY) is None  # nothing there
    assert selectors.org_panel(world.organizer, t.town_a, TODAY) is None  # nothing rated yet
    services.ratings_finalize(actor=world.secretary, org=t.village_a1, year=2026, today=dt.date(2026, 12, 20))
    up = selectors.org_panel(world.organizer, t.town_a, dt.date(2026, 12, 21))
    assert up is not None and not up.is_branch and up.members == 2 and up.year == 2026


def test_org_panel_template_renders(world):
    from django.template.loader import render_to_string

    services.branch_rating_open(actor=world.organizer, org=world.tree.village_a1, rater=world.tree.town_a, year=2026,
                                today=TODAY)
    panel = selectors.org_panel(world.secretary, world.tree.village_a1, TODAY)
    html = render_to_string("points/_org_panel.html", {"panel": panel})
    assert 'data-testid="points-panel"' in html and "一星 2" in html and "评定中" in html
    assert f"/points/orgs/{world.tree.village_a1.pk}/" in html


def test_township_gets_one_summary_item_not_one_per_branch(world):
    t = world.tree
    services.scheme_create(actor=world.admin, org=t.town_a, year=2026, template="E6.4", today=TODAY)
    items = [i for i in selectors.work_items(world.organizer, dt.date(2026, 10, 5)) if i.kind == "points_posting_due"]
    assert [(i.org, i.severity) for i in items] == [(t.town_a, "warning")]
    assert items[0].title == f"{t.town_a.name}：2个党支部2026年第3季度积分尚未公示"
    assert "甲镇一村" in items[0].detail or t.village_a1.name in items[0].detail
