"""The dues app's configurable parameters (common.settings_registry): registered when the app loads;
a county administrator changes them through common.services.setting_update (audited). Rules stay
pure — the services and selectors read the values here and pass them in."""

from __future__ import annotations

from decimal import Decimal

from dangjian.common import settings_registry
from dangjian.dues import rules

FARMER_AMOUNT = "dues.farmer_amount"
ARREARS_ALERT_MONTHS = "dues.arrears_alert_months"

settings_registry.register(
    FARMER_AMOUNT, 0.5, "农民党员每月党费（元）",
    "《关于中国共产党党费收缴、使用和管理的规定》第六条：农民党员每月交纳党费0.2元至1元。本县统一标准；"
    "党支部可为个别党员另定（仍须在0.2元至1元之间）。",
    minimum=0.2, maximum=1,
)  # fmt: skip
settings_registry.register(
    ARREARS_ALERT_MONTHS, 3, "欠交党费提醒月数",
    "党员欠交党费达到此月数时列入待办（党章第九条：连续6个月不交纳党费的，按自行脱党处理）。",
    minimum=1, maximum=6,
)  # fmt: skip


def farmer_amount() -> Decimal:
    """The county's farmer amount as Decimal yuan (the setting is stored as JSON, so as a number)."""
    return rules.check_farmer_amount(Decimal(str(settings_registry.get(FARMER_AMOUNT))))


def arrears_alert_months() -> int:
    return int(settings_registry.get(ARREARS_ALERT_MONTHS))

LAPSE_FIRST_ALERT = "dues.lapse_first_alert_months"
LAPSE_SECOND_ALERT = "dues.lapse_second_alert_months"

settings_registry.register(
    LAPSE_FIRST_ALERT, 3, "自行脱党第一次提醒月数",
    "连续未交党费或未参加组织生活达到此月数时列入支部待办（本地做法，党章第九条为6个月）。",
    minimum=1, maximum=5,
)  # fmt: skip
settings_registry.register(
    LAPSE_SECOND_ALERT, 5, "自行脱党第二次提醒月数",
    "连续未交党费或未参加组织生活达到此月数时再次提醒（须小于6个月）。",
    minimum=1, maximum=5,
)  # fmt: skip
