"""Writes to platform-wide records."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from dangjian.accounts.models import User
from dangjian.accounts.selectors import home_org
from dangjian.common import settings_registry, workdays
from dangjian.common.audit import audit_record
from dangjian.common.errors import FieldErrors, NotPermitted, ServiceError
from dangjian.common.models import HolidaySchedule, PlatformSetting

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


@transaction.atomic
def holiday_schedule_save(*, actor: User, year: int, holidays: str, makeup_workdays: str, basis: str) -> HolidaySchedule:
    """Record (or correct) a year's 放假安排 as the State Council's notice gives it: holidays and make-up
    working days as typed or pasted (single days or ranges). County administrators only; a year the
    chinese-calendar package covers is refused (the package is the authority there); audited with the old
    and new days."""
    if not actor.is_county_admin:
        raise NotPermitted
    errors = FieldErrors()
    off, off_errors = workdays.parse_days(holidays, year)
    on, on_errors = workdays.parse_days(makeup_workdays, year)
    for message in off_errors:
        errors.add("holidays", message)
    for message in on_errors:
        errors.add("makeup_workdays", message)
    if not basis.strip():
        errors.add("basis", workdays.BASIS_REQUIRED)
    # An unreadable holiday list already has its message; "please enter the holidays" would only repeat it.
    errors.merge(workdays.check_schedule(year, off, on, require_holidays=not off_errors))
    errors.raise_if_any()
    values = {"holidays": [d.isoformat() for d in off], "makeup_workdays": [d.isoformat() for d in on],
              "basis": basis.strip()[:200], "updated_by": actor}  # fmt: skip
    old = HolidaySchedule.objects.select_for_update().filter(year=year).first()
    row, _ = HolidaySchedule.objects.update_or_create(year=year, defaults=values)
    changes = {k: [getattr(old, k) if old else None, values[k]] for k in ("holidays", "makeup_workdays", "basis")}
    audit_record(actor=actor, action="holiday_schedule.save", org=home_org(actor), target=row, changes=changes)
    return row


@transaction.atomic
def holiday_schedule_delete(*, actor: User, year: int) -> None:
    """Remove a recorded year (e.g. entered for the wrong year). Audited with what was removed."""
    if not actor.is_county_admin:
        raise NotPermitted
    row = HolidaySchedule.objects.select_for_update().filter(year=year).first()
    if row is None:
        raise NotPermitted
    changes = {k: [getattr(row, k), None] for k in ("holidays", "makeup_workdays", "basis")}
    audit_record(actor=actor, action="holiday_schedule.delete", org=home_org(actor), target=row, changes=changes)
    row.delete()
