"""The configurable parameters of weak-organization rectification (registered with
common.settings_registry; a county administrator changes them on the 参数设置 page, audited). Rules stay
pure: selectors and services read the values here and pass them in.

Imported by RectificationConfig.ready(), so the parameters are registered whenever Django is set up.
"""

from __future__ import annotations

from dataclasses import dataclass

from dangjian.common import settings_registry

VACANCY_MONTHS = "rectification.secretary_vacancy_months"
DEVELOPMENT_YEARS = "rectification.no_development_years"
SATISFACTION_MIN = "rectification.satisfaction_min_percent"
REVERSE_SHARE = "rectification.reverse_ranking_share_percent"
ORGLIFE_MIN = "rectification.orglife_rate_min_percent"
ASSESSMENT_BOTTOM = "rectification.assessment_bottom_places"
STARS_MIN = "rectification.branch_stars_min"
RECORDS_FROM_YEAR = "rectification.development_records_from_year"
REMINDER_DAYS = "rectification.reminder_days"
FILE_MAX_MB = "rectification.file_max_mb"

settings_registry.register(
    VACANCY_MONTHS, 3, "软弱涣散：书记空缺超过几个月列为候选",
    "E6.12：书记职位空缺3个月以上、工作停滞的，直接确定为软弱涣散。恰好3个月不列入，超过1天即列入。", minimum=1, maximum=24,
)  # fmt: skip
settings_registry.register(
    DEVELOPMENT_YEARS, 2, "软弱涣散：村连续几年无发展对象列为候选",
    "E6.12：（村）连续2年以上未确定发展对象（发展党员）的，列为候选。", minimum=1, maximum=10,
)  # fmt: skip
settings_registry.register(
    SATISFACTION_MIN, 60, "软弱涣散：群众满意度低于（%）列为候选", "E6.12：年度群众满意度低于60%。", minimum=0, maximum=100,
)  # fmt: skip
settings_registry.register(
    REVERSE_SHARE, 10, "软弱涣散：倒排比例参考（%）",
    "E6.11：每年按5%–10%的比例倒排整顿。确认超过“比例×同类党组织数”时只提醒，不阻止；"
    "E6.12：乡镇名额不得平均分配，本平台按全县合计比较（乡镇确认时也按全县）。", minimum=0, maximum=100,
)  # fmt: skip
settings_registry.register(
    ORGLIFE_MIN, 60, "软弱涣散：组织生活合规率低于（%）列为候选",
    "E6.11④、E6.12：“三会一课”、主题党日等不按规定开展。按组织生活完成情况日历，已判定的期次中完成比例低于此值。",
    minimum=0, maximum=100,
)  # fmt: skip
settings_registry.register(
    ASSESSMENT_BOTTOM, 1, "软弱涣散：年度考核倒数几名列为候选",
    "E6.12：年度考核排名末位。另外，考核等次为“差”或被一票否决的也列为候选。", minimum=0, maximum=100,
)  # fmt: skip
settings_registry.register(
    STARS_MIN, 3, "软弱涣散：支部星级低于几星列为候选", "E6.5：浙江将评定为三星以下的列为整顿对象。", minimum=1, maximum=5,
)  # fmt: skip
settings_registry.register(
    RECORDS_FROM_YEAR, 0, "软弱涣散：发展党员记录起始年度",
    "平台开始完整记录发展党员的年度，如 2025；此前的年度不计入“连续几年无发展对象”。0 表示不限。", minimum=0, maximum=2100,
)  # fmt: skip
settings_registry.register(REMINDER_DAYS, 15, "软弱涣散：整顿节点、验收提前提醒天数", minimum=0, maximum=120)
settings_registry.register(FILE_MAX_MB, 20, "软弱涣散：整顿材料文件大小上限（MB）", minimum=1, maximum=200)


@dataclass(frozen=True)
class Params:
    vacancy_months: int = 3
    development_years: int = 2
    satisfaction_min: float = 60
    reverse_share: float = 10
    orglife_min: float = 60
    assessment_bottom: int = 1
    stars_min: int = 3
    records_from_year: int = 0
    reminder_days: int = 15
    file_max_mb: float = 20


def current() -> Params:
    """The county's values in one query."""
    v = settings_registry.get_many([VACANCY_MONTHS, DEVELOPMENT_YEARS, SATISFACTION_MIN, REVERSE_SHARE, ORGLIFE_MIN,
                                    ASSESSMENT_BOTTOM, STARS_MIN, RECORDS_FROM_YEAR, REMINDER_DAYS, FILE_MAX_MB])
    return Params(
        vacancy_months=int(v[VACANCY_MONTHS]), development_years=int(v[DEVELOPMENT_YEARS]),
        satisfaction_min=float(v[SATISFACTION_MIN]), reverse_share=float(v[REVERSE_SHARE]),
        orglife_min=float(v[ORGLIFE_MIN]), assessment_bottom=int(v[ASSESSMENT_BOTTOM]), stars_min=int(v[STARS_MIN]),
        records_from_year=int(v[RECORDS_FROM_YEAR]), reminder_days=int(v[REMINDER_DAYS]),
        file_max_mb=float(v[FILE_MAX_MB]),
    )  # fmt: skip
