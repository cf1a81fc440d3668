"""Scope is sacred: walk every URL pattern and API route as every role, with ids from inside and
outside the user's subtree, and prove that nothing outside is reachable.

For each route and role: an out-of-scope id must answer exactly like an id that does not exist (404
for a GET; never a success, never a redirect to a success page), a POST with it writes nothing, and
pages without ids never show an out-of-scope member's name, even when searched for by name."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from dangjian.accounts.models import Role
from dangjian.accounts.services import user_create
from dangjian.common.models import AuditEvent
from dangjian.members.models import Member, MembershipEvent
from dangjian.orgs.models import Org, OrgEvent
from dangjian.testing import PASSWORD, make_member, make_org

PLACEHOLDER = re.compile(r"<(?:(?P<conv>[^:>]+):)?(?P<name>[^>]+)>")
NONEXISTENT = 987654321
# Routes that take no id and are meant for anonymous users, or only end a session.
PUBLIC = {"login", "logout"}


def walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p


def all_routes() -> list[tuple[str, str]]:
    routes = []
    for route, pattern in walk(get_resolver().url_patterns):
        route = route.lstrip("^").rstrip("$")
        if route.startswith(("static/", "media/")):
            continue
        routes.append((route, pattern.name or ""))
    return sorted(set(routes))


def kind_of(route: str, start: int, name: str) -> str:
    """Whether the placeholder at ``start`` is an organization id, a member id, or something else."""
    if name == "field":
        return "field"
    if "org" in name:
        return "org"
    if "member" in name:
        return "member"
    before = route[:start].rstrip("/").split("/")
    last = before[-1] if before else ""
    if last in ("orgs", "org"):
        return "org"
    if last in ("members", "member"):
        return "member"
    return "other"


def fill(route: str, ids: dict[str, int]) -> str:
    def sub(m: re.Match) -> str:
        kind = kind_of(route, m.start(), m.group("name"))
        if kind == "field":
            return "id_number"
        return str(ids.get(kind, ids["org"]))

    return "/" + PLACEHOLDER.sub(sub, route)


def has_ids(route: str) -> bool:
    return any(kind_of(route, m.start(), m.group("name")) != "field" for m in PLACEHOLDER.finditer(route))


@dataclass
class World:
    tree: object
    other_org: Org
    other_member: Member


@pytest.fixture
def world(tree) -> World:
    # A second county, so that even the county administrator has something out of scope.
    other_county = make_org(None, "中共邻县委员会", "county_committee")
    other_branch = make_org(other_county, "中共邻县某村支部委员会", "branch", category="rural")
    other_member = make_member(other_branch, name="赵邻县", birth_date=dt.date(1970, 1, 2))
    user_create(actor=None, username="other_admin", password=PASSWORD, role=Role.COUNTY_ADMIN, orgs=[other_county])
    return World(tree, other_branch, other_member)


def roles_with_ids(world: World):
    t = world.tree
    out_county = {"org": world.other_org.pk, "member": world.other_member.pk}
    out_town = {"org": t.village_b1.pk, "member": t.member_b1.pk}
    inside_a = {"org": t.village_a1.pk, "member": t.member_a1.pk}
    out_c = [world.other_member, world.other_org]
    out_t = [t.member_b1, t.village_b1]
    return [
        ("county_admin", {"org": t.village_b1.pk, "member": t.member_b1.pk}, [out_county], out_c),
        ("township_organizer", inside_a, [out_town, out_county], out_t + out_c),
        ("branch_secretary", inside_a, [out_town, out_county, {"org": t.village_a2.pk, "member": t.member_b1.pk}],
         out_t + out_c + [t.village_a2]),
        ("inspector", inside_a, [out_town, out_county], out_t + out_c),
        ("member", inside_a, [out_town, out_county], out_t + out_c),
    ]


def traces(obj) -> list[str]:
    """What of an out-of-scope record may never appear on a page: a member's link and masked ID, an
    organization's full name and link. (A member's name may appear: search boxes echo the query.)"""
    if isinstance(obj, Member):
        return [f"/members/{obj.pk}/", obj.id_number_masked]
    return [obj.name, f"/orgs/{obj.pk}/"]


def query_for(obj) -> str:
    """A search that would find ``obj``: a member's name, or a middle part of an organization's name
    (not the full name, which the search box would echo back)."""
    return obj.name if isinstance(obj, Member) else obj.name[2:6]


def counts() -> tuple[int, ...]:
    return (Member.objects.count(), MembershipEvent.objects.count(), Org.objects.count(), OrgEvent.objects.count(),
            AuditEvent.objects.exclude(action__startswith="login").count())


def body_of(resp) -> str:
    """The response's text, also for streamed downloads (exports)."""
    raw = b"".join(resp.streaming_content) if resp.streaming else resp.content
    return raw.decode(errors="ignore")


