"""Writing audit events. Services call ``audit_record`` inside their own transaction, so the event
and the change commit or roll back together."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction

from dangjian.common.middleware import current_ip
from dangjian.common.models import AuditEvent

if TYPE_CHECKING:
    from dangjian.accounts.models import User
    from dangjian.orgs.models import Org


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime | Decimal):
        return str(value)
    if hasattr(value, "pk"):
        return str(value)
    return value


def diff(old: dict[str, Any], new: dict[str, Any]) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for the fields whose value changed."""
    return {k: [_plain(old.get(k)), _plain(v)] for k, v in new.items() if _plain(old.get(k)) != _plain(v)}


def audit_record(
    *,
    actor: User | None,
    action: str,
    org: Org | None = None,
    target: Any = None,
    changes: dict[str, Any] | None = None,
    reason: str = "",
) -> AuditEvent:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record must run inside the transaction of the change it records")
    return AuditEvent.objects.create(
        actor=actor,
        actor_name=(actor.display_name or actor.username) if actor else "系统",
        ip=current_ip.get(),
        org=org,
        org_path=org.path if org else "",
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_label=str(target)[:200] if target is not None else "",
        changes={k: [_plain(x) for x in v] if isinstance(v, list | tuple) else _plain(v) for k, v in (changes or {}).items()},
        reason=reason[:500],
    )
