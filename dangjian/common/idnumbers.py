"""公民身份号码 (GB 11643-1999): check digit, birthplace code, birth date and sex, via python-stdnum.

Pure functions over plain values; messages are module constants the tests import.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from stdnum import exceptions as stdnum_exc
from stdnum.cn import ric

ID_REQUIRED = "请填写公民身份号码。"
ID_FORMAT = "公民身份号码应为18位，前17位是数字，最后一位是数字或X。"
ID_CHECK_DIGIT = "公民身份号码校验码错误：最后一位应为“{expected}”，请核对是否录错。"
ID_BIRTH_DATE = "公民身份号码中的出生日期无效。"
ID_BIRTHPLACE = "公民身份号码前6位（{code}）不是有效的行政区划代码。"
ID_BIRTH_MISMATCH = "出生日期（{birth}）与公民身份号码中的出生日期（{id_birth}）不一致。"
ID_SEX_MISMATCH = "性别（{sex}）与公民身份号码第17位表示的性别（{id_sex}）不一致。"


@dataclass(frozen=True)
class IdInfo:
    number: str
    birth_date: dt.date
    sex: str  # "1" male, "2" female (GB/T 2261.1)
    birthplace: str


class IdNumberError(ValueError):
    pass


def normalize(value: str) -> str:
    """Strip spaces and full-width characters people paste, upper-case the X."""
    table = str.maketrans("０１２３４５６７８９ｘＸ", "0123456789XX")
    return "".join(value.translate(table).split()).upper()


def parse(value: str) -> IdInfo:
    """Check a 18-digit ID number and return what it encodes; raises IdNumberError in Chinese."""
    number = normalize(value or "")
    if not number:
        raise IdNumberError(ID_REQUIRED)
    if len(number) != 18 or not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise IdNumberError(ID_FORMAT)
    expected = ric.calc_check_digit(number)
    if number[17] != expected:
        raise IdNumberError(ID_CHECK_DIGIT.format(expected=expected))
    try:
        birth = ric.get_birth_date(number)
    except stdnum_exc.ValidationError as exc:
        raise IdNumberError(ID_BIRTH_DATE) from exc
    try:
        ric.get_birth_place(number)
    except stdnum_exc.ValidationError as exc:
        raise IdNumberError(ID_BIRTHPLACE.format(code=number[:6])) from exc
    sex = "1" if int(number[16]) % 2 == 1 else "2"
    return IdInfo(number=number, birth_date=birth, sex=sex, birthplace=number[:6])


def check_agrees(info: IdInfo, *, birth_date: dt.date | None, sex: str | None) -> list[str]:
    """Messages for a birth date or sex on the record that disagrees with the ID number."""
    errors = []
    if birth_date and birth_date != info.birth_date:
        errors.append(ID_BIRTH_MISMATCH.format(birth=birth_date.isoformat(), id_birth=info.birth_date.isoformat()))
    if sex and sex != info.sex:
        names = {"1": "男", "2": "女"}
        errors.append(ID_SEX_MISMATCH.format(sex=names.get(sex, sex), id_sex=names[info.sex]))
    return errors


def make(birthplace: str, birth: dt.date, sequence: int, sex: str) -> str:
    """Build a valid number (demo data and tests): sequence 0-99, the sex digit chosen to match."""
    seq = sequence % 100
    sex_digit = (1 if sex == "1" else 0) + 2 * ((sequence // 100) % 5)
    body = f"{birthplace}{birth:%Y%m%d}{seq:02d}{sex_digit}"
    return body + ric.calc_check_digit(body + "0")  # stdnum expects a placeholder check digit


def birthplace_valid(code: str, year: int) -> bool:
    """Whether ``code`` was a division code in ``year`` (codes change: 连平县 is 441623 only from 1988)."""
    try:
        ric.get_birth_place(f"{code}{year}0101000" + "0")
    except stdnum_exc.ValidationError:
        return False
    return True
