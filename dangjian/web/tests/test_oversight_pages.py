"""Supervision, assessment, points and rectification on the shared pages: the organization page shows
each app's card for an organization that has something in it, the home page's work queue carries their
items, and the 督办考核 menu links each app (members get 我的积分 instead)."""

from __future__ import annotations

import importlib

import pytest
from django.urls import reverse
from django.utils import timezone

from dangjian.supervision import services as supervision_services
from dangjian.web.selectors import org_panels, work_queue

pytestmark = pytest.mark.django_db
APPS = ("supervision", "assessment", "points", "rectification")
PANELS = ("supervision-panel", "assessment-panel", "points-panel", "rectification-panel")


@pytest.fixture
def objects(tree, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    admin = tree.users["county_admin"]
    for app in APPS:
        importlib.import_module(f"dangjian.{app}.tests.scope_objects").make(admin, tree.village_a1, tree.town_a)


def test_the_organization_page_shows_every_apps_card(tree, objects, as_role):
    body = as_role("township_organizer").get(reverse("web:org_detail", args=[tree.village_a1.pk])).content.decode()
    for testid in PANELS:
        assert f'data-testid="{testid}"' in body, testid
    assert [p.template for p in org_panels(tree.users["township_organizer"], tree.village_a1, tree.village_a1.established_on)]


def test_an_organization_with_nothing_has_no_cards(tree, as_role):
    body = as_role("township_organizer").get(reverse("web:org_detail", args=[tree.village_a2.pk])).content.decode()
    assert 'data-testid="org-panels"' not in body


def test_a_new_task_reaches_the_receivers_work_queue_and_home_page(tree, as_role):
    import datetime as dt

    today = timezone.localdate()
    supervision_services.task_issue(actor=tree.users["county_admin"], issuer=tree.county, title="四季度党建重点任务",
                                    deadline=today + dt.timedelta(days=30), receiver_orgs=[tree.village_a1],
                                    today=today)  # fmt: skip
    items = [i for i in work_queue(tree.users["branch_secretary"], today) if i.kind == "supervision"]
    assert [i.title for i in items] == ["四季度党建重点任务：请签收"]
    assert "四季度党建重点任务：请签收" in as_role("branch_secretary").get(reverse("web:home")).content.decode()
    # The township organizer is not assigned to the village: not reminded of every village's item.
    assert not [i for i in work_queue(tree.users["township_organizer"], today) if i.kind == "supervision"]


def test_the_menu_links_each_app_and_members_get_their_points(as_role):
    body = as_role("township_organizer").get(reverse("web:home")).content.decode()
    for name in ("supervision:task_list", "assessment:home", "points:home", "rectification:home"):
        assert f'href="{reverse(name)}"' in body, name
    member = as_role("member").get(reverse("web:home")).content.decode()
    assert f'href="{reverse("points:mine")}"' in member and reverse("supervision:task_list") not in member
