"""The configurable parameters of organizational life (registered with common.settings_registry; a
county administrator changes them through common.services.setting_update, audited). Rules stay pure:
the selectors and services read the values here and pass them in.

Imported by OrglifeConfig.ready(), so the parameters are registered whenever Django is set up.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dangjian.common import settings_registry
from dangjian.orglife import rules

LECTURE_PERIOD = "orglife.party_lecture_period_months"
GREEN_MIN = "orglife.compliance_green_min"
AMBER_MIN = "orglife.compliance_amber_min"
MEMBER_TARGET = "orglife.class_hours_member_target"
COMMITTEE_TARGET = "orglife.class_hours_committee_target"
HOURS_PER_DAY = "orglife.class_hours_per_day"
HOURS_PER_HALF_DAY = "orglife.class_hours_per_half_day"
HOURS_PER_STUDY_HOUR = "orglife.class_hours_per_study_hour"
USE_RECORDED_HOURS = "orglife.class_hours_use_recorded"
MOBILE_AWAY_EXCUSED = "orglife.mobile_away_excused"
FILE_MAX_MB = "orglife.file_max_mb"
RECORDS_START = "orglife.records_start_month"
DUE_REMINDER_DAYS = "orglife.due_reminder_days"
HOURS_WARN_FROM_MONTH = "orglife.class_hours_warn_from_month"

settings_registry.register(
    LECTURE_PERIOD, 3, "党课频次（每几个月至少1次）",
    "§3.2：来源不一（每季度、每学期两次、至少每半年），待核实。应为1、2、3、4、6或12；"
    "其他值按不超过它的最大可选值计（如5按4计）。", minimum=1, maximum=12,
)  # fmt: skip
settings_registry.register(GREEN_MIN, 90, "组织生活合规率：绿色下限（%）", "合规率不低于此值为绿色。", minimum=0, maximum=100)
settings_registry.register(AMBER_MIN, 70, "组织生活合规率：黄色下限（%）", "不低于此值、低于绿色下限为黄色，其余为红色。",
                           minimum=0, maximum=100)
settings_registry.register(MEMBER_TARGET, 32, "党员年度学时要求", "R5.1：党员每年集中学习培训不少于32学时。", minimum=0, maximum=500)
settings_registry.register(
    COMMITTEE_TARGET, 56, "书记、委员年度学时要求",
    "R5.1：基层党组织书记和班子成员每年不少于56学时（当年任过支委职务的党员适用）。", minimum=0, maximum=500,
)  # fmt: skip
settings_registry.register(HOURS_PER_DAY, 8, "培训1天折合学时", "R5.1 地方示例：1天计8学时。", minimum=0, maximum=24)
settings_registry.register(HOURS_PER_HALF_DAY, 4, "培训半天折合学时", "R5.1 地方示例：半天计4学时。", minimum=0, maximum=12)
settings_registry.register(HOURS_PER_STUDY_HOUR, 1, "集体学习每小时折合学时", "R5.1 地方示例：学习会1小时计1学时。",
                           minimum=0, maximum=10)
settings_registry.register(
    USE_RECORDED_HOURS, True, "计入学习的会议按记录的学时计",
    "是：会议记录填写了学时的，按填写的学时计；否：一律按会议时长×每小时折合学时计。",
)  # fmt: skip
settings_registry.register(
    MOBILE_AWAY_EXCUSED, False, "“外出流动”缺席视为有正当理由",
    "R2.14、R5.4：流动党员应在流入地参加组织生活。默认“否”：流出地记“外出流动”的月份仍计入连续未参加月数，"
    "除非其在流入地参加了组织生活。",
)  # fmt: skip
settings_registry.register(FILE_MAX_MB, 20, "会议照片、附件大小上限（MB）", minimum=1, maximum=200)
settings_registry.register(
    RECORDS_START, 0, "组织生活记录起始年月（YYYYMM）",
    "平台开始记录组织生活的月份，如 202601；此前的月份不计入合规日历和连续未参加月数。0 表示不限。",
    minimum=0, maximum=999912,
)  # fmt: skip
settings_registry.register(DUE_REMINDER_DAYS, 31, "会议到期提醒天数", "本期还剩不超过此天数且尚未开展的会议列入待办。",
                           minimum=0, maximum=366)
settings_registry.register(HOURS_WARN_FROM_MONTH, 10, "学时不足提醒起始月份", "从本月起把学时不足的党员列入待办（默认第四季度）。",
                           minimum=1, maximum=12)


def value(key: str) -> float:
    return settings_registry.get(key)


def records_start() -> dt.date | None:
    """The first day of the month set as ``orglife.records_start_month`` (YYYYMM), or None."""
    raw = int(settings_registry.get(RECORDS_START) or 0)
    year, month = divmod(raw, 100)
    if raw <= 0 or not 1 <= month <= 12 or year < 1900:
        return None
    return dt.date(year, month, 1)


@dataclass(frozen=True)
class Crediting:
    """学时计算规则 (R5.1), as the county has set it."""

    hours_per_day: float
    hours_per_half_day: float
    per_study_hour: float
    use_recorded: bool


def crediting() -> Crediting:
    return Crediting(
        hours_per_day=value(HOURS_PER_DAY), hours_per_half_day=value(HOURS_PER_HALF_DAY),
        per_study_hour=value(HOURS_PER_STUDY_HOUR), use_recorded=bool(settings_registry.get(USE_RECORDED_HOURS)),
    )  # fmt: skip


@dataclass(frozen=True)
class Targets:
    member: float
    committee: float


def targets() -> Targets:
    return Targets(member=value(MEMBER_TARGET), committee=value(COMMITTEE_TARGET))


def lecture_period_months() -> int:
    return rules.normalized_period_months(int(value(LECTURE_PERIOD)))


def bands() -> tuple[float, float]:
    """(green minimum, amber minimum), in %."""
    return value(GREEN_MIN), value(AMBER_MIN)


def approved_reasons() -> frozenset[str]:
    return rules.approved_reasons(mobile_away_excused=bool(settings_registry.get(MOBILE_AWAY_EXCUSED)))
