"""Writes to user accounts."""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction

from dangjian.accounts import rules
from dangjian.accounts.models import ORG_ROLES, Role, User
from dangjian.accounts.selectors import home_org
from dangjian.common.audit import audit_record
from dangjian.common.errors import NotPermitted, ServiceError
from dangjian.members.models import Member
from dangjian.orgs.models import Org

ORG_ROLE_NEEDS_ORG = "管理员、组织委员、支部书记和督查员至少要分配一个党组织。"
MEMBER_ROLE_NEEDS_MEMBER = "党员账号必须关联本人的党员档案。"


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    username: str,
    password: str,
    role: str,
    display_name: str = "",
    orgs: list[Org] | None = None,
    member: Member | None = None,
) -> User:
    _check_account_admin(actor, list(orgs or []), member)
    if role in ORG_ROLES and not orgs:
        raise ServiceError(ORG_ROLE_NEEDS_ORG, "orgs")
    if role == Role.MEMBER and member is None:
        raise ServiceError(MEMBER_ROLE_NEEDS_MEMBER, "member")
    user = User.objects.create_user(username=username, password=password, role=role, display_name=display_name, member=member)
    if orgs:
        user.orgs.set(orgs)
    audit_record(
        actor=actor, action="user.create", org=orgs[0] if orgs else home_org(user), target=user,
        changes={"role": [None, role], "orgs": [None, [o.name for o in orgs or []]]},
    )
    return user


def _check_account_admin(actor: User | None, orgs: list[Org], member: Member | None) -> None:
    """Accounts are made by the system (actor None) or by a county administrator whose subtrees
    cover everything the account will see."""
    if actor is None:
        return
    from dangjian.accounts.selectors import scope_for

    targets: list[str | None] = [o.path for o in orgs]
    if member is not None:
        targets.append(member.org.path if member.org_id and member.org else None)
    if not rules.may_manage_account(is_county_admin=actor.is_county_admin, actor_paths=scope_for(actor).paths,
                                    target_paths=targets):
        raise NotPermitted


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def user_issue_api_token(*, actor: User | None, user: User) -> str:
    """A new API token for ``user``; only its hash is stored, so it is shown once. ``actor`` None is
    the system (the ``issue_token`` command, run from the server's shell)."""
    _check_account_admin(actor, list(user.orgs.all()), user.member)
    token = secrets.token_urlsafe(32)
    user.api_token_hash = token_hash(token)
    user.save(update_fields=["api_token_hash"])
    audit_record(actor=actor, action="user.api_token", org=home_org(user) or home_org(actor), target=user)
    return token
