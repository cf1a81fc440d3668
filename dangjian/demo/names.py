"""Chinese names, phone numbers and places for the demo county.

Surname weights follow the 2020 census ranking (per mille of the population, rounded), with the
surnames common in the hills of southern Jiangxi (赣南客家: 刘、陈、钟、曾、谢、廖、邱、赖、温...)
weighted up, since the demo county borrows a 赣州 county's division codes. Given names follow the
fashions of the decade of birth: 建国、秀英 for the 1950s, 伟、丽 for the 1970s, 子涵、浩宇 for the
2000s. Everything here is a pure function of a ``random.Random``.
"""

from __future__ import annotations

import itertools
import random

# (surname, weight): the national top 100 (2020 census, per mille), a southern-Jiangxi boost added.
_SURNAME_TEXT = """
王71 李70 张67 刘64 陈56 杨32 黄30 赵22 吴20 周20 徐15 孙14 马13 朱15 胡12 郭13 何11 林10 高10 罗13
郑9 梁8 谢14 宋8 唐8 许7 邓8 冯7 韩7 曹7 曾15 彭6 肖11 蔡6 潘5 田5 董5 袁5 于5 余6
叶5 蒋5 杜5 苏5 魏5 程5 吕4 丁4 沈4 任4 姚4 卢6 傅4 钟13 姜4 崔4 谭4 廖10 范3 汪3
陆3 金3 石3 戴3 贾3 韦3 夏3 邱9 方3 侯3 邹4 熊3 孟3 秦3 白3 江3 闫2 薛2 尹2 段2
雷3 黎2 史2 龙2 陶2 贺2 顾2 毛2 郝2 龚2 邵2 万2 钱2 严2 覃1 武2 赖9 温7 幸2 欧阳2
"""
_SURNAMES = _SURNAME_TEXT.split()
SURNAMES: list[str] = [s.rstrip("0123456789") for s in _SURNAMES]
SURNAME_WEIGHTS: list[int] = [int(s[len(s.rstrip("0123456789")):]) for s in _SURNAMES]
_SURNAME_CUM = list(itertools.accumulate(SURNAME_WEIGHTS))

# Surnames villages are commonly named after and settled by (single-clan villages are usual here).
CLAN_SURNAMES = ["刘", "陈", "钟", "曾", "谢", "廖", "邱", "赖", "黄", "肖", "罗", "温", "郭", "朱", "卢", "李",
                 "王", "张", "何", "吴", "彭", "邹", "叶", "胡", "欧阳"]  # fmt: skip
# 畲族 families in the demo's 畲族乡 mostly carry these surnames.
SHE_SURNAMES = ["蓝", "雷", "钟", "李"]

_GIVEN = {
    # era: (male, female) — double names as "ab", single names as "a"
    "1930": ("德明 国华 福生 长生 桂生 金生 有才 发林 水生 春生 明德 光荣 茂林 荣华 树林 永福 炳南 兴旺 宗华 德胜",
             "秀英 桂英 玉兰 桂兰 秀兰 凤英 秀珍 玉珍 翠兰 冬梅 春兰 淑珍 金花 银花 秀梅 月英 招娣 满秀 玉英 菊英"),
    "1950": ("建国 解放 援朝 跃进 国庆 建华 卫东 红兵 国强 志强 建新 和平 胜利 建设 新华 振华 保国 学文 炳生 福林",
             "秀英 桂英 秀珍 玉兰 桂兰 淑英 凤兰 美英 红英 秀云 桂珍 建英 冬英 玉梅 丽华 素珍 爱华 菊香 秀华 水英"),
    "1965": ("建华 建军 建平 卫国 小平 海波 志勇 红军 文华 立新 永红 国平 东升 春华 建明 志华 晓明 新民 伟民 向阳 "
             "伟 勇 军 强 平 斌 刚 明 华 林",
             "丽 红 艳 霞 芳 英 华 燕 萍 丽华 红梅 小红 海燕 桂芳 丽萍 春梅 秀芳 晓红 玉华 美华 建红 丽君 小燕 慧"),
    "1980": ("磊 涛 鹏 杰 超 浩 斌 俊 伟 强 亮 宇 鑫 健 明 辉 峰 俊杰 志强 建伟 文杰 晓东 海涛 志刚 小龙 振宇 "
             "家伟 文斌 国栋 建波 金龙 春林 永强 剑锋",
             "静 丽 敏 燕 婷 娟 洁 倩 雪 琳 晶 丹 慧 颖 佳 晓燕 婷婷 丽娟 雪梅 文静 小丽 春燕 海英 玉婷 晓丽 美玲"),
    "1995": ("浩然 子豪 宇航 俊熙 浩宇 子轩 博文 天宇 梓豪 家豪 一鸣 思远 嘉豪 文博 睿 轩 昊 晨 泽宇 宇轩 "
             "俊宇 鹏飞 志豪 明轩 晨阳 皓 航 子健",
             "欣怡 梓涵 子涵 诗涵 雨欣 佳怡 思雨 可馨 一诺 雨萱 梦瑶 欣然 佳琪 婉婷 雅婷 思琪 雨婷 紫涵 心怡 静怡 "
             "慧敏 梦琪 嘉欣 雨桐"),
}
GIVEN_NAMES = {era: (m.split(), f.split()) for era, (m, f) in _GIVEN.items()}
_ERAS = sorted(GIVEN_NAMES)

