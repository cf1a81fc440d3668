"""Configurable rule parameters ("settings" in the issues): the numbers the domain reference marks
UNCONFIRMED, and local choices such as alarm thresholds. Each app registers its parameters with a
default, a Chinese label and the rule it belongs to; a county administrator may change the value
(common.services.setting_update, audited). Rules stay pure: callers read the value here and pass it in.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Parameter:
    key: str
    default: Any
    label: str
    help: str = ""
    minimum: float | None = None
    maximum: float | None = None


REGISTRY: dict[str, Parameter] = {}


def register(key: str, default: Any, label: str, help: str = "", *, minimum: float | None = None,
             maximum: float | None = None) -> Parameter:
    param = Parameter(key, default, label, help, minimum, maximum)
    REGISTRY[key] = param
    return param


def get(key: str) -> Any:
    """The county's value for ``key``, or its default."""
    from dangjian.common.models import PlatformSetting

    param = REGISTRY[key]
    row = PlatformSetting.objects.filter(key=key).values_list("value", flat=True).first()
    return param.default if row is None else row


def get_many(keys: list[str]) -> dict[str, Any]:
    """The county's values for ``keys`` (or their defaults) in one query."""
    from dangjian.common.models import PlatformSetting

    stored = dict(PlatformSetting.objects.filter(key__in=keys).values_list("key", "value"))
    return {k: stored[k] if k in stored else REGISTRY[k].default for k in keys}
