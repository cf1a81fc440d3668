"""System checks (run by runserver, migrate and check): the data keys must fit the database."""

from __future__ import annotations

from typing import Any

from django.core.checks import Error, register
from django.db import DatabaseError

from dangjian.common import crypto


@register()
def key_matches_database(app_configs: Any = None, databases: Any = None, **kwargs: Any) -> list[Error]:
    """A key file that does not belong to this database is an error that stops the server, with the
    Chinese KEY_MISMATCH message; before the first migration (no table yet) there is nothing to check."""
    from dangjian.common.models import KeyCheck

    try:
        if not crypto.key_table_exists():
            return []
        row = KeyCheck.objects.first()
    except DatabaseError:
        return []  # no database yet: migrate will create it
    if row is None:
        return []
    try:
        ok = row.fingerprint == crypto.key_fingerprint() and crypto.decrypt(row.sample) == crypto.KEY_CHECK_PLAINTEXT
    except crypto.KeyMismatchError:
        ok = False
    if ok:
        return []
    return [Error(crypto.KEY_MISMATCH, hint="恢复 var/keys.json（或 DANGJIAN_KEY_FILE 指向的文件）的备份。", id="common.E001")]