# Characters for made-up double given names, so that not everyone of a decade shares 20 names.
_MALE_CHARS = "志建国文明华伟永海春德平小俊晓林金长新云光荣军兵宏振利祥明福财发茂洪清勇刚峰辉东"
_FEMALE_CHARS = "秀玉桂丽红春美凤英兰芳艳霞燕萍珍梅莲琴娟娇翠雪婷静晓慧敏佳怡"

_PHONE_PREFIX_TEXT = ("130 131 132 133 135 136 137 138 139 150 151 152 153 155 156 157 158 159 177 180 181 182 183 "
                      "185 186 187 188 189 191 198 199")
PHONE_PREFIXES = _PHONE_PREFIX_TEXT.split()


def era_of(birth_year: int) -> str:
    era = _ERAS[0]
    for e in _ERAS:
        if birth_year >= int(e):
            era = e
    return era


def surname(rng: random.Random) -> str:
    x = rng.random() * _SURNAME_CUM[-1]
    lo, hi = 0, len(_SURNAME_CUM) - 1
    while lo < hi:
        mid = (lo + hi) // 2
        if _SURNAME_CUM[mid] > x:
            hi = mid
        else:
            lo = mid + 1
    return SURNAMES[lo]


def given_name(rng: random.Random, sex: str, birth_year: int) -> str:
    male, female = GIVEN_NAMES[era_of(birth_year)]
    pool = male if sex == "1" else female
    if rng.random() < 0.7:
        return rng.choice(pool)
    chars = _MALE_CHARS if sex == "1" else _FEMALE_CHARS
    a, b = rng.choice(chars), rng.choice(chars)
    return a + b if a != b else a


def person_name(rng: random.Random, sex: str, birth_year: int, clan: list[str] | None = None,
                clan_share: float = 0.0) -> str:
    """A full name; ``clan`` surnames (a village's families) are used with probability ``clan_share``."""
    if clan and rng.random() < clan_share:
        family = rng.choice(clan)
    else:
        family = surname(rng)
    return family + given_name(rng, sex, birth_year)


def mobile(rng: random.Random) -> str:
    return rng.choice(PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def landline(rng: random.Random, area: str = "0797") -> str:
    return f"{area}-{rng.choice('38')}{rng.randrange(10**6):06d}"


# --- places ---------------------------------------------------------------------------------------
_PLACE_FIRST = "上下大小新老东西南北中前高黄石竹桥塘龙凤白青长古樟松杨柏梅桃杏茶枫金银田岭溪湖洲马鹤云沙"
_PLACE_SECOND = "坪坑岭坳田塘背湾口溪洲排圩屋垅坝陂湖江山岗桥源寨庄园林冲营埠堡头"
_PLACE_MIDDLE = "泥子岭水竹石禾"


def place_names(rng: random.Random, count: int, taken: set[str]) -> list[str]:
    """``count`` distinct village names (上坪、黄泥坑、石背...) not in ``taken``; adds them to it."""
    out: list[str] = []
    while len(out) < count:
        a, b = rng.choice(_PLACE_FIRST), rng.choice(_PLACE_SECOND)
        if a == b:
            continue
        name = a + rng.choice(_PLACE_MIDDLE) + b if rng.random() < 0.15 else a + b
        if name in taken:
            continue
        taken.add(name)
        out.append(name)
    return out


MOBILE_DESTINATIONS = [
    "广东省东莞市", "广东省深圳市宝安区", "广东省深圳市龙岗区", "广东省惠州市", "广东省广州市白云区", "浙江省义乌市",
    "浙江省宁波市", "福建省厦门市", "福建省泉州市晋江市", "江西省南昌市", "江西省赣州市章贡区", "上海市松江区",
    "江苏省苏州市昆山市", "广东省佛山市顺德区",
]  # fmt: skip

STREETS = ["文昌路", "紫阳大道", "和平路", "解放路", "滨江大道", "人民路", "建设路", "长征大道", "凤岗大道", "站前路",
           "新华路", "迎宾大道"]  # fmt: skip
ESTATES = ["阳光花园", "滨江苑", "城南小区", "凤凰城", "书香名邸", "锦绣华庭", "翠湖苑", "金色家园", "东方明珠小区",
           "教师新村", "机关宿舍"]  # fmt: skip


def town_address(rng: random.Random, county: str) -> str:
    return f"{county}{rng.choice(STREETS)}{rng.randint(1, 300)}号{rng.choice(ESTATES)}{rng.randint(1, 30)}栋"
