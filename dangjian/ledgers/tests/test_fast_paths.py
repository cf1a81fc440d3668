"""The importer's fast equivalents agree with the originals they stand in for."""

import datetime as dt

import pytest

from dangjian.common import crypto, idnumbers
from dangjian.ledgers import importer

SAMPLES = [
    idnumbers.make("110101", dt.date(1985, 6, 15), 1, "1"),
    idnumbers.make("441623", dt.date(1990, 1, 1), 7, "2"),  # 连平县: valid from 1988
    idnumbers.make("441623", dt.date(1970, 1, 1), 7, "2"),  # not yet a county code in 1970
    idnumbers.make("999999", dt.date(1980, 1, 1), 3, "1"),
    "11010119850615001x", "110101198506150010", "11010119851315001X", "1101011985061500", "", "abc", "１１０１０１１９８５０６１５００１Ｘ",
]


@pytest.mark.parametrize("value", SAMPLES)
def test_parse_id_agrees_with_idnumbers(value):
    try:
        expected = idnumbers.parse(value)
    except idnumbers.IdNumberError as exc:
        with pytest.raises(idnumbers.IdNumberError) as info:
            importer.parse_id(value)
        assert str(info.value) == str(exc)
    else:
        assert importer.parse_id(value) == expected


@pytest.mark.parametrize("value", ["11010119850615001X", " 13800000001 ", "abc", ""])
def test_keyed_hasher_agrees_with_crypto(value):
    assert importer.KeyedHasher()(value) == crypto.keyed_hash(value)
