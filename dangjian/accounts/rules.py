"""Login security rules as pure functions."""

from __future__ import annotations

import datetime as dt

LOCKED = "登录失败次数过多，账号已被临时锁定，请{minutes}分钟后再试，或联系管理员。"
BAD_CREDENTIALS = "用户名或密码不正确。"


def is_locked(failure_times: list[dt.datetime], *, now: dt.datetime, max_failures: int, window_minutes: int) -> bool:
    """Locked while ``max_failures`` failures fall within the last ``window_minutes``."""
    since = now - dt.timedelta(minutes=window_minutes)
    return sum(1 for t in failure_times if t >= since) >= max_failures


# --- who may change the organization tree (R3.12, R3.3: the higher organization approves) ---------------

CREATE_CHILD = "create_child"
RENAME = "rename"
CHANGE_TYPE = "change_type"
MOVE = "move"
MERGE = "merge"
DISSOLVE = "dissolve"
STRUCTURAL_ACTIONS = frozenset({CREATE_CHILD, RENAME, CHANGE_TYPE, MOVE, MERGE, DISSOLVE})

COUNTY_ADMIN = "county_admin"
BRANCH_SECRETARY = "branch_secretary"
PARTY_GROUP = "party_group"

STRUCTURE_NEEDS_HIGHER = "设立、更名、调整、合并或撤销党组织须经上级党组织批准，应由上级党组织的管理员办理。"


def _inside(path: str, ancestor: str) -> bool:
    return path.startswith(ancestor)


def may_change_structure(*, action: str, role: str, assigned_paths: tuple[str, ...], target_path: str,
                         affected_type: str) -> bool:
    """Structural changes are decided by an organization above the one affected (R3.12: setting up or
    dissolving a village-level organization needs the township committee or higher; R3.3).

    ``create_child``: ``target_path`` is the parent, ``affected_type`` the new organization's type; the
    parent must be in one's subtrees (one's own organization is then above the new one). Otherwise
    ``target_path`` is the organization renamed, retyped, moved, merged or dissolved, and one of
    ``assigned_paths`` must lie strictly above it — except that a county administrator may rename their
    own organization (the root). A branch secretary's changes are limited to party groups (党小组)
    under their own branch; plain attribute edits are not structural and are not decided here."""
    if action not in STRUCTURAL_ACTIONS:
        raise ValueError(action)
    if role == BRANCH_SECRETARY and affected_type != PARTY_GROUP:
        return False
    if action == CREATE_CHILD:
        return any(_inside(target_path, p) for p in assigned_paths)
    if role == COUNTY_ADMIN and action == RENAME and target_path in assigned_paths:
        return True
    return any(_inside(target_path, p) and target_path != p for p in assigned_paths)


def may_manage_account(*, is_county_admin: bool, actor_paths: tuple[str, ...], target_paths: list[str | None]) -> bool:
    """Creating accounts and issuing API tokens: a county administrator whose subtrees cover every
    organization the account will see (and, for a member account, the member's organization). A
    path of None (a member without an organization) is covered by nobody."""
    if not is_county_admin:
        return False
    return all(t is not None and any(_inside(t, p) for p in actor_paths) for t in target_paths)
