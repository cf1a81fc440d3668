"""Ready-made scheme trees from the reference's local examples (domain-rules.md §6.2, E6.6–E6.10):
configurable starting points, not law. A template fills the tree of a new draft scheme; everything
in it can then be edited like any other draft."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dangjian.assessment import rules as R


@dataclass(frozen=True)
class T:
    """One node: title, points (leaves), method, source, indicator, params, standard, children."""

    title: str
    points: str = "0"
    method: str = R.M_MANUAL
    source: str = R.SRC_MANUAL
    indicator: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    standard: str = ""
    children: tuple[T, ...] = ()


@dataclass(frozen=True)
class Template:
    key: str
    label: str
    kind: str
    source: str
    nodes: tuple[T, ...]


def _ded(title: str, points: str, per: str, cap: str, standard: str) -> T:
    return T(title, points, R.M_DEDUCTION, params={"per": per, "cap": cap}, standard=standard)


TEMPLATES = {
    t.key: t
    for t in (
        Template(
            "e6_6_taoyuan", "E6.6 桃源县“四考一综评”（乡镇党委）", R.KIND_TOWNSHIP, "domain-rules.md E6.6",
            (
                T("日常考核", children=(T("日常督查", "20", source=R.SRC_INSPECTION,
                                          standard="督查组随机到乡镇检查，多次督查取平均分。"),)),
                T("班子运行考核", children=(T("班子运行情况", "20", standard="班子团结、民主集中制执行、议事规则落实。"),)),
                T("单位绩效考核", children=(
                    T("督办任务按时完成率", "10", R.M_PROPORTIONAL, R.SRC_PLATFORM, "supervision_on_time"),
                    T("组织生活合规率", "10", R.M_PROPORTIONAL, R.SRC_PLATFORM, "orglife_compliance"),
                )),
                T("述职评议考核", children=(T("述职评议", "40", source=R.SRC_EVALUATION,
                                            standard="县委全会评议24分、本单位评议16分（E6.6）。"),)),
            ),
        ),
        Template(
            "e6_7_fuding", "E6.7 福鼎市“书记抓、抓书记”第一责任（乡镇党委，90分）", R.KIND_TOWNSHIP, "domain-rules.md E6.7",
            (
                T("党委书记履行第一责任人职责", children=(
                    _ded("党委每季度至少研究一次基层党建", "10", "5", "10", "每少一次扣5分。"),
                    T("年度工作计划以党委文件印发", "10", R.M_PASS_FAIL),
                    T("与村党组织签订责任书", "10", R.M_PASS_FAIL),
                    _ded("每季度听取支部书记抓党建汇报", "10", "5", "10", "每少一次扣5分。"),
                    T("每半年向市委组织部报告", "10", R.M_PASS_FAIL),
                    T("建立党建联系点", "10", R.M_PASS_FAIL),
                    _ded("书记每月到联系点", "10", "2", "10", "每少一次扣2分。"),
                    _ded("书记到联系点讲党课", "10", "5", "5", "未讲扣5分。"),
                    T("为联系点办1至2件实事", "10", standard="按办实事情况评分。"),
                )),
            ),
        ),
        Template(
            "e6_10_puxian", "E6.10 蒲县驻村第一书记百分制（目标70+民主测评20+督查10）", R.KIND_VILLAGE, "domain-rules.md E6.10",
            (
                T("目标管理", children=(T("目标任务完成情况", "70"),)),
                T("民主测评", children=(T("民主测评", "20", source=R.SRC_EVALUATION),)),
                T("督查", children=(T("日常督查", "10", source=R.SRC_INSPECTION),)),
            ),
        ),
        Template(
            "platform", "平台监测指标（自动计算，村党组织）", R.KIND_VILLAGE, "Dangjian 的业务记录",
            (
                T("平台监测", children=(
                    T("组织生活合规率", "30", R.M_PROPORTIONAL, R.SRC_PLATFORM, "orglife_compliance"),
                    T("党费收缴率", "20", R.M_PROPORTIONAL, R.SRC_PLATFORM, "dues_rate"),
                    T("党员学时达标率", "20", R.M_PROPORTIONAL, R.SRC_PLATFORM, "class_hours"),
                    T("督办任务按时完成率", "30", R.M_PROPORTIONAL, R.SRC_PLATFORM, "supervision_on_time"),
                )),
            ),
        ),
    )
}
TEMPLATE_LABELS = {k: t.label for k, t in TEMPLATES.items()}
