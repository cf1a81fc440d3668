from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _record_key_fingerprint(using: str = "default", **kwargs: Any) -> None:
    from dangjian.common import crypto

    if crypto.key_table_exists(using):
        crypto.record_key_fingerprint(using)


class CommonConfig(AppConfig):
    name = "dangjian.common"
    label = "common"
    verbose_name = "公共"

    def ready(self) -> None:
        from dangjian.common import checks  # noqa: F401  (registers the key check)

        # After every migrate (and test-database flush): the database learns which keys are its own.
        post_migrate.connect(_record_key_fingerprint, sender=self, dispatch_uid="common.record_key_fingerprint")
