"""The configurable parameters of supervision (common.settings_registry; a county administrator changes
them on 参数设置, audited). Rules stay pure: callers read the values here and pass them in.
Imported by SupervisionConfig.ready()."""

from __future__ import annotations

from dangjian.common import settings_registry

REMINDER_DAYS = "supervision.reminder_days"
EVIDENCE_MAX_MB = "supervision.evidence_max_mb"

settings_registry.register(
    REMINDER_DAYS, 5, "督办任务到期提醒天数",
    "完成时限前此天数内（含当天）未完成的事项亮“临期”黄灯，并列入承办单位的待办。", minimum=0, maximum=60,
)  # fmt: skip
settings_registry.register(EVIDENCE_MAX_MB, 20, "督办佐证材料单个文件大小上限（MB）", "图片、PDF、Word、Excel 文件。",
                           minimum=1, maximum=100)  # fmt: skip


def reminder_days() -> int:
    return int(settings_registry.get(REMINDER_DAYS))


def evidence_max_mb() -> float:
    return float(settings_registry.get(EVIDENCE_MAX_MB))
