"""Personal data at rest: Fernet encryption, a keyed hash for exact lookup and uniqueness, masks.

A wrong or lost key must fail loudly: decrypting with the wrong key raises ``KeyMismatchError`` with a
Chinese message, and ``check_key_matches_database`` compares the key file with the fingerprint stored
in the database when the keys were first used.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings

KEY_MISMATCH = (
    "数据加密密钥与数据库不匹配：密钥文件可能被替换或丢失后重新生成。已加密的个人信息无法解密。"
    "请从备份恢复原密钥文件 (var/keys.json)。 (The data key does not match the database: restore the original key file.)"
)
KEY_CHECK_PLAINTEXT = "dangjian-key-check"


class KeyMismatchError(RuntimeError):
    pass


@lru_cache(maxsize=4)
def _fernet(key: str) -> Fernet:
    return Fernet(key.encode())


def encrypt(value: str) -> str:
    if not value:
        return ""
    return _fernet(settings.DANGJIAN_DATA_KEY).encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        return _fernet(settings.DANGJIAN_DATA_KEY).decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise KeyMismatchError(KEY_MISMATCH) from exc


def keyed_hash(value: str) -> str:
    """HMAC-SHA256 of a normalized value; equal inputs give equal hashes, so it can be unique-indexed."""
    if not value:
        return ""
    return hmac.new(settings.DANGJIAN_HASH_KEY.encode(), value.strip().upper().encode(), hashlib.sha256).hexdigest()


def key_fingerprint() -> str:
    return keyed_hash(KEY_CHECK_PLAINTEXT)


def mask_id_number(value: str) -> str:
    """公民身份号码 shown as its first 6 and last 4 characters."""
    if len(value) < 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str) -> str:
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def check_key_matches_database() -> None:
    """Store the key fingerprint on first use; afterwards refuse to run with a different key."""
    from dangjian.common.models import KeyCheck

    row = KeyCheck.objects.first()
    if row is None:
        KeyCheck.objects.create(fingerprint=key_fingerprint(), sample=encrypt(KEY_CHECK_PLAINTEXT))
        return
    if row.fingerprint != key_fingerprint() or decrypt(row.sample) != KEY_CHECK_PLAINTEXT:
        raise KeyMismatchError(KEY_MISMATCH)


def record_key_fingerprint(using: str = "default") -> bool:
    """Store the fingerprint of the keys in use if the database has none yet (run after every
    migrate): from the first migration on, a database knows which keys belong to it, so a lost key
    file cannot silently be replaced by new keys. Returns True if a row was written."""
    from dangjian.common.models import KeyCheck

    if KeyCheck.objects.using(using).exists():
        return False
    KeyCheck.objects.using(using).create(fingerprint=key_fingerprint(), sample=encrypt(KEY_CHECK_PLAINTEXT))
    return True


def key_table_exists(using: str = "default") -> bool:
    from django.db import connections

    from dangjian.common.models import KeyCheck

    return KeyCheck._meta.db_table in connections[using].introspection.table_names()

