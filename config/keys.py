"""The local key file: Django's secret key and the personal-data keys.

The file lives outside git (``var/keys.json`` by default, ``DANGJIAN_KEY_FILE`` to move it), is created
once by ``dangjian init_keys`` with owner-only permissions, and is never in code. Losing it makes every
encrypted ID number and phone unreadable, so a missing or wrong file stops the platform loudly instead
of producing garbage: see ``dangjian.common.crypto.check_key_matches_database``.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("DANGJIAN_DATA_DIR", BASE_DIR / "var"))
KEY_FILE = Path(os.environ.get("DANGJIAN_KEY_FILE", DATA_DIR / "keys.json"))

MISSING_KEY_FILE = (
    "找不到密钥文件 {path}。该文件保存数据加密密钥，丢失后已加密的身份证号和手机号将无法解密。"
    "请从备份恢复该文件；如果这是一个全新的安装，请运行 `dangjian init_keys`。"
    " (Key file {path} is missing: restore it from backup, or run `dangjian init_keys` on a new install.)"
)


def generate_keys() -> dict[str, str]:
    return {
        "secret_key": secrets.token_urlsafe(50),
        # Fernet key for encrypting personal data at rest.
        "data_key": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        # HMAC key for the keyed hashes used for exact lookup and uniqueness.
        "hash_key": secrets.token_hex(32),
    }


def write_key_file(path: Path, keys: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # Created with 0600 from the start so the keys are never readable by others, not even briefly.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(keys, f)


def load_keys(path: Path = KEY_FILE) -> dict[str, str]:
    if not path.exists():
        raise ImproperlyConfigured(MISSING_KEY_FILE.format(path=path))
    with open(path) as f:
        keys: dict[str, str] = json.load(f)
    for name in ("secret_key", "data_key", "hash_key"):
        if not keys.get(name):
            raise ImproperlyConfigured(f"密钥文件 {path} 缺少 {name}。 (Key file {path} lacks {name}.)")
    return keys
