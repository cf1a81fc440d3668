"""Personal data at rest: encryption, keyed hashes, masks, and a wrong key failing loudly."""

import pytest
from django.test import override_settings
from hypothesis import given
from hypothesis import strategies as st

from config.keys import generate_keys
from dangjian.common import crypto
from dangjian.common.crypto import KeyMismatchError
from dangjian.common.models import KeyCheck

OTHER = generate_keys()


def test_encrypt_round_trip_and_ciphertext_hides_the_value():
    token = crypto.encrypt("110101198506151234")
    assert "110101198506151234" not in token
    assert crypto.decrypt(token) == "110101198506151234"
    # Fernet tokens are randomized: the same value encrypts differently each time.
    assert crypto.encrypt("110101198506151234") != token


def test_empty_values_stay_empty():
    assert crypto.encrypt("") == ""
    assert crypto.decrypt("") == ""
    assert crypto.keyed_hash("") == ""


def test_decrypting_with_another_key_raises_key_mismatch_in_chinese():
    token = crypto.encrypt("13800000001")
    with override_settings(DANGJIAN_DATA_KEY=OTHER["data_key"]), pytest.raises(KeyMismatchError) as info:
        crypto.decrypt(token)
    assert str(info.value) == crypto.KEY_MISMATCH
    assert "密钥" in str(info.value)


def test_keyed_hash_normalizes_case_and_spaces_and_depends_on_the_key():
    h = crypto.keyed_hash("11010119700101123x")
    assert h == crypto.keyed_hash(" 11010119700101123X ")
    assert len(h) == 64
    with override_settings(DANGJIAN_HASH_KEY=OTHER["hash_key"]):
        assert crypto.keyed_hash("11010119700101123X") != h


@given(st.text(alphabet="0123456789X", min_size=10, max_size=18))
def test_id_mask_keeps_first_six_and_last_four(value):
    masked = crypto.mask_id_number(value)
    assert len(masked) == len(value)
    assert masked[:6] == value[:6]
    assert masked[-4:] == value[-4:]
    assert set(masked[6:-4]) <= {"*"}


def test_id_mask_of_a_real_number():
    assert crypto.mask_id_number("110101198506151234") == "110101********1234"


@pytest.mark.parametrize("value", ["", "123", "123456789"])
def test_short_values_are_masked_entirely(value):
    assert crypto.mask_id_number(value) == "*" * len(value)


def test_phone_mask():
    assert crypto.mask_phone("13800001234") == "138****1234"
    assert crypto.mask_phone("12345") == "*****"


@pytest.mark.django_db
def test_first_use_stores_the_fingerprint_then_the_same_key_passes():
    KeyCheck.objects.all().delete()  # migrate wrote one (see test_keys); here, a database that has none
    assert not KeyCheck.objects.exists()
    crypto.check_key_matches_database()
    row = KeyCheck.objects.get()
    assert row.fingerprint == crypto.key_fingerprint()
    crypto.check_key_matches_database()  # same keys: nothing raised
    assert KeyCheck.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("setting", ["DANGJIAN_DATA_KEY", "DANGJIAN_HASH_KEY"])
def test_a_different_key_is_detected_against_the_database(setting):
    crypto.check_key_matches_database()
    key = OTHER["data_key"] if setting == "DANGJIAN_DATA_KEY" else OTHER["hash_key"]
    with override_settings(**{setting: key}), pytest.raises(KeyMismatchError) as info:
        crypto.check_key_matches_database()
    assert str(info.value) == crypto.KEY_MISMATCH
