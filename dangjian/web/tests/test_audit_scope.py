"""Who sees which audit rows: by the organization's current place in the tree; org-less rows only
for administrators of a whole tree. Two counties, each with its own administrator."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from dangjian.accounts.models import Role
from dangjian.accounts.services import user_create, user_issue_api_token
from dangjian.common import services as common_services
from dangjian.common import settings_registry
from dangjian.common.models import AuditEvent
from dangjian.orgs import services as org_services
from dangjian.testing import PASSWORD, make_org
from dangjian.web import selectors
from dangjian.web.selectors import AuditFilters

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_counties(tree):
    other = make_org(None, "中共邻县委员会", "county_committee")
    admin_b = user_create(actor=None, username="county_b", password=PASSWORD, role=Role.COUNTY_ADMIN,
                          display_name="邻县管理员", orgs=[other])
    # A county administrator of part of the tree only (no root organization in scope).
    partial = user_create(actor=None, username="town_b_admin", password=PASSWORD, role=Role.COUNTY_ADMIN,
                          display_name="乙镇片区管理员", orgs=[tree.town_b])
    return other, admin_b, partial


def actions(user, **filters):
    return {(e.action, e.actor_name, e.target_id, e.reason) for e in selectors.audit_events(user, AuditFilters(**filters))}


def test_logins_tokens_and_settings_are_filed_under_the_actors_organization(tree, two_counties):
    other, admin_b, partial = two_counties
    c = Client()
    resp = c.post(reverse("web:login"), {"username": "county_b", "password": PASSWORD})
    assert resp.status_code == 302
    key, param = next((k, p) for k, p in settings_registry.REGISTRY.items() if isinstance(p.default, int)
                      and not isinstance(p.default, bool))
    common_services.setting_update(actor=admin_b, key=key, value=settings_registry.get(key))
    user_issue_api_token(actor=None, user=admin_b)
    Client().post(reverse("web:login"), {"username": "no-such-person-张三", "password": "x"})
    Client().post(reverse("web:login"), {"username": "town_a", "password": "wrong"})

    for action in ("login.ok", "setting.update", "user.api_token"):
        row = AuditEvent.objects.filter(action=action).latest("id")
        assert row.org == other, action
    failed_known = AuditEvent.objects.filter(action="login.failed", reason__contains="town_a").get()
    assert failed_known.org == tree.town_a

    admin_a = tree.users["county_admin"]
    seen_by_a = actions(admin_a)
    assert not any(a[1] == "邻县管理员" for a in seen_by_a)
    assert not any(a[0] == "user.api_token" and a[2] == str(admin_b.pk) for a in seen_by_a)
    assert any(a[0] == "login.failed" and "town_a" in a[3] for a in seen_by_a)
    seen_by_b = actions(admin_b)
    assert {"login.ok", "setting.update", "user.api_token"} <= {a[0] for a in seen_by_b if a[1] in ("邻县管理员", "系统")}
    assert not any(a[0] == "login.failed" and "town_a" in a[3] for a in seen_by_b)
    # Org-less rows (a name typed by anyone): whole-tree administrators only.
    assert any("no-such-person" in a[3] for a in seen_by_a)
    assert any("no-such-person" in a[3] for a in seen_by_b)
    assert not any("no-such-person" in a[3] for a in actions(partial))
    assert not any(a[0] == "login.failed" and "town_a" in a[3] for a in actions(partial))

    # And on the page.
    page = Client()
    page.force_login(partial)
    body = page.get(reverse("web:audit")).content.decode()
    assert "no-such-person" not in body and "邻县管理员" not in body


def test_rows_follow_the_organizations_current_place_in_the_tree(tree, two_counties):
    _, _, partial = two_counties
    va2 = tree.village_a2
    about_va2 = {"target_type": "orgs.org", "target_id": str(va2.pk)}
    assert not actions(partial, **about_va2)
    org_services.org_move(actor=tree.users["county_admin"], org=va2, new_parent=tree.town_b,
                          date=va2.established_on.replace(year=2024), doc_number="县委组〔2024〕1号")
    created = AuditEvent.objects.filter(action="org.create", target_id=str(va2.pk)).get()
    assert not created.org_path.startswith(tree.town_b.path)  # the snapshot is stale
    assert any(a[0] == "org.create" for a in actions(partial, **about_va2))
    organizer_scope_admin = user_create(actor=None, username="town_a_admin", password=PASSWORD,
                                        role=Role.COUNTY_ADMIN, orgs=[tree.town_a])
    assert not any(a[0] == "org.create" for a in actions(organizer_scope_admin, **about_va2))
    by_org = actions(partial, org=tree.town_b)
    assert any(a[0] == "org.create" and a[2] == str(va2.pk) for a in by_org)
