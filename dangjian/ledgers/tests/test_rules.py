"""The pure rules: header matching, dates as people type them, coded values by name or code."""

import datetime as dt

import pytest

from dangjian.ledgers import rules

TODAY = dt.date(2026, 6, 1)


@pytest.mark.parametrize("value", [
    "2021-06-30", "2021/6/30", "2021.6.30", "2021年6月30日", "20210630", 20210630, "２０２１－０６－３０",
    " 2021 年 6 月 30 日 ", "2021-06-30 00:00:00", dt.date(2021, 6, 30), dt.datetime(2021, 6, 30, 0, 0), 44377, 44377.0,  # noqa: DTZ001 — Excel hands over naive datetimes
])  # fmt: skip
def test_dates_in_every_form(value):
    assert rules.parse_date(value, today=TODAY) == dt.date(2021, 6, 30)


@pytest.mark.parametrize("value", ["2021-13-01", "2021-02-30", "六月", "2021年6月", "abc", "2021/6", True])
def test_bad_dates_say_how_to_write_them(value):
    with pytest.raises(rules.CellError) as info:
        rules.parse_date(value, today=TODAY)
    assert "2021-06-30" in str(info.value)


def test_dates_out_of_range():
    with pytest.raises(rules.CellError, match="合理范围"):
        rules.parse_date("2027-01-01", today=TODAY)
    with pytest.raises(rules.CellError, match="合理范围"):
        rules.parse_date("1850-01-01", today=TODAY)
    assert rules.parse_date("", today=TODAY) is None
    assert rules.parse_date(None, today=TODAY) is None


def test_headers_match_regardless_of_order_spaces_and_full_width():
    row = ["转正日期", " 公民身份号码 ＊", "姓　名", "所在党支部", "性别", "民族", "出生日期", "学历", "人员类别", "入党日期", "备注"]
    m = rules.match_headers(row, rules.MEMBERS_NATIONAL)
    assert m.positions["id_number"] == 1
    assert m.positions["name"] == 2
    assert m.positions["converted_on"] == 0
    assert m.missing == []
    assert m.unknown == ["备注"]


def test_missing_required_columns_are_named():
    m = rules.match_headers(["姓名", "性别"], rules.MEMBERS_NATIONAL)
    assert "公民身份号码" in m.missing
    assert "所在党支部（或所在党组织编码）" in m.missing


def test_header_row_below_a_title_row():
    rows = [["党员信息"], [], ["姓名", "公民身份号码", "性别", "所在党支部"]]
    found = rules.best_header(rows, rules.MEMBERS_NATIONAL)
    assert found is not None and found[0] == 2


@pytest.mark.parametrize(("codes", "value", "expected"), [
    (rules.ETHNICITY, "汉族", "01"), (rules.ETHNICITY, "01", "01"), (rules.ETHNICITY, 1, "01"), (rules.ETHNICITY, "1", "01"),
    (rules.ETHNICITY, "回", "03"), (rules.SEX, "男", "1"), (rules.SEX, 2, "2"),
    (rules.EDUCATION, "大学本科", "bachelor"), (rules.EDUCATION, "研究生(硕士)", "master"), (rules.EDUCATION, "研究生（博士）", "doctorate"),
    (rules.EDUCATION, "bachelor", "bachelor"), (rules.PERSONNEL_CATEGORY, "农牧渔民", "farmer"),
    (rules.ORG_CATEGORY, "③", "rural"), (rules.ORG_CATEGORY, "3", "rural"), (rules.ORG_CATEGORY, "农村", "rural"),
    (rules.ORG_TYPE, "党支部", "branch"), (rules.ORG_TYPE, "branch", "branch"), (rules.ORG_TYPE, "县（市、区）委", "county_committee"),
    (rules.UNIT_SITUATION, "法人单位", "legal_person"), (rules.NEW_SOCIAL_STRATUM, "", None),
])  # fmt: skip
def test_coded_values_by_name_or_code(codes, value, expected):
    assert codes.parse(value, "列") == expected


def test_unknown_code_lists_the_choices():
    with pytest.raises(rules.CellError) as info:
        rules.SEX.parse("未知", "性别")
    assert "男、女" in str(info.value)


def test_booleans_ids_phones_numbers():
    assert rules.parse_bool("是", "x") is True
    assert rules.parse_bool(" 否 ", "x") is False
    assert rules.parse_bool(None, "x") is False
    with pytest.raises(rules.CellError):
        rules.parse_bool("也许", "x")
    with pytest.raises(rules.CellError, match="文本"):
        rules.parse_id_number(1.1010119850615e17)
    assert rules.parse_id_number(" １１０１０１１９８５０６１５００１Ｘ ") == "11010119850615001X"
    assert rules.parse_phone("138 0000 0001") == "13800000001"
    assert rules.parse_phone(13800000001.0) == "13800000001"
    with pytest.raises(rules.CellError):
        rules.parse_phone("12345")
    assert rules.parse_int("-2") == -2
    assert rules.parse_int(3.0) == 3
    with pytest.raises(rules.CellError):
        rules.parse_int("两年")
