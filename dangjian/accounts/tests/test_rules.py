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
