"""Coded values of the national member record (名称 with their codes), shared by forms, imports and
exports. Codes follow the national system's conventions where known (GB/T 3304 for ethnicity)."""

from __future__ import annotations

SEX = [("1", "男"), ("2", "女")]

ETHNICITY = [
    ("01", "汉族"), ("02", "蒙古族"), ("03", "回族"), ("04", "藏族"), ("05", "维吾尔族"), ("06", "苗族"),
    ("07", "彝族"), ("08", "壮族"), ("09", "布依族"), ("10", "朝鲜族"), ("11", "满族"), ("12", "侗族"),
    ("13", "瑶族"), ("14", "白族"), ("15", "土家族"), ("16", "哈尼族"), ("17", "哈萨克族"), ("18", "傣族"),
    ("19", "黎族"), ("20", "傈僳族"), ("21", "佤族"), ("22", "畲族"), ("23", "高山族"), ("24", "拉祜族"),
    ("25", "水族"), ("26", "东乡族"), ("27", "纳西族"), ("28", "景颇族"), ("29", "柯尔克孜族"), ("30", "土族"),
    ("31", "达斡尔族"), ("32", "仫佬族"), ("33", "羌族"), ("34", "布朗族"), ("35", "撒拉族"), ("36", "毛南族"),
    ("37", "仡佬族"), ("38", "锡伯族"), ("39", "阿昌族"), ("40", "普米族"), ("41", "塔吉克族"), ("42", "怒族"),
    ("43", "乌孜别克族"), ("44", "俄罗斯族"), ("45", "鄂温克族"), ("46", "德昂族"), ("47", "保安族"),
    ("48", "裕固族"), ("49", "京族"), ("50", "塔塔尔族"), ("51", "独龙族"), ("52", "鄂伦春族"), ("53", "赫哲族"),
    ("54", "门巴族"), ("55", "珞巴族"), ("56", "基诺族"), ("97", "其他"), ("98", "外国血统中国籍人士"),
]  # fmt: skip

# 学历, ordered from highest; "大专及以上" is the headline split of the statistics bulletin.
EDUCATION = [
    ("doctorate", "研究生（博士）"),
    ("master", "研究生（硕士）"),
    ("bachelor", "大学本科"),
    ("college", "大学专科"),
    ("secondary_vocational", "中等专科"),
    ("high_school", "高中、中技"),
    ("junior_high", "初中及以下"),
]
COLLEGE_OR_ABOVE = {"doctorate", "master", "bachelor", "college"}

DEGREE = [("", "无"), ("doctor", "博士"), ("master", "硕士"), ("bachelor", "学士")]

# 人员类别 = the occupation split of the statistics bulletin.
PERSONNEL_CATEGORY = [
    ("worker", "工人（工勤技能人员）"),
    ("farmer", "农牧渔民"),
    ("professional", "企事业单位、社会组织专业技术人员"),
    ("manager", "企事业单位、社会组织管理人员"),
    ("official", "党政机关工作人员"),
    ("student", "学生"),
    ("other", "其他职业人员"),
    ("retired", "离退休人员"),
]

NEW_SOCIAL_STRATUM = [
    ("", "无"),
    ("private_enterprise_staff", "民营企业和外资企业管理技术人员"),
    ("intermediary", "中介组织和社会组织从业人员"),
    ("freelancer", "自由职业人员"),
    ("new_media", "新媒体从业人员"),
]

# 年龄段 of the statistics bulletin (upper bounds inclusive; the last band is open).
AGE_BANDS = [(30, "30岁及以下"), (35, "31-35岁"), (40, "36-40岁"), (45, "41-45岁"), (50, "46-50岁"),
             (55, "51-55岁"), (60, "56-60岁"), (200, "61岁及以上")]  # fmt: skip


def label(choices: list[tuple[str, str]], code: str) -> str:
    return dict(choices).get(code, code)
