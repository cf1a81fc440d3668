"""Scope: ids outside the caller's subtree answer exactly like ids that do not exist (404), on every
API route and through every id a request body carries, and nothing is written."""

from __future__ import annotations

import datetime as dt

import pytest

from dangjian.api.tests.conftest import row_counts
from dangjian.testing import valid_id_number

pytestmark = pytest.mark.django_db
NONEXISTENT = 987654321


def member_body(org: int) -> dict:
    birth = dt.date(1991, 2, 3)
    return {
        "org": org, "name": "钱进", "sex": "1", "birth_date": birth.isoformat(), "id_number": valid_id_number(birth),
        "education": "bachelor", "personnel_category": "worker", "date": "2015-01-01",
    }


def path_cases(org: int, member: int) -> list[tuple[str, str, dict | None]]:
    """Every route with an id in its path, with a body that would be valid for an id in scope."""
    return [
        ("GET", f"/api/orgs/{org}", None),
        ("PATCH", f"/api/orgs/{org}", {"version": 1, "contact_phone": "0571-1"}),
        ("GET", f"/api/orgs/{org}/children", None),
        ("GET", f"/api/orgs/{org}/counts", None),
        ("GET", f"/api/orgs/{org}/members", None),
        ("GET", f"/api/orgs/{org}/events", None),
        ("POST", f"/api/orgs/{org}/rename", {"name": "中共某村委员会", "date": "2021-01-01"}),
        ("POST", f"/api/orgs/{org}/change-type", {"org_type": "general_branch", "date": "2021-01-01"}),
        ("POST", f"/api/orgs/{org}/dissolve", {"date": "2021-01-01"}),
        ("GET", f"/api/members/{member}", None),
        ("PATCH", f"/api/members/{member}", {"version": 1, "job": "会计"}),
        ("GET", f"/api/members/{member}/timeline", None),
        ("POST", f"/api/members/{member}/reveal", {"field": "id_number"}),
        ("POST", f"/api/members/{member}/events", {"kind": "went_mobile", "date": "2020-01-01"}),
    ]


def body_cases(inside_org: int, inside_member: int, org: int) -> list[tuple[str, str, dict | None]]:
    """Routes reached with an id in scope, but pointing at an organization out of scope."""
    return [
        ("GET", f"/api/orgs?parent={org}", None),
        ("GET", f"/api/members?org={org}", None),
        ("POST", "/api/orgs", {"parent": org, "name": "中共新村支部委员会", "code": "NEW1", "org_type": "branch",
                               "established_on": "2021-01-01"}),
        ("PATCH", f"/api/orgs/{inside_org}", {"version": 1, "approving_org_id": org}),
        ("POST", f"/api/orgs/{inside_org}/move", {"parent": org, "date": "2021-01-01"}),
        ("POST", f"/api/orgs/{org}/move", {"parent": inside_org, "date": "2021-01-01"}),
        ("POST", f"/api/orgs/{inside_org}/merge", {"into": org, "date": "2021-01-01"}),
        ("POST", f"/api/orgs/{org}/merge", {"into": inside_org, "date": "2021-01-01"}),
        ("POST", "/api/members", member_body(org)),
        ("POST", f"/api/members/{inside_member}/events", {"kind": "transfer", "date": "2021-01-01", "to_org": org}),
        ("POST", f"/api/members/{inside_member}/events",
         {"kind": "transfer", "date": "2021-01-01", "from_org": org, "to_org": inside_org}),
    ]


def outside_cases(tree, role: str) -> list[tuple[int, int]]:
    """(org id, member id) pairs the role must not reach."""
    other_town = [(tree.village_b1.pk, tree.member_b1.pk), (tree.town_b.pk, tree.member_b1.pk)]
    if role == "branch_secretary":
        return [*other_town, (tree.village_a2.pk, tree.member_b1.pk), (tree.town_a.pk, tree.member_b1.pk)]
    return other_town


@pytest.mark.parametrize("role", ["township_organizer", "branch_secretary", "inspector"])
def test_out_of_scope_ids_answer_404_like_missing_ids_and_write_nothing(tree, as_role, role):
    caller = as_role(role)
    inside_org, inside_member = tree.village_a1.pk, tree.member_a1.pk
    def cases(org: int, member: int) -> list[tuple[str, str, dict | None]]:
        return path_cases(org, member) + body_cases(inside_org, inside_member, org)

    missing = [caller.call(m, u, b) for m, u, b in cases(NONEXISTENT, NONEXISTENT)]
    for org, member in outside_cases(tree, role):
        for (method, url, body), as_missing in zip(cases(org, member), missing, strict=True):
            before = row_counts()
            resp = caller.call(method, url, body)
            assert resp.status_code == 404, (role, method, url, resp.status_code, resp.content.decode())
            assert as_missing.status_code == 404, (method, url)
            assert resp.json() == as_missing.json(), (method, url)  # no hint that it exists
            assert row_counts() == before, (method, url)


def test_a_member_reaches_nothing_but_themselves(tree, as_role):
    caller = as_role("member")
    for method, url, body in path_cases(tree.village_a1.pk, tree.member_b1.pk):
        before = row_counts()
        resp = caller.call(method, url, body)
        assert resp.status_code == 404, (method, url, resp.content.decode())
        assert row_counts() == before
    assert caller.get("/api/orgs").json()["count"] == 0


def test_the_same_ids_work_inside_the_scope(tree, api_as):
    """The 404s above mean something only because the same requests succeed for an id in scope."""
    caller = api_as("township_organizer")
    for method, url, _ in path_cases(tree.village_a1.pk, tree.member_a1.pk):
        if method == "GET":
            assert caller.get(url).status_code == 200, url
    assert caller.post(f"/api/members/{tree.member_a1.pk}/reveal", {"field": "id_number"}).status_code == 200
    assert caller.get(f"/api/members?org={tree.village_a1.pk}").status_code == 200
    assert caller.get(f"/api/orgs?parent={tree.town_a.pk}").status_code == 200


def test_non_numeric_ids_are_404(tree, api_as):
    caller = api_as("county_admin")
    for url in ["/api/orgs/abc", "/api/members/abc", "/api/orgs/1.5/children", "/api/members/x/timeline"]:
        resp = caller.get(url)
        assert resp.status_code == 404, url


def test_every_api_route_is_covered_by_the_scope_test(tree, api_as):
    """A new route must be added to the cases above (or to the list of routes without ids)."""
    without_ids = {("GET", "/api/me"), ("GET", "/api/orgs"), ("POST", "/api/orgs"), ("GET", "/api/members"),
                   ("POST", "/api/members")}
    covered = set(without_ids)
    for method, url, _ in path_cases(1, 2) + body_cases(1, 2, 1):
        path = url.split("?")[0].replace("/1", "/{org_id}").replace("/2", "/{member_id}")
        covered.add((method, path))
    schema = api_as("county_admin").get("/api/openapi.json").json()
    # The other apps' routers prove their own routes in their tests/test_scope.py, and the every-route
    # walk in tests/test_scope_every_route.py covers them too.
    own = ("/api/dues/", "/api/orglife/", "/api/ledgers/", "/api/recruitment/", "/api/supervision/", "/api/assessment/",
           "/api/points/", "/api/rectification/")
    routes = {(m.upper(), p) for p, ops in schema["paths"].items() for m in ops if not p.startswith(own)}
    assert routes - covered == set()
    assert len(routes) >= 20
