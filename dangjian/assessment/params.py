"""The configurable parameters of assessment (registered with common.settings_registry; a county
administrator changes them on the 参数设置 page, audited). Rules stay pure: services and selectors read
the values here and pass them in. Imported by AssessmentConfig.ready()."""

from __future__ import annotations

from decimal import Decimal

from dangjian.common import settings_registry

NOTICE_DAYS = "assessment.notice_days"
SELF_REMINDER_DAYS = "assessment.self_reminder_days"
EVAL_GOOD = "assessment.eval_value_good"
EVAL_FAIR = "assessment.eval_value_fair"
EVAL_AVERAGE = "assessment.eval_value_average"
EVAL_POOR = "assessment.eval_value_poor"

settings_registry.register(
    NOTICE_DAYS, 5, "考核结果公示天数（新方案的默认值）",
    "考核结果公示期（自然日），各方案可以另行设定。", minimum=1, maximum=30,
)  # fmt: skip
settings_registry.register(
    SELF_REMINDER_DAYS, 7, "考核自评、审核截止提醒天数", "截止日期在此天数内的列入待办。", minimum=0, maximum=60,
)  # fmt: skip
settings_registry.register(EVAL_GOOD, 100, "述职评议“好”票折合（%）", "每张“好”票按本群体分值的百分之几计。",
                           minimum=0, maximum=100)
settings_registry.register(EVAL_FAIR, 80, "述职评议“较好”票折合（%）", minimum=0, maximum=100)
settings_registry.register(EVAL_AVERAGE, 60, "述职评议“一般”票折合（%）", minimum=0, maximum=100)
settings_registry.register(EVAL_POOR, 0, "述职评议“差”票折合（%）", minimum=0, maximum=100)


def notice_days() -> int:
    return int(settings_registry.get(NOTICE_DAYS))


def reminder_days() -> int:
    return int(settings_registry.get(SELF_REMINDER_DAYS))


def eval_values() -> dict[str, Decimal]:
    v = settings_registry.get_many([EVAL_GOOD, EVAL_FAIR, EVAL_AVERAGE, EVAL_POOR])
    return {"good": Decimal(str(v[EVAL_GOOD])), "fair": Decimal(str(v[EVAL_FAIR])),
            "average": Decimal(str(v[EVAL_AVERAGE])), "poor": Decimal(str(v[EVAL_POOR]))}
