"""Reads about users and their scope."""

from __future__ import annotations

from django.http import Http404

from dangjian.accounts.models import ORG_ROLES, Role, User
from dangjian.common.errors import NotPermitted
from dangjian.common.scope import Scope, merge_paths
from dangjian.orgs.models import Org


def scope_for(user: User) -> Scope:
    """The subtrees ``user`` sees: the orgs assigned to them and everything below, including
    organizations created later (the range covers every path under the assigned one)."""
    if not user.is_authenticated or not user.is_active:
        return Scope()
    if user.role == Role.MEMBER:
        return Scope(own_member_id=user.member_id)
    if user.role not in ORG_ROLES:
        return Scope()
    cached = getattr(user, "_dangjian_scope", None)
    if cached is None:
        cached = Scope(paths=merge_paths(user.orgs.values_list("path", flat=True)))
        user._dangjian_scope = cached  # type: ignore[attr-defined]
    return cached


def home_org(user: User | None) -> Org | None:
    """The organization an event about ``user`` (a login, a token, a setting changed) is filed under
    in the audit log: their first assigned organization, or for a member their own organization.
    The audit log is scoped by organization, so an event filed under none would be seen only by
    administrators of a whole county (see web.selectors.audit_events)."""
    if user is None:
        return None
    if user.role == Role.MEMBER:
        member = user.member
        return member.org if member is not None else None
    return user.orgs.order_by("path").first()


def require_writer(user: User) -> None:
    if not user.can_write:
        raise NotPermitted


def require_county_admin(user: User) -> None:
    if not user.is_county_admin:
        raise Http404
