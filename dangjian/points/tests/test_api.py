"""/api/points/ (the router, mounted here on an API with the real authentication and error handlers,
as the lead mounts it on dangjian.api.api): a member's points, a branch's table, the roll-up; a member
sees only themselves, out-of-scope ids are 404."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import path
from ninja import NinjaAPI

from dangjian.accounts.services import user_issue_api_token
from dangjian.api.api import api as real_api
from dangjian.api.auth import session_auth, token_auth
from dangjian.points import services
from dangjian.points.api import router
from dangjian.points.tests.conftest import PNG, TODAY
from dangjian.testing import make_member

test_api = NinjaAPI(urls_namespace="points_api_test", auth=[token_auth, session_auth])
test_api._exception_handlers = dict(real_api._exception_handlers)  # the same 404/422/409 answers
test_api.add_router("/points", router, url_name_prefix="points_test")
urlpatterns = [path("api/", test_api.urls)]


@pytest.fixture
def call(tree, settings):
    settings.ROOT_URLCONF = __name__

    def get(role, url, params=None):
        token = user_issue_api_token(actor=None, user=tree.users[role])
        return Client().get(url, params or {}, headers={"Authorization": f"Bearer {token}"})

    return get


def test_member_points_and_scope(world, call):
    e = services.entry_add(actor=world.secretary, member=world.tree.member_a1, item=world.item("为群众办实事、做好事"),
                           date=dt.date(2026, 3, 1), reason="帮扶", quantity=2,
                           evidence=[SimpleUploadedFile("a.png", PNG)], today=TODAY)
    services.entry_decide(actor=world.organizer, entry=e, approve=True, today=TODAY)
    li = world.tree.member_a1
    r = call("member", f"/api/points/members/{li.pk}", {"year": 2026})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["total"]["total"] == "64" and body["total"]["stars"] == 1 and body["total"]["stars_label"] == "一星"
    assert [(x["item"], x["points"], x["status"]) for x in body["entries"]] == [("为群众办实事、做好事", "4", "approved")]
    # The member sees only themselves; the branch sees both; another township sees neither.
    assert call("member", f"/api/points/members/{world.zhang.pk}", {"year": 2026}).status_code == 404
    assert call("branch_secretary", f"/api/points/members/{world.zhang.pk}", {"year": 2026}).status_code == 200
    nf = call("branch_secretary", f"/api/points/members/{world.tree.member_b1.pk}", {"year": 2026})
    assert nf.status_code == 404 and "未找到" in nf.json()["detail"]


def test_branch_table_and_rollup(world, call):
    r = call("inspector", f"/api/points/orgs/{world.tree.village_a1.pk}/table", {"year": 2026})
    assert r.status_code == 200
    body = r.json()
    assert {row["name"]: row["total"] for row in body["rows"]} == {"张伟": "60", "李明": "60"}
    assert body["distribution"] == {"5": 0, "4": 0, "3": 0, "2": 0, "1": 2, "0": 0}
    assert len(body["items"]) == 10
    assert call("member", f"/api/points/orgs/{world.tree.village_a1.pk}/table").status_code == 404
    assert call("township_organizer", f"/api/points/orgs/{world.tree.village_b1.pk}/table").status_code == 404
    services.ratings_finalize(actor=world.secretary, org=world.tree.village_a1, year=2026, today=dt.date(2026, 12, 20))
    roll = call("county_admin", f"/api/points/orgs/{world.tree.county.pk}/rollup", {"year": 2026}).json()
    assert roll["counts"] == {"1": 2} and roll["rated"] == 2 and roll["unqualified"] == 0


def test_an_entry_under_a_scheme_that_no_longer_applies_is_kept_but_not_counted(world, call):
    """甲镇二村 records under the county's scheme, then makes its own: the old entry stays, marked not counted."""
    wang = make_member(world.tree.village_a2, name="王强", birth_date=dt.date(1990, 5, 5), date=dt.date(2016, 7, 1),
                       joined_on=dt.date(2016, 7, 1))
    county = services.scheme_create(actor=world.admin, org=world.tree.county, year=2026, template="E6.1", today=TODAY)
    e = services.entry_add(actor=world.organizer, member=wang, item=county.items.get(name="为群众办实事、做好事"),
                           date=dt.date(2026, 3, 1), reason="帮扶", evidence=[SimpleUploadedFile("a.png", PNG)], today=TODAY)
    services.entry_decide(actor=world.admin, entry=e, approve=True, today=TODAY)
    before = call("township_organizer", f"/api/points/members/{wang.pk}", {"year": 2026}).json()
    assert before["total"]["total"] == "62" and before["entries"][0]["counted_in_scheme"] is True
    services.scheme_create(actor=world.admin, org=world.tree.village_a2, year=2026, template="E6.1", today=TODAY)
    after = call("township_organizer", f"/api/points/members/{wang.pk}", {"year": 2026}).json()
    assert after["total"]["total"] == "60"
    assert [(x["id"], x["counted_in_scheme"]) for x in after["entries"]] == [(e.pk, False)]
