"""Login security rules as pure functions."""

from __future__ import annotations

import datetime as dt

LOCKED = "登录失败次数过多，账号已被临时锁定，请{minutes}分钟后再试，或联系管理员。"
BAD_CREDENTIALS = "用户名或密码不正确。"


def is_locked(failure_times: list[dt.datetime], *, now: dt.datetime, max_failures: int, window_minutes: int) -> bool:
    """Locked while ``max_failures`` failures fall within the last ``window_minutes``."""
    since = now - dt.timedelta(minutes=window_minutes)
    return sum(1 for t in failure_times if t >= since) >= max_failures
