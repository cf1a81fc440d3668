"""Creating user accounts."""

import pytest

from config.settings import base as base_settings
from dangjian.accounts import services
from dangjian.accounts.models import Role, User
from dangjian.common.models import AuditEvent
from dangjian.common.tests.helpers import assert_rejected
from dangjian.testing import PASSWORD

pytestmark = pytest.mark.django_db


def test_create_org_user_writes_one_audit_event(tree):
    actor = tree.users["county_admin"]
    before = AuditEvent.objects.count()
    user = services.user_create(actor=actor, username="new", password=PASSWORD, role=Role.TOWNSHIP_ORGANIZER,
                                display_name="新组织委员", orgs=[tree.town_b])
    assert list(user.orgs.all()) == [tree.town_b]
    assert AuditEvent.objects.count() == before + 1
    e = AuditEvent.objects.get(action="user.create", target_id=str(user.pk))
    assert e.actor == actor and e.org == tree.town_b
    assert e.changes["role"] == [None, Role.TOWNSHIP_ORGANIZER]
    assert PASSWORD not in str(e.changes)


@pytest.mark.parametrize("role", [Role.COUNTY_ADMIN, Role.TOWNSHIP_ORGANIZER, Role.BRANCH_SECRETARY, Role.INSPECTOR])
def test_org_roles_need_an_organization(tree, role):
    assert_rejected(lambda: services.user_create(actor=None, username="x", password=PASSWORD, role=role, orgs=[]),
             services.ORG_ROLE_NEEDS_ORG, field="orgs")


def test_member_role_needs_the_member_record(tree):
    assert_rejected(lambda: services.user_create(actor=None, username="x", password=PASSWORD, role=Role.MEMBER),
             services.MEMBER_ROLE_NEEDS_MEMBER, field="member")


def test_passwords_are_hashed_with_argon2(tree, settings):
    settings.PASSWORD_HASHERS = base_settings.PASSWORD_HASHERS  # the production list, not the tests' fast one
    user = services.user_create(actor=None, username="argon", password=PASSWORD, role=Role.INSPECTOR, orgs=[tree.town_a])
    stored = User.objects.get(pk=user.pk).password
    assert stored.startswith("argon2$")
    assert PASSWORD not in stored


def test_api_token_is_shown_once_and_only_its_hash_stored(tree):
    user = tree.users["township_organizer"]
    token = services.user_issue_api_token(actor=tree.users["county_admin"], user=user)
    user.refresh_from_db()
    assert user.api_token_hash == services.token_hash(token)
    assert token not in user.api_token_hash
    assert AuditEvent.objects.filter(action="user.api_token", target_id=str(user.pk)).count() == 1


def test_only_the_system_or_a_covering_county_administrator_makes_accounts(tree):
    from dangjian.common.errors import NotPermitted

    for role in ("township_organizer", "branch_secretary", "inspector", "member"):
        with pytest.raises(NotPermitted):
            services.user_create(actor=tree.users[role], username=f"x_{role}", password=PASSWORD,
                                 role=Role.BRANCH_SECRETARY, orgs=[tree.village_a1])
        with pytest.raises(NotPermitted):
            services.user_issue_api_token(actor=tree.users[role], user=tree.users["branch_secretary"])
    # A county administrator of one township only cannot hand out another township.
    narrow = services.user_create(actor=None, username="narrow", password=PASSWORD, role=Role.COUNTY_ADMIN,
                                  orgs=[tree.town_a])
    with pytest.raises(NotPermitted):
        services.user_create(actor=narrow, username="y", password=PASSWORD, role=Role.TOWNSHIP_ORGANIZER,
                             orgs=[tree.town_b])
    with pytest.raises(NotPermitted):
        services.user_create(actor=narrow, username="z", password=PASSWORD, role=Role.MEMBER, member=tree.member_b1)
    assert not User.objects.filter(username__in=["y", "z"]).exists()
    assert services.user_issue_api_token(actor=narrow, user=tree.users["branch_secretary"])
