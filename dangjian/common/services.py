"""Writes to platform-wide records."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from dangjian.accounts.models import User
from dangjian.accounts.selectors import home_org
from dangjian.common import settings_registry
from dangjian.common.audit import audit_record
from dangjian.common.errors import NotPermitted, ServiceError
from dangjian.common.models import PlatformSetting

SETTING_UNKNOWN = "没有名为“{key}”的参数。"
SETTING_TYPE = "“{label}”应为{kind}。"
SETTING_RANGE = "“{label}”应在{minimum}至{maximum}之间。"


@transaction.atomic
def setting_update(*, actor: User, key: str, value: Any) -> PlatformSetting:
    """Change a configurable parameter. County administrators only; audited with old and new value."""
    if not actor.is_county_admin:
        raise NotPermitted
    param = settings_registry.REGISTRY.get(key)
    if param is None:
        raise ServiceError(SETTING_UNKNOWN.format(key=key), "key")
    if isinstance(param.default, bool) and not isinstance(value, bool):
        raise ServiceError(SETTING_TYPE.format(label=param.label, kind="是或否"), "value")
    if isinstance(param.default, int | float) and not isinstance(param.default, bool):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ServiceError(SETTING_TYPE.format(label=param.label, kind="数字"), "value")
        lo = param.minimum if param.minimum is not None else float("-inf")
        hi = param.maximum if param.maximum is not None else float("inf")
        if not lo <= value <= hi:
            raise ServiceError(SETTING_RANGE.format(label=param.label, minimum=param.minimum, maximum=param.maximum), "value")
    old = settings_registry.get(key)
    row, _ = PlatformSetting.objects.update_or_create(key=key, defaults={"value": value, "updated_by": actor})
    audit_record(actor=actor, action="setting.update", org=home_org(actor), target=row, changes={key: [old, value]})
    return row
