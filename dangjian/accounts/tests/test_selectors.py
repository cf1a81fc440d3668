"""The subtree a user sees (scope_for), for every role."""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from dangjian.accounts.models import Role
from dangjian.accounts.selectors import require_county_admin, require_writer, scope_for
from dangjian.accounts.services import user_create
from dangjian.common.errors import NotPermitted
from dangjian.orgs.models import Org
from dangjian.testing import PASSWORD, make_org

pytestmark = pytest.mark.django_db


def visible(user):
    return set(Org.objects.filter(scope_for(user).q()).values_list("name", flat=True))


def test_county_admin_sees_the_whole_county(tree):
    assert visible(tree.users["county_admin"]) == set(Org.objects.values_list("name", flat=True))


@pytest.mark.parametrize("role", ["township_organizer", "inspector"])
def test_township_users_see_exactly_their_township(tree, role):
    assert visible(tree.users[role]) == {"中共甲镇委员会", "中共甲镇一村支部委员会", "中共甲镇二村支部委员会"}


def test_branch_secretary_sees_only_the_branch(tree):
    assert visible(tree.users["branch_secretary"]) == {"中共甲镇一村支部委员会"}


def test_member_sees_no_organization_only_themselves(tree):
    s = scope_for(tree.users["member"])
    assert s.is_empty
    assert s.own_member_id == tree.member_a1.pk
    assert visible(tree.users["member"]) == set()


def test_organizations_created_later_are_in_scope(tree):
    organizer = tree.users["township_organizer"]
    scope_for(organizer)  # computed (and cached on this object) before the new branch exists
    make_org(tree.village_a1, "一村第一党小组", "party_group")
    assert "一村第一党小组" in visible(organizer)
    assert "一村第一党小组" in visible(tree.users["branch_secretary"])
    assert "一村第一党小组" not in visible(user_create(
        actor=None, username="b", password=PASSWORD, role=Role.INSPECTOR, orgs=[tree.town_b]))


def test_several_assigned_organizations_are_merged(tree):
    user = user_create(actor=None, username="two", password=PASSWORD, role=Role.INSPECTOR,
                       orgs=[tree.village_a1, tree.town_a, tree.village_b1])
    assert scope_for(user).paths == tuple(sorted([tree.town_a.path, tree.village_b1.path]))


def test_inactive_and_anonymous_users_see_nothing(tree):
    user = tree.users["county_admin"]
    user.is_active = False
    assert scope_for(user).is_empty
    assert scope_for(AnonymousUser()).is_empty


def test_writer_and_admin_checks(tree):
    for role in ("county_admin", "township_organizer", "branch_secretary"):
        require_writer(tree.users[role])
    for role in ("inspector", "member"):
        with pytest.raises(NotPermitted):
            require_writer(tree.users[role])
    require_county_admin(tree.users["county_admin"])
    with pytest.raises(Http404):
        require_county_admin(tree.users["township_organizer"])


def test_sibling_path_prefix_is_not_a_subtree(tree):
    # 乙镇 is a sibling of 甲镇; no path of one may fall in the range of the other.
    assert not scope_for(tree.users["township_organizer"]).contains_path(tree.town_b.path)
    assert tree.town_b.established_on == dt.date(2000, 1, 1)
