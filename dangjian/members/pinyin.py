"""Pinyin search keys for names: full pinyin without tones and the initials (张三 → zhangsan, zs)."""

from __future__ import annotations

from pypinyin import Style, lazy_pinyin


def name_keys(name: str) -> tuple[str, str]:
    syllables = lazy_pinyin(name, style=Style.NORMAL, errors="ignore")
    full = "".join(syllables).lower()
    initials = "".join(s[0] for s in syllables if s).lower()
    return full, initials


def search_key(q: str) -> str:
    """What a typed query matches against: latin letters as typed, Chinese converted to pinyin."""
    if q.isascii():
        return "".join(ch for ch in q.lower() if ch.isalpha())
    return name_keys(q)[0]
