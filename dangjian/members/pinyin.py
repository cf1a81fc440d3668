"""Pinyin search keys for names: full pinyin without tones and the initials (张三 → zhangsan, zs)."""

from __future__ import annotations

from pypinyin import Style, lazy_pinyin

# Surnames read differently from the character's everyday reading (姓氏异读), which is what pypinyin
# gives: without these, 曾伟 is "cengwei" and a user typing "zengwei" or "zw" never finds him. Only
# surnames with one settled reading are listed (盖 ge/gai, 繁 po/fan and the like are left as they are).
SURNAME_READINGS = {
    "曾": "zeng", "单": "shan", "解": "xie", "朴": "piao", "仇": "qiu", "区": "ou", "查": "zha", "覃": "qin",
    "翟": "zhai", "缪": "miao", "秘": "bi", "召": "shao", "折": "she", "宓": "fu", "祭": "zhai", "句": "gou",
    "种": "chong",
}  # fmt: skip


def name_keys(name: str) -> tuple[str, str]:
    name = name.strip()
    syllables = lazy_pinyin(name, style=Style.NORMAL, errors="ignore")
    if name and name[0] in SURNAME_READINGS and syllables:
        syllables[0] = SURNAME_READINGS[name[0]]
    full = "".join(syllables).lower()
    initials = "".join(s[0] for s in syllables if s).lower()
    return full, initials


def search_key(q: str) -> str:
    """What a typed query matches against: latin letters as typed, Chinese converted to pinyin."""
    if q.isascii():
        return "".join(ch for ch in q.lower() if ch.isalpha())
    return name_keys(q)[0]
