"""Who the members of each kind of organization are: sex, age, education, occupation, jobs.

The mix aims at the national statistics bulletin (党内统计公报, 2023: about 30% women, 7.6% ethnic
minorities, 56% 大专及以上, age bands ≤30 12% · 31-35 11% · 36-40 11% · 41-45 9% · 46-50 9% ·
51-55 11% · 56-60 10% · 61+ 28%; occupations 工人 7% · 农牧渔民 26% · 专业技术人员 16% · 管理人员 11% ·
党政机关 8% · 学生 3% · 其他 9% · 离退休 21%), bent the way a rural county bends it: village members
are older, more often men and less schooled; agencies, schools and hospitals younger and more
educated; hardly any students (they hold their relation at their university, outside the county).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from dangjian.members.codes import AGE_BANDS

# Index order of the age-band weights below, as the bulletin (codes.AGE_BANDS) lists them.
BAND_BOUNDS = [(18, 30), (31, 35), (36, 40), (41, 45), (46, 50), (51, 55), (56, 60), (61, 99)]
assert len(BAND_BOUNDS) == len(AGE_BANDS)
EDU_CODES = ["doctorate", "master", "bachelor", "college", "secondary_vocational", "high_school", "junior_high"]


@dataclass(frozen=True)
class Profile:
    key: str
    female: float  # share of women
    age_bands: tuple[float, ...]  # weights for BAND_BOUNDS
    min_age: int  # youngest member (school leavers start work at 22, say)
    edu: tuple[tuple[int, tuple[float, ...]], ...]  # (up to age, weights over EDU_CODES), ascending
    occupations: tuple[tuple[str, float], ...]  # before retirement age
    join_age: tuple[float, float]  # mean, spread of the age at admission
    retired_by_age: bool = True  # over retirement age → 离退休人员 (not for farmers)
    mobile_rate: float = 0.0  # 流动党员
    transfer_in_rate: float = 0.03  # came from outside the county
    transfer_out_rate: float = 0.02  # left the county
    transfer_rate: float = 0.05  # moved between organizations of the county
    jobs: dict[str, tuple[str, ...]] = field(default_factory=dict)
    max_age: int = 99


def _edu(*rows: tuple[int, tuple[float, ...]]) -> tuple[tuple[int, tuple[float, ...]], ...]:
    return tuple(rows)


PROFILES: dict[str, Profile] = {}


def _add(p: Profile) -> None:
    PROFILES[p.key] = p


_add(Profile(
    "village", female=0.2, age_bands=(6, 6, 6, 7, 9, 12, 13, 41), min_age=18,
    edu=_edu((35, (0, 0.5, 14, 28, 12, 25, 20.5)), (50, (0, 0, 4, 11, 9, 30, 46)), (65, (0, 0, 1, 3, 5, 28, 63)),
             (120, (0, 0, 0.3, 1.2, 2.5, 14, 82))),
    occupations=(("farmer", 74), ("worker", 9), ("other", 10), ("manager", 2), ("professional", 2), ("student", 0.5)),
    join_age=(31, 9), retired_by_age=False, mobile_rate=0.1, transfer_in_rate=0.01, transfer_out_rate=0.012,
    transfer_rate=0.03,
    jobs={"farmer": ("村民", "种养大户", "脐橙种植户", "村民小组长", "村务监督委员会委员"),
          "worker": ("外出务工人员", "建筑工", "电子厂工人"), "other": ("村委会委员", "村干部", "个体经营户", "乡村医生"),
          "manager": ("合作社负责人", "家庭农场主"), "professional": ("乡村教师", "村卫生室医生")},
))
_add(Profile(
    "community", female=0.42, age_bands=(5, 5, 6, 7, 8, 10, 11, 48), min_age=18,
    edu=_edu((35, (0, 2, 35, 35, 8, 12, 8)), (55, (0, 1, 16, 26, 12, 26, 19)), (120, (0, 0, 6, 13, 12, 30, 39))),
    occupations=(("other", 32), ("worker", 20), ("manager", 16), ("professional", 16), ("farmer", 6), ("student", 1)),
    join_age=(29, 8), mobile_rate=0.04, transfer_in_rate=0.03, transfer_out_rate=0.015, transfer_rate=0.05,
    jobs={"other": ("社区工作者", "个体经营户", "网格员", "自由职业"), "worker": ("物业维修工", "快递员", "司机"),
          "manager": ("个体工商户负责人", "店长"), "professional": ("会计", "社工师")},
))
_add(Profile(
    "township_organ", female=0.3, age_bands=(18, 16, 14, 13, 13, 12, 11, 3), min_age=21,
    edu=_edu((40, (0, 4, 70, 22, 2, 2, 0)), (55, (0, 2, 44, 40, 8, 6, 0)), (120, (0, 0, 22, 44, 16, 18, 0))),
    occupations=(("official", 94), ("worker", 4), ("other", 2)),
    join_age=(24, 4), transfer_in_rate=0.05, transfer_out_rate=0.03, transfer_rate=0.12,
    jobs={"official": ("科员", "一级科员", "四级主任科员", "党政办主任", "组织委员", "纪委书记", "副镇长", "统计员"),
          "worker": ("驾驶员", "工勤人员"), "other": ("乡镇事业站所人员",)},
))
_add(Profile(
    "agency", female=0.33, age_bands=(14, 14, 14, 14, 14, 14, 14, 2), min_age=21,
    edu=_edu((40, (0.3, 13, 72, 13, 1, 0.7, 0)), (55, (0.2, 6, 55, 30, 5, 3.8, 0)), (120, (0, 2, 35, 40, 10, 13, 0))),
    occupations=(("official", 90), ("professional", 5), ("worker", 5)),
    join_age=(24, 4), transfer_in_rate=0.05, transfer_out_rate=0.03, transfer_rate=0.08,
    jobs={"official": ("科员", "一级科员", "四级主任科员", "三级主任科员", "股长", "副局长", "办公室主任"),
          "professional": ("记者", "编辑", "工程师"), "worker": ("驾驶员", "工勤人员")},
))
_add(Profile(
    "police", female=0.15, age_bands=(16, 15, 14, 14, 14, 14, 12, 1), min_age=21,
    edu=_edu((40, (0, 6, 74, 19, 1, 0, 0)), (120, (0, 2, 48, 40, 6, 4, 0))),
    occupations=(("official", 95), ("worker", 5)),
    join_age=(23, 3), transfer_in_rate=0.04, transfer_out_rate=0.02, transfer_rate=0.04,
    jobs={"official": ("民警", "一级警长", "副所长", "教导员", "四级高级警长"), "worker": ("辅警", "驾驶员")},
))
_add(Profile(
    "retired_cadre", female=0.22, age_bands=(0, 0, 0, 0, 0, 0, 6, 94), min_age=55,
    edu=_edu((120, (0, 0.5, 18, 30, 20, 22, 9.5)),),
    occupations=(("retired", 100),), join_age=(28, 6), transfer_in_rate=0.0, transfer_out_rate=0.003,
    transfer_rate=0.0, jobs={"retired": ("退休干部",)},
))
_add(Profile(
    "school", female=0.55, age_bands=(19, 15, 13, 13, 13, 12, 12, 3), min_age=22,
    edu=_edu((40, (0, 10, 76, 13, 1, 0, 0)), (55, (0, 3, 62, 32, 3, 0, 0)), (120, (0, 1, 45, 42, 12, 0, 0))),
    occupations=(("professional", 86), ("manager", 10), ("worker", 4)),
    join_age=(23, 3), transfer_in_rate=0.04, transfer_out_rate=0.025, transfer_rate=0.07,
    jobs={"professional": ("语文教师", "数学教师", "英语教师", "物理教师", "班主任", "体育教师", "思政教师"),
          "manager": ("校长", "副校长", "教务主任", "政教主任"), "worker": ("后勤人员", "会计")},
))
_add(Profile(
    "retired_teacher", female=0.45, age_bands=(0, 0, 0, 0, 0, 0, 8, 92), min_age=55,
    edu=_edu((120, (0, 0, 26, 44, 25, 5, 0)),),
    occupations=(("retired", 100),), join_age=(27, 5), transfer_in_rate=0.0, transfer_out_rate=0.003,
    transfer_rate=0.0, jobs={"retired": ("退休教师",)},
))
_add(Profile(
    "retired_staff", female=0.4, age_bands=(0, 0, 0, 0, 0, 0, 10, 90), min_age=50,
    edu=_edu((120, (0, 0, 20, 38, 26, 12, 4)),),
    occupations=(("retired", 100),), join_age=(28, 5), transfer_in_rate=0.0, transfer_out_rate=0.003,
    transfer_rate=0.0, jobs={"retired": ("退休职工",)},
))
_add(Profile(
    "student", female=0.55, age_bands=(100, 0, 0, 0, 0, 0, 0, 0), min_age=18,
    edu=_edu((120, (0, 0, 0, 0, 55, 45, 0)),),
    occupations=(("student", 100),), join_age=(18.3, 0.4), retired_by_age=False, transfer_in_rate=0.0,
    transfer_out_rate=0.0, transfer_rate=0.0, jobs={"student": ("在校学生",)}, max_age=20,
))
_add(Profile(
    "hospital", female=0.6, age_bands=(22, 18, 15, 12, 11, 10, 9, 3), min_age=21,
    edu=_edu((40, (0.5, 8, 60, 25, 6.5, 0, 0)), (55, (0.2, 5, 50, 35, 9.8, 0, 0)), (120, (0, 2, 40, 40, 18, 0, 0))),
    occupations=(("professional", 84), ("manager", 10), ("worker", 6)),
    join_age=(24, 3), transfer_in_rate=0.04, transfer_out_rate=0.03, transfer_rate=0.05,
    jobs={"professional": ("内科医生", "外科医生", "护士", "护士", "药剂师", "检验师", "影像医师"),
          "manager": ("院长", "副院长", "科室主任", "护士长"), "worker": ("后勤人员", "收费员")},
))
_add(Profile(
    "state_enterprise", female=0.27, age_bands=(12, 12, 13, 14, 15, 14, 12, 8), min_age=20,
    edu=_edu((40, (0, 4, 50, 30, 6, 8, 2)), (55, (0, 2, 30, 35, 10, 15, 8)), (120, (0, 0, 15, 30, 15, 25, 15))),
    occupations=(("worker", 46), ("manager", 28), ("professional", 26)),
    join_age=(27, 6), transfer_in_rate=0.03, transfer_out_rate=0.02, transfer_rate=0.04,
    jobs={"worker": ("操作工", "维修工", "驾驶员", "柜员"), "manager": ("部门经理", "项目经理", "支行行长", "办公室主任"),
          "professional": ("工程师", "会计", "客户经理", "造价员")},
))
_add(Profile(
    "private_enterprise", female=0.3, age_bands=(28, 22, 17, 12, 9, 6, 4, 2), min_age=19,
    edu=_edu((40, (0, 3, 34, 38, 8, 12, 5)), (55, (0, 1, 17, 30, 11, 25, 16)), (120, (0, 0, 8, 20, 12, 30, 30))),
    occupations=(("worker", 42), ("manager", 30), ("professional", 28)),
    join_age=(28, 6), mobile_rate=0.02, transfer_in_rate=0.06, transfer_out_rate=0.05, transfer_rate=0.05,
    jobs={"worker": ("操作工", "车间组长", "质检员", "仓管员", "快递员"),
          "manager": ("车间主任", "生产经理", "销售经理", "人事行政主管", "总经理"),
          "professional": ("技术员", "工程师", "会计", "电商运营", "研发工程师")},
))
_add(Profile(
    "social_org", female=0.45, age_bands=(20, 18, 15, 12, 10, 10, 8, 7), min_age=20,
    edu=_edu((120, (0, 5, 40, 30, 8, 12, 5)),),
    occupations=(("other", 40), ("manager", 30), ("professional", 30)),
    join_age=(30, 7), transfer_in_rate=0.05, transfer_out_rate=0.03, transfer_rate=0.03,
    jobs={"other": ("社会工作者", "志愿者", "协会工作人员"), "manager": ("秘书长", "会长", "主任"),
          "professional": ("律师", "律师", "社工师", "会计")},
))


# 专业技术职务 ladders by job, lowest first (a member's step follows their years at work).
_TEACHER = ("二级教师", "一级教师", "高级教师", "正高级教师")
_DOCTOR = ("医师", "主治医师", "副主任医师", "主任医师")
_ENGINEER = ("助理工程师", "工程师", "高级工程师")
_ACCOUNTANT = ("助理会计师", "会计师", "高级会计师")
TITLE_LADDERS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(("语文教师", "数学教师", "英语教师", "物理教师", "班主任", "体育教师", "思政教师", "乡村教师"), _TEACHER),
    **dict.fromkeys(("内科医生", "外科医生", "影像医师"), _DOCTOR),
    "护士": ("护士", "护师", "主管护师", "副主任护师"),
    "药剂师": ("药士", "药师", "主管药师", "副主任药师"),
    "检验师": ("检验士", "检验师", "主管检验师"),
    "村卫生室医生": ("乡村医生", "执业助理医师"),
    **dict.fromkeys(("工程师", "研发工程师", "造价员"), _ENGINEER),
    "技术员": ("技术员", "助理工程师", "工程师"),
    "会计": _ACCOUNTANT,
    "客户经理": ("助理经济师", "经济师", "高级经济师"),
    "记者": ("助理记者", "记者", "主任记者"),
    "编辑": ("助理编辑", "编辑", "主任编辑"),
    "律师": ("四级律师", "三级律师", "二级律师", "一级律师"),
    "社工师": ("助理社会工作师", "社会工作师", "高级社会工作师"),
}


def sample_title(rng: random.Random, p: Profile, job: str, age: int) -> str:
    ladder = TITLE_LADDERS.get(job)
    if not ladder or rng.random() < 0.15:
        return ""
    step = (age - p.min_age) // 9 + rng.choice((-1, 0, 0, 1))
    return ladder[max(0, min(len(ladder) - 1, step))]


def choose(rng: random.Random, weights: tuple[float, ...] | list[float]) -> int:
    x = rng.random() * sum(weights)
    for i, w in enumerate(weights):
        x -= w
        if x < 0:
            return i
    return len(weights) - 1


def sample_age(rng: random.Random, p: Profile, min_age: int | None = None) -> int:
    lo_limit = max(p.min_age, min_age or 0)
    for _ in range(20):
        lo, hi = BAND_BOUNDS[choose(rng, p.age_bands)]
        if hi < lo_limit:
            continue
        lo, hi = max(lo, lo_limit), min(hi, p.max_age)
        if lo > hi:
            continue
        if hi == 99:  # 61+: fewer with every year; the oldest members are in their nineties
            age = lo + min(int(rng.expovariate(1 / 9)), 36)
        else:
            age = rng.randint(lo, hi)
        return age
    return min(max(lo_limit, 30), p.max_age)


def sample_education(rng: random.Random, p: Profile, age: int) -> str:
    for upto, weights in p.edu:
        if age <= upto:
            return EDU_CODES[choose(rng, weights)]
    return EDU_CODES[choose(rng, p.edu[-1][1])]


def retirement_age(sex: str, profile_key: str) -> int:
    """Statutory ages before the 2025 reform (men 60; women cadres 55, women workers 50)."""
    if sex == "1":
        return 60
    return 50 if profile_key in ("state_enterprise", "private_enterprise", "community") else 55


def sample_occupation(rng: random.Random, p: Profile, age: int, sex: str) -> str:
    if p.retired_by_age and age >= retirement_age(sex, p.key):
        return "retired"
    options = [(code, w) for code, w in p.occupations if not (code == "student" and age > 24)
               and not (code == "worker" and p.key == "village" and age > 55)]
    if p.key == "village" and age >= 65 and rng.random() < 0.05:
        return "retired"  # retired teachers and cadres who came home to the village
    if not options:
        return p.occupations[0][0]
    return options[choose(rng, [w for _, w in options])][0]