def request(client: Client, method: str, url: str):
    if method == "GET":
        return client.get(url)
    return client.post(url, data="{}", content_type="application/json")


def test_routes_are_found():
    routes = all_routes()
    assert any(r.startswith("api/") for r, _ in routes), "API routes missing from the walk"
    assert sum(1 for r, _ in routes if has_ids(r)) >= 10, routes


@pytest.mark.django_db
def test_nothing_outside_scope_is_reachable(world):
    routes = all_routes()
    problems: list[str] = []
    for role, _inside, outsides, hidden in roles_with_ids(world):
        client = Client()
        client.force_login(world.tree.users[role])
        for route, name in routes:
            if name in PUBLIC:
                continue
            if not has_ids(route):
                url = "/" + route
                for query in {query_for(o) for o in hidden}:
                    resp = client.get(url, {"q": query})
                    body = body_of(resp) if resp.status_code == 200 else ""
                    for obj in hidden:
                        for trace in traces(obj):
                            if trace in body:
                                problems.append(f"{role}: GET {url}?q={query} shows out-of-scope {trace}")
                continue
            for method in ("GET", "POST"):
                missing = request(client, method, fill(route, {"org": NONEXISTENT, "member": NONEXISTENT}))
                for ids in outsides:
                    url = fill(route, ids)
                    before = counts()
                    resp = request(client, method, url)
                    if counts() != before:
                        problems.append(f"{role}: {method} {url} wrote something")
                    if 200 <= resp.status_code < 400:
                        problems.append(f"{role}: {method} {url} answered {resp.status_code}")
                    elif resp.status_code != missing.status_code:
                        problems.append(
                            f"{role}: {method} {url} answered {resp.status_code}, a missing id {missing.status_code}"
                        )
                    elif method == "GET" and resp.status_code not in (404, 405):
                        problems.append(f"{role}: GET {url} answered {resp.status_code}, not 404")
    assert not problems, "\n".join(problems)


@pytest.mark.django_db
def test_inside_ids_are_reachable_for_org_users(world):
    """The walk above is only meaningful if the same routes work with ids inside the scope."""
    client = Client()
    client.force_login(world.tree.users["township_organizer"])
    reached = 0
    for route, name in all_routes():
        if not has_ids(route) or name in PUBLIC:
            continue
        resp = client.get(fill(route, {"org": world.tree.village_a1.pk, "member": world.tree.member_a1.pk}))
        if resp.status_code == 200:
            reached += 1
    assert reached >= 5


@pytest.mark.django_db
def test_anonymous_reaches_nothing(world):
    client = Client()
    for route, name in all_routes():
        if name in PUBLIC:
            continue
        url = fill(route, {"org": world.tree.village_a1.pk, "member": world.tree.member_a1.pk})
        resp = client.get(url)
        assert resp.status_code in (302, 401, 404, 405), f"anonymous GET {url} answered {resp.status_code}"
        if resp.status_code == 302:
            assert "/login" in resp["Location"]
