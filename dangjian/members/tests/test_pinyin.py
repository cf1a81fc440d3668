"""Pinyin keys for searching names."""

import pytest

from dangjian.members.pinyin import name_keys, search_key


@pytest.mark.parametrize(
    ("name", "full", "initials"),
    [
        ("张三", "zhangsan", "zs"),
        ("欧阳娜娜", "ouyangnana", "oynn"),  # compound surname
        ("长孙无忌", "zhangsunwuji", "zswj"),
        ("李 明", "liming", "lm"),
        ("吕强", "lvqiang", "lq"),
        # Surnames read differently from the everyday reading of the character.
        ("曾伟", "zengwei", "zw"),
        ("单田芳", "shantianfang", "stf"),
        ("解晓东", "xiexiaodong", "xxd"),
        ("朴树", "piaoshu", "ps"),
        ("仇英", "qiuying", "qy"),
        ("区志伟", "ouzhiwei", "ozw"),
        ("查良镛", "zhaliangyong", "zly"),
        ("翟志刚", "zhaizhigang", "zzg"),
        ("覃海", "qinhai", "qh"),
        # Only the surname: the same character later in a name keeps its everyday reading.
        ("王曾", "wangceng", "wc"),
    ],
)
def test_name_keys(name, full, initials):
    assert name_keys(name) == (full, initials)


def test_search_key_for_typed_latin_and_chinese():
    assert search_key("Zhang Xiao") == "zhangxiao"
    assert search_key("曾伟") == "zengwei"
    assert search_key("ZW") == "zw"
