"""登录锁定 as a pure rule: locked while N failures fall within the window."""

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from dangjian.accounts import rules

NOW = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)


def ago(minutes: float) -> dt.datetime:
    return NOW - dt.timedelta(minutes=minutes)


def test_below_the_limit_is_not_locked():
    assert not rules.is_locked([ago(1)] * 4, now=NOW, max_failures=5, window_minutes=15)


def test_at_the_limit_is_locked():
    assert rules.is_locked([ago(1)] * 5, now=NOW, max_failures=5, window_minutes=15)


def test_failures_on_the_window_edge_count_and_older_ones_do_not():
    assert rules.is_locked([ago(15)] * 5, now=NOW, max_failures=5, window_minutes=15)
    assert not rules.is_locked([ago(15.01)] * 5, now=NOW, max_failures=5, window_minutes=15)
    assert not rules.is_locked([ago(1)] * 4 + [ago(16)], now=NOW, max_failures=5, window_minutes=15)


def test_no_failures():
    assert not rules.is_locked([], now=NOW, max_failures=1, window_minutes=15)


@given(
    minutes=st.lists(st.integers(min_value=0, max_value=120), max_size=20),
    max_failures=st.integers(min_value=1, max_value=10),
    window=st.integers(min_value=1, max_value=60),
)
def test_locked_iff_enough_failures_inside_the_window(minutes, max_failures, window):
    times = [ago(m) for m in minutes]
    inside = sum(1 for m in minutes if m <= window)
    assert rules.is_locked(times, now=NOW, max_failures=max_failures, window_minutes=window) == (inside >= max_failures)


def test_locked_message_names_the_wait():
    assert "15分钟" in rules.LOCKED.format(minutes=15)


# --- who may change the organization tree ----------------------------------------------------------------

COUNTY, TOWN, VILLAGE, GROUP = "0001", "00010001", "000100010001", "0001000100010001"


def may(action, role, assigned, target, affected="branch"):
    return rules.may_change_structure(action=action, role=role, assigned_paths=assigned, target_path=target,
                                      affected_type=affected)


def test_structural_changes_need_an_organization_strictly_above():
    """R3.12 / R3.3: the higher organization decides; one's own organization cannot restructure itself."""
    for action in (rules.RENAME, rules.CHANGE_TYPE, rules.MOVE, rules.MERGE, rules.DISSOLVE):
        assert may(action, "township_organizer", (TOWN,), VILLAGE)
        assert not may(action, "township_organizer", (TOWN,), TOWN, "township_committee")
        assert may(action, "county_admin", (COUNTY,), TOWN, "township_committee")
        assert not may(action, "township_organizer", (TOWN,), "00010002", "township_committee")
    assert may(rules.CREATE_CHILD, "township_organizer", (TOWN,), TOWN)  # a new village under the township
    assert may(rules.CREATE_CHILD, "county_admin", (COUNTY,), COUNTY, "township_committee")


def test_a_county_administrator_may_rename_the_root_but_not_dissolve_or_move_it():
    assert may(rules.RENAME, "county_admin", (COUNTY,), COUNTY, "county_committee")
    for action in (rules.CHANGE_TYPE, rules.MOVE, rules.MERGE, rules.DISSOLVE):
        assert not may(action, "county_admin", (COUNTY,), COUNTY, "county_committee")


def test_a_branch_secretary_manages_only_party_groups_under_the_branch():
    assert may(rules.CREATE_CHILD, "branch_secretary", (VILLAGE,), VILLAGE, "party_group")
    assert may(rules.DISSOLVE, "branch_secretary", (VILLAGE,), GROUP, "party_group")
    assert not may(rules.CREATE_CHILD, "branch_secretary", (VILLAGE,), VILLAGE, "branch")
    assert not may(rules.RENAME, "branch_secretary", (VILLAGE,), VILLAGE, "branch")
    assert not may(rules.DISSOLVE, "branch_secretary", (VILLAGE,), VILLAGE, "branch")


def test_accounts_are_managed_by_a_county_administrator_covering_them():
    assert rules.may_manage_account(is_county_admin=True, actor_paths=(COUNTY,), target_paths=[TOWN, VILLAGE])
    assert not rules.may_manage_account(is_county_admin=True, actor_paths=(TOWN,), target_paths=[TOWN, "00010002"])
    assert not rules.may_manage_account(is_county_admin=False, actor_paths=(COUNTY,), target_paths=[VILLAGE])
    assert not rules.may_manage_account(is_county_admin=True, actor_paths=(COUNTY,), target_paths=[None])
