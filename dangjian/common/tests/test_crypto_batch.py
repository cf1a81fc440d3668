"""Batch decryption gives exactly what ``crypto.decrypt`` gives, and refuses every token Fernet refuses."""

import base64
import hashlib
import hmac

import pytest
from cryptography.fernet import Fernet
from django.conf import settings
from django.test import override_settings
from hypothesis import given
from hypothesis import strategies as st

from config.keys import generate_keys
from dangjian.common import crypto
from dangjian.common.crypto import KeyMismatchError
from dangjian.common.crypto_batch import _keys, _mac, decrypt_many

OTHER = generate_keys()


def test_same_values_as_decrypt_for_ids_phones_and_every_padding_length():
    values = ["110105194912310021", "11010519491231002X", "13800000001", "", "中文姓名", "x",
              *("a" * n for n in range(1, 50))]
    tokens = [crypto.encrypt(v) for v in values]
    assert decrypt_many(tokens) == values
    assert decrypt_many(tokens) == [crypto.decrypt(t) for t in tokens]


@given(st.lists(st.text(max_size=60), max_size=20))
def test_any_text_round_trips(values):
    tokens = [crypto.encrypt(v) for v in values]
    assert decrypt_many(tokens) == values


def test_empty_batch_and_all_empty_tokens():
    assert decrypt_many([]) == []
    assert decrypt_many(["", ""]) == ["", ""]


def test_tokens_from_cryptography_itself_with_a_known_key():
    # Independent of crypto.encrypt: Fernet tokens made by the library with this key decrypt too.
    f = Fernet(settings.DANGJIAN_DATA_KEY.encode())
    tokens = [f.encrypt(v.encode()).decode() for v in ("一", "二二", "3" * 16, "4" * 17)]
    assert decrypt_many(tokens) == ["一", "二二", "3" * 16, "4" * 17]


def test_the_hmac_is_rfc_2104():
    inner, outer, _ = _keys(settings.DANGJIAN_DATA_KEY)
    signing = base64.urlsafe_b64decode(settings.DANGJIAN_DATA_KEY)[:16]
    for message in (b"", b"x", b"\x80" * 200):
        assert _mac(inner, outer, message) == hmac.digest(signing, message, hashlib.sha256)


def test_another_key_raises_key_mismatch():
    tokens = [crypto.encrypt("13800000001")]
    with override_settings(DANGJIAN_DATA_KEY=OTHER["data_key"]), pytest.raises(KeyMismatchError) as info:
        decrypt_many(tokens)
    assert str(info.value) == crypto.KEY_MISMATCH


def _flip(token: str, index: int) -> str:
    data = bytearray(base64.urlsafe_b64decode(token))
    data[index] ^= 0x01
    return base64.urlsafe_b64encode(bytes(data)).decode()


@pytest.mark.parametrize("index", [0, 1, 9, 24, 25, 40, -33, -1])
def test_any_changed_byte_is_refused_like_fernet(index):
    token = crypto.encrypt("110105194912310021")
    bad = _flip(token, index)
    with pytest.raises(KeyMismatchError):
        crypto.decrypt(bad)
    with pytest.raises(KeyMismatchError):
        decrypt_many([crypto.encrypt("ok"), bad])


@pytest.mark.parametrize("bad", ["not base64!!", "gAAAAA", "中文", "=" * 8,
                                 base64.urlsafe_b64encode(b"\x80" + b"\0" * 8 + b"\0" * 16 + b"\0" * 32).decode()])
def test_malformed_tokens_are_refused(bad):
    with pytest.raises(KeyMismatchError):
        decrypt_many([bad])


def test_a_truncated_token_is_refused():
    data = base64.urlsafe_b64decode(crypto.encrypt("110105194912310021"))
    # Drop one ciphertext block: the MAC no longer matches.
    short = base64.urlsafe_b64encode(data[:25] + data[41:]).decode()
    with pytest.raises(KeyMismatchError):
        decrypt_many([short])


def test_bad_padding_under_a_valid_mac_is_refused():
    # A token whose MAC is right but whose plaintext padding is wrong (only someone with the key could
    # make one): Fernet refuses it, so must we.
    raw = base64.urlsafe_b64decode(settings.DANGJIAN_DATA_KEY)
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    iv = b"\x01" * 16
    enc = Cipher(algorithms.AES(raw[16:]), modes.CBC(iv)).encryptor()
    body = enc.update(b"0123456789abcde\x00") + enc.finalize()  # last byte 0: not PKCS7
    head = b"\x80" + b"\0" * 8 + iv + body
    token = base64.urlsafe_b64encode(head + hmac.digest(raw[:16], head, hashlib.sha256)).decode()
    with pytest.raises(KeyMismatchError):
        crypto.decrypt(token)
    with pytest.raises(KeyMismatchError):
        decrypt_many([token])
