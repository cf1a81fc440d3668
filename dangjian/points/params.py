"""The configurable parameters of member points and star ratings (registered with
common.settings_registry; a county administrator changes them on 参数设置, audited). Rules stay pure:
services and selectors read the values here and pass them in.

Imported by PointsConfig.ready(), so the parameters are registered whenever Django is set up.
"""

from __future__ import annotations

from decimal import Decimal

from dangjian.common import settings_registry
from dangjian.points import rules

OBJECTION_DAYS = "points.objection_days"
POSTING_DUE_DAYS = "points.posting_due_days"
DUES_GRACE_DAYS = "points.dues_grace_days"
RATING_DUE_DAYS = "points.rating_due_days"
BRANCH_FLAG_BELOW = "points.branch_flag_below_stars"
BRANCH_BANDS = tuple(f"points.branch_star_{n}" for n in range(1, 6))
BRANCH_BAND_DEFAULTS = (60, 70, 80, 90, 100)

settings_registry.register(
    OBJECTION_DAYS, 5, "积分季度公示期（天）", "E6.1：每季度末公示积分，党员可在公示期内提出异议。", minimum=1, maximum=60,
)  # fmt: skip
settings_registry.register(
    POSTING_DUE_DAYS, 15, "季度积分公示期限（季度结束后天数）",
    "季度结束后多少天内应完成公示；此前进入待办提醒，逾期标红。", minimum=1, maximum=90,
)  # fmt: skip
settings_registry.register(
    DUES_GRACE_DAYS, 0, "按时交纳党费：月末后宽限天数",
    "自动计分“按时足额交纳党费”：当月最后一天（加宽限天数）前足额交纳即计分，预交也计分。", minimum=0, maximum=31,
)  # fmt: skip
settings_registry.register(
    RATING_DUE_DAYS, 31, "年终评星定级期限（次年天数）", "上一年度党员评星定级应在次年多少天内完成。", minimum=1, maximum=180,
)  # fmt: skip
settings_registry.register(
    BRANCH_FLAG_BELOW, 3, "党组织星级低于几星标注为整顿对象",
    "E6.5：浙江将评定为三星以下的党组织列为整顿对象（地方做法，待核实）。", minimum=1, maximum=5,
)  # fmt: skip
for _n, (_key, _default) in enumerate(zip(BRANCH_BANDS, BRANCH_BAND_DEFAULTS, strict=True), start=1):
    settings_registry.register(
        _key, _default, f"党组织评星定级：{rules.STAR_LABELS[_n]}最低分",
        "E6.5：党组织以100分为基础，全年加减分，可超过100分；分数线为本平台的默认值，待各地核实。",
        minimum=0, maximum=300,
    )  # fmt: skip


def value(key: str) -> int:
    return int(settings_registry.get(key))


def branch_bands() -> list[str]:
    """The branch-rating bands in force, as strings (stored on a new rating so later changes leave it)."""
    values = settings_registry.get_many(list(BRANCH_BANDS))
    return [str(Decimal(str(values[k]))) for k in BRANCH_BANDS]
