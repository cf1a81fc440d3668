"""The configurable parameters of membership development (registered with common.settings_registry;
a county administrator changes them through common.services.setting_update, audited). Rules stay pure:
services and selectors call ``current()`` and pass the values in.

The platform's settings hold numbers, so the 2026 revision's effective date is stored as an integer
yyyymmdd (default 20260518, the day the revised 细则 was published on 共产党员网; the reference gives
issued 2026-05-11 and published 2026-05-18 and marks the effective date UNCONFIRMED). A value that is
not a real date falls back to the default rather than stopping every development page.

Imported by RecruitmentConfig.ready(), so the parameters are registered whenever Django is set up.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from dangjian.common import settings_registry
from dangjian.recruitment.rules import Params

EFFECTIVE_2026 = "recruitment.rules_2026_effective"
APPROVAL_CEILING = "recruitment.approval_ceiling_months"
CANDIDATE_NOTICE_DAYS = "recruitment.candidate_notice_workdays"
LOCAL_NOTICE_DAYS = "recruitment.local_notice_workdays"
OATH_MONTHS = "recruitment.oath_months"
LOCAL_ACTIVIST_WAIT = "recruitment.local_activist_wait_months"
REMINDER_DAYS = "recruitment.reminder_days"

DEFAULTS = Params()

settings_registry.register(
    EFFECTIVE_2026, 20260518, "2026年修订《发展党员工作细则》施行日期（YYYYMMDD）",
    "待核实：2026年5月11日印发、5月18日公布。此日及以后的步骤按2026年细则审核，此前按2014年细则。",
    minimum=20140528, maximum=20991231,
)  # fmt: skip
settings_registry.register(
    APPROVAL_CEILING, 6, "接收预备党员审批最长期限（月）",
    "R1.17：党委应在三个月内审批，超过三个月提醒；2014年细则特殊情况最长不超过六个月，超过即不予录入；"
    "2026年细则是否保留最长期限待核实，超过只提醒。", minimum=3, maximum=24,
)  # fmt: skip
settings_registry.register(
    CANDIDATE_NOTICE_DAYS, 5, "发展对象公示期（工作日）",
    "R1.9、R1.26：2026年细则规定公示期不少于五个工作日（各地说法不一，可调整）。", minimum=1, maximum=30,
)  # fmt: skip
settings_registry.register(
    LOCAL_NOTICE_DAYS, 5, "接收预备党员、转正等其他公示期（工作日，地方规定）",
    "R1.26：全国没有统一规定，按本县规定；不足时只提醒。", minimum=1, maximum=30,
)  # fmt: skip
settings_registry.register(OATH_MONTHS, 1, "批准后入党宣誓期限（月）", "R1.19：待核实，超过只提醒。", minimum=1, maximum=12)
settings_registry.register(
    LOCAL_ACTIVIST_WAIT, 0, "递交申请后确定入党积极分子的最短时间（月，地方规定）",
    "R1.4：全国没有统一规定；填0表示不检查，填6表示申请满6个月后才确定（不足时只提醒）。", minimum=0, maximum=24,
)  # fmt: skip
settings_registry.register(REMINDER_DAYS, 30, "发展党员期限提醒天数", "期限在此天数内到期的列入待办。", minimum=0, maximum=366)


def _date_of(raw: Any) -> dt.date:
    raw = int(raw or 0)
    try:
        return dt.date(raw // 10000, raw // 100 % 100, raw % 100)
    except ValueError:
        return DEFAULTS.effective_2026


def effective_2026() -> dt.date:
    return _date_of(settings_registry.get(EFFECTIVE_2026))


def current() -> Params:
    """The county's values, as the pure rules take them (one query: every step's check reads them)."""
    v = settings_registry.get_many([EFFECTIVE_2026, APPROVAL_CEILING, CANDIDATE_NOTICE_DAYS, LOCAL_NOTICE_DAYS,
                                    OATH_MONTHS, LOCAL_ACTIVIST_WAIT, REMINDER_DAYS])
    return Params(
        effective_2026=_date_of(v[EFFECTIVE_2026]),
        approval_ceiling_months=int(v[APPROVAL_CEILING]),
        candidate_notice_workdays=int(v[CANDIDATE_NOTICE_DAYS]),
        local_notice_workdays=int(v[LOCAL_NOTICE_DAYS]),
        oath_months=int(v[OATH_MONTHS]),
        local_activist_wait_months=int(v[LOCAL_ACTIVIST_WAIT]),
        reminder_days=int(v[REMINDER_DAYS]),
    )
