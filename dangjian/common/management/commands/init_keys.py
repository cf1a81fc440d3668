"""Create the local key file on a new install, or check that the existing one fits the database."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from config.keys import KEY_FILE, generate_keys, write_key_file

DATA_WITHOUT_KEYS = (
    "数据库中已有加密的个人信息，但找不到密钥文件 {path}。不会生成新密钥（那样旧数据将永远无法解密）。"
    "请从备份恢复密钥文件。 (The database holds encrypted data but {path} is missing: restore it from backup.)"
)


class Command(BaseCommand):
    help = "生成或检查密钥文件 (create the key file on a new install; check it on an existing one)"

    def handle(self, *args: Any, **options: Any) -> None:
        from dangjian.common import crypto

        tables = connection.introspection.table_names()
        has_key_table = "common_keycheck" in tables
        if not KEY_FILE.exists():
            # A database that has been migrated (KeyCheck is written after every migrate) or holds
            # members belongs to keys that exist somewhere: new keys would make its data garbage.
            from dangjian.common.models import KeyCheck
            from dangjian.members.models import Member

            used = (has_key_table and KeyCheck.objects.exists()) or (
                Member._meta.db_table in tables and Member.objects.exists()
            )
            if used:
                raise CommandError(DATA_WITHOUT_KEYS.format(path=KEY_FILE))
            write_key_file(KEY_FILE, generate_keys())
            self.stdout.write(f"已生成密钥文件 {KEY_FILE}（权限 600）。请妥善备份：丢失后加密数据无法恢复。")
            return
        if has_key_table:
            try:
                crypto.check_key_matches_database()
            except crypto.KeyMismatchError as exc:
                raise CommandError(str(exc)) from exc
        self.stdout.write(f"密钥文件 {KEY_FILE} 已就绪。")
