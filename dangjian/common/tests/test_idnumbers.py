"""公民身份号码 (GB 11643): check digit, birthplace code by year, birth date and sex."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dangjian.common import idnumbers
from dangjian.common.idnumbers import IdNumberError

# Division codes valid for every year from 1900 on (东城区、西城区), and one that changed.
STABLE = st.sampled_from(["110101", "110102"])
births = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2030, 12, 31))
sexes = st.sampled_from(["1", "2"])
sequences = st.integers(min_value=0, max_value=499)


@given(place=STABLE, birth=births, seq=sequences, sex=sexes)
def test_made_numbers_parse_with_what_they_encode(place, birth, seq, sex):
    number = idnumbers.make(place, birth, seq, sex)
    info = idnumbers.parse(number)
    assert info.number == number
    assert info.birth_date == birth
    assert info.sex == sex
    assert info.birthplace == place
    assert idnumbers.check_agrees(info, birth_date=birth, sex=sex) == []


@given(place=STABLE, birth=births, seq=sequences, sex=sexes, pos=st.integers(0, 17), data=st.data())
def test_any_single_changed_character_is_refused(place, birth, seq, sex, pos, data):
    number = idnumbers.make(place, birth, seq, sex)
    choices = [c for c in "0123456789" if c != number[pos]]
    if pos == 17 and number[17] != "X":
        choices.append("X")
    new = data.draw(st.sampled_from(choices))
    changed = number[:pos] + new + number[pos + 1 :]
    with pytest.raises(IdNumberError) as info:
        idnumbers.parse(changed)
    # GB 11643's MOD 11-2 catches every single substitution, so the check digit is what fails.
    assert str(info.value) == idnumbers.ID_CHECK_DIGIT.format(expected=_expected_check(changed))


def _expected_check(number: str) -> str:
    from stdnum.cn import ric

    return ric.calc_check_digit(number)


def test_wrong_check_digit_says_which_digit_is_expected():
    number = idnumbers.make("110101", dt.date(1985, 6, 15), 12, "1")
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    with pytest.raises(IdNumberError) as info:
        idnumbers.parse(wrong)
    assert str(info.value) == idnumbers.ID_CHECK_DIGIT.format(expected=number[17])
    assert f"“{number[17]}”" in str(info.value)


def test_people_paste_spaces_full_width_digits_and_lower_case_x():
    # Find a number whose check digit is X, then type it the way people do.
    for seq in range(500):
        number = idnumbers.make("110101", dt.date(1970, 1, 1), seq, "2")
        if number.endswith("X"):
            break
    else:  # pragma: no cover
        pytest.fail("no number with check digit X")
    full_width = number[:6].translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    typed = f" {full_width} {number[6:14]} {number[14:17]}x "
    assert idnumbers.parse(typed).number == number


@pytest.mark.parametrize("value", ["", "   ", None])
def test_missing_number(value):
    with pytest.raises(IdNumberError) as info:
        idnumbers.parse(value)
    assert str(info.value) == idnumbers.ID_REQUIRED


@pytest.mark.parametrize(
    "value",
    [
        "11010119850615123",  # 17 characters
        "1101011985061512345",  # 19 characters
        "11010119850615A234",  # letter inside
        "110101198506151Y34",
        "11010119850615123Y",  # last is neither digit nor X
        "110101850615123",  # old 15-digit number
    ],
)
def test_malformed_numbers(value):
    with pytest.raises(IdNumberError) as info:
        idnumbers.parse(value)
    assert str(info.value) == idnumbers.ID_FORMAT


def test_impossible_birth_date_in_number():
    body = "11010119850230123"  # 30 February
    number = body + _expected_check(body + "0")
    with pytest.raises(IdNumberError) as info:
        idnumbers.parse(number)
    assert str(info.value) == idnumbers.ID_BIRTH_DATE


def test_unknown_birthplace_code():
    body = "99999919850615123"
    number = body + _expected_check(body + "0")
    with pytest.raises(IdNumberError) as info:
        idnumbers.parse(number)
    assert str(info.value) == idnumbers.ID_BIRTHPLACE.format(code="999999")


@pytest.mark.parametrize(
    ("code", "year", "valid"),
    [
        ("441623", 1987, False),  # 连平县 has this code only from 1988
        ("441623", 1988, True),
        ("110103", 2010, True),  # 崇文区 until 2010
        ("110103", 2011, False),
        ("110101", 1950, True),
    ],
)
def test_birthplace_code_must_exist_in_the_birth_year(code, year, valid):
    assert idnumbers.birthplace_valid(code, year) is valid
    number = idnumbers.make(code, dt.date(year, 5, 1), 7, "1")
    if valid:
        assert idnumbers.parse(number).birthplace == code
    else:
        with pytest.raises(IdNumberError) as info:
            idnumbers.parse(number)
        assert str(info.value) == idnumbers.ID_BIRTHPLACE.format(code=code)


def test_birth_date_disagreeing_with_the_record():
    info = idnumbers.parse(idnumbers.make("110101", dt.date(1985, 6, 15), 3, "1"))
    assert idnumbers.check_agrees(info, birth_date=dt.date(1985, 6, 16), sex="1") == [
        idnumbers.ID_BIRTH_MISMATCH.format(birth="1985-06-16", id_birth="1985-06-15")
    ]


def test_sex_disagreeing_with_the_record_names_both_in_chinese():
    info = idnumbers.parse(idnumbers.make("110101", dt.date(1985, 6, 15), 3, "2"))
    assert info.sex == "2"
    msgs = idnumbers.check_agrees(info, birth_date=None, sex="1")
    assert msgs == [idnumbers.ID_SEX_MISMATCH.format(sex="男", id_sex="女")]


def test_both_disagreements_are_reported_together():
    info = idnumbers.parse(idnumbers.make("110101", dt.date(1985, 6, 15), 3, "1"))
    msgs = idnumbers.check_agrees(info, birth_date=dt.date(1986, 1, 1), sex="2")
    assert len(msgs) == 2


@given(birth=births, seq=sequences, sex=sexes)
def test_seventeenth_digit_parity_is_the_sex(birth, seq, sex):
    number = idnumbers.make("110102", birth, seq, sex)
    assert int(number[16]) % 2 == (1 if sex == "1" else 0)
